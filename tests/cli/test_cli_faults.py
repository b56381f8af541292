"""``omkit run`` under faults, end to end: the real ``omkit`` entry point in a subprocess, against
moto (behind the fault proxy) and the OpenMetadata double with its fault switches.

Each test checks what an operator sees: the exit code, the one line that says why, that nothing
was soft-deleted, that the previous output is intact, and that the next clean run converges.
The ``omkit`` helper also asserts that no output holds a traceback or a secret.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from test_cli_run import OMKIT, env_for, omkit, write_config

from testing.awsfaults import FaultProxy
from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

MODELS = ("churn", "fraud", "legacy-scorer", "ranker", "recommender")
STALE = "local_sagemaker.gone-from-sagemaker"


@pytest.fixture
def aws(aws_faults: FaultProxy, moto: MotoServer) -> FaultProxy:
    for name in MODELS:
        create_model(moto, name, Image=f"img/{name}:1")
    return aws_faults


@pytest.fixture
def om(om_server: OMServer) -> OMServer:
    om_server.seed_service("local_sagemaker")
    for name in (*MODELS, "gone-from-sagemaker"):
        om_server.seed_model("local_sagemaker", name)
    return om_server


def nothing_deleted(om: OMServer) -> None:
    assert om.calls("DELETE") == []
    assert STALE in om.live_models()


def converges(tmp_path: Path, om: OMServer) -> None:
    om.failures.clear()
    done = omkit("run", "sm.yaml", "--format", "json", cwd=tmp_path, env=env_for(om))
    assert done.code == 0, done.err
    assert json.loads(done.out)["markDeleted"]["models"] == [STALE]


def start(tmp_path: Path, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_"))}
    return subprocess.Popen(
        [OMKIT, "run", *(args or ("sm.yaml",)), "--workers", "1"],
        cwd=tmp_path,
        env={**base, "AWS_EC2_METADATA_DISABLED": "true", **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for(condition: object, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not callable(condition) or not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.02)


# ---- SIGTERM (point 9) -------------------------------------------------------------------


def test_sigterm_keeps_the_previous_file_and_exits_143(aws: FaultProxy, tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    out.write_text('["the previous run"]', encoding="utf-8")
    text = config_text("http://127.0.0.1:9/api", aws.endpoint, sink="file", filename="out.json")
    write_config(tmp_path, text)
    aws.delay = 0.2
    proc = start(tmp_path, {"SM_SECRET": AWS_SECRET, "OM_JWT": "t0ken"})
    wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()))
    wait_for(lambda: "DescribeModel" in aws.actions)
    proc.send_signal(signal.SIGTERM)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 143, stderr
    assert "Traceback" not in stdout + stderr
    stopped = [line for line in stdout.splitlines() if line.startswith("Stopped:")]
    assert stopped == [
        "Stopped: stopped by SIGTERM: the models not yet written were dropped and nothing was "
        "soft-deleted"
    ]
    assert out.read_text(encoding="utf-8") == '["the previous run"]'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "sm.yaml"]  # no .tmp
    aws.delay = 0.0
    done = omkit("run", "sm.yaml", cwd=tmp_path, env={"SM_SECRET": AWS_SECRET, "OM_JWT": "t"})
    assert done.code == 0, done.err
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 1 + len(MODELS)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["TERM", "INT"])
def test_a_signal_soft_deletes_nothing(
    aws: FaultProxy, om: OMServer, tmp_path: Path, signum: signal.Signals
) -> None:
    write_config(tmp_path, config_text(om.url, aws.endpoint))
    om.latency = 0.3
    proc = start(tmp_path, env_for(om))
    wait_for(lambda: om.calls("PUT", "/api/v1/mlmodels") != [])
    proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 128 + signum, stderr
    assert "Traceback" not in stdout + stderr
    assert f"Stopped: stopped by {signum.name}" in stdout
    assert len(om.calls("PUT", "/api/v1/mlmodels")) < len(MODELS)
    om.latency = 0.0
    nothing_deleted(om)
    converges(tmp_path, om)


def test_ctrl_c_ends_a_run_whose_writes_hang_at_once(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    """A model PUT that never gets an answer (--timeout 30) does not hold Ctrl-C back: the run
    exits 130 within seconds, with nothing soft-deleted, and the next run converges."""
    write_config(tmp_path, config_text(om.url, aws.endpoint))
    om.fail("PUT", "/api/v1/mlmodels", hang=120.0, times=-1)
    proc = start(tmp_path, env_for(om), "sm.yaml", "--timeout", "30")
    try:
        wait_for(lambda: om.calls("PUT", "/api/v1/mlmodels") != [])
        time.sleep(0.3)  # the main thread is waiting for a free worker by now
        proc.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        stdout, stderr = proc.communicate(timeout=30)
        assert time.monotonic() - signalled < 5
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stdout + stderr
    assert "Stopped: stopped by SIGINT" in stdout
    assert len(om.calls("PUT", "/api/v1/mlmodels")) == 1  # no retry, no other model after it
    nothing_deleted(om)
    converges(tmp_path, om)


# ---- OpenMetadata faults (points 2, 6) and --timeout ----------------------------------------


def test_a_200_junk_answer_is_an_error_not_an_update(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    write_config(tmp_path, config_text(om.url, aws.endpoint))
    om.fail("PUT", "/api/v1/mlmodels", status=200, body="not-an-entity", times=-1)
    done = omkit("run", "sm.yaml", cwd=tmp_path, env=env_for(om))
    assert done.code == 1
    assert "  model churn: PUT /mlmodels: the answer is not an entity ('not-an-entity')" in done.out
    assert "Processed     0  (created 0, updated 0)" in done.out
    assert "Finished with errors" in done.out
    nothing_deleted(om)
    converges(tmp_path, om)


def test_a_401_in_the_middle_stops_the_run_with_one_line(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    write_config(tmp_path, config_text(om.url, aws.endpoint))
    om.fail("PUT", "/api/v1/mlmodels", status=401, times=-1, skip=2, message="Token expired")
    done = omkit("run", "sm.yaml", "--workers", "1", cwd=tmp_path, env=env_for(om))
    assert done.code == 1
    stopped = [line for line in done.out.splitlines() if line.startswith("Stopped:")]
    assert stopped == [
        "Stopped: OpenMetadata: PUT /mlmodels: HTTP 401 Token expired (the server refused the "
        "token: check securityConfig.jwtToken, the bot's JWT); the run stopped and nothing was "
        "soft-deleted"
    ]
    assert len(om.calls("PUT", "/api/v1/mlmodels")) == 3
    nothing_deleted(om)
    converges(tmp_path, om)


def test_timeout_bounds_a_server_that_hangs(aws: FaultProxy, om: OMServer, tmp_path: Path) -> None:
    write_config(tmp_path, config_text(om.url, aws.endpoint))
    om.fail("GET", "/api/v1/system/version", hang=5.0, times=-1)
    started = time.monotonic()
    done = omkit("run", "sm.yaml", "--timeout", "0.3", cwd=tmp_path, env=env_for(om))
    # 4 attempts of 0.3 s plus back-off and start-up (about 6 s, more on a loaded machine), not
    # the 4 x 5 s that waiting for the hung server would take
    assert time.monotonic() - started < 15
    assert done.code == 1
    assert "Stopped: OpenMetadata: GET /system/version: no answer from" in done.out
    assert "(timed out)" in done.out
    nothing_deleted(om)


def test_a_silent_server_costs_a_run_at_most_twice_the_timeout(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    """``--timeout`` is a deadline per call, retries included (issue 26, point 6): a server
    that never answers stops the run after two attempts and 2 x 3 s, not 4 x 3 s plus backoff."""
    write_config(tmp_path, config_text(om.url, aws.endpoint))
    om.fail("GET", "/api/v1/system/version", hang=60.0, times=-1)
    started = time.monotonic()
    done = omkit("run", "sm.yaml", "--timeout", "3", cwd=tmp_path, env=env_for(om))
    assert time.monotonic() - started < 3 * 3  # start-up included
    assert len(om.calls("GET", "/api/v1/system/version")) == 2
    assert done.code == 1
    assert "Stopped: OpenMetadata: GET /system/version: no answer from" in done.out
    nothing_deleted(om)
    helped = omkit("run", "--help", cwd=tmp_path, env={"COLUMNS": "300"})
    assert "gives up after twice that, retries included" in " ".join(helped.out.split())


def test_ctrl_c_ends_runs_side_by_side_at_once_even_on_a_silent_server(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    """``omkit run DIR``: one config waits on a server that never answers (--timeout 30), the
    other writes a file. Ctrl-C ends both within seconds, exit 130: the file keeps the previous
    run's content, no temporary file is left, nothing is soft-deleted."""
    configs = tmp_path / "configs"
    configs.mkdir()
    (configs / "silent.yaml").write_text(
        config_text(om.url, aws.endpoint, mark_deleted=True), encoding="utf-8"
    )
    out = tmp_path / "out.json"
    out.write_text('["the previous run"]', encoding="utf-8")
    (configs / "file.yaml").write_text(
        config_text(om.url, aws.endpoint, service="to_file", sink="file", filename=str(out)),
        encoding="utf-8",
    )
    om.fail("GET", "/api/v1/system/version", hang=120.0, times=-1)
    aws.delay = 0.3
    proc = start(tmp_path, env_for(om), "configs", "--timeout", "30")
    try:
        wait_for(lambda: om.calls("GET", "/api/v1/system/version") != [])
        wait_for(lambda: any(p.name.endswith(".tmp") for p in tmp_path.iterdir()))
        proc.send_signal(signal.SIGINT)
        signalled = time.monotonic()
        stdout, stderr = proc.communicate(timeout=30)
        assert time.monotonic() - signalled < 5
    finally:
        proc.kill()
        proc.wait()
    assert proc.returncode == 130, stderr
    assert "Traceback" not in stdout + stderr
    assert out.read_text(encoding="utf-8") == '["the previous run"]'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["configs", "out.json"]  # no .tmp
    assert len(om.calls("GET", "/api/v1/system/version")) == 1  # no retry after the signal
    nothing_deleted(om)


