"""The Python API: :func:`run`, :func:`run_many` and :func:`validate`, for programs and
schedulers (Airflow: :mod:`omkit_sagemaker.airflow`). ``omkit run`` and ``omkit validate`` call
these same functions.

A config is a path (``str`` or :class:`~pathlib.Path`), the text of a YAML document (a ``str``
with a line break, or one that starts with ``{``) or a ``dict`` (what ``yaml.safe_load`` gives).
As ``metadata ingest -c`` does, ``$VAR`` and ``${VAR}`` are expanded from the environment in a
file and in YAML text (``environ=None`` turns that off); a ``dict`` is taken as it is, as
upstream's ``MetadataWorkflow.create(dict)`` takes it.

Nothing here raises for an ordinary failure: an invalid config, a server that cannot be reached,
a model that could not be written are in the returned :class:`~.results.RunSummary` (``success``
false, ``fatal`` and ``config_errors`` say why). Importing this package is cheap: the ingestion
is imported when :func:`run` is first called.

What a config argument is and the runs it makes live in :mod:`.configs`, :func:`validate` in
:mod:`.checking`; every name is importable from here.

Layer: above ``ingest``, ``check`` and ``scaffold``, which it may import; below ``cli`` and
``airflow``. It imports neither.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.api.checked import ConfigProblem, ValidationResult
from omkit_sagemaker.api.checking import validate, validate_paths
from omkit_sagemaker.api.configs import DICT_NAME as DICT_NAME
from omkit_sagemaker.api.configs import TEXT_NAME as TEXT_NAME
from omkit_sagemaker.api.configs import Config
from omkit_sagemaker.api.configs import ConfigError as ConfigError
from omkit_sagemaker.api.configs import job_of as job_of
from omkit_sagemaker.api.configs import jobs_of as jobs_of
from omkit_sagemaker.api.configs import too_deep as too_deep

# A library does not print: without a handler of the caller's, Python's last-resort handler
# would write omkit's warnings and errors to stderr. The result carries them; ``omkit run``
# installs its own handler (cli.progress.setup_logging).
logging.getLogger("omkit").addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from omkit_sagemaker.api.results import ManySummary, ModelFailure, Problem, RunSummary
    from omkit_sagemaker.ingest.ingestrun import Progress, RunOptions, RunResult
    from omkit_sagemaker.ingest.multirun import Job

__all__ = [
    "Config",
    "ConfigProblem",
    "ManySummary",
    "ModelFailure",
    "Problem",
    "RunSummary",
    "ValidationResult",
    "run",
    "run_many",
    "validate",
    "validate_paths",
]


def options(**kwargs: Any) -> RunOptions:
    """The run options of the keyword arguments :func:`run` takes: those of
    :data:`omkit_sagemaker.api.runoptions.DECLARED` that go to the run (``workers``, ``dry_run``,
    ``tags``, ``assets``, ``timeout``, ``allow_mass_delete``, ``lineage_service``, ``disable``,
    ``enable``, ``environ``, ``progress``). Raises ``TypeError`` for another keyword and
    ``ValueError`` for an unknown asset kind or code."""
    from omkit_sagemaker import assetkinds
    from omkit_sagemaker.api import runoptions
    from omkit_sagemaker.check.settings import check_code, split_codes
    from omkit_sagemaker.ingest import ingestrun as workflow

    accepted = runoptions.names(runoptions.API, "options")
    unknown = sorted(set(kwargs) - set(accepted))
    if unknown:
        raise TypeError(f"options() got an unexpected keyword argument {unknown[0]!r}")
    given = {name: kwargs.get(name, runoptions.BY_NAME[name].default) for name in accepted}
    assets, timeout = given.pop("assets"), given.pop("timeout")
    kinds = assetkinds.parse_assets(assets if assets else assetkinds.defaults())
    off = [check_code(c, "--disable") for c in split_codes(list(given.pop("disable") or ()))]
    on = [check_code(c, "--enable") for c in split_codes(list(given.pop("enable") or ()))]
    progress = given.pop("progress")
    built = workflow.RunOptions(  # the other options are RunOptions fields of the same name
        **given,
        http_timeout=timeout,
        aws_timeout=timeout,
        assets=kinds,
        disable=tuple(off),
        enable=tuple(on),
    )
    if progress is not None:
        built.progress = progress
    return built


def run(config: Config, **kwargs: Any) -> RunSummary:
    """Run the ingestion of one config, as ``omkit run FILE`` does, and say what happened.

    Keyword arguments (all optional, as the command's options): ``workers`` (8), ``dry_run``,
    ``tags`` (True), ``assets`` (kinds, default all), ``lineage_service``, ``timeout`` (10 s),
    ``allow_mass_delete``, ``disable`` / ``enable`` (codes), ``environ`` (``os.environ``; None:
    no ``$VAR`` expansion), ``progress`` (a :class:`~omkit_sagemaker.ingest.ingestrun.Progress`).
    With ``ingestionPipelineFQN`` in the config, the run's state is reported to OpenMetadata.
    """
    try:
        job = job_of(config)
        run_options = options(**kwargs)
    except (ValueError, TypeError) as exc:
        return _failed(str(config) if isinstance(config, (str, Path)) else DICT_NAME, str(exc))
    return run_job(job, run_options)


def run_job(job: Job, run_options: RunOptions) -> RunSummary:
    """:func:`run` for an already resolved config and options (the CLI's entry)."""
    from dataclasses import replace

    from omkit_sagemaker.api.results import RunSummary
    from omkit_sagemaker.ingest import checkedconfig, pipelinestatus
    from omkit_sagemaker.ingest import ingestrun as workflow

    if job.no_env or job.text is not None:
        run_options = replace(
            run_options,
            text=job.text,
            environ=None if job.no_env else run_options.environ,
        )
    # read and checked once: the status reporter and the run take the same check
    checked = checkedconfig.for_run(job.path, run_options)
    run_options = replace(run_options, checked=checked)
    reporter = pipelinestatus.Reporter.for_config(job.path, run_options)
    reporter.put("running")
    result = workflow.run(job.path, run_options)
    return RunSummary.of(result, pipeline_state=reporter.finish(result))


def run_many(
    configs: Sequence[Config],
    *,
    parallel: int = 4,
    regions: Sequence[str] = (),
    profiles: Sequence[str] = (),
    role_arns: Sequence[str] = (),
    service_name_template: str | None = None,
    file_name_template: str | None = None,
    on_done: Callable[[RunSummary], None] | None = None,
    pipeline_run_id: str | None = None,
    **kwargs: Any,
) -> ManySummary:
    """Run many configs side by side, as ``omkit run PATH...`` does (see
    :mod:`omkit_sagemaker.ingest.multirun`). A directory among ``configs`` stands for the
    workflow configs in it. ``regions``, ``profiles`` and ``role_arns`` turn each config into
    one run per combination (see :mod:`omkit_sagemaker.ingest.expand`: ``service_name_template``
    and ``file_name_template`` name each run's service and file sink output). Takes :func:`run`'s
    keyword arguments too, ``on_done`` (called with each run's summary as it ends) and
    ``pipeline_run_id`` (the ``runId`` of the pipeline status of a config without
    ``pipelineRunId``, already reported ``queued`` by the caller, as the Airflow DAG's
    validate task does)."""
    from omkit_sagemaker.api.results import ManySummary
    from omkit_sagemaker.ingest.expand import ExpandError

    try:
        jobs = jobs_of(
            configs,
            regions=regions,
            profiles=profiles,
            role_arns=role_arns,
            service_name_template=service_name_template,
            file_name_template=file_name_template,
            environ=kwargs.get("environ", os.environ),
        )
        run_options = options(**kwargs)
    except (ValueError, TypeError, ExpandError) as exc:
        return ManySummary(usage_error=str(exc))
    return run_jobs(
        jobs, run_options, parallel=parallel, on_done=on_done, pipeline_run_id=pipeline_run_id
    )


def run_jobs(
    jobs: Sequence[Job],
    run_options: RunOptions,
    *,
    parallel: int = 4,
    on_done: Callable[[RunSummary], None] | None = None,
    progress: Callable[[Job], Progress] | None = None,
    pipeline_run_id: str | None = None,
) -> ManySummary:
    """:func:`run_many` for resolved jobs and options (the CLI's entry)."""
    from omkit_sagemaker.api.results import ManySummary, RunSummary
    from omkit_sagemaker.ingest import multirun, pipelinestatus

    states: dict[int, str | None] = {}

    class Reported:
        """``queued`` once checked, ``running`` when it starts, its end state when it ends."""

        def __init__(self, job: Job, job_options: RunOptions) -> None:
            self.reporter = pipelinestatus.Reporter.for_config(
                job.path, job_options, pipeline_run_id
            )
            if pipeline_run_id is None:  # else the caller has reported it queued
                self.reporter.put("queued")

        def begin(self) -> None:
            self.reporter.put("running")

        def end(self, result: RunResult) -> None:
            states[id(result)] = self.reporter.finish(result)
            if on_done is not None:
                on_done(RunSummary.of(result, pipeline_state=states[id(result)]))

    many = multirun.run_jobs(
        jobs, run_options, parallel=parallel, progress=progress, hooks=Reported
    )
    return ManySummary(
        runs=[RunSummary.of(r, pipeline_state=states.get(id(r))) for r in many.results],
        conflicts=many.conflicts,
        duration=many.duration,
        signal=many.signal,
    )


def _failed(name: str, message: str) -> RunSummary:
    from omkit_sagemaker.api.results import RunSummary

    return RunSummary(config=name, success=False, exit_code=2, fatal=message)


#: Names of :mod:`.results` offered here, imported on first use (dataclasses stay off the
#: ``omkit validate`` path, which imports this package).
_RESULTS = frozenset({"ManySummary", "ModelFailure", "Problem", "RunSummary"})


def __getattr__(name: str) -> Any:
    if name in _RESULTS:
        from omkit_sagemaker.api import results

        return getattr(results, name)
    raise AttributeError(f"module 'omkit_sagemaker.api' has no attribute {name!r}")
