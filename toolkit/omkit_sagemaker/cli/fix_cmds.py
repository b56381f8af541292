"""``omkit fix``: apply the certain fixes in place, or show them as a diff."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from omkit_sagemaker.cli.shared import _WRITE, _fail_usage, app


@app.command("fix", rich_help_panel=_WRITE)
def fix_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Config files, or directories to search for *.yaml / *.yml files."),
    ],
    diff: Annotated[
        bool,
        typer.Option(
            "--diff", help="Print a unified diff and write nothing; exit 1 if there is a fix."
        ),
    ] = False,
    target_version: Annotated[
        str | None,
        typer.Option(
            "--target-version",
            metavar="X.Y",
            help="Migrate to this OpenMetadata release: rename or remove the keys and values "
            "it replaced, removed or does not know yet.",
        ),
    ] = None,
) -> None:
    """Fix what is certain (misspelt keys, letter case, quoted booleans, literal secrets, ...),
    keeping comments and layout: exit 0 when no error is left, 1 otherwise, 2 on usage problems."""
    from omkit_sagemaker.base.diagnostics import Severity
    from omkit_sagemaker.check import versions
    from omkit_sagemaker.check.fix import apply
    from omkit_sagemaker.check.validate import UsageError, collect_files

    try:
        if target_version is not None:
            versions.parse_version(target_version)
        files = collect_files(paths)
    except (UsageError, ValueError) as exc:
        message = f"--target-version: {exc}" if isinstance(exc, ValueError) else str(exc)
        raise _fail_usage(message) from None
    out = sys.stderr if diff else sys.stdout  # with --diff, stdout holds the diff alone
    fixed = left = failed = changed = 0
    for file in files:
        result = apply.plan(file, target=target_version)
        for line in result.errors:
            sys.stderr.write(f"{line}\n")
        if result.errors:
            failed += 1
            continue
        for diag, fix in result.applied:
            verb = "would fix" if diff else "fixed"
            out.write(f"{diag.file}:{diag.line}:{diag.column}: {verb} {diag.code}: ")
            out.write(f"{fix.explanation}\n")
        for diag, _, why in result.skipped:
            out.write(f"{diag.file}:{diag.line}:{diag.column}: cannot fix {diag.code}: {why}\n")
        if result.changed and diff:
            sys.stdout.write(apply.diff(result))
        elif result.changed:
            try:
                apply.write(result)
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
                sys.stderr.write(f"{result.file}:1:1: not written: {reason}\n")
                failed += 1
                continue
        changed += result.changed
        fixed += len(result.applied)
        left += sum(1 for d in result.after if d.severity is Severity.ERROR)
    sys.stdout.flush()
    out.write(_summary(fixed, changed, left, len(files), failed, diff) + "\n")
    if target_version is not None and fixed:
        out.write(
            f"validate with --target-version {target_version} (or set target-version = "
            f'"{target_version}" in [tool.omkit]) to check for that release\n'
        )
    if failed or left or (diff and changed):
        raise typer.Exit(code=1)


def _summary(fixed: int, changed: int, left: int, files: int, failed: int, diff: bool) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}" + ("" if count == 1 else "s")

    verb = "would fix" if diff else "fixed"
    text = f"{n(files, 'file')} checked: {verb} {n(fixed, 'problem')} in {n(changed, 'file')}"
    text += f", {n(left, 'error')} left" + (" (run omkit validate)" if left else "")
    return text + (f"; {n(failed, 'file')} not fixed" if failed else "")
