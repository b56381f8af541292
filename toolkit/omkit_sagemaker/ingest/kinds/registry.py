"""The ``registry`` kind: one MlModel per model package group of the Model Registry
(:class:`omkit_sagemaker.ingest.sources.registryindex.RegistryIndex`, read before the models; the
requests in :mod:`omkit_sagemaker.ingest.kinds.registry_groups`), written after the models.

``test-connection --assets registry``: ``Search`` on ``ModelPackageGroup`` (one result).
"""

from __future__ import annotations

from typing import Any

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest.kinds import registry_groups as group_mapping
from omkit_sagemaker.ingest.kinds.assetkind import AfterModels, AssetKind, RunAssets, search_probe
from omkit_sagemaker.ingest.sources.answers import AssetDenied
from omkit_sagemaker.ingest.sources.registryindex import RegistryIndex


class Registry(AssetKind):
    """The Model Registry's groups."""

    declared = assetkinds.REGISTRY
    probe_action = "sagemaker:Search"

    def probe(self, client: Any) -> str:
        return search_probe(client, "ModelPackageGroup")

    def read(self, assets: RunAssets) -> None:
        registry = RegistryIndex(assets.client)
        try:
            registry.read()
        except AssetDenied as exc:
            assets.denied(exc)
            return
        for subject, message in registry.problems:
            assets.status.warn(
                f"registry {subject}",
                f"{message}; the groups read so far are ingested, none is soft-deleted",
            )
        assets.read[self.declared.name] = registry

    def write(self, assets: RunAssets, after: AfterModels) -> None:
        """One MlModel per model package group (see
        :mod:`omkit_sagemaker.ingest.kinds.registry_groups`)."""
        registry = index(assets)
        if registry is None:
            return
        source = after.source
        # every group counts as seen, those mlModelFilterPattern leaves out too (as for models)
        assets.group_names = {
            group_mapping.entity_name(name, source.listed) for name in registry.groups
        }
        requests = group_mapping.group_requests(
            registry.groups.values(),
            model_names=source.listed,
            keep=source.model_filter.keep,
            service_fqn=after.service_fqn,
            region=assets.region,
            with_tags=source.tags,
            training=assets.training,
            warn=assets.status.warn,
            workers=source.workers,
        )
        for request, job in requests:
            final = after.finalize(request, job)
            if final is not None:
                after.sink.write(final)


def index(assets: RunAssets) -> RegistryIndex | None:
    """What the run read of the registry (None: not asked for, or denied)."""
    registry = assets.read.get(assetkinds.REGISTRY.name)
    return registry if isinstance(registry, RegistryIndex) else None


def registry_complete(assets: RunAssets) -> bool:
    """Whether every group was read (else no registry entity may be soft-deleted)."""
    registry = index(assets)
    return registry is not None and registry.complete


KIND = Registry()
