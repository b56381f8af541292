"""The SageMaker asset kinds a run reads (``omkit run --assets``), and their warnings.

* ``models``: ``Search`` (100 models with their tags per call) where allowed, else
  ``ListModels``, ``DescribeModel``, ``ListTags`` (always read: the other kinds only add to the
  models, which are what OpenMetadata stores);
* ``training-jobs``: each model's training job
  (:mod:`omkit_sagemaker.ingest.sources.training`);
* ``endpoints``: the endpoints serving each model (:mod:`omkit_sagemaker.ingest.sources.endpoints`).

The choice is made on the command line, never in the YAML (the config must stay one
``metadata ingest`` reads). When the identity may not make a call of a kind (``AccessDenied``),
the kind is skipped with one warning naming the IAM action, and the run goes on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.ingest.sinks.base import Status
from omkit_sagemaker.ingest.sources import endpoints as endpoint_source
from omkit_sagemaker.ingest.sources import training as training_source
from omkit_sagemaker.ingest.sources.endpoints import EndpointIndex, Serving
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel, aws_error
from omkit_sagemaker.ingest.sources.training import AssetDenied, TrainingJobs

MODELS = "models"
#: Every asset kind ``--assets`` knows, in the order a run reads them.
ASSET_KINDS: tuple[str, ...] = (MODELS, training_source.ASSET, endpoint_source.ASSET)
#: The IAM actions of each kind (``omkit policy sagemaker`` prints the same ones).
ACTIONS: dict[str, tuple[str, ...]] = {
    MODELS: (
        "sagemaker:ListModels",
        "sagemaker:DescribeModel",
        "sagemaker:ListTags",
        "sagemaker:Search",
    ),
    training_source.ASSET: training_source.ACTIONS,
    endpoint_source.ASSET: endpoint_source.ACTIONS,
}


def parse_assets(values: Iterable[str]) -> frozenset[str]:
    """The kinds named in ``values`` (each may be a comma-separated list); ``models`` is
    always in. Raises ValueError naming an unknown kind."""
    chosen = {MODELS}
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name not in ASSET_KINDS:
                raise ValueError(
                    f"--assets: unknown asset kind {part.strip()!r} "
                    f"(known: {', '.join(ASSET_KINDS)})"
                )
            chosen.add(name)
    return frozenset(chosen)


@dataclass
class Estate:
    """What a run reads besides the models."""

    training: TrainingJobs | None = None
    endpoints: EndpointIndex | None = None
    #: Kinds skipped for a missing permission -> the IAM action that was refused.
    skipped: dict[str, str] = field(default_factory=dict)

    def servings(self, model: str) -> tuple[Serving, ...]:
        return self.endpoints.servings(model) if self.endpoints is not None else ()


def read_estate(client: Any, region: str, assets: frozenset[str], status: Status) -> Estate:
    """Prepare the training-job lookups and read the endpoints (before the models)."""
    estate = Estate()
    if training_source.ASSET in assets:
        estate.training = TrainingJobs(client)
    if endpoint_source.ASSET in assets:
        index = EndpointIndex(client, region)
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
    return estate


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
    """After the models: the warning of a training-job lookup that was denied."""
    if estate.training is not None and estate.training.denied is not None:
        estate.skipped[training_source.ASSET] = estate.training.denied.action
        warn_denied(status, estate.training.denied)


def read_kinds(assets: frozenset[str], estate: Estate) -> dict[str, str | None]:
    """Each kind asked for -> None when it was read, the refused IAM action when skipped."""
    return {kind: estate.skipped.get(kind) for kind in ASSET_KINDS if kind in assets}
