"""The Python API (``omkit_sagemaker.run``, ``run_many``, ``validate``), in process, over real
HTTP: moto for SageMaker and the recording OpenMetadata double.

A config is a path, YAML text or a dict; every ordinary failure is in the result, never raised.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import omkit_sagemaker
import pytest
import yaml
from omkit_sagemaker.api import RunSummary

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, aws_env: dict[str, str], om_server: OMServer) -> None:
    monkeypatch.setenv("SM_SECRET", AWS_SECRET)
    monkeypatch.setenv("OM_JWT", om_server.token)


def seed(moto: MotoServer) -> None:
    create_model(moto, "churn", Image="img/churn:1", ModelDataUrl="s3://m/churn.tar.gz")
    create_model(moto, "fraud", Image="img/fraud:2")


@pytest.mark.usefixtures("env")
def test_run_takes_a_path_yaml_text_or_a_dict(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed(moto)
    text = config_text(om_server.url, moto.endpoint, mark_deleted=False)
    path = tmp_path / "sm.yaml"
    path.write_text(text, encoding="utf-8")

    from_path = omkit_sagemaker.run(path, tags=False)
    assert isinstance(from_path, RunSummary)
    assert from_path.success, from_path
    assert (from_path.processed, from_path.created, from_path.errors) == (2, 2, 0)
    assert from_path.service == "local_sagemaker"
    assert from_path.region == "us-east-1"
    assert from_path.config == str(path)
    assert set(om_server.live_models("local_sagemaker")) == {
        "local_sagemaker.churn",
        "local_sagemaker.fraud",
    }

    from_text = omkit_sagemaker.run(text, tags=False)
    assert from_text.success
    assert (from_text.processed, from_text.updated) == (2, 2)

    # a dict is taken as it is (no $VAR expansion, as upstream's MetadataWorkflow.create)
    data = yaml.safe_load(text.replace("${SM_SECRET}", AWS_SECRET))
    data["workflowConfig"]["openMetadataServerConfig"]["securityConfig"]["jwtToken"] = (
        om_server.token
    )
    from_dict = omkit_sagemaker.run(data, tags=False)
    assert from_dict.success
    assert from_dict.processed == 2
    assert from_dict.to_dict()["summary"]["processed"] == 2


@pytest.mark.usefixtures("env")
def test_an_invalid_config_is_in_the_result_not_raised(
    moto: MotoServer, om_server: OMServer
) -> None:
    text = config_text(om_server.url, moto.endpoint).replace("type: SageMaker", "type: Sagemaker")
    result = omkit_sagemaker.run(text)
    assert not result.success
    assert result.exit_code == 1
    assert [(p.code, p.line) for p in result.config_errors] == [("S004", 6)]
    assert "nothing was run" in (result.fatal or "")
    assert om_server.requests == []  # checked before any network call


@pytest.mark.usefixtures("env")
def test_an_unreachable_server_is_in_the_result(moto: MotoServer, om_server: OMServer) -> None:
    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    text = config_text(f"http://127.0.0.1:{port}/api", moto.endpoint)
    result = omkit_sagemaker.run(text, timeout=2)
    assert not result.success
    assert result.fatal is not None
    assert "OpenMetadata" in result.fatal


@pytest.mark.usefixtures("env")
def test_model_failures_are_listed(moto: MotoServer, om_server: OMServer) -> None:
    seed(moto)
    om_server.fail("PUT", "/api/v1/mlmodels", status=400, message="bad model", name="fraud")
    text = config_text(om_server.url, moto.endpoint, mark_deleted=False)
    result = omkit_sagemaker.run(text, tags=False)
    assert not result.success
    assert result.processed == 1
    assert [f.name for f in result.model_failures] == ["fraud"]
    assert "bad model" in result.model_failures[0].message


def test_bad_arguments_are_in_the_result() -> None:
    assert "assets" in (omkit_sagemaker.run("x.yaml", assets=["nope"]).fatal or "")
    assert omkit_sagemaker.run(42).exit_code == 2  # type: ignore[arg-type]
    missing = omkit_sagemaker.run_many(["no/such/dir"])
    assert missing.exit_code == 2
    assert "no such file" in (missing.usage_error or "")


def test_importing_the_package_is_cheap_and_validate_stays_light() -> None:
    probe = (
        "import sys, omkit_sagemaker\n"
        "before = set(sys.modules)\n"
        "r = omkit_sagemaker.validate(sys.argv[1], environ=None)\n"
        "heavy = ('boto3', 'botocore', 'typer', 'rich', 'airflow')\n"
        "print(r.ok, sorted(m for m in sys.modules if m.split('.')[0] in heavy))\n"
    )
    template = Path(__file__).resolve().parents[2] / "templates" / "sagemaker.yaml"
    out = subprocess.run(
        [sys.executable, "-c", probe, str(template)],
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    ).stdout
    assert out.strip() == "True []"
