"""``omkit validate`` without building the typer app: it runs on every commit, and importing
typer (with click) costs more than checking a config.

:func:`run` parses a plain ``validate`` call with the standard library's argparse and runs it
through :func:`omkit_sagemaker.cli.validating.validate`, exactly as the typer command does. It
gives up (returns None) for anything unusual: another command, ``--help``, an option it does not
know, a bad value. Then the full typer app takes over and says what is wrong in its own words.
``tests/cli/test_fastpath.py`` holds the two parsers to the same options.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from omkit_sagemaker.check.report import FORMATS
from omkit_sagemaker.cli.validating import ValidateArgs, validate


class _GiveUp(Exception):
    """The arguments are not a plain validate call: let typer parse them."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # type: ignore[override]
        raise _GiveUp(message)


def parser() -> argparse.ArgumentParser:
    """The options of ``omkit validate``, the same as the typer command's."""
    p = _Parser(prog="omkit validate", add_help=False, allow_abbrev=False)
    p.add_argument("paths", nargs="+")
    p.add_argument("--format", "-f", dest="output_format", choices=FORMATS, default="text")
    p.add_argument("--strict", action="store_true")
    p.add_argument("--no-env", dest="no_env", action="store_true")
    p.add_argument("--target-version", dest="target_version")
    p.add_argument("--disable", action="append", default=[])
    p.add_argument("--enable", action="append", default=[])
    p.add_argument("--only-workflows", dest="only_workflows", action="store_true")
    p.add_argument("--stdin-filename", dest="stdin_filename")
    p.add_argument("--baseline", type=Path)
    p.add_argument("--write-baseline", dest="write_baseline", type=Path)
    return p


def run(argv: Sequence[str]) -> int | None:
    """The exit code of ``omkit ARGV`` when it is a plain validate call, else None."""
    if not argv or argv[0] != "validate":
        return None
    rest = list(argv[1:])
    if any(a in ("-h", "--help") or a == "--" for a in rest):
        return None
    try:
        parsed = parser().parse_args(rest)
    except _GiveUp:
        return None
    return validate(ValidateArgs(**vars(parsed)))
