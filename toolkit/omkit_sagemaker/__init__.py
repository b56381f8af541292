"""omkit: check, scaffold and run OpenMetadata's SageMaker ingestion configs.

Sub-packages, lowest first (each imports only those below it): ``base`` (diagnostics, masking,
shipped files), ``spec`` (the JSON Schemas, code generation, typed models), ``check`` (what
``omkit validate`` does), ``ingest`` (``omkit run`` and ``test-connection``) and ``scaffold``
(``omkit init`` and ``omkit policy``); ``cli`` is the command line on top. See
docs/architecture.md.
"""

from omkit_sagemaker.base.version import __version__ as __version__
