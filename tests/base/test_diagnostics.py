"""omkit_sagemaker.base.diagnostics: JSONPath rendering, severities and the pass/fail decision."""

from __future__ import annotations

import pytest
from omkit_sagemaker.base.diagnostics import (
    CODES,
    Diagnostic,
    Severity,
    has_errors,
    json_path,
    make,
)


@pytest.mark.parametrize(
    ("parts", "path"),
    [
        ((), "$"),
        (("source",), "$.source"),
        (("source", "serviceConnection", "config"), "$.source.serviceConnection.config"),
        (("includes", 0), "$.includes[0]"),
        (("a", 0, 1, "b"), "$.a[0][1].b"),
        ((0,), "$[0]"),
        (("metadata-rest",), "$['metadata-rest']"),
        (("a b",), "$['a b']"),
        (("1abc",), "$['1abc']"),
        (("",), "$['']"),
        (("it's",), "$['it\\'s']"),
        (("back\\slash",), "$['back\\\\slash']"),
        (("a.b",), "$['a.b']"),
        (("_private",), "$._private"),
    ],
)
def test_json_path(parts: tuple[str | int, ...], path: str) -> None:
    assert json_path(parts) == path


def test_json_path_takes_any_iterable() -> None:
    parts: list[str | int] = ["a", 2]
    assert json_path(iter(parts)) == "$.a[2]"


def _diag(code: str) -> Diagnostic:
    return make(code, "f.yaml", 1, 1, "message")


def test_make_uses_the_catalogue_severity() -> None:
    assert _diag("S001").severity is Severity.ERROR
    assert _diag("Y009").severity is Severity.WARNING
    assert make("S001", "f", 1, 1, "m", severity=Severity.WARNING).severity is Severity.WARNING


def test_only_the_yaml_version_difference_is_a_warning() -> None:
    warnings = {c.code for c in CODES.values() if c.severity is Severity.WARNING}
    assert "Y009" in warnings
    assert {"Y001", "Y002", "Y005", "Y007", "S001", "S002", "S003", "S004"}.isdisjoint(warnings)


def test_has_errors() -> None:
    error, warning = _diag("S003"), _diag("Y009")
    assert has_errors([]) is False
    assert has_errors([], strict=True) is False
    assert has_errors([warning]) is False
    assert has_errors([warning], strict=True) is True
    assert has_errors([warning, error]) is True
    assert has_errors([error], strict=True) is True
    assert has_errors(iter([warning, error])) is True


def test_sort_key_orders_by_file_line_column_then_code() -> None:
    a = make("S003", "a.yaml", 2, 5, "x")
    b = make("S001", "a.yaml", 2, 5, "x")
    c = make("Y001", "a.yaml", 10, 1, "x")
    d = make("Y001", "b.yaml", 1, 1, "x")
    e = make("S001", "a.yaml", 2, 10, "x")
    assert sorted([d, c, e, a, b], key=Diagnostic.sort_key) == [b, a, e, c, d]


def test_codes_are_keyed_by_their_own_code() -> None:
    assert all(code == entry.code for code, entry in CODES.items())
    assert all(entry.summary for entry in CODES.values())
