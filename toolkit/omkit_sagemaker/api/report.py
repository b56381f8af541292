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
    rows = [
        (
            r.config,
            r.service or "-",
            r.region or "-",
            str(r.processed),
            str(r.errors),
            str(r.soft_deleted),
            f"{r.duration:.2f} s",
            _outcome(r),
        )
        for r in many.runs
    ]
    failed = len(many.failed)
    rows.append(
        (
            f"total ({len(many.runs)} config{'s' if len(many.runs) != 1 else ''})",
            "",
            "",
            str(sum(r.processed for r in many.runs)),
            str(sum(r.errors for r in many.runs)),
            str(sum(r.soft_deleted for r in many.runs)),
            f"{many.duration:.2f} s",
            f"{failed} failed" if failed else "",
        )
    )
    widths = [max(len(COLUMNS[i]), *(len(row[i]) for row in rows)) for i in range(len(COLUMNS))]
    numeric = {3, 4, 5, 6}

    def line(cells: tuple[str, ...]) -> str:
        out = [
            cell.rjust(widths[i]) if i in numeric else cell.ljust(widths[i])
            for i, cell in enumerate(cells)
        ]
        return "  ".join(out).rstrip()

    text = [line(COLUMNS), line(tuple("-" * w for w in widths))]
    text.extend(line(row) for row in rows[:-1])
    text.append(line(tuple("-" * w for w in widths)))
    text.append(line(rows[-1]))
    for run in many.failed:
        text.append("")
        text.append(f"{run.config}:")
        for problem in run.config_errors[:SHOWN]:
            text.append(f"  {problem}")
        for p in run.problems[:SHOWN]:
            text.append(f"  {p.subject}: {p.message}")
        shown = min(len(run.config_errors), SHOWN) + min(len(run.problems), SHOWN)
        hidden = len(run.config_errors) + len(run.problems) - shown
        if hidden > 0:
            text.append(f"  ... and {hidden} more (omkit run {run.config.split('[')[0]} shows all)")
        if run.fatal is not None:
            text.append(f"  stopped: {run.fatal}")
    text.append("")
    if many.signal is not None:
        text.append("Stopped by a signal: the runs not finished wrote what they had sent")
    elif failed:
        text.append(f"{failed} of {len(many.runs)} runs failed")
    else:
        text.append(f"All {len(many.runs)} runs finished successfully")
    return _redact("\n".join(text) + "\n")


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
