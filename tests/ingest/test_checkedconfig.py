"""The one check of a run's config (omkit_sagemaker.ingest.checkedconfig): what it holds, that
it never shows a secret, and when a run may take it instead of checking again."""

from __future__ import annotations

import builtins
import io
import os
from collections import Counter
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import omkit_sagemaker
import pytest
from omkit_sagemaker.ingest import checkedconfig
from omkit_sagemaker.ingest.ingestrun import RunOptions

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

ENV = {"SM_SECRET": AWS_SECRET, "OM_JWT": "a.b.c"}


def test_a_valid_config_has_its_workflow_and_secrets_and_shows_none(tmp_path: Path) -> None:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text("http://127.0.0.1:9/api", "http://127.0.0.1:9"), "utf-8")

    checked = checkedconfig.check(path, ENV)

    assert checked.workflow is not None
    assert checked.errors == []
    assert checked.problem is None
    assert checked.document is not None  # with positions, for messages
    assert AWS_SECRET in checked.secrets
    assert AWS_SECRET not in repr(checked)
    assert AWS_SECRET not in str(checked)


def test_an_invalid_config_has_its_errors_with_positions_and_no_workflow(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = config_text("http://127.0.0.1:9/api", "http://127.0.0.1:9")
    path.write_text(text.replace("serviceName:", "srvName:", 1), "utf-8")

    checked = checkedconfig.check(path, ENV)

    assert checked.workflow is None
    assert checked.errors
    assert all(d.file == str(path) and d.line > 0 for d in checked.errors)


def test_a_run_takes_the_check_only_when_it_is_the_check_of_its_config(tmp_path: Path) -> None:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text("http://127.0.0.1:9/api", "http://127.0.0.1:9"), "utf-8")
    options = RunOptions(environ=ENV)
    checked = checkedconfig.check(path, ENV)
    with_it = replace(options, checked=checked)

    assert checkedconfig.for_run(path, with_it) is checked
    for other, other_path in (
        (replace(with_it, text="source: {}\n"), path),  # another text
        (replace(with_it, environ=dict(os.environ)), path),  # another environment
        (replace(with_it, disable=("R001",)), path),  # other codes
        (with_it, tmp_path / "other.yaml"),  # another file
    ):
        assert checkedconfig.for_run(other_path, other) is not checked


# -------------------------------------------------------------------------------------------------
# One ``omkit run FILE`` reads its config file once (issue 24): the check, the run, its
# pipeline status and the conflict check of many configs share one read and one check
# (``omkit_sagemaker.ingest.checkedconfig``). In process, over real HTTP against moto and the
# recording OpenMetadata double; every open of the config file is counted, however it is made
# (``os.open``, ``open``, ``Path.open`` / ``read_text`` / ``read_bytes``).


