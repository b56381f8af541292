"""Reading models with ``Search(Resource="Model")``: 100 models and their tags per call.

moto 5.2.5 does not support ``Search`` on ``Model`` (it answers ValidationException), so the
Search path is tested with botocore's ``Stubber``: every stubbed request and answer is checked
against the SageMaker service model's shapes (``SearchRequest``, ``SearchResponse`` whose
``SearchRecord.Model.Model`` holds DescribeModel's fields plus ``Tags``). The fallback (a
refused or unsupported Search) is tested on moto itself, over real HTTP.
"""

from __future__ import annotations

import datetime
from collections import Counter
from pathlib import Path
from typing import Any, ClassVar

import boto3
import pytest
from botocore.stub import Stubber
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel, SageMakerSource, UnreadModel
from omkit_sagemaker.ingest.sources.search import SearchFailed, search_pages
from omkit_sagemaker.ingest.sources.training import BATCH_URLS, TrainingJobs, batch_expression
from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials

from testing.awsfaults import FaultProxy
from testing.awsfixtures import ACCOUNT, REGION, MotoServer, create_model, seed_estate, tag_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text
from testing.searchdouble import as_json
from testing.shapecheck import answered, check_answer, check_request, validating

CREATED = datetime.datetime(2026, 11, 2, 9, 30, tzinfo=datetime.timezone.utc)


def stubbed_client() -> Any:
    """A real botocore SageMaker client that never reaches the network (the Stubber answers),
    whose requests are held to the documented limits too (``shapecheck.validating``)."""
    return validating(
        boto3.client(
            "sagemaker",
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            endpoint_url="http://127.0.0.1:9",
        )
    )


def arn(name: str) -> str:
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:model/{name}"


def record(name: str, **extra: Any) -> dict[str, Any]:
    """One ``SearchRecord`` of a model, as the Search API shapes it."""
    model: dict[str, Any] = {
        "ModelName": name,
        "ModelArn": arn(name),
        "PrimaryContainer": {"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/m:{name}"},
        "ExecutionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/SageMakerExecution",
        "CreationTime": CREATED,
        "Tags": [{"Key": "team", "Value": "risk"}],
        **extra,
    }
    return {"Model": {"Model": model}}


