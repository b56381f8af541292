"""Where a model's data came from (``--assets ...,lineage --lineage-storage-service``), over
real HTTP: moto holds the training jobs, models, feature groups and processing jobs
(``DescribeProcessingJob``); moto has no lineage API at all (``ListArtifacts`` and
``ListAssociations`` answer 500), so the lineage graph is :class:`testing.lineagedouble
.LineageGraph` in front of it, which holds every request to botocore's service model and every
answer to the output shapes. OpenMetadata is the recording double, holding the S3 connector's
containers and a Glue table; each lineage and model body is also held to the official client's
request models (2.0.7.0, and 1.1.7.5 for a 1.1 server).

The seeded estate:

* processing job ``prep-churn`` reads ``s3://raw-data/churn/`` and writes
  ``s3://ml-data/churn/train/`` and ``s3://ml-data/churn/validation/``; the graph records both
  (the first through its trial component, the second through the job itself);
* model ``churn-model`` (job ``churn-train``) reads those two channels; OpenMetadata has the
  structured path ``ml-data."churn/train"`` and the folders ``ml-data.churn.validation``;
* model ``fraud-model`` (job ``fraud-train``) reads ``s3://fraud-data/features/v3/`` (only the
  bucket is in OpenMetadata, and the graph knows nothing of it) and ``s3://scratch/tmp/`` (no
  such bucket in OpenMetadata: a warning);
* model ``churn-fs`` (job ``churn-fs-train``, :func:`seed_features`) reads a feature group's
  offline store (bucket ``ml-features``, not in OpenMetadata: a warning; its Glue table is) and
  ``s3://ml-data/holdout/`` (only the bucket ``ml-data`` is known).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult
from omkit_sagemaker.ingest.runreport import render_text

from testing.awsfaults import FaultProxy
from testing.awsfixtures import (
    ACCOUNT,
    XGBOOST,
    FeatureSeed,
    MotoServer,
    create_model,
    create_training_job,
)
from testing.awsfixtures import seed_features as seed_feature_groups
from testing.lineagedouble import LineageGraph, create_processing_job
from testing.officialrequests import refused
from testing.omdouble import OMServer, sent_models
from testing.samples import AWS_SECRET, config_text
from testing.shapecheck import ServiceError

ASSETS = frozenset({"models", "training-jobs", "features", "lineage"})
TRAIN, VALIDATION = "s3://ml-data/churn/train/", "s3://ml-data/churn/validation/"
#: The Glue table of the feature group (moto names it: set by the ``estate`` fixture).
GLUE_TABLE = ""


def seed(moto: MotoServer) -> FeatureSeed:
    """The estate of the module doc; the feature group's Glue table and offline store."""
    create_processing_job(
        moto,
        "prep-churn",
        inputs={"raw": "s3://raw-data/churn/"},
        outputs={"train": TRAIN, "validation": VALIDATION},
    )
    churn = create_training_job(
        moto, "churn-train", channels={"train": TRAIN, "validation": VALIDATION}
    )
    create_model(moto, "churn-model", Image=XGBOOST, ModelDataUrl=churn)
    fraud = create_training_job(
        moto,
        "fraud-train",
        channels={"train": "s3://fraud-data/features/v3/", "scratch": "s3://scratch/tmp/"},
    )
    create_model(moto, "fraud-model", Image=XGBOOST, ModelDataUrl=fraud)
    return seed_feature_groups(moto)


def graph_of_the_estate() -> LineageGraph:
    graph = LineageGraph()
    graph.processing_job_wrote("prep-churn", TRAIN)
    graph.processing_job_wrote("prep-churn", VALIDATION, by_trial_component=False)
    return graph


def seed_openmetadata(om: OMServer) -> dict[str, dict[str, Any]]:
    """The containers the S3 connector made, and the Glue table; by short name."""
    return {
        "ml-data": om.seed_container("s3_prod.ml-data"),
        # a structured data path is one container named after the whole path ("/" is no
        # FQN separator); unstructured folders are nested containers
        "train": om.seed_container("s3_prod.ml-data.churn/train"),
        "churn": om.seed_container("s3_prod.ml-data.churn"),
        "validation": om.seed_container("s3_prod.ml-data.churn.validation"),
        "fraud-data": om.seed_container("s3_prod.fraud-data"),
    }


