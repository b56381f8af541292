"""Training-job lookup, endpoint index and the mapped fields, with botocore's Stubber.

moto cannot serve these cases: its ``Search`` rejects the ``ModelArtifacts.S3ModelArtifacts``
filter ("Unknown property name"), its ``FinalMetricDataList`` is always ``train:progress``, its
``TrainingTimeInSeconds`` is absent and its endpoints are InService at once. So a real boto3
client is stubbed (``botocore.stub.Stubber``, no network): the responses below follow the
SageMaker service model's shapes, which the Stubber validates, and the expected parameters are
checked too; every request is also held to the limits botocore does not check (``shapecheck``:
list maxima, MaxResults, the 50 elements of a SearchExpression) and refused as AWS refuses it.
A call that was not queued fails the test, which proves what is *not* called.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from omkit_sagemaker.ingest import details
from omkit_sagemaker.ingest.mapping import model_request
from omkit_sagemaker.ingest.sources.answers import AssetDenied
from omkit_sagemaker.ingest.sources.endpointindex import EndpointIndex, Serving
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel, SageMakerSource
from omkit_sagemaker.ingest.sources.training import (
    BATCH_PAGES,
    BATCH_URLS,
    TrainingJob,
    TrainingJobs,
)

from testing.omdouble import OMServer
from testing.shapecheck import validating
from testing.trainingcases import ELSEWHERE, T0, URL, batch_params, job_shape

ARN = "arn:aws:sagemaker:us-east-1:123456789012:"


@pytest.fixture
def stubbed() -> Iterator[tuple[Any, Stubber]]:
    client = validating(
        boto3.client(
            "sagemaker",
            region_name="us-east-1",
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
    )
    with Stubber(client) as stubber:
        yield client, stubber
        stubber.assert_no_pending_responses()


def search_params(url: str) -> dict[str, Any]:
    return {
        "Resource": "TrainingJob",
        "SearchExpression": {
            "Filters": [
                {"Name": "ModelArtifacts.S3ModelArtifacts", "Operator": "Equals", "Value": url}
            ]
        },
        "MaxResults": 10,
    }


# ---- finding the job ------------------------------------------------------------------------


def test_the_candidate_job_is_confirmed_with_one_describe(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "describe_training_job",
        job_shape("churn-train-7", URL),
        {"TrainingJobName": "churn-train-7"},
    )
    jobs = TrainingJobs(client)
    job = jobs.for_model(URL)
    assert job == TrainingJob(
        name="churn-train-7",
        status="Completed",
        image="683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1",
        hyperparameters=(("max_depth", "5"), ("objective", "binary:logistic")),
        metrics=(("validation:auc", 0.91234), ("train:logloss", 0.2)),
        instance_type="ml.m5.xlarge",
        instance_count=2,
        duration=725.0,
        channels=(("train", "s3://ml-data/train/"),),
    )
    assert jobs.for_model(URL) is job  # models sharing an artifact: no second call


def test_another_layout_falls_back_to_one_bounded_search(stubbed: tuple[Any, Stubber]) -> None:
    """Two jobs wrote the artifact (a re-run): the latest completed one made the model."""
    client, stubber = stubbed
    later = datetime(2026, 12, 1, tzinfo=timezone.utc)
    stubber.add_response(
        "search",
        {
            "Results": [
                {"TrainingJob": job_shape("run-2", ELSEWHERE, TrainingEndTime=later)},
                {"TrainingJob": job_shape("run-1", ELSEWHERE)},
                {"TrainingJob": job_shape("run-3", ELSEWHERE, TrainingJobStatus="Failed")},
                {"TrainingJob": job_shape("other", "s3://other/model.tar.gz")},
            ],
            "NextToken": "more",  # never followed
        },
        search_params(ELSEWHERE),
    )
    job = TrainingJobs(client).for_model(ELSEWHERE)
    assert job is not None
    assert job.name == "run-2"


def test_a_job_that_wrote_elsewhere_is_not_the_model_s_job(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "describe_training_job",
        job_shape("churn-train-7", "s3://ml-artifacts/other/churn-train-7/output/model.tar.gz"),
        {"TrainingJobName": "churn-train-7"},
    )
    stubber.add_response("search", {"Results": []}, search_params(URL))
    assert TrainingJobs(client).for_model(URL) is None


def test_a_gone_job_falls_back_to_search(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "describe_training_job", "ValidationException", "Requested resource not found."
    )
    stubber.add_response("search", {"Results": []}, search_params(URL))
    assert TrainingJobs(client).for_model(URL) is None


def test_access_denied_turns_the_kind_off_after_one_call(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_client_error(
        "describe_training_job",
        "AccessDeniedException",
        "not authorized to perform: sagemaker:DescribeTrainingJob",
        http_status_code=400,
    )
    jobs = TrainingJobs(client)
    assert jobs.for_model(URL) is None
    assert isinstance(jobs.denied, AssetDenied)
    assert jobs.denied.action == "sagemaker:DescribeTrainingJob"
    # nothing else is queued: any further call would fail the test
    assert jobs.for_model("s3://b/fraud-train/output/model.tar.gz") is None
    assert jobs.for_model(ELSEWHERE) is None


def test_a_throttled_lookup_keeps_the_model_with_a_message(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "describe_model",
        {
            "ModelName": "churn",
            "ModelArn": "arn:aws:sagemaker:us-east-1:123456789012:model/churn",
            "CreationTime": T0,
            "PrimaryContainer": {"Image": "img/churn:1", "ModelDataUrl": URL},
        },
        {"ModelName": "churn"},
    )
    stubber.add_client_error("describe_training_job", "ThrottlingException", "Rate exceeded")
    source = SageMakerSource(client, tags=False, training=TrainingJobs(client))
    model = source.describe("churn")
    assert isinstance(model, SageMakerModel)
    assert model.training_job is None
    assert model.training_error == "training job lookup failed: ThrottlingException: Rate exceeded"


# ---- batched lookups (moto's Search has no Or and no artifact filter: Stubber) --------------


def expect_describe_churn(stubber: Stubber) -> None:
    """Queue the DescribeTrainingJob that confirms ``churn-train-7`` (the default layout)."""
    stubber.add_response(
        "describe_training_job",
        job_shape("churn-train-7", URL),
        {"TrainingJobName": "churn-train-7"},
    )


def assert_churn(jobs: TrainingJobs) -> None:
    job = jobs.for_model(URL)
    assert job is not None
    assert job.name == "churn-train-7"


def test_one_search_settles_a_page_of_urls_found_or_not(stubbed: tuple[Any, Stubber]) -> None:
    """Three URLs, two jobs found (one URL written twice, a re-run), one with no job: one call,
    and no per-model Describe or Search afterwards (the Stubber fails any unqueued call)."""
    client, stubber = stubbed
    other = "s3://team-bucket/exports/fraud/model.tar.gz"
    urls = [URL, ELSEWHERE, other]
    later = datetime(2026, 12, 1, tzinfo=timezone.utc)
    stubber.add_response(
        "search",
        {
            "Results": [
                {"TrainingJob": job_shape("churn-train-7", URL)},
                {"TrainingJob": job_shape("run-1", ELSEWHERE)},
                {"TrainingJob": job_shape("run-2", ELSEWHERE, TrainingEndTime=later)},
                {"TrainingJob": job_shape("stray", "s3://not/asked/model.tar.gz")},
            ]
        },
        batch_params(urls),
    )
    jobs = TrainingJobs(client)
    jobs.prefetch([*urls, URL])  # a URL twice is asked once
    found = [jobs.for_model(u) for u in urls]
    assert [j.name if j else None for j in found] == ["churn-train-7", "run-2", None]
    assert (jobs.batch_calls, jobs.batch_settled) == (1, 3)


def test_a_batch_follows_its_pages_and_250_urls_take_6_batches(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    urls = [f"s3://b/exports/m{i:03d}/model.tar.gz" for i in range(250)]
    for start in range(0, 250, BATCH_URLS):
        batch = urls[start : start + BATCH_URLS]
        first = [{"TrainingJob": job_shape(f"job-{start + i}", u)} for i, u in enumerate(batch)]
        stubber.add_response(
            "search", {"Results": first[:30], "NextToken": "n"}, batch_params(batch)
        )
        stubber.add_response("search", {"Results": first[30:]}, batch_params(batch, "n"))
    jobs = TrainingJobs(client)
    jobs.prefetch(urls)
    assert jobs.batch_calls == 12  # 6 batches (47 URLs each, 15 in the last) of 2 pages
    assert [j.name if j else None for j in map(jobs.for_model, urls)] == [
        f"job-{i}" for i in range(250)
    ]


def test_a_refused_batch_falls_back_to_the_per_model_lookup_for_the_run(
    stubbed: tuple[Any, Stubber],
) -> None:
    """An emulator that refuses the expression: one refused call, then today's path (a
    Describe for the default layout), and no more batches."""
    client, stubber = stubbed
    stubber.add_client_error("search", "ValidationException", "Unknown property name")
    expect_describe_churn(stubber)
    jobs = TrainingJobs(client)
    jobs.prefetch([URL])
    jobs.prefetch(["s3://b/later/page/model.tar.gz"])  # off: no call
    assert jobs.batch_off is not None
    assert_churn(jobs)
    # the expression is omkit's own: a refusal is a bug, said once (issue 23)
    ((subject, message),) = jobs.problems
    assert subject == "training-jobs"
    assert "omkit bug" in message
    assert "Unknown property name" in message


def test_search_denied_still_finds_jobs_in_the_default_layout(
    stubbed: tuple[Any, Stubber],
) -> None:
    """Without sagemaker:Search a model in another layout has no job, and the run says so once;
    the kind stays on: a later model in the default layout is still confirmed with Describe."""
    client, stubber = stubbed
    stubber.add_client_error(
        "search", "AccessDeniedException", "not authorized: sagemaker:Search", http_status_code=400
    )
    jobs = TrainingJobs(client)
    assert jobs.for_model(ELSEWHERE) is None
    assert jobs.for_model("s3://team-bucket/exports/other/model.tar.gz") is None  # no call
    expect_describe_churn(stubber)
    assert_churn(jobs)
    assert jobs.denied is None
    ((subject, message),) = jobs.problems
    assert subject == "training-jobs"
    assert message.startswith("sagemaker:Search is not allowed")
    assert "default layout" in message


def test_a_denied_batch_keeps_describe_and_an_over_long_batch_settles_nothing(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    for number in range(BATCH_PAGES):  # a batch with more pages than allowed: not trusted
        token = f"t{number}" if number else None
        page = {"Results": [{"TrainingJob": job_shape(f"run-{number}", ELSEWHERE)}]}
        stubber.add_response(
            "search", {**page, "NextToken": f"t{number + 1}"}, batch_params([ELSEWHERE], token)
        )
    jobs = TrainingJobs(client)
    jobs.prefetch([ELSEWHERE])
    assert jobs.batch_off is None
    assert jobs.batch_settled == 0
    stubber.add_client_error(
        "search", "AccessDeniedException", "not authorized: sagemaker:Search", http_status_code=400
    )
    jobs.prefetch([URL])
    assert jobs.batch_off is not None  # Search denied; DescribeTrainingJob may still be allowed
    assert jobs.denied is None
    expect_describe_churn(stubber)
    assert_churn(jobs)


def test_a_batch_whose_pages_bring_nothing_new_stops_with_a_warning(
    stubbed: tuple[Any, Stubber],
) -> None:
    """Issue 25: page 2 gives page 1's job again, with a new token. The batch stops there (not at
    its page cap), says so once naming the resource, and the URL is looked up on its own."""
    client, stubber = stubbed
    page = {"Results": [{"TrainingJob": job_shape("churn-train-7", URL)}]}
    stubber.add_response("search", {**page, "NextToken": "t1"}, batch_params([URL]))
    stubber.add_response("search", {**page, "NextToken": "t2"}, batch_params([URL], "t1"))
    jobs = TrainingJobs(client)
    jobs.prefetch([URL])
    assert jobs.batch_calls == 2
    assert jobs.batch_settled == 0
    ((subject, message),) = jobs.problems
    assert subject == "training-jobs"
    assert message.startswith("Search on TrainingJob gave a page with no record")
    jobs.prefetch(["s3://b/later/page/model.tar.gz"])  # off: no call
    expect_describe_churn(stubber)
    assert_churn(jobs)


def test_an_emulator_refusing_the_artifact_filter_is_asked_once(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_client_error("search", "ValidationException", "Unknown property name")
    jobs = TrainingJobs(client)
    assert jobs.for_model(ELSEWHERE) is None
    assert jobs.for_model("s3://team-bucket/exports/other/model.tar.gz") is None  # no call


def test_models_searched_in_pages_get_their_jobs_in_batches_per_page(
    stubbed: tuple[Any, Stubber],
) -> None:
    """The source prefetches each Search(Model) page's artifacts before its models are mapped,
    in batches AWS accepts (three per 100 models)."""
    client, stubber = stubbed
    names = [f"m-{i:03d}" for i in range(150)]

    def record(name: str) -> dict[str, Any]:
        url = f"s3://b/exports/{name}/model.tar.gz"
        return {
            "Model": {
                "Model": {
                    "ModelName": name,
                    "ModelArn": f"{ARN}model/{name}",
                    "CreationTime": T0,
                    "PrimaryContainer": {"Image": "img/m:1", "ModelDataUrl": url},
                }
            }
        }

    def urls(chunk: list[str]) -> list[str]:
        return [f"s3://b/exports/{n}/model.tar.gz" for n in chunk]

    for token, chunk, nxt in ((None, names[:100], "p2"), ("p2", names[100:], None)):
        params: dict[str, Any] = {"Resource": "Model", "MaxResults": 100}
        if token:
            params["NextToken"] = token
        answer: dict[str, Any] = {"Results": [record(n) for n in chunk]}
        if nxt:
            answer["NextToken"] = nxt
        stubber.add_response("search", answer, params)
        for start in range(0, len(chunk), BATCH_URLS):  # 100 models: 3 batches; 50: 2
            part = chunk[start : start + BATCH_URLS]
            jobs_found = [
                {"TrainingJob": job_shape(f"train-{n}", u)}
                for n, u in zip(part, urls(part), strict=True)
            ]
            stubber.add_response("search", {"Results": jobs_found}, batch_params(urls(part)))
    listing = {
        "Models": [
            {"ModelName": n, "ModelArn": f"{ARN}model/{n}", "CreationTime": T0} for n in names
        ]
    }
    stubber.add_response("list_models", listing, {"MaxResults": 100})
    source = SageMakerSource(client, training=TrainingJobs(client), workers=4)
    items = list(source.items())
    assert [
        i.training_job.name for i in items if isinstance(i, SageMakerModel) and i.training_job
    ] == [f"train-{n}" for n in names]


# ---- endpoints ------------------------------------------------------------------------------


def test_endpoints_not_in_service_and_serverless_variants_are_described_but_not_served(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    summary = {"CreationTime": T0, "LastModifiedTime": T0}

    def listed(name: str, status: str) -> dict[str, Any]:
        arn = f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}"
        return {"EndpointName": name, "EndpointArn": arn, "EndpointStatus": status, **summary}

    # Search denied: the index falls back to ListEndpoints and one DescribeEndpoint each
    stubber.add_client_error("search", "AccessDeniedException", "no Search", http_status_code=400)
    stubber.add_response(
        "list_endpoints",
        {"Endpoints": [listed("churn-canary", "Creating")], "NextToken": "p2"},
        {"MaxResults": 100},
    )
    stubber.add_response(
        "list_endpoints",
        {"Endpoints": [listed("churn-sls", "InService"), listed("broken", "InService")]},
        {"MaxResults": 100, "NextToken": "p2"},
    )
    # described in name order: broken first
    stubber.add_client_error("describe_endpoint", "InternalFailure", "oops", http_status_code=500)
    configs: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for name, config, status in (
        ("churn-canary", "canary-cfg", "Creating"),
        ("churn-sls", "sls-cfg", "InService"),
    ):
        stubber.add_response(
            "describe_endpoint",
            {
                "EndpointName": name,
                "EndpointArn": f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}",
                "EndpointConfigName": config,
                "EndpointStatus": status,
                "CreationTime": T0,
                "LastModifiedTime": T0,
            },
            {"EndpointName": name},
        )
        variant: dict[str, Any] = {"VariantName": "main", "ModelName": "churn"}
        if config == "sls-cfg":
            variant["ServerlessConfig"] = {"MemorySizeInMB": 2048, "MaxConcurrency": 5}
        else:
            variant.update(InstanceType="ml.g5.xlarge", InitialInstanceCount=1)
        configs.append(
            (
                {
                    "EndpointConfigName": config,
                    "EndpointConfigArn": f"{ARN}endpoint-config/{config}",
                    "ProductionVariants": [variant],
                    "CreationTime": T0,
                },
                {"EndpointConfigName": config},
            )
        )
    # every endpoint, then each config once (by name); one worker, so the Stubber's order holds
    for answer, params in configs:
        stubber.add_response("describe_endpoint_config", answer, params)
    index = EndpointIndex(client, "cn-north-1", workers=1).read()
    assert index.problems == [("broken", "DescribeEndpoint failed: HTTP 500: oops")]
    servings = index.servings("churn")
    assert servings == (
        Serving(
            "churn-canary",
            "Creating",
            "main",
            "https://runtime.sagemaker.cn-north-1.amazonaws.com.cn/endpoints/churn-canary/invocations",
            weight=None,
            instance_type="ml.g5.xlarge",
            instance_count=1,
        ),
        Serving(
            "churn-sls",
            "InService",
            "main",
            "https://runtime.sagemaker.cn-north-1.amazonaws.com.cn/endpoints/churn-sls/invocations",
            instance_type="serverless",
        ),
    )
    body = model_request(SageMakerModel("churn"), "svc", "cn-north-1", servings=servings).body()
    assert body["server"] == servings[1].url
    assert body["description"] == (
        "**Endpoints**\n\n"
        "| Endpoint | Status | Variant | Weight | Instance type | Instances |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        "| `churn-canary` | Creating | `main` |  | `ml.g5.xlarge` | 1 |\n"
        "| `churn-sls` | InService | `main` |  | `serverless` |  |\n"
    )


# ---- mapping --------------------------------------------------------------------------------


ECR = "763104351884.dkr.ecr.us-east-1.amazonaws.com/"
SAGEMAKER_ECR = "683313688378.dkr.ecr.us-east-1.amazonaws.com/"


@pytest.mark.parametrize(
    ("image", "algorithm"),
    [
        # the framework a user searches for, not the image repository (issue 23)
        (SAGEMAKER_ECR + "sagemaker-xgboost:1.7-1", "xgboost"),
        (SAGEMAKER_ECR + "sagemaker-scikit-learn:1.2-1-cpu-py3", "sklearn"),
        (ECR + "pytorch-training:2.1.0-gpu-py310", "pytorch"),
        (ECR + "pytorch-inference:2.1-gpu", "pytorch"),
        (ECR + "tensorflow-training:2.14-cpu-py310", "tensorflow"),
        (ECR + "tensorflow-inference:2.14-cpu", "tensorflow"),
        (SAGEMAKER_ECR + "sagemaker-tensorflow-serving:1.15", "tensorflow"),
        (
            ECR + "huggingface-pytorch-training:2.0-transformers4.28-gpu-py310",
            "huggingface-pytorch",
        ),
        (ECR + "huggingface-pytorch-inference:2.0-transformers4.28-gpu", "huggingface-pytorch"),
        (ECR + "pytorch-training-neuronx:1.13-neuronx-py310", "pytorch"),
        (ECR + "mxnet-training:1.9-cpu-py38", "mxnet"),
        (SAGEMAKER_ECR + "linear-learner:1", "linear-learner"),  # a built-in algorithm
        (SAGEMAKER_ECR + "forecasting-deepar:1", "deepar"),
        # not SageMaker's: the repository, namespace kept
        ("registry.example.com:5000/team/scorer:0.9", "team/scorer"),
        ("localhost/churn", "churn"),
        ("img/churn:1", "img/churn"),
        ("churn@sha256:0123abcd", "churn"),
    ],
)
def test_the_algorithm_of_an_image_is_its_framework(image: str, algorithm: str) -> None:
    assert details.image_algorithm(image) == algorithm
    job = TrainingJob(name="j", image=image)
    body = model_request(SageMakerModel("m", training_job=job), "svc", "us-east-1").body()
    assert body["algorithm"] == algorithm


def test_an_algorithm_name_is_kept_as_given() -> None:
    job = TrainingJob(name="j", algorithm_name="arn:aws:sagemaker:us-east-1:1:algorithm/my-xgb")
    model = SageMakerModel("m", image=ECR + "pytorch-inference:2.1", training_job=job)
    assert model_request(model, "svc", "us-east-1").body()["algorithm"] == "my-xgb"


def test_final_metrics_keep_one_value_per_metric_the_latest(stubbed: tuple[Any, Stubber]) -> None:
    """A FinalMetricDataList with several data points of one metric (moto's is fixed, so the
    Stubber answers): one row per metric, the value with the latest timestamp."""
    client, stubber = stubbed
    t1, t2 = (
        datetime(2026, 11, 30, 9, 5, tzinfo=timezone.utc),
        datetime(2026, 11, 30, 9, 9, tzinfo=timezone.utc),
    )
    points = [
        {"MetricName": "validation:auc", "Value": 0.91, "Timestamp": t2},
        {"MetricName": "train:logloss", "Value": 0.5, "Timestamp": T0},
        {"MetricName": "validation:auc", "Value": 0.85, "Timestamp": t1},
        {"MetricName": "train:logloss", "Value": 0.2, "Timestamp": t2},
    ]
    stubber.add_response(
        "describe_training_job",
        job_shape("churn-train-7", URL, FinalMetricDataList=points),
        {"TrainingJobName": "churn-train-7"},
    )
    job = TrainingJobs(client).for_model(URL)
    assert job is not None
    assert job.metrics == (("validation:auc", 0.91), ("train:logloss", 0.2))
    body = model_request(SageMakerModel("churn", training_job=job), "svc", "us-east-1").body()
    assert body["description"].endswith(
        "| Final metric | Value |\n| --- | --- |\n| `validation:auc` | 0.91 |\n"
        "| `train:logloss` | 0.2 |\n"
    )


def test_the_training_job_s_metrics_and_duration_go_in_the_description() -> None:
    job = TrainingJob(
        name="churn-train-7",
        algorithm_name="arn:aws:sagemaker:us-east-1:123456789012:algorithm/forest",
        hyperparameters=(("eta", "0.2"),),
        metrics=(("validation:auc", 0.91234),),
        instance_type="ml.m5.xlarge",
        instance_count=2,
        duration=3725.0,
        channels=(("train", "s3://b/a|b`c/"), ("pipe", "")),
    )
    body = model_request(SageMakerModel("churn", training_job=job), "svc", "us-east-1").body()
    assert body["algorithm"] == "forest"
    assert body["mlHyperParameters"] == [{"name": "eta", "value": "0.2"}]
    assert "server" not in body
    assert body["description"] == (
        "**Training job** `churn-train-7`\n\n"
        "- Instances: `ml.m5.xlarge` x 2\n"
        "- Duration: 1 h 2 min 5 s\n"
        "- Input channels:\n"
        "  - `train`: `s3://b/a\\|b'c/`\n"
        "  - `pipe`: (not S3)\n\n"
        "| Final metric | Value |\n| --- | --- |\n| `validation:auc` | 0.91234 |\n"
    )


def test_mlmodel_only_when_nothing_is_known() -> None:
    body = model_request(SageMakerModel("bare"), "svc", "us-east-1").body()
    assert body == {
        "name": "bare",
        "algorithm": "mlmodel",
        "service": "svc",
        "sourceUrl": "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/models/bare",
    }


# ---- the OpenMetadata double rejects what a real server rejects -----------------------------


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("server", "runtime.sagemaker.us-east-1.amazonaws.com/endpoints/x", "server"),
        ("server", 5, "server"),
        ("description", {"text": "x"}, "description"),
        ("mlHyperParameters", [{"name": "eta", "value": 0.2}], "mlHyperParameters.value"),
        ("mlHyperParameters", [{"name": "eta", "val": "0.2"}], "Unrecognized field"),
        ("mlHyperParameters", {"eta": "0.2"}, "mlHyperParameters"),
    ],
)
@pytest.mark.parametrize("version", ["1.1.7", "2.0.7"])
def test_the_double_rejects_wrong_field_shapes(
    om_server: OMServer, field: str, value: Any, message: str, version: str
) -> None:
    om_server.version = version
    om_server.seed_service("svc")
    body = {"name": "m", "algorithm": "xgboost", "service": "svc", field: value}
    request = urllib.request.Request(
        f"{om_server.url}/v1/mlmodels",
        data=json.dumps(body).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {om_server.token}", "Content-Type": "application/json"},
    )
    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.urlopen(request, timeout=10)
    assert caught.value.code == 400
    assert message in json.loads(caught.value.read())["message"]


def test_a_repeated_endpoints_token_stops_the_listing(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    page = {"Endpoints": [], "NextToken": "same"}
    stubber.add_client_error("search", "AccessDeniedException", "no Search", http_status_code=400)
    stubber.add_response("list_endpoints", page, {"MaxResults": 100})
    stubber.add_response("list_endpoints", page, {"MaxResults": 100, "NextToken": "same"})
    index = EndpointIndex(client, "us-east-1").read()
    assert index.problems == [("ListEndpoints", "a NextToken repeated: the listing was stopped")]
    assert index.by_model == {}


def test_endpoints_come_from_search_and_only_an_incomplete_record_is_described(
    stubbed: tuple[Any, Stubber],
) -> None:
    """Search(Endpoint) gives the config, status, variants and tags (botocore's SearchRecord
    shape; moto always gives whole records, hence the Stubber): one DescribeEndpoint only for
    the record without its variants, one DescribeEndpointConfig per config, no ListEndpoints."""
    client, stubber = stubbed

    def record(name: str, **fields: Any) -> dict[str, Any]:
        arn = f"arn:aws:sagemaker:us-east-1:123456789012:endpoint/{name}"
        times = {"CreationTime": T0, "LastModifiedTime": T0}
        return {"Endpoint": {"EndpointName": name, "EndpointArn": arn, **times, **fields}}

    whole = {
        "EndpointConfigName": "ab",
        "EndpointStatus": "InService",
        "ProductionVariants": [{"VariantName": "blue", "CurrentWeight": 0.5}],
        "Tags": [{"Key": "env", "Value": "prod"}],
    }
    stubber.add_response(
        "search",
        {"Results": [record("b-prod", **whole)], "NextToken": "p2"},
        {"Resource": "Endpoint", "MaxResults": 100},
    )
    stubber.add_response(
        "search",
        {"Results": [record("a-new", EndpointConfigName="ab", EndpointStatus="Creating")]},
        {"Resource": "Endpoint", "MaxResults": 100, "NextToken": "p2"},
    )
    stubber.add_response(
        "describe_endpoint",
        {
            "EndpointName": "a-new",
            "EndpointArn": "arn:aws:sagemaker:us-east-1:123456789012:endpoint/a-new",
            "EndpointConfigName": "ab",
            "EndpointStatus": "Creating",
            "CreationTime": T0,
            "LastModifiedTime": T0,
        },
        {"EndpointName": "a-new"},
    )
    config = {
        "EndpointConfigName": "ab",
        "EndpointConfigArn": f"{ARN}endpoint-config/ab",
        "ProductionVariants": [
            {
                "VariantName": "blue",
                "ModelName": "churn",
                "InstanceType": "ml.m5.large",
                "InitialInstanceCount": 2,
                "InitialVariantWeight": 1.0,
            }
        ],
        "CreationTime": T0,
    }
    stubber.add_response("describe_endpoint_config", config, {"EndpointConfigName": "ab"})
    index = EndpointIndex(client, "us-east-1", workers=1, tags=True).read()
    stubber.assert_no_pending_responses()
    assert index.problems == []
    url = "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/{}/invocations"
    assert index.servings("churn") == (
        Serving("a-new", "Creating", "blue", url.format("a-new"), 1.0, "ml.m5.large", 2),
        Serving(
            "b-prod",
            "InService",
            "blue",
            url.format("b-prod"),
            0.5,
            "ml.m5.large",
            2,
            tags=(("env", "prod"),),
        ),
    )
