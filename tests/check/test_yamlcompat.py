"""omkit_sagemaker.check.yamlcompat: a warning wherever YAML 1.1 (the runner) and YAML 1.2
(editors) disagree.

The YAML 1.1 reading is what ``yaml.safe_load`` gives; the YAML 1.2 reading is written out here
from the 1.2 core schema, so that both sides of every expectation come from the rules.
"""

from __future__ import annotations

import math
import re

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check import yamlcompat
from omkit_sagemaker.check.loader import MAX_DIGITS, Document, load_text
from omkit_sagemaker.check.yamlcompat import yaml12_value
from omkit_sagemaker.spec import schema

SECRETS = schema.secret_keys()


def doc(text: str) -> Document:
    result = load_text(text, "cfg.yaml", environ={})
    assert result.document is not None, result.diagnostics
    return result.document


def warnings(text: str) -> list[Diagnostic]:
    return yamlcompat.check(doc(text), SECRETS)


#: Plain scalar -> (YAML 1.1 reading as shown in a message, YAML 1.2 reading as shown).
DIFFERENT = {
    "yes": ("true", "'yes'"),
    "on": ("true", "'on'"),
    "Off": ("false", "'Off'"),
    "NO": ("false", "'NO'"),
    "0123": ("83", "123"),
    "0o17": ("'0o17'", "15"),
    "1_000": ("1000", "'1_000'"),
    "1:30": ("90", "'1:30'"),
    "1e3": ("'1e3'", "1000.0"),
    "1.0e3": ("'1.0e3'", "1000.0"),
    "0b101": ("5", "'0b101'"),
    "2024-01-31": ("a date value", "'2024-01-31'"),
}


@pytest.mark.parametrize(("written", "readings"), list(DIFFERENT.items()), ids=list(DIFFERENT))
def test_each_difference_warns_at_the_value(written: str, readings: tuple[str, str]) -> None:
    first, second = readings
    found = warnings(f"name: x\nsome:\n  value: {written}\n")
    assert len(found) == 1
    w = found[0]
    assert (w.code, w.severity, w.line, w.column) == ("Y009", Severity.WARNING, 3, 10)
    assert w.path == "$.some.value"
    assert f"'{written}' is read as {first} by metadata ingest (YAML 1.1)" in w.message
    assert f"but as {second} by YAML 1.2 tools" in w.message
    assert w.hint


@pytest.mark.parametrize(("written", "meaning"), [("yes", "true"), ("off", "false")])
def test_boolean_hint_names_the_boolean_to_write(written: str, meaning: str) -> None:
    (w,) = warnings(f"a: {written}\n")
    assert w.hint is not None
    assert w.hint.startswith(f"write {meaning} ")


@pytest.mark.parametrize(
    "written",
    ["12", "-7", "+12", "1.5", ".5", "1.", "1.0e+3", ".inf", "-.Inf", ".nan", "0x1F", "00",
     "true", "False", "null", "~", "", "y", "n", "plain text", "'yes'", '"yes"', "'0123'",
     "|\n    yes", "!!str yes", "=x"],
)  # fmt: skip
def test_same_readings_do_not_warn(written: str) -> None:
    assert warnings(f"some:\n  value: {written}\n") == []


def test_every_plain_scalar_is_checked_in_lists_and_flow_style() -> None:
    text = "a: [1, on, '0123', 0123]\nb:\n  - 12\n  - {k: 1_000}\n"
    found = {(w.path, w.line, w.column) for w in warnings(text)}
    assert found == {("$.a[1]", 1, 8), ("$.a[3]", 1, 20), ("$.b[1].k", 4, 9)}


def test_values_from_variables_warn_at_the_reference() -> None:
    text = "a: 1\nb: ${OMK_FLAG}\n"
    result = load_text(text, "cfg.yaml", environ={"OMK_FLAG": "on"})
    assert result.document is not None
    (w,) = yamlcompat.check(result.document, SECRETS)
    assert (w.line, w.column) == (2, 4)


