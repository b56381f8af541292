"""Many configs side by side (omkit_sagemaker.ingest.multirun, through the Python API's
run_many), in process, over real HTTP: moto for SageMaker and the recording OpenMetadata double.

Every config is checked first and an invalid one does not stop the others; two configs writing
the same service are refused before any request; the filter bound (SIGALRM, main thread only)
still holds for runs on other threads; a signal stops every run and soft-deletes nothing.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import boto3
import omkit_sagemaker
import pytest
from omkit_sagemaker.ingest import mainthread, multirun

from testing.awsfixtures import ROLE_ARN, MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, aws_env: dict[str, str], om_server: OMServer) -> None:
    monkeypatch.setenv("SM_SECRET", AWS_SECRET)
    monkeypatch.setenv("OM_JWT", om_server.token)


def sagemaker(moto: MotoServer, region: str) -> Any:
    return boto3.client(
        "sagemaker",
        region_name=region,
        endpoint_url=moto.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def models_in(moto: MotoServer, region: str, *names: str) -> None:
    client = sagemaker(moto, region)
    for name in names:
        client.create_model(
            ModelName=name, ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": f"img/{name}"}
        )


def write(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.usefixtures("env")
def test_a_folder_runs_every_config_and_an_invalid_one_does_not_stop_the_others(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    models_in(moto, "us-east-1", "churn", "fraud")
    configs = tmp_path / "configs"
    for name in ("a", "b", "c"):
        text = config_text(om_server.url, moto.endpoint, service=f"svc_{name}")
        write(configs, f"{name}.yaml", text)
    bad = config_text(om_server.url, moto.endpoint, service="svc_bad")
    write(configs, "bad.yaml", bad.replace("awsRegion", "awsRegon"))
    write(configs, "docker-compose.yml", "services:\n  om:\n    image: x\n")  # not a config

    many = omkit_sagemaker.run_many([configs], tags=False, parallel=2)
    assert [Path(r.config).name for r in many.runs] == ["a.yaml", "b.yaml", "bad.yaml", "c.yaml"]
    assert [r.success for r in many.runs] == [True, True, False, True]
    assert many.exit_code == 1
    assert "S001" in {p.code for p in many.runs[2].config_errors}
    for service in ("svc_a", "svc_b", "svc_c"):
        assert set(om_server.live_models(service)) == {f"{service}.churn", f"{service}.fraud"}
    assert "svc_bad" not in om_server.services


@pytest.mark.usefixtures("env")
def test_two_configs_writing_one_service_are_refused_before_any_request(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    text = config_text(om_server.url, moto.endpoint)
    first = write(tmp_path, "one.yaml", text)
    second = write(tmp_path / "copy", "two.yaml", text.replace("/api\n", "/api/\n"))
    many = omkit_sagemaker.run_many([first, second])
    assert many.exit_code == 2
    assert len(many.conflicts) == 1
    assert "local_sagemaker" in many.conflicts[0]
    assert str(first) in many.conflicts[0]
    assert om_server.requests == []


def test_the_worker_pools_share_one_budget() -> None:
    assert multirun.workers_each(8, 4, 12) == 8
    assert multirun.workers_each(8, 16, 12) == multirun.WORKER_BUDGET // 12
    assert multirun.workers_each(64, 64, 64) == 1
    assert multirun.workers_each(8, 4, 1) == 8


@pytest.mark.usefixtures("env")
def test_the_filter_bound_holds_for_runs_on_other_threads(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    crafted = "a" * 28 + "b"  # (a+)+$ needs ~2**28 steps (about 15 s) to fail on it
    create_model(moto, crafted, Image="img/x:1")
    create_model(moto, "fine", Image="img/y:1")
    for name in ("one", "two"):
        text = config_text(om_server.url, moto.endpoint, service=name, excludes=("(a+)+$",))
        write(tmp_path, f"{name}.yaml", text)
    started = time.monotonic()
    many = omkit_sagemaker.run_many([tmp_path], tags=False)
    assert time.monotonic() - started < 10
    for run in many.runs:
        assert [f.name for f in run.model_failures] == [crafted]
        assert "took more than 0.5 s" in run.model_failures[0].message
        assert run.processed == 1


def test_main_thread_calls_run_on_the_main_thread() -> None:
    seen: list[str] = []

    def where() -> str:
        return threading.current_thread().name

    def worker() -> None:
        seen.append(mainthread.call(where))

    with mainthread.serving() as server:
        thread = threading.Thread(target=worker, name="worker")
        thread.start()
        server.serve(lambda: not thread.is_alive())
    thread.join()
    assert seen == [threading.main_thread().name]
    # without a server, the call runs where it is
    out: list[str] = []
    thread = threading.Thread(target=lambda: out.append(mainthread.call(where)), name="alone")
    thread.start()
    thread.join()
    assert out == ["alone"]


@pytest.mark.usefixtures("env")
def test_sigterm_stops_every_run_and_deletes_nothing(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    models_in(moto, "us-east-1", *(f"m{i:02d}" for i in range(12)))
    om_server.seed_service("svc_a")
    om_server.seed_model("svc_a", "gone")  # would be soft-deleted by a finished run
    om_server.latency = 0.05
    for name in ("a", "b", "c"):
        text = config_text(om_server.url, moto.endpoint, service=f"svc_{name}")
        write(tmp_path, f"{name}.yaml", text)
    timer = threading.Timer(0.6, lambda: os.kill(os.getpid(), signal.SIGTERM))
    timer.start()
    try:
        many = omkit_sagemaker.run_many([tmp_path], tags=False, workers=1, parallel=2)
    finally:
        timer.cancel()
    assert many.signal == signal.SIGTERM
    assert many.exit_code == 143
    assert all(r.exit_code == 143 for r in many.runs)
    assert any("not started" in (r.fatal or "") for r in many.runs)  # the third waited
    assert not om_server.models["svc_a.gone"]["deleted"]
    assert om_server.calls("DELETE") == []
