"""Environment-variable expansion exactly as ``metadata ingest`` does it, with a position map.

The upstream runner passes the raw file text through :func:`os.path.expandvars` (POSIX rules)
before parsing: ``$NAME`` and ``${NAME}`` are replaced when the variable is set and left as they
are otherwise, everywhere in the text (comments and quoted strings too). omkit reproduces that,
and remembers where each replacement happened so that a problem found in the expanded text is
reported at its line and column in the file as the user wrote it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Mapping

from omkit_sagemaker.base.records import MutableRecord, Record

# Same pattern as posixpath.expandvars for str input.
_VAR = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


class Reference(Record):
    """One ``$NAME``/``${NAME}`` found in the original text."""

    __slots__ = ("name", "start", "end", "expanded")  # noqa: RUF023 - in field order, for repr

    name: str
    start: int  # offset in the original text
    end: int
    expanded: bool  # False when the variable was not set and the text stays literal

    def __init__(self, name: str, start: int, end: int, expanded: bool) -> None:
        self.name = name
        self.start = start
        self.end = end
        self.expanded = expanded


class Expansion(MutableRecord):
    """The expanded text and how to map offsets in it back to the original text."""

    __slots__ = (  # noqa: RUF023 - in field order, for repr
        "original",
        "text",
        "references",
        "_spans",
        "_starts",
    )

    original: str
    text: str
    references: list[Reference]
    # Per replacement: (start, end) in the expanded text, then (start, end) in the original.
    _spans: list[tuple[int, int, int, int]]
    _starts: list[int]

    def __init__(
        self,
        original: str,
        text: str,
        references: list[Reference] | None = None,
        spans: list[tuple[int, int, int, int]] | None = None,
        starts: list[int] | None = None,
    ) -> None:
        self.original = original
        self.text = text
        self.references = [] if references is None else references
        self._spans = [] if spans is None else spans
        self._starts = [] if starts is None else starts

    def original_offset(self, offset: int) -> int:
        """Map an offset in the expanded text to the offset in the original text.

        An offset inside a substituted value maps to the start of the ``$NAME`` that produced it.
        """
        i = bisect_right(self._starts, offset) - 1
        if i < 0:
            return offset
        _, exp_end, orig_start, orig_end = self._spans[i]
        if offset < exp_end:
            return orig_start
        return orig_end + (offset - exp_end)

    def changed(self) -> bool:
        """True when some ``$VAR`` was replaced: the expanded text differs from the original."""
        return bool(self._spans)

    def unset_names(self) -> list[str]:
        """Names referenced in the text whose variables were not set, in order of first use."""
        seen: dict[str, None] = {}
        for ref in self.references:
            if not ref.expanded:
                seen.setdefault(ref.name, None)
        return list(seen)

    def overlaps(self, start: int, end: int) -> bool:
        """True when the expanded text ``[start, end)`` holds any substituted character."""
        i = bisect_right(self._starts, max(start, end - 1)) - 1
        while i >= 0 and self._spans[i][1] > start:
            if self._spans[i][1] > self._spans[i][0]:
                return True
            i -= 1
        return False

    def substituted(self, offset: int) -> bool:
        """True when ``offset`` in the expanded text lies inside a substituted value."""
        i = bisect_right(self._starts, offset) - 1
        return i >= 0 and offset < self._spans[i][1]


def expand(text: str, environ: Mapping[str, str]) -> Expansion:
    """Expand ``$NAME``/``${NAME}`` in ``text`` from ``environ`` (``os.path.expandvars`` rules)."""
    result = Expansion(original=text, text=text)
    if "$" not in text:
        return result
    pieces: list[str] = []
    exp_len = 0
    last = 0
    for match in _VAR.finditer(text):
        name = match.group(1)
        if name.startswith("{") and name.endswith("}"):
            name = name[1:-1]
        value = environ.get(name)
        result.references.append(Reference(name, match.start(), match.end(), value is not None))
        if value is None:
            continue
        pieces.append(text[last : match.start()])
        exp_len += match.start() - last
        result._spans.append((exp_len, exp_len + len(value), match.start(), match.end()))
        result._starts.append(exp_len)
        pieces.append(value)
        exp_len += len(value)
        last = match.end()
    pieces.append(text[last:])
    result.text = "".join(pieces)
    return result