# ---- mass deletion (point 3) ------------------------------------------------------------------


def test_a_mass_deletion_is_refused_and_shown_by_a_dry_run(
    moto: MotoServer, om: OMServer, tmp_path: Path
) -> None:
    write_config(tmp_path, config_text(om.url, moto.endpoint))  # SageMaker is empty
    message = (
        "  markDeletedMlModels: refusing to soft-delete 6 of the 6 models of service "
        "local_sagemaker (100%; at most 20% in one run, and never all when SageMaker lists "
        "none; SageMaker listed 0): if that is right, run again with --allow-mass-delete"
    )
    for args in ([], ["--dry-run"]):
        done = omkit("run", "sm.yaml", *args, cwd=tmp_path, env=env_for(om))
        assert done.code == 1
        assert message in done.out.splitlines()
        nothing_deleted(om)
    done = omkit("run", "sm.yaml", "--allow-mass-delete", cwd=tmp_path, env=env_for(om))
    assert done.code == 0, done.err
    assert om.live_models() == {}


# ---- the file sink's target (point 1) -------------------------------------------------------


def test_the_config_as_the_file_sinks_target_is_refused(aws: FaultProxy, tmp_path: Path) -> None:
    text = config_text("http://127.0.0.1:9/api", aws.endpoint, sink="file", filename="sm.yaml")
    write_config(tmp_path, text)
    done = omkit("run", "sm.yaml", cwd=tmp_path, env={"SM_SECRET": AWS_SECRET, "OM_JWT": "t"})
    assert done.code == 1
    assert done.err == (
        "omkit: error: sink.config.filename: sm.yaml is a file this command reads: choose "
        "another file\n"
    )
    assert "Finished successfully" not in done.out
    assert (tmp_path / "sm.yaml").read_text(encoding="utf-8") == text
    assert aws.actions == []


