"""Turn codes off with comments, and apply the project settings to a file's diagnostics.

``# omkit: disable=R001,S001`` at the end of a line turns those codes off on that line; on a line
of its own before any YAML content, for the whole file. Comments are read from the file as
written (before ``$VAR`` expansion). Codes of :data:`~omkit_sagemaker.check.settings.ALWAYS_ON`
stay on.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.settings import ALWAYS_ON, Settings

_DIRECTIVE = re.compile(
    r"#\s*omkit:\s*disable\s*=\s*([A-Za-z]\d{3}(?:\s*,\s*[A-Za-z]\d{3})*)", re.ASCII
)
_BLOCK_SCALAR = re.compile(r"(?:^|[\s:-])[|>][1-9+-]{0,2}$")


@dataclass(frozen=True)
class Suppressions:
    """Codes turned off for the whole file, and per 1-based line."""

    file: frozenset[str] = frozenset()
    lines: dict[int, frozenset[str]] = field(default_factory=dict)

    def covers(self, diagnostic: Diagnostic) -> bool:
        if diagnostic.code in ALWAYS_ON:
            return False
        return diagnostic.code in self.file or diagnostic.code in self.lines.get(
            diagnostic.line, frozenset()
        )


def _comment_start(line: str) -> int:
    """Index of the ``#`` opening a comment on ``line`` (outside quotes), or -1."""
    quote = ""
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 1
            elif ch == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 1
                else:
                    quote = ""
        elif ch in "'\"" and (i == 0 or line[i - 1] in " \t[{,:-?"):
            quote = ch
        elif ch == "#" and (i == 0 or line[i - 1] in " \t"):
            return i
        i += 1
    return -1


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def parse(text: str) -> Suppressions:
    """The ``# omkit: disable=...`` comments of a file's text."""
    if "omkit:" not in text:
        return Suppressions()
    whole: set[str] = set()
    lines: dict[int, frozenset[str]] = {}
    header = True  # no YAML content seen yet
    block: int | None = None  # indentation of the line that opened a block scalar
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if block is not None:
            if not line.strip() or _indent(line) > block:
                continue  # content of a literal/folded block, not a comment
            block = None
        start = _comment_start(line)
        content = (line if start < 0 else line[:start]).strip()
        if start >= 0:
            match = _DIRECTIVE.match(line, start)
            if match is not None:
                codes = frozenset(c.strip().upper() for c in match.group(1).split(","))
                if content:
                    lines[number] = lines.get(number, frozenset()) | codes
                elif header:
                    whole |= codes
        if content and not (header and (content == "---" or content.startswith("%"))):
            header = False
        if _BLOCK_SCALAR.search(content):
            block = _indent(line)
    return Suppressions(frozenset(whole), lines)


def apply(diagnostics: Iterable[Diagnostic], text: str, settings: Settings) -> list[Diagnostic]:
    """Drop what the comments in ``text`` and the settings turn off; apply severity changes.

    A rule diagnostic that replaces a schema one (``Rule.replaces``) removes the schema
    diagnostic at the same data path, once both have been through the suppressions.
    """
    comments = parse(text)
    kept: list[Diagnostic] = []
    for diag in diagnostics:
        if diag.code not in ALWAYS_ON and (diag.code in settings.disable or comments.covers(diag)):
            continue
        level = settings.severity.get(diag.code)
        if level is not None and diag.code not in ALWAYS_ON and level is not diag.severity:
            diag = replace(diag, severity=level)
        kept.append(diag)
    replaced = {(d.path, code) for d in kept if d.code in RULES for code in RULES[d.code].replaces}
    return [d for d in kept if (d.path, d.code) not in replaced]
