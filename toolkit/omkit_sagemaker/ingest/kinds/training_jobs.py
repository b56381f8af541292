"""The ``training-jobs`` kind: each model's training job (algorithm, hyperparameters, metrics),
looked up by :class:`omkit_sagemaker.ingest.sources.training.TrainingJobs` while the models are
read (the job named by the model's artifact location; ``Search`` where the artifact is not in
SageMaker's default layout). The registry's groups and the features use the jobs too.

``test-connection --assets training-jobs``: ``DescribeTrainingJob`` of a job that does not exist
(the "not found" answer proves the call is allowed).
"""

from __future__ import annotations

from typing import Any

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest import awsclient
from omkit_sagemaker.ingest.kinds.assetkind import AssetKind, RunAssets
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel
from omkit_sagemaker.ingest.sources.training import TrainingJobs

#: The job name the test-connection step asks for (SageMaker answers "not found").
PROBE_JOB = "omkit-test-connection-probe"
_NOT_FOUND = frozenset({"ValidationException", "ResourceNotFound"})


class TrainingJobKind(AssetKind):
    """Each model's training job."""

    declared = assetkinds.TRAINING_JOBS
    probe_action = "sagemaker:DescribeTrainingJob"

    def probe(self, client: Any) -> str:
        try:
            client.describe_training_job(TrainingJobName=PROBE_JOB)
        except Exception as exc:
            if awsclient.aws_error(exc)[0] not in _NOT_FOUND:
                raise
        return "sagemaker:DescribeTrainingJob allowed"

    def read(self, assets: RunAssets) -> None:
        """Prepare the lookups (the jobs are read with the models)."""
        assets.training = TrainingJobs(assets.client)

    def finish(self, assets: RunAssets) -> None:
        """The warning of a lookup that was denied (or only its ``Search``, or whose batch was
        refused)."""
        training = assets.training
        if training is None:
            return
        if training.denied is not None:
            assets.denied(training.denied)
        for subject, message in training.problems:
            assets.status.warn(subject, message)


def model_warnings(model: SageMakerModel, status: RunStatus, seen: set[str]) -> None:
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


KIND = TrainingJobKind()
