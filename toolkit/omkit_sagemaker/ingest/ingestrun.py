"""``omkit run``: config -> typed model -> SageMaker source -> sink -> mark deleted -> summary.

The library behind the command; it never prints (log lines go to the ``omkit`` logger, at the
config's ``loggerLevel``), and returns a :class:`RunResult` that
:mod:`omkit_sagemaker.ingest.runreport` shows.

1. The file is checked as ``omkit validate`` checks it (any error stops the run) and loaded into
   the typed :class:`~omkit_sagemaker.spec.models.workflow.Workflow`; every value used below comes
   from it.
2. The plan (:mod:`omkit_sagemaker.ingest.runplan`): the filter, the sink from the table of
   sinks, the SageMaker client; the sink makes sure the service exists.
3. The endpoints are read (``--assets``: :mod:`omkit_sagemaker.ingest.kinds`); the source
   streams the models, each with its training job; each one is mapped
   (:mod:`omkit_sagemaker.ingest.mapping`) and written.
4. ``markDeletedMlModels``: only when the SageMaker listing completed and nothing failed in the
   run, the service's models in OpenMetadata that SageMaker no longer has are soft-deleted
   (``hardDelete=false``). A model that is still in SageMaker but left out by
   ``mlModelFilterPattern`` is **not** gone, so it is not deleted (upstream deletes it); to drop
   such models from the catalogue, delete them in OpenMetadata.

Exit code: 0 when the run had no error, 1 otherwise (a config error, an unreachable server, a
model that could not be read or written, ...). Warnings (tags that could not be read, ...) do not
change it. SIGINT (Ctrl-C) and SIGTERM stop the run at once (OpenMetadata requests in flight are
cut off), the file sink's temporary file is removed (the old file stays), nothing is soft-deleted,
and the exit code is 128 + the signal's number (130, 143).
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.ingest import checkedconfig, runplan
from omkit_sagemaker.ingest.checkedconfig import CheckedConfig
from omkit_sagemaker.ingest.kinds import registry, training_jobs
from omkit_sagemaker.ingest.kinds import run as asset_kinds
from omkit_sagemaker.ingest.mapping import model_request
from omkit_sagemaker.ingest.markdeleted import (
    MAX_DELETE_SHARE,
    DeletePolicy,
    MarkDeleted,
    Seen,
    Target,
    mark_deleted,
)
from omkit_sagemaker.ingest.openmetadata import OpenMetadataError
from omkit_sagemaker.ingest.redaction import REDACTOR
from omkit_sagemaker.ingest.runplan import Fatal as _Fatal
from omkit_sagemaker.ingest.sinks.dryrun import Plan
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus, Sink, SinkError
from omkit_sagemaker.ingest.sources.sagemaker import (
    FilteredModel,
    SageMakerSource,
    UnreadModel,
)
from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials
from omkit_sagemaker.spec.models.workflow import LogLevels, Workflow

log = logging.getLogger("omkit.run")

#: ``loggerLevel`` -> logging level (``WARN`` is the schema's spelling of WARNING).
LOG_LEVELS = {
    LogLevels.DEBUG: logging.DEBUG,
    LogLevels.INFO: logging.INFO,
    LogLevels.WARN: logging.WARNING,
    LogLevels.ERROR: logging.ERROR,
}
#: Attempts per AWS call in a run (botocore's "adaptive" retry mode: backoff and rate limiting).
AWS_MAX_ATTEMPTS = 5


class Progress:
    """What the run tells a progress display; the default does nothing."""

    def attach(self, status: RunStatus) -> None:
        """The run's counters, once they exist (for displays that show the errors too)."""

    def total(self, count: int) -> None:
        """The number of models listed, once the listing is complete."""

    def advance(self) -> None:
        """One more model done (written, failed or filtered out)."""


