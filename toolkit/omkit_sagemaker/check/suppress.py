"""Turn codes off with comments, and apply the project settings to a file's diagnostics.

``# omkit: disable=R001,S001`` at the end of a line turns those codes off on that line; on a line
of its own before any YAML content, for the whole file. Comments are read from the file as
written (before ``$VAR`` expansion; see :mod:`omkit_sagemaker.check.directives`). Only codes
that :func:`~omkit_sagemaker.base.diagnostics.can_silence` allows are turned off: a problem that
makes ``metadata ingest`` reject the file always stays on.
"""

from __future__ import annotations

from collections.abc import Iterable

from omkit_sagemaker.base.diagnostics import Diagnostic, can_silence
from omkit_sagemaker.base.records import Record
from omkit_sagemaker.check import directives
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.settings import Settings


class Suppressions(Record):
    """Codes turned off for the whole file, and per 1-based line."""

    __slots__ = ("file", "lines")

    file: frozenset[str]
    lines: dict[int, frozenset[str]]

    def __init__(
        self,
        file: frozenset[str] = frozenset(),
        lines: dict[int, frozenset[str]] | None = None,
    ) -> None:
        self.file = file
        self.lines = {} if lines is None else lines

    def covers(self, diagnostic: Diagnostic) -> bool:
        if not can_silence(diagnostic.code):
            return False
        return diagnostic.code in self.file or diagnostic.code in self.lines.get(
            diagnostic.line, frozenset()
        )


def parse(text: str) -> Suppressions:
    """The ``# omkit: disable=...`` comments of a file's text."""
    whole: set[str] = set()
    lines: dict[int, set[str]] = {}
    for named in directives.parse(text):
        if named.whole_file:
            whole.add(named.code)
        else:
            lines.setdefault(named.line, set()).add(named.code)
    return Suppressions(frozenset(whole), {n: frozenset(c) for n, c in lines.items()})


def apply(diagnostics: Iterable[Diagnostic], text: str, settings: Settings) -> list[Diagnostic]:
    """Drop what the comments in ``text`` and the settings turn off; apply severity changes.

    A rule diagnostic that replaces a schema one (``Rule.replaces``) removes the schema
    diagnostic at the same data path, once both have been through the suppressions.
    """
    comments = parse(text)
    kept: list[Diagnostic] = []
    for diag in diagnostics:
        silenceable = can_silence(diag.code)
        if silenceable and (diag.code in settings.disable or comments.covers(diag)):
            continue
        level = settings.severity.get(diag.code)
        if level is not None and silenceable and level is not diag.severity:
            diag = diag.replace(severity=level)
        kept.append(diag)
    replaced = {(d.path, code) for d in kept if d.code in RULES for code in RULES[d.code].replaces}
    return [d for d in kept if (d.path, d.code) not in replaced]
