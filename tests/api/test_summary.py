"""What :func:`omkit_sagemaker.run` returns carries the run's two printed forms (``to_text``,
``to_dict``) and nothing of the ingestion's own record: the relation is one-way (issue 24)."""

from __future__ import annotations

import json
from pathlib import Path

import omkit_sagemaker
import pytest
from omkit_sagemaker.ingest.ingestrun import RunResult

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, aws_env: dict[str, str], om_server: OMServer) -> None:
    monkeypatch.setenv("SM_SECRET", AWS_SECRET)
    monkeypatch.setenv("OM_JWT", om_server.token)


@pytest.mark.usefixtures("env")
def test_a_summary_prints_as_omkit_run_does_and_holds_no_run_record(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    create_model(moto, "churn", Image="img/churn:1")
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om_server.url, moto.endpoint), encoding="utf-8")

    summary = omkit_sagemaker.run(path, tags=False, dry_run=True)

    text = summary.to_text()
    assert text.startswith(f"Dry run of {path} (")
    assert "Would write (nothing was written):\n" in text
    assert "  create    local_sagemaker.churn\n" in text
    assert text.endswith("Dry run finished: nothing written\n")
    assert AWS_SECRET not in text
    assert om_server.token not in text
    document = summary.to_dict()
    assert document["plan"]["create"] == ["local_sagemaker.churn"]
    assert (document["region"], document["pipelineState"]) == ("us-east-1", None)
    document["plan"]["create"].clear()  # each call gives a document of its own
    assert summary.to_dict()["plan"]["create"] == ["local_sagemaker.churn"]
    json.dumps(summary.to_dict())
    assert not any(isinstance(value, RunResult) for value in vars(summary).values())


def test_a_summary_of_a_usage_error_still_prints() -> None:
    summary = omkit_sagemaker.run(42)  # type: ignore[arg-type]
    assert summary.exit_code == 2
    assert summary.to_text() == (
        "Run of <dict>\n\nStopped: a config is a path, YAML text or a dict, not int\n"
    )
    assert summary.to_dict() == {"file": "<dict>", "success": False, "exitCode": 2}
