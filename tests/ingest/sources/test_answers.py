"""Reading SageMaker's answers (omkit_sagemaker.ingest.sources.answers): a denied call skips its
asset kind with the action named, any other failure is raised as it is, and odd or missing
answer fields read as "not there", never as a crash."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.exceptions import ClientError
from omkit_sagemaker.ingest.sources.answers import (
    AssetDenied,
    checked_call,
    final_metrics,
    items,
    tags,
    text,
)


def failing(code: str, message: str) -> Any:
    def call(**kwargs: Any) -> Any:
        raise ClientError({"Error": {"Code": code, "Message": message}}, "ListEndpoints")

    return call


@pytest.mark.parametrize("code", ["AccessDenied", "AccessDeniedException", "NotAuthorized"])
def test_a_denied_call_skips_the_kind_naming_the_action_and_aws_s_message(code: str) -> None:
    call = failing(code, "User: arn:aws:iam::123456789012:user/ci is not authorized")
    with pytest.raises(AssetDenied) as caught:
        checked_call("endpoints", "sagemaker:ListEndpoints", call, MaxResults=10)
    assert caught.value.asset == "endpoints"
    assert caught.value.action == "sagemaker:ListEndpoints"
    assert str(caught.value).startswith("sagemaker:ListEndpoints is not allowed (")
    assert "is not authorized" in caught.value.message


def test_any_other_failure_is_raised_as_it_is() -> None:
    with pytest.raises(ClientError, match="ThrottlingException"):
        checked_call("endpoints", "sagemaker:ListEndpoints", failing("ThrottlingException", "slow"))


def test_the_answer_is_passed_with_the_arguments_and_a_non_dict_reads_as_empty() -> None:
    seen: dict[str, Any] = {}

    def call(**kwargs: Any) -> Any:
        seen.update(kwargs)
        return {"Endpoints": []}

    assert checked_call("endpoints", "a", call, NextToken="t") == {"Endpoints": []}
    assert seen == {"NextToken": "t"}
    assert checked_call("endpoints", "a", lambda: ["not", "a", "dict"]) == {}


def test_odd_fields_read_as_not_there() -> None:
    assert items([{"a": 1}, "x", None, {"b": 2}]) == [{"a": 1}, {"b": 2}]
    assert items({"a": 1}) == []
    assert text("") is None
    assert text(42) is None
    assert text("ml.m5.large") == "ml.m5.large"


def test_tags_skip_malformed_entries_and_a_missing_value_is_empty() -> None:
    answer = [
        {"Key": "team", "Value": "risk"},
        {"Key": "owner"},
        {"Value": "no key"},
        {"Key": 3, "Value": "number key"},
        {"Key": "cost", "Value": None},
        "not a tag",
    ]
    assert tags(answer) == (("team", "risk"), ("owner", ""))
    assert tags(None) == ()


def test_final_metrics_keep_the_latest_value_of_each_metric_in_first_seen_order() -> None:
    early = datetime(2024, 1, 1, tzinfo=timezone.utc)
    late = datetime(2024, 1, 2, tzinfo=timezone.utc)
    data = [
        {"MetricName": "loss", "Value": 0.9, "Timestamp": late},
        {"MetricName": "auc", "Value": 0.7},
        {"MetricName": "loss", "Value": 0.5, "Timestamp": early},  # older: not kept
        {"MetricName": "auc", "Value": 0.8},  # no timestamps: the later entry wins
        {"MetricName": "flag", "Value": True},  # a bool is not a metric value
        {"MetricName": "bad", "Value": "high"},
        {"Value": 1.0},
    ]
    assert final_metrics(data) == [("loss", 0.9), ("auc", 0.8)]
    assert final_metrics("nothing") == []
