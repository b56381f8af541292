"""Positions between omkit and the Language Server Protocol.

omkit counts lines and columns from 1, and columns in code points (Python ``str`` indices).
LSP counts both from 0, and columns in the negotiated position encoding: UTF-16 code units
unless the client offered ``utf-8`` or ``utf-32`` in ``general.positionEncodings``. A character
outside the Basic Multilingual Plane (an emoji) is one code point but two UTF-16 units; ``é`` is
two UTF-8 bytes. Every conversion here goes through the line's text, never assumes ASCII.
"""

from __future__ import annotations

from bisect import bisect_right

from lsprotocol import types

UTF8 = "utf-8"
UTF16 = "utf-16"
UTF32 = "utf-32"


def _units(char: str, encoding: str) -> int:
    if encoding == UTF32:
        return 1
    if encoding == UTF8:
        return len(char.encode("utf-8"))
    return 2 if ord(char) > 0xFFFF else 1


def to_units(line: str, index: int, encoding: str = UTF16) -> int:
    """The LSP column of code-point ``index`` in ``line`` (clamped to the line's end)."""
    if encoding == UTF32:
        return min(index, len(line))
    return sum(_units(c, encoding) for c in line[:index])


def from_units(line: str, units: int, encoding: str = UTF16) -> int:
    """The code-point index in ``line`` of LSP column ``units`` (clamped to the line's end; a
    column inside a character counts as that character's start)."""
    if encoding == UTF32:
        return max(0, min(units, len(line)))
    seen = 0
    for index, char in enumerate(line):
        seen += _units(char, encoding)
        if seen > units:
            return index
    return len(line)


class Lines:
    """One buffer's text split into lines, to convert positions and offsets."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        self.lines = text.split("\n")
        self.starts: list[int] = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line) + 1

    def line(self, number: int) -> str:
        """Line ``number`` (0-based) without its line ending; ``""`` past the end."""
        if 0 <= number < len(self.lines):
            return self.lines[number].removesuffix("\r")
        return ""

    def from_omkit(self, line: int, column: int) -> types.Position:
        """omkit's 1-based ``line`` and code-point ``column`` as an LSP position."""
        number = max(0, min(line - 1, len(self.lines) - 1))
        return types.Position(number, to_units(self.line(number), column - 1, self.encoding))

    def index(self, position: types.Position) -> int:
        """The code-point column of an LSP position on its line."""
        return from_units(self.line(position.line), position.character, self.encoding)

    def offset(self, position: types.Position) -> int:
        """The offset in the text of an LSP position."""
        number = max(0, min(position.line, len(self.lines) - 1))
        return self.starts[number] + from_units(
            self.line(number), position.character, self.encoding
        )

    def position(self, offset: int) -> types.Position:
        """The LSP position of an offset in the text."""
        offset = max(0, min(offset, len(self.text)))
        number = max(0, bisect_right(self.starts, offset) - 1)
        return types.Position(
            number, to_units(self.lines[number], offset - self.starts[number], self.encoding)
        )

    def range(self, start: int, end: int) -> types.Range:
        """The LSP range of ``text[start:end]``."""
        return types.Range(self.position(start), self.position(end))
