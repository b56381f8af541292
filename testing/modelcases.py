"""A SageMaker model and a service connection as the mapping and sink tests use them: ``churn()``
(with tags, one of them an AWS-reserved one), the connection whose secret must never be written
(``SECRET``), and the service request that carries it."""

from __future__ import annotations

from typing import Any

from omkit_sagemaker.ingest.mapping import ServiceRequest
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel
from omkit_sagemaker.spec.models.workflow import ServiceConnection

SECRET = "aws-secret-value-1234"
CONNECTION = {
    "config": {
        "type": "SageMaker",
        "awsConfig": {
            "awsAccessKeyId": "AKIAZZZZTESTKEY12345",
            "awsSecretAccessKey": SECRET,
            "awsRegion": "us-east-1",
        },
    }
}
CONSOLE = "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/models/"


def service_request(name: str = "svc") -> ServiceRequest:
    return ServiceRequest(name, ServiceConnection.from_dict(CONNECTION))


def churn(**changes: Any) -> SageMakerModel:
    fields: dict[str, Any] = {
        "name": "churn",
        "image": "123.dkr.ecr.us-east-1.amazonaws.com/churn:1",
        "model_data_url": "s3://models/churn.tar.gz",
        "tags": (("team", "ml"), ("aws:cloudformation:stack-name", "stack")),
        **changes,
    }
    return SageMakerModel(**fields)
