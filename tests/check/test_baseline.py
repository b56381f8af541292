"""The baseline: keyed on file, data path, code and what the problem says, so it survives edits
but not a change of the problem; fixed entries go; only codes that may be turned off."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omkit_sagemaker.base.diagnostics import CODES, Diagnostic, Severity, make
from omkit_sagemaker.check import baseline


def _diag(file: str, line: int, code: str = "R003", path: str = "$.source.type") -> Diagnostic:
    severity = None if code in CODES else Severity.ERROR  # rules are not in the catalogue
    return make(code, file, line, 3, f"{code} message", path=path, severity=severity)


def _keys(found: list[baseline.BaselineEntry]) -> list[tuple[str, str, str]]:
    return [e.key[:3] for e in found]


def test_entries_ignore_lines_and_count_repeats(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    recorded = [_diag(str(a), 5), _diag(str(a), 9), _diag(str(a), 12, "R001", "$.x")]
    found = baseline.entries(recorded, tmp_path)
    assert _keys(found) == [
        ("a.yaml", "$.source.type", "R003"),
        ("a.yaml", "$.source.type", "R003"),
        ("a.yaml", "$.x", "R001"),
    ]
    moved = [_diag(str(a), 40), _diag(str(a), 41, "R003", "$.other")]
    result = baseline.apply(moved, [str(a)], found, tmp_path)
    assert [d.path for d in result.diagnostics] == ["$.other"]  # only the new one
    assert result.known == 1
    assert sorted(_keys(result.fixed)) == [
        ("a.yaml", "$.source.type", "R003"),
        ("a.yaml", "$.x", "R001"),
    ]
    note = result.note(".omkit-baseline.json")
    assert note.startswith("1 known problem in .omkit-baseline.json not shown; 2 baseline entries")
    assert "--write-baseline .omkit-baseline.json to shrink it" in note


def test_entries_of_files_not_checked_are_neither_fixed_nor_dropped(tmp_path: Path) -> None:
    a, b = str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")
    target = tmp_path / ".omkit-baseline.json"
    baseline.record([_diag(a, 1), _diag(b, 1)], [a, b], target)
    result = baseline.filter_result([], [a], target)
    assert [e.file for e in result.fixed] == ["a.yaml"]
    message = baseline.record([], [a], target).message  # a is clean now: its entry goes
    assert message == f"wrote {target}: 1 entry (0 new, 1 fixed and removed)"
    assert [e.file for e in baseline.read(target)] == ["b.yaml"]
    mtime = target.stat().st_mtime_ns
    assert baseline.record([], [a], target).message == f"{target}: up to date (1 entry)"
    assert target.stat().st_mtime_ns == mtime  # unchanged: not rewritten


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{", ":1:2: not JSON"),
        ("[]", ":1:1: not an omkit baseline"),
        ('{"version": 2, "entries": [{"file": 1}]}', ":1:1: entry 0 needs file, path, code and"),
        ('{"version": 1, "entries": []}', ":1:1: a baseline of an older omkit"),
    ],
)
def test_a_broken_baseline_is_one_clear_line(tmp_path: Path, text: str, where: str) -> None:
    path = tmp_path / "b.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(baseline.BaselineError, match=f"^{path}{where}"):
        baseline.read(path)
    with pytest.raises(baseline.BaselineError, match="no such baseline file"):
        baseline.read(tmp_path / "missing.json")


def test_the_file_format_is_stable(tmp_path: Path) -> None:
    target = tmp_path / "base.json"
    baseline.record([_diag(str(tmp_path / "a.yaml"), 3)], [], target)
    assert json.loads(target.read_text(encoding="utf-8")) == {
        "version": 2,
        "entries": [
            {
                "file": "a.yaml",
                "path": "$.source.type",
                "code": "R003",
                "fingerprint": baseline.fingerprint(_diag("a.yaml", 1)),
                "message": "R003 message",
            }
        ],
    }


def test_the_fingerprint_follows_the_message_but_not_line_numbers() -> None:
    def said(message: str, line: int = 3) -> str:
        return baseline.fingerprint(make("Y005", "a.yaml", line, 1, message, path="$.a"))

    assert said("duplicate key 'a' (first written on line 3)") == said(
        "duplicate key 'a' (first written on line 40)", line=42
    )
    assert said("region 'us-east-9'") != said("region 'eu-west-9'")
    assert len(said("x")) == 16


def test_only_codes_that_may_be_turned_off_are_recorded(tmp_path: Path) -> None:
    a = str(tmp_path / "a.yaml")
    schema = _diag(a, 2, "S004")
    recorded = baseline.record([schema, _diag(a, 3)], [a], tmp_path / "b.json")
    assert recorded.left == [schema]
    assert recorded.failed()
    assert _keys(baseline.read(tmp_path / "b.json")) == [("a.yaml", "$.source.type", "R003")]
    kept = baseline.filter_result([schema], [a], tmp_path / "b.json").diagnostics
    assert kept == [schema]
