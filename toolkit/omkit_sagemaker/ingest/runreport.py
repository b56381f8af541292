"""A run's summary as ``omkit run`` prints it: the text table (and, for a dry run, the plan), or
the ``--format json`` document.

Pure functions of a :class:`~omkit_sagemaker.ingest.ingestrun.RunResult` that return text with
every secret masked (:data:`~omkit_sagemaker.ingest.redaction.REDACTOR`). The CLI writes that
text, and shows the log lines and the progress (:mod:`omkit_sagemaker.cli.progress`).
"""

from __future__ import annotations

import json
from typing import Any

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.ingest.ingestrun import RunResult
from omkit_sagemaker.ingest.redaction import REDACTOR
from omkit_sagemaker.ingest.sinks.dryrun import Plan
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus

#: Problems listed word for word in the text summary (the JSON has every kept one).
SHOWN = 100


def total_errors(result: RunResult) -> int:
    """Errors of the run: those counted while it ran, plus the config's errors or the error
    that stopped it."""
    stopped = len(result.config_errors) or (1 if result.fatal is not None else 0)
    return result.status.error_count + stopped


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def render_text(result: RunResult) -> str:
    """The summary table (and, for a dry run, the plan)."""
    lines = [_headline(result)]
    lines += _config_error_lines(result)
    lines += _plan_lines(result)
    lines += _problem_lines(result.status)
    lines += ["", "Summary:"]
    lines += _summary_rows(result)
    lines += ["", _closing(result)]
    return REDACTOR.redact("\n".join(lines) + "\n")


def _headline(result: RunResult) -> str:
    """``Run of FILE (sink ..., service ..., file ..., OpenMetadata ...)``."""
    what = [
        f"sink {result.sink}" if result.sink else "",
        f"service {result.service}" if result.service else "",
        f"file {result.filename}" if result.filename else "",
        f"OpenMetadata {result.server_version}" if result.server_version else "",
    ]
    head = "Dry run of" if result.dry_run else "Run of"
    parts = ", ".join(w for w in what if w)
    return f"{head} {result.file}" + (f" ({parts})" if parts else "")


def _config_error_lines(result: RunResult) -> list[str]:
    """The config's errors, the first :data:`SHOWN` of them word for word."""
    if not result.config_errors:
        return []
    lines = ["", f"The config has {_plural(len(result.config_errors), 'error')}:"]
    for d in result.config_errors[:SHOWN]:
        hint = f" ({d.hint})" if d.hint else ""
        lines.append(f"  {d.file}:{d.line}:{d.column}: {d.code} {d.message}{hint}")
    return lines


def _plan_lines(result: RunResult) -> list[str]:
    """A dry run's plan (none when the run stopped): what would be written and deleted."""
    plan = result.plan
    if plan is None or result.fatal is not None:
        return []
    lines = [
        "",
        "Would write (nothing was written):",
        f"  service   {result.service} ({plan.service})",
    ]
    for action, names in (("create", plan.create), ("update", plan.update)):
        for name in names:
            kind = plan.kinds.get(name, "models")
            lines.append(f"  {action:<9} {name}" + (f"  ({kind})" if kind != "models" else ""))
    for kind, refused in (result.kinds or {}).items():
        state = "read" if refused is None else f"skipped ({refused} refused)"
        count = sum(1 for k in plan.kinds.values() if k == kind)
        lines.append(f"  kind      {kind}: {state}" + (f", {count} entities" if count else ""))
    lines.extend(f"  new tag   {name}" for name in plan.new_tags)
    lines.extend(f"  soft-delete {name}" for name in plan.soft_delete)
    lines.extend(f"  lineage   {edge}" for edge in plan.lineage)
    if plan.note:
        lines.append(f"  note: {plan.note}")
    return lines


def _problem_lines(status: RunStatus) -> list[str]:
    """The run's errors, then its warnings: the first :data:`SHOWN` of each word for word."""
    lines: list[str] = []
    for title, problems, count in (
        ("Errors", status.errors, status.error_count),
        ("Warnings", status.warnings, status.warning_count),
    ):
        if count:
            lines += ["", f"{title} ({count}):"]
            lines.extend(f"  {p.subject}: {p.message}" for p in problems[:SHOWN])
            if count > SHOWN:
                lines.append(f"  ... and {count - SHOWN} more")
    return lines


