"""Which endpoints serve which models (omkit_sagemaker.ingest.sources.endpointindex): Search gives
the endpoints, one DescribeEndpointConfig per config names the models (answers held to botocore's
service model by its Stubber); each model gets the variants serving it in endpoint name order
with the current weight and count (else the config's), its invocation URL and the endpoint's
tags; a denied Search falls back to ListEndpoints and DescribeEndpoint, without tags, and says
so; a config that cannot be read leaves its endpoints out with a problem each."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.stub import Stubber
from omkit_sagemaker.ingest.sources.endpointindex import EndpointIndex, Serving, invocation_url

from testing.awsfixtures import MotoServer

WHEN = datetime(2026, 12, 3, tzinfo=timezone.utc)
ARN = "arn:aws:sagemaker:us-east-1:123456789012:endpoint/"


def endpoint(name: str, config: str, **fields: Any) -> dict[str, Any]:
    return {
        "EndpointName": name,
        "EndpointArn": ARN + name,
        "EndpointConfigName": config,
        "EndpointStatus": "InService",
        "CreationTime": WHEN,
        "LastModifiedTime": WHEN,
        **fields,
    }


def config(name: str, *variants: dict[str, Any]) -> dict[str, Any]:
    return {
        "EndpointConfigName": name,
        "EndpointConfigArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/{name}",
        "ProductionVariants": list(variants),
        "CreationTime": WHEN,
    }


AB = config(
    "churn-ab",
    {
        "VariantName": "a",
        "ModelName": "churn-v1",
        "InitialVariantWeight": 0.5,
        "InstanceType": "ml.m5.large",
        "InitialInstanceCount": 1,
    },
    {
        "VariantName": "b",
        "ModelName": "churn-v2",
        "InitialVariantWeight": 0.5,
        "ServerlessConfig": {"MemorySizeInMB": 2048, "MaxConcurrency": 5},
    },
)


@pytest.fixture
def stubbed(moto: MotoServer) -> Iterator[tuple[Any, Stubber]]:
    client = moto.client("sagemaker")
    with Stubber(client) as stubber:
        yield client, stubber


def test_each_model_gets_the_variants_serving_it_with_weights_urls_and_tags(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    live = endpoint(
        "churn-live",
        "churn-ab",
        ProductionVariants=[{"VariantName": "a", "CurrentWeight": 0.9, "CurrentInstanceCount": 3}],
        Tags=[{"Key": "stage", "Value": "prod"}],
    )
    # no ProductionVariants: DescribeEndpoint says the rest
    shadow = endpoint("churn-shadow", "churn-ab", Tags=[{"Key": "stage", "Value": "test"}])
    stubber.add_response("search", {"Results": [{"Endpoint": live}, {"Endpoint": shadow}]})
    stubber.add_response(
        "describe_endpoint",
        endpoint("churn-shadow", "churn-ab"),
        {"EndpointName": "churn-shadow"},
    )
    stubber.add_response(
        "describe_endpoint_config", AB, {"EndpointConfigName": "churn-ab"}
    )  # once for both
    index = EndpointIndex(client, "us-east-1", workers=1, tags=True).read()
    assert index.problems == []
    assert index.servings("churn-v1") == (
        Serving(
            "churn-live",
            "InService",
            "a",
            invocation_url("us-east-1", "churn-live"),
            0.9,
            "ml.m5.large",
            3,
            (("stage", "prod"),),
        ),
        Serving(
            "churn-shadow",
            "InService",
            "a",
            invocation_url("us-east-1", "churn-shadow"),
            0.5,
            "ml.m5.large",
            1,
            (("stage", "test"),),
        ),
    )
    (v2, _) = index.servings("churn-v2")
    assert (v2.variant, v2.instance_type, v2.weight, v2.instance_count) == (
        "b",
        "serverless",
        0.5,
        None,
    )
    assert index.servings("fraud") == ()
    stubber.assert_no_pending_responses()


def test_a_denied_search_falls_back_to_listing_without_tags_and_says_so(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_client_error("search", "AccessDeniedException", "not authorized to Search")
    listing = {
        "Endpoints": [
            {
                "EndpointName": n,
                "EndpointArn": ARN + n,
                "CreationTime": WHEN,
                "LastModifiedTime": WHEN,
                "EndpointStatus": "InService",
            }
            for n in ("b-live", "a-live")
        ]
    }
    stubber.add_response("list_endpoints", listing, {"MaxResults": 100})
    stubber.add_response(
        "describe_endpoint", endpoint("a-live", "churn-ab"), {"EndpointName": "a-live"}
    )
    stubber.add_response(
        "describe_endpoint", endpoint("b-live", "churn-ab"), {"EndpointName": "b-live"}
    )
    stubber.add_response("describe_endpoint_config", AB, {"EndpointConfigName": "churn-ab"})
    index = EndpointIndex(client, "us-east-1", workers=1, tags=True).read()
    assert [s.endpoint for s in index.servings("churn-v1")] == ["a-live", "b-live"]  # name order
    assert all(s.tags == () for s in index.servings("churn-v1"))
    ((subject, message),) = index.problems
    assert subject == "tags"
    assert message.startswith("Search on Endpoint failed: AccessDeniedException")
    assert message.endswith("; no tags")


def test_a_config_that_cannot_be_read_leaves_each_of_its_endpoints_out(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    records = [
        {"Endpoint": endpoint(n, "gone", ProductionVariants=[{"VariantName": "a"}])}
        for n in ("one", "two")
    ]
    stubber.add_response("search", {"Results": records})
    stubber.add_client_error(
        "describe_endpoint_config", "ValidationException", "Could not find endpoint configuration"
    )
    index = EndpointIndex(client, "us-east-1", workers=1).read()
    assert index.by_model == {}
    assert [s for s, _ in index.problems] == ["one", "two"]
    assert all(
        m.startswith("DescribeEndpointConfig gone failed: ValidationException")
        for _, m in index.problems
    )


def test_china_regions_are_invoked_under_com_cn() -> None:
    assert (
        invocation_url("cn-north-1", "e")
        == "https://runtime.sagemaker.cn-north-1.amazonaws.com.cn/endpoints/e/invocations"
    )
    assert invocation_url("eu-west-1", "e").startswith(
        "https://runtime.sagemaker.eu-west-1.amazonaws.com/"
    )