def run(tmp_path: Path, aws: FaultProxy, om: OMServer, **options: Any) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om.url, aws.endpoint), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    options.setdefault("workers", 1)
    options.setdefault("assets", ASSETS)
    return ingestrun.run(path, RunOptions(environ=environ, http_backoff=0.0, **options))


@pytest.fixture
def estate(moto: MotoServer, aws_faults: FaultProxy) -> tuple[FaultProxy, LineageGraph, str]:
    """The estate behind the fault proxy, the graph mounted on it, the offline store's channel
    URI, and the Glue table's FQN in OpenMetadata (as test_features names it)."""
    features = seed(moto)
    offline = features.offline_uri + "/year=2026/"
    global GLUE_TABLE
    GLUE_TABLE = f"glue_prod.{ACCOUNT}.{features.database}.{features.table}"
    graph = graph_of_the_estate()
    graph.mount(aws_faults)
    return aws_faults, graph, offline


def edges(om: OMServer) -> set[tuple[str, str, str]]:
    """``(from FQN, from type, model FQN)`` of each edge the double accepted."""
    by_id = {e["id"]: e["fullyQualifiedName"] for e in om.containers.values()}
    by_id |= {e["id"]: e["fullyQualifiedName"] for e in om.tables.values()}
    models = {e["id"]: e["fullyQualifiedName"] for e in om.models.values()}
    return {(by_id[f], kind, models[t]) for f, kind, t, _ in om.lineage}


@pytest.mark.parametrize("version", ["1.1.7", "2.0.7"])
def test_the_seeded_estate_gets_exactly_its_edges_from_containers_and_tables(
    estate: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path, version: str
) -> None:
    aws, _, offline = estate
    om_server.version = version
    seeded = seed_openmetadata(om_server)
    glue = om_server.seed_table(GLUE_TABLE)
    result = run(
        tmp_path, aws, om_server, lineage_service="glue_prod", lineage_storage_service="s3_prod"
    )
    assert result.exit_code == 0, result.status.errors
    assert edges(om_server) == {
        ("s3_prod.ml-data.churn/train", "container", "local_sagemaker.churn-model"),
        ("s3_prod.ml-data.churn.validation", "container", "local_sagemaker.churn-model"),
        ("s3_prod.fraud-data", "container", "local_sagemaker.fraud-model"),
        ("s3_prod.ml-data", "container", "local_sagemaker.churn-fs"),
        (glue["fullyQualifiedName"], "table", "local_sagemaker.churn-fs"),
    }
    assert len(om_server.lineage) == 5  # one PUT per edge, none twice
    # one warning per location OpenMetadata does not have; the models are still written
    warnings = sorted((w.subject, w.message) for w in result.status.warnings)
    assert [s for s, _ in warnings] == [f"location {offline}", "location s3://scratch/tmp/"]
    assert "not found in OpenMetadata under the storage service s3_prod" in warnings[0][1]
    assert set(sent_models(om_server)) == {"churn-model", "fraud-model", "churn-fs"}
    # the edges' descriptions name the training job, the channel and the processing job
    by_from = {
        c.body["edge"]["fromEntity"]["id"]: c.body
        for c in om_server.calls("PUT", "/api/v1/lineage")
    }
    assert by_from[seeded["train"]["id"]]["edge"]["description"] == (
        "Training data: channel `train` of SageMaker training job `churn-train`, written by "
        "SageMaker processing job `prep-churn`."
    )
    assert by_from[seeded["fraud-data"]["id"]]["edge"]["description"] == (
        "Training data: channel `train` of SageMaker training job `fraud-train`."
    )
    assert by_from[seeded["train"]["id"]]["edge"]["fromEntity"] == {
        "id": seeded["train"]["id"],
        "type": "container",
    }
    # every body as the official client of that release accepts it (its request models)
    sent = {
        "/lineage": [c.body for c in om_server.calls("PUT", "/api/v1/lineage")],
        "/mlmodels": list(sent_models(om_server).values()),
    }
    assert refused(sent, "2.0.7.0" if version.startswith("2.") else "1.1.7.5") == []


