"""omkit's 1-based code-point positions to and from LSP's 0-based ones, in every encoding."""

from __future__ import annotations

import pytest
from lsprotocol import types
from omkit_sagemaker.lsp.positions import UTF8, UTF16, UTF32, Lines, from_units, to_units

LINE = "a: é😀x"  # é: 1 UTF-16 unit, 2 UTF-8 bytes; 😀: 2 UTF-16 units, 4 UTF-8 bytes


@pytest.mark.parametrize(
    ("encoding", "expected"),
    [(UTF16, [0, 1, 2, 3, 4, 6, 7]), (UTF8, [0, 1, 2, 3, 5, 9, 10]), (UTF32, list(range(7)))],
)
def test_each_code_point_index_has_its_units_and_back(encoding: str, expected: list[int]) -> None:
    assert [to_units(LINE, i, encoding) for i in range(len(LINE) + 1)] == expected
    assert [from_units(LINE, u, encoding) for u in expected] == list(range(len(LINE) + 1))


def test_a_column_inside_a_character_or_past_the_end_is_clamped() -> None:
    assert from_units(LINE, 5, UTF16) == 4  # the middle of 😀's surrogate pair: its start
    assert from_units(LINE, 99, UTF16) == len(LINE)
    assert to_units(LINE, 99, UTF32) == len(LINE)


def test_omkit_positions_become_zero_based_in_the_client_encoding() -> None:
    text = "x: 1\n" + LINE + "\n"
    assert Lines(text).from_omkit(2, 5) == types.Position(1, 4)  # 😀: column 5
    assert Lines(text).from_omkit(2, 6) == types.Position(1, 6)  # x after the pair
    assert Lines(text, UTF8).from_omkit(2, 6) == types.Position(1, 9)
    assert Lines(text, UTF32).from_omkit(2, 6) == types.Position(1, 5)
    assert Lines(text).from_omkit(99, 1) == types.Position(2, 0)  # past the end: last line


def test_offsets_and_ranges_round_trip() -> None:
    text = "x: 1\r\n" + LINE + "\n"
    lines = Lines(text)
    offset = text.index("x", 4)
    position = lines.position(offset)
    assert position == types.Position(1, 6)
    assert lines.offset(position) == offset
    assert lines.line(0) == "x: 1"  # the \r of a CRLF ending is not part of the line
    assert lines.range(0, 1) == types.Range(types.Position(0, 0), types.Position(0, 1))
