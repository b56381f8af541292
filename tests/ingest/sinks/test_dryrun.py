"""The sink of ``omkit run --dry-run`` (omkit_sagemaker.ingest.sinks.dryrun) against the
recording OpenMetadata double: it reads the server to plan what a run would create, update and
tag, and sends nothing; an unreachable server is a note and every model shown as created."""

from __future__ import annotations

import pytest
from omkit_sagemaker.ingest.mapping import model_request
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError
from omkit_sagemaker.ingest.sinks.dryrun import DryRunSink
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection

from testing.modelcases import churn, service_request
from testing.omdouble import OMServer


def dry_sink(host_port: str, token: str, status: RunStatus, **options: bool) -> DryRunSink:
    config = OpenMetadataConnection.from_dict(
        {
            "hostPort": host_port,
            "authProvider": "openmetadata",
            "securityConfig": {"jwtToken": token},
        }
    )
    client = OpenMetadataClient(config, retries=1, backoff=0.0)
    return DryRunSink(status, MetadataRestSink(client, status, workers=1), **options)


def plan(sink: DryRunSink, *models: SageMakerModel) -> None:
    fqn = sink.start(service_request())
    for model in models:
        sink.write(model_request(model, fqn, "us-east-1"))
    sink.finish()


def test_an_empty_server_plans_the_service_every_model_and_tag_and_gets_no_write(
    om_server: OMServer,
) -> None:
    status = RunStatus()
    sink = dry_sink(om_server.url, om_server.token, status)
    plan(sink, churn(), churn(name="fraud"))
    assert sink.plan.server_read
    assert sink.plan.service == "create"
    assert sink.plan.create == ["svc.churn", "svc.fraud"]
    assert sink.plan.update == []
    assert sink.plan.new_tags == ["team.ml"]  # once, although both models carry it
    assert sink.plan.kinds == {"svc.churn": "models", "svc.fraud": "models"}
    assert (status.processed, status.created, status.updated) == (2, 2, 0)
    assert {r.method for r in om_server.requests} == {"GET"}


def test_a_model_the_service_has_is_an_update_and_a_known_tag_is_not_new(
    om_server: OMServer,
) -> None:
    om_server.seed_service("svc")
    om_server.seed_model("svc", "churn")
    real = RunStatus()
    live = dry_sink(om_server.url, om_server.token, real).rest
    assert live is not None
    live.start(service_request())
    live.write(model_request(churn(name="other"), "svc", "us-east-1"))  # creates team.ml
    live.finish()
    om_server.requests.clear()
    status = RunStatus()
    sink = dry_sink(om_server.url, om_server.token, status, force_service=True)
    plan(sink, churn(), churn(name="fraud", tags=()))
    assert sink.plan.service == "update"
    assert sink.plan.update == ["svc.churn"]
    assert sink.plan.create == ["svc.fraud"]
    assert sink.plan.new_tags == []
    assert (status.created, status.updated) == (1, 1)
    assert {r.method for r in om_server.requests} == {"GET"}


def test_an_unreachable_server_is_a_note_and_every_model_is_created() -> None:
    status = RunStatus()
    sink = dry_sink("http://127.0.0.1:9/api", "t0ken", status)
    plan(sink, churn())
    assert not sink.plan.server_read
    assert sink.plan.note is not None
    assert sink.plan.note.startswith("OpenMetadata was not read (")
    assert sink.plan.create == ["svc.churn"]
    assert sink.plan.new_tags == ["team.ml"]


def test_a_refused_token_stops_the_dry_run_as_it_would_stop_the_run(om_server: OMServer) -> None:
    sink = dry_sink(om_server.url, "not-the-token", RunStatus())
    with pytest.raises(OpenMetadataError):
        sink.start(service_request())
