"""A Model Registry version's training job and datasets from SageMaker's lineage graph, where
the direct fields do not give them (``--assets models,registry,lineage``, no ``training-jobs``;
or a version whose ``ModelDataUrl`` no training job wrote that ``Search`` finds).

moto holds the registry (``Search``), the processing job (``DescribeProcessingJob``) and nothing
of the lineage graph: moto has no lineage API (``ListArtifacts``, ``ListAssociations`` and
``DescribeArtifact`` answer 500), so the graph is :class:`testing.lineagedouble.LineageGraph` in
front of it, holding every request to botocore's service model (refused as SageMaker refuses
it) and every answer to the output shapes. OpenMetadata is the recording double; the bodies are
also held to the official 2.0.7.0 client's request models.

The estate: processing job ``prep-churn`` wrote ``s3://ml-data/churn/train/``; training job
``churn-train`` (only in the graph: SageMaker recorded its trial component) read that and
``s3://scratch/tmp/`` and wrote ``s3://models/churn/model.tar.gz``, the model data of the group
``churn-registry``'s Approved version. OpenMetadata has the container of the first location;
group ``plain-registry``'s version has model data the graph knows nothing of.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult

from testing.awsfaults import FaultProxy
from testing.awsfixtures import MotoServer, create_package_group, create_package_version
from testing.lineagedouble import LineageGraph, create_processing_job
from testing.officialrequests import refused
from testing.omdouble import OMServer, sent_models
from testing.samples import AWS_SECRET, config_text
from testing.shapecheck import ServiceError

TRAIN, SCRATCH = "s3://ml-data/churn/train/", "s3://scratch/tmp/"
MODEL = "s3://models/churn/model.tar.gz"
ASSETS = frozenset({"models", "registry", "lineage"})


@pytest.fixture
def estate(moto: MotoServer, aws_faults: FaultProxy) -> tuple[FaultProxy, LineageGraph]:
    create_processing_job(moto, "prep-churn", inputs={"raw": "s3://raw/"}, outputs={"t": TRAIN})
    create_package_group(moto, "churn-registry")
    create_package_version(moto, "churn-registry", "Approved", model_data_url=MODEL)
    create_package_group(moto, "plain-registry")
    create_package_version(moto, "plain-registry", "Approved", model_data_url="s3://m/x.tar.gz")
    graph = LineageGraph()
    graph.processing_job_wrote("prep-churn", TRAIN)
    graph.training_job_made("churn-train", MODEL, [TRAIN, SCRATCH])
    graph.mount(aws_faults)
    return aws_faults, graph


def run(tmp_path: Path, aws: FaultProxy, om: OMServer, **options: Any) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om.url, aws.endpoint), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    options.setdefault("assets", ASSETS)
    return ingestrun.run(path, RunOptions(environ=environ, http_backoff=0.0, workers=1, **options))


def test_a_registry_version_gets_its_job_and_datasets_from_the_graph(
    estate: tuple[FaultProxy, LineageGraph], om_server: OMServer, tmp_path: Path
) -> None:
    aws, graph = estate
    container = om_server.seed_container("s3_prod.ml-data.churn/train")
    om_server.seed_container("s3_prod.ml-data")
    result = run(tmp_path, aws, om_server, lineage_storage_service="s3_prod")
    assert result.exit_code == 0, result.status.errors
    # the group's MlModel says which job made its version and what it read, with the writer
    group = sent_models(om_server)["churn-registry"]
    assert group["description"].endswith(
        "**Training data** (SageMaker's lineage graph): made by training job `churn-train`\n\n"
        "- `s3://ml-data/churn/train/`, written by processing job `prep-churn` (Completed)\n"
        "- `s3://scratch/tmp/`\n"
    )
    assert "**Training data**" not in sent_models(om_server)["plain-registry"]["description"]
    # one edge container -> group, through the one edge writer, naming both jobs
    (put,) = om_server.calls("PUT", "/api/v1/lineage")
    edge = put.body["edge"]
    assert edge["fromEntity"] == {"id": container["id"], "type": "container"}
    models = {e["id"]: e["fullyQualifiedName"] for e in om_server.models.values()}
    assert models[edge["toEntity"]["id"]] == "local_sagemaker.churn-registry"
    assert edge["description"] == (
        "Training data of the chosen model package version: read by SageMaker training job "
        "`churn-train` (SageMaker's lineage graph), written by SageMaker processing job "
        "`prep-churn`."
    )
    # the bucket the graph names and OpenMetadata lacks: one warning, the group still written
    assert [w.subject for w in result.status.warnings] == [
        "lineage",  # no training-jobs: the models' own channels are not followed
        f"location {SCRATCH}",
    ]
    assert refused({"/lineage": [put.body], "/mlmodels": [group]}) == []
    # bounded per version: one ListArtifacts of its model data; the graph's answers followed
    # only where it knows the model; each dataset described once
    models_asked = [p for op, p in graph.requests if op == "ListArtifacts" and "ArtifactType" in p]
    assert sorted(p["SourceUri"] for p in models_asked) == ["s3://m/x.tar.gz", MODEL]
    assert all(p["ArtifactType"] == "Model" for p in models_asked)
    calls = Counter(aws.actions)
    assert calls["DescribeArtifact"] == 2
    # the model's producer, the job's datasets, and each dataset's writer (one per location)
    assert calls["ListAssociations"] == 4
    assert calls["DescribeProcessingJob"] == 1
    assert graph.refused == 0


def test_a_denied_describe_artifact_skips_the_kind_with_one_warning(
    estate: tuple[FaultProxy, LineageGraph], om_server: OMServer, tmp_path: Path
) -> None:
    aws, _ = estate

    def deny(params: Any) -> Any:
        raise ServiceError("AccessDeniedException", "not authorized to DescribeArtifact")

    aws.handlers["DescribeArtifact"] = deny
    result = run(tmp_path, aws, om_server, assets=frozenset({"models", "training-jobs", *ASSETS}))
    assert result.exit_code == 0, result.status.errors
    (warning,) = result.status.warnings
    assert warning.subject == "lineage"
    assert "sagemaker:DescribeArtifact is not allowed" in warning.message
    assert result.kinds["lineage"] == "sagemaker:DescribeArtifact"
    assert Counter(aws.actions)["DescribeArtifact"] == 1  # the kind is off: not asked again
    group = sent_models(om_server)["churn-registry"]
    assert "**Training data**" not in group["description"]  # written, without the graph's word


def test_a_found_training_job_is_not_asked_of_the_graph(
    estate: tuple[FaultProxy, LineageGraph], om_server: OMServer, tmp_path: Path, moto: MotoServer
) -> None:
    """The direct fields win: a version whose model data a training job in ``Search`` wrote
    gets that job's channels (the existing path), and no model artifact is looked up."""
    from testing.awsfixtures import create_training_job

    aws, graph = estate
    url = create_training_job(moto, "direct-train", channels={"train": TRAIN})
    create_package_group(moto, "direct-registry")
    create_package_version(moto, "direct-registry", "Approved", model_data_url=url)
    result = run(tmp_path, aws, om_server, assets=frozenset({"training-jobs", *ASSETS}))
    assert result.exit_code == 0, result.status.errors
    asked = [p["SourceUri"] for op, p in graph.requests if op == "ListArtifacts"]
    assert url not in asked
    assert MODEL in asked
    group = sent_models(om_server)["direct-registry"]
    assert "made by training job" not in group["description"]
    assert "written by processing job `prep-churn`" in group["description"]


