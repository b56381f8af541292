"""``# omkit: disable=CODE[,CODE]`` comments: where they are and which codes they name.

Read from the file as written (before ``$VAR`` expansion). A directive at the end of a line of
YAML covers that line; on a line of its own before any YAML content, the whole file. Lines
inside a literal or folded block scalar are text, never comments. This module knows nothing of
which codes exist: :mod:`omkit_sagemaker.check.suppress` applies the directives and the R021 and
R022 rules check the codes they name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from omkit_sagemaker.base.records import Record

_DIRECTIVE = re.compile(r"#\s*omkit:\s*disable\s*=\s*")
#: Any ``# omkit:`` comment (or ``# omkit disable``): group 1 is its word, when it has one.
_ANY_DIRECTIVE = re.compile(r"#\s*omkit(?::\s*([A-Za-z][\w-]*)|\s+(?=disable\b))", re.I)
_CODE = re.compile(r"[A-Za-z0-9_-]+")
_SEPARATOR = re.compile(r"\s*,\s*")
_BLOCK_SCALAR = re.compile(r"(?:^|[\s:-])[|>][1-9+-]{0,2}$")


class NamedCode(Record):
    """One code named in a directive, as written (upper-cased), at a 1-based line and column."""

    __slots__ = ("code", "line", "column", "whole_file")  # noqa: RUF023 - in field order, for repr

    code: str
    line: int
    column: int
    #: True for a directive that covers the whole file, False for one that covers its line.
    whole_file: bool

    def __init__(self, code: str, line: int, column: int, whole_file: bool) -> None:
        self.code = code
        self.line = line
        self.column = column
        self.whole_file = whole_file


def comment_start(line: str) -> int:
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


def _codes(line: str, start: int, number: int, whole: bool) -> list[NamedCode]:
    """The codes of the directive that begins at ``start`` (its ``#``), if there is one."""
    match = _DIRECTIVE.match(line, start)
    if match is None:
        return []
    out: list[NamedCode] = []
    pos = match.end()
    while True:
        code = _CODE.match(line, pos)
        if code is None:
            break
        out.append(NamedCode(code.group().upper(), number, code.start() + 1, whole))
        pos = code.end()
        sep = _SEPARATOR.match(line, pos)
        if sep is None or (sep.end() == pos and not line.startswith(",", pos)):
            break
        pos = sep.end()
    return out


def _comments(text: str) -> Iterator[tuple[int, str, int, bool | None]]:
    """``(line number, line, index of its #, whole_file)`` of each comment of ``text``;
    ``whole_file`` is None for a comment on a line of its own after the YAML content began
    (a directive there covers nothing)."""
    header = True  # no YAML content seen yet
    block: int | None = None  # indentation of the line that opened a block scalar
    for number, line in enumerate(text.lstrip("\ufeff").splitlines(), start=1):
        if block is not None:
            if not line.strip() or _indent(line) > block:
                continue  # content of a literal/folded block, not a comment
            block = None
        start = comment_start(line)
        content = (line if start < 0 else line[:start]).strip()
        if start >= 0:
            yield number, line, start, (False if content else (True if header else None))
        if content and not (header and (content == "---" or content.startswith("%"))):
            header = False
        if _BLOCK_SCALAR.search(content):
            block = _indent(line)


def parse(text: str) -> list[NamedCode]:
    """Every code named by a directive in ``text``, in file order."""
    if "omkit:" not in text:
        return []
    found: list[NamedCode] = []
    for number, line, start, whole in _comments(text):
        if whole is not None:
            found.extend(_codes(line, start, number, whole=whole))
    return found


def stray(text: str) -> list[NamedCode]:
    """The ``# omkit: disable=`` directives on a line of their own after the YAML content began:
    they cover neither a line nor the file, so they turn nothing off. ``code`` is the first code
    named (``""`` for none), at the 1-based line and column of the ``#``."""
    if "omkit:" not in text:
        return []
    found: list[NamedCode] = []
    for number, line, start, whole in _comments(text):
        if whole is None and _DIRECTIVE.match(line, start) is not None:
            codes = _codes(line, start, number, whole=False)
            found.append(NamedCode(codes[0].code if codes else "", number, start + 1, False))
    return found


def misspelt(text: str) -> list[NamedCode]:
    """The ``# omkit`` comments that are not a ``# omkit: disable=CODE`` directive
    (``disabel=R001``, ``Disable=R001``, ``disable R001``, ``# omkit disable=R001``): they turn
    nothing off. ``code`` holds the word after ``omkit:`` as written (``disable`` when the colon
    is missing), at its 1-based line and column."""
    if "omkit" not in text.lower():
        return []
    found: list[NamedCode] = []
    for number, line, start, whole in _comments(text):
        match = _ANY_DIRECTIVE.match(line, start)
        if match is None or _DIRECTIVE.match(line, start) is not None:
            continue
        word = match.group(1) or "disable"
        column = match.start(1) + 1 if match.group(1) else start + 1
        found.append(NamedCode(word, number, column, bool(whole)))
    return found


def closest_code(code: str, known: Iterable[str]) -> str | None:
    """The code of ``known`` that ``code`` most likely means, or None: first one of the same
    letter whose number is the same once zero-padded (``R01`` and ``R1`` mean R001, ``R0O9``
    R009), then the closest spelling among the codes of the same letter, then among all."""
    import difflib

    code = code.strip().upper()
    codes = sorted(set(known))
    number = re.fullmatch(r"([A-Z])[-_ ]?([0-9O]{1,4})", code)
    same = [k for k in codes if k[:1] == code[:1]]
    if number is not None:
        wanted = int(number.group(2).replace("O", "0"))
        for k in same:
            if k[1:].isdigit() and int(k[1:]) == wanted:
                return k
    for pool in (same, codes):
        match = difflib.get_close_matches(code, pool, n=1, cutoff=0.6)
        if match:
            return match[0]
    return None
