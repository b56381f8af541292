"""``omkit validate`` without building the typer app: it runs on every commit, and importing
typer (with click) costs more than checking a config.

:func:`run` reads a plain ``validate`` call itself (not even argparse: with its gettext, locale
and shutil it costs ~8 ms, more than checking a file) and runs it through
:func:`omkit_sagemaker.cli.validating.validate`, exactly as the typer command does. It gives up
(returns None) for anything unusual: another command, ``--help``, an option it does not know, a
short option with its value attached, a value that looks like an option, a bad value. Then the
full typer app takes over and says what is wrong in its own words.
``tests/cli/test_fastpath.py`` holds the two parsers to the same options and the same answers.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from omkit_sagemaker.check.reporters import FORMATS
from omkit_sagemaker.cli.validating import ValidateArgs, validate

#: Each option of ``omkit validate`` (as typer knows it) -> (field of ValidateArgs, kind):
#: ``flag`` sets True, ``value`` takes the next argument, ``list`` collects every value given.
OPTIONS: dict[str, tuple[str, str]] = {
    "--format": ("output_format", "value"),
    "-f": ("output_format", "value"),
    "--strict": ("strict", "flag"),
    "--no-env": ("no_env", "flag"),
    "--target-version": ("target_version", "value"),
    "--disable": ("disable", "list"),
    "--enable": ("enable", "list"),
    "--only-workflows": ("only_workflows", "flag"),
    "--stdin-filename": ("stdin_filename", "value"),
    "--baseline": ("baseline", "value"),
    "--write-baseline": ("write_baseline", "value"),
}


def parse(rest: Sequence[str]) -> ValidateArgs | None:
    """The options of ``omkit validate REST``, or None when typer should read them."""
    paths: list[str] = []
    flags: set[str] = set()
    values: dict[str, str] = {}
    lists: dict[str, list[str]] = {"disable": [], "enable": []}
    args = iter(rest)
    for arg in args:
        if arg == "-" or not arg.startswith("-"):
            paths.append(arg)
            continue
        name, eq, attached = arg.partition("=")
        if name not in OPTIONS or (eq and not name.startswith("--")):
            return None
        field, kind = OPTIONS[name]
        if kind == "flag":
            if eq:
                return None
            flags.add(field)
            continue
        value = attached if eq else next(args, None)
        if value is None or (not eq and value.startswith("-")):
            return None
        if kind == "list":
            lists[field].append(value)
        else:
            values[field] = value
    output_format = values.get("output_format", "text")
    if not paths or output_format not in FORMATS:
        return None
    baseline, write_baseline = values.get("baseline"), values.get("write_baseline")
    return ValidateArgs(
        paths=paths,
        output_format=output_format,
        strict="strict" in flags,
        no_env="no_env" in flags,
        target_version=values.get("target_version"),
        disable=lists["disable"],
        enable=lists["enable"],
        only_workflows="only_workflows" in flags,
        stdin_filename=values.get("stdin_filename"),
        baseline=Path(baseline) if baseline is not None else None,
        write_baseline=Path(write_baseline) if write_baseline is not None else None,
    )


def run(argv: Sequence[str]) -> int | None:
    """The exit code of ``omkit ARGV`` when it is a plain validate call, else None."""
    if not argv or argv[0] != "validate":
        return None
    rest = list(argv[1:])
    if any(a in ("-h", "--help") or a == "--" for a in rest):
        return None
    parsed = parse(rest)
    return None if parsed is None else validate(parsed)