@dataclass
class RunOptions:
    """The command-line side of a run (never in the YAML: the compatibility rule)."""

    workers: int = 8
    tags: bool = True
    dry_run: bool = False
    #: Where ``$VAR`` references are expanded from (None: no expansion).
    environ: Mapping[str, str] | None = field(default_factory=lambda: os.environ)
    http_timeout: float = 10.0
    http_retries: int = 3
    http_backoff: float = 0.5
    aws_timeout: float = 10.0
    aws_attempts: int = AWS_MAX_ATTEMPTS
    #: botocore's retry mode (``adaptive``: client-side rate limiting; or ``standard``).
    aws_retry_mode: str = "adaptive"
    progress: Progress = field(default_factory=Progress)
    #: Codes turned off (``--disable``) and back on (``--enable``) for the config check.
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    #: ``--allow-mass-delete``: soft-delete whatever share of the service's models is stale.
    allow_mass_delete: bool = False
    #: Without it, the largest share of the service's models one run may soft-delete.
    max_delete_share: float = MAX_DELETE_SHARE
    #: The asset kinds read (``--assets``; see :mod:`omkit_sagemaker.assetkinds`).
    assets: frozenset[str] = field(default_factory=asset_kinds.every_kind)
    #: ``--lineage-service``: the database service holding the feature groups' Glue tables.
    lineage_service: str | None = None
    #: ``--lineage-storage-service``: the storage service holding the training data's buckets.
    lineage_storage_service: str | None = None
    #: Builds the SageMaker client from ``awsConfig`` and the worker count (tests pass a stub).
    sagemaker_client: Callable[[AwsCredentials, int], Any] | None = None
    #: The config's text when it is not read from the path (Python API, ``--region``); the
    #: path then names it in messages and its folder gives the settings.
    text: str | None = None
    #: Asked between models: a signal number stops the run as that signal would (many runs).
    stop: Callable[[], int | None] | None = None
    #: Whether the config's ``loggerLevel`` sets the ``omkit`` logger (off for runs side by side).
    set_log_level: bool = True
    #: The config, already read and checked (:mod:`omkit_sagemaker.ingest.checkedconfig`): the
    #: run takes it instead of reading the file again, when it is the check of its file.
    checked: CheckedConfig | None = None


@dataclass
class RunResult:
    """Everything a run did, for the summary."""

    file: str
    dry_run: bool = False
    status: RunStatus = field(default_factory=RunStatus)
    #: The error that stopped the run, if one did.
    fatal: str | None = None
    config_errors: list[Diagnostic] = field(default_factory=list)
    sink: str = ""
    filename: str | None = None
    service: str = ""
    region: str = ""
    server_version: str | None = None
    listing_complete: bool = False
    mark_deleted: MarkDeleted = field(default_factory=MarkDeleted)
    plan: Plan | None = None
    duration: float = 0.0
    #: The signal that stopped the run (SIGINT, SIGTERM), if one did.
    signal: int | None = None
    #: The asset kinds asked for -> None when read, the refused IAM action when skipped.
    kinds: dict[str, str | None] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        if self.signal is not None:
            return 128 + self.signal
        return 1 if self.fatal is not None or self.status.error_count else 0


