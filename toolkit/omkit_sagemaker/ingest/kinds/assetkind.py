"""The protocol every asset kind implements, and what a run read of the kinds.

A kind is one object, ``KIND``, in its module ``ingest/kinds/<name>.py`` (the ``--assets`` name,
``-`` -> ``_``). Its declaration (:class:`omkit_sagemaker.assetkinds.KindDeclaration`: name, IAM
actions, policy ``Sid``, summary) is the one in :data:`omkit_sagemaker.assetkinds.DECLARED`; its
behaviour is the :class:`AssetKind` methods below, each called at one moment of a run
(:mod:`omkit_sagemaker.ingest.kinds.run`) or of ``test-connection --assets``. The defaults do
nothing, so a kind writes only the moments it has.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from omkit_sagemaker.assetkinds import KindDeclaration
from omkit_sagemaker.ingest.mapping import ModelRequest
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus, Sink
from omkit_sagemaker.ingest.sources.answers import AssetDenied
from omkit_sagemaker.ingest.sources.endpointindex import Serving
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerSource
from omkit_sagemaker.ingest.sources.training import TrainingJob, TrainingJobs


@dataclass
class RunAssets:
    """What a run knows of the kinds it reads: its inputs, what the kinds read, and the facts
    they share (the models source, the requests and the soft-delete step read them)."""

    #: The SageMaker client, the region, and where warnings go.
    client: Any
    region: str
    status: RunStatus
    #: The kinds read (``--assets``), in the declared order.
    kinds: tuple[AssetKind, ...] = ()
    #: Concurrent AWS calls of a kind's reading, and whether tags are read (``--no-tags``).
    workers: int = 8
    tags: bool = True
    #: ``(major, minor)`` of the OpenMetadata server written to (None: not known).
    server: tuple[int, int] | None = None
    #: Each model's training job (``training-jobs``): the models source and the registry use it.
    training: TrainingJobs | None = None
    #: The endpoints serving a model (``endpoints``): its request lists them.
    servings: Callable[[str], tuple[Serving, ...]] = field(default=lambda _model: ())
    #: The MlModel names the registry's groups were written under (not soft-deleted as models).
    group_names: set[str] = field(default_factory=set)
    #: What each kind read, by its name (the kind's own module knows the type).
    read: dict[str, Any] = field(default_factory=dict)
    #: Kinds skipped for a missing permission -> the IAM action that was refused.
    skipped: dict[str, str] = field(default_factory=dict)

    def denied(self, exc: AssetDenied) -> None:
        """Skip a kind whose call was refused: remember the action, and warn once."""
        self.skipped[exc.asset] = exc.action
        warn_denied(self.status, exc)


@dataclass(frozen=True)
class AfterModels:
    """Where a kind writes its own requests, after the models (see :meth:`AssetKind.write`)."""

    source: SageMakerSource
    sink: Sink
    service_fqn: str
    #: Fits a request to the server and the other kinds (None: it cannot be sent).
    finalize: Callable[[ModelRequest, TrainingJob | None], ModelRequest | None]


class AssetKind(Protocol):
    """One SageMaker asset kind of ``omkit run --assets``."""

    #: Its name, IAM actions, policy ``Sid`` and summary (from ``assetkinds.DECLARED``).
    declared: KindDeclaration
    #: The IAM action a failed ``test-connection --assets`` step names (None: no step; the
    #: models have their own steps).
    probe_action: str | None = None

    def probe(self, client: Any) -> str:
        """The ``test-connection --assets`` step: the kind's cheapest call; its detail line, or
        an exception (a WARN: a run skips a denied kind and goes on)."""
        raise TypeError(f"{self.declared.name} has no test-connection step of its own")

    def read(self, assets: RunAssets) -> None:
        """Before the models: read the kind (a denial: :meth:`RunAssets.denied`)."""
        return

    def attach(self, assets: RunAssets, rest: MetadataRestSink, options: Attach) -> None:
        """Once the sink started: what the kind needs of the OpenMetadata server."""
        return

    def enrich(
        self, assets: RunAssets, request: ModelRequest, job: TrainingJob | None
    ) -> ModelRequest:
        """A request (a model's, or another kind's) with what this kind adds to it."""
        return request

    def write(self, assets: RunAssets, after: AfterModels) -> None:
        """After the models: the kind's own requests (each through ``after.finalize``)."""
        return

    def finish(self, assets: RunAssets) -> None:
        """After every request was written: the kind's last warnings and writes."""
        return


@dataclass(frozen=True)
class Attach:
    """The run options a kind may need once the sink started."""

    #: ``--lineage-service``: the database service of the feature tables.
    lineage_service: str | None = None
    #: ``--dry-run``: read OpenMetadata, write nothing.
    dry_run: bool = False
    #: ``--lineage-storage-service``: the storage service of the training data's S3 buckets.
    storage_service: str | None = None
    #: A dry run's list of the lineage edges it would add (the plan's).
    would_add: list[str] | None = None


def warn_denied(status: RunStatus, exc: AssetDenied) -> None:
    """The one warning of a kind skipped for a missing permission."""
    status.warn(
        exc.asset,
        f"skipped: {exc.action} is not allowed ({exc.message}); allow it (see omkit policy "
        f"sagemaker) or leave {exc.asset} out of --assets",
    )


def search_probe(client: Any, resource: str) -> str:
    """``Search`` on ``resource`` with one result: the test-connection step of a kind read
    with ``Search``."""
    page = client.search(Resource=resource, MaxResults=1)
    more = "+" if page.get("NextToken") else ""
    found = len(page.get("Results") or [])
    return f"sagemaker:Search on {resource} allowed ({found}{more} seen)"
