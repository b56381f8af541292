"""The ``lineage`` kind (opt-in: ``--assets ...,lineage``): where each model's training data
came from.

For each input channel of a model's training job (read by ``training-jobs``; without it this
kind has nothing to follow):

* the processing job that wrote the channel's S3 location, found through SageMaker's lineage
  graph (:class:`omkit_sagemaker.ingest.sources.lineagegraph.DataProducers`, bounded per distinct
  location): the model's description gets a "Training data" block naming it;
* with ``--lineage-storage-service NAME``, the location's container in OpenMetadata (as its S3
  connector names it, :mod:`omkit_sagemaker.ingest.kinds.lineage_edges`) and, once the models
  are written, one edge container -> model whose description names the training job, the
  channel and the processing job. A location OpenMetadata does not have is one warning; the
  model is still written. A dry run lists each edge it would add.

The rule of both ``--lineage-*`` options: each names the OpenMetadata service where one kind's
sources are (``--lineage-service``: the database service of the ``features`` kind's Glue tables;
``--lineage-storage-service``: the storage service of this kind's S3 buckets); a kind not read
adds no edges. The Model Registry's groups (``registry``) get the same edges from their chosen
version's training job; where the direct fields give no job, the graph names the job and the
datasets it read; and with ``endpoints``, a model's description lists the package versions its
endpoints deploy, from the graph (both: :mod:`omkit_sagemaker.ingest.kinds.lineage_versions`).

``test-connection --assets lineage``: ``ListArtifacts`` (one result).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest.details import table_code
from omkit_sagemaker.ingest.kinds.assetkind import AssetKind, Attach, RunAssets
from omkit_sagemaker.ingest.kinds.lineage_edges import Containers
from omkit_sagemaker.ingest.kinds.lineage_versions import (
    with_deployed_packages,
    with_version_origin,
)
from omkit_sagemaker.ingest.mapping import ModelRequest
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient
from omkit_sagemaker.ingest.sinks.edgewriter import Edges
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink
from omkit_sagemaker.ingest.sources.deployedpackages import DeployedPackages
from omkit_sagemaker.ingest.sources.lineagegraph import DataProducers, ProcessingJob
from omkit_sagemaker.ingest.sources.modelorigin import ModelOrigins
from omkit_sagemaker.ingest.sources.training import TrainingJob


@dataclass
class LineageRead:
    """What a run read of the lineage, and where its edges go."""

    producers: DataProducers
    #: Finds containers in OpenMetadata (``--lineage-storage-service``).
    containers: Containers | None = None
    #: Where the edges are added (None: no storage service, or a dry run).
    client: OpenMetadataClient | None = None
    #: A dry run's list of the edges it would add (None: not a dry run).
    would_add: list[str] | None = None
    edges: Edges = field(default_factory=Edges)
    #: The job and datasets of a registry version the direct fields did not link.
    origins: ModelOrigins | None = None
    #: The package versions each endpoint deploys (with the ``endpoints`` kind).
    deployed: DeployedPackages | None = None

    def warm(self, job: TrainingJob) -> None:
        """Look up the writers of ``job``'s training data now (the caller's thread); the model's
        request finds them in the cache."""
        for _, uri in job.channels:
            if uri:
                self.producers.for_uri(uri)


class Lineage(AssetKind):
    """Each model's training data: the jobs that wrote it, and lineage from its containers."""

    declared = assetkinds.LINEAGE
    probe_action = "sagemaker:ListArtifacts"

    def probe(self, client: Any) -> str:
        page = client.list_artifacts(MaxResults=1)
        more = "+" if page.get("NextToken") else ""
        seen = len(page.get("ArtifactSummaries") or [])
        return f"sagemaker:ListArtifacts allowed ({seen}{more} seen)"

    def read(self, assets: RunAssets) -> None:
        """Prepare the lookups: each model's training data is looked up as soon as its training
        job is found, in the thread that found it (the models source's workers)."""
        producers = DataProducers(assets.client)
        read = LineageRead(
            producers, origins=ModelOrigins(producers), deployed=DeployedPackages(producers)
        )
        assets.read[self.declared.name] = read
        if assets.training is not None:
            assets.training.on_job = read.warm
        if not any(kind.declared is assetkinds.TRAINING_JOBS for kind in assets.kinds):
            assets.status.warn(
                self.declared.name,
                "follows the training jobs' input channels: add training-jobs to --assets, or "
                "no model gets its training data",
            )

    def attach(self, assets: RunAssets, rest: MetadataRestSink, options: Attach) -> None:
        """With ``--lineage-storage-service``: where containers are looked up, edges go."""
        read = lineage_read(assets)
        if read is None or not options.storage_service:
            return
        read.containers = Containers(rest.client, options.storage_service, assets.status)
        if options.dry_run:
            read.would_add = options.would_add
        else:
            read.client = rest.client

    def enrich(
        self, assets: RunAssets, request: ModelRequest, job: TrainingJob | None
    ) -> ModelRequest:
        read = lineage_read(assets)
        if read is None:
            return request
        if request.kind == assetkinds.MODELS.name and read.deployed is not None:
            request = with_deployed_packages(request, read.deployed, assets.servings(request.name))
        if job is None:
            if request.kind != assetkinds.REGISTRY.name or read.origins is None:
                return request
            return with_version_origin(
                request, read.origins, read.producers, read.containers, read.edges
            )
        made: list[tuple[str, str, ProcessingJob]] = []
        for channel, uri in job.channels:
            if not uri:
                continue
            producer = read.producers.for_uri(uri)
            if producer is not None:
                made.append((channel, uri, producer))
            if read.containers is not None:
                container = read.containers(uri)
                if container is not None:
                    read.edges.want(container, request.fqn, edge_note(job, channel, producer))
        if not made:
            return request
        body = dict(request.request)
        block = training_data_block(made)
        body["description"] = (
            f"{body['description'].rstrip()}\n\n{block}" if body.get("description") else block
        )
        return replace(request, request=body)

    def finish(self, assets: RunAssets) -> None:
        """The warnings of the graph, then the edges (or a dry run's list of them)."""
        read = lineage_read(assets)
        if read is None:
            return
        if read.producers.denied is not None:
            assets.denied(read.producers.denied)
        for subject, message in read.producers.problems:
            assets.status.warn(subject, message)
        if read.client is not None:
            read.edges.add(read.client, assets.status)
        elif read.would_add is not None:
            read.would_add.extend(read.edges.shown())


def edge_note(job: TrainingJob, channel: str, producer: ProcessingJob | None) -> str:
    """The description of an edge: the job and channel that read the location, and the
    processing job that wrote it."""
    note = f"Training data: channel `{channel}` of SageMaker training job `{job.name}`"
    if producer is not None:
        note += f", written by SageMaker processing job `{producer.name}`"
    return note + "."


def training_data_block(made: list[tuple[str, str, ProcessingJob]]) -> str:
    """The description's Markdown block of the processing jobs that wrote the training data."""
    lines = ["**Training data** (written by SageMaker processing jobs)", ""]
    for channel, uri, producer in made:
        status = f" ({producer.status})" if producer.status else ""
        lines.append(
            f"- {table_code(channel)}: {table_code(uri)}, written by processing job "
            f"{table_code(producer.name)}{status}"
        )
        if producer.inputs:
            lines.append(f"  - which read {', '.join(table_code(i) for i in producer.inputs)}")
    return "\n".join(lines) + "\n"


def lineage_read(assets: RunAssets) -> LineageRead | None:
    """What the run read of the lineage (None: not asked for)."""
    read = assets.read.get(assetkinds.LINEAGE.name)
    return read if isinstance(read, LineageRead) else None


KIND = Lineage()