def _summary_rows(result: RunResult) -> list[str]:
    """The rows under ``Summary:``, labels aligned."""
    status = result.status
    n_deleted = len(result.mark_deleted.models) if result.dry_run else status.soft_deleted
    rows = [
        ("Processed", f"{status.processed}{_written_split(result)}"),
        ("Filtered", str(status.filtered)),
        ("Warnings", str(status.warning_count)),
        ("Errors", str(total_errors(result))),
        (
            "Would soft-delete" if result.dry_run else "Soft-deleted",
            f"{n_deleted}{_why_none(result)}",
        ),
        ("Duration", f"{result.duration:.2f} s"),
    ]
    width = max(13, *(len(label) + 1 for label, _ in rows))
    return [f"  {label:<{width}} {value}" for label, value in rows]


def _written_split(result: RunResult) -> str:
    """After the processed count: ``  (created N, updated N, unchanged N)`` when the run wrote to
    OpenMetadata, or read it for the plan; nothing otherwise."""
    status, plan = result.status, result.plan
    if not result.sink or result.sink == "file" or (plan is not None and not plan.server_read):
        return ""
    if result.dry_run:
        split = f"  (would create {status.created}, would update {status.updated}"
    else:
        split = f"  (created {status.created}, updated {status.updated}"
    # unchanged: not sent, OpenMetadata had them as they are (sourceHash)
    return split + (f", unchanged {status.unchanged})" if status.unchanged else ")")


def _why_none(result: RunResult) -> str:
    """After the soft-deleted count: why ``markDeletedMlModels`` deleted nothing, if it did not
    run."""
    deleted = result.mark_deleted
    if result.fatal is not None:
        return ""
    if not deleted.enabled:
        return "  (markDeletedMlModels: false)"
    return f"  (none: {deleted.skipped})" if deleted.skipped else ""


def _closing(result: RunResult) -> str:
    """The summary's last line: how the run ended (a dry run says that it wrote nothing)."""
    if result.fatal is not None:
        return f"Stopped: {result.fatal}"
    if result.exit_code:
        how = "with errors"
    elif result.status.warning_count:
        how = "with warnings"
    else:
        how = "" if result.dry_run else "successfully"
    if result.dry_run:
        return f"Dry run finished{' ' + how if how else ''}: nothing written"
    return f"Finished {how}"


def as_json(result: RunResult) -> dict[str, Any]:
    """The run as a JSON-able document (``--format json``)."""
    status = result.status
    return {
        "file": result.file,
        "dryRun": result.dry_run,
        "success": result.exit_code == 0,
        "exitCode": result.exit_code,
        "fatal": result.fatal,
        "sink": result.sink or None,
        "filename": result.filename,
        "service": result.service or None,
        "serverVersion": result.server_version,
        "listingComplete": result.listing_complete,
        "assets": [
            {"kind": kind, "read": refused is None, "refusedAction": refused}
            for kind, refused in result.kinds.items()
        ],
        "summary": _summary_json(result),
        "markDeleted": {
            "enabled": result.mark_deleted.enabled,
            "skipped": result.mark_deleted.skipped,
            "models": result.mark_deleted.models,
        },
        "errors": [{"subject": p.subject, "message": p.message} for p in status.errors],
        "warnings": [{"subject": p.subject, "message": p.message} for p in status.warnings],
        "configErrors": [_config_error_json(d) for d in result.config_errors],
        "plan": None if result.plan is None else _plan_json(result.plan),
    }


def _summary_json(result: RunResult) -> dict[str, Any]:
    """The counts of the run (``summary``)."""
    status = result.status
    return {
        "processed": status.processed,
        "created": status.created,
        "updated": status.updated,
        "unchanged": status.unchanged,
        "filtered": status.filtered,
        "warnings": status.warning_count,
        "errors": total_errors(result),
        "softDeleted": len(result.mark_deleted.models) if result.dry_run else status.soft_deleted,
        "durationSeconds": round(result.duration, 3),
    }


def _config_error_json(d: Diagnostic) -> dict[str, Any]:
    return {
        "file": d.file,
        "line": d.line,
        "column": d.column,
        "code": d.code,
        "message": d.message,
        "path": d.path,
        "hint": d.hint,
    }


def _plan_json(plan: Plan) -> dict[str, Any]:
    return {
        "service": plan.service,
        "create": plan.create,
        "update": plan.update,
        "newTags": plan.new_tags,
        "softDelete": plan.soft_delete,
        "lineage": plan.lineage,
        "kinds": plan.kinds,
        "serverRead": plan.server_read,
        "note": plan.note,
    }


def render_json(result: RunResult) -> str:
    return REDACTOR.redact(json.dumps(as_json(result), indent=2)) + "\n"
