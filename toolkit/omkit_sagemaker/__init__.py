"""omkit: check, scaffold and run OpenMetadata's SageMaker ingestion configs.

Sub-packages, lowest first (each imports only those below it): ``base`` (diagnostics, masking,
shipped files), ``spec`` (the JSON Schemas, code generation, typed models), ``check`` (what
``omkit validate`` does), ``ingest`` (``omkit run`` and ``test-connection``) and ``scaffold``
(``omkit init`` and ``omkit policy``), ``api`` (the Python API); ``cli`` is the command line and
``airflow`` the Airflow DAG factory on top. See docs/architecture.md.

The Python API is here too, imported on first use (``import omkit_sagemaker`` stays cheap)::

    import omkit_sagemaker

    result = omkit_sagemaker.run("sagemaker.yaml")  # a path, YAML text or a dict
    if not result.success:
        print(result.fatal, result.model_failures)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from omkit_sagemaker.base.version import __version__ as __version__

if TYPE_CHECKING:
    from omkit_sagemaker.api import (
        ConfigProblem,
        ManySummary,
        ModelFailure,
        RunSummary,
        ValidationResult,
        run,
        run_many,
        validate,
    )

#: The names of :mod:`omkit_sagemaker.api` offered here.
_API = frozenset(
    {
        "run",
        "run_many",
        "validate",
        "RunSummary",
        "ManySummary",
        "ModelFailure",
        "ConfigProblem",
        "ValidationResult",
    }
)

__all__ = [
    "ConfigProblem",
    "ManySummary",
    "ModelFailure",
    "RunSummary",
    "ValidationResult",
    "__version__",
    "run",
    "run_many",
    "validate",
]


def __getattr__(name: str) -> Any:
    """The Python API's names, from :mod:`omkit_sagemaker.api` on first use."""
    if name in _API:
        from omkit_sagemaker import api

        return getattr(api, name)
    raise AttributeError(f"module 'omkit_sagemaker' has no attribute {name!r}")
