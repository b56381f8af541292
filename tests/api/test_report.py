"""The summary of many runs (omkit_sagemaker.api.report): one aligned row per run with what
happened to it and a total, the first problems of each failed run under the table, a last line
saying what happened; conflicts instead when nothing was run; JSON with every run and the
totals; and the run's secrets masked in both."""

from __future__ import annotations

import json

import pytest
from omkit_sagemaker.api.report import SHOWN, as_json, render_json, render_text
from omkit_sagemaker.api.results import ManySummary, Problem, RunSummary
from omkit_sagemaker.ingest import redaction
from omkit_sagemaker.spec.modelbase import MASK

SECRET = "s3cr3t-for-the-report"


@pytest.fixture
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """The process's redactor, for the test, knows a secret of a run."""
    redactor = redaction.Redactor()
    redactor.add([SECRET])
    monkeypatch.setattr(redaction, "REDACTOR", redactor)


def runs() -> ManySummary:
    ok = RunSummary(
        "a.yaml", True, 0, service="ml_a", region="us-east-1", processed=12, duration=1.5
    )
    problems = [Problem(f"model m-{i}", f"HTTP 400 with token {SECRET}") for i in range(SHOWN + 2)]
    failed = RunSummary(
        "b.yaml",
        False,
        1,
        service="ml_b",
        processed=3,
        errors=7,
        soft_deleted=1,
        duration=0.25,
        problems=problems,
    )
    return ManySummary([ok, failed], duration=1.75)


def test_the_table_has_a_row_per_run_a_total_and_the_failed_run_s_first_problems(
    secret: None,
) -> None:
    text = render_text(runs())
    lines = text.splitlines()
    assert lines[0].split() == [
        "config",
        "service",
        "region",
        "processed",
        "errors",
        "soft-deleted",
        "duration",
        "status",
    ]
    assert lines[2].split() == ["a.yaml", "ml_a", "us-east-1", "12", "0", "0", "1.50", "s", "ok"]
    assert lines[3].split() == ["b.yaml", "ml_b", "-", "3", "7", "1", "0.25", "s", "errors"]
    assert lines[5].split() == [
        "total",
        "(2",
        "configs)",
        "15",
        "7",
        "1",
        "1.75",
        "s",
        "1",
        "failed",
    ]
    assert len({len(line) for line in lines[1:5:3]}) == 1  # the rules line up with the columns
    assert "b.yaml:" in lines
    assert f"  model m-0: HTTP 400 with token {MASK}" in lines
    assert "  model m-5: " not in text
    assert "  ... and 2 more (omkit run b.yaml shows all)" in lines
    assert lines[-1] == "1 of 2 runs failed"
    assert SECRET not in text


def test_conflicts_say_that_nothing_was_run() -> None:
    many = ManySummary(conflicts=["a.yaml and c.yaml write the service ml"])
    assert render_text(many) == (
        "omkit: error: a.yaml and c.yaml write the service ml\n"
        "Nothing was run: two runs would write the same service or file.\n"
    )


def test_the_last_line_says_what_happened() -> None:
    ok = RunSummary("a.yaml", True, 0)
    assert render_text(ManySummary([ok])).splitlines()[-1] == "All 1 runs finished successfully"
    stopped = ManySummary([ok], signal=15)
    assert (
        render_text(stopped).splitlines()[-1]
        == "Stopped by a signal: the runs not finished wrote what they had sent"
    )


def test_the_json_has_every_run_and_the_totals_with_secrets_masked(secret: None) -> None:
    document = as_json(runs())
    assert (document["success"], document["exitCode"], document["conflicts"]) == (False, 1, [])
    assert document["summary"] == {
        "runs": 2,
        "failed": 1,
        "processed": 15,
        "errors": 7,
        "softDeleted": 1,
        "durationSeconds": 1.75,
    }
    assert [r["file"] for r in document["runs"]] == ["a.yaml", "b.yaml"]
    text = render_json(ManySummary([RunSummary(f"{SECRET}.yaml", True, 0)]))
    assert SECRET not in text
    assert json.loads(text)["summary"]["runs"] == 1
