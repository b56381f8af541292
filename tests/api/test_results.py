"""What the Python API returns (omkit_sagemaker.api.results): a run's summary made from its full
record (counts, the failed models by name, every problem, the config's errors), its JSON as
``omkit run --format json`` prints it, and the exit code of many runs (0, 1, 2 for nothing run,
128 + the signal that stopped them). A summary carries the run's two printed forms (``to_text``,
``to_dict``) and nothing of the ingestion's own record: the relation is one-way (issue 24)."""

from __future__ import annotations

import json
import signal
from pathlib import Path

import omkit_sagemaker
import pytest
from omkit_sagemaker.api.results import ManySummary, ModelFailure, Problem, RunSummary
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.ingest.ingestrun import RunResult

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


def record() -> RunResult:
    result = RunResult("sm.yaml", service="ml", region="us-east-1", sink="metadata-rest")
    status = result.status
    status.model_written(True)
    status.model_written(False)
    status.model_filtered()
    status.model_failed("fraud", "HTTP 400: bad body", quiet=True)
    status.error("ListTags", "throttled", quiet=True)
    status.warn("endpoints", "skipped", quiet=True)
    result.config_errors = [
        Diagnostic("sm.yaml", 2, 3, Severity.ERROR, "S004", "a bad type", "$.a")
    ]
    return result


def test_a_run_s_summary_is_made_from_its_record() -> None:
    summary = RunSummary.of(record(), pipeline_state="partialSuccess")
    assert (summary.success, summary.exit_code, summary.fatal) == (False, 1, None)
    assert (summary.processed, summary.created, summary.updated, summary.filtered) == (2, 1, 1, 1)
    assert (summary.warnings, summary.errors) == (1, 3)  # the config's error counts too
    assert summary.model_failures == [ModelFailure("fraud", "HTTP 400: bad body")]
    assert summary.problems == [
        Problem("model fraud", "HTTP 400: bad body"),
        Problem("ListTags", "throttled"),
    ]
    assert [str(p) for p in summary.config_errors] == ["sm.yaml:2:3: error S004 a bad type"]
    document = summary.to_dict()
    assert (document["region"], document["pipelineState"]) == ("us-east-1", "partialSuccess")


def test_without_its_record_a_summary_s_json_says_the_outcome_only() -> None:
    summary = RunSummary("sm.yaml", success=True, exit_code=0)
    assert summary.to_dict() == {"file": "sm.yaml", "success": True, "exitCode": 0}


def test_the_exit_code_of_many_runs() -> None:
    ok = RunSummary("a.yaml", success=True, exit_code=0)
    failed = RunSummary("b.yaml", success=False, exit_code=1)
    assert ManySummary([ok, ok]).exit_code == 0
    assert ManySummary([ok, failed]).exit_code == 1
    assert ManySummary([ok, failed]).failed == [failed]
    assert ManySummary([ok], conflicts=["a.yaml and c.yaml write the service ml"]).exit_code == 2
    assert ManySummary(usage_error="no such file").exit_code == 2
    stopped = ManySummary([ok], signal=signal.SIGTERM)
    assert (stopped.exit_code, stopped.success) == (128 + signal.SIGTERM, False)


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