def search_params(token: str | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {"Resource": "Model", "MaxResults": 100}
    if token:
        params["NextToken"] = token
    return params


def test_search_reads_250_models_with_their_tags_in_5_calls() -> None:
    client = stubbed_client()
    names = [f"m-{i:03d}" for i in range(250)]
    with Stubber(client) as stub:
        for number, start in enumerate(range(0, 250, 100)):
            answer: dict[str, Any] = {"Results": [record(n) for n in names[start : start + 100]]}
            if start + 100 < 250:
                answer["NextToken"] = f"page-{number + 1}"
            token = f"page-{number}" if number else None
            stub.add_response("search", answer, search_params(token))
        listing = {"Models": [model_summary(n) for n in names[:100]], "NextToken": "more"}
        stub.add_response("list_models", listing, {"MaxResults": 100})
        rest = {"Models": [model_summary(n) for n in names[100:]]}
        stub.add_response("list_models", rest, {"MaxResults": 100, "NextToken": "more"})
        totals: list[int] = []
        source = SageMakerSource(client, on_listed=totals.append)
        items = list(source.items())
        stub.assert_no_pending_responses()  # 3 Search + 2 ListModels calls, nothing per model
    assert [i.name for i in items] == names
    assert all(isinstance(i, SageMakerModel) for i in items)
    first = items[0]
    assert isinstance(first, SageMakerModel)
    assert first.tags == (("team", "risk"),)
    assert first.arn == arn("m-000")
    assert first.creation_time == CREATED
    assert source.listing_complete
    assert source.search_error is None
    assert source.searched == 250
    assert totals == [250, 250]  # from the last Search page, then from the last ListModels page


def test_search_is_mapped_like_describe_model_and_list_tags() -> None:
    """The same model through both paths gives the same model (multi-container included)."""
    containers = [{"Image": "first:1", "ModelDataUrl": "s3://b/first.tar.gz"}, {"Image": "x:2"}]
    searched = stubbed_client()
    described = stubbed_client()
    rec = record("multi", Containers=containers)
    del rec["Model"]["Model"]["PrimaryContainer"]
    with Stubber(searched) as stub:
        stub.add_response("search", {"Results": [rec]}, search_params())
        stub.add_response("list_models", {"Models": [model_summary("multi")]})
        via_search = list(SageMakerSource(searched).items())
    with Stubber(described) as stub:
        stub.add_client_error("search", "AccessDeniedException", "not allowed", 400)
        stub.add_response("list_models", {"Models": [model_summary("multi")]})
        answer = {k: v for k, v in rec["Model"]["Model"].items() if k != "Tags"}
        stub.add_response("describe_model", answer, {"ModelName": "multi"})
        stub.add_response(
            "list_tags",
            {"Tags": [{"Key": "team", "Value": "risk"}]},
            {"ResourceArn": arn("multi"), "MaxResults": 100},
        )
        via_describe = list(SageMakerSource(described).items())
    assert via_search == via_describe
    assert isinstance(via_search[0], SageMakerModel)
    assert via_search[0].image == "first:1"
    assert via_search[0].model_data_url == "s3://b/first.tar.gz"


def model_summary(name: str) -> dict[str, Any]:
    return {"ModelName": name, "ModelArn": arn(name), "CreationTime": CREATED}


def test_a_failed_search_page_falls_back_without_reading_a_model_twice() -> None:
    """Page 1 through Search; page 2 refused: ListModels, then the per-model calls only for the
    models page 1 did not have."""
    client = stubbed_client()
    with Stubber(client) as stub:
        page = {"Results": [record("a"), record("b")], "NextToken": "next"}
        stub.add_response("search", page, search_params())
        stub.add_client_error("search", "AccessDeniedException", "no sagemaker:Search", 400)
        listing = {"Models": [model_summary(n) for n in ("a", "b", "c")]}
        stub.add_response("list_models", listing, {"MaxResults": 100})
        answer = {k: v for k, v in record("c")["Model"]["Model"].items() if k != "Tags"}
        stub.add_response("describe_model", answer, {"ModelName": "c"})
        stub.add_response("list_tags", {"Tags": []}, {"ResourceArn": arn("c"), "MaxResults": 100})
        source = SageMakerSource(client, workers=1)
        items = list(source.items())
        stub.assert_no_pending_responses()
    assert [i.name for i in items] == ["a", "b", "c"]
    assert source.listing_complete
    assert source.searched == 2
    assert source.search_error is not None
    assert "AccessDeniedException" in source.search_error


def test_a_model_search_does_not_have_yet_is_described_not_missed() -> None:
    """Search's index can lag behind a new model: ListModels lists it, so it is described."""
    client = stubbed_client()
    with Stubber(client) as stub:
        stub.add_response("search", {"Results": [record("old")]})
        stub.add_response("list_models", {"Models": [model_summary("old"), model_summary("new")]})
        answer = {k: v for k, v in record("new")["Model"]["Model"].items() if k != "Tags"}
        stub.add_response("describe_model", answer, {"ModelName": "new"})
        stub.add_response("list_tags", {"Tags": []}, {"ResourceArn": arn("new"), "MaxResults": 100})
        source = SageMakerSource(client, workers=1)
        items = list(source.items())
        stub.assert_no_pending_responses()
    assert [i.name for i in items] == ["old", "new"]
    assert all(isinstance(i, SageMakerModel) for i in items)
    assert source.listed == {"old", "new"}
    assert source.listing_complete


def test_search_records_go_through_the_filter_before_anything() -> None:
    from omkit_sagemaker.ingest.sources.sagemaker import FilteredModel, ModelFilter

    client = stubbed_client()
    with Stubber(client) as stub:
        stub.add_response("search", {"Results": [record("keep-1"), record("drop-1")]})
        stub.add_response(
            "list_models", {"Models": [model_summary(n) for n in ("keep-1", "drop-1")]}
        )
        items = list(SageMakerSource(client, ModelFilter.compile(excludes=["drop"])).items())
    assert [type(i) for i in items] == [SageMakerModel, FilteredModel]


def test_no_tags_ignores_the_tags_search_returns() -> None:
    client = stubbed_client()
    with Stubber(client) as stub:
        stub.add_response("search", {"Results": [record("a")]})
        stub.add_response("list_models", {"Models": [model_summary("a")]})
        (item,) = list(SageMakerSource(client, tags=False).items())
    assert isinstance(item, SageMakerModel)
    assert item.tags == ()


def batch_params(urls: list[str]) -> dict[str, Any]:
    """The batched Search on TrainingJob for ``urls``."""
    expression = batch_expression(urls)
    return {"Resource": "TrainingJob", "SearchExpression": expression, "MaxResults": 100}


@pytest.mark.parametrize("training", [False, True], ids=["models", "with-training-jobs"])
def test_calls_per_model_with_search_allowed_are_at_most_0_05(training: bool) -> None:
    """The CI variant of the run bench's call count: 1,000 models, Search allowed; with the
    training-jobs kind on, three batched Searches per page of models (each within the documented
    limits of a SearchExpression, which the validating client enforces) find their jobs."""
    client = stubbed_client()
    calls: Counter[str] = Counter()
    client.meta.events.register(  # before the Stubber answers (it hooks before-call)
        "before-parameter-build.sagemaker.*", lambda model, **_: calls.update([model.name])
    )
    with Stubber(client) as stub:
        for page in range(10):  # 10 pages of 100
            urls = [f"s3://bench/m-{page}-{i:02d}/model.tar.gz" for i in range(100)]
            answer: dict[str, Any] = {
                "Results": [
                    record(f"m-{page}-{i:02d}", PrimaryContainer={"Image": "i", "ModelDataUrl": u})
                    for i, u in enumerate(urls)
                ]
            }
            if page < 9:
                answer["NextToken"] = f"t{page + 1}"
            stub.add_response("search", answer)
            for start in range(0, 100, BATCH_URLS) if training else ():  # 47 + 47 + 6
                batch = urls[start : start + BATCH_URLS]
                stub.add_response("search", {"Results": []}, batch_params(batch))
        for page in range(10):
            listing: dict[str, Any] = {
                "Models": [model_summary(f"m-{page}-{i:02d}") for i in range(100)]
            }
            if page < 9:
                listing["NextToken"] = f"l{page + 1}"
            stub.add_response("list_models", listing)
        jobs = TrainingJobs(client) if training else None
        items = list(SageMakerSource(client, training=jobs).items())
    assert len(items) == 1000
    searches = 40 if training else 10  # the jobs: 3 batches AWS accepts per 100 models
    assert calls == {"Search": searches, "ListModels": 10}  # nothing per model
    assert sum(calls.values()) / len(items) <= 0.05


# ---- the pager's bounds ------------------------------------------------------------------------


class Repeating:
    """A SageMaker that answers every Search page with the same NextToken (requests and answers
    held to the service model, ``shapecheck.answered``)."""

    def __init__(self) -> None:
        self.calls = 0

    def search(self, **kwargs: Any) -> Any:
        self.calls += 1
        answer = {"Results": [record(f"m{self.calls}")], "NextToken": "again"}
        return answered("Search", kwargs, answer)


def test_a_repeated_next_token_stops_the_pager() -> None:
    client = Repeating()
    with pytest.raises(SearchFailed, match="repeated a NextToken"):
        list(search_pages(client, "Model"))
    assert client.calls == 2


def test_the_pager_reads_at_most_max_pages() -> None:
    class Endless(Repeating):
        def search(self, **kwargs: Any) -> Any:
            self.calls += 1
            return answered("Search", kwargs, {"Results": [], "NextToken": f"t{self.calls}"})

    client = Endless()
    with pytest.raises(SearchFailed, match="more than 5 pages") as caught:
        list(search_pages(client, "Model", max_pages=5))
    assert client.calls == 5
    assert caught.value.pages == 5


def test_a_repeating_search_falls_back_and_still_reads_every_model() -> None:
    class Listing(Repeating):
        def list_models(self, **kwargs: Any) -> Any:
            answer = {"Models": [model_summary(n) for n in ("m1", "m2", "m3")]}
            return answered("ListModels", kwargs, answer)

        def describe_model(self, **kwargs: Any) -> Any:
            model = record(kwargs["ModelName"])["Model"]["Model"]
            return answered(
                "DescribeModel", kwargs, {k: v for k, v in model.items() if k != "Tags"}
            )

        def list_tags(self, **kwargs: Any) -> Any:
            return answered("ListTags", kwargs, {"Tags": []})

    source = SageMakerSource(Listing())
    items = list(source.items())
    assert sorted(i.name for i in items) == ["m1", "m2", "m3"]
    assert not any(isinstance(i, UnreadModel) for i in items)
    assert source.listing_complete


# ---- end to end: moto for everything but the models' Search ------------------------------------


class SearchingMoto:
    """A moto client whose ``Search(Resource="Model")`` is answered by a Stubber-checked client
    with records built from moto's own DescribeModel and ListTags answers (moto cannot search
    models); every other call goes to moto over HTTP."""

    def __init__(self, moto: MotoServer, calls: Counter[str]) -> None:
        self.moto = moto.client("sagemaker")
        self.moto.meta.events.register(
            "before-call.sagemaker.*", lambda model, **_: calls.update([model.name])
        )
        self.calls = calls
        self.stubbed = stubbed_client()
        self.stub = Stubber(self.stubbed)
        results = []
        for summary in self.moto.list_models()["Models"]:
            described = self.moto.describe_model(ModelName=summary["ModelName"])
            described.pop("ResponseMetadata")
            # moto answers an empty VpcConfig, which the shape does not allow (AWS leaves it out)
            described = {k: v for k, v in described.items() if v != {}}
            tags = self.moto.list_tags(ResourceArn=described["ModelArn"])["Tags"]
            results.append({"Model": {"Model": {**described, "Tags": tags}}})
        calls.clear()
        self.stub.add_response("search", {"Results": results}, search_params())
        self.stub.activate()

    def search(self, **kwargs: Any) -> Any:
        if kwargs.get("Resource") == "Model":
            self.calls["Search:Model"] += 1
            return self.stubbed.search(**kwargs)
        return self.moto.search(**kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.moto, name)


def run(tmp_path: Path, moto: MotoServer, om: OMServer, **options: Any) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om.url, moto.endpoint), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    return ingestrun.run(path, RunOptions(environ=environ, http_backoff=0.0, **options))