class Interrupted(KeyboardInterrupt):
    """A signal asked the run to stop (raised in the main thread by the SIGTERM handler; Ctrl-C
    raises a plain KeyboardInterrupt)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _on_sigterm(signum: int, frame: object) -> None:
    raise Interrupted(signum)


# ---- the run ---------------------------------------------------------------------------------


def run(path: str | Path, options: RunOptions | None = None) -> RunResult:
    """Run the ingestion of the config file ``path``; never raises. SIGTERM is handled like
    SIGINT while it runs (on the main thread): see the module doc."""
    options = options or RunOptions()
    result = RunResult(file=str(path), dry_run=options.dry_run)
    started = time.monotonic()
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, _on_sigterm) if main else None
    try:
        _run(Path(path), options, result)
    except _Fatal as exc:
        result.fatal = REDACTOR.redact(str(exc))
    except KeyboardInterrupt as exc:  # SIGINT, or SIGTERM through _on_sigterm
        number = exc.signum if isinstance(exc, Interrupted) else signal.SIGINT
        result.signal = int(number)
        result.fatal = (
            f"stopped by {signal.Signals(number).name}: the models not yet written were "
            "dropped and nothing was soft-deleted"
        )
    except Exception as exc:  # a bug: one line, no traceback, no secret
        result.fatal = f"internal error ({type(exc).__name__}); please report it"
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        result.duration = time.monotonic() - started
    if result.fatal is not None:
        log.error("%s", result.fatal)
    return result


def load(
    path: Path,
    environ: Mapping[str, str] | None,
    *,
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
    text: str | None = None,
) -> tuple[Workflow, list[Diagnostic]]:
    """The typed config of ``path``, checked as ``omkit validate`` checks it (with the codes of
    ``disable`` off and of ``enable`` on). Raises :class:`_Fatal` with the errors (also
    returned, for the report) when it is not valid. ``text``: the config, not read from ``path``."""
    checked = checkedconfig.check(path, environ, disable=disable, enable=enable, text=text)
    return usable(checked), list(checked.diagnostics)


def usable(checked: CheckedConfig) -> Workflow:
    """The workflow of a checked config; raises :class:`_Fatal` (:class:`_ConfigInvalid` with
    the errors) when it has none."""
    errors = checked.errors
    if errors:
        raise _ConfigInvalid(errors)
    if checked.workflow is None:
        raise _Fatal(checked.problem or f"cannot read {checked.path}")
    return checked.workflow


class _ConfigInvalid(_Fatal):
    def __init__(self, errors: list[Diagnostic]) -> None:
        n = len(errors)
        super().__init__(f"the config has {n} error{'s' if n != 1 else ''}; nothing was run")
        self.errors = errors


def _run(path: Path, options: RunOptions, result: RunResult) -> None:
    checked = checkedconfig.for_run(path, options)  # the caller's check, when it made one
    try:
        workflow = usable(checked)
    except _ConfigInvalid as exc:
        result.config_errors = exc.errors
        raise
    REDACTOR.add(checked.secrets)
    if options.set_log_level:
        logging.getLogger("omkit").setLevel(LOG_LEVELS[workflow.workflowConfig.loggerLevel])

    plan = runplan.plan(path, workflow, options, result)
    moved = _move(plan, options, result)
    _tally(plan, moved.source)
    _soft_delete(plan, moved, options, result)


class _Moved(NamedTuple):
    """What moving the models leaves for the soft-delete step."""

    source: SageMakerSource
    assets: asset_kinds.RunAssets
    service_fqn: str


def _move(plan: runplan.RunPlan, options: RunOptions, result: RunResult) -> _Moved:
    """Start the sink, read the other asset kinds and move the models. When the run stops early
    the sink drops what it has not written, and on SIGINT/SIGTERM the requests in flight end."""
    built, status = plan.sink, plan.status
    sink, rest = built.sink, built.rest
    source = SageMakerSource(
        plan.aws_client,
        plan.model_filter,
        workers=options.workers,
        tags=options.tags,
        on_listed=options.progress.total,
    )

    def stop() -> str | None:
        return rest.broken if rest is not None and built.writes_rest else None

    try:
        try:
            service_fqn = sink.start(plan.service)
        except (SinkError, OpenMetadataError) as exc:
            server = built.writes_rest or isinstance(exc, OpenMetadataError)
            where = "OpenMetadata" if server else "sink"
            raise _Fatal(f"{where}: {exc}") from None
        if rest is not None:
            result.server_version = rest.server_version
        region = result.region = plan.sagemaker.awsConfig.awsRegion
        assets = asset_kinds.read_assets(
            plan.aws_client, region, plan.assets, status, options.workers, tags=options.tags
        )
        asset_kinds.attach(assets, rest, options, result.plan)
        source.training = assets.training
        _ingest(source, sink, status, service_fqn, region, options, stop, assets)
        asset_kinds.finish(assets)
        result.kinds = asset_kinds.read_kinds(plan.assets, assets)
    except BaseException as exc:
        if rest is not None and isinstance(exc, KeyboardInterrupt):
            rest.client.stop("the run was stopped")  # the requests in flight end now
        sink.abort()
        raise
    finally:
        if rest is not None and not built.writes_rest:
            rest.abort()  # the dry run used it for reading only
    result.listing_complete = source.listing_complete
    return _Moved(source, assets, service_fqn)


def _tally(plan: runplan.RunPlan, source: SageMakerSource) -> None:
    """Stop when OpenMetadata broke the run; count the listing's error and warnings."""
    rest = plan.sink.rest
    if rest is not None and plan.sink.writes_rest and rest.broken is not None:
        raise _Fatal(f"OpenMetadata: {rest.broken}; the run stopped and nothing was soft-deleted")
    if source.listing_error:
        plan.status.error("ListModels", source.listing_error)
    for message in source.warnings:
        plan.status.warn("models", message)
    if not source.listing_complete:  # else the source said it when the listing ended
        log.info("%d models listed in SageMaker (listing incomplete)", len(source.listed))


