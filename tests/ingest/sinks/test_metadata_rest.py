"""The metadata-rest sink (omkit_sagemaker.ingest.sinks.metadata_rest) against the recording
OpenMetadata double."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun, runreport
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult
from omkit_sagemaker.ingest.mapping import (
    ServiceRequest,
    model_request,
)
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink, source_hash
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus, SinkError
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection

from testing.awsfixtures import MotoServer, create_model, tag_model
from testing.modelcases import CONNECTION, churn, service_request
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

# ---- metadata-rest sink ------------------------------------------------------------------------


def rest_sink(om: OMServer, status: RunStatus, **options: Any) -> MetadataRestSink:
    config = OpenMetadataConnection.from_dict(
        {
            "hostPort": om.url,
            "authProvider": "openmetadata",
            "securityConfig": {"jwtToken": om.token},
        }
    )
    client = OpenMetadataClient(config, retries=1, backoff=0.0)
    return MetadataRestSink(client, status, workers=4, **options)


def run_sink(sink: MetadataRestSink, *models: SageMakerModel) -> None:
    fqn = sink.start(service_request())
    for model in models:
        sink.write(model_request(model, fqn, "us-east-1"))
    sink.finish()


def test_the_service_is_created_when_missing_then_models_are_put(om_server: OMServer) -> None:
    status = RunStatus()
    run_sink(rest_sink(om_server, status), churn(), churn(name="fraud", tags=()))
    paths = [(r.method, r.path) for r in om_server.requests]
    assert paths[:3] == [
        ("GET", "/api/v1/system/version"),
        ("GET", "/api/v1/services/mlmodelServices/name/svc"),
        ("PUT", "/api/v1/services/mlmodelServices"),
    ]
    (service_put,) = om_server.calls("PUT", "/api/v1/services/mlmodelServices")
    assert service_put.body == {"name": "svc", "serviceType": "SageMaker", "connection": CONNECTION}
    assert [r.body for r in om_server.calls("PUT", "/api/v1/classifications")] == [
        {"name": "team", "description": "SageMaker tag key `team`."}
    ]
    assert [r.body for r in om_server.calls("PUT", "/api/v1/tags")] == [
        {"classification": "team", "name": "ml", "description": "SageMaker tag `team=ml`."}
    ]
    assert sorted(om_server.live_models()) == ["svc.churn", "svc.fraud"]
    assert (status.processed, status.created, status.updated) == (2, 2, 0)
    assert status.error_count == 0


def test_an_existing_service_is_reused_and_updates_are_counted(om_server: OMServer) -> None:
    om_server.seed_service("svc")
    om_server.seed_model("svc", "churn")
    status = RunStatus()
    run_sink(rest_sink(om_server, status), churn(tags=()), churn(name="fraud", tags=()))
    assert om_server.calls("PUT", "/api/v1/services/mlmodelServices") == []
    assert (status.processed, status.created, status.updated) == (2, 1, 1)


def test_force_entity_overwriting_sends_the_service_again(om_server: OMServer) -> None:
    om_server.seed_service("svc")
    run_sink(rest_sink(om_server, RunStatus(), force_service=True))
    assert len(om_server.calls("PUT", "/api/v1/services/mlmodelServices")) == 1


def test_a_server_older_than_1_0_is_refused(om_server: OMServer) -> None:
    om_server.version = "0.13.2"
    with pytest.raises(SinkError, match=r"needs 1\.0 or later"):
        rest_sink(om_server, RunStatus()).start(service_request())


def test_a_missing_service_without_a_connection_cannot_be_created(om_server: OMServer) -> None:
    with pytest.raises(SinkError, match=r"no source\.serviceConnection"):
        rest_sink(om_server, RunStatus()).start(ServiceRequest("svc", None))


def test_a_failed_model_is_an_error_and_the_others_are_written(om_server: OMServer) -> None:
    om_server.fail("PUT", "/api/v1/mlmodels", status=500, times=-1, name="churn")
    status = RunStatus()
    run_sink(rest_sink(om_server, status), churn(), churn(name="fraud", tags=()))
    assert status.processed == 1
    assert status.error_count == 1
    assert status.errors[0].subject == "model churn"
    assert "HTTP 500" in status.errors[0].message
    assert sorted(om_server.live_models()) == ["svc.fraud"]


def test_a_tag_that_cannot_be_created_is_an_error_and_left_out(om_server: OMServer) -> None:
    om_server.fail("PUT", "/api/v1/tags", status=400, times=-1, message="bad tag")
    status = RunStatus()
    run_sink(rest_sink(om_server, status), churn(), churn(name="fraud"))
    assert [p.subject for p in status.errors] == ["tag team.ml"]  # once, not per model
    assert status.processed == 2
    assert "tags" not in om_server.models["svc.churn"]


def test_tags_are_created_once_whatever_the_concurrency(om_server: OMServer) -> None:
    models = [churn(name=f"m{i}", tags=(("team", "ml"), ("tier", "gold"))) for i in range(30)]
    run_sink(rest_sink(om_server, RunStatus()), *models)
    assert len(om_server.calls("PUT", "/api/v1/classifications")) == 2
    assert len(om_server.calls("PUT", "/api/v1/tags")) == 2
    assert om_server.models["svc.m7"]["tags"][1]["tagFQN"] == "tier.gold"


def test_once_the_server_is_gone_the_rest_is_not_sent(om_server: OMServer) -> None:
    status = RunStatus()
    sink = rest_sink(om_server, status)
    fqn = sink.start(service_request())
    om_server.fail("PUT", "/api/v1/mlmodels", drop=True, times=-1)
    for i in range(50):
        sink.write(model_request(churn(name=f"m{i}", tags=()), fqn, "us-east-1"))
    sink.finish()
    assert status.error_count == 50
    assert status.processed == 0
    assert len(om_server.calls("PUT", "/api/v1/mlmodels")) < 50  # stopped early


def test_a_2_0_server_gets_the_bulk_endpoint(om_server: OMServer) -> None:
    om_server.version = "2.0.7"
    om_server.seed_service("svc")
    om_server.seed_model("svc", "m0")
    status = RunStatus()
    sink = rest_sink(om_server, status, bulk_size=10)
    run_sink(sink, *[churn(name=f"m{i}", tags=()) for i in range(25)])
    bulk = om_server.calls("PUT", "/api/v1/mlmodels/bulk")
    assert sorted(len(r.body) for r in bulk) == [5, 10, 10]  # sent concurrently
    assert all(r.query == {"async": "false", "overrideMetadata": "false"} for r in bulk)
    assert om_server.calls("PUT", "/api/v1/mlmodels") == []
    assert (status.processed, status.created, status.updated) == (25, 24, 1)


def test_bulk_failures_are_per_model(om_server: OMServer) -> None:
    om_server.version = "2.0.7"
    long = "m" * 257  # 2.0 names are 1-256 characters
    models = [churn(name="ok", tags=()), churn(name=long, tags=())]
    status = RunStatus()
    run_sink(rest_sink(om_server, status), *models)
    assert status.processed == 1
    assert [p.subject for p in status.errors] == [f"model {long}"]


def test_without_a_bulk_endpoint_models_go_one_by_one(om_server: OMServer) -> None:
    om_server.version = "2.0.7"
    om_server.fail("PUT", "/api/v1/mlmodels/bulk", status=404, times=-1)
    status = RunStatus()
    run_sink(rest_sink(om_server, status), churn(tags=()), churn(name="fraud", tags=()))
    assert len(om_server.calls("PUT", "/api/v1/mlmodels")) == 2
    assert status.processed == 2
    assert status.error_count == 0


# -------------------------------------------------------------------------------------------------
# Fewer writes: ``sourceHash`` on 2.x servers, and no PUT for a model the server already has.
#
# Over real HTTP: moto for SageMaker, the recording OpenMetadata double as a 2.0 server (which
# stores and returns ``sourceHash``) and as a 1.1 one (which refuses the field).


MODELS = ("churn", "fraud", "ranker")


@pytest.fixture
def seeded_moto(moto: MotoServer) -> MotoServer:
    for name in MODELS:
        arn = create_model(moto, name, Image=f"registry.example.com/{name}:1")
        tag_model(moto, arn, {"team": "risk"})
    return moto


def run(tmp_path: Path, moto: MotoServer, om: OMServer, *, dry_run: bool = False) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om.url, moto.endpoint), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    assets = frozenset({"models"})
    options = RunOptions(environ=environ, http_backoff=0.0, assets=assets, dry_run=dry_run)
    return ingestrun.run(path, options)


def model_writes(om: OMServer) -> list[dict[str, Any]]:
    """Every model body sent, one by one or in bulk."""
    bodies = [r.body for r in om.calls("PUT", "/api/v1/mlmodels")]
    for r in om.calls("PUT", "/api/v1/mlmodels/bulk"):
        bodies.extend(r.body)
    return bodies


def test_the_hash_is_32_characters_stable_and_ignores_key_order_and_itself() -> None:
    body = {"name": "churn", "service": "svc", "mlStore": {"imageRepository": "i", "storage": "s"}}
    same = {"mlStore": {"storage": "s", "imageRepository": "i"}, "service": "svc", "name": "churn"}
    digest = source_hash(body)
    assert len(digest) == 32
    assert int(digest, 16) >= 0
    assert source_hash(same) == digest
    assert source_hash({**body, "sourceHash": "anything"}) == digest
    assert source_hash({**body, "description": "new"}) != digest


def test_a_second_unchanged_run_on_a_2x_server_writes_nothing(
    seeded_moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.version = "2.0.7"
    first = run(tmp_path, seeded_moto, om_server)
    assert first.exit_code == 0, first.status.errors
    sent = model_writes(om_server)
    assert sorted(b["name"] for b in sent) == sorted(MODELS)
    for body in sent:
        assert body["sourceHash"] == source_hash(body)
    stored = om_server.live_models()["local_sagemaker.churn"]
    assert stored["sourceHash"] == next(b for b in sent if b["name"] == "churn")["sourceHash"]

    om_server.clear_requests()
    second = run(tmp_path, seeded_moto, om_server)
    assert second.exit_code == 0, second.status.errors
    assert om_server.calls("PUT") == []  # no model, tag, classification or service write
    assert om_server.calls("DELETE") == []
    assert second.status.unchanged == len(MODELS)
    assert second.status.processed == len(MODELS)
    assert "(created 0, updated 0, unchanged 3)" in runreport.render_text(second)
    assert runreport.as_json(second)["summary"]["unchanged"] == 3


def test_a_dry_run_after_an_unchanged_run_would_send_nothing(
    seeded_moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.version = "2.0.7"
    assert run(tmp_path, seeded_moto, om_server).exit_code == 0
    tag_model(seeded_moto, "arn:aws:sagemaker:us-east-1:123456789012:model/fraud", {"tier": "gold"})
    dry = run(tmp_path, seeded_moto, om_server, dry_run=True)
    assert dry.exit_code == 0, dry.status.errors
    assert dry.plan is not None
    assert dry.plan.update == ["local_sagemaker.fraud"]
    assert dry.plan.create == []
    assert dry.status.unchanged == 2


def test_a_changed_model_is_written_and_only_that_one(
    seeded_moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.version = "2.0.7"
    assert run(tmp_path, seeded_moto, om_server).exit_code == 0
    tag_model(seeded_moto, "arn:aws:sagemaker:us-east-1:123456789012:model/fraud", {"tier": "gold"})
    om_server.clear_requests()
    again = run(tmp_path, seeded_moto, om_server)
    assert again.exit_code == 0, again.status.errors
    sent = model_writes(om_server)
    assert [b["name"] for b in sent] == ["fraud"]
    assert {t["tagFQN"] for t in sent[0]["tags"]} == {"team.risk", "tier.gold"}
    assert again.status.unchanged == 2
    assert again.status.updated == 1


def test_a_model_sent_without_a_failed_tag_is_sent_again_next_run(
    seeded_moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    """The hash is of what was sent: a model that lost a tag is not taken as up to date."""
    om_server.version = "2.0.7"
    om_server.fail("PUT", "/api/v1/tags", status=400, times=1)
    first = run(tmp_path, seeded_moto, om_server)
    assert first.exit_code == 1  # the tag error
    assert all("tags" not in b for b in model_writes(om_server))
    om_server.clear_requests()
    second = run(tmp_path, seeded_moto, om_server)
    assert second.exit_code == 0, second.status.errors
    assert sorted(b["name"] for b in model_writes(om_server)) == sorted(MODELS)
    assert all(b["tags"] for b in model_writes(om_server))


def test_a_1_1_server_gets_no_source_hash_and_every_model_each_run(
    seeded_moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    assert om_server.version.startswith("1.1")
    for _ in range(2):
        om_server.clear_requests()
        result = run(tmp_path, seeded_moto, om_server)
        assert result.exit_code == 0, result.status.errors
        sent = model_writes(om_server)
        assert len(sent) == len(MODELS)
        assert all("sourceHash" not in b for b in sent)
        assert result.status.unchanged == 0


@pytest.mark.parametrize(("version", "status"), [("1.1.7", 400), ("2.0.7", 201)])
def test_the_double_refuses_source_hash_like_a_1_1_server(
    om_server: OMServer, version: str, status: int
) -> None:
    om_server.version = version
    om_server.seed_service("svc")
    body = {"name": "m", "algorithm": "mlmodel", "service": "svc", "sourceHash": "0" * 32}
    request = urllib.request.Request(
        f"{om_server.url}/v1/mlmodels",
        data=json.dumps(body).encode(),
        method="PUT",
        headers={"Authorization": f"Bearer {om_server.token}", "Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:
            code, data = answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as error:
        code, data = error.code, json.loads(error.read())
    assert code == status, data
    if status == 201:
        assert data["sourceHash"] == "0" * 32
    else:
        assert "sourceHash" in data["message"]
