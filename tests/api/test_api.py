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
from typing import Any

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


def test_validate_paths_text_and_dicts(tmp_path: Path) -> None:
    good = config_text("http://127.0.0.1:8585/api", "http://127.0.0.1:5000")
    (tmp_path / "good.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "bad.yaml").write_text(good.replace("awsRegion", "awsRegon"), encoding="utf-8")
    found = omkit_sagemaker.validate(tmp_path, environ=None)
    assert sorted(Path(f).name for f in found.files) == ["bad.yaml", "good.yaml"]
    assert not found.ok
    assert {Path(p.file).name for p in found.problems} == {"bad.yaml"}
    assert "S001" in {p.code for p in found.problems}  # awsRegon: did you mean awsRegion?

    assert omkit_sagemaker.validate(good, environ=None).ok
    as_dict = yaml.safe_load(good)
    as_dict["source"]["type"] = 7
    from_dict = omkit_sagemaker.validate(as_dict)
    assert not from_dict.ok
    assert from_dict.problems[0].file == "<dict>"

    missing = omkit_sagemaker.validate(tmp_path / "nope.yaml")
    assert not missing.ok
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


# -------------------------------------------------------------------------------------------------
# Deep input through the Python API: a config dict nested 100,000 deep (or holding itself) is
# one clear problem in the result, never a ``RecursionError``.
# The dict is counted without recursion before it is written as YAML (api.too_deep).


MESSAGE = "the config dict is nested more than 100 levels deep"


def _nested(depth: int) -> dict[str, Any]:
    top: dict[str, Any] = {}
    inner = top
    for _ in range(depth):
        inner["k"] = {}
        inner = inner["k"]
    return {"source": top}


@pytest.mark.parametrize("depth", [100_000, 101])
def test_a_dict_nested_too_deep_is_one_problem_not_a_traceback(depth: int) -> None:
    config = _nested(depth)
    assert omkit_sagemaker.validate(config).usage_error == MESSAGE
    summary = omkit_sagemaker.run(config, dry_run=True)
    assert (summary.success, summary.exit_code, summary.fatal) == (False, 2, MESSAGE)
    assert omkit_sagemaker.run_many([config], dry_run=True).usage_error == MESSAGE


def test_a_dict_that_holds_itself_is_one_problem() -> None:
    config: dict[str, Any] = {"source": {}}
    config["source"]["again"] = config
    found = omkit_sagemaker.validate(config)
    assert [d.code for d in found.diagnostics] == ["Y007"]  # an alias that never ends


def test_a_dict_just_within_the_limit_is_checked_as_yaml_would_be() -> None:
    found = omkit_sagemaker.validate(_nested(99))
    assert found.usage_error is None
    assert [d.code for d in found.diagnostics] == ["Y001"]  # the loader's own depth limit