# ---- operating unattended (issue 12, point 4) ------------------------------------------------


def test_debug_logs_every_call_without_a_secret(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    host = om.url.replace("http://", "http://admin:hunter2-password@")
    write_config(tmp_path, config_text(host, aws.endpoint, logger_level="DEBUG"))
    om.fail("PUT", "/api/v1/mlmodels", status=503, name="churn", retry_after=0)
    done = omkit("run", "sm.yaml", cwd=tmp_path, env={**env_for(om), "PW": "hunter2-password"})
    assert done.code == 0, done.out
    lines = done.err.splitlines()
    assert "omkit: debug: OpenMetadata GET /system/version -> HTTP 200" in "\n".join(lines)
    puts = [line for line in lines if "OpenMetadata PUT /mlmodels ->" in line]
    assert len(puts) == len(MODELS) + 1  # churn's 503 and its retry
    assert any("-> HTTP 503 (" in line for line in puts)
    aws_calls = [line for line in lines if line.startswith("omkit: debug: AWS sagemaker ")]
    listing = f"omkit: debug: AWS sagemaker ListModels POST {aws.endpoint} -> HTTP 200"
    assert any(line.startswith(listing) for line in aws_calls), aws_calls
    described = [c for c in aws_calls if " DescribeModel " in c]
    assert len(described) == len(MODELS) + 1  # and the stale model, proven gone before its delete
    assert sum(" -> HTTP 400 (" in c for c in described) == 1
    assert "hunter2" not in done.out + done.err
    assert om.token not in done.out + done.err


# ---- progress lines when unattended (first-run issue, point 4) --------------------------------


#: ``omkit`` (its console-script entry point, in a process of its own whose stderr is a pipe)
#: with the progress lines of unattended runs every ``argv[1]`` seconds instead of 10: the
#: interval is an internal parameter of ``LineProgress`` (tests/cli/test_progress.py checks
#: the 10 s default), so the run need not last 10 s to show its lines.
EVERY_ARGV1_SECONDS = """
import functools, sys
from omkit_sagemaker import cli
from omkit_sagemaker.cli import progress
every = float(sys.argv.pop(1))
progress.LineProgress = functools.partial(progress.LineProgress, every=every)
sys.argv[0] = "omkit"
cli.main()
"""
PROGRESS_EVERY = 0.5


def test_an_unattended_run_logs_a_progress_line_every_10_seconds(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    """stderr is a pipe (as under cron or Airflow): a slow AWS (0.15 s a call, one worker, 12
    calls) makes the run last past the interval (0.5 s here, 10 s by default), so progress
    lines appear, at most one per interval of the run."""
    aws.delay = 0.15
    write_config(tmp_path, config_text(om.url, aws.endpoint))
    started = time.monotonic()
    done = omkit(
        "run", "sm.yaml", "--workers", "1", "--assets", "models", cwd=tmp_path, env=env_for(om),
        program=(sys.executable, "-c", EVERY_ARGV1_SECONDS, str(PROGRESS_EVERY)),
    )  # fmt: skip
    took = time.monotonic() - started
    assert done.code == 0, done.err
    progress = [line for line in done.err.splitlines() if "progress:" in line]
    assert 1 <= len(progress) <= took // PROGRESS_EVERY, done.err
    assert all(line.endswith(" of 5 models done, 0 errors so far") for line in progress)
    # The count is logged when the listing ends, before the progress lines of the models.
    assert done.err.index("5 models listed in SageMaker") < done.err.index("progress:"), done.err
