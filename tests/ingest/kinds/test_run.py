"""Training jobs and endpoints -> the models' algorithm, hyperparameters, server and description,
over real HTTP: moto for SageMaker (a seeded estate, :func:`awsfixtures.seed_estate`) and the
recording OpenMetadata double (which rejects wrong field shapes as a real server does).

Exact request bodies for each asset kind; the AWS calls a run makes (one per model for training
jobs, one Search page per 100 endpoints and one call per endpoint config for endpoints, never
ListTrainingJobs); a denied Search falling back to ListEndpoints and DescribeEndpoint;
``--assets`` leaving kinds out; a missing IAM permission warns once, naming the action, and
skips only that kind.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun, runreport
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult

from testing.awsfaults import FaultProxy
from testing.awsfixtures import (
    ACCOUNT,
    ARTIFACTS,
    REGION,
    XGBOOST,
    MotoServer,
    counting,
    create_model,
    create_training_job,
    iam_enforced,
    iam_user,
    seed_estate,
    tag_model,
)
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, CONSOLE, config_text, on_1_1
from testing.searchdouble import SearchDouble, model_records, training_job_records
from testing.shapecheck import ServiceError

RUNTIME = f"https://runtime.sagemaker.{REGION}.amazonaws.com/endpoints/"
ENDPOINTS_HEADER = (
    "**Endpoints**\n\n"
    "| Endpoint | Status | Variant | Weight | Instance type | Instances |\n"
    "| --- | --- | --- | --- | --- | --- |\n"
)
#: moto's fixed FinalMetricDataList (custom metrics cannot be seeded: see test_training_source).
MOTO_METRIC = "| Final metric | Value |\n| --- | --- |\n| `train:progress` | 100 |\n\n"

CHURN_ARTIFACT = ARTIFACTS + "churn-train-7/output/model.tar.gz"
CHURN = {
    "name": "churn",
    "algorithm": "xgboost",
    "description": (
        "**Training job** `churn-train-7`\n\n"
        "- Status: Completed\n"
        "- Instances: `ml.m5.xlarge` x 1\n"
        "- Duration: 0 s\n"
        "- Input channels:\n"
        "  - `train`: `s3://ml-data/churn/train/`\n"
        "  - `validation`: `s3://ml-data/churn/val/`\n\n"
        + MOTO_METRIC
        + ENDPOINTS_HEADER
        + "| `churn-prod` | InService | `blue` | 0.7 | `ml.m5.large` | 2 |\n"
        "| `churn-shadow` | InService | `blue` | 0.7 | `ml.m5.large` | 2 |\n"
    ),
    "mlHyperParameters": [{"name": "max_depth", "value": "5"}, {"name": "eta", "value": "0.2"}],
    "server": RUNTIME + "churn-prod/invocations",
    "mlStore": {
        "storage": CHURN_ARTIFACT,
        "imageRepository": XGBOOST,
    },
    "service": "local_sagemaker",
    "sourceUrl": CONSOLE + "churn",
}
FRAUD_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/fraud:3"
FRAUD = {
    "name": "fraud",
    "algorithm": "fraud-forest",  # the AlgorithmName ARN's name
    "description": (
        "**Training job** `fraud-train`\n\n"
        "- Status: Completed\n"
        "- Instances: `ml.c5.2xlarge` x 2\n"
        "- Duration: 0 s\n"
        "- Input channels:\n"
        "  - `train`: `s3://ml-data/churn/train/`\n\n"
        + MOTO_METRIC
        + ENDPOINTS_HEADER
        + "| `churn-prod` | InService | `green` | 0.3 | `ml.m5.large` | 1 |\n"
        "| `churn-shadow` | InService | `green` | 0.3 | `ml.m5.large` | 1 |\n"
        "| `fraud-prod` | InService | `all` | 1 | `ml.c5.large` | 3 |\n"
    ),
    "mlHyperParameters": [{"name": "trees", "value": "200"}],
    "server": RUNTIME + "churn-prod/invocations",  # the first InService endpoint by name
    "mlStore": {
        "storage": "s3://ml-artifacts/fraud/fraud-train/output/model.tar.gz",
        "imageRepository": FRAUD_IMAGE,
    },
    "service": "local_sagemaker",
    "sourceUrl": CONSOLE + "fraud",
}
SCORER = {
    "name": "scorer",
    "algorithm": "team/scorer",  # no job, no endpoint: the inference image's repository
    "mlStore": {"imageRepository": "registry.example.com/team/scorer:0.9"},
    "service": "local_sagemaker",
    "sourceUrl": CONSOLE + "scorer",
}
IMPORTED = {
    "name": "imported",
    "algorithm": "xgboost",  # no job made its artifact: the inference image
    "mlStore": {"storage": "s3://elsewhere/imported/model.tar.gz", "imageRepository": XGBOOST},
    "service": "local_sagemaker",
    "sourceUrl": CONSOLE + "imported",
}


#: What a 1.1 server is sent for the seeded estate, every kind read.
ESTATE_BODIES = {
    "churn": on_1_1(CHURN),
    "fraud": on_1_1(FRAUD),
    "scorer": on_1_1(SCORER),
    "imported": on_1_1(IMPORTED),
}


@pytest.fixture
def estate(moto: MotoServer, om_server: OMServer) -> MotoServer:
    seed_estate(moto)
    om_server.href_store = True  # refuse scheme-less mlStore values on 1.x, as the 1.1 client
    return moto


def run(tmp_path: Path, moto: MotoServer | FaultProxy, om: OMServer, **options: Any) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om.url, moto.endpoint), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    options.setdefault("workers", 1)
    return ingestrun.run(path, RunOptions(environ=environ, http_backoff=0.0, **options))


def model_bodies(om: OMServer) -> dict[str, Any]:
    return {r.body["name"]: r.body for r in om.calls("PUT", "/api/v1/mlmodels")}


def test_every_asset_kind_fills_its_fields(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    for i in range(12):  # a longer job history costs nothing more
        create_training_job(estate, f"history-{i}", output="s3://ml-artifacts/history/")
    calls: Counter[str] = Counter()
    result = run(tmp_path, estate, om_server, sagemaker_client=counting(estate, calls))
    assert result.exit_code == 0, result.status.errors
    assert result.status.warnings == []
    assert model_bodies(om_server) == ESTATE_BODIES
    assert calls == {
        # moto cannot Search models: the run falls back to ListModels and the per-model calls
        "Search:Model": 1,
        "ListModels": 1,
        "DescribeModel": 4,
        "ListTags": 4,
        # one per model with an artifact in the default layout; never the job history
        "DescribeTrainingJob": 2,
        # one bounded Search for the artifact in another layout (moto cannot answer it), and
        # the (empty) registry's two (package groups, their versions), the feature groups' and
        # the endpoints (one page gives every endpoint's config, status, variants and tags:
        # no ListEndpoints, no DescribeEndpoint)
        "Search": 5,
        "DescribeEndpointConfig": 2,  # churn-prod and churn-shadow share churn-ab
    }


def test_where_search_answers_as_aws_does_a_page_of_models_costs_two_calls(
    estate: MotoServer, om_server: OMServer, aws_faults: FaultProxy, tmp_path: Path
) -> None:
    """Models and training jobs through ``Search`` (moto lacks Search on Model and the Or of
    artifact filters, so the Search double in front of it answers those from moto's own data):
    the same bodies as the per-model path, one Search for the models' page, one for all of
    their training jobs, and nothing per model."""
    client = estate.client("sagemaker")
    double = SearchDouble(
        {"Model": model_records(client), "TrainingJob": training_job_records(client)}
    )
    aws_faults.handlers["Search"] = double
    result = run(tmp_path, aws_faults, om_server)
    assert result.exit_code == 0, result.status.errors
    assert result.status.warnings == []
    assert model_bodies(om_server) == ESTATE_BODIES
    searched = [resource for resource, _ in double.requests]
    assert searched == ["Model", "TrainingJob"]  # the 3 artifacts in one expression
    calls = Counter(aws_faults.actions)
    for per_model in ("DescribeModel", "ListTags", "DescribeTrainingJob"):
        assert calls[per_model] == 0
    assert calls["ListModels"] == 1


def test_assets_models_reads_neither_jobs_nor_endpoints(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    calls: Counter[str] = Counter()
    result = run(
        tmp_path,
        estate,
        om_server,
        sagemaker_client=counting(estate, calls),
        assets=frozenset({"models"}),
    )
    assert result.exit_code == 0
    # the Search on Model is refused by moto, hence the per-model calls
    assert set(calls) == {"Search:Model", "ListModels", "DescribeModel", "ListTags"}
    assert result.kinds == {"models": None}
    bodies = model_bodies(om_server)
    assert bodies["churn"] == {
        "name": "churn",
        "algorithm": "xgboost",  # from the inference image
        "mlStore": on_1_1(CHURN)["mlStore"],
        "service": "local_sagemaker",
        "sourceUrl": CONSOLE + "churn",
    }
    assert bodies["fraud"]["algorithm"] == "fraud"


def test_assets_endpoints_only_sets_server_and_the_endpoint_table(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    calls: Counter[str] = Counter()
    assets = frozenset({"models", "endpoints"})
    result = run(
        tmp_path, estate, om_server, sagemaker_client=counting(estate, calls), assets=assets
    )
    assert result.exit_code == 0
    assert "DescribeTrainingJob" not in calls
    assert calls["Search"] == 1  # the endpoints with their tags; no training-job lookup
    assert "DescribeEndpoint" not in calls
    churn = model_bodies(om_server)["churn"]
    assert churn == {
        "name": "churn",
        "algorithm": "xgboost",
        "description": ENDPOINTS_HEADER
        + "| `churn-prod` | InService | `blue` | 0.7 | `ml.m5.large` | 2 |\n"
        "| `churn-shadow` | InService | `blue` | 0.7 | `ml.m5.large` | 2 |\n",
        "server": RUNTIME + "churn-prod/invocations",
        "mlStore": on_1_1(CHURN)["mlStore"],
        "service": "local_sagemaker",
        "sourceUrl": CONSOLE + "churn",
    }


def test_a_missing_permission_skips_only_that_kind_with_a_warning_naming_it(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    """An identity allowed the model calls and DescribeEndpoint/Config but not ListEndpoints
    nor DescribeTrainingJob (moto enforcing IAM)."""
    allowed = [
        "sagemaker:ListModels",
        "sagemaker:DescribeModel",
        "sagemaker:ListTags",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
    ]
    key, secret = iam_user(estate, "models-only", allowed)
    calls: Counter[str] = Counter()
    factory = counting(estate, calls, key=key, secret=secret)
    assets = frozenset({"models", "training-jobs", "endpoints"})
    with iam_enforced(estate):
        result = run(tmp_path, estate, om_server, sagemaker_client=factory, assets=assets)
    assert result.exit_code == 0, result.status.errors
    subjects = [(w.subject, w.message.split(" (")[0]) for w in result.status.warnings]
    assert subjects == [
        ("endpoints", "skipped: sagemaker:ListEndpoints is not allowed"),
        ("training-jobs", "skipped: sagemaker:DescribeTrainingJob is not allowed"),
    ]
    assert "omkit policy sagemaker" in result.status.warnings[0].message
    assert calls["DescribeTrainingJob"] == 1  # denied once: never asked again
    assert calls["Search"] == 1  # the endpoints' Search, denied: then ListEndpoints, denied
    assert sorted(model_bodies(om_server)) == ["churn", "fraud", "imported", "scorer"]
    assert model_bodies(om_server)["churn"]["algorithm"] == "xgboost"
    assert "server" not in model_bodies(om_server)["churn"]
    assert secret not in str(result.status.warnings)
    document = runreport.as_json(result)
    assert document["assets"] == [
        {"kind": "models", "read": True, "refusedAction": None},
        {"kind": "training-jobs", "read": False, "refusedAction": "sagemaker:DescribeTrainingJob"},
        {"kind": "endpoints", "read": False, "refusedAction": "sagemaker:ListEndpoints"},
    ]


def test_a_2_0_server_takes_the_same_bodies_in_bulk(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.version = "2.0.7"
    result = run(tmp_path, estate, om_server)
    assert result.exit_code == 0, result.status.errors
    (bulk,) = om_server.calls("PUT", "/api/v1/mlmodels/bulk")
    # a 2.x server also gets each body's sourceHash (tests/ingest/sinks/test_metadata_rest.py)
    assert {b["name"]: {k: v for k, v in b.items() if k != "sourceHash"} for b in bulk.body} == {
        "churn": CHURN,
        "fraud": FRAUD,
        "scorer": SCORER,
        "imported": IMPORTED,
    }
    assert om_server.models["local_sagemaker.churn"]["server"] == CHURN["server"]


def test_models_sharing_an_artifact_share_one_lookup_across_workers(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    for i in range(6):  # redeployments of the same artifact
        create_model(estate, f"churn-v{i}", Image=XGBOOST, ModelDataUrl=CHURN_ARTIFACT)
    calls: Counter[str] = Counter()
    result = run(tmp_path, estate, om_server, sagemaker_client=counting(estate, calls), workers=8)
    assert result.exit_code == 0
    assert calls["DescribeTrainingJob"] == 2  # churn-train-7 and fraud-train
    bodies = model_bodies(om_server)
    for i in range(6):
        assert bodies[f"churn-v{i}"]["mlHyperParameters"] == CHURN["mlHyperParameters"]


def test_endpoint_tags_go_on_the_models_they_serve(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    client = estate.client("sagemaker")
    arn = client.describe_endpoint(EndpointName="fraud-prod")["EndpointArn"]
    tag_model(estate, arn, {"env": "prod", "aws:cloudformation:stack-name": "s"})
    calls: Counter[str] = Counter()
    result = run(tmp_path, estate, om_server, sagemaker_client=counting(estate, calls))
    assert result.exit_code == 0, result.status.errors
    bodies = model_bodies(om_server)
    label = {
        "tagFQN": "env.prod",
        "source": "Classification",
        "labelType": "Automated",
        "state": "Confirmed",
    }
    assert bodies["fraud"]["tags"] == [label]  # fraud-prod serves fraud only; aws: skipped
    assert "tags" not in bodies["churn"]
    assert om_server.tags["env.prod"]["description"] == "SageMaker tag `env=prod`."
    assert calls["ListTags"] == 4  # the models'; the endpoints' tags come with one Search

    om_server.clear_requests()
    result = run(tmp_path, estate, om_server, tags=False)
    assert result.exit_code == 0
    assert "tags" not in model_bodies(om_server)["fraud"]


def test_a_denied_endpoint_search_falls_back_to_describing_each_endpoint(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    """Without sagemaker:Search (moto enforcing IAM) the endpoints are listed and described one
    by one: the same endpoint table and server, no endpoint tags, and one warning saying so."""
    allowed = [
        "sagemaker:ListModels",
        "sagemaker:DescribeModel",
        "sagemaker:ListTags",
        "sagemaker:ListEndpoints",
        "sagemaker:DescribeEndpoint",
        "sagemaker:DescribeEndpointConfig",
    ]
    key, secret = iam_user(estate, "no-search", allowed)
    calls: Counter[str] = Counter()
    factory = counting(estate, calls, key=key, secret=secret)
    assets = frozenset({"models", "endpoints"})
    with iam_enforced(estate):
        result = run(tmp_path, estate, om_server, sagemaker_client=factory, assets=assets)
    assert result.exit_code == 0, result.status.errors
    subjects = [(w.subject, w.message.split(": ")[0]) for w in result.status.warnings]
    assert subjects == [("endpoint tags", "Search on Endpoint failed")]
    assert "sagemaker:Search" in result.status.warnings[0].message
    assert calls["ListEndpoints"] == 1
    assert calls["DescribeEndpoint"] == 3
    assert calls["DescribeEndpointConfig"] == 2
    churn = model_bodies(om_server)["churn"]
    assert churn["description"] == (
        ENDPOINTS_HEADER + "| `churn-prod` | InService | `blue` | 0.7 | `ml.m5.large` | 2 |\n"
        "| `churn-shadow` | InService | `blue` | 0.7 | `ml.m5.large` | 2 |\n"
    )
    assert churn["server"] == CHURN["server"]
    assert "tags" not in churn
    assert secret not in str(result.status.warnings)


# ---- issue 23: AWS's limits, not our double's ---------------------------------------------------

PYTORCH_TRAINING = f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-training:2.1.0-gpu-py310"
PYTORCH_INFERENCE = f"763104351884.dkr.ecr.{REGION}.amazonaws.com/pytorch-inference:2.1.0-gpu"


def seed_trained_models(moto: MotoServer, count: int) -> None:
    """``count`` models, each from its own PyTorch training job (default artifact layout)."""
    for i in range(count):
        url = create_training_job(
            moto, f"torch-{i:03d}", image=PYTORCH_TRAINING, hyperparameters={"lr": f"0.{i + 1}"}
        )
        create_model(moto, f"torch-{i:03d}", Image=PYTORCH_INFERENCE, ModelDataUrl=url)


def test_sixty_searched_models_get_their_jobs_in_batches_aws_accepts(
    moto: MotoServer, om_server: OMServer, aws_faults: FaultProxy, tmp_path: Path
) -> None:
    """The Search double refuses what AWS documents as invalid (testing/shapecheck.py): the batch
    that held 60 URLs in 3 sub-expressions of 20 (63 elements) was refused, and each model then
    cost a DescribeTrainingJob (61 calls for 60 models). Now: two batches, nothing refused,
    nothing per model, and each model its own job's hyperparameters and framework."""
    seed_trained_models(moto, 60)
    client = moto.client("sagemaker")
    double = SearchDouble(
        {"Model": model_records(client), "TrainingJob": training_job_records(client)}
    )
    aws_faults.handlers["Search"] = double
    result = run(tmp_path, aws_faults, om_server, assets=frozenset({"models", "training-jobs"}))
    assert result.exit_code == 0, result.status.errors
    assert result.status.warnings == []
    assert double.refused == 0
    assert [resource for resource, _ in double.requests] == ["Model", "TrainingJob", "TrainingJob"]
    calls = Counter(aws_faults.actions)
    assert calls == {"Search": 3, "ListModels": 1}
    bodies = model_bodies(om_server)
    assert len(bodies) == 60
    for i in range(60):
        body = bodies[f"torch-{i:03d}"]
        assert body["mlHyperParameters"] == [{"name": "lr", "value": f"0.{i + 1}"}]
        assert body["algorithm"] == "pytorch"  # not the image repository pytorch-training


class RefusingJobs(SearchDouble):
    """A Search that refuses the training jobs' batch as AWS refuses an invalid request."""

    def __call__(self, params: Any) -> Any:
        if params.get("Resource") == "TrainingJob" and "Operator" in (
            params.get("SearchExpression") or {}
        ):
            self.refused += 1
            raise ServiceError("ValidationException", "refused by the test")
        return super().__call__(params)


def test_a_refused_batch_is_one_warning_and_a_bounded_per_model_fallback(
    moto: MotoServer, om_server: OMServer, aws_faults: FaultProxy, tmp_path: Path
) -> None:
    """A ValidationException on omkit's own expression can only be omkit's bug: one warning for
    the run (not one per page), and each model's job is then found on its own, one
    DescribeTrainingJob per model, no batch asked again."""
    seed_trained_models(moto, 12)
    client = moto.client("sagemaker")
    records = {"Model": model_records(client), "TrainingJob": training_job_records(client)}
    double = RefusingJobs(records)
    aws_faults.handlers["Search"] = double
    result = run(tmp_path, aws_faults, om_server, assets=frozenset({"models", "training-jobs"}))
    assert result.exit_code == 0, result.status.errors
    ((subject, message),) = [(w.subject, w.message) for w in result.status.warnings]
    assert subject == "training-jobs"
    assert "refused omkit's batched expression" in message
    assert "omkit bug" in message
    assert double.refused == 1
    calls = Counter(aws_faults.actions)
    assert calls["DescribeTrainingJob"] == 12
    assert all(b["mlHyperParameters"] for b in model_bodies(om_server).values())


def test_without_search_the_jobs_in_the_default_layout_are_still_found(
    estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    """An identity without sagemaker:Search (moto enforcing IAM). The model whose artifact is in
    another layout (``imported``) needs Search; that used to skip the whole kind, so a model
    listed after it lost its job. Now DescribeTrainingJob still finds every default-layout job,
    and one warning says what Search would add."""
    seed_trained_models(estate, 1)  # listed after imported
    allowed = [
        "sagemaker:ListModels",
        "sagemaker:DescribeModel",
        "sagemaker:ListTags",
        "sagemaker:DescribeTrainingJob",
    ]
    key, secret = iam_user(estate, "no-search-jobs", allowed)
    calls: Counter[str] = Counter()
    factory = counting(estate, calls, key=key, secret=secret)
    assets = frozenset({"models", "training-jobs"})
    with iam_enforced(estate):
        result = run(tmp_path, estate, om_server, sagemaker_client=factory, assets=assets)
    assert result.exit_code == 0, result.status.errors
    assert result.kinds == {"models": None, "training-jobs": None}  # read, not skipped
    (warning,) = result.status.warnings
    assert warning.subject == "training-jobs"
    assert warning.message.startswith("sagemaker:Search is not allowed")
    assert "default layout" in warning.message
    assert secret not in warning.message
    bodies = model_bodies(om_server)
    assert bodies["churn"]["mlHyperParameters"] == CHURN["mlHyperParameters"]
    assert bodies["torch-000"]["mlHyperParameters"] == [{"name": "lr", "value": "0.1"}]
    assert bodies["torch-000"]["algorithm"] == "pytorch"
    assert "mlHyperParameters" not in bodies["imported"]
    assert calls["Search"] == 1  # the one that was denied; never asked again
    assert calls["DescribeTrainingJob"] == 3  # churn, fraud, torch-000
