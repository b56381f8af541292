"""Every option of ``omkit run`` reaches the Airflow DAG factory and the Python API: the
typer command, :func:`omkit_sagemaker.run` / ``run_many`` and ``ingestion_dag`` read one
declaration (``api/runoptions.py``). Needs no Airflow: signatures and the functions the DAG's
tasks call are inspected and run directly."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker import airflow, api
from omkit_sagemaker.api import runoptions
from omkit_sagemaker.cli.commands import app
from typer.main import get_command

from testing.awsfixtures import MotoServer, create_model
from testing.samples import AWS_SECRET, config_text

#: Options of ``omkit run`` that the DAG has no use for, and why. Anything else ``omkit run``
#: takes must reach ``ingestion_dag``.
NOT_FOR_AIRFLOW = {
    "output_format": "each run's summary goes to XCom as the --format json document",
    "parallel": "Airflow's executor spreads the mapped run tasks",
}


def cli_options() -> dict[str, str]:
    """The options of the real ``omkit run`` command: parameter name -> API keyword."""
    command: Any = get_command(app)
    by_cli = {o.cli_name: o.name for o in runoptions.DECLARED}
    params = command.commands["run"].params
    return {p.name: by_cli.get(p.name, p.name) for p in params if p.name != "paths"}


def test_every_omkit_run_option_is_a_keyword_of_ingestion_dag_and_reaches_its_tasks() -> None:
    keywords = set(cli_options().values())
    assert {"lineage_service", "allow_mass_delete", "disable", "enable", "file_name_template"} <= (
        keywords
    )
    wanted = keywords - set(NOT_FOR_AIRFLOW)
    accepted = set(inspect.signature(airflow.ingestion_dag).parameters)
    assert wanted - accepted == set()
    # what the DAG hands its tasks: each option split off Airflow's own DAG arguments
    given = {name: f"value-{name}" for name in wanted}
    run_options, dag_kwargs = airflow.dag_options({**given, "description": "d"})
    assert dag_kwargs == {"description": "d"}
    assert {k: run_options[k] for k in wanted} == given


def test_every_omkit_run_option_is_a_keyword_of_the_python_api() -> None:
    keywords = set(cli_options().values()) - {"output_format"}
    many = set(inspect.signature(api.run_many).parameters)
    options = set(runoptions.names(runoptions.API, "options"))
    assert keywords - (many | options) == set()
    for name in options:  # api.options takes each, and no other keyword
        default = runoptions.BY_NAME[name].default
        api.options(**{name: default})
    with pytest.raises(TypeError, match="'colour'"):
        api.options(colour=True)
    summary = api.run("x.yaml", lineage_servce="db")  # a usage error, as before
    assert summary.exit_code == 2
    assert "'lineage_servce'" in str(summary.fatal)


def test_run_one_passes_the_dag_options_on_file_name_template_and_dry_run(
    moto: MotoServer, tmp_path: Path, aws_env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two options the DAG used to drop: a file sink's per-region file name
    (``file_name_template``) and one it had (``dry_run``), through plan_runs and run_one as the
    tasks call them."""
    create_model(moto, "churn", Image="img/churn:1")
    monkeypatch.setenv("SM_SECRET", AWS_SECRET)
    monkeypatch.setenv("OM_JWT", "unused")
    out = tmp_path / "out"
    out.mkdir()
    text = config_text(
        "http://127.0.0.1:9/api", moto.endpoint, sink="file", filename=str(out / "m.json")
    )
    config = tmp_path / "sm.yaml"
    config.write_text(text, encoding="utf-8")
    run_options, _ = airflow.dag_options(
        {"regions": ["us-east-1"], "file_name_template": "{region}-{stem}{suffix}", "tags": False}
    )
    planned = airflow.plan_runs(
        str(config),
        regions=run_options["regions"],
        file_name_template=run_options["file_name_template"],
    )
    assert [p["region"] for p in planned] == ["us-east-1"]
    document = airflow.run_one(planned[0], run_options=run_options)
    assert document["success"] is True, document
    assert sorted(p.name for p in out.iterdir()) == ["us-east-1-m.json"]
    assert '"churn"' in (out / "us-east-1-m.json").read_text(encoding="utf-8")

    dry, _ = airflow.dag_options({**run_options, "dry_run": True})
    (out / "us-east-1-m.json").unlink()
    document = airflow.run_one(planned[0], run_options=dry)
    assert document["success"] is True, document
    assert list(out.iterdir()) == []  # a dry run writes nothing
