"""The baseline: keyed on file, data path and code, so it survives edits; fixed entries go."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic, make
from omkit_sagemaker.check import baseline


def _diag(file: str, line: int, code: str = "S004", path: str = "$.source.type") -> Diagnostic:
    return make(code, file, line, 3, f"{code} message", path=path)


def test_entries_ignore_lines_and_count_repeats(tmp_path: Path) -> None:
    a = tmp_path / "a.yaml"
    recorded = [_diag(str(a), 5), _diag(str(a), 9), _diag(str(a), 12, "S003", "$.x")]
    found = baseline.entries(recorded, tmp_path)
    assert [e.key for e in found] == [
        ("a.yaml", "$.source.type", "S004"),
        ("a.yaml", "$.source.type", "S004"),
        ("a.yaml", "$.x", "S003"),
    ]
    moved = [_diag(str(a), 40), _diag(str(a), 41, "S004", "$.other")]
    result = baseline.apply(moved, [str(a)], found, tmp_path)
    assert [d.path for d in result.diagnostics] == ["$.other"]  # only the new one
    assert result.known == 1
    assert sorted(e.key for e in result.fixed) == [
        ("a.yaml", "$.source.type", "S004"),
        ("a.yaml", "$.x", "S003"),
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
    message = baseline.record([], [a], target)  # a is clean now: its entry goes, b's stays
    assert message == f"wrote {target}: 1 entry (0 new, 1 fixed and removed)"
    assert [e.file for e in baseline.read(target)] == ["b.yaml"]
    mtime = target.stat().st_mtime_ns
    assert baseline.record([], [a], target) == f"{target}: up to date (1 entry)"
    assert target.stat().st_mtime_ns == mtime  # unchanged: not rewritten


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("{", ":1:2: not JSON"),
        ("[]", ":1:1: not an omkit baseline"),
        ('{"version": 1, "entries": [{"file": 1}]}', ":1:1: entry 0 needs file, path and code"),
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
        "version": 1,
        "entries": [
            {"file": "a.yaml", "path": "$.source.type", "code": "S004", "message": "S004 message"}
        ],
    }
