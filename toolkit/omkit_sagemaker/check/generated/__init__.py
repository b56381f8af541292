"""Code ``omkit codegen`` writes into ``check/``: do not edit what lives here, change the
schemas in ``spec/`` and run ``omkit codegen`` again (``omkit codegen --check`` fails on drift).

:mod:`.fastcheck`: the fast yes/no validity check compiled from the workflow schema, with the
secret and strict key lists of every release. Everything else in ``check/`` is hand-written.
Imports only ``omkit_sagemaker.base``.
"""
