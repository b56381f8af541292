"""Feature groups (``--assets features``) and lineage (``--lineage-service``) over real HTTP:
moto for SageMaker (:func:`awsfixtures.seed_features`: a model trained on a feature group's
offline store) and the recording OpenMetadata double, which checks the ``MlFeature`` /
``FeatureSource`` shapes and the lineage bodies as the server's schema does.

moto has no SageMaker lineage API (associations, artifacts) at all, so the lineage here is the
OpenMetadata side only: table (found by FQN under the database service) -> model.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult

from testing.awsfixtures import (
    ACCOUNT,
    XGBOOST,
    FeatureSeed,
    MotoServer,
    counting,
    create_model,
    seed_features,
)
from testing.omdouble import OMServer, sent_models
from testing.samples import AWS_SECRET, config_text

GROUP_NOTE = "Feature of the SageMaker feature group `churn-features`."


def expected_features(seed: FeatureSeed, table: dict[str, Any] | None = None) -> list[Any]:
    where = f"Column of the Glue table `{seed.database}.{seed.table}` (offline store)."
    out = []
    for name, kind, source_kind in [
        ("tenure", "numerical", "integer"),
        ("plan", "categorical", "string"),
        ("monthly_spend", "numerical", "number"),
    ]:
        source: dict[str, Any] = {"name": name, "dataType": source_kind, "description": where}
        if table is not None:
            source["dataSource"] = {
                "id": table["id"],
                "type": "table",
                "fullyQualifiedName": table["fullyQualifiedName"],
            }
        out.append(
            {
                "name": name,
                "dataType": kind,
                "description": GROUP_NOTE,
                "featureSources": [source],
            }
        )
    return out


@pytest.fixture
def seeded(moto: MotoServer) -> tuple[MotoServer, FeatureSeed]:
    return moto, seed_features(moto)


def run(tmp_path: Path, moto: MotoServer, om: OMServer, **options: Any) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om.url, moto.endpoint), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    options.setdefault("workers", 1)
    return ingestrun.run(path, RunOptions(environ=environ, http_backoff=0.0, **options))


@pytest.mark.parametrize("version", ["1.1.7", "2.0.7"])
def test_a_model_trained_on_a_feature_group_gets_its_features(
    seeded: tuple[MotoServer, FeatureSeed], om_server: OMServer, tmp_path: Path, version: str
) -> None:
    moto, seed = seeded
    om_server.version = version
    calls: Counter[str] = Counter()
    result = run(tmp_path, moto, om_server, sagemaker_client=counting(moto, calls))
    assert result.exit_code == 0, result.status.errors
    assert result.status.warnings == []
    sent = sent_models(om_server)
    # the record identifier and the event time are not features
    assert sent["churn-fs"]["mlFeatures"] == expected_features(seed)
    assert sent["churn-fs"]["mlHyperParameters"] == [{"name": "max_depth", "value": "4"}]
    assert om_server.lineage == []  # no --lineage-service
    assert calls["DescribeFeatureGroup"] == 2  # one per group, not per model
    assert om_server.calls("GET", "/api/v1/tables/name/.*") == []


@pytest.mark.parametrize("version", ["1.1.7", "2.0.7"])
def test_lineage_goes_from_the_offline_store_table_to_the_model(
    seeded: tuple[MotoServer, FeatureSeed], om_server: OMServer, tmp_path: Path, version: str
) -> None:
    moto, seed = seeded
    om_server.version = version
    # as OpenMetadata's Glue connector names it: service.<catalog id = account>.database.table
    table = om_server.seed_table(f"glue_prod.{ACCOUNT}.{seed.database}.{seed.table}")
    artifact = moto.client("sagemaker").describe_model(ModelName="churn-fs")["PrimaryContainer"]
    create_model(moto, "churn-fs-v2", Image=XGBOOST, ModelDataUrl=artifact["ModelDataUrl"])
    result = run(tmp_path, moto, om_server, lineage_service="glue_prod")
    assert result.exit_code == 0, result.status.errors
    assert result.status.warnings == []
    assert sent_models(om_server)["churn-fs"]["mlFeatures"] == expected_features(seed, table)
    model = om_server.models["local_sagemaker.churn-fs"]
    again = om_server.models["local_sagemaker.churn-fs-v2"]
    assert sorted(om_server.lineage) == sorted(
        [
            (table["id"], "table", model["id"], "mlmodel"),
            (table["id"], "table", again["id"], "mlmodel"),
        ]
    )
    edge = next(
        e
        for e in om_server.calls("PUT", "/api/v1/lineage")
        if e.body["edge"]["toEntity"]["id"] == model["id"]
    )
    assert edge.body == {
        "edge": {
            "fromEntity": {"id": table["id"], "type": "table"},
            "toEntity": {"id": model["id"], "type": "mlmodel"},
            "description": "The model's features come from this table (SageMaker feature "
            "store offline store).",
        }
    }
    # the table is looked up once, whatever the number of models on it
    lookups = om_server.calls("GET", "/api/v1/tables/name/.*")
    assert [r.path for r in lookups] == ["/api/v1/tables/name/" + table["fullyQualifiedName"]]


def test_a_table_missing_from_openmetadata_is_a_warning_not_an_error(
    seeded: tuple[MotoServer, FeatureSeed], om_server: OMServer, tmp_path: Path
) -> None:
    moto, seed = seeded
    result = run(tmp_path, moto, om_server, lineage_service="glue_prod")
    assert result.exit_code == 0, result.status.errors
    (warning,) = result.status.warnings
    assert warning.subject == f"table glue_prod.{ACCOUNT}.{seed.database}.{seed.table}"
    assert "not found in OpenMetadata under the database service glue_prod" in warning.message
    assert sent_models(om_server)["churn-fs"]["mlFeatures"] == expected_features(seed)
    assert om_server.calls("PUT", "/api/v1/lineage") == []
    # both names the table may have were tried, once each
    assert len(om_server.calls("GET", "/api/v1/tables/name/.*")) == 2


def test_assets_without_features_reads_no_feature_group(
    seeded: tuple[MotoServer, FeatureSeed], om_server: OMServer, tmp_path: Path
) -> None:
    moto, _ = seeded
    calls: Counter[str] = Counter()
    assets = frozenset({"models", "training-jobs"})
    result = run(tmp_path, moto, om_server, sagemaker_client=counting(moto, calls), assets=assets)
    assert result.exit_code == 0
    assert "mlFeatures" not in sent_models(om_server)["churn-fs"]
    assert "DescribeFeatureGroup" not in calls


# ---- the double rejects what the server rejects ------------------------------------------------


def put(om: OMServer, path: str, body: Any) -> tuple[int, str]:
    request = urllib.request.Request(
        om.url + "/v1" + path,
        data=json.dumps(body).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {om.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read().decode()


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"edge": {"fromEntity": {"id": "TABLE", "type": "table"}}}, 400),  # no toEntity
        ({"edge": {"fromEntity": {"type": "table"}, "toEntity": {"type": "mlmodel"}}}, 400),
        ({"edge": {"fromEntity": {"id": "nope", "type": "table"}, "toEntity": {}}}, 400),
        ({"fromEntity": {}, "toEntity": {}}, 400),  # not wrapped in "edge"
        (
            {
                "edge": {
                    "fromEntity": {"id": "00000000-0000-0000-0000-000000000000", "type": "table"},
                    "toEntity": {"id": "MODEL", "type": "mlmodel"},
                }
            },
            404,  # no such table
        ),
    ],
)
def test_the_double_rejects_bad_lineage_bodies(om_server: OMServer, body: Any, status: int) -> None:
    om_server.seed_service("svc")
    model = om_server.seed_model("svc", "m")
    table = om_server.seed_table("glue.1.db.t")
    text = json.dumps(body).replace("TABLE", table["id"]).replace("MODEL", model["id"])
    assert put(om_server, "/lineage", json.loads(text))[0] == status
    assert om_server.lineage == []


@pytest.mark.parametrize(
    "feature",
    [
        {"name": "f", "dataType": "integer"},  # a FeatureSourceDataType, not a FeatureType
        {"name": "f", "featureSources": [{"name": "f", "dataType": "numerical"}]},
        {"name": "f", "featureSources": [{"name": "f", "dataSource": {"type": "table"}}]},
        {"name": "f", "source": "x"},  # no such key
        {"name": "bad/name"},  # not an entity name
    ],
)
def test_the_double_rejects_bad_features(om_server: OMServer, feature: dict[str, Any]) -> None:
    om_server.seed_service("svc")
    body = {"name": "m", "algorithm": "x", "service": "svc", "mlFeatures": [feature]}
    assert put(om_server, "/mlmodels", body)[0] == 400
