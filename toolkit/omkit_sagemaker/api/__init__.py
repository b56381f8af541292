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

Layer: above ``ingest``, ``check`` and ``scaffold``, which it may import; below ``cli`` and
``airflow``. It imports neither.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Union

from omkit_sagemaker.api.checked import ConfigProblem, ValidationResult

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

#: What :func:`run` takes: a path, YAML text or a dict.
Config = Union[str, "os.PathLike[str]", Mapping[str, Any]]

#: Names given to configs that are not files (messages say ``<dict>:12:5``); relative, so the
#: settings of the current directory apply and no made-up path under it is shown.
DICT_NAME = "<dict>"
TEXT_NAME = "<yaml>"


class ConfigError(ValueError):
    """A config argument that is none of the three kinds (a usage error)."""


def job_of(config: Config, index: int = 0) -> Job:
    """The run of one config argument (see the module doc)."""
    from omkit_sagemaker.ingest.multirun import Job

    suffix = f"#{index + 1}" if index else ""
    if isinstance(config, Mapping):
        import yaml

        from omkit_sagemaker.check.loader import MAX_DEPTH

        if too_deep(config, MAX_DEPTH):
            raise ConfigError(f"the config dict is nested more than {MAX_DEPTH} levels deep")
        try:
            text = yaml.safe_dump(dict(config), sort_keys=False, allow_unicode=True)
        except yaml.YAMLError as exc:
            raise ConfigError(f"the config dict cannot be written as YAML: {exc}") from None
        return Job(Path(f"{DICT_NAME}{suffix}"), text, no_env=True)
    if isinstance(config, str) and ("\n" in config or config.lstrip().startswith("{")):
        return Job(Path(f"{TEXT_NAME}{suffix}"), config)
    if isinstance(config, (str, os.PathLike)):
        return Job(Path(os.fspath(config)))
    raise ConfigError(f"a config is a path, YAML text or a dict, not {type(config).__name__}")


