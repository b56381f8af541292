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
from omkit_sagemaker.cli.validating import OPTIONS as DECLARED
from omkit_sagemaker.cli.validating import ValidateArgs, validate

#: Each option of ``omkit validate`` (from its declaration) -> (field of ValidateArgs, kind):
#: ``flag`` sets True, ``value`` takes the next argument, ``list`` collects every value given.
OPTIONS: dict[str, tuple[str, str]] = {
    flag: (field, kind if kind in ("flag", "list") else "value")
    for field, flags, kind, _, _ in DECLARED
    for flag in flags
}
_PATHS = frozenset(field for field, _, kind, _, _ in DECLARED if kind == "path")


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
    given: dict[str, object] = {**values, **lists}
    for field in _PATHS & set(values):
        given[field] = Path(values[field])
    return ValidateArgs(paths, **given, **dict.fromkeys(flags, True))


def run(argv: Sequence[str]) -> int | None:
    """The exit code of ``omkit ARGV`` when it is a plain validate call, else None."""
    if not argv or argv[0] != "validate":
        return None
    rest = list(argv[1:])
    if any(a in ("-h", "--help") or a == "--" for a in rest):
        return None
    parsed = parse(rest)
    return None if parsed is None else validate(parsed)
