"""A run's state in OpenMetadata (``ingestionPipelineFQN``): omkit_sagemaker.ingest.pipelinestatus
through the Python API, over real HTTP against moto and the recording OpenMetadata double, which
checks each ``PipelineStatus`` body as the server's schema does."""

from __future__ import annotations

import uuid
from pathlib import Path

import omkit_sagemaker
import pytest

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

FQN = "local_sagemaker.sagemaker_metadata"
STATUS = f"/api/v1/services/ingestionPipelines/{FQN}/pipelineStatus"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, aws_env: dict[str, str], om_server: OMServer) -> None:
    monkeypatch.setenv("SM_SECRET", AWS_SECRET)
    monkeypatch.setenv("OM_JWT", om_server.token)


def with_pipeline(text: str, run_id: str | None = None) -> str:
    head = f"ingestionPipelineFQN: {FQN}\n"
    if run_id is not None:
        head += f"pipelineRunId: {run_id}\n"
    return head + text


def states(om: OMServer) -> list[str]:
    return [r.body["pipelineState"] for r in om.calls("PUT", STATUS)]


@pytest.mark.usefixtures("env")
def test_a_run_reports_running_then_success_with_its_counts(
    moto: MotoServer, om_server: OMServer
) -> None:
    for name in ("churn", "fraud"):
        create_model(moto, name, Image=f"img/{name}:1")
    om_server.seed_pipeline(FQN)
    run_id = str(uuid.uuid4())
    text = with_pipeline(config_text(om_server.url, moto.endpoint), run_id)
    result = omkit_sagemaker.run(text, tags=False)
    assert result.success
    assert result.pipeline_state == "success"
    assert states(om_server) == ["running", "success"]
    final = om_server.pipeline_statuses[FQN][run_id]
    assert final["pipelineState"] == "success"
    assert final["startDate"] <= final["endDate"]
    assert final["status"] == [
        {"name": "SageMaker", "records": 2, "warnings": 0, "errors": 0, "filtered": 0}
    ]


@pytest.mark.usefixtures("env")
def test_a_few_failed_models_are_a_partial_success_more_a_failure(
    moto: MotoServer, om_server: OMServer
) -> None:
    for i in range(10):
        create_model(moto, f"m{i}", Image="img/m:1")
    om_server.seed_pipeline(FQN)
    om_server.fail("PUT", "/api/v1/mlmodels", status=400, message="bad", name="m3")
    text = with_pipeline(config_text(om_server.url, moto.endpoint, mark_deleted=False))
    result = omkit_sagemaker.run(text, tags=False)
    assert not result.success  # the run still fails (exit 1), as metadata ingest's does
    assert result.pipeline_state == "partialSuccess"  # 9 of 10 went through: 90 %
    om_server.fail("PUT", "/api/v1/mlmodels", status=400, message="bad", times=2)
    again = omkit_sagemaker.run(text, tags=False)
    assert again.pipeline_state == "failed"  # 8 of 10
    assert states(om_server)[-2:] == ["running", "failed"]


@pytest.mark.usefixtures("env")
def test_a_missing_pipeline_is_a_warning_not_a_failed_run(
    moto: MotoServer, om_server: OMServer
) -> None:
    create_model(moto, "churn", Image="img/churn:1")
    text = with_pipeline(config_text(om_server.url, moto.endpoint))
    result = omkit_sagemaker.run(text, tags=False)
    assert result.success
    assert result.pipeline_state is None
    assert result.warnings == 1
    warning = result.to_dict()["warnings"][0]
    assert warning is not None
    assert "no such ingestion pipeline" in warning["message"]
    assert om_server.calls("PUT", STATUS) == []


@pytest.mark.usefixtures("env")
def test_runs_side_by_side_are_queued_first(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    create_model(moto, "churn", Image="img/churn:1")
    om_server.seed_pipeline(FQN)
    for name in ("a", "b"):
        text = config_text(om_server.url, moto.endpoint, service=f"svc_{name}")
        run_id = str(uuid.UUID(int=ord(name)))
        (tmp_path / f"{name}.yaml").write_text(with_pipeline(text, run_id), encoding="utf-8")
    many = omkit_sagemaker.run_many([tmp_path], tags=False)
    assert many.success
    assert [r.pipeline_state for r in many.runs] == ["success", "success"]
    for name in ("a", "b"):
        run_id = str(uuid.UUID(int=ord(name)))
        put = [r.body["pipelineState"] for r in om_server.calls("PUT", STATUS)
               if r.body["runId"] == run_id]  # fmt: skip
        assert put == ["queued", "running", "success"]