FQN = "local_sagemaker.sagemaker_metadata"


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, aws_env: dict[str, str], om_server: OMServer) -> None:
    monkeypatch.setenv("SM_SECRET", AWS_SECRET)
    monkeypatch.setenv("OM_JWT", om_server.token)


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Opens of files by their real path, from now on, through every way Python opens one."""
    counted: Counter[str] = Counter()

    def counting(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(file: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(file, (str, bytes, os.PathLike)):
                counted[os.path.realpath(os.fsdecode(file))] += 1
            return real(file, *args, **kwargs)

        return wrapper

    monkeypatch.setattr(os, "open", counting(os.open))
    monkeypatch.setattr(io, "open", counting(io.open))
    monkeypatch.setattr(builtins, "open", counting(builtins.open))
    return counted


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.usefixtures("env")
def test_one_run_of_a_file_opens_it_once_and_reports_its_pipeline(
    moto: MotoServer, om_server: OMServer, tmp_path: Path, opens: Counter[str]
) -> None:
    create_model(moto, "churn", Image="img/churn:1")
    om_server.seed_pipeline(FQN)
    text = f"ingestionPipelineFQN: {FQN}\n" + config_text(om_server.url, moto.endpoint)
    path = write(tmp_path / "sm.yaml", text)
    opens.clear()

    result = omkit_sagemaker.run(path, tags=False)

    assert result.success, result
    assert result.processed == 1
    assert result.pipeline_state == "success"  # the status reporter had the config too
    assert opens[os.path.realpath(path)] == 1


@pytest.mark.usefixtures("env")
def test_an_invalid_file_is_opened_once_and_its_errors_reported(
    tmp_path: Path, opens: Counter[str], om_server: OMServer
) -> None:
    text = config_text(om_server.url, "http://127.0.0.1:9").replace("serviceName:", "srvName:", 1)
    path = write(tmp_path / "bad.yaml", text)
    opens.clear()

    result = omkit_sagemaker.run(path, tags=False)

    assert not result.success
    assert result.config_errors
    assert all(str(path) in str(p) for p in result.config_errors)
    assert opens[os.path.realpath(path)] == 1


@pytest.mark.usefixtures("env")
def test_many_files_side_by_side_each_open_once(
    moto: MotoServer, om_server: OMServer, tmp_path: Path, opens: Counter[str]
) -> None:
    create_model(moto, "churn", Image="img/churn:1")
    om_server.seed_pipeline(FQN)
    paths = [
        write(
            tmp_path / f"{name}.yaml",
            f"ingestionPipelineFQN: {FQN}\n"
            + config_text(om_server.url, moto.endpoint, service=f"svc_{name}"),
        )
        for name in ("a", "b")
    ]
    opens.clear()

    many = omkit_sagemaker.run_many(paths, tags=False)

    assert many.success, many
    assert [r.pipeline_state for r in many.runs] == ["success", "success"]
    assert [opens[os.path.realpath(p)] for p in paths] == [1, 1]


@pytest.mark.usefixtures("env")
def test_the_airflow_validate_task_opens_each_file_once_and_reports_it_queued(
    moto: MotoServer, om_server: OMServer, tmp_path: Path, opens: Counter[str]
) -> None:
    from omkit_sagemaker import airflow

    om_server.seed_pipeline(FQN)
    text = f"ingestionPipelineFQN: {FQN}\n" + config_text(om_server.url, moto.endpoint)
    path = write(tmp_path / "sm.yaml", text)
    opens.clear()

    planned = airflow.plan_runs(str(path))

    assert [(p["name"], p["valid"]) for p in planned] == [(str(path), True)]
    assert planned[0]["pipeline_run_id"]  # reported queued, under the run task's runId
    status = f"/api/v1/services/ingestionPipelines/{FQN}/pipelineStatus"
    assert [r.body["pipelineState"] for r in om_server.calls("PUT", status)] == ["queued"]
    assert opens[os.path.realpath(path)] == 1


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """Parses of config text by name, from now on: the checker's loader (however it is
    reached) and ruamel.yaml's round-trip loader."""
    from omkit_sagemaker.check import loader, validate
    from ruamel.yaml import YAML

    counted: Counter[str] = Counter()

    def counting(real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted["ruamel" if args and isinstance(args[0], YAML) else "loader"] += 1
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(loader, "load_text", counting(loader.load_text))
    monkeypatch.setattr(validate, "load_text", counting(vars(validate)["load_text"]))
    monkeypatch.setattr(YAML, "load", counting(YAML.load))
    return counted


@pytest.mark.usefixtures("env")
def test_a_config_run_in_two_regions_is_opened_and_parsed_once(
    moto: MotoServer,
    om_server: OMServer,
    tmp_path: Path,
    opens: Counter[str],
    parses: Counter[str],
) -> None:
    create_model(moto, "churn", Image="img/churn:1")
    path = write(tmp_path / "sm.yaml", config_text(om_server.url, moto.endpoint))
    opens.clear()

    many = omkit_sagemaker.run_many([path], regions=["us-east-1", "eu-west-1"], tags=False)

    assert many.success, many
    assert [Path(r.config).name for r in many.runs] == ["sm.yaml[us-east-1]", "sm.yaml[eu-west-1]"]
    assert [r.processed for r in many.runs] == [1, 0]  # each run read its own region
    assert opens[os.path.realpath(path)] == 1
    assert (parses["loader"], parses["ruamel"]) == (1, 0)  # one parse for both runs


@pytest.mark.usefixtures("env")
def test_a_region_variant_reports_a_problem_where_the_file_has_it(
    tmp_path: Path, om_server: OMServer, parses: Counter[str]
) -> None:
    text = config_text(om_server.url, "http://127.0.0.1:9")
    path = write(tmp_path / "sm.yaml", text)
    line = next(n for n, t in enumerate(text.splitlines(), 1) if "awsRegion:" in t)
    column = text.splitlines()[line - 1].index("us-east-1") + 1

    many = omkit_sagemaker.run_many([path], regions=["eu-wst-1", "eu-west-1"], tags=False)

    bad = many.runs[0]
    assert Path(bad.config).name == "sm.yaml[eu-wst-1]"
    assert not bad.success
    assert [(Path(p.file).name, p.line, p.column) for p in bad.config_errors] == [
        ("sm.yaml[eu-wst-1]", line, column)
    ]
    assert "eu-wst-1" in bad.config_errors[0].message
    assert parses["loader"] == 1


@pytest.mark.usefixtures("env")
def test_the_airflow_validate_task_parses_a_config_once_for_all_its_regions(
    tmp_path: Path, om_server: OMServer, opens: Counter[str], parses: Counter[str]
) -> None:
    from omkit_sagemaker import airflow

    path = write(tmp_path / "sm.yaml", config_text(om_server.url, "http://127.0.0.1:9"))
    opens.clear()

    planned = airflow.plan_runs(str(path), regions=["us-east-1", "eu-west-1"])

    assert [(p["name"], p["path"], p["region"], p["valid"]) for p in planned] == [
        (f"{path}[us-east-1]", str(path), "us-east-1", True),
        (f"{path}[eu-west-1]", str(path), "eu-west-1", True),
    ]
    assert opens[os.path.realpath(path)] == 1
    assert (parses["loader"], parses["ruamel"]) == (1, 0)
