"""``omkit_sagemaker.check.nodechecks``: what a document that shares nodes may not do (never end,
grow past the limit, repeat a key, use a tag no config can hold), each said at its place, as
the loader reports it."""

from __future__ import annotations

import itertools
import time

import pytest
import yaml
from omkit_sagemaker.check.loader import MAX_NODES, Position

from testing.loadcases import at, document, load, only


@pytest.mark.parametrize(
    ("text", "first_line", "line", "column", "key"),
    [
        ("a: 1\nb: 2\na: 3\n", 1, 3, 1, "a"),
        ("a:\n  b: 1\n  c: 2\n  b: 3\n", 2, 4, 3, "b"),
        ("a:\n  - x: 1\n    y: 2\n    x: 3\n", 2, 4, 5, "x"),
        ("a: {b: 1, c: 2, b: 3}\n", 1, 1, 17, "b"),
        ("a:\n  b:\n    c:\n      d: 1\n      d: 2\n", 4, 5, 7, "d"),
        ("'k': 1\nk: 2\n", 1, 2, 1, "k"),
        ("1: a\n0x1: b\n", 1, 2, 1, "0x1"),
    ],
)
def test_duplicate_keys_name_both_lines(
    text: str, first_line: int, line: int, column: int, key: str
) -> None:
    assert isinstance(yaml.safe_load(text), dict)  # the runner keeps the last one silently
    code, got_line, got_column, message = only(load(text))
    assert (code, got_line, got_column) == ("Y005", line, column)
    assert f"duplicate key '{key}'" in message
    assert f"first written on line {first_line}" in message


def test_duplicate_keys_in_several_mappings_are_all_reported() -> None:
    text = "a: 1\nb:\n  c: 1\n  c: 2\na: 3\n"
    result = load(text)
    assert result.document is None
    found = sorted((d.code, d.line, d.column) for d in result.diagnostics)
    assert found == [("Y005", 4, 3), ("Y005", 5, 1)]


def test_a_merge_key_and_an_own_key_are_not_duplicates() -> None:
    doc = document("a: &a {x: 1}\nb:\n  <<: *a\n  <<: {y: 2}\n  x: 2\n")
    assert doc.data["b"] == {"x": 2, "y": 2}


def _laughs(levels: int, width: int) -> str:
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [" + ", ".join(["lol"] * width) + "]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * width) + "]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_is_refused_quickly() -> None:
    text = _laughs(levels=12, width=10)  # 10**12 values once expanded
    start = time.perf_counter()
    result = load(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    code, line, column, message = only(result)
    assert code == "Y007"
    assert f"{MAX_NODES:,}" in message
    assert line in range(1, 13)
    assert column >= 1


def test_many_aliases_below_the_limit_are_read() -> None:
    text = _laughs(levels=3, width=10)  # about 1,100 values
    assert document(text).data == yaml.safe_load(text)


@pytest.mark.parametrize(("text", "column"), [("a: &x [*x]\n", 4), ("b: 1\na: &x {k: *x}\n", 4)])
def test_recursive_alias_is_refused(text: str, column: int) -> None:
    code, line, got_column, message = only(load(text))
    assert code == "Y007"
    assert (line, got_column) == (text.count("\n", 0, text.index("&x")) + 1, column)
    assert "alias" in message


@pytest.mark.parametrize(
    ("text", "tag"),
    [
        ("a: !!set {x, y}\n? complex\n: value\n", "set"),
        ("a: 1\nb: !!omap [x: 1]\n", "omap"),
        ("a: 1\nb: !!pairs\n  - x: 1\n", "pairs"),
    ],
)
def test_set_and_ordered_map_tags_are_refused_at_the_value(text: str, tag: str) -> None:
    yaml.safe_load(text)  # the runner builds a set or a list of pairs, which no config can use
    code, line, column, message = only(load(text))
    assert (code, Position(line, column)) == ("Y001", at(text, "!!"))
    assert f"!!{tag}" in message
