"""The results as text: plain lines, JSON, and the summary line. Pure functions that return
strings; the CLI writes them, and draws the terminal's table
(:mod:`omkit_sagemaker.cli.steptable`)."""

from __future__ import annotations

import json
from collections.abc import Sequence

from omkit_sagemaker.ingest.connection.recorder import StepResult, StepStatus, succeeded

#: How each step's outcome is shown.
LABELS = {
    StepStatus.PASS: "PASS",
    StepStatus.FAIL: "FAIL",
    StepStatus.WARN: "WARN",
    StepStatus.SKIP: "SKIP",
}


def summary(results: Sequence[StepResult]) -> str:
    """One line: ``OK`` or ``FAILED``, with counts of failures and warnings."""
    failed = sum(r.status is StepStatus.FAIL for r in results)
    warned = sum(r.status is StepStatus.WARN for r in results)
    notes = []
    if failed:
        notes.append(f"{failed} step{'s' if failed != 1 else ''} failed")
    if warned:
        notes.append(f"{warned} warning{'s' if warned != 1 else ''}")
    verdict = "FAILED" if failed else "OK"
    return verdict + (f": {', '.join(notes)}" if notes else ": every step passed")


def duration_text(result: StepResult) -> str:
    """The step's time (``-`` for a skipped step)."""
    return "-" if result.status is StepStatus.SKIP else f"{result.duration:.2f}s"


def problem_text(result: StepResult) -> str:
    """``code, HTTP n: message``."""
    head = result.code or ""
    if result.http_status is not None and head != f"HTTP {result.http_status}":
        head += f", HTTP {result.http_status}" if head else f"HTTP {result.http_status}"
    return f"{head}: {result.detail}" if head else result.detail


def render_line(result: StepResult, width: int = 24) -> str:
    """One plain line for ``result``: status, step, time, what happened, and the fix."""
    text = (
        problem_text(result)
        if result.status in (StepStatus.FAIL, StepStatus.WARN)
        else result.detail
    )
    if result.hint:
        text += f" -> {result.hint}"
    return f"{LABELS[result.status]}  {result.name:<{width}} {duration_text(result):>7}  {text}\n"


def render_plain(results: Sequence[StepResult]) -> str:
    """Plain lines, one per step, and the summary line (for pipes and logs)."""
    return "".join(render_line(r) for r in results) + summary(results) + "\n"


def render_json(results: Sequence[StepResult], file: str) -> str:
    """One JSON document: the file, ``ok`` (exit status 0) and every step."""
    document = {
        "file": file,
        "ok": succeeded(results),
        "summary": summary(results),
        "steps": [r.to_dict() for r in results],
    }
    return json.dumps(document, indent=2) + "\n"
