"""The sinks ``omkit run`` knows, by ``sink.type``: each entry checks its ``sink.config`` and
builds its sink; ``--dry-run`` then wraps what was built (:class:`DryRunSink`).

A new sink is one entry in :data:`SINKS`: the ``sink.config`` keys it accepts and a builder
``(config, workflow, status, settings) -> BuiltSink`` that raises :class:`SinkSetupError` with a
line for the user when the config cannot be used. Builders only check and build: nothing is
read or written before :meth:`Sink.start`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omkit_sagemaker.base.safewrite import UnsafeTarget, check_target
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError, bearer_token
from omkit_sagemaker.ingest.redaction import REDACTOR
from omkit_sagemaker.ingest.sinks import file as file_sink
from omkit_sagemaker.ingest.sinks import metadata_rest
from omkit_sagemaker.ingest.sinks.dryrun import DryRunSink
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus, Sink
from omkit_sagemaker.spec.models.workflow import Workflow


class SinkSetupError(Exception):
    """The sink cannot be built from the config: the run stops with this message."""

    def __init__(self, message: str, *, filename: str | None = None) -> None:
        super().__init__(message)
        #: The file sink's target, when the config named one (the summary shows it).
        self.filename = filename


@dataclass(frozen=True)
class SinkSettings:
    """The command-line side of building a sink (never in the YAML)."""

    workers: int = 8
    http_timeout: float = 10.0
    http_retries: int = 3
    http_backoff: float = 0.5
    dry_run: bool = False
    #: The files the run reads (the file sink may overwrite none of them).
    reads: Callable[[], list[Path]] = list


@dataclass
class BuiltSink:
    """The sink a run writes to, and the OpenMetadata sink behind it, if any."""

    kind: str
    sink: Sink
    #: The ``metadata-rest`` sink: the one written to, or (dry run) the one only read from.
    rest: metadata_rest.MetadataRestSink | None = None
    filename: str | None = None

    @property
    def dry(self) -> DryRunSink | None:
        """The dry-run wrapper, in a dry run."""
        return self.sink if isinstance(self.sink, DryRunSink) else None

    @property
    def writes_rest(self) -> bool:
        """Whether the run writes to OpenMetadata (not a dry run, not the file sink)."""
        return self.rest is not None and self.rest is self.sink


Builder = Callable[[Mapping[str, Any], Workflow, RunStatus, SinkSettings], BuiltSink]


@dataclass(frozen=True)
class SinkEntry:
    """One sink type: the ``sink.config`` keys it knows and how it is built."""

    keys: frozenset[str]
    build: Builder


def _metadata_rest(
    config: Mapping[str, Any], workflow: Workflow, status: RunStatus, settings: SinkSettings
) -> BuiltSink:
    server = workflow.workflowConfig.openMetadataServerConfig
    try:
        client = OpenMetadataClient(
            server,
            timeout=settings.http_timeout,
            retries=settings.http_retries,
            backoff=settings.http_backoff,
        )
        REDACTOR.add([bearer_token(server)])
    except OpenMetadataError as exc:
        raise SinkSetupError(f"OpenMetadata: {exc}") from None
    override = config.get("override_metadata", workflow.source.sourceConfig.config.overrideMetadata)
    rest = metadata_rest.MetadataRestSink(
        client,
        status,
        workers=settings.workers,
        force_service=server.forceEntityOverwriting,
        override_metadata=bool(override),
        version_validation=server.enableVersionValidation,
    )
    return BuiltSink("metadata-rest", rest, rest=rest)


def _file(
    config: Mapping[str, Any], workflow: Workflow, status: RunStatus, settings: SinkSettings
) -> BuiltSink:
    filename = config.get("filename")
    if not isinstance(filename, str) or not filename:
        raise SinkSetupError(
            "sink.config.filename: the file sink needs the name of the file to write"
        )
    reads = settings.reads()
    if not settings.dry_run:  # before SageMaker is read: a bad target costs nothing
        try:
            check_target(filename, reads=reads)
        except UnsafeTarget as exc:
            raise SinkSetupError(f"sink.config.filename: {exc}", filename=filename) from None
    sink = file_sink.FileSink(filename, status, reads=reads)
    return BuiltSink("file", sink, filename=filename)


#: ``sink.type`` -> its entry; the one list of the sinks ``omkit run`` writes to.
SINKS: dict[str, SinkEntry] = {
    "metadata-rest": SinkEntry(metadata_rest.CONFIG_KEYS, _metadata_rest),
    "file": SinkEntry(file_sink.CONFIG_KEYS, _file),
}


def check_keys(config: Mapping[str, Any], allowed: frozenset[str], kind: str) -> None:
    """Raise :class:`SinkSetupError` on the first key of ``config`` the sink does not know."""
    unknown = sorted(set(config) - allowed)
    if unknown:
        names = ", ".join(sorted(allowed))
        raise SinkSetupError(
            f"sink.config.{unknown[0]}: the {kind} sink does not know this key (it knows {names})"
        )


def dry_run(built: BuiltSink, status: RunStatus, workflow: Workflow) -> BuiltSink:
    """The dry-run wrapper around ``built``: it reads OpenMetadata (when the sink is
    ``metadata-rest``) and writes nothing."""
    server = workflow.workflowConfig.openMetadataServerConfig
    dry = DryRunSink(status, built.rest, force_service=server.forceEntityOverwriting)
    return BuiltSink(built.kind, dry, rest=built.rest, filename=built.filename)


def build(workflow: Workflow, status: RunStatus, settings: SinkSettings) -> BuiltSink:
    """The sink of ``workflow`` (its ``sink.type`` in :data:`SINKS`), wrapped in a dry run when
    ``settings.dry_run``; raises :class:`SinkSetupError`."""
    step = workflow.sink
    entry = SINKS.get(step.type)
    if entry is None:
        raise SinkSetupError(
            f"sink.type is {step.type!r}: omkit run writes to {' or '.join(SINKS)} "
            "(the sinks of metadata ingest)"
        )
    config = step.config or {}
    check_keys(config, entry.keys, step.type)
    built = entry.build(config, workflow, status, settings)
    return dry_run(built, status, workflow) if settings.dry_run else built