def test_the_processing_job_that_wrote_the_data_is_in_the_description(
    estate: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path
) -> None:
    aws, graph, _ = estate
    result = run(tmp_path, aws, om_server)  # no storage service: descriptions only
    assert result.exit_code == 0, result.status.errors
    assert result.status.warnings == []
    sent = sent_models(om_server)
    assert sent["churn-model"]["description"].endswith(
        "**Training data** (written by SageMaker processing jobs)\n\n"
        "- `train`: `s3://ml-data/churn/train/`, written by processing job `prep-churn` "
        "(Completed)\n"
        "  - which read `s3://raw-data/churn/`\n"
        "- `validation`: `s3://ml-data/churn/validation/`, written by processing job "
        "`prep-churn` (Completed)\n"
        "  - which read `s3://raw-data/churn/`\n"
    )
    assert "**Training data**" not in sent["fraud-model"]["description"]
    assert om_server.lineage == []
    assert om_server.calls("GET", "/api/v1/containers/name/.*") == []
    # bounded per training location: one ListArtifacts for each distinct one, one
    # ListAssociations per artifact found, the processing job described once
    calls = Counter(aws.actions)
    assert calls["ListArtifacts"] == 6
    assert calls["ListAssociations"] == 2
    assert calls["DescribeProcessingJob"] == 1
    assert calls["ListProcessingJobs"] == 0
    asked = {p["SourceUri"] for op, p in graph.requests if op == "ListArtifacts"}
    assert len(asked) == 6  # each distinct channel URI once, whatever the models sharing it


def test_a_dry_run_lists_each_edge_it_would_add_and_adds_none(
    estate: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path
) -> None:
    aws, _, _ = estate
    seed_openmetadata(om_server)
    om_server.seed_table(GLUE_TABLE)
    result = run(
        tmp_path,
        aws,
        om_server,
        lineage_service="glue_prod",
        lineage_storage_service="s3_prod",
        dry_run=True,
    )
    assert result.exit_code == 0, result.status.errors
    assert om_server.calls("PUT", "/api/v1/lineage") == []
    assert result.plan is not None
    # the feature tables' edges and the containers' go through the same writer
    assert sorted(result.plan.lineage) == [
        "container s3_prod.fraud-data -> local_sagemaker.fraud-model",
        "container s3_prod.ml-data -> local_sagemaker.churn-fs",
        "container s3_prod.ml-data.churn.validation -> local_sagemaker.churn-model",
        "container s3_prod.ml-data.churn/train -> local_sagemaker.churn-model",
        f"table {GLUE_TABLE} -> local_sagemaker.churn-fs",
    ]
    text = render_text(result)
    assert "  lineage   container s3_prod.ml-data.churn/train -> local_sagemaker.churn-model" in (
        text
    )


def test_a_denied_lineage_call_skips_the_kind_with_one_warning(
    estate: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path
) -> None:
    aws, _, _ = estate

    def deny(params: Any) -> Any:
        raise ServiceError("AccessDeniedException", "not authorized to ListArtifacts")

    aws.handlers["ListArtifacts"] = deny
    result = run(tmp_path, aws, om_server)
    assert result.exit_code == 0, result.status.errors
    (warning,) = result.status.warnings
    assert warning.subject == "lineage"
    assert "sagemaker:ListArtifacts is not allowed" in warning.message
    assert result.kinds["lineage"] == "sagemaker:ListArtifacts"
    assert Counter(aws.actions)["ListArtifacts"] == 1  # not asked again
    assert set(sent_models(om_server)) == {"churn-model", "fraud-model", "churn-fs"}


def test_without_the_lineage_api_the_run_warns_once_and_writes_every_model(
    moto: MotoServer, aws_faults: FaultProxy, om_server: OMServer, tmp_path: Path
) -> None:
    """moto itself answers the lineage calls with a 500 (not implemented), as a region or an
    emulator without the API would."""
    seed(moto)
    result = run(tmp_path, aws_faults, om_server, aws_attempts=1)
    assert result.exit_code == 0, result.status.errors
    (warning,) = result.status.warnings
    assert warning.subject == "lineage"
    assert "SageMaker's lineage graph could not be read" in warning.message
    # the first failed call (botocore retries a 500 once here) turns the graph off: not one
    # call per training location (there are 6)
    assert Counter(aws_faults.actions)["ListArtifacts"] <= 2
    assert set(sent_models(om_server)) == {"churn-model", "fraud-model", "churn-fs"}


def test_lineage_is_opt_in(
    estate: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path
) -> None:
    aws, graph, _ = estate
    result = run(tmp_path, aws, om_server, assets=ingestrun.RunOptions().assets)
    assert result.exit_code == 0, result.status.errors
    assert "lineage" not in result.kinds
    assert graph.requests == []


