"""What an ``omkit run`` will do, worked out from the typed config before SageMaker is read.

:func:`plan` builds a :class:`RunPlan` by named steps: the source check and the model filter,
the counters, the sink (:mod:`omkit_sagemaker.ingest.sinks.table`), the SageMaker connection and
client, and the service request. Every step that cannot go on raises :class:`Fatal` with one
line for the user; :mod:`omkit_sagemaker.ingest.ingestrun` then moves the models.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.ingest.mapping import ServiceRequest
from omkit_sagemaker.ingest.openmetadata import OpenMetadataError
from omkit_sagemaker.ingest.redaction import REDACTOR, secret_values
from omkit_sagemaker.ingest.sinks import table
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink, service_path
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.ingest.sources.sagemaker import FilterError, ModelFilter, aws_error
from omkit_sagemaker.spec.modelbase import ModelError
from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials
from omkit_sagemaker.spec.models.sage_maker_connection import SageMakerConnection
from omkit_sagemaker.spec.models.workflow import Source, Workflow

if TYPE_CHECKING:
    from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult

log = logging.getLogger("omkit.run")


class Fatal(Exception):
    """Stops the run with a message for the user."""


@dataclass
class RunPlan:
    """What the run will do: the filter, the sink, the AWS client, the service, the kinds."""

    #: The run's counters (the sink, the loop and the soft-delete step all count here).
    status: RunStatus
    model_filter: ModelFilter
    sink: table.BuiltSink
    #: The SageMaker connection: the config's, or the one stored with the service.
    sagemaker: SageMakerConnection
    aws_client: Any
    service: ServiceRequest
    #: The asset kinds read (``--assets``).
    assets: frozenset[str]
    mark_deleted: bool


def plan(path: Path, workflow: Workflow, options: RunOptions, result: RunResult) -> RunPlan:
    """The plan of the run of ``workflow`` (read from ``path``); what is known goes to
    ``result`` as soon as it is, for the summary of a run that stops early."""
    source = workflow.source
    if source.type.lower() != "sagemaker":
        raise Fatal(f"source.type is {source.type!r}: omkit run ingests sagemaker only")
    result.service = source.serviceName
    if source.serviceConnection is not None:
        result.region = source.serviceConnection.config.awsConfig.awsRegion
    model_filter = source_filter(source)
    status = RunStatus(on_model=options.progress.advance)
    options.progress.attach(status)
    result.status = status
    result.sink = workflow.sink.type
    built = build_sink(path, workflow, options, status, result)
    sagemaker = sagemaker_connection(source, built.rest)
    server = workflow.workflowConfig.openMetadataServerConfig
    return RunPlan(
        status=status,
        model_filter=model_filter,
        sink=built,
        sagemaker=sagemaker,
        aws_client=aws_client(sagemaker, options),
        service=ServiceRequest(
            source.serviceName,
            source.serviceConnection,
            store_connection=server.storeServiceConnection,
        ),
        assets=options.assets,
        mark_deleted=source.sourceConfig.config.markDeletedMlModels,
    )


def source_filter(source: Source) -> ModelFilter:
    """The source's ``mlModelFilterPattern``, compiled."""
    pattern = source.sourceConfig.config.mlModelFilterPattern
    try:
        model_filter = ModelFilter.compile(
            pattern.includes if pattern else (), pattern.excludes if pattern else ()
        )
    except FilterError as exc:
        raise Fatal(str(exc)) from None
    connection = source.serviceConnection
    if connection is not None and connection.config.mlModelFilterPattern and pattern is None:
        log.warning(
            "serviceConnection.config.mlModelFilterPattern is not used by metadata ingest, nor "
            "by omkit run: put the pattern in sourceConfig.config.mlModelFilterPattern"
        )
    return model_filter


def build_sink(
    path: Path, workflow: Workflow, options: RunOptions, status: RunStatus, result: RunResult
) -> table.BuiltSink:
    """The run's sink from the table of sinks (:mod:`omkit_sagemaker.ingest.sinks.table`)."""
    settings = table.SinkSettings(
        workers=options.workers,
        http_timeout=options.http_timeout,
        http_retries=options.http_retries,
        http_backoff=options.http_backoff,
        dry_run=options.dry_run,
        reads=lambda: files_read(path, workflow, options.environ),
    )
    try:
        built = table.build(workflow, status, settings)
    except table.SinkSetupError as exc:
        result.filename = exc.filename
        raise Fatal(str(exc)) from None
    result.filename = built.filename
    if built.dry is not None:
        result.plan = built.dry.plan
    return built


def sagemaker_connection(source: Source, rest: MetadataRestSink | None) -> SageMakerConnection:
    """The config's SageMaker connection, or the one stored with the service in OpenMetadata
    (no serviceConnection in the config: upstream then reads it from the server too)."""
    if source.serviceConnection is not None:
        return source.serviceConnection.config
    name = source.serviceName
    if rest is None:
        raise Fatal(
            "source.serviceConnection is missing: the file sink contacts no server, so the "
            "config must hold the connection"
        )
    try:
        stored = rest.client.get(service_path(name))
    except OpenMetadataError as exc:
        raise Fatal(f"OpenMetadata: {exc}") from None
    if stored is None:
        raise Fatal(
            f"source.serviceConnection is missing and the service {name} does not exist in "
            "OpenMetadata: add the connection to the config"
        )
    config = stored.get("connection", {}).get("config") if isinstance(stored, dict) else None
    try:
        stored_connection = SageMakerConnection.from_dict(config, "connection.config")
    except ModelError as exc:
        raise Fatal(
            f"the service {name} in OpenMetadata has no usable SageMaker connection ({exc}); "
            "add source.serviceConnection to the config"
        ) from None
    REDACTOR.add(secret_values(stored_connection))
    return stored_connection


def aws_client(sagemaker: SageMakerConnection, options: RunOptions) -> Any:
    """The SageMaker client of the run, from ``awsConfig`` (``options.sagemaker_client`` when a
    test gives one, else :func:`omkit_sagemaker.ingest.awsclient.client_builder`)."""
    factory: Callable[[AwsCredentials, int], Any]
    if options.sagemaker_client is not None:
        factory = options.sagemaker_client
    else:
        from omkit_sagemaker.ingest import awsclient

        factory = awsclient.client_builder(
            timeout=options.aws_timeout,
            max_attempts=options.aws_attempts,
            retry_mode=options.aws_retry_mode,
        )
    try:
        return factory(sagemaker.awsConfig, options.workers)
    except Exception as exc:
        raise Fatal(f"AWS: {aws_error(exc)}") from None


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
