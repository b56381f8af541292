"""The fields of a model's request that come from its training job and endpoints
(omkit_sagemaker.ingest.details): the algorithm a user searches for (the job's algorithm, else
the framework of its image, else the model's), the hyperparameters, the invocation URL of the
first endpoint in service, and a Markdown description of the job and the endpoints whose cells a
name cannot break."""

from __future__ import annotations

from typing import Any

import pytest
from omkit_sagemaker.ingest.details import (
    UNKNOWN_ALGORITHM,
    add_details,
    algorithm,
    duration_text,
    image_algorithm,
    table_code,
)
from omkit_sagemaker.ingest.sources.endpointindex import Serving
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel
from omkit_sagemaker.ingest.sources.training import TrainingJob

ECR = "683313688378.dkr.ecr.us-east-1.amazonaws.com"


@pytest.mark.parametrize(
    ("image", "found"),
    [
        (f"{ECR}/sagemaker-xgboost:1.7-1", "xgboost"),
        (f"{ECR}/sagemaker-scikit-learn:1.2-1-cpu-py3", "sklearn"),
        (f"{ECR}/pytorch-training:2.1-gpu-py310", "pytorch"),
        (f"{ECR}/huggingface-pytorch-inference:2.1", "huggingface-pytorch"),
        (f"{ECR}/forecasting-deepar:1", "deepar"),
        ("localhost:5000/team/scorer@sha256:abcdef0123", "team/scorer"),
        ("", None),
    ],
)
def test_the_framework_of_an_image_as_users_search_for_it(image: str, found: str | None) -> None:
    assert image_algorithm(image) == found


def model(job: TrainingJob | None = None, image: str | None = None) -> SageMakerModel:
    return SageMakerModel(name="churn", image=image, training_job=job)


def test_the_algorithm_is_the_job_s_else_its_image_s_else_the_model_s() -> None:
    arn = "arn:aws:sagemaker:us-east-1:123456789012:algorithm/my-algo"
    assert (
        algorithm(model(TrainingJob("j", algorithm_name=arn), f"{ECR}/sagemaker-xgboost:1"))
        == "my-algo"
    )
    assert (
        algorithm(
            model(TrainingJob("j", image=f"{ECR}/pytorch-training:2"), f"{ECR}/sagemaker-xgboost:1")
        )
        == "pytorch"
    )
    assert algorithm(model(None, f"{ECR}/sagemaker-xgboost:1")) == "xgboost"
    assert algorithm(model()) == UNKNOWN_ALGORITHM


def serving(endpoint: str, status: str = "InService", **fields: Any) -> Serving:
    return Serving(
        endpoint,
        status,
        "AllTraffic",
        f"https://runtime/endpoints/{endpoint}/invocations",
        **fields,
    )


def test_the_request_gets_the_job_s_fields_and_the_first_endpoint_in_service() -> None:
    job = TrainingJob(
        "churn-train-1",
        status="Completed",
        hyperparameters=(("max_depth", "5"), ("eta", "0.2")),
        metrics=(("validation:auc", 0.912345678),),
        instance_type="ml.m5.xlarge",
        instance_count=2,
        duration=3725.4,
        channels=(("train", "s3://data/train/"), ("table", "")),
    )
    servings = [
        serving("z-live", weight=1.0, instance_type="ml.m5.large", instance_count=1),
        serving("b-new", "Creating"),
        serving("c-live"),
    ]
    body: dict[str, Any] = {}
    add_details(body, model(job, f"{ECR}/sagemaker-xgboost:1"), servings)
    assert body["algorithm"] == "xgboost"
    assert body["mlHyperParameters"] == [
        {"name": "max_depth", "value": "5"},
        {"name": "eta", "value": "0.2"},
    ]
    assert (
        body["server"] == "https://runtime/endpoints/c-live/invocations"
    )  # in service, first by name
    text = body["description"]
    assert text.startswith(
        "**Training job** `churn-train-1`\n\n- Status: Completed\n"
        "- Instances: `ml.m5.xlarge` x 2\n- Duration: 1 h 2 min 5 s\n"
    )
    assert "  - `train`: `s3://data/train/`\n  - `table`: (not S3)\n" in text
    assert "| `validation:auc` | 0.912346 |" in text
    assert "| `z-live` | InService | `AllTraffic` | 1 | `ml.m5.large` | 1 |" in text
    assert text.endswith("\n")


def test_nothing_known_leaves_the_fields_out() -> None:
    body: dict[str, Any] = {}
    add_details(body, model(), [serving("e", "Failed")])
    assert "server" not in body
    assert "mlHyperParameters" not in body
    assert body["algorithm"] == UNKNOWN_ALGORITHM
    body = {}
    add_details(body, model(), [])
    assert "description" not in body


def test_durations_and_table_cells() -> None:
    assert [duration_text(s) for s in (0, 12.4, 60, 3725)] == [
        "0 s",
        "12 s",
        "1 min",
        "1 h 2 min 5 s",
    ]
    assert table_code("a|b`c\nd") == "`a\\|b'c d`"
