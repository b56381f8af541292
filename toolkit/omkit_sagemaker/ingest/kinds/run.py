"""The asset kinds in a run (``omkit run --assets``): each moment of the run calls every kind
chosen, in the declared order (:data:`omkit_sagemaker.assetkinds.DECLARED`).

1. :func:`read_assets`, before the models: each kind reads what it adds (a kind whose call is
   refused, ``AccessDenied``, is skipped with one warning naming the IAM action, and the run
   goes on);
2. :func:`attach`, once the sink started: the server's version, and what a kind needs of it;
3. :func:`finalize`, for every request before the sink: each kind adds to it (the endpoints'
   tags, the features), then the target server's rules (:mod:`omkit_sagemaker.ingest.conform`);
4. :func:`write_after_models`: each kind's own requests (the registry's groups);
5. :func:`finish`: each kind's last warnings and writes (the lineage edges).

The choice is made on the command line, never in the YAML (the config must stay one
``metadata ingest`` reads).
"""

from __future__ import annotations

from collections.abc import Collection
from functools import partial
from typing import Any, Protocol

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest.conform import conform
from omkit_sagemaker.ingest.kinds import behaviour
from omkit_sagemaker.ingest.kinds.assetkind import AfterModels, AssetKind, Attach, RunAssets
from omkit_sagemaker.ingest.mapping import ModelRequest
from omkit_sagemaker.ingest.sinks.dryrun import Plan
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink, parse_version
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus, Sink
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerSource
from omkit_sagemaker.ingest.sources.training import TrainingJob

#: ``RunAssets`` too: the workflow names the kinds' state through this module.
__all__ = ["RunAssets", "attach", "chosen", "every_kind", "finalize", "read_assets"]


def every_kind() -> frozenset[str]:
    """The name of every declared kind read by default (``--assets`` not given; the opt-in
    kinds are left out)."""
    return frozenset(assetkinds.defaults())


def chosen(names: Collection[str]) -> tuple[AssetKind, ...]:
    """The kinds called ``names``, in the declared order."""
    return tuple(behaviour(d) for d in assetkinds.DECLARED if d.name in names)


def read_assets(
    client: Any,
    region: str,
    assets: Collection[str],
    status: RunStatus,
    workers: int = 8,
    *,
    tags: bool = True,
) -> RunAssets:
    """Read every kind of ``assets`` before the models (endpoints and feature groups
    ``workers`` calls at a time)."""
    run = RunAssets(client, region, status, chosen(assets), workers=workers, tags=tags)
    for kind in run.kinds:
        kind.read(run)
    return run


class LineageOptions(Protocol):
    """The run options a kind may need once the sink started (the run's ``RunOptions``)."""

    @property
    def lineage_service(self) -> str | None: ...
    @property
    def lineage_storage_service(self) -> str | None: ...
    @property
    def dry_run(self) -> bool: ...


def attach(
    run: RunAssets,
    rest: MetadataRestSink | None,
    options: LineageOptions,
    plan: Plan | None = None,
) -> None:
    """What the run knows of its OpenMetadata server once the sink started: its version (for
    :func:`finalize`) and what each kind needs of it (``--lineage-service``,
    ``--lineage-storage-service``; a dry run's ``plan`` lists the lineage edges)."""
    if rest is None:
        return
    try:
        run.server = parse_version(rest.server_version or "")
    except ValueError:
        run.server = None
    would_add = plan.lineage if plan is not None and options.dry_run else None
    attached = Attach(
        options.lineage_service, options.dry_run, options.lineage_storage_service, would_add
    )
    for kind in run.kinds:
        kind.attach(run, rest, attached)


def finalize(run: RunAssets, request: ModelRequest, job: TrainingJob | None) -> ModelRequest | None:
    """``request`` with what every kind adds to it (the tags of the endpoints serving it, the
    features of its training job), fitted to the server; None (with an error for that entity)
    when it cannot be sent."""
    for kind in run.kinds:
        request = kind.enrich(run, request, job)
    problem = conform(request.request, run.server)
    if problem is not None:
        run.status.model_failed(request.name, problem)
        return None
    return request


def write_after_models(
    run: RunAssets, source: SageMakerSource, sink: Sink, service_fqn: str
) -> None:
    """After the models: each kind's own requests (the registry's groups)."""
    after = AfterModels(source, sink, service_fqn, partial(finalize, run))
    for kind in run.kinds:
        kind.write(run, after)


def finish(run: RunAssets) -> None:
    """After every request: each kind's last warnings (a training-job lookup that was denied)
    and writes (the lineage edges, ``--lineage-service``)."""
    for kind in run.kinds:
        kind.finish(run)


def read_kinds(assets: Collection[str], run: RunAssets) -> dict[str, str | None]:
    """Each kind asked for -> None when it was read, the refused IAM action when skipped."""
    return {kind: run.skipped.get(kind) for kind in assetkinds.names() if kind in assets}
