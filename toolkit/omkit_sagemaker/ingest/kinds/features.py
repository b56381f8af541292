"""The ``features`` kind: each model's ``mlFeatures`` from the feature group its training job
read (:class:`omkit_sagemaker.ingest.sources.featureindex.FeatureIndex`, read before the models,
``workers`` calls at a time; the features in :mod:`omkit_sagemaker.ingest.kinds.features_map`).
With ``--lineage-service``, lineage from the groups' Glue tables
(:mod:`omkit_sagemaker.ingest.kinds.features_lineage`): the tables are looked up once the sink
started, the edges added after every model was written.

``test-connection --assets features``: ``Search`` on ``FeatureGroup`` (one result).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest.kinds import features_lineage as lineage_edges
from omkit_sagemaker.ingest.kinds.assetkind import AssetKind, Attach, RunAssets, search_probe
from omkit_sagemaker.ingest.kinds.features_map import TableLookup, ml_features
from omkit_sagemaker.ingest.mapping import ModelRequest
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient
from omkit_sagemaker.ingest.sinks.edgewriter import Edges
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink
from omkit_sagemaker.ingest.sources.answers import AssetDenied
from omkit_sagemaker.ingest.sources.featureindex import FeatureIndex
from omkit_sagemaker.ingest.sources.training import TrainingJob


@dataclass
class FeaturesRead:
    """What a run read of the feature groups, and where their lineage goes."""

    index: FeatureIndex
    #: Finds feature tables in OpenMetadata (``--lineage-service``).
    tables: TableLookup | None = None
    #: Where the edges are added (None: no lineage, or a dry run).
    client: OpenMetadataClient | None = None
    #: A dry run's list of the edges it would add (None: not a dry run).
    would_add: list[str] | None = None
    edges: Edges = field(default_factory=Edges)


class Features(AssetKind):
    """Each model's features, and their lineage."""

    declared = assetkinds.FEATURES
    probe_action = "sagemaker:Search"

    def probe(self, client: Any) -> str:
        return search_probe(client, "FeatureGroup")

    def read(self, assets: RunAssets) -> None:
        features = FeatureIndex(assets.client, workers=assets.workers)
        try:
            assets.read[self.declared.name] = FeaturesRead(features.read())
        except AssetDenied as exc:
            assets.denied(exc)
        for subject, message in features.problems:
            assets.status.warn(f"feature group {subject}", message)

    def attach(self, assets: RunAssets, rest: MetadataRestSink, options: Attach) -> None:
        """With ``--lineage-service``: where feature tables are looked up, and edges go."""
        read = features_read(assets)
        if options.lineage_service and read is not None:
            read.tables = lineage_edges.Tables(rest.client, options.lineage_service, assets.status)
            read.client = None if options.dry_run else rest.client
            read.would_add = options.would_add if options.dry_run else None

    def enrich(
        self, assets: RunAssets, request: ModelRequest, job: TrainingJob | None
    ) -> ModelRequest:
        read = features_read(assets)
        if read is None or job is None:
            return request
        groups = read.index.for_channels(uri for _, uri in job.channels)
        if groups:
            body = request.request
            body["mlFeatures"] = ml_features(groups, read.tables)
            if read.client is not None or read.would_add is not None:
                lineage_edges.want_edges(read.edges, request.fqn, body["mlFeatures"])
        return request

    def finish(self, assets: RunAssets) -> None:
        """The lineage edges (``--lineage-service``), or a dry run's list of them."""
        read = features_read(assets)
        if read is None or not read.edges.pending:
            return
        if read.client is not None:
            read.edges.add(read.client, assets.status)
        elif read.would_add is not None:
            read.would_add.extend(read.edges.shown())


def features_read(assets: RunAssets) -> FeaturesRead | None:
    """What the run read of the feature groups (None: not asked for, or denied)."""
    read = assets.read.get(assetkinds.FEATURES.name)
    return read if isinstance(read, FeaturesRead) else None


KIND = Features()