@pytest.mark.parametrize("key", sorted(SECRETS))
@pytest.mark.parametrize(("secret", "readings"), [("0123", ("83", "123")), ("yes", ("true",))])
def test_secrets_are_never_in_the_message(key: str, secret: str, readings: tuple[str, ...]) -> None:
    (w,) = warnings(f"outer:\n  {key}: {secret}\n")
    shown = f"{w.message} {w.hint}"
    assert secret not in shown
    for reading in readings:
        assert reading not in w.message
    assert "the secret value" in w.message
    assert (w.line, w.column) == (2, len(f"  {key}: ") + 1)


def test_values_below_a_secret_key_are_secret_too() -> None:
    (w,) = warnings("jwtToken:\n  part: 0123\n")
    assert "0123" not in w.message
    assert "83" not in w.message


def test_long_values_are_cut_in_the_message() -> None:
    long = "1_" + "0" * 200
    (w,) = warnings(f"a: {long}\n")
    assert long not in w.message
    assert len(w.message) < 200


def test_huge_integer_warns_without_crashing() -> None:
    # An int in YAML 1.1, text in YAML 1.2, as long as the loader accepts.
    text = "a: 0b" + "1" * (MAX_DIGITS - 2) + "\n"
    (w,) = warnings(text)
    assert (w.code, w.line, w.column) == ("Y009", 1, 4)
    assert len(w.message) < 200


def test_integer_past_the_loader_cap_is_refused_before_the_comparison() -> None:
    text = "a: 0b" + "1" * 20_000 + "\n"
    result = load_text(text, "cfg.yaml", environ={})
    assert result.document is None
    assert [(d.code, d.line, d.column) for d in result.diagnostics] == [("Y001", 1, 4)]


# --- The YAML 1.2 core-schema reading -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("", None), ("~", None), ("null", None), ("NULL", None),
        ("true", True), ("False", False), ("yes", "yes"), ("on", "on"),
        ("0123", 123), ("-12", -12), ("+3", 3), ("0o17", 15), ("0x1F", 31), ("0b101", "0b101"),
        ("1_000", "1_000"), ("1:30", "1:30"), ("1e3", 1000.0), ("-.5", -0.5), ("1.", 1.0),
        (".inf", math.inf), ("-.INF", -math.inf), ("2024-01-31", "2024-01-31"), ("0x", "0x"),
    ],
)  # fmt: skip
def test_yaml12_value(text: str, value: object) -> None:
    got = yaml12_value(text)
    assert got == value
    assert type(got) is type(value)


def test_yaml12_nan() -> None:
    got = yaml12_value(".NaN")
    assert isinstance(got, float)
    assert math.isnan(got)


@pytest.mark.parametrize("text", ["12", "1.5", "true", "null", "0x1F", "-.inf", "text"])
def test_yaml12_agrees_with_yaml11_on_common_forms(text: str) -> None:
    assert yaml12_value(text) == yaml.safe_load(f"v: {text}")["v"]


_CORE_NULL = ("", "~", "null", "Null", "NULL")
_CORE_PATTERNS = (
    r"true|True|TRUE|false|False|FALSE",
    r"[-+]?[0-9]+",
    r"0o[0-7]+",
    r"0x[0-9a-fA-F]+",
    r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?",
    r"[-+]?\.(inf|Inf|INF)",
    r"\.(nan|NaN|NAN)",
)


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet="~nNtTfFrueal0123456789+-.oxeEiIAsS a_", max_size=8) | st.text(max_size=6))
@example("null")
@example("Null")
@example("true")
@example("False")
@example("TRUE")
@example(".inf")
@example("-.Inf")
@example(".NaN")
@example("-1")
@example("+2")
@example("0o7")
@example("0x1F")
@example("~")
@example("")
@example("1e5")
@example("n")
@example("yes")
def test_yaml12_reads_text_as_text_exactly_when_no_core_pattern_matches(text: str) -> None:
    # The YAML 1.2 core schema's null, boolean, integer and float forms, written out here.
    core = text in _CORE_NULL or any(re.fullmatch(p, text) for p in _CORE_PATTERNS)
    value = yaml12_value(text)
    assert (value == text and isinstance(value, str)) is not core