def test_test_connection_assets_lineage_is_one_list_artifacts_call(
    estate: tuple[FaultProxy, LineageGraph, str],
) -> None:
    import boto3
    from omkit_sagemaker.ingest.connection.kinds import check_kinds
    from omkit_sagemaker.ingest.connection.recorder import Recorder

    aws, graph, _ = estate
    client = boto3.client(
        "sagemaker",
        region_name="us-east-1",
        endpoint_url=aws.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    rec = Recorder(timeout=1.0, max_attempts=1, on_step=None)
    check_kinds(rec, client, {"lineage"})
    (step,) = rec.results
    assert (step.name, step.status.value, step.detail) == (
        "lineage",
        "pass",
        "sagemaker:ListArtifacts allowed (1+ seen)",
    )
    assert graph.requests == [("ListArtifacts", {"MaxResults": 1})]

    def deny(params: Any) -> Any:
        raise ServiceError("AccessDeniedException", "not authorized to ListArtifacts")

    aws.handlers["ListArtifacts"] = deny
    rec = Recorder(timeout=1.0, max_attempts=1, on_step=None)
    check_kinds(rec, client, {"lineage"})
    (step,) = rec.results
    assert step.mandatory is False  # a run skips the kind with a warning and goes on
    assert "allow sagemaker:ListArtifacts" in (step.hint or "")


def test_lineage_without_training_jobs_says_it_has_nothing_to_follow(
    estate: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path
) -> None:
    aws, graph, _ = estate
    result = run(tmp_path, aws, om_server, assets=frozenset({"models", "lineage"}))
    assert result.exit_code == 0, result.status.errors
    (warning,) = result.status.warnings
    assert (warning.subject, "add training-jobs to --assets" in warning.message) == (
        "lineage",
        True,
    )
    assert graph.requests == []


def test_omkit_run_on_the_command_line_shows_the_edges_of_a_dry_run(
    estate: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path
) -> None:
    import os
    import shutil
    import subprocess
    import sys

    aws, _, _ = estate
    seed_openmetadata(om_server)
    (tmp_path / "sm.yaml").write_text(config_text(om_server.url, aws.endpoint), encoding="utf-8")
    omkit = shutil.which("omkit", path=str(Path(sys.executable).parent)) or "omkit"
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_"))}
    env = {**base, "AWS_EC2_METADATA_DISABLED": "true", "SM_SECRET": AWS_SECRET}
    env["OM_JWT"] = om_server.token
    command = [omkit, "run", "sm.yaml", "--assets", "models,training-jobs,lineage"]
    command += ["--lineage-storage-service", "s3_prod", "--dry-run", "--format", "json"]
    done = subprocess.run(
        command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    assert AWS_SECRET not in done.stdout + done.stderr
    assert om_server.token not in done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert sorted(report["plan"]["lineage"]) == [
        "container s3_prod.fraud-data -> local_sagemaker.fraud-model",
        "container s3_prod.ml-data -> local_sagemaker.churn-fs",
        "container s3_prod.ml-data.churn.validation -> local_sagemaker.churn-model",
        "container s3_prod.ml-data.churn/train -> local_sagemaker.churn-model",
    ]
    assert {"kind": "lineage", "read": True, "refusedAction": None} in report["assets"]
    assert om_server.calls("PUT", "/api/v1/lineage") == []


def test_a_registry_group_gets_the_edges_of_its_versions_training_data(
    estate: tuple[FaultProxy, LineageGraph, str],
    moto: MotoServer,
    om_server: OMServer,
    tmp_path: Path,
) -> None:
    from testing.awsfixtures import create_package_group, create_package_version

    aws, _, _ = estate
    model = moto.client("sagemaker").describe_model(ModelName="churn-model")
    create_package_group(moto, "churn-registry")
    url = model["PrimaryContainer"]["ModelDataUrl"]
    create_package_version(moto, "churn-registry", "Approved", model_data_url=url)
    seed_openmetadata(om_server)
    assets = frozenset({"models", "training-jobs", "registry", "lineage"})
    result = run(tmp_path, aws, om_server, assets=assets, lineage_storage_service="s3_prod")
    assert result.exit_code == 0, result.status.errors
    group_edges = {e for e in edges(om_server) if e[2] == "local_sagemaker.churn-registry"}
    assert group_edges == {
        ("s3_prod.ml-data.churn/train", "container", "local_sagemaker.churn-registry"),
        ("s3_prod.ml-data.churn.validation", "container", "local_sagemaker.churn-registry"),
    }
    group = sent_models(om_server)["churn-registry"]
    assert "written by processing job `prep-churn`" in group["description"]
