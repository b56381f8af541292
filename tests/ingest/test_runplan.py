"""What an ``omkit run`` will do, worked out before SageMaker is read
(omkit_sagemaker.ingest.runplan): the plan of a config (its filter, sink, client, service and
what the summary knows early), each step that cannot go on stopping the run with one line, the
SageMaker connection taken from the service OpenMetadata stores when the config has none (the
recording OpenMetadata double), and the files the file sink must never overwrite."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.check.loader import load_text
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult
from omkit_sagemaker.ingest.runplan import Fatal, files_read, plan
from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials
from omkit_sagemaker.spec.models.workflow import Workflow

from testing.omdouble import OMServer
from testing.samples import ACCESS_KEY, AWS_SECRET, config_text

ENV = {"SM_SECRET": AWS_SECRET, "OM_JWT": "t0ken"}


def workflow(text: str) -> Workflow:
    loaded = load_text(text, "sm.yaml", environ=ENV)
    assert loaded.document is not None, loaded.diagnostics
    return Workflow.from_dict(loaded.document.data)


class Clients:
    """The SageMaker client factory of the run, noting what it was built from."""

    def __init__(self) -> None:
        self.built: list[tuple[str | None, str | None, int]] = []

    def __call__(self, aws: AwsCredentials, workers: int) -> Any:
        self.built.append((aws.awsRegion, aws.awsAccessKeyId, workers))
        return "the client"


def test_the_plan_of_a_file_sink_run(tmp_path: Path) -> None:
    text = config_text(
        "http://127.0.0.1:9/api",
        "http://127.0.0.1:9",
        sink="file",
        filename=str(tmp_path / "out.json"),
        includes=("churn-.*",),
        mark_deleted=True,
    )
    clients = Clients()
    options = RunOptions(
        environ=ENV, sagemaker_client=clients, workers=3, assets=frozenset({"models"})
    )
    result = RunResult("sm.yaml")
    made = plan(tmp_path / "sm.yaml", workflow(text), options, result)
    assert clients.built == [("us-east-1", ACCESS_KEY, 3)]
    assert made.aws_client == "the client"
    assert (made.service.name, made.assets, made.mark_deleted) == (
        "local_sagemaker",
        frozenset({"models"}),
        True,
    )
    assert made.model_filter.keep("churn-v2")
    assert not made.model_filter.keep("fraud")
    assert made.sink.rest is None
    assert (result.service, result.region, result.sink, result.filename) == (
        "local_sagemaker",
        "us-east-1",
        "file",
        str(tmp_path / "out.json"),
    )
    assert result.status is made.status


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda t: t.replace("type: sagemaker", "type: glue", 1),
            "source.type is 'glue': omkit run ingests sagemaker only",
        ),
        (lambda t: t.replace('["churn-.*"]', '["churn-("]'), "not a valid regular expression"),
    ],
)
def test_a_step_that_cannot_go_on_stops_the_run_with_one_line(
    tmp_path: Path, change: Any, message: str
) -> None:
    text = change(
        config_text(
            "http://127.0.0.1:9/api",
            "http://127.0.0.1:9",
            sink="file",
            filename="o.json",
            includes=("churn-.*",),
        )
    )
    with pytest.raises(Fatal, match=message.replace("(", r"\(").replace(")", r"\)")):
        plan(
            tmp_path / "sm.yaml",
            workflow(text),
            RunOptions(environ=ENV, sagemaker_client=Clients()),
            RunResult("sm.yaml"),
        )


def test_without_a_connection_the_file_sink_cannot_go_on(tmp_path: Path) -> None:
    text = config_text(
        "http://127.0.0.1:9/api", "", sink="file", filename="o.json", connection=False
    )
    with pytest.raises(
        Fatal, match="the file sink contacts no server, so the config must hold the connection"
    ):
        plan(
            tmp_path / "sm.yaml",
            workflow(text),
            RunOptions(environ=ENV, sagemaker_client=Clients()),
            RunResult("sm.yaml"),
        )


def test_without_a_connection_the_stored_service_s_is_used(
    tmp_path: Path, om_server: OMServer
) -> None:
    om_server.seed_service(
        "local_sagemaker",
        {"config": {"type": "SageMaker", "awsConfig": {"awsRegion": "eu-west-1"}}},
    )
    text = config_text(om_server.url, "", connection=False)
    clients = Clients()
    env = {**ENV, "OM_JWT": om_server.token}
    wf = workflow(text.replace("${OM_JWT}", om_server.token))
    made = plan(
        tmp_path / "sm.yaml",
        wf,
        RunOptions(environ=env, sagemaker_client=clients, http_backoff=0.0),
        RunResult("sm.yaml"),
    )
    assert made.sagemaker.awsConfig.awsRegion == "eu-west-1"
    assert clients.built == [("eu-west-1", None, 8)]


def test_without_a_connection_or_a_stored_service_the_run_stops(
    tmp_path: Path, om_server: OMServer
) -> None:
    wf = workflow(
        config_text(om_server.url, "", connection=False).replace("${OM_JWT}", om_server.token)
    )
    with pytest.raises(
        Fatal,
        match="the service local_sagemaker does not exist in OpenMetadata: add the connection",
    ):
        plan(
            tmp_path / "sm.yaml",
            wf,
            RunOptions(environ=ENV, sagemaker_client=Clients(), http_backoff=0.0),
            RunResult("sm.yaml"),
        )


def test_the_files_a_run_reads_are_the_config_the_aws_files_and_a_jwt_file(tmp_path: Path) -> None:
    text = config_text(
        "http://127.0.0.1:9/api", "http://127.0.0.1:9", sink="file", filename="o.json"
    )
    wf = workflow(text.replace("${OM_JWT}", "/run/secrets/om-jwt"))
    env = {"HOME": "/home/ml", "AWS_CONFIG_FILE": "/etc/aws/config"}
    assert files_read(tmp_path / "sm.yaml", wf, env) == [
        tmp_path / "sm.yaml",
        Path("/etc/aws/config"),
        Path("/home/ml/.aws/credentials"),
        Path("/run/secrets/om-jwt"),
    ]
