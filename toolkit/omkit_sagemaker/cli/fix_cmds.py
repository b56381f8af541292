"""``omkit fix``: apply the certain fixes in place, or show them as a diff."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TextIO

import typer

from omkit_sagemaker.cli.shared import WRITE_SECTION, app, fail_usage

if TYPE_CHECKING:
    from omkit_sagemaker.check.fix.apply import FileFix

#: Why a file named on the command line gets no fix.
_NOT_OURS = (
    "not a SageMaker workflow config (its source.type names another connector, or it is no "
    "OpenMetadata workflow); omkit fix changes nothing in it"
)


class _Tally:
    """What the summary line counts."""

    def __init__(self) -> None:
        self.fixed = self.changed = self.left = self.failed = self.unsafe = 0


@app.command("fix", rich_help_panel=WRITE_SECTION)
def fix_command(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Config files, or directories to search for SageMaker configs."),
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
    unsafe_fixes: Annotated[
        bool,
        typer.Option(
            "--unsafe-fixes",
            help="Also make the unsafe fixes: a literal secret becomes ${NAME}, and is then "
            "no longer in the file (you set NAME to it).",
        ),
    ] = False,
    no_env: Annotated[
        bool,
        typer.Option(
            "--no-env",
            help="Count what is left without expanding $VAR / ${VAR} (as validate --no-env).",
        ),
    ] = False,
) -> None:
    """Fix what is certain (misspelt keys, letter case, quoted booleans, ...), keeping comments
    and layout: exit 0 when no error is left (as omkit validate counts), 1 otherwise, 2 on
    usage problems."""
    from omkit_sagemaker.check import discovery, versions
    from omkit_sagemaker.check.fix import secretnames

    try:
        if target_version is not None:
            versions.parse_version(target_version)
        found = discovery.collect(paths, only_workflows=True)
    except (discovery.UsageError, ValueError) as exc:
        message = f"--target-version: {exc}" if isinstance(exc, ValueError) else str(exc)
        raise fail_usage(message) from None
    named = {Path(p) for p in paths}
    refused = {f: _NOT_OURS for f in found.skipped if f in named}
    files = sorted([*found.files, *refused], key=lambda f: str(f))
    if not files:
        where = ", ".join(str(p) for p in paths)
        raise fail_usage(f"no SageMaker workflow config to fix in {where}")
    plans = secretnames.plan_files(
        files,
        target=target_version,
        unsafe=unsafe_fixes,
        environ=None if no_env else os.environ,
        refuse=refused,
    )
    out = sys.stderr if diff else sys.stdout  # with --diff, stdout holds the diff alone
    tally = _Tally()
    for result in plans:
        _report(result, diff, out, tally)
    sys.stdout.flush()
    skipped = len(found.skipped) - len(refused)
    out.write(_summary(tally, len(files), skipped, diff) + "\n")
    if target_version is not None and tally.fixed:
        out.write(
            f"validate with --target-version {target_version} (or set target-version = "
            f'"{target_version}" in [tool.omkit]) to check for that release\n'
        )
    if tally.failed or tally.left or (diff and tally.changed):
        raise typer.Exit(code=1)


def _report(result: FileFix, diff: bool, out: TextIO, tally: _Tally) -> None:
    """Write one file (unless ``diff``) and print what was done to it, secrets masked."""
    from omkit_sagemaker.base.diagnostics import Severity
    from omkit_sagemaker.base.masking import mask_text
    from omkit_sagemaker.check.fix import apply, mask

    secrets = mask.secret_values(result.old_text, result.new_text) if result.old_text else set()

    def say(stream: TextIO, line: str) -> None:
        stream.write(mask_text(line, secrets) + "\n")

    left = result.left
    for line in result.errors:
        say(sys.stderr, line)
    written = not result.errors
    if result.changed and diff:
        sys.stdout.write(apply.diff(result))
    elif result.changed:
        try:
            apply.write(result)
        except (OSError, ValueError) as exc:
            reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
            reason = getattr(exc, "reason", reason)
            say(sys.stderr, f"{result.file}:1:1: not written: {reason}")
            written, left = False, result.left_unwritten
    if result.errors or not written:
        tally.failed += 1
        left = result.left_unwritten
    else:
        verb = "would fix" if diff else "fixed"
        for diag, fix in result.applied:
            where = f"{diag.file}:{diag.line}:{diag.column}"
            say(out, f"{where}: {verb} {diag.code}: {fix.explanation}")
        tally.changed += result.changed
        tally.fixed += len(result.applied)
    for diag, _, why in result.skipped:
        say(out, f"{diag.file}:{diag.line}:{diag.column}: cannot fix {diag.code}: {why}")
    for diag, fix in result.unsafe:
        say(
            out,
            f"{diag.file}:{diag.line}:{diag.column}: not fixed {diag.code} (an unsafe fix: "
            f"{fix.caution}); omkit fix --unsafe-fixes writes {fix.new} instead",
        )
    tally.unsafe += len(result.unsafe)
    tally.left += sum(1 for d in left if d.severity is Severity.ERROR)


def _summary(tally: _Tally, files: int, skipped: int, diff: bool) -> str:
    def n(count: int, word: str) -> str:
        return f"{count} {word}" + ("" if count == 1 else "s")

    verb = "would fix" if diff else "fixed"
    text = f"{n(files, 'file')} checked: {verb} {n(tally.fixed, 'problem')} in "
    text += f"{n(tally.changed, 'file')}, {n(tally.left, 'error')} left"
    text += " (run omkit validate)" if tally.left else ""
    if tally.failed:
        text += f"; {n(tally.failed, 'file')} not fixed"
    if tally.unsafe:
        fixes = "unsafe fix" if tally.unsafe == 1 else "unsafe fixes"
        text += f"; {tally.unsafe} {fixes} not made (--unsafe-fixes makes them)"
    if skipped:
        text += f"; {n(skipped, 'YAML file')} skipped: not SageMaker workflow configs"
    return text
