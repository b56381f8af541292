"""Mapping (omkit_sagemaker.ingest.mapping) and the sinks (omkit_sagemaker.ingest.sinks): request
bodies, tags, the file sink
without any server, and the metadata-rest sink against the recording OpenMetadata double."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest.mapping import (
    ServiceRequest,
    console_url,
    entity_name,
    model_request,
    tag_requests,
)
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient
from omkit_sagemaker.ingest.sinks.file import FileSink
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus, SinkError
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel
from omkit_sagemaker.spec.modelbase import MASK
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection
from omkit_sagemaker.spec.models.workflow import ServiceConnection

from testing.omdouble import OMServer

SECRET = "aws-secret-value-1234"
CONNECTION = {
    "config": {
        "type": "SageMaker",
        "awsConfig": {
            "awsAccessKeyId": "AKIAZZZZTESTKEY12345",
            "awsSecretAccessKey": SECRET,
            "awsRegion": "us-east-1",
        },
    }
}
CONSOLE = "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/models/"


def service_request(name: str = "svc") -> ServiceRequest:
    return ServiceRequest(name, ServiceConnection.from_dict(CONNECTION))


def churn(**changes: Any) -> SageMakerModel:
    fields: dict[str, Any] = {
        "name": "churn",
        "image": "123.dkr.ecr.us-east-1.amazonaws.com/churn:1",
        "model_data_url": "s3://models/churn.tar.gz",
        "tags": (("team", "ml"), ("aws:cloudformation:stack-name", "stack")),
        **changes,
    }
    return SageMakerModel(**fields)


# ---- mapping -------------------------------------------------------------------------------


def test_the_model_request_body() -> None:
    request = model_request(churn(), "svc", "us-east-1")
    assert request.fqn == "svc.churn"
    assert request.body() == {
        "name": "churn",
        "algorithm": "churn",  # the inference image's repository: no training job is known
        "mlStore": {
            "storage": "s3://models/churn.tar.gz",
            "imageRepository": "123.dkr.ecr.us-east-1.amazonaws.com/churn:1",
        },
        "service": "svc",
        "sourceUrl": CONSOLE + "churn",
        "tags": [
            {
                "tagFQN": "team.ml",
                "source": "Classification",
                "labelType": "Automated",
                "state": "Confirmed",
            }
        ],
    }


def test_ml_store_keeps_what_the_model_has_and_is_left_out_when_empty() -> None:
    only_image = model_request(churn(model_data_url=None), "svc", "us-east-1").body()
    assert only_image["mlStore"] == {
        "imageRepository": "123.dkr.ecr.us-east-1.amazonaws.com/churn:1"
    }
    bare = model_request(churn(image=None, model_data_url=None, tags=()), "svc", "us-east-1")
    assert bare.body() == {
        "name": "churn",
        "algorithm": "mlmodel",
        "service": "svc",
        "sourceUrl": CONSOLE + "churn",
    }


def test_no_tags_leaves_them_out() -> None:
    request = model_request(churn(), "svc", "us-east-1", with_tags=False)
    assert "tags" not in request.body()
    assert request.tags == ()


def test_a_service_name_with_a_dot_is_quoted_in_the_model_fqn() -> None:
    assert model_request(churn(), '"my.svc"', "us-east-1").fqn == '"my.svc".churn'


def test_tag_names_are_made_valid() -> None:
    tags = tag_requests(
        [
            ("aws:createdBy", "x"),
            ("AWS:other", "y"),
            ("cost.center", "4.2"),
            ("team:name/x", "ml ops"),
            ("flag", ""),
            ("k", "v"),
            ("long", "x" * 300),
            ("team:name/x", "ml ops"),  # twice: once
        ]
    )
    assert [(t.classification.name, t.name) for t in tags] == [
        ("cost_center", "4_2"),
        ("team_name_x", "ml ops"),
        ("flag", "true"),
        ("k_", "v_"),
        ("long", "x" * 63),
    ]
    assert tags[0].fqn == "cost_center.4_2"
    assert tags[0].body() == {
        "classification": "cost_center",
        "name": "4_2",
        "description": "SageMaker tag `cost.center=4.2`.",
    }
    assert tags[0].classification.body() == {
        "name": "cost_center",
        "description": "SageMaker tag key `cost.center`.",
    }
    assert all(len(t.fqn) <= 128 for t in tags)


def test_entity_names() -> None:
    assert entity_name("Team-A (prod) & co 100%") == "Team-A (prod) & co 100%"
    assert entity_name("ünïcode") == "ünïcode"  # \\w is Unicode, as the server's (?U)
    assert entity_name("a.b:c/d") == "a_b_c_d"


def test_console_urls_by_partition() -> None:
    assert console_url("eu-west-1", "m").startswith("https://eu-west-1.console.aws.amazon.com/")
    assert console_url("cn-north-1", "m").startswith("https://cn-north-1.console.amazonaws.cn/")
    assert console_url("us-gov-west-1", "m").startswith("https://console.amazonaws-us-gov.com/")


def test_the_service_body_reveals_secrets_only_when_asked() -> None:
    sent = service_request().body(reveal_secrets=True)
    assert sent == {"name": "svc", "serviceType": "SageMaker", "connection": CONNECTION}
    written = service_request().body()
    assert written["connection"]["config"]["awsConfig"]["awsSecretAccessKey"] == MASK
    no_store = ServiceRequest("svc", ServiceConnection.from_dict(CONNECTION), False)
    assert no_store.body() == {"name": "svc", "serviceType": "SageMaker"}


# ---- file sink ---------------------------------------------------------------------------------


def test_the_file_sink_writes_a_json_array_with_secrets_masked(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    status = RunStatus()
    sink = FileSink(target, status)
    assert sink.start(service_request()) == "svc"
    sink.write(model_request(churn(), "svc", "us-east-1"))
    sink.write(model_request(churn(name="fraud", tags=(("team", "ml"),)), "svc", "us-east-1"))
    assert not target.exists()  # nothing is visible before the end
    sink.finish()
    text = target.read_text(encoding="utf-8")
    assert SECRET not in text
    assert text.startswith("[{")
    assert text.endswith("}]")
    records = json.loads(text)
    assert [r.get("name") for r in records] == ["svc", "team", "ml", "churn", "fraud"]
    assert records[0]["connection"]["config"]["awsConfig"]["awsSecretAccessKey"] == MASK
    assert records[1] == {"name": "team", "description": "SageMaker tag key `team`."}
    assert records[2]["classification"] == "team"
    assert status.processed == 2
    assert stat.S_IMODE(target.stat().st_mode) & 0o044  # not a private 0600 temp file
    assert list(tmp_path.iterdir()) == [target]  # no temporary file left


def test_an_aborted_file_sink_leaves_the_old_file(tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    target.write_text("[]", encoding="utf-8")
    sink = FileSink(target, RunStatus())
    sink.start(service_request())
    sink.write(model_request(churn(), "svc", "us-east-1"))
    sink.abort()
    assert target.read_text(encoding="utf-8") == "[]"
    assert list(tmp_path.iterdir()) == [target]


def test_a_file_sink_in_a_missing_folder_fails_at_start(tmp_path: Path) -> None:
    with pytest.raises(SinkError, match="does not exist"):
        FileSink(tmp_path / "missing" / "out.json", RunStatus()).start(service_request())


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
