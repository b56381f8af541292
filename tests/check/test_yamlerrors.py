"""``omkit_sagemaker.check.yamlerrors``: the YAML parser's and constructor's errors, each said as
one diagnostic at the place the user must change, as the loader reports it."""

from __future__ import annotations

import pytest
import yaml

from testing.loadcases import at, load, only


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [("a:\n\tb: 1\n", 2, 1), ("a:\n  b:\n  \tc: 1\n", 3, 3)],
)
def test_tab_indentation(text: str, line: int, column: int) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    code, got_line, got_column, message = only(load(text))
    assert (code, got_line, got_column) == ("Y006", line, column)
    assert "tab" in message


@pytest.mark.parametrize(
    ("text", "line"), [("a: 1\n---\nb: 2\n", 2), ("---\na: 1\n--- \nb: 2\n--- \nc: 3\n", 3)]
)
def test_two_documents(text: str, line: int) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    code, got_line, column, message = only(load(text))
    assert (code, got_line, column) == ("Y010", line, 1)
    assert "more than one YAML document" in message


def test_unhashable_key_is_an_error_like_for_the_runner() -> None:
    text = "? [a]\n: 1\n"
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    code, _, _, _ = only(load(text))
    assert code == "Y008"  # a key that is not text, said as such


def test_impossible_date_is_an_error_at_the_value() -> None:
    text = "a: 1\nb: 2024-13-40\n"
    with pytest.raises(ValueError, match="month"):
        yaml.safe_load(text)
    result = load(text)
    code, line, column, message = only(result)
    assert (code, line, column) == ("Y001", 2, 4)
    assert message == "this value looks like a date but is not a valid one"
    assert result.diagnostics[0].hint == "quote it to make it text"


def test_value_tag_is_an_error_like_for_the_runner() -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load("a: =\n")
    code, line, column, _ = only(load("a: =\n"))
    assert (code, line, column) == ("Y001", 1, 4)


def test_syntax_error_position() -> None:
    text = "a: 1\nb: c: d\n"
    code, line, column, message = only(load(text))
    assert (code, line) == ("Y001", 2)
    assert column == at(text, ": d").column
    assert message.startswith("invalid YAML: ")


def test_syntax_error_position_after_substitution() -> None:
    text = "a: ${OMK_X}\nb: c: d\n"
    code, line, column, _ = only(load(text, {"OMK_X": "x\n\n\n"}))
    assert (code, line, column) == ("Y001", 2, at(text, ": d").column)


@pytest.mark.parametrize(
    ("text", "line", "column", "char"),
    [
        ("a: b\x01\n", 1, 5, "#x0001"),
        ("a: b\nc: 'd\x07'\n", 2, 6, "#x0007"),
        ("\ufeffa: \x1b\n", 1, 4, "#x001b"),
    ],
)
def test_control_character(text: str, line: int, column: int, char: str) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    code, got_line, got_column, message = only(load(text))
    assert (code, got_line, got_column) == ("Y001", line, column)
    assert char in message


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("éé: \x01\n", 1, 5),  # actual: 2:1
        ("a: b\né: \x07\n", 2, 4),  # actual: 2:5
        ("a: 'é\x01'\n", 1, 6),  # actual: 1:7
    ],
)
def test_control_character_after_non_ascii_text(text: str, line: int, column: int) -> None:
    code, got_line, got_column, _ = only(load(text))
    assert (code, got_line, got_column) == ("Y001", line, column)


def test_control_character_from_a_variable_points_at_the_reference() -> None:
    text = "a: 1\nb: pre${OMK_X}\n"
    code, line, column, _ = only(load(text, {"OMK_X": "x\x02"}))
    assert (code, line, column) == ("Y001", 2, at(text, "$").column)
