"""Fewer writes: ``sourceHash`` on 2.x servers, and no PUT for a model the server already has.

Over real HTTP: moto for SageMaker, the recording OpenMetadata double as a 2.0 server (which
stores and returns ``sourceHash``) and as a 1.1 one (which refuses the field).
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun, runreport
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult
from omkit_sagemaker.ingest.sinks.metadata_rest import source_hash

from testing.awsfixtures import MotoServer, create_model, tag_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

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
