"""``omkit_sagemaker.check.locator``: where a node of the parsed (expanded) text sits in the file as
the user wrote it, and which parts of it came from the environment."""

from __future__ import annotations

import yaml
from omkit_sagemaker.check.document import Position
from omkit_sagemaker.check.envvars import expand
from omkit_sagemaker.check.locator import Locator
from yaml.nodes import MappingNode, Node


def value_of(root: Node | None, key: str) -> Node:
    assert isinstance(root, MappingNode)
    value: Node = next(value for k, value in root.value if k.value == key)
    return value


def test_without_variables_positions_are_lines_and_columns_of_the_text() -> None:
    text = "a: 1\r\nb:\r\n  c: héllo\n"
    locator = Locator(text, None)
    c = value_of(value_of(yaml.compose(text), "b"), "c")
    assert locator.mark(c.start_mark) == Position(3, 6)
    assert locator.written(c) == "héllo"
    assert locator.at(0) == Position(1, 1)
    assert not locator.expanded(c)
    assert not locator.from_environment(c.start_mark)


def test_every_line_break_yaml_knows_starts_a_line() -> None:
    text = "a: 1\rb: 2\x85c: 3\u2028d: 4\u2029e: 5\n"
    locator = Locator(text, None)
    assert [locator.at(text.index(k)) for k in "abcde"] == [Position(n, 1) for n in range(1, 6)]


def test_positions_after_a_substitution_are_those_of_the_file() -> None:
    original = "{a: ${OMK_A}, b: x}\n"
    expansion = expand(original, {"OMK_A": "a much longer value"})
    locator = Locator(original, expansion)
    root = yaml.compose(expansion.text)
    b, a = value_of(root, "b"), value_of(root, "a")
    assert locator.mark(b.start_mark) == Position(1, 18)
    assert locator.written(b) == "x"
    assert locator.written(a) == "${OMK_A}"
    assert locator.expanded(a)
    assert not locator.expanded(b)
    assert locator.from_environment(a.start_mark)
    assert not locator.from_environment(b.start_mark)
