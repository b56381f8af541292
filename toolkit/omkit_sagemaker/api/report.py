"""The summary of many runs (``omkit run PATH...``): a table with one row per run and a total,
or one JSON document with every run. Secrets are masked as in a single run's summary."""

from __future__ import annotations

import json
from typing import Any

from omkit_sagemaker.api.results import ManySummary, RunSummary

#: Problems shown under the table for each failed run (the JSON has them all).
SHOWN = 5
COLUMNS = (
    "config", "service", "region", "processed", "errors", "soft-deleted", "duration", "status",
)  # fmt: skip


def _outcome(run: RunSummary) -> str:
    if run.config_errors:
        return "invalid config"
    if run.exit_code > 128:
        return "stopped"
    if run.fatal is not None:
        return "stopped"
    if not run.success:
        return "errors"
    return "warnings" if run.warnings else "ok"


def _redact(text: str) -> str:
    from omkit_sagemaker.ingest.redaction import REDACTOR

    return REDACTOR.redact(text)


def render_text(many: ManySummary) -> str:
    """The table, the problems of the runs that failed, and the last line (what happened)."""
    if many.conflicts:
        lines = [f"omkit: error: {c}" for c in many.conflicts]
        lines.append("Nothing was run: two runs would write the same service or file.")
        return _redact("\n".join(lines) + "\n")
    text = _table([_row(r) for r in many.runs], _total_row(many))
    for run in many.failed:
        text += _failure_lines(run)
    text += ["", _last_line(many)]
    return _redact("\n".join(text) + "\n")


def _row(run: RunSummary) -> tuple[str, ...]:
    """One run's cells, in the order of :data:`COLUMNS`."""
    return (
        run.config,
        run.service or "-",
        run.region or "-",
        str(run.processed),
        str(run.errors),
        str(run.soft_deleted),
        f"{run.duration:.2f} s",
        _outcome(run),
    )


def _total_row(many: ManySummary) -> tuple[str, ...]:
    """The last row: the number of configs, the sums, the time of all runs, how many failed."""
    runs, failed = many.runs, len(many.failed)
    return (
        f"total ({len(runs)} config{'s' if len(runs) != 1 else ''})",
        "",
        "",
        str(sum(r.processed for r in runs)),
        str(sum(r.errors for r in runs)),
        str(sum(r.soft_deleted for r in runs)),
        f"{many.duration:.2f} s",
        f"{failed} failed" if failed else "",
    )


def _table(rows: list[tuple[str, ...]], total: tuple[str, ...]) -> list[str]:
    """The header, a rule, the runs' rows, a rule and the total row; each column as wide as its
    widest cell, the numbers right-aligned."""
    widths = [
        max(len(COLUMNS[i]), *(len(row[i]) for row in [*rows, total])) for i in range(len(COLUMNS))
    ]
    numeric = {3, 4, 5, 6}

    def line(cells: tuple[str, ...]) -> str:
        out = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(out).rstrip()

    rule = line(tuple("-" * w for w in widths))
    return [line(COLUMNS), rule, *(line(row) for row in rows), rule, line(total)]


def _failure_lines(run: RunSummary) -> list[str]:
    """Under the table, for a run that failed: its first problems and what stopped it."""
    lines = ["", f"{run.config}:"]
    lines.extend(f"  {problem}" for problem in run.config_errors[:SHOWN])
    lines.extend(f"  {p.subject}: {p.message}" for p in run.problems[:SHOWN])
    shown = min(len(run.config_errors), SHOWN) + min(len(run.problems), SHOWN)
    hidden = len(run.config_errors) + len(run.problems) - shown
    if hidden > 0:
        lines.append(f"  ... and {hidden} more (omkit run {run.config.split('[')[0]} shows all)")
    if run.fatal is not None:
        lines.append(f"  stopped: {run.fatal}")
    return lines


def _last_line(many: ManySummary) -> str:
    """What happened to the runs, in one line."""
    failed = len(many.failed)
    if many.signal is not None:
        return "Stopped by a signal: the runs not finished wrote what they had sent"
    if failed:
        return f"{failed} of {len(many.runs)} runs failed"
    return f"All {len(many.runs)} runs finished successfully"


def as_json(many: ManySummary) -> dict[str, Any]:
    """Every run as ``omkit run --format json`` prints one, and the totals."""
    return {
        "success": many.success,
        "exitCode": many.exit_code,
        "conflicts": many.conflicts,
        "summary": {
            "runs": len(many.runs),
            "failed": len(many.failed),
            "processed": sum(r.processed for r in many.runs),
            "errors": sum(r.errors for r in many.runs),
            "softDeleted": sum(r.soft_deleted for r in many.runs),
            "durationSeconds": round(many.duration, 3),
        },
        "runs": [r.to_dict() for r in many.runs],
    }


def render_json(many: ManySummary) -> str:
    return _redact(json.dumps(as_json(many), indent=2)) + "\n"
