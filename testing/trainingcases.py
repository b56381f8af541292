"""Training-job answers for the tests of ``ingest/sources/training.py`` and its parts
(``trainingjob``, ``trainingsearch``): model-data URLs in SageMaker's default layout and
elsewhere, a ``DescribeTrainingJob`` answer, and the ``Search`` request of a batch."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from omkit_sagemaker.ingest.sources.trainingsearch import batch_expression

URL = "s3://ml-artifacts/churn/churn-train-7/output/model.tar.gz"


ELSEWHERE = "s3://team-bucket/exports/churn/model.tar.gz"


T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)


def job_shape(name: str, artifact: str, **changes: Any) -> dict[str, Any]:
    """A ``DescribeTrainingJob`` answer (also the ``TrainingJob`` of a Search record)."""
    return {
        "TrainingJobName": name,
        "TrainingJobArn": f"arn:aws:sagemaker:us-east-1:123456789012:training-job/{name}",
        "ModelArtifacts": {"S3ModelArtifacts": artifact},
        "TrainingJobStatus": "Completed",
        "SecondaryStatus": "Completed",
        "HyperParameters": {"max_depth": "5", "objective": "binary:logistic"},
        "AlgorithmSpecification": {
            "TrainingImage": "683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
            "TrainingInputMode": "File",
        },
        "RoleArn": "arn:aws:iam::123456789012:role/SageMakerExecution",
        "InputDataConfig": [
            {
                "ChannelName": "train",
                "DataSource": {
                    "S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": "s3://ml-data/train/"}
                },
            }
        ],
        "OutputDataConfig": {"S3OutputPath": "s3://ml-artifacts/churn/"},
        "ResourceConfig": {
            "InstanceType": "ml.m5.xlarge",
            "InstanceCount": 2,
            "VolumeSizeInGB": 10,
        },
        "StoppingCondition": {"MaxRuntimeInSeconds": 3600},
        "CreationTime": T0,
        "TrainingStartTime": T0,
        "TrainingEndTime": T0,
        "TrainingTimeInSeconds": 725,
        "FinalMetricDataList": [
            {"MetricName": "validation:auc", "Value": 0.91234, "Timestamp": T0},
            {"MetricName": "train:logloss", "Value": 0.2, "Timestamp": T0},
        ],
        **changes,
    }


def batch_params(urls: list[str], token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {
        "Resource": "TrainingJob",
        "SearchExpression": batch_expression(urls),
        "MaxResults": 100,
    }
    if token:
        params["NextToken"] = token
    return params
