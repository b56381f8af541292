"""What the CLI prints of the results: plain lines, JSON, or a rich table, and the summary."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING

from omkit_sagemaker.ingest.connection.recorder import Status, StepResult, succeeded

if TYPE_CHECKING:
    from rich.console import Console


# -- output --------------------------------------------------------------------------------------

_LABELS = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.WARN: "WARN", Status.SKIP: "SKIP"}
_STYLES = {Status.PASS: "green", Status.FAIL: "bold red", Status.WARN: "yellow", Status.SKIP: "dim"}


def summary(results: Sequence[StepResult]) -> str:
    """One line: ``OK`` or ``FAILED``, with counts of failures and warnings."""
    failed = sum(r.status is Status.FAIL for r in results)
    warned = sum(r.status is Status.WARN for r in results)
    notes = []
    if failed:
        notes.append(f"{failed} step{'s' if failed != 1 else ''} failed")
    if warned:
        notes.append(f"{warned} warning{'s' if warned != 1 else ''}")
    verdict = "FAILED" if failed else "OK"
    return verdict + (f": {', '.join(notes)}" if notes else ": every step passed")


def _duration(result: StepResult) -> str:
    return "-" if result.status is Status.SKIP else f"{result.duration:.2f}s"


def _problem(result: StepResult) -> str:
    """``code, HTTP n: message``."""
    head = result.code or ""
    if result.http_status is not None and head != f"HTTP {result.http_status}":
        head += f", HTTP {result.http_status}" if head else f"HTTP {result.http_status}"
    return f"{head}: {result.detail}" if head else result.detail


def render_line(result: StepResult, width: int = 24) -> str:
    """One plain line for ``result``: status, step, time, what happened, and the fix."""
    text = _problem(result) if result.status in (Status.FAIL, Status.WARN) else result.detail
    if result.hint:
        text += f" -> {result.hint}"
    return f"{_LABELS[result.status]}  {result.name:<{width}} {_duration(result):>7}  {text}\n"


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


def print_table(results: Sequence[StepResult], console: Console) -> None:
    """A rich table of the steps, and the summary line, on ``console``."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("Step", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Time", justify="right", no_wrap=True)
    table.add_column("Detail", overflow="fold")
    for result in results:
        problem = result.status in (Status.FAIL, Status.WARN)
        detail = Text(_problem(result) if problem else result.detail)
        if result.hint:
            detail.append("\nfix: ", style="bold")
            detail.append(result.hint)
        table.add_row(
            Text(result.name),
            Text(_LABELS[result.status], style=_STYLES[result.status]),
            Text(_duration(result)),
            detail,
        )
    console.print(table)
