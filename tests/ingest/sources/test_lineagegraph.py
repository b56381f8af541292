"""Finding the processing job that wrote a training location: which association sources count as
the writer, and a location SageMaker refuses (held to the service model)."""

from __future__ import annotations

from typing import Any

import pytest

from testing.awsfixtures import ACCOUNT
from testing.lineagedouble import LineageGraph
from testing.shapecheck import ServiceError

TRAIN = "s3://ml-data/churn/train/"


def graph_of_the_estate() -> LineageGraph:
    graph = LineageGraph()
    graph.processing_job_wrote("prep-churn", TRAIN)
    return graph


@pytest.mark.parametrize(
    ("source", "job"),
    [
        (
            "arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/"
            "prep-aws-processing-job",
            "prep",
        ),
        ("arn:aws:sagemaker:us-east-1:123456789012:processing-job/prep", "prep"),
        (
            "arn:aws:sagemaker:us-east-1:123456789012:experiment-trial-component/"
            "train-aws-training-job",
            None,
        ),
        ("arn:aws:sagemaker:us-east-1:123456789012:action/deploy", None),
    ],
)
def test_only_a_processing_job_is_taken_for_the_writer(source: str, job: str | None) -> None:
    from omkit_sagemaker.ingest.sources.lineagegraph import producer_name

    assert producer_name(source) == job


def test_a_location_the_api_refuses_is_skipped_not_the_whole_graph() -> None:
    """A channel URI longer than ``ListArtifacts`` takes (2,048 characters): SageMaker refuses
    that one request (ValidationException, from the service model); the next location is
    still looked up."""
    from omkit_sagemaker.ingest.sources.lineagegraph import DataProducers

    from testing.shapecheck import answered, check_request

    graph = graph_of_the_estate()

    class Client:
        def list_artifacts(self, **params: Any) -> Any:
            try:
                check_request("ListArtifacts", params)
            except ServiceError as exc:
                from botocore.exceptions import ClientError

                error = {"Error": {"Code": exc.code, "Message": exc.message}}
                raise ClientError(error, "ListArtifacts") from None
            return graph.list_artifacts(params)

        def list_associations(self, **params: Any) -> Any:
            return graph.list_associations(params)

        def describe_processing_job(self, **params: Any) -> Any:
            name = params["ProcessingJobName"]
            output = {
                "OutputName": "train",
                "S3Output": {"S3Uri": TRAIN, "LocalPath": "/o", "S3UploadMode": "EndOfJob"},
            }
            answer = {
                "ProcessingJobName": name,
                "ProcessingJobArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:processing-job/{name}",
                "ProcessingJobStatus": "Completed",
                "CreationTime": 1767225600.0,
                "AppSpecification": {"ImageUri": "img"},
                "ProcessingResources": {
                    "ClusterConfig": {
                        "InstanceCount": 1,
                        "InstanceType": "ml.m5.xlarge",
                        "VolumeSizeInGB": 10,
                    }
                },
                "ProcessingOutputConfig": {"Outputs": [output]},
            }
            return answered("DescribeProcessingJob", params, answer)

    producers = DataProducers(Client())
    assert producers.for_uri("s3://ml-data/" + "x" * 2100) is None
    assert producers.off is None
    found = producers.for_uri(TRAIN)
    assert found is not None
    assert found.name == "prep-churn"
