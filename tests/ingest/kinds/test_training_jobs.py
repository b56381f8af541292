"""The ``training-jobs`` asset kind (omkit_sagemaker.ingest.kinds.training_jobs): its
test-connection step proves ``DescribeTrainingJob`` is allowed by asking for a job that does not
exist (moto over real HTTP), a denied lookup skips the kind with one warning at the end of the
run, and a model whose job could not be looked up is one warning per distinct reason."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from botocore.stub import Stubber
from omkit_sagemaker.ingest.kinds.assetkind import RunAssets
from omkit_sagemaker.ingest.kinds.training_jobs import KIND, PROBE_JOB, model_warnings
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel

from testing.awsfixtures import MotoServer

ARTIFACT = "s3://models/churn-2024-01-01/output/model.tar.gz"


@pytest.fixture
def stubbed(moto: MotoServer) -> Iterator[tuple[Any, Stubber]]:
    client = moto.client("sagemaker")
    with Stubber(client) as stubber:
        yield client, stubber


def test_the_probe_asks_for_a_job_that_does_not_exist_and_not_found_means_allowed(
    moto: MotoServer,
) -> None:
    assert KIND.probe(moto.client("sagemaker")) == "sagemaker:DescribeTrainingJob allowed"


def test_the_probe_raises_a_denial(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "describe_training_job",
        "AccessDeniedException",
        "not authorized",
        expected_params={"TrainingJobName": PROBE_JOB},
    )
    with pytest.raises(ClientError, match="AccessDeniedException"):
        KIND.probe(client)


def test_a_denied_lookup_skips_the_kind_with_one_warning_when_the_run_ends(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_client_error("describe_training_job", "AccessDeniedException", "not authorized")
    stubber.add_client_error("search", "AccessDeniedException", "not authorized")
    status = RunStatus()
    assets = RunAssets(client=client, region="us-east-1", status=status)
    KIND.read(assets)
    assert assets.training is not None
    assert assets.training.for_model(ARTIFACT) is None
    assert assets.training.for_model(ARTIFACT) is None  # once denied, asked no more
    assert status.warnings == []  # said once, at the end
    KIND.finish(assets)
    assert assets.skipped == {"training-jobs": "sagemaker:DescribeTrainingJob"}
    (warning,) = status.warnings
    assert warning.subject == "training-jobs"
    assert warning.message.startswith("skipped: sagemaker:DescribeTrainingJob is not allowed (")


def test_finish_without_reading_says_nothing() -> None:
    status = RunStatus()
    KIND.finish(RunAssets(client=None, region="us-east-1", status=status))
    assert status.warning_count == 0


def test_each_distinct_lookup_failure_is_logged_once_and_every_one_counted(
    caplog: pytest.LogCaptureFixture,
) -> None:
    status = RunStatus()
    seen: set[str] = set()
    failed = "DescribeTrainingJob failed: ThrottlingException: slow down"
    with caplog.at_level(logging.WARNING):
        for name, error in (("churn", failed), ("fraud", failed), ("ranker", None)):
            model = SageMakerModel(name=name, model_data_url=ARTIFACT, training_error=error)
            model_warnings(model, status, seen)
    assert status.warning_count == 2
    assert [w.subject for w in status.warnings] == ["model churn", "model fraud"]
    assert status.warnings[0].message == f"{failed}; ingested without its training job"
    assert [r.getMessage() for r in caplog.records].count(
        f"model churn: {failed}; ingested without its training job"
    ) == 1
    assert not any("model fraud" in r.getMessage() for r in caplog.records)