def _soft_delete(
    plan: runplan.RunPlan, moved: _Moved, options: RunOptions, result: RunResult
) -> None:
    """``markDeletedMlModels`` (:mod:`omkit_sagemaker.ingest.markdeleted`)."""
    dry = plan.sink.dry  # a dry run drops the server it could not read
    rest = plan.sink.rest if dry is None else dry.rest
    target = Target(moved.service_fqn, rest, file_sink=plan.sink.kind == "file", plan=result.plan)
    result.mark_deleted = mark_deleted(
        enabled=plan.mark_deleted,
        seen=Seen(moved.source, moved.assets.group_names, registry.registry_complete(moved.assets)),
        target=target,
        status=plan.status,
        options=DeletePolicy(
            options.dry_run, options.workers, options.allow_mass_delete, options.max_delete_share
        ),
    )
    if result.plan is not None:
        result.plan.soft_delete = list(result.mark_deleted.models)


def _ingest(
    source: SageMakerSource,
    sink: Sink,
    status: RunStatus,
    service_fqn: str,
    region: str,
    options: RunOptions,
    stop: Callable[[], str | None],
    assets: asset_kinds.RunAssets,
) -> None:
    tag_errors: set[str] = set()
    training_errors: set[str] = set()
    try:
        for item in source.items():
            if options.stop is not None and (signum := options.stop()) is not None:
                raise Interrupted(signum)
            if stop() is not None:  # the sink gave up: read no more of SageMaker
                break
            if isinstance(item, FilteredModel):
                log.debug("model %s left out by mlModelFilterPattern", item.name)
                status.model_filtered()
            elif isinstance(item, UnreadModel):
                status.model_failed(item.name, item.message)
            else:
                if item.tags_error is not None:
                    first = item.tags_error not in tag_errors
                    tag_errors.add(item.tags_error)
                    status.warn(
                        f"model {item.name}",
                        f"{item.tags_error}; ingested without tags (--no-tags skips ListTags)",
                        quiet=not first,
                    )
                training_jobs.model_warnings(item, status, training_errors)
                servings = assets.servings(item.name)
                request = model_request(
                    item, service_fqn, region, with_tags=options.tags, servings=servings
                )
                final = asset_kinds.finalize(assets, request, item.training_job)
                if final is not None:
                    sink.write(final)
        if stop() is None:
            asset_kinds.write_after_models(assets, source, sink, service_fqn)
        sink.finish()
    except SinkError as exc:
        raise _Fatal(str(exc)) from None
