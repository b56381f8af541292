"""``omkit_sagemaker.ingest.sources.trainingsearch``: the ``SearchExpression`` of a batch of
model-data URLs, held to the service model and AWS's documented limits."""

from __future__ import annotations

import pytest
from omkit_sagemaker.ingest.sources.trainingsearch import (
    BATCH_URLS,
    MAX_EXPRESSION_ELEMENTS,
    artifact_expression,
    batch_expression,
)

from testing.shapecheck import ServiceError, check_request, expression_elements
from testing.trainingcases import batch_params


def test_every_batch_is_a_request_aws_accepts_and_the_largest_one_that_fits() -> None:
    """Issue 23: the old batch (5 sub-expressions of 20 filters, 105 elements) is one AWS
    documents as invalid. Each batch size up to BATCH_URLS passes the service model and the
    documented limits; one URL more would not fit."""
    for size in range(1, BATCH_URLS + 1):
        urls = [f"s3://b/m{i}/model.tar.gz" for i in range(size)]
        params = batch_params(urls)
        check_request("Search", params)
        expression = params["SearchExpression"]
        assert expression_elements(expression) <= MAX_EXPRESSION_ELEMENTS - 1
        filters = expression["Filters"] + [
            f for sub in expression.get("SubExpressions", ()) for f in sub["Filters"]
        ]
        assert [f["Value"] for f in filters] == urls
    assert BATCH_URLS >= 47  # 20 at the top, 20 + 7 in two sub-expressions (49 elements)
    with pytest.raises(ValueError, match="do not fit"):
        batch_expression([f"s3://b/m{i}/model.tar.gz" for i in range(49)])
    old = {
        "Operator": "Or",
        "SubExpressions": [
            {
                "Operator": "Or",
                "Filters": [
                    {
                        "Name": "ModelArtifacts.S3ModelArtifacts",
                        "Operator": "Equals",
                        "Value": f"s3://b/{j}-{i}",
                    }
                    for i in range(20)
                ],
            }
            for j in range(5)
        ],
    }
    with pytest.raises(ServiceError, match="105"):
        check_request("Search", {"Resource": "TrainingJob", "SearchExpression": old})


def test_one_url_is_one_equals_filter_on_the_artifact() -> None:
    url = "s3://b/churn-train-7/output/model.tar.gz"
    expression = artifact_expression(url)
    assert expression == {
        "Filters": [{"Name": "ModelArtifacts.S3ModelArtifacts", "Operator": "Equals", "Value": url}]
    }
    check_request("Search", {"Resource": "TrainingJob", "SearchExpression": expression})


def test_an_empty_batch_is_refused() -> None:
    with pytest.raises(ValueError, match="do not fit"):
        batch_expression([])
