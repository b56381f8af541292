"""The declaration of every SageMaker asset kind of ``omkit run --assets``, and the one list.

A declaration says what a kind is, not how it is read: its ``--assets`` name, the ``Sid`` of
its statement in ``omkit policy sagemaker``, the IAM actions it may call (in the order a run
makes them) and one line saying what it adds. :data:`DECLARED` is the one list every reader
takes its kinds from, in the order a run reads them: ``--assets`` parsing (:func:`parse_assets`),
the policy (:mod:`omkit_sagemaker.scaffold.policy`), ``test-connection --assets`` and the run
(both through :mod:`omkit_sagemaker.ingest.kinds`, where each kind's behaviour lives, one module
per kind named after it).

It lives below both ``ingest`` and ``scaffold`` because both read it, and stays light: it
imports nothing (``omkit policy`` must not load boto3).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class KindDeclaration:
    """What one asset kind is: everything about it that is not reading AWS."""

    #: The ``--assets`` name (also the name of its module in ``ingest/kinds/``, ``-`` -> ``_``).
    name: str
    #: The ``Sid`` of its statement in the IAM policy.
    sid: str
    #: The IAM actions it may call, in the order a run makes them.
    actions: tuple[str, ...]
    #: One line: what the kind adds to a run.
    summary: str
    #: Read only when ``--assets`` names it (it costs calls a default run does not make).
    opt_in: bool = False

    def action(self, operation: str) -> str:
        """The IAM action of ``operation`` (``"DescribeEndpoint"`` -> ``"sagemaker:..."``);
        raises ValueError when the kind does not declare it (a call the policy would refuse)."""
        action = f"sagemaker:{operation}"
        if action not in self.actions:
            raise ValueError(f"asset kind {self.name!r} does not declare {action}")
        return action

    @property
    def module(self) -> str:
        """The name of its behaviour module in ``ingest/kinds/``."""
        return self.name.replace("-", "_")


MODELS = KindDeclaration(
    "models",
    "ReadSageMakerModels",
    (
        "sagemaker:ListModels",
        "sagemaker:DescribeModel",
        "sagemaker:ListTags",
        "sagemaker:Search",
    ),
    "the models with their image, artifact and tags (always read)",
)
TRAINING_JOBS = KindDeclaration(
    "training-jobs",
    "ReadSageMakerTrainingJobs",
    ("sagemaker:DescribeTrainingJob", "sagemaker:Search"),
    "each model's training job: algorithm, hyperparameters, metrics",
)
ENDPOINTS = KindDeclaration(
    "endpoints",
    "ReadSageMakerEndpoints",
    (
        "sagemaker:ListEndpoints",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
        "sagemaker:Search",
    ),
    "the endpoints serving each model, and their tags",
)
REGISTRY = KindDeclaration(
    "registry",
    "ReadSageMakerModelRegistry",
    ("sagemaker:Search",),
    "one MlModel per model package group of the Model Registry",
)
FEATURES = KindDeclaration(
    "features",
    "ReadSageMakerFeatureGroups",
    ("sagemaker:Search", "sagemaker:DescribeFeatureGroup"),
    "each model's features from the feature groups its training job read",
)

LINEAGE = KindDeclaration(
    "lineage",
    "ReadSageMakerLineage",
    (
        "sagemaker:ListArtifacts",
        "sagemaker:ListAssociations",
        "sagemaker:DescribeProcessingJob",
        "sagemaker:DescribeArtifact",
        "sagemaker:ListContexts",
        "sagemaker:QueryLineage",
        "sagemaker:DescribeAction",
    ),
    "where each model's training data came from: the processing jobs that wrote it (SageMaker's "
    "lineage graph) and, with --lineage-storage-service, lineage from its S3 containers",
    opt_in=True,
)

#: Every asset kind, in the order a run reads them: the one list.
DECLARED: tuple[KindDeclaration, ...] = (
    MODELS,
    TRAINING_JOBS,
    ENDPOINTS,
    REGISTRY,
    FEATURES,
    LINEAGE,
)


def names() -> tuple[str, ...]:
    """The ``--assets`` name of every declared kind, in order."""
    return tuple(kind.name for kind in DECLARED)


def defaults() -> tuple[str, ...]:
    """The kinds a run reads when ``--assets`` is not given: every kind but the opt-in ones."""
    return tuple(kind.name for kind in DECLARED if not kind.opt_in)


def declaration(name: str) -> KindDeclaration:
    """The declared kind called ``name``; raises ValueError naming the known ones."""
    for kind in DECLARED:
        if kind.name == name:
            return kind
    raise ValueError(f"--assets: unknown asset kind {name!r} (known: {', '.join(names())})")


def parse_assets(values: Iterable[str]) -> frozenset[str]:
    """The kinds named in ``values`` (each may be a comma-separated list); ``models`` is
    always in. Raises ValueError naming an unknown kind."""
    chosen = {MODELS.name}
    for value in values:
        for part in value.split(","):
            name = part.strip().lower()
            if not name:
                continue
            if name not in names():
                raise ValueError(
                    f"--assets: unknown asset kind {part.strip()!r} (known: {', '.join(names())})"
                )
            chosen.add(name)
    return frozenset(chosen)