@pytest.fixture
def served(
    estate: tuple[FaultProxy, LineageGraph], moto: MotoServer
) -> tuple[FaultProxy, LineageGraph, str]:
    """``churn-model`` (model data ``MODEL``) served by ``churn-ep``, which the graph says
    deploys ``churn-registry`` version 2, and by ``plain-ep``, which the graph does not know."""
    from testing.awsfixtures import XGBOOST, create_endpoint, create_model

    aws, graph = estate
    package = create_package_version(moto, "churn-registry", "Approved", model_data_url=MODEL)
    create_model(moto, "churn-model", Image=XGBOOST, ModelDataUrl=MODEL)
    for endpoint in ("churn-ep", "plain-ep"):
        variant = [("main", "churn-model", 1.0, "ml.m5.large", 1)]
        create_endpoint(moto, endpoint, f"{endpoint}-config", variant)
    described = moto.client("sagemaker").describe_endpoint(EndpointName="churn-ep")
    graph.endpoint_deploys(described["EndpointArn"], package, MODEL)
    return aws, graph, package


def test_a_model_lists_the_package_versions_its_endpoints_deploy(
    served: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path
) -> None:
    aws, graph, package = served
    assert package.endswith(":model-package/churn-registry/2")
    assets = frozenset({"models", "training-jobs", "endpoints", "lineage"})
    result = run(tmp_path, aws, om_server, assets=assets)
    assert result.exit_code == 0, result.status.errors
    assert result.status.warnings == []
    model = sent_models(om_server)["churn-model"]
    assert model["description"].endswith(
        "**Deployed model package versions** (SageMaker's lineage graph)\n\n"
        "- endpoint `churn-ep`: `churn-registry/2`\n"
    )
    assert refused({"/mlmodels": [model]}) == []
    # bounded per endpoint: one ListContexts each; the query and the action only where the
    # graph knows the endpoint; the query asks for approval actions upstream only
    calls = Counter(aws.actions)
    assert (calls["ListContexts"], calls["QueryLineage"], calls["DescribeAction"]) == (2, 1, 1)
    (query,) = [p for op, p in graph.requests if op == "QueryLineage"]
    assert query["Direction"] == "Ascendants"
    assert query["Filters"] == {"Types": ["ModelPackageApprovalAction"], "LineageTypes": ["Action"]}
    assert graph.refused == 0


def test_a_denied_query_lineage_skips_the_kind_with_one_warning(
    served: tuple[FaultProxy, LineageGraph, str], om_server: OMServer, tmp_path: Path
) -> None:
    aws, _, _ = served

    def deny(params: Any) -> Any:
        raise ServiceError("AccessDeniedException", "not authorized to QueryLineage")

    aws.handlers["QueryLineage"] = deny
    assets = frozenset({"models", "training-jobs", "endpoints", "lineage"})
    result = run(tmp_path, aws, om_server, assets=assets)
    assert result.exit_code == 0, result.status.errors
    (warning,) = result.status.warnings
    assert "sagemaker:QueryLineage is not allowed" in warning.message
    assert result.kinds["lineage"] == "sagemaker:QueryLineage"
    assert Counter(aws.actions)["QueryLineage"] == 1
    assert "Deployed model package" not in sent_models(om_server)["churn-model"]["description"]
