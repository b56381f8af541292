"""Where a parsed YAML node sits in the file as the user wrote it.

The loader parses the text after ``$VAR`` expansion; :class:`Locator` maps offsets in that
text back to lines and columns of the original, and tells which parts came from the environment.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from typing import Any

from yaml.nodes import Node

from omkit_sagemaker.check.document import Position
from omkit_sagemaker.check.envvars import Expansion

_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")


class Locator:
    """Turns offsets in the parsed (expanded) text into positions in the original text."""

    def __init__(self, original: str, expansion: Expansion | None) -> None:
        self._original = original
        self._expansion = expansion
        self._starts: list[int] | None = None  # found on first use: a valid file needs none

    @property
    def _line_starts(self) -> list[int]:
        if self._starts is None:  # PyYAML ends a line at CR LF, CR, LF, NEL, LS or PS
            self._starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self._original)]
        return self._starts

    def _offset(self, index: int) -> int:
        return self._expansion.original_offset(index) if self._expansion is not None else index

    def written(self, node: Node) -> str:
        """The original text of ``node`` (as in the file, before expansion)."""
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        return self._original[self._offset(start) : self._offset(end)]

    def expanded(self, node: Node) -> bool:
        """True when the text of ``node`` holds anything a ``$VAR`` expanded to."""
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        return self._expansion is not None and self._expansion.overlaps(start, end)

    def from_environment(self, mark: Any) -> bool:
        """True when ``mark`` lies inside text that a ``$VAR`` expanded to."""
        return self._expansion is not None and self._expansion.substituted(int(mark.index))

    def at(self, index: int) -> Position:
        index = self._offset(index)
        line = bisect_right(self._line_starts, index) - 1
        return Position(line + 1, index - self._line_starts[line] + 1)

    def mark(self, mark: Any) -> Position:
        return self.at(int(mark.index))
