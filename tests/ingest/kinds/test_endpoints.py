"""The ``endpoints`` asset kind (omkit_sagemaker.ingest.kinds.endpoints): the endpoints serving
each model are read before the models (moto over real HTTP), a model's request gets their tags
after its own, a denied listing skips the kind with one warning naming the action, and any other
failure leaves the models without endpoints, with a warning."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.stub import Stubber
from omkit_sagemaker.ingest.kinds.assetkind import RunAssets
from omkit_sagemaker.ingest.kinds.endpoints import KIND, with_endpoint_tags
from omkit_sagemaker.ingest.mapping import ModelRequest, model_request
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.ingest.sources.endpointindex import Serving

from testing.awsfixtures import MotoServer, create_endpoint, create_model
from testing.modelcases import churn

REGION = "us-east-1"


def request(tags: tuple[tuple[str, str], ...] = (("team", "ml"),)) -> ModelRequest:
    return model_request(churn(tags=tags), "svc", REGION)


def serving(endpoint: str, *tags: tuple[str, str]) -> Serving:
    url = f"https://runtime.sagemaker.{REGION}.amazonaws.com/endpoints/{endpoint}/invocations"
    return Serving(endpoint, "InService", "AllTraffic", url, tags=tags)


def tag_labels(model: ModelRequest) -> list[str]:
    return [tag["tagFQN"] for tag in model.request.get("tags", [])]


def test_the_serving_endpoints_tags_come_after_the_model_s_own_each_once() -> None:
    own = request()
    served = with_endpoint_tags(
        own,
        (
            serving("churn-live", ("team", "ml"), ("stage", "prod")),
            serving("churn-ab", ("stage", "prod")),
        ),
    )
    assert tag_labels(served) == ["team.ml", "stage.prod"]
    assert [t.fqn for t in served.tags] == ["team.ml", "stage.prod"]
    assert tag_labels(own) == ["team.ml"]  # the request given is left as it was


def test_without_serving_endpoints_or_new_tags_the_request_is_the_same() -> None:
    own = request()
    assert with_endpoint_tags(own, ()) is own
    assert with_endpoint_tags(own, (serving("churn-live", ("team", "ml")),)) is own
    assert (
        with_endpoint_tags(own, (serving("churn-live", ("aws:cloudformation:stack-name", "s")),))
        is own
    )


def test_only_a_model_s_request_is_enriched() -> None:
    assets = RunAssets(client=None, region=REGION, status=RunStatus())
    assets.servings = lambda name: (serving("churn-live", ("stage", "prod")),)
    assert tag_labels(KIND.enrich(assets, request(), None)) == ["team.ml", "stage.prod"]
    group = dataclasses.replace(request(), kind="registry")
    assert KIND.enrich(assets, group, None) is group


def test_read_finds_the_endpoints_serving_each_model(moto: MotoServer) -> None:
    create_model(moto, "churn", Image="registry.example.com/churn:1")
    create_endpoint(
        moto, "churn-live", "churn-config", [("AllTraffic", "churn", 1.0, "ml.m5.large", 1)]
    )
    assets = RunAssets(
        client=moto.client("sagemaker"), region=REGION, status=RunStatus(), workers=2
    )
    KIND.read(assets)
    (found,) = assets.servings("churn")
    assert (found.endpoint, found.variant, found.instance_type) == (
        "churn-live",
        "AllTraffic",
        "ml.m5.large",
    )
    assert found.url.endswith("/endpoints/churn-live/invocations")
    assert assets.servings("fraud") == ()
    assert "endpoints" in assets.read
    assert KIND.probe(moto.client("sagemaker")) == "sagemaker:ListEndpoints allowed (1 seen)"


@pytest.fixture
def stubbed(moto: MotoServer) -> Iterator[tuple[Any, Stubber]]:
    client = moto.client("sagemaker")
    with Stubber(client) as stubber:
        yield client, stubber


def test_a_denied_listing_skips_the_kind_with_one_warning_naming_the_action(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_client_error("search", "AccessDeniedException", "not authorized to Search")
    stubber.add_client_error("list_endpoints", "AccessDeniedException", "not authorized to list")
    status = RunStatus()
    assets = RunAssets(client=client, region=REGION, status=status)
    KIND.read(assets)
    assert assets.skipped == {"endpoints": "sagemaker:ListEndpoints"}
    (warning,) = status.warnings
    assert warning.subject == "endpoints"
    assert warning.message.startswith("skipped: sagemaker:ListEndpoints is not allowed (")
    assert "endpoints" not in assets.read


def test_another_failure_leaves_the_models_without_endpoints_and_says_so(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_client_error("search", "ValidationException", "no Search here")
    stubber.add_client_error("list_endpoints", "ServiceUnavailable", "try later", 503)
    status = RunStatus()
    assets = RunAssets(client=client, region=REGION, status=status)
    KIND.read(assets)
    assert assets.skipped == {}
    assert assets.servings("churn") == ()
    (warning,) = status.warnings
    assert warning.subject == "endpoints"
    assert warning.message.startswith("ListEndpoints failed: ServiceUnavailable")
    assert warning.message.endswith("the models are ingested without their endpoints")
