"""``omkit run``: config -> typed model -> SageMaker source -> sink -> mark deleted -> summary.

The library behind the command; it never prints (log lines go to the ``omkit`` logger, at the
config's ``loggerLevel``), and returns a :class:`RunResult` that
:mod:`omkit_sagemaker.ingest.runreport` shows.

1. The file is checked as ``omkit validate`` checks it (any error stops the run) and loaded into
   the typed :class:`~omkit_sagemaker.spec.models.workflow.Workflow`; every value used below comes
   from it.
2. The OpenMetadata client (``metadata-rest``) and the SageMaker client are built; the sink
   makes sure the service exists.
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
from typing import Any

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.base.safewrite import UnsafeTarget, check_target
from omkit_sagemaker.ingest import checkedconfig
from omkit_sagemaker.ingest.checkedconfig import CheckedConfig
from omkit_sagemaker.ingest.kinds import registry, training_jobs
from omkit_sagemaker.ingest.kinds import run as asset_kinds
from omkit_sagemaker.ingest.mapping import ServiceRequest, model_request
from omkit_sagemaker.ingest.markdeleted import (
    MAX_DELETE_SHARE,
    DeletePolicy,
    MarkDeleted,
    mark_deleted,
)
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError, bearer_token
from omkit_sagemaker.ingest.redaction import REDACTOR, secret_values
from omkit_sagemaker.ingest.sinks import file as file_sink
from omkit_sagemaker.ingest.sinks import metadata_rest
from omkit_sagemaker.ingest.sinks.dryrun import DryRunSink, Plan
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink, service_path
from omkit_sagemaker.ingest.sinks.sinkbase import Sink, SinkError, Status
from omkit_sagemaker.ingest.sources.sagemaker import (
    FilteredModel,
    FilterError,
    ModelFailure,
    ModelFilter,
    SageMakerSource,
    aws_error,
)
from omkit_sagemaker.spec.modelbase import ModelError
from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials
from omkit_sagemaker.spec.models.sage_maker_connection import SageMakerConnection
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

    def attach(self, status: Status) -> None:
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
    status: Status = field(default_factory=Status)
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
    assets: dict[str, str | None] = field(default_factory=dict)

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


class _Fatal(Exception):
    """Stops the run with a message for the user."""


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

    source_config = workflow.source
    if source_config.type.lower() != "sagemaker":
        raise _Fatal(f"source.type is {source_config.type!r}: omkit run ingests sagemaker only")
    result.service = source_config.serviceName
    if source_config.serviceConnection is not None:
        result.region = source_config.serviceConnection.config.awsConfig.awsRegion
    pipeline = source_config.sourceConfig.config
    pattern = pipeline.mlModelFilterPattern
    try:
        model_filter = ModelFilter.compile(
            pattern.includes if pattern else (), pattern.excludes if pattern else ()
        )
    except FilterError as exc:
        raise _Fatal(str(exc)) from None
    connection = source_config.serviceConnection
    if connection is not None and connection.config.mlModelFilterPattern and pattern is None:
        log.warning(
            "serviceConnection.config.mlModelFilterPattern is not used by metadata ingest, nor "
            "by omkit run: put the pattern in sourceConfig.config.mlModelFilterPattern"
        )

    # ---- the sink -----------------------------------------------------------------------------
    sink_step = workflow.sink
    sink_config = sink_step.config or {}
    result.sink = sink_step.type
    server = workflow.workflowConfig.openMetadataServerConfig
    rest: MetadataRestSink | None = None
    reads: list[Path] = []
    status = Status(on_model=options.progress.advance)
    options.progress.attach(status)
    result.status = status
    if sink_step.type == "metadata-rest":
        _check_keys(sink_config, metadata_rest.CONFIG_KEYS, "metadata-rest")
        try:
            client = OpenMetadataClient(
                server,
                timeout=options.http_timeout,
                retries=options.http_retries,
                backoff=options.http_backoff,
            )
            REDACTOR.add([bearer_token(server)])
        except OpenMetadataError as exc:
            raise _Fatal(f"OpenMetadata: {exc}") from None
        override = sink_config.get("override_metadata", pipeline.overrideMetadata)
        rest = MetadataRestSink(
            client,
            status,
            workers=options.workers,
            force_service=server.forceEntityOverwriting,
            override_metadata=bool(override),
            version_validation=server.enableVersionValidation,
        )
    elif sink_step.type == "file":
        _check_keys(sink_config, file_sink.CONFIG_KEYS, "file")
        filename = sink_config.get("filename")
        if not isinstance(filename, str) or not filename:
            raise _Fatal("sink.config.filename: the file sink needs the name of the file to write")
        result.filename = filename
        reads = files_read(path, workflow, options.environ)
        if not options.dry_run:  # before SageMaker is read: a bad target costs nothing
            try:
                check_target(filename, reads=reads)
            except UnsafeTarget as exc:
                raise _Fatal(f"sink.config.filename: {exc}") from None
    else:
        raise _Fatal(
            f"sink.type is {sink_step.type!r}: omkit run writes to metadata-rest or file "
            "(the sinks of metadata ingest)"
        )

    # ---- the AWS connection ----------------------------------------------------------------
    if connection is not None:
        sagemaker = connection.config
    else:
        sagemaker = _stored_connection(rest, source_config.serviceName)
    client_factory = options.sagemaker_client or _sagemaker_client(options)
    try:
        aws_client = client_factory(sagemaker.awsConfig, options.workers)
    except Exception as exc:
        raise _Fatal(f"AWS: {aws_error(exc)}") from None

    sink: Sink
    if options.dry_run:
        dry = DryRunSink(status, rest, force_service=server.forceEntityOverwriting)
        result.plan = dry.plan
        sink = dry
    elif rest is not None:
        sink = rest
    else:
        sink = file_sink.FileSink(str(result.filename), status, reads=reads)
    service = ServiceRequest(
        source_config.serviceName, connection, store_connection=server.storeServiceConnection
    )
    source = SageMakerSource(
        aws_client,
        model_filter,
        workers=options.workers,
        tags=options.tags,
        on_listed=options.progress.total,
    )
    try:
        try:
            service_fqn = sink.start(service)
        except (SinkError, OpenMetadataError) as exc:
            where = "OpenMetadata" if sink is rest or isinstance(exc, OpenMetadataError) else "sink"
            raise _Fatal(f"{where}: {exc}") from None
        if rest is not None:
            result.server_version = rest.server_version
        stop = (lambda: rest.broken) if rest is not None and rest is sink else (lambda: None)
        region = result.region = sagemaker.awsConfig.awsRegion
        assets = asset_kinds.read_assets(
            aws_client, region, options.assets, status, options.workers, tags=options.tags
        )
        asset_kinds.attach(assets, rest, options.lineage_service, dry_run=options.dry_run)
        source.training = assets.training
        _ingest(source, sink, status, service_fqn, region, options, stop, assets)
        asset_kinds.finish(assets)
        result.assets = asset_kinds.read_kinds(options.assets, assets)
    except BaseException as exc:
        if rest is not None and isinstance(exc, KeyboardInterrupt):
            rest.client.stop("the run was stopped")  # the requests in flight end now
        sink.abort()
        raise
    finally:
        if rest is not None and rest is not sink:
            rest.abort()  # the dry run used it for reading only
    result.listing_complete = source.listing_complete
    if rest is not None and rest is sink and rest.broken is not None:
        raise _Fatal(f"OpenMetadata: {rest.broken}; the run stopped and nothing was soft-deleted")
    if source.listing_error:
        status.error("ListModels", source.listing_error)
    for message in source.warnings:
        status.warn("models", message)
    if not source.listing_complete:  # else the source said it when the listing ended
        log.info("%d models listed in SageMaker (listing incomplete)", len(source.listed))

    # ---- mark deleted --------------------------------------------------------------------------
    reader = rest if not isinstance(sink, DryRunSink) else sink.rest
    result.mark_deleted = mark_deleted(
        enabled=pipeline.markDeletedMlModels,
        rest=reader,
        source=source,
        status=status,
        service_fqn=service_fqn,
        options=DeletePolicy(
            options.dry_run, options.workers, options.allow_mass_delete, options.max_delete_share
        ),
        file_sink=sink_step.type == "file",
        plan=result.plan,
        groups=assets.group_names,
        registry_read=registry.registry_complete(assets),
    )
    if result.plan is not None:
        result.plan.soft_delete = list(result.mark_deleted.models)


def _ingest(
    source: SageMakerSource,
    sink: Sink,
    status: Status,
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
            elif isinstance(item, ModelFailure):
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


# ---- helpers -----------------------------------------------------------------------------------


def _check_keys(config: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    unknown = sorted(set(config) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed))
        raise _Fatal(
            f"sink.config.{unknown[0]}: the {kind} sink does not know this key (it knows {names})"
        )


def _stored_connection(rest: MetadataRestSink | None, name: str) -> SageMakerConnection:
    """The connection stored with the service in OpenMetadata (no serviceConnection in the
    config: upstream then reads it from the server too)."""
    if rest is None:
        raise _Fatal(
            "source.serviceConnection is missing: the file sink contacts no server, so the "
            "config must hold the connection"
        )
    try:
        stored = rest.client.get(service_path(name))
    except OpenMetadataError as exc:
        raise _Fatal(f"OpenMetadata: {exc}") from None
    if stored is None:
        raise _Fatal(
            f"source.serviceConnection is missing and the service {name} does not exist in "
            "OpenMetadata: add the connection to the config"
        )
    config = stored.get("connection", {}).get("config") if isinstance(stored, dict) else None
    try:
        stored_connection = SageMakerConnection.from_dict(config, "connection.config")
    except ModelError as exc:
        raise _Fatal(
            f"the service {name} in OpenMetadata has no usable SageMaker connection ({exc}); "
            "add source.serviceConnection to the config"
        ) from None
    REDACTOR.add(secret_values(stored_connection))
    return stored_connection


def files_read(path: Path, workflow: Workflow, environ: Mapping[str, str] | None) -> list[Path]:
    """The files a run reads (the file sink may overwrite none of them): the config, the AWS
    shared files, a JWT given as a file path and the TLS files of ``sslConfig``."""
    env = os.environ if environ is None else environ
    found = [path]
    home = Path(env.get("HOME") or os.path.expanduser("~"))
    found.append(Path(env.get("AWS_CONFIG_FILE") or home / ".aws" / "config"))
    found.append(Path(env.get("AWS_SHARED_CREDENTIALS_FILE") or home / ".aws" / "credentials"))
    server = workflow.workflowConfig.openMetadataServerConfig
    security = server.securityConfig
    token = getattr(security, "jwtToken", None)
    if token is not None:
        found.append(Path(token.get_secret_value()))
    ssl_config = server.sslConfig
    if ssl_config is not None:
        for secret in (ssl_config.caCertificate, ssl_config.sslCertificate, ssl_config.sslKey):
            if secret is not None:
                found.append(Path(secret.get_secret_value()))
        if ssl_config.certificatePath:
            found.append(Path(ssl_config.certificatePath))
    return found


def _sagemaker_client(options: RunOptions) -> Callable[[AwsCredentials, int], Any]:
    """The SageMaker client of a run (:func:`omkit_sagemaker.ingest.awsclient.client_builder`)."""
    from omkit_sagemaker.ingest import awsclient

    return awsclient.client_builder(
        timeout=options.aws_timeout,
        max_attempts=options.aws_attempts,
        retry_mode=options.aws_retry_mode,
    )
