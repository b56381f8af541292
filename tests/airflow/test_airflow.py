"""The Airflow DAG factory (omkit_sagemaker.airflow) end to end with a real Apache Airflow: the
example DAG of examples/airflow/ run by ``dag.test()`` in a subprocess whose metadata database
is a temporary SQLite file, against moto and the recording OpenMetadata double.

Skipped only when Airflow is not importable (``pip install -e '.[dev,airflow]'``; CI installs
it)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

# Airflow runs in the test's subprocess only: that it is installed is enough here (importing it
# would cost each pytest-xdist worker over a second of collection; and with tests/ on sys.path
# this folder would pass for an "airflow" package).
try:
    importlib.metadata.distribution("apache-airflow")
except importlib.metadata.PackageNotFoundError:
    pytest.skip("Apache Airflow is not installed (the airflow extra)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "airflow" / "sagemaker_ingestion.py"
HELPER = Path(__file__).with_name("dagrun.py")
FQN = "svc_a.sagemaker_metadata"


def airflow_env(tmp_path: Path, aws_env: dict[str, str], **extra: str) -> dict[str, str]:
    home = tmp_path / "airflow-home"
    home.mkdir()
    base = {k: v for k, v in aws_env.items() if not k.startswith("AIRFLOW")}
    return {
        **base,
        "AIRFLOW_HOME": str(home),
        "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{home / 'airflow.db'}",
        "AIRFLOW__CORE__DAGS_FOLDER": str(tmp_path / "dags"),
        "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
        **extra,
    }


def run_dag(tmp_path: Path, env: dict[str, str]) -> dict[str, Any]:
    dags = tmp_path / "dags"
    dags.mkdir()
    dag_file = dags / EXAMPLE.name
    shutil.copy(EXAMPLE, dag_file)
    proc = subprocess.run(
        [sys.executable, str(HELPER), str(dag_file)],
        env=env, capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    both = proc.stdout + proc.stderr
    assert AWS_SECRET not in both
    assert env["OM_JWT"] not in both
    line = next((x for x in proc.stdout.splitlines() if x.startswith("OMKIT-RESULT ")), None)
    assert line is not None, both[-5000:]
    result: dict[str, Any] = json.loads(line[len("OMKIT-RESULT ") :])
    return result


def test_the_example_dag_validates_then_runs_one_mapped_task_per_config(
    moto: MotoServer, om_server: OMServer, tmp_path: Path, aws_env: dict[str, str]
) -> None:
    for name in ("churn", "fraud"):
        create_model(moto, name, Image=f"img/{name}:1")
    om_server.seed_pipeline(FQN)
    configs = tmp_path / "configs"
    configs.mkdir()
    a = f"ingestionPipelineFQN: {FQN}\n" + config_text(
        om_server.url, moto.endpoint, service="svc_a"
    )
    (configs / "a.yaml").write_text(a, encoding="utf-8")
    b = config_text(om_server.url, moto.endpoint, service="svc_b")
    (configs / "b.yaml").write_text(b, encoding="utf-8")
    bad = config_text(om_server.url, moto.endpoint, service="svc_bad")
    (configs / "bad.yaml").write_text(bad.replace("awsRegion", "awsRegon"), encoding="utf-8")
    (configs / "docker-compose.yml").write_text("services: {}\n", encoding="utf-8")

    env = airflow_env(
        tmp_path, aws_env, OMKIT_CONFIGS=str(configs), SM_SECRET=AWS_SECRET, OM_JWT=om_server.token
    )
    result = run_dag(tmp_path, env)

    tasks = {(t["task_id"], t["map_index"]): t for t in result["tasks"]}
    assert sorted(tasks) == [("run", 0), ("run", 1), ("run", 2), ("validate", -1)]
    assert tasks[("validate", -1)]["state"] == "success"
    assert [tasks[("run", i)]["state"] for i in range(3)] == ["success", "success", "failed"]
    assert tasks[("run", 2)]["try_number"] == 1  # an invalid config is not retried
    assert result["state"] == "failed"  # the DAG run shows that one config failed

    xcoms = {(x["task_id"], x["map_index"], x["key"]): x["value"] for x in result["xcoms"]}
    planned = xcoms[("validate", -1, "return_value")]
    assert [Path(p["path"]).name for p in planned] == ["a.yaml", "b.yaml", "bad.yaml"]
    for index, service in ((0, "svc_a"), (1, "svc_b")):
        summary = xcoms[("run", index, "return_value")]
        assert summary["service"] == service
        assert summary["summary"]["processed"] == 2
        assert summary["success"] is True
    assert xcoms[("run", 0, "return_value")]["pipelineState"] == "success"
    failed = xcoms[("run", 2, "summary")]
    assert failed["success"] is False
    assert "S001" in {e["code"] for e in failed["configErrors"]}
    assert ("run", 2, "return_value") not in xcoms

    # what reached OpenMetadata
    assert set(om_server.live_models("svc_a")) == {"svc_a.churn", "svc_a.fraud"}
    assert set(om_server.live_models("svc_b")) == {"svc_b.churn", "svc_b.fraud"}
    assert "svc_bad" not in om_server.services
    (status,) = om_server.pipeline_statuses[FQN].values()
    assert status["pipelineState"] == "success"
    put = om_server.calls("PUT", f"/api/v1/services/ingestionPipelines/{FQN}/pipelineStatus")
    assert [r.body["pipelineState"] for r in put] == ["queued", "running", "success"]
    assert not os.environ.get("AIRFLOW_HOME") or os.environ["AIRFLOW_HOME"] != env["AIRFLOW_HOME"]