def test_a_run_through_search_sends_the_same_bodies_as_through_describe(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed_estate(moto)
    tag_model(moto, arn("churn"), {"team": "risk", "tier": "gold"})
    create_model(moto, "tagless", Image="registry.example.com/tagless:1")
    described = run(tmp_path, moto, om_server)  # moto refuses Search on Model: the fallback
    assert described.exit_code == 0, described.status.errors
    bodies = [r.body for r in om_server.calls("PUT", "/api/v1/mlmodels")]
    assert len(bodies) == 5
    om_server.clear_requests()
    calls: Counter[str] = Counter()
    hybrid = SearchingMoto(moto, calls)

    def factory(aws: AwsCredentials, workers: int) -> Any:
        return hybrid

    searched = run(tmp_path, moto, om_server, sagemaker_client=factory)
    assert searched.exit_code == 0, searched.status.errors
    hybrid.stub.assert_no_pending_responses()
    again = [r.body for r in om_server.calls("PUT", "/api/v1/mlmodels")]
    key = lambda b: b["name"]  # noqa: E731
    assert sorted(again, key=key) == sorted(bodies, key=key)
    assert any(b.get("tags") for b in again)  # the tags came from Search
    assert calls["Search:Model"] == 1
    assert calls["ListModels"] == 1  # which models exist
    for per_model in ("DescribeModel", "ListTags"):
        assert calls[per_model] == 0, calls


# ---- a Search that never stops making tokens (issue 25) ----------------------------------------

NOW = CREATED.timestamp()


def same_record(resource: str) -> dict[str, Any]:
    """The one record the endless double gives of ``resource`` (SearchRecord's shape)."""
    arn_of = f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:"
    if resource == "Model":
        return record("m1")
    if resource == "Endpoint":
        endpoint = {
            "EndpointName": "e1",
            "EndpointArn": arn_of + "endpoint/e1",
            "EndpointConfigName": "c1",
            "EndpointStatus": "InService",
            "CreationTime": NOW,
            "LastModifiedTime": NOW,
            "ProductionVariants": [{"VariantName": "v", "CurrentWeight": 1.0}],
        }
        return {"Endpoint": endpoint}
    if resource == "FeatureGroup":
        return {"FeatureGroup": {"FeatureGroupName": "f1", "FeatureGroupArn": arn_of + "fg/f1"}}
    group = {"ModelPackageGroupName": "g1", "ModelPackageGroupArn": arn_of + "mpg/g1"}
    return {"ModelPackageGroup": group}


class EndlessTokens:
    """A SageMaker whose ``Search`` gives the same record with a new ``NextToken`` every time,
    forever (``ModelPackage``: nothing). Every request and answer is held to the service model
    and the documented limits (``shapecheck``), as AWS would."""

    CANNED: ClassVar[dict[str, dict[str, Any]]] = {
        "DescribeEndpointConfig": {
            "EndpointConfigName": "c1",
            "EndpointConfigArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:endpoint-config/c1",
            "ProductionVariants": [{"VariantName": "v", "ModelName": "m1"}],
            "CreationTime": NOW,
        },
        "DescribeFeatureGroup": {
            "FeatureGroupArn": f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:feature-group/f1",
            "FeatureGroupName": "f1",
            "RecordIdentifierFeatureName": "id",
            "EventTimeFeatureName": "t",
            "FeatureDefinitions": [{"FeatureName": "id", "FeatureType": "String"}],
            "CreationTime": NOW,
            "NextToken": "",
        },
        "ListModels": {"Models": [{"ModelName": "m1", "ModelArn": arn("m1"), "CreationTime": NOW}]},
        "ListTags": {"Tags": []},
    }

    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()

    def call(self, operation: str, params: dict[str, Any], answer: dict[str, Any]) -> Any:
        self.calls[operation] += 1
        check_request(operation, params)
        check_answer(operation, answer)
        return answer

    def search(self, **params: Any) -> Any:
        resource = params["Resource"]
        self.calls[f"Search:{resource}"] += 1
        if resource == "ModelPackage":
            return self.call("Search", params, {"Results": []})
        token = f"t{self.calls[f'Search:{resource}']}"
        return self.call("Search", params, {"Results": [same_record(resource)], "NextToken": token})

    def __getattr__(self, name: str) -> Any:
        operation = "".join(part.title() for part in name.split("_"))
        if operation not in self.CANNED:
            raise AttributeError(name)
        return lambda **params: self.call(operation, params, self.CANNED[operation])


def test_an_endless_model_search_stops_at_the_first_page_with_nothing_new() -> None:
    """Today's pager ran such a Search to its 10,000-page cap; now the second page (only the
    record the first gave, and another token) ends it, with a warning naming the resource, and
    the models still come from ListModels."""
    client = EndlessTokens()
    source = SageMakerSource(client, workers=1)
    items = list(source.items())
    assert client.calls["Search:Model"] == 2
    assert [i.name for i in items] == ["m1"]
    assert source.listing_complete
    (warning,) = source.warnings
    assert warning.startswith("Search on Model gave a page with no record it had not given")


@pytest.mark.parametrize("resource", ["Endpoint", "FeatureGroup", "ModelPackageGroup"])
def test_every_search_listing_stops_at_the_first_page_with_nothing_new(resource: str) -> None:
    from omkit_sagemaker.ingest.sources.endpointindex import EndpointIndex
    from omkit_sagemaker.ingest.sources.featureindex import FeatureIndex
    from omkit_sagemaker.ingest.sources.registryindex import RegistryIndex

    client = EndlessTokens()
    index: Any
    if resource == "Endpoint":
        index = EndpointIndex(client, REGION, workers=1).read()
        assert index.servings("m1")
    elif resource == "FeatureGroup":
        index = FeatureIndex(client, workers=1).read()
        assert [g.name for g in index.groups] == ["f1"]
    else:
        index = RegistryIndex(client).read()
        assert list(index.groups) == ["g1"]
        assert not index.complete  # nothing of the registry may be soft-deleted
    assert client.calls[f"Search:{resource}"] == 2
    assert any(
        f"Search on {resource} gave a page with no record it had not given" in message
        for _, message in index.problems
    ), index.problems


def test_a_run_warns_once_naming_the_resource_of_an_endless_search(
    moto: MotoServer, om_server: OMServer, aws_faults: FaultProxy, tmp_path: Path
) -> None:
    """Over HTTP: moto behind the proxy, whose Search on Model is the endless double."""
    create_model(moto, "m1", Image="registry.example.com/m1:1")
    endless = EndlessTokens()
    aws_faults.handlers["Search"] = lambda params: (
        as_json(endless.search(**params)) if params.get("Resource") == "Model" else None
    )
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om_server.url, aws_faults.endpoint), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token}
    result = ingestrun.run(path, RunOptions(environ=environ, assets=frozenset({"models"})))
    assert result.exit_code == 0, result.status.errors
    assert endless.calls["Search:Model"] == 2
    assert [(w.subject, w.message.split(" (")[0]) for w in result.status.warnings] == [
        ("models", "Search on Model gave a page with no record it had not given already")
    ]
    assert [r.body["name"] for r in om_server.calls("PUT", "/api/v1/mlmodels")] == ["m1"]
