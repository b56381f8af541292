"""The SageMaker source (omkit_sagemaker.ingest.sources.sagemaker): listing,
per-model failures,
streaming.

Paging uses botocore's Stubber (moto ignores MaxResults and never returns NextToken); the rest
runs against the moto server over real HTTP.
"""

from __future__ import annotations

import threading
import time
from datetime import datetime, timezone
from typing import Any

from botocore.exceptions import ClientError
from omkit_sagemaker.ingest.sources.sagemaker import (
    FilteredModel,
    Item,
    ModelFilter,
    SageMakerModel,
    SageMakerSource,
    UnreadModel,
)

from testing.awsfixtures import ACCOUNT, REGION, MotoServer, create_model, tag_model
from testing.shapecheck import answered, check_request, validating

CREATED = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)


def arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/{name}"


def stub_client() -> Any:
    """A stubbed botocore client whose requests are also held to the documented limits."""
    import boto3

    return validating(
        boto3.client(
            "sagemaker",
            region_name=REGION,
            aws_access_key_id="AKIAZZZZTESTKEY12345",
            aws_secret_access_key="stub-secret",
        )
    )


class Split:
    """One client for ListModels and another for the per-model calls: the listing (main thread)
    and the per-model calls (the pool) interleave freely, and a Stubber wants a fixed order."""

    def __init__(self, lister: Any, describer: Any) -> None:
        self.lister, self.describer = lister, describer

    def list_models(self, **kwargs: Any) -> Any:
        return self.lister.list_models(**kwargs)

    def describe_model(self, **kwargs: Any) -> Any:
        return self.describer.describe_model(**kwargs)

    def list_tags(self, **kwargs: Any) -> Any:
        return self.describer.list_tags(**kwargs)


def summary(name: str) -> dict[str, Any]:
    return {"ModelName": name, "ModelArn": arn(name), "CreationTime": CREATED}


def described(name: str, **container: str) -> dict[str, Any]:
    return {
        "ModelName": name,
        "ModelArn": arn(name),
        "CreationTime": CREATED,
        "PrimaryContainer": container or {"Image": f"img/{name}"},
        "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/r",
    }


def names(items: list[Item]) -> list[str]:
    return [i.name for i in items]


# ---- paging and calls (botocore Stubber) ----------------------------------------------------


def test_every_page_is_read_and_every_model_described_and_tagged() -> None:
    from botocore.stub import Stubber

    lister, describer = stub_client(), stub_client()
    pages = [["m1", "m2"], ["m3", "m4"], ["m5"]]
    with Stubber(lister) as listing, Stubber(describer) as per_model:
        for i, page in enumerate(pages):
            params: dict[str, Any] = {"MaxResults": 100}
            if i:
                params["NextToken"] = f"token-{i}"
            response: dict[str, Any] = {"Models": [summary(n) for n in page]}
            if i < len(pages) - 1:
                response["NextToken"] = f"token-{i + 1}"
            listing.add_response("list_models", response, params)
            for name in page:
                per_model.add_response("describe_model", described(name), {"ModelName": name})
                per_model.add_response(
                    "list_tags",
                    {"Tags": [{"Key": "team", "Value": name}]},
                    {"ResourceArn": arn(name), "MaxResults": 100},
                )
        source = SageMakerSource(Split(lister, describer), workers=1)
        items = list(source.items())
        listing.assert_no_pending_responses()
        per_model.assert_no_pending_responses()
    assert names(items) == ["m1", "m2", "m3", "m4", "m5"]
    assert all(isinstance(i, SageMakerModel) for i in items)
    first = items[0]
    assert isinstance(first, SageMakerModel)
    assert first.tags == (("team", "m1"),)
    assert first.image == "img/m1"
    assert first.creation_time == CREATED
    assert source.listing_complete
    assert source.listed == {"m1", "m2", "m3", "m4", "m5"}


def test_list_tags_pages_are_followed() -> None:
    from botocore.stub import Stubber

    client = stub_client()
    with Stubber(client) as stub:
        stub.add_response(
            "list_tags",
            {"Tags": [{"Key": "a", "Value": "1"}], "NextToken": "t"},
            {"ResourceArn": arn("m"), "MaxResults": 100},
        )
        stub.add_response(
            "list_tags",
            {"Tags": [{"Key": "b", "Value": ""}]},
            {"ResourceArn": arn("m"), "MaxResults": 100, "NextToken": "t"},
        )
        assert SageMakerSource(client).list_tags(arn("m")) == (("a", "1"), ("b", ""))


