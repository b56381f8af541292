"""The SageMaker asset kinds a run reads (``omkit run --assets``), and their warnings.

* ``models``: ``Search`` (100 models with their tags per call) where allowed, else
  ``ListModels``, ``DescribeModel``, ``ListTags`` (always read: the other kinds only add to the
  models, which are what OpenMetadata stores);
* ``training-jobs``: each model's training job
  (:mod:`omkit_sagemaker.ingest.sources.training`);
* ``endpoints``: the endpoints serving each model (:mod:`omkit_sagemaker.ingest.sources.endpoints`);
* ``registry``: one MlModel per model package group (:mod:`omkit_sagemaker.ingest.sources.registry`,
  :mod:`omkit_sagemaker.ingest.groups`), written after the models;
* ``features``: each model's ``mlFeatures`` from the feature group its training job read
  (:mod:`omkit_sagemaker.ingest.sources.features`, :mod:`omkit_sagemaker.ingest.featuremap`);
  with ``--lineage-service``, lineage from the groups' Glue tables
  (:mod:`omkit_sagemaker.ingest.lineage`).

Every request goes through :func:`finalize` before the sink: features, then the target server's
rules (:mod:`omkit_sagemaker.ingest.conform`).

The choice is made on the command line, never in the YAML (the config must stay one
``metadata ingest`` reads). When the identity may not make a call of a kind (``AccessDenied``),
the kind is skipped with one warning naming the IAM action, and the run goes on.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest import groups as group_mapping
from omkit_sagemaker.ingest import lineage as lineage_edges
from omkit_sagemaker.ingest.conform import conform
from omkit_sagemaker.ingest.featuremap import TableLookup, ml_features
from omkit_sagemaker.ingest.mapping import ModelRequest, tag_requests
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient
from omkit_sagemaker.ingest.sinks.base import Sink, Status
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink, parse_version
from omkit_sagemaker.ingest.sources import endpoints as endpoint_source
from omkit_sagemaker.ingest.sources import features as feature_source
from omkit_sagemaker.ingest.sources import registry as registry_source
from omkit_sagemaker.ingest.sources import training as training_source
from omkit_sagemaker.ingest.sources.answers import AssetDenied
from omkit_sagemaker.ingest.sources.endpoints import EndpointIndex, Serving
from omkit_sagemaker.ingest.sources.features import FeatureIndex
from omkit_sagemaker.ingest.sources.registry import RegistryIndex
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel, SageMakerSource, aws_error
from omkit_sagemaker.ingest.sources.training import TrainingJob, TrainingJobs

MODELS = assetkinds.MODELS.name


def every_kind() -> frozenset[str]:
    """The name of every declared kind (``--assets`` by default)."""
    return frozenset(assetkinds.names())


@dataclass
class Estate:
    """What a run reads besides the models."""

    training: TrainingJobs | None = None
    endpoints: EndpointIndex | None = None
    registry: RegistryIndex | None = None
    #: The MlModel names the registry's groups were written under.
    group_names: set[str] = field(default_factory=set)
    features: FeatureIndex | None = None
    #: ``(major, minor)`` of the OpenMetadata server written to (None: not known).
    server: tuple[int, int] | None = None
    #: Finds feature tables in OpenMetadata (``--lineage-service``), and where edges go.
    tables: TableLookup | None = None
    client: OpenMetadataClient | None = None
    edges: lineage_edges.Edges = field(default_factory=lineage_edges.Edges)
    #: Kinds skipped for a missing permission -> the IAM action that was refused.
    skipped: dict[str, str] = field(default_factory=dict)

    def servings(self, model: str) -> tuple[Serving, ...]:
        return self.endpoints.servings(model) if self.endpoints is not None else ()


def read_estate(
    client: Any,
    region: str,
    assets: frozenset[str],
    status: Status,
    workers: int = 8,
    *,
    tags: bool = True,
) -> Estate:
    """Prepare the training-job lookups and read the endpoints, the registry and the feature
    groups (before the models; endpoints and feature groups ``workers`` calls at a time)."""
    estate = Estate()
    if training_source.ASSET in assets:
        estate.training = TrainingJobs(client)
    if endpoint_source.ASSET in assets:
        index = EndpointIndex(client, region, workers=workers, tags=tags)
        try:
            estate.endpoints = index.read()
        except AssetDenied as exc:
            estate.skipped[exc.asset] = exc.action
            warn_denied(status, exc)
        except Exception as exc:
            status.warn(
                "endpoints",
                f"ListEndpoints failed: {aws_error(exc)}; the models are ingested without "
                "their endpoints",
            )
        for subject, message in index.problems:
            status.warn(f"endpoint {subject}", message)
    if registry_source.ASSET in assets:
        estate.registry = _read_registry(client, estate, status)
    if feature_source.ASSET in assets:
        features = FeatureIndex(client, workers=workers)
        try:
            estate.features = features.read()
        except AssetDenied as exc:
            estate.skipped[exc.asset] = exc.action
            warn_denied(status, exc)
        for subject, message in features.problems:
            status.warn(f"feature group {subject}", message)
    return estate


def attach(
    estate: Estate,
    rest: MetadataRestSink | None,
    lineage_service: str | None,
    status: Status,
    *,
    dry_run: bool = False,
) -> None:
    """What the run knows of its OpenMetadata server once the sink started: its version (for
    :func:`finalize`) and, with ``--lineage-service``, where feature tables are looked up."""
    if rest is None:
        return
    try:
        estate.server = parse_version(rest.server_version or "")
    except ValueError:
        estate.server = None
    if lineage_service and estate.features is not None:
        estate.tables = lineage_edges.Tables(rest.client, lineage_service, status)
        estate.client = None if dry_run else rest.client


def finalize(
    estate: Estate, request: ModelRequest, job: TrainingJob | None, status: Status
) -> ModelRequest | None:
    """``request`` with the tags of the endpoints serving it and the features of its training
    job, fitted to the server; None (with an error for that entity) when it cannot be sent."""
    if request.kind == MODELS:
        request = with_endpoint_tags(request, estate.servings(request.name))
    body = request.request
    if estate.features is not None and job is not None:
        groups = estate.features.for_channels(uri for _, uri in job.channels)
        if groups:
            body["mlFeatures"] = ml_features(groups, estate.tables)
            if estate.client is not None:
                estate.edges.want(request.fqn, body["mlFeatures"])
    problem = conform(body, estate.server)
    if problem is not None:
        status.model_failed(request.name, problem)
        return None
    return request


def with_endpoint_tags(request: ModelRequest, servings: tuple[Serving, ...]) -> ModelRequest:
    """``request`` with the tags of the endpoints serving it added after its own (by the same
    rules, :func:`mapping.tag_requests`; a tag it has already is not repeated)."""
    extra = [tag for serving in servings for tag in serving.tags]
    if not extra:
        return request
    known = {tag.fqn for tag in request.tags}
    added = tuple(t for t in tag_requests(extra) if t.fqn not in known)
    if not added:
        return request
    body = dict(request.request)
    body["tags"] = [*body.get("tags", []), *(t.label() for t in added)]
    return replace(request, tags=(*request.tags, *added), request=body)


def _read_registry(client: Any, estate: Estate, status: Status) -> RegistryIndex | None:
    registry = RegistryIndex(client)
    try:
        registry.read()
    except AssetDenied as exc:
        estate.skipped[exc.asset] = exc.action
        warn_denied(status, exc)
        return None
    for subject, message in registry.problems:
        status.warn(
            f"registry {subject}",
            f"{message}; the groups read so far are ingested, none is soft-deleted",
        )
    return registry


def write_groups(
    estate: Estate,
    source: SageMakerSource,
    sink: Sink,
    status: Status,
    service_fqn: str,
    region: str,
) -> None:
    """After the models: one MlModel per model package group (see
    :mod:`omkit_sagemaker.ingest.groups`)."""
    if estate.registry is None:
        return
    # every group counts as seen, those mlModelFilterPattern leaves out too (as for models)
    estate.group_names = {
        group_mapping.entity_name(name, source.listed) for name in estate.registry.groups
    }
    requests = group_mapping.group_requests(
        estate.registry.groups.values(),
        model_names=source.listed,
        keep=source.model_filter.keep,
        service_fqn=service_fqn,
        region=region,
        with_tags=source.tags,
        training=estate.training,
        warn=status.warn,
        workers=source.workers,
    )
    for request, job in requests:
        final = finalize(estate, request, job, status)
        if final is not None:
            sink.write(final)


def registry_complete(estate: Estate) -> bool:
    """Whether every group was read (else no registry entity may be soft-deleted)."""
    return estate.registry is not None and estate.registry.complete


def warn_denied(status: Status, exc: AssetDenied) -> None:
    """The one warning of a kind skipped for a missing permission."""
    status.warn(
        exc.asset,
        f"skipped: {exc.action} is not allowed ({exc.message}); allow it (see omkit policy "
        f"sagemaker) or leave {exc.asset} out of --assets",
    )


def model_warnings(model: SageMakerModel, status: Status, seen: set[str]) -> None:
    """The warning of a model whose training job could not be looked up (one logged per
    distinct message, all counted)."""
    if model.training_error is not None:
        first = model.training_error not in seen
        seen.add(model.training_error)
        status.warn(
            f"model {model.name}",
            f"{model.training_error}; ingested without its training job",
            quiet=not first,
        )


def finish(estate: Estate, status: Status) -> None:
    """After the models: the warning of a training-job lookup that was denied (or only its
    ``Search``, or whose batch was refused), and the lineage edges (``--lineage-service``)."""
    if estate.training is not None and estate.training.denied is not None:
        estate.skipped[training_source.ASSET] = estate.training.denied.action
        warn_denied(status, estate.training.denied)
    for subject, message in estate.training.problems if estate.training is not None else ():
        status.warn(subject, message)
    if estate.client is not None and estate.edges.pending:
        estate.edges.add(estate.client, status)


def read_kinds(assets: frozenset[str], estate: Estate) -> dict[str, str | None]:
    """Each kind asked for -> None when it was read, the refused IAM action when skipped."""
    return {kind: estate.skipped.get(kind) for kind in assetkinds.names() if kind in assets}
