"""The Model Registry (``--assets registry``) over real HTTP: moto for SageMaker (the seeded
estate of :func:`awsfixtures.seed_estate` plus :func:`awsfixtures.seed_registry`) and the
recording OpenMetadata double.

Exact request bodies of the package groups' MlModels on a 1.1 and a 2.0 server; the chosen
version (newest Approved, else newest); the name rule when a group and a model share a name;
the calls (two Searches for the whole registry, training jobs shared with the models);
soft-deletes of group entities blocked when the registry is not read.
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import timezone
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun, runreport
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult

from testing.awsfixtures import (
    ACCOUNT,
    ARTIFACTS,
    REGION,
    XGBOOST,
    MotoServer,
    counting,
    seed_estate,
    seed_registry,
)
from testing.omdouble import OMServer, sent_models
from testing.samples import AWS_SECRET, config_text, on_1_1

TABLE_HEAD = (
    "| Version | Approval status | Created | Model metrics | Customer metadata |\n"
    "| --- | --- | --- | --- | --- |\n"
)
#: moto's fixed FinalMetricDataList (custom metrics cannot be seeded in moto).
MOTO_METRIC = "| Final metric | Value |\n| --- | --- |\n| `train:progress` | 100 |\n"
CHURN_ARTIFACT = ARTIFACTS + "churn-train-7/output/model.tar.gz"
FRAUD_ARTIFACT = "s3://ml-artifacts/fraud/fraud-train/output/model.tar.gz"
FRAUD_IMAGE = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/fraud:3"
GROWTH_TAG = {
    "tagFQN": "team.growth",
    "source": "Classification",
    "labelType": "Automated",
    "state": "Confirmed",
}


@pytest.fixture
def registry(moto: MotoServer, om_server: OMServer) -> MotoServer:
    seed_estate(moto)
    seed_registry(moto)
    om_server.href_store = True  # refuse scheme-less mlStore values on 1.x, as the 1.1 client
    return moto


def created(moto: MotoServer, group: str) -> dict[int, str]:
    """Version -> its creation time as moto reports it, in the description's format."""
    client = moto.client("sagemaker")
    out: dict[int, str] = {}
    for summary in client.list_model_packages(ModelPackageGroupName=group)[
        "ModelPackageSummaryList"
    ]:
        when = summary["CreationTime"].astimezone(timezone.utc)
        out[summary["ModelPackageVersion"]] = when.strftime("%Y-%m-%d %H:%M:%S UTC")
    return out


def expected_groups(moto: MotoServer) -> dict[str, dict[str, Any]]:
    churn, fraud = created(moto, "churn"), created(moto, "fraud-models")
    return {
        "churn_registry": {  # a model is called churn: the group takes the suffix
            "name": "churn_registry",
            "algorithm": "xgboost",
            "description": (
                "**Model package group** `churn`: version 1 (Approved) is the one described "
                "here.\n\nChurn models\n\n"
                + TABLE_HEAD
                + f"| 3 | PendingManualApproval | {churn[3]} | `ModelQuality.Statistics`: "
                "`s3://ml-reports/churn/3/quality.json`, `Bias.Report`: "
                "`s3://ml-reports/churn/3/bias.json` |  |\n"
                f"| 2 | Rejected | {churn[2]} |  |  |\n"
                f"| 1 | Approved | {churn[1]} | `ModelQuality.Statistics`: "
                "`s3://ml-reports/churn/1/quality.json` | `owner=growth-ml`, `ticket=ML-12` |\n\n"
                "**Training job** `churn-train-7`\n\n"
                "- Status: Completed\n"
                "- Instances: `ml.m5.xlarge` x 1\n"
                "- Duration: 0 s\n"
                "- Input channels:\n"
                "  - `train`: `s3://ml-data/churn/train/`\n"
                "  - `validation`: `s3://ml-data/churn/val/`\n\n" + MOTO_METRIC
            ),
            "mlHyperParameters": [
                {"name": "max_depth", "value": "5"},
                {"name": "eta", "value": "0.2"},
            ],
            "mlStore": {"storage": CHURN_ARTIFACT, "imageRepository": XGBOOST},
            "service": "local_sagemaker",
            "tags": [GROWTH_TAG],
        },
        "fraud-models": {  # nothing approved: the newest version
            "name": "fraud-models",
            "algorithm": "fraud-forest",
            "description": (
                "**Model package group** `fraud-models`: version 2 (PendingManualApproval) is "
                "the one described here.\n\n"
                + TABLE_HEAD
                + f"| 2 | PendingManualApproval | {fraud[2]} |  |  |\n"
                f"| 1 | PendingManualApproval | {fraud[1]} |  |  |\n\n"
                "**Training job** `fraud-train`\n\n"
                "- Status: Completed\n"
                "- Instances: `ml.c5.2xlarge` x 2\n"
                "- Duration: 0 s\n"
                "- Input channels:\n"
                "  - `train`: `s3://ml-data/churn/train/`\n\n" + MOTO_METRIC
            ),
            "mlHyperParameters": [{"name": "trees", "value": "200"}],
            "mlStore": {"storage": FRAUD_ARTIFACT, "imageRepository": FRAUD_IMAGE},
            "service": "local_sagemaker",
        },
        "drafts": {
            "name": "drafts",
            "algorithm": "mlmodel",
            "description": "**Model package group** `drafts`: no versions yet.\n",
            "service": "local_sagemaker",
        },
    }


