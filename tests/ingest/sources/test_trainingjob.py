"""``omkit_sagemaker.ingest.sources.trainingjob``: the training job a model-data URL names, and
what the ingestion shows of a described job."""

from __future__ import annotations

from datetime import timedelta

from omkit_sagemaker.ingest.sources.trainingjob import (
    TrainingJob,
    candidate_job,
    job_artifact,
    latest_job,
    parse_job,
)

from testing.trainingcases import ELSEWHERE, T0, URL, job_shape


def test_the_default_layout_names_the_candidate_job() -> None:
    assert candidate_job(URL) == "churn-train-7"
    assert candidate_job("s3://b/churn-train-7/output/model.tar.gz") == "churn-train-7"
    assert candidate_job(ELSEWHERE) is None
    assert candidate_job("s3://b/x/bad_name/output/model.tar.gz") is None  # not a job name


def test_a_described_job_becomes_what_the_ingestion_shows() -> None:
    job = parse_job(job_shape("churn-train-7", URL))
    assert job == TrainingJob(
        name="churn-train-7",
        status="Completed",
        image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        hyperparameters=(("max_depth", "5"), ("objective", "binary:logistic")),
        metrics=(("validation:auc", 0.91234), ("train:logloss", 0.2)),
        instance_type="ml.m5.xlarge",
        instance_count=2,
        duration=725.0,
        channels=(("train", "s3://ml-data/train/"),),
    )
    assert parse_job({"TrainingJobStatus": "Completed"}) is None  # no name, no job


def test_without_training_seconds_the_duration_is_end_minus_start() -> None:
    end = T0 + timedelta(minutes=3)
    shape = job_shape("j", URL, TrainingEndTime=end)
    del shape["TrainingTimeInSeconds"]
    job = parse_job(shape)
    assert job is not None
    assert job.duration == 180.0
    del shape["TrainingEndTime"]
    job = parse_job(shape)
    assert job is not None
    assert job.duration is None


def test_of_several_jobs_the_latest_completed_one_made_the_model() -> None:
    later, latest = T0 + timedelta(hours=1), T0 + timedelta(hours=2)
    matches = [
        job_shape("run-1", ELSEWHERE),
        job_shape("run-3", ELSEWHERE, TrainingJobStatus="Failed", TrainingEndTime=latest),
        job_shape("run-2", ELSEWHERE, TrainingEndTime=later),
    ]
    job = latest_job(matches)
    assert job is not None
    assert job.name == "run-2"
    assert latest_job([]) is None


def test_the_artifact_of_a_job_is_its_model_data_url() -> None:
    assert job_artifact(job_shape("j", URL)) == URL
    assert job_artifact({"TrainingJobName": "j"}) is None
