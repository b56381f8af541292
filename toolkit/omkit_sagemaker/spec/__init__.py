"""The JSON Schemas in ``spec/`` and what is made from them: reading and resolving them, the
code generators, the generated typed models and the editor bundle. May import only .base.
"""