def run(tmp_path: Path, moto: MotoServer, om: OMServer, **options: Any) -> RunResult:
    path = tmp_path / "sm.yaml"
    text = options.pop("text", None) or config_text(om.url, moto.endpoint)
    path.write_text(text, encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    options.setdefault("workers", 1)
    return ingestrun.run(path, RunOptions(environ=environ, http_backoff=0.0, **options))


@pytest.mark.parametrize("version", ["1.1.7", "2.0.7"])
def test_each_group_becomes_one_model_with_its_versions(
    registry: MotoServer, om_server: OMServer, tmp_path: Path, version: str
) -> None:
    om_server.version = version
    calls: Counter[str] = Counter()
    result = run(tmp_path, registry, om_server, sagemaker_client=counting(registry, calls))
    assert result.exit_code == 0, result.status.errors
    assert result.status.warnings == []
    sent = sent_models(om_server)
    groups = {name: sent[name] for name in ("churn_registry", "fraud-models", "drafts")}
    expected = expected_groups(registry)
    if version.startswith("1."):  # images as https:// URLs (Href)
        expected = {name: on_1_1(body) for name, body in expected.items()}
    assert groups == expected
    assert sorted(sent) == sorted(
        ["churn", "fraud", "scorer", "imported", "churn_registry", "fraud-models", "drafts"]
    )
    assert "sourceUrl" not in sent["churn_registry"]
    assert om_server.models["local_sagemaker.churn_registry"]["algorithm"] == "xgboost"
    # the whole registry in two Searches; the versions' jobs are the models' (one lookup each)
    # + the models' one artifact outside the default layout, the feature groups', the
    # endpoints' tags
    assert calls["Search"] == 5
    assert calls["DescribeTrainingJob"] == 2
    assert "ListModelPackages" not in calls
    assert "DescribeModelPackage" not in calls
    assert result.kinds is not None
    assert result.kinds["registry"] is None


def test_assets_without_registry_reads_no_group(
    registry: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    calls: Counter[str] = Counter()
    result = run(
        tmp_path,
        registry,
        om_server,
        sagemaker_client=counting(registry, calls),
        assets=frozenset({"models", "training-jobs"}),
    )
    assert result.exit_code == 0
    assert sorted(sent_models(om_server)) == ["churn", "fraud", "imported", "scorer"]
    assert calls["Search"] == 1  # the one artifact outside the default layout


def test_filter_pattern_applies_to_groups(
    registry: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    text = config_text(om_server.url, registry.endpoint, excludes=("fraud.*", "drafts"))
    result = run(tmp_path, registry, om_server, text=text)
    assert result.exit_code == 0
    assert sorted(sent_models(om_server)) == ["churn", "churn_registry", "imported", "scorer"]


def test_stale_groups_are_soft_deleted_only_when_the_registry_was_read(
    registry: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.seed_service("local_sagemaker")
    # ingested earlier: a group that is gone, and a model that is gone
    om_server.seed_model("local_sagemaker", "old-group")
    om_server.seed_model(
        "local_sagemaker",
        "old-model",
        sourceUrl="https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1"
        "#/models/old-model",
    )
    for name in ["a", "b", "c", "d", "e", "f", "g", "h"]:  # keep the stale share small
        om_server.seed_model("local_sagemaker", f"kept-{name}")
    text = config_text(om_server.url, registry.endpoint, mark_deleted=True)
    assets = frozenset({"models", "training-jobs", "endpoints"})
    result = run(tmp_path, registry, om_server, text=text, assets=assets, allow_mass_delete=True)
    assert result.exit_code == 0, result.status.errors
    # the registry was not read: only what is surely a model (its console page) goes
    assert result.mark_deleted.models == ["local_sagemaker.old-model"]
    assert not om_server.models["local_sagemaker.old-group"]["deleted"]

    result = run(tmp_path, registry, om_server, text=text, allow_mass_delete=True)
    assert result.exit_code == 0, result.status.errors
    deleted = result.mark_deleted.models
    assert "local_sagemaker.old-group" in deleted
    assert "local_sagemaker.churn_registry" not in deleted
    assert not om_server.models["local_sagemaker.drafts"]["deleted"]


def test_a_denied_search_skips_the_registry_with_one_warning(
    registry: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    from testing.awsfixtures import iam_enforced, iam_user

    allowed = ["sagemaker:ListModels", "sagemaker:DescribeModel", "sagemaker:ListTags"]
    key, secret = iam_user(registry, "no-search", allowed)
    calls: Counter[str] = Counter()
    factory = counting(registry, calls, key=key, secret=secret)
    with iam_enforced(registry):
        result = run(
            tmp_path,
            registry,
            om_server,
            sagemaker_client=factory,
            assets=frozenset({"models", "registry"}),
        )
    assert result.exit_code == 0, result.status.errors
    assert [(w.subject, w.message.split(" (")[0]) for w in result.status.warnings] == [
        ("registry", "skipped: sagemaker:Search is not allowed")
    ]
    assert calls["Search"] == 1  # denied once, never asked again
    assert sorted(sent_models(om_server)) == ["churn", "fraud", "imported", "scorer"]
    assert result.kinds == {"models": None, "registry": "sagemaker:Search"}


def test_the_file_sink_writes_each_record_with_its_kind(
    registry: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    text = config_text(om_server.url, registry.endpoint, sink="file", filename=str(out))
    result = run(tmp_path, registry, om_server, text=text)
    assert result.exit_code == 0, result.status.errors
    records = json.loads(out.read_text(encoding="utf-8"))
    kinds = {r["name"]: r["kind"] for r in records if "algorithm" in r}
    assert kinds == {
        "churn": "models",
        "fraud": "models",
        "scorer": "models",
        "imported": "models",
        "churn_registry": "registry",
        "fraud-models": "registry",
        "drafts": "registry",
    }
    # the rest of a record is the create request (no server version known: images as they are)
    (drafts,) = [r for r in records if r.get("name") == "drafts"]
    assert {k: v for k, v in drafts.items() if k != "kind"} == expected_groups(registry)["drafts"]
    assert om_server.requests == []


def test_a_dry_run_shows_each_kind(
    registry: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    result = run(tmp_path, registry, om_server, dry_run=True)
    assert result.exit_code == 0, result.status.errors
    text = runreport.render_text(result)
    assert "  create    local_sagemaker.churn_registry  (registry)" in text
    assert "  create    local_sagemaker.churn\n" in text
    for line in (
        "  kind      models: read, 4 entities",
        "  kind      training-jobs: read",
        "  kind      endpoints: read",
        "  kind      registry: read, 3 entities",
        "  kind      features: read",
    ):
        assert line + "\n" in text, text
    assert runreport.as_json(result)["plan"]["kinds"]["local_sagemaker.drafts"] == "registry"
    assert om_server.calls("PUT") == []