def test_a_failing_describe_is_a_failure_and_the_others_go_on() -> None:
    from botocore.stub import Stubber

    lister, describer = stub_client(), stub_client()
    with Stubber(lister) as listing, Stubber(describer) as stub:
        listing.add_response("list_models", {"Models": [summary(n) for n in ("a", "b", "c")]})
        stub.add_response("describe_model", described("a"))
        stub.add_response("list_tags", {"Tags": []})
        stub.add_client_error(
            "describe_model", "ValidationException", "Could not find model b.", 400
        )
        stub.add_response("describe_model", described("c"))
        stub.add_response("list_tags", {"Tags": []})
        source = SageMakerSource(Split(lister, describer), workers=1)
        items = list(source.items())
    assert names(items) == ["a", "b", "c"]
    failure = items[1]
    assert isinstance(failure, UnreadModel)
    assert failure.message == "DescribeModel failed: ValidationException: Could not find model b."
    assert source.listing_complete


def test_a_failing_list_tags_keeps_the_model_without_tags() -> None:
    from botocore.stub import Stubber

    lister, describer = stub_client(), stub_client()
    with Stubber(lister) as listing, Stubber(describer) as stub:
        listing.add_response("list_models", {"Models": [summary("a")]})
        stub.add_response("describe_model", described("a"))
        stub.add_client_error("list_tags", "AccessDeniedException", "not allowed", 400)
        (item,) = list(SageMakerSource(Split(lister, describer), workers=1).items())
    assert isinstance(item, SageMakerModel)
    assert item.tags == ()
    assert item.tags_error == "ListTags failed: AccessDeniedException: not allowed"


def test_a_failing_page_ends_the_listing_incomplete() -> None:
    from botocore.stub import Stubber

    lister, describer = stub_client(), stub_client()
    with Stubber(lister) as listing, Stubber(describer) as stub:
        listing.add_response("list_models", {"Models": [summary("a")], "NextToken": "t"})
        stub.add_response("describe_model", described("a"))
        stub.add_response("list_tags", {"Tags": []})
        listing.add_client_error("list_models", "ThrottlingException", "Rate exceeded", 400)
        source = SageMakerSource(Split(lister, describer), workers=1)
        items = list(source.items())
    assert names(items) == ["a"]
    assert not source.listing_complete
    assert source.listing_error == "ListModels failed: ThrottlingException: Rate exceeded"


def test_filtered_models_are_not_described_but_are_listed() -> None:
    from botocore.stub import Stubber

    lister, describer = stub_client(), stub_client()
    with Stubber(lister) as listing, Stubber(describer) as stub:
        listing.add_response("list_models", {"Models": [summary("keep-1"), summary("drop-1")]})
        stub.add_response("describe_model", described("keep-1"), {"ModelName": "keep-1"})
        source = SageMakerSource(
            Split(lister, describer), ModelFilter.compile(excludes=["drop"]), workers=1, tags=False
        )
        items = list(source.items())
        stub.assert_no_pending_responses()
    assert isinstance(items[0], SageMakerModel)
    assert items[1] == FilteredModel("drop-1")
    assert source.listed == {"keep-1", "drop-1"}


# ---- concurrency and streaming ---------------------------------------------------------------


class SlowFakeClient:
    """A SageMaker client stand-in: many pages, slow DescribeModel, records concurrency (each
    request and answer held to the service model, ``shapecheck.answered``)."""

    def __init__(self, pages: int, per_page: int, delay: float) -> None:
        self.pages, self.per_page, self.delay = pages, per_page, delay
        self.pages_read = 0
        self.active = 0
        self.most_active = 0
        self.lock = threading.Lock()

    def list_models(self, **kwargs: Any) -> dict[str, Any]:
        page = int(kwargs.get("NextToken", "0"))
        self.pages_read += 1
        models = [summary(f"m-{page}-{i}") for i in range(self.per_page)]
        out: dict[str, Any] = {"Models": models}
        if page + 1 < self.pages:
            out["NextToken"] = str(page + 1)
        return answered("ListModels", kwargs, out)

    def describe_model(self, ModelName: str) -> dict[str, Any]:
        with self.lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        time.sleep(self.delay)
        with self.lock:
            self.active -= 1
        return answered("DescribeModel", {"ModelName": ModelName}, described(ModelName))

    def list_tags(self, **kwargs: Any) -> dict[str, Any]:
        return answered("ListTags", kwargs, {"Tags": []})

    def search(self, **kwargs: Any) -> dict[str, Any]:
        check_request("Search", kwargs)
        raise ClientError(  # as moto: no Search on Model
            {"Error": {"Code": "ValidationException", "Message": "no Model resource"}}, "Search"
        )