def too_deep(value: object, limit: int) -> bool:
    """True when ``value`` holds dicts and lists nested more than ``limit`` deep (counted
    without recursion; a dict or list met twice, or a cycle, is followed once)."""
    seen: set[int] = set()
    stack: list[tuple[object, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if not isinstance(item, (Mapping, list, tuple)) or id(item) in seen:
            continue
        if depth > limit:
            return True
        seen.add(id(item))
        children = item.values() if isinstance(item, Mapping) else item
        stack.extend(reversed([(child, depth + 1) for child in children]))  # in order
    return False


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


def jobs_of(
    configs: Sequence[Config],
    *,
    regions: Sequence[str] = (),
    profiles: Sequence[str] = (),
    role_arns: Sequence[str] = (),
    service_name_template: str | None = None,
    file_name_template: str | None = None,
    environ: Mapping[str, str] | None = os.environ,
) -> list[Job]:
    """The runs of ``configs``: directories searched for workflow configs (as ``omkit
    validate`` searches them), each config expanded by the lists (read and parsed once, with
    ``$VAR`` expanded from ``environ``, as the runs will take it). Raises ``ValueError``
    (:class:`~omkit_sagemaker.check.discovery.UsageError` and
    :class:`~omkit_sagemaker.ingest.expand.ExpandError` among them)."""
    from omkit_sagemaker.check import discovery
    from omkit_sagemaker.ingest import expand
    from omkit_sagemaker.ingest.multirun import Job

    if not configs:
        raise ConfigError("no config given")
    jobs: list[Job] = []
    paths: list[str | Path] = []
    for index, config in enumerate(configs):
        job = job_of(config, index)
        if job.text is None:
            paths.append(job.path)
        else:
            jobs.append(job)
    try:
        found = discovery.collect(paths) if paths else discovery.Found()
    except discovery.UsageError as exc:
        raise ConfigError(str(exc)) from None
    if paths and not found.files:
        where = ", ".join(str(p) for p in paths)
        raise ConfigError(f"no workflow config to run in {where}")
    jobs = [Job(p) for p in found.files] + jobs
    if not (regions or profiles or role_arns):
        for given, option in (
            (service_name_template, "--service-name-template"),
            (file_name_template, "--file-name-template"),
        ):
            if given is not None:
                raise ConfigError(f"{option} needs --region, --profile or --role-arn")
        return jobs
    expanded: list[Job] = []
    for job in jobs:  # each config read and parsed once, for all its variants
        base = expand.load_base(job.path, job.text, None if job.no_env else environ)
        for variant in expand.plan(
            job.path,
            base.data,
            regions=regions,
            profiles=profiles,
            role_arns=role_arns,
            template=service_name_template,
            file_template=file_name_template,
        ):
            expanded.append(Job(variant.path, no_env=job.no_env, variant=variant, base=base))
    return expanded


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


def validate(
    configs: Config | Sequence[Config],
    *,
    environ: Mapping[str, str] | None = os.environ,
    target_version: str | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    only_workflows: bool = False,
) -> ValidationResult:
    """Check configs as ``omkit validate`` does: paths (files and directories), YAML text or
    dicts (reported as ``<yaml>`` and ``<dict>``, checked with the settings of the current
    folder). Never raises for bad input: a path that does not exist, an unknown code, a bad
    ``target_version`` are the result's ``usage_error``."""
    single = isinstance(configs, (str, os.PathLike, Mapping))
    items: list[Config] = [configs] if single else list(configs)  # type: ignore[list-item,arg-type]
    paths: list[str] = []
    texts: list[Job] = []
    try:
        for index, config in enumerate(items):
            job = job_of(config, index)
            if job.text is None:
                paths.append(str(job.path))
            else:
                texts.append(job)
    except ConfigError as exc:
        return ValidationResult(usage_error=str(exc))
    out = ValidationResult()
    if paths:
        out = validate_paths(
            paths,
            environ=environ,
            target_version=target_version,
            disable=disable,
            enable=enable,
            only_workflows=only_workflows,
        )
    if out.usage_error is None and texts:
        _validate_texts(texts, out, environ, target_version, disable, enable)
    return out


def validate_paths(
    paths: Sequence[str],
    *,
    environ: Mapping[str, str] | None = os.environ,
    target_version: str | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    only_workflows: bool = False,
    stdin: bytes | None = None,
    stdin_name: str | None = None,
) -> ValidationResult:
    """:func:`validate` for path arguments as the command line gives them (``-`` is
    ``stdin``, already read, reported as ``stdin_name``); ``omkit validate`` calls it."""
    from omkit_sagemaker.check.settings import split_codes
    from omkit_sagemaker.check.validate import UsageError, check_paths

    try:
        found = check_paths(
            paths,
            environ=environ,
            target_version=target_version,
            disable=split_codes(list(disable)),
            enable=split_codes(list(enable)),
            only_workflows=only_workflows,
            stdin=stdin,
            stdin_name=stdin_name,
        )
    except UsageError as exc:
        return ValidationResult(usage_error=str(exc))
    return ValidationResult(found.files, found.diagnostics, found.skipped)


def _validate_texts(
    texts: Sequence[Job],
    out: ValidationResult,
    environ: Mapping[str, str] | None,
    target_version: str | None,
    disable: Sequence[str],
    enable: Sequence[str],
) -> None:
    from omkit_sagemaker.check import versions
    from omkit_sagemaker.check.settings import (
        SettingsError,
        load_settings,
        split_codes,
        with_overrides,
    )
    from omkit_sagemaker.check.validate import check_text

    try:
        settings = with_overrides(
            load_settings(Path.cwd()),
            disable=split_codes(list(disable)),
            enable=split_codes(list(enable)),
        )
        if target_version:
            settings = settings.replace(target=versions.parse_version(target_version))
    except (SettingsError, ValueError) as exc:
        out.usage_error = str(exc)
        return
    for job in texts:
        _, found = check_text(
            job.text or "",
            job.path.name,
            environ=None if job.no_env else environ,
            settings=settings,
        )
        out.files.append(job.path.name)
        out.diagnostics.extend(found)


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
