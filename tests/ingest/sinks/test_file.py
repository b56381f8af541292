"""The file sink (omkit_sagemaker.ingest.sinks.file): a JSON array with secrets masked, written
without any server; and it never destroys what is at its target (issue 13, point 1), in process
over real HTTP (moto behind the fault proxy, which records the AWS calls)."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult
from omkit_sagemaker.ingest.mapping import model_request
from omkit_sagemaker.ingest.sinks.file import FileSink
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus, SinkError
from omkit_sagemaker.spec.modelbase import MASK

from testing.awsfaults import FaultProxy
from testing.awsfixtures import MotoServer, create_model
from testing.modelcases import SECRET, churn, service_request
from testing.samples import AWS_SECRET, config_text

ENV = {"SM_SECRET": AWS_SECRET, "OM_JWT": "t0ken-for-nothing"}


def file_run(tmp_path: Path, aws: FaultProxy, filename: str) -> RunResult:
    text = config_text("http://127.0.0.1:9/api", aws.endpoint, sink="file", filename=filename)
    path = tmp_path / "sm.yaml"
    path.write_text(text, encoding="utf-8")
    return ingestrun.run(path, RunOptions(environ=ENV))


@pytest.fixture
def aws(aws_faults: FaultProxy, moto: MotoServer) -> FaultProxy:
    create_model(moto, "churn", Image="img/churn:1")
    create_model(moto, "fraud", Image="img/fraud:2")
    return aws_faults


def test_the_config_itself_is_refused_and_kept(
    aws: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = file_run(tmp_path, aws, "sm.yaml")
    assert result.exit_code == 1
    assert result.fatal == (
        f"sink.config.filename: sm.yaml is a file this command reads ({tmp_path / 'sm.yaml'}): "
        "choose another file"
    )
    assert (tmp_path / "sm.yaml").read_text(encoding="utf-8").startswith("source:")
    assert aws.actions == []  # refused before SageMaker is read


def test_a_directory_is_refused_before_sagemaker_is_read(aws: FaultProxy, tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    result = file_run(tmp_path, aws, str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.fatal is not None
    assert "out is a directory: omkit writes only to a regular file or a new one" in result.fatal
    assert aws.actions == []


def test_a_missing_folder_is_refused_before_sagemaker_is_read(
    aws: FaultProxy, tmp_path: Path
) -> None:
    result = file_run(tmp_path, aws, str(tmp_path / "nope" / "out.json"))
    assert result.fatal is not None
    assert "does not exist" in result.fatal
    assert aws.actions == []


def test_a_named_pipe_is_refused_and_stays(aws: FaultProxy, tmp_path: Path) -> None:
    fifo = tmp_path / "out.json"
    os.mkfifo(fifo)
    result = file_run(tmp_path, aws, str(fifo))
    assert result.fatal is not None
    assert "is a named pipe" in result.fatal
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_link_to_a_device_is_refused(aws: FaultProxy, tmp_path: Path) -> None:
    link = tmp_path / "out.json"
    link.symlink_to("/dev/null")
    result = file_run(tmp_path, aws, str(link))
    assert result.fatal is not None
    assert "is a character device (through the link to /dev/null)" in result.fatal
    assert link.is_symlink()


def test_a_link_to_a_file_is_written_through_and_the_mode_kept(
    aws: FaultProxy, tmp_path: Path
) -> None:
    real = tmp_path / "records.json"
    real.write_text("[]", encoding="utf-8")
    real.chmod(0o600)
    link = tmp_path / "out.json"
    link.symlink_to(real.name)
    result = file_run(tmp_path, aws, str(link))
    assert result.exit_code == 0, result.fatal
    assert link.is_symlink()
    assert [r["name"] for r in json.loads(real.read_text(encoding="utf-8"))] == [
        "local_sagemaker",
        "churn",
        "fraud",
    ]
    assert stat.S_IMODE(real.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "records.json", "sm.yaml"]


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
