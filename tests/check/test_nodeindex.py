"""``omkit_sagemaker.check.nodeindex``: the keys and positions of a document that is not plain
(aliases, merge keys, tags), and the keys YAML 1.1 reads as something other than text."""

from __future__ import annotations

import yaml
from omkit_sagemaker.check.loader import Position

from testing.loadcases import at, document, load


def test_merged_keys_point_at_the_anchor_and_own_keys_override() -> None:
    text = "a: &a {x: 1, y: 2}\nb:\n  <<: *a\n  x: 3\n"
    doc = document(text)
    assert doc.data["b"] == {"x": 3, "y": 2}
    assert doc.keys[("b", "x")] == Position(4, 3)
    assert doc.values[("b", "y")] == at(text, "2")


def test_non_string_keys_are_flagged_at_the_key() -> None:
    text = "a: 1\n2: x\nyes: y\nb:\n  null: z\n  2024-01-01: d\n"
    result = load(text)
    assert result.document is not None
    assert result.document.data == yaml.safe_load(text)
    found = sorted((d.code, d.line, d.column, d.path) for d in result.diagnostics)
    assert found == [
        ("Y008", 2, 1, "$"),
        ("Y008", 3, 1, "$"),
        ("Y008", 5, 3, "$.b"),
        ("Y008", 6, 3, "$.b"),
    ]
    messages = {d.line: (d.message, d.hint) for d in result.diagnostics}
    assert "'yes' is read as a boolean" in messages[3][0]
    assert messages[3][1] == "quote it: 'yes':"
    assert "'2' is read as an integer" in messages[2][0]
    assert ("b",) in result.document.keys
    assert ("a",) in result.document.keys
