"""The Search test double evaluates expressions as the Search API documents them (tests that use
it to stand in for AWS rely on this), and refuses what AWS refuses: requests outside the service
model's shapes and the documented limits of ``Search``, with AWS's ValidationException."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from testing.awsfaults import FaultProxy
from testing.awsfixtures import REGION, MotoServer
from testing.searchdouble import SearchDouble, expression_holds
from testing.shapecheck import ServiceError

JOB = {"TrainingJobName": "a", "ModelArtifacts": {"S3ModelArtifacts": "s3://b/a.tar.gz"}}


def equals(name: str, value: str) -> dict[str, str]:
    return {"Name": name, "Operator": "Equals", "Value": value}


def test_filters_are_anded_unless_the_operator_is_or() -> None:
    hit, miss = equals("TrainingJobName", "a"), equals("TrainingJobName", "z")
    assert expression_holds(JOB, {"Filters": [hit]})
    assert not expression_holds(JOB, {"Filters": [hit, miss]})
    assert expression_holds(JOB, {"Operator": "Or", "Filters": [miss, hit]})
    nested = {"Operator": "Or", "SubExpressions": [{"Filters": [miss]}, {"Filters": [hit]}]}
    assert expression_holds(JOB, nested)
    assert not expression_holds(JOB, {"SubExpressions": [{"Filters": [miss]}, {"Filters": [hit]}]})


def test_a_dotted_property_is_looked_up_and_a_missing_one_never_matches() -> None:
    assert expression_holds(
        JOB, {"Filters": [equals("ModelArtifacts.S3ModelArtifacts", "s3://b/a.tar.gz")]}
    )
    assert not expression_holds(
        JOB, {"Filters": [equals("ModelArtifacts.Nope", "s3://b/a.tar.gz")]}
    )


def test_answers_come_in_pages_and_other_resources_go_on_to_moto() -> None:
    double = SearchDouble({"TrainingJob": [{**JOB, "TrainingJobName": str(i)} for i in range(150)]})
    first = double({"Resource": "TrainingJob", "MaxResults": 100})
    assert len(first["Results"]) == 100
    second = double({"Resource": "TrainingJob", "MaxResults": 100, "NextToken": first["NextToken"]})
    assert [r["TrainingJob"]["TrainingJobName"] for r in second["Results"]] == [
        str(i) for i in range(100, 150)
    ]
    assert "NextToken" not in second
    assert double({"Resource": "Endpoint"}) is None


# ---- it refuses what AWS refuses (testing/shapecheck.py) ----------------------------------------


def artifact_filters(count: int, prefix: str = "") -> list[dict[str, str]]:
    return [equals("ModelArtifacts.S3ModelArtifacts", f"s3://b/{prefix}{i}") for i in range(count)]


@pytest.mark.parametrize(
    ("params", "why"),
    [
        # omkit's old batch: 5 sub-expressions of 20 filters, 105 elements
        (
            {
                "Operator": "Or",
                "SubExpressions": [
                    {"Operator": "Or", "Filters": artifact_filters(20, f"{j}-")} for j in range(5)
                ],
            },
            "holds 105",
        ),
        ({"Operator": "Or", "Filters": artifact_filters(21)}, "less than or equal to 20"),
        ({"Operator": "Or"}, "must hold Filters"),
        ({"SubExpressions": [{"Operator": "Or"}]}, "must hold Filters"),
    ],
    ids=["105-elements", "21-filters", "empty", "empty-sub-expression"],
)
def test_an_expression_aws_refuses_is_refused(params: dict[str, Any], why: str) -> None:
    double = SearchDouble({"TrainingJob": [JOB]})
    with pytest.raises(ServiceError, match=why) as refused:
        double({"Resource": "TrainingJob", "SearchExpression": params, "MaxResults": 100})
    assert (refused.value.code, refused.value.status) == ("ValidationException", 400)
    assert double.refused == 1


def test_page_sizes_outside_1_to_100_and_unknown_members_are_refused() -> None:
    double = SearchDouble({"TrainingJob": [JOB]})
    bad_requests: list[dict[str, Any]] = [
        {"MaxResults": 101},
        {"MaxResults": 0},
        {"Expression": {}},
    ]
    for bad in bad_requests:
        with pytest.raises(ServiceError):
            double({"Resource": "TrainingJob", **bad})
    assert double.refused == 3
    # 50 elements (20 filters, and a sub-expression of 20 plus one of 8) is the most allowed
    largest: dict[str, Any] = {
        "Operator": "Or",
        "Filters": artifact_filters(20),
        "SubExpressions": [
            {"Operator": "Or", "Filters": artifact_filters(20, "a")},
            {"Operator": "Or", "Filters": artifact_filters(8, "b")},
        ],
    }
    assert double({"Resource": "TrainingJob", "SearchExpression": largest, "MaxResults": 100})
    largest["SubExpressions"][1]["Filters"].append(equals("TrainingJobName", "a"))
    with pytest.raises(ServiceError, match="holds 51"):
        double({"Resource": "TrainingJob", "SearchExpression": largest})


def test_an_answer_aws_could_not_give_is_the_double_s_bug() -> None:
    double = SearchDouble({"TrainingJob": [{**JOB, "NotAField": 1}]})
    with pytest.raises(AssertionError, match="NotAField"):
        double({"Resource": "TrainingJob", "MaxResults": 10})


def test_over_http_the_client_gets_aws_s_validation_error(
    moto: MotoServer, aws_faults: FaultProxy
) -> None:
    aws_faults.handlers["Search"] = SearchDouble({"TrainingJob": [JOB]})
    client = boto3.client(
        "sagemaker",
        region_name=REGION,
        endpoint_url=aws_faults.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )
    expression = {"Operator": "Or", "Filters": artifact_filters(21)}
    with pytest.raises(ClientError) as refused:
        client.search(Resource="TrainingJob", SearchExpression=expression)
    error = refused.value.response
    assert error["Error"]["Code"] == "ValidationException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "filters" in error["Error"]["Message"]
