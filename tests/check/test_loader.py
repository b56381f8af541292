"""omkit_sagemaker.check.loader: data typed as ``metadata ingest`` types it, positions as the file
is written.

The reference for every reading is what the runner does: ``os.path.expandvars`` on the raw text,
then ``yaml.safe_load`` (PyYAML, YAML 1.1). Positions are 1-based lines and columns in the file
as the user wrote it, before any ``$VAR`` was replaced.
"""

from __future__ import annotations

import datetime
import math
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from omkit_sagemaker.check.loader import (
    Position,
    load_bytes,
    load_file,
    load_text,
)

from testing.loadcases import FILE, at, document, load, only


def runner_reading(text: str, env: Mapping[str, str], mp: pytest.MonkeyPatch) -> Any:
    """What ``metadata ingest`` reads: expandvars on the raw text, then yaml.safe_load."""
    for name, value in env.items():
        mp.setenv(name, value)
    return yaml.safe_load(os.path.expandvars(text))


# --- Data: exactly what the runner reads ----------------------------------------------------

READINGS: dict[str, tuple[str, dict[str, str]]] = {
    "booleans": ("a: yes\nb: no\nc: on\nd: off\ne: Yes\nf: NO\ng: y\nh: n\ni: True\n", {}),
    "integers": (
        "a: 0123\nb: 0x1F\nc: 1_000\nd: 1:30\ne: 0b101\nf: -0o17\ng: +12\nh: 190:20:30\ni: 00\n",
        {},
    ),
    "floats": ("a: 1.5\nb: 1e3\nc: 1.0e+3\nd: .inf\ne: -.Inf\nf: 685.230_15e+03\ng: 1.\n", {}),
    "dates": (
        "a: 2024-01-31\nb: 2024-01-31T10:20:30Z\nc: 2024-01-31 10:20:30.5 +02:00\nd: 2024-1-5\n",
        {},
    ),
    "nulls": ("a: ~\nb: null\nc:\nd: Null\ne: NULL\n", {}),
    "strings": (
        "a: 'it''s'\nb: \"tab\\there \\u00e9\"\nc: '0123'\nd: \"yes\"\ne: plain text # c\n"
        "f: 'multi\n  line'\ng: a:b\nh: -x\n",
        {},
    ),
    "block scalars": ("a: |\n  one\n  two\nb: >-\n  folded\n  text\nc: |+\n  keep\n\nd: x\n", {}),
    "flow": ("a: {b: [1, {c: d}], e: [], f: {}}\ng: [yes, 0123, '1']\n", {}),
    "anchors and aliases": ("a: &a [1, 2]\nb: *a\nc: &s hello\nd: *s\n", {}),
    "merge keys": (
        "base: &b {x: 1, y: 2}\nother: &o {z: 3}\n"
        "m:\n  <<: [*b, *o]\n  y: 20\nn:\n  <<: *b\n  w: 0\n",
        {},
    ),
    "lists of mappings": ("items:\n  - name: a\n    enabled: yes\n  - name: b\n  -\n  - - x\n", {}),
    "explicit tags": ("a: !!str 123\nb: !!int '7'\nc: !!float '1'\nd: !!binary aGVsbG8=\n", {}),
    "complex key": ("a: 1\n? complex\n: value\n", {}),
    "document markers": ("--- \na: 1\n...\n", {}),
    "crlf": ("a: 1\r\nb: [x,\r\n  y]\r\n", {}),
    "unicode": ("é: ü\nkey: 名前\n", {}),
    "byte-order mark": ("\ufeffa: 1\nb: é\n", {}),
    "env vars": (
        "a: $OMK_X\nb: ${OMK_Y}\nc: $OMK_UNSET\nd: '$OMK_X'\n# $OMK_X\ne: pre${OMK_X}post\n",
        {"OMK_X": "1", "OMK_Y": "yes"},
    ),
    "env multi-line value": ("a: $OMK_X\nb: 1\n", {"OMK_X": "|\n  l1\n  l2"}),
    "env flow value": ("a: $OMK_X\nb: 2\n", {"OMK_X": "{p: 1, q: [on, 0123]}"}),
    "env value with dollar": ("a: $OMK_X\n", {"OMK_X": "$OMK_Y"}),
    "empty env value": ("a: ${OMK_X}\nb: 1\n", {"OMK_X": ""}),
}


