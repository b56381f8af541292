"""What ``omkit validate`` does once its arguments are parsed, without typer.

Both the typer command (:mod:`.check_cmds`) and the fast path (:mod:`.fastpath`) call
:func:`validate`, so the two cannot drift apart: it prints the report and returns the exit code.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from omkit_sagemaker.base.records import MutableRecord

#: Standard input is read up to this many bytes (the file size cap, plus one to tell).
_STDIN_LIMIT = 4 * 1024 * 1024 + 1


#: Every option of ``omkit validate``, declared once: ``(field of ValidateArgs, flags, kind,
#: metavar, help)``. The typer command (:mod:`.check_cmds`), the fast path's parser
#: (:mod:`.fastpath`) and :class:`ValidateArgs` read it; a new option is one entry here (and its
#: use in :func:`validate`). Kinds: ``flag`` (sets True), ``value`` (a string), ``format`` (one
#: of ``check.report.FORMATS``), ``path`` (a file), ``list`` (repeatable, every value kept);
#: a help of None is the shared ``--disable``/``--enable`` option of the CLI. Plain tuples:
#: this module is on the fast path.
OPTIONS: tuple[tuple[str, tuple[str, ...], str, str | None, str | None], ...] = (
    ("output_format", ("--format", "-f"), "format", None, "How to report problems."),
    ("strict", ("--strict",), "flag", None, "Fail on warnings too."),
    ("no_env", ("--no-env",), "flag", None,
     "Do not expand $VAR / ${VAR} from the environment first."),
    ("target_version", ("--target-version",), "value", "X.Y",
     "OpenMetadata release the configs are for (default: target-version of the tool.omkit "
     "table in pyproject.toml or .omkit.toml, else 1.1)."),
    ("disable", ("--disable",), "list", None, None),
    ("enable", ("--enable",), "list", None, None),
    ("only_workflows", ("--only-workflows",), "flag", None,
     "Skip named files that are not workflow configs (no top-level source or workflowConfig "
     "key), as directories always do; the pre-commit hook passes it."),
    ("stdin_filename", ("--stdin-filename",), "value", "NAME",
     "The file name to report standard input (-) under; its folder's settings apply."),
    ("baseline", ("--baseline",), "path", "FILE",
     "Report only problems not recorded in this baseline."),
    ("write_baseline", ("--write-baseline",), "path", "FILE",
     "Record today's problems in FILE (then exit 0)."),
)  # fmt: skip
#: The value of an option not given, by kind.
DEFAULTS: dict[str, object] = {"format": "text", "flag": False, "value": None, "path": None}


class ValidateArgs(MutableRecord):
    """The options of ``omkit validate``, as parsed: ``paths`` and a field per entry of
    :data:`OPTIONS` (its default when not given)."""

    __slots__ = ("paths", *(option[0] for option in OPTIONS))

    paths: Sequence[str]
    output_format: str
    strict: bool
    no_env: bool
    target_version: str | None
    disable: Sequence[str]
    enable: Sequence[str]
    only_workflows: bool
    stdin_filename: str | None
    baseline: Path | None
    write_baseline: Path | None

    def __init__(self, paths: Sequence[str], **values: Any) -> None:
        self.paths = paths
        for name, _, kind, _, _ in OPTIONS:
            value = values.pop(name, None)
            if kind == "list":
                value = [] if value is None else value
            elif value is None:
                value = DEFAULTS[kind]
            setattr(self, name, value)
        if values:
            raise TypeError(
                f"ValidateArgs got an unexpected keyword argument {next(iter(values))!r}"
            )


def usage_error(message: str) -> int:
    """Print ``omkit: error: MESSAGE`` on stderr and give the usage exit code."""
    sys.stderr.write(f"omkit: error: {message}\n")
    return 2


def validate(args: ValidateArgs) -> int:
    """Check the files, print the report, and return 0 (valid), 1 (problems) or 2 (usage)."""
    # The library function omkit_sagemaker.validate_paths wraps: its result classes are
    # dataclasses, which would cost a cold start a fifth of its time (base/records.py).
    from omkit_sagemaker.base.diagnostics import has_errors
    from omkit_sagemaker.check import reporters as report
    from omkit_sagemaker.check.settings import split_codes
    from omkit_sagemaker.check.validate import UsageError
    from omkit_sagemaker.check.validate import check_paths as validate_paths

    stdin = sys.stdin.buffer.read(_STDIN_LIMIT) if "-" in args.paths else None
    if stdin is not None and len(stdin) >= _STDIN_LIMIT:
        return usage_error("standard input: more than 4 MiB is more than a config; not read")
    try:
        result = validate_paths(
            args.paths,
            environ=None if args.no_env else os.environ,
            target_version=args.target_version,
            disable=split_codes(args.disable),
            enable=split_codes(args.enable),
            only_workflows=args.only_workflows,
            stdin=stdin,
            stdin_name=args.stdin_filename,
        )
    except UsageError as exc:
        return usage_error(str(exc))
    note, failed = "", False
    if args.baseline is not None or args.write_baseline is not None:
        from omkit_sagemaker.check import baseline as baselines

        try:
            if args.write_baseline is not None:
                recorded = baselines.record(result.diagnostics, result.files, args.write_baseline)
                note, failed = recorded.message, recorded.failed(strict=args.strict)
            elif args.baseline is not None:
                shrink = write_command(args, args.baseline)
                filtered = baselines.filter_result(
                    result.diagnostics, result.files, args.baseline, rewrite=shrink
                )
                result.diagnostics = filtered.diagnostics
                note = filtered.note(str(args.baseline), shrink)
        except (baselines.BaselineError, OSError) as exc:
            return usage_error(str(exc))
    text = args.output_format == "text"
    rendered = report.render(
        result.diagnostics,
        result.files,
        args.output_format,
        color=text and report.use_color(sys.stdout),
        skipped=len(result.skipped),
    )
    sys.stdout.write(rendered)
    if note:  # the summary's last line in text; beside machine-readable output, on stderr
        (sys.stdout if text else sys.stderr).write(note + "\n")
    sys.stdout.flush()
    if args.write_baseline is None and has_errors(result.diagnostics, strict=args.strict):
        return 1
    return 1 if failed else 0


def write_command(args: ValidateArgs, baseline: Path) -> str:
    """The ``omkit validate --write-baseline`` command that records ``baseline`` as ``args``
    check (same paths, environment and codes): the exact command that shrinks it."""
    import shlex

    words = ["omkit", "validate"]
    if args.no_env:
        words.append("--no-env")
    if args.only_workflows:
        words.append("--only-workflows")
    if args.target_version is not None:
        words += ["--target-version", args.target_version]
    words += [w for code in args.disable for w in ("--disable", code)]
    words += [w for code in args.enable for w in ("--enable", code)]
    if args.stdin_filename is not None:
        words += ["--stdin-filename", args.stdin_filename]
    words += ["--write-baseline", str(baseline)]
    words += args.paths
    return shlex.join(words)