def test_describe_runs_in_parallel_up_to_the_worker_count() -> None:
    client = SlowFakeClient(pages=1, per_page=40, delay=0.02)
    started = time.monotonic()
    items = list(SageMakerSource(client, workers=8).items())
    elapsed = time.monotonic() - started
    assert len(items) == 40
    assert client.most_active == 8
    assert elapsed < 40 * 0.02 / 2  # far quicker than one at a time


def test_the_source_streams_instead_of_listing_everything_first() -> None:
    client = SlowFakeClient(pages=50, per_page=100, delay=0.0)
    items = SageMakerSource(client, workers=4).items()
    first = next(items)
    assert first.name == "m-0-0"
    assert client.pages_read == 1  # the first model comes out before page 2 is asked for
    for _ in range(250):
        next(items)
    assert client.pages_read <= 4
    items.close()  # stopping early cancels the rest


# ---- against moto ------------------------------------------------------------------------------


def test_models_from_moto(moto: MotoServer) -> None:
    model_arn = create_model(
        moto, "churn", Image="123.dkr.ecr/churn:1", ModelDataUrl="s3://bucket/churn.tar.gz"
    )
    tag_model(moto, model_arn, {"team": "ml", "aws:cloudformation:stack-name": "stack"})
    create_model(moto, "fraud", Image="123.dkr.ecr/fraud:2")  # no ModelDataUrl
    source = SageMakerSource(moto.client("sagemaker"), workers=4)
    items = {i.name: i for i in source.items()}
    churn, fraud = items["churn"], items["fraud"]
    assert isinstance(churn, SageMakerModel)
    assert isinstance(fraud, SageMakerModel)
    assert churn.image == "123.dkr.ecr/churn:1"
    assert churn.model_data_url == "s3://bucket/churn.tar.gz"
    assert set(churn.tags) == {("team", "ml"), ("aws:cloudformation:stack-name", "stack")}
    assert churn.arn == model_arn
    assert churn.creation_time is not None
    assert fraud.model_data_url is None
    assert fraud.tags == ()
    assert source.listing_complete


def test_no_tags_means_no_list_tags_call(moto: MotoServer) -> None:
    create_model(moto, "churn")
    client = moto.client("sagemaker")
    calls: list[str] = []
    client.meta.events.register(
        "before-call.sagemaker.*", lambda model, **_: calls.append(model.name)
    )
    list(SageMakerSource(client, tags=False).items())
    # moto cannot Search models: one refused Search, then the per-model path without ListTags
    assert calls == ["Search", "ListModels", "DescribeModel"]


class Looping:
    """A SageMaker that answers every page with the same ``NextToken`` (requests and answers
    held to the service model, ``shapecheck.answered``)."""

    def __init__(self) -> None:
        self.pages = 0

    def list_models(self, **kwargs: Any) -> Any:
        self.pages += 1
        answer = {"Models": [summary(f"m{self.pages}")], "NextToken": "again"}
        return answered("ListModels", kwargs, answer)

    def describe_model(self, **kwargs: Any) -> Any:
        return answered("DescribeModel", kwargs, described(kwargs["ModelName"]))

    def list_tags(self, **kwargs: Any) -> Any:
        self.pages += 1
        answer = {"Tags": [{"Key": "k", "Value": "v"}], "NextToken": "again"}
        return answered("ListTags", kwargs, answer)

    def search(self, **kwargs: Any) -> Any:
        check_request("Search", kwargs)
        raise ClientError(  # as moto: no Search on Model
            {"Error": {"Code": "ValidationException", "Message": "no Model resource"}}, "Search"
        )


def test_a_repeated_next_token_ends_the_listing_as_incomplete() -> None:
    client = Looping()
    source = SageMakerSource(client, tags=False)
    assert [i.name for i in source.items()] == ["m1", "m2"]
    assert client.pages == 2
    assert not source.listing_complete
    assert source.listing_error == "ListModels repeated a NextToken: the listing was stopped"


def test_a_repeated_tags_token_is_a_tags_warning_not_a_loop() -> None:
    source = SageMakerSource(Looping())
    (item,) = [i for i in source.items() if isinstance(i, SageMakerModel)][:1]
    assert item.tags == ()
    assert item.tags_error is not None
    assert "ListTags repeated a NextToken" in item.tags_error