@pytest.mark.parametrize(("text", "env"), list(READINGS.values()), ids=list(READINGS))
def test_data_equals_what_metadata_ingest_reads(
    text: str, env: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = runner_reading(text, env, monkeypatch)
    result = load_text(text, FILE, environ=os.environ)
    assert result.diagnostics == []
    assert result.document is not None
    assert result.document.data == expected
    # Equal is not enough: True == 1 and 1 == 1.0; the types must be the same too.
    assert _typed(result.document.data) == _typed(expected)


def _typed(value: Any) -> Any:
    if isinstance(value, dict):
        return {(type(k).__name__, k): _typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_typed(v) for v in value]
    return (type(value).__name__, value)


def test_yaml_11_typing_spot_checks() -> None:
    data = document(READINGS["integers"][0]).data
    assert data == {
        "a": 83, "b": 31, "c": 1000, "d": 90, "e": 5, "f": "-0o17", "g": 12, "h": 685230, "i": 0
    }  # fmt: skip
    data = document("a: yes\nb: Off\nc: 1e3\nd: 2024-01-31\ne: ~\n").data
    assert data == {"a": True, "b": False, "c": "1e3", "d": datetime.date(2024, 1, 31), "e": None}


def test_nan_is_read_as_nan() -> None:
    value = document("a: .NaN\n").data["a"]
    assert isinstance(value, float)
    assert math.isnan(value)


PLAIN_SCALARS = st.sampled_from(
    ["yes", "No", "on", "OFF", "y", "0123", "0x1f", "0o17", "1_000", "1:30", "0b11", "1e3",
     "1.5e+3", ".inf", "-.inf", "2024-02-29", "2024-01-01T00:00:00Z", "~", "null", "", "true",
     "'quoted'", '"esc\\n"', "text with spaces", "[1, on]", "{k: off}", "a:b", "12", "-7",
     "$OMK_P", "${OMK_Q}", "$OMK_UNSET", "pre$OMK_P", "!!str 5", "&anc 3"]
)  # fmt: skip
ENV_VALUES = st.sampled_from(["", "1", "yes", "0123", "[a, b]", "{x: 1}", "two words", "$OMK_Q"])


@settings(max_examples=150, deadline=None, database=None)
@given(
    values=st.lists(PLAIN_SCALARS, min_size=1, max_size=8),
    env=st.fixed_dictionaries({"OMK_P": ENV_VALUES, "OMK_Q": ENV_VALUES}),
)
def test_generated_documents_read_as_metadata_ingest_reads_them(
    values: list[str], env: dict[str, str]
) -> None:
    text = "".join(f"k{i}: {value}\n" for i, value in enumerate(values))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("OMK_UNSET", raising=False)
        for name, value in env.items():
            mp.setenv(name, value)
        result = load_text(text, FILE, environ=os.environ)
        try:
            expected = yaml.safe_load(os.path.expandvars(text))
        except yaml.YAMLError:  # e.g. an anchor defined twice: omkit must refuse it too
            assert result.document is None
            assert [d.code for d in result.diagnostics] == ["Y001"]
            return
    assert result.document is not None, result.diagnostics
    assert _typed(result.document.data) == _typed(expected)
    for i in range(len(values)):
        assert result.document.keys[(f"k{i}",)] == Position(i + 1, 1)
        # An empty value sits right after the colon; any other starts after the space.
        empty = _expanded(values[i], env).strip() == ""
        column = len(f"k{i}:") + (1 if empty else 2)
        assert result.document.values[(f"k{i}",)] == Position(i + 1, column)


def _expanded(value: str, env: dict[str, str]) -> str:
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("OMK_UNSET", raising=False)
        for name, val in env.items():
            mp.setenv(name, val)
        return os.path.expandvars(value)


# --- Positions ------------------------------------------------------------------------------


def test_positions_of_keys_and_values_in_block_style() -> None:
    text = (
        "source:\n"
        "  type: sagemaker\n"
        "  list:\n"
        "    - a\n"
        "    - b: 1\n"
        "      c: 2\n"
        "sink:\n"
        "  config: {}\n"
    )
    doc = document(text)
    assert doc.keys[("source",)] == Position(1, 1)
    assert doc.values[("source",)] == Position(2, 3)
    assert doc.keys[("source", "type")] == Position(2, 3)
    assert doc.values[("source", "type")] == Position(2, 9)
    assert doc.values[("source", "list", 0)] == Position(4, 7)
    assert doc.values[("source", "list", 1)] == Position(5, 7)
    assert doc.keys[("source", "list", 1, "c")] == Position(6, 7)
    assert doc.values[("source", "list", 1, "c")] == Position(6, 10)
    assert doc.values[("sink", "config")] == Position(8, 11)
    assert doc.values[()] == Position(1, 1)


def test_positions_in_flow_style() -> None:
    text = "a: {b: 1, cc: [x, {d: y}]}\n"
    doc = document(text)
    assert doc.keys[("a", "b")] == at(text, "b:")
    assert doc.keys[("a", "cc")] == at(text, "cc")
    assert doc.values[("a", "cc")] == at(text, "[")
    assert doc.values[("a", "cc", 0)] == at(text, "x")
    assert doc.values[("a", "cc", 1)] == at(text, "{d")
    assert doc.values[("a", "cc", 1, "d")] == at(text, "y")


def test_positions_after_multi_line_strings() -> None:
    text = "a: |\n  one\n  two\nb: 'multi\n  line'\nc: >\n  folded\n\nd: 3\n"
    doc = document(text)
    assert doc.values[("a",)] == Position(1, 4)
    assert doc.values[("b",)] == Position(4, 4)
    assert doc.keys[("d",)] == Position(9, 1)
    assert doc.values[("d",)] == Position(9, 4)


def test_positions_after_a_multi_line_env_value_refer_to_the_file_as_written() -> None:
    text = "a: $OMK_X\nb: 1\nc:\n  - z\n  - [y, w]\n"
    doc = document(text, {"OMK_X": "|\n  l1\n  l2\n  l3"})
    assert doc.data["a"] == "l1\nl2\nl3\n"
    assert doc.values[("a",)] == Position(1, 4)
    assert doc.keys[("b",)] == Position(2, 1)
    assert doc.values[("b",)] == Position(2, 4)
    assert doc.values[("c", 0)] == Position(4, 5)
    assert doc.values[("c", 1, 1)] == Position(5, 9)


def test_parts_of_a_substituted_value_point_at_its_dollar() -> None:
    text = "top: 0\na: ${OMK_X}\nb: 1\n"
    doc = document(text, {"OMK_X": "{p: 1,\n q: [2, 3]}"})
    dollar = at(text, "$")
    assert doc.data["a"] == {"p": 1, "q": [2, 3]}
    for path in [("a",), ("a", "p"), ("a", "q"), ("a", "q", 1)]:
        assert doc.values[path] == dollar
    assert doc.keys[("a", "q")] == dollar
    assert doc.keys[("b",)] == Position(3, 1)


def test_positions_after_a_substitution_on_the_same_line() -> None:
    text = "a: {x: $OMK_X, y: 2}\nb: [${OMK_LONG_NAME}, z]\n"
    doc = document(text, {"OMK_X": "hello world", "OMK_LONG_NAME": "1"})
    assert doc.keys[("a", "y")] == at(text, "y:")
    assert doc.values[("a", "y")] == at(text, "2")
    assert doc.values[("b", 0)] == at(text, "$", 1)
    assert doc.values[("b", 1)] == at(text, "z")


def test_positions_with_an_unset_variable_are_those_of_the_text() -> None:
    text = "a: [$OMK_UNSET, z]\n"
    doc = document(text)
    assert doc.data == {"a": ["$OMK_UNSET", "z"]}
    assert doc.values[("a", 1)] == at(text, "z")


def test_positions_after_non_ascii_characters_count_characters() -> None:
    text = "éé: 1\nkey: 名前 x\nz: [名, y]\n"
    doc = document(text)
    assert doc.values[("éé",)] == Position(1, 5)
    assert doc.values[("z", 1)] == at(text, "y]")


def test_positions_with_crlf_line_ends() -> None:
    text = "a: 1\r\nb:\r\n  c: 2\r\n"
    doc = document(text)
    assert doc.keys[("b", "c")] == Position(3, 3)
    assert doc.values[("b", "c")] == Position(3, 6)


def test_byte_order_mark_is_not_a_column() -> None:
    text = "\ufeffa: 1\nb: [x, y]\n"
    doc = document(text)
    assert doc.keys[("a",)] == Position(1, 1)
    assert doc.values[("a",)] == Position(1, 4)
    assert doc.values[("b", 1)] == Position(2, 8)


def test_byte_order_mark_with_a_substitution_keeps_positions() -> None:
    text = "\ufeffk: [$OMK_X, 2]\n"  # columns as an editor shows them: '$' is column 5
    doc = document(text, {"OMK_X": "1, 3"})
    assert doc.data == {"k": [1, 3, 2]}
    assert doc.values[("k", 0)] == Position(1, 5)
    assert doc.values[("k", 1)] == Position(1, 5)  # actual: 1:6
    assert doc.values[("k", 2)] == Position(1, 13)


def test_position_of_a_missing_path_is_its_nearest_ancestor() -> None:
    doc = document("a:\n  b: 1\n")
    assert doc.position(("a", "b", "c")) == Position(2, 6)
    assert doc.position(("a", "zz")) == Position(2, 3)
    assert doc.key_position(("a", "b")) == Position(2, 3)
    assert doc.key_position(("a", "zz")) == Position(2, 3)
    assert doc.value_at(("a", "b")) == 1


def test_scalars_remember_their_source_text_and_quoting() -> None:
    doc = document("a: 0123\nb: '0123'\nc: \"x\"\nd: |\n  t\ne:\n")
    assert (doc.scalars[("a",)].text, doc.scalars[("a",)].plain) == ("0123", True)
    assert (doc.scalars[("b",)].text, doc.scalars[("b",)].plain) == ("0123", False)
    assert doc.scalars[("c",)].plain is False
    assert doc.scalars[("d",)].plain is False
    assert (doc.scalars[("e",)].text, doc.scalars[("e",)].plain) == ("", True)


def test_environ_none_leaves_variables_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMK_X", "expanded")
    result = load_text("a: $OMK_X\nb: ${OMK_X}\n", FILE, environ=None)
    assert result.document is not None
    assert result.document.data == {"a": "$OMK_X", "b": "${OMK_X}"}
    assert result.document.expansion is None


def test_default_environment_is_os_environ(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OMK_X", "expanded")
    result = load_text("a: $OMK_X\n", FILE)
    assert result.document is not None
    assert result.document.data == {"a": "expanded"}


# --- Problems that make the file unreadable -------------------------------------------------


def test_not_utf8_names_line_and_column_of_the_bad_byte() -> None:
    result = load_bytes("a: 1\nb: café x\nc: caf".encode() + b"\xe9\n", FILE)
    code, line, column, message = only(result)
    assert (code, line, column) == ("Y002", 3, 7)
    assert "0xe9" in message


def test_not_utf8_column_counts_characters_before_the_bad_byte() -> None:
    code, line, column, _ = only(load_bytes("é名".encode() + b"\xff: 1\n", FILE))
    assert (code, line, column) == ("Y002", 1, 3)


def test_not_utf8_column_leaves_out_the_byte_order_mark() -> None:
    code, line, column, _ = only(load_bytes(b"\xef\xbb\xbfab\xff: 1\n", FILE))
    assert (code, line, column) == ("Y002", 1, 3)


def test_load_file_reads_and_reports_unreadable_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_bytes("a: é\n".encode())
    result = load_file(good, environ={})
    assert result.document is not None
    assert result.document.data == {"a": "é"}
    assert result.document.file == str(good)
    code, line, column, _ = only(load_file(tmp_path / "missing.yaml"))
    assert (code, line, column) == ("Y011", 1, 1)


@pytest.mark.parametrize("text", ["", "\n\n", "# only\n# comments\n", "  \n# c\n"])
def test_empty_or_comment_only_file(text: str) -> None:
    assert yaml.safe_load(text) is None
    code, line, column, _ = only(load(text))
    assert (code, line, column) == ("Y003", 1, 1)


@pytest.mark.parametrize(
    ("text", "kind", "line"),
    [
        ("- a\n- b\n", "a list", 1),
        ("just text\n", "a string", 1),
        ("# c\n42\n", "an integer", 2),
        ("~\n", "null", 1),
        ("true\n", "a boolean", 1),
    ],
)
def test_root_must_be_a_mapping(text: str, kind: str, line: int) -> None:
    assert not isinstance(yaml.safe_load(text), dict)
    code, got_line, column, message = only(load(text))
    assert (code, got_line, column) == ("Y004", line, 1)
    assert message.endswith(f"not {kind}")


@pytest.mark.parametrize(
    "text",
    [
        "a: 1\t\n",  # trailing tab
        "a: 1\t# comment\n",
        "a: 1  \t  # comment\n",
        "a:\t1\n",
        "a: b\tc\n",
        "a: 'x'\t\n",
        "a: [1,\t2]\n",
        "a:\n  - x\t\n",
        "a: 1\n \t\nb: 2\n",
        "a: |#\n  x\n",
    ],
)
def test_text_the_runner_cannot_read_is_refused(text: str) -> None:
    with pytest.raises(yaml.YAMLError):
        yaml.safe_load(text)
    result = load(text)
    assert result.document is None
    assert [d.code for d in result.diagnostics] in (["Y001"], ["Y006"])


def test_empty_tag_reads_as_the_runner_reads_it() -> None:
    assert yaml.safe_load("a: !\n") == {"a": None}
    assert document("a: !\n").data == {"a": None}


def test_a_tab_inside_a_block_scalar_is_text() -> None:
    text = "a: |\n  x\ty\n"
    assert document(text).data == yaml.safe_load(text)
