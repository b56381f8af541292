"""The catalogue of every code (omkit_sagemaker.check.rules.catalogue): Y, S and R codes in that
order, each once, with whether ``omkit fix`` fixes it; as JSON, aligned text and the Markdown of
docs/rules.md, whose anchors the help links point at."""

from __future__ import annotations

import json

from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.rules.catalogue import (
    catalogue,
    catalogue_json,
    catalogue_text,
    docs_anchor,
    full_description,
    markdown,
)


def test_every_code_once_loader_then_schema_then_rule_codes() -> None:
    codes = [e.code for e in catalogue()]
    assert len(codes) == len(set(codes))
    letters = [c[0] for c in codes]
    assert letters == sorted(letters, key="YSR".index)
    assert set(RULES) <= set(codes)
    fixable = {e.code for e in catalogue() if e.fixable}
    assert {"R001", "R030", "S004"} <= fixable
    assert "R021" not in fixable  # a comment naming an unknown code has no certain fix


def test_json_and_text_say_the_same_as_the_catalogue() -> None:
    items = json.loads(catalogue_json())
    assert [i["code"] for i in items] == [e.code for e in catalogue()]
    r001 = next(i for i in items if i["code"] == "R001")
    assert r001 == {
        "code": "R001",
        "name": "literal-secret",
        "severity": "warning",
        "summary": RULES["R001"].summary,
        "fixable": True,
    }
    line = next(line for line in catalogue_text().splitlines() if line.startswith("R001 "))
    assert line == f"R001  warning  fix  {RULES['R001'].summary}"


def test_anchors_and_descriptions_point_at_the_rule_s_own_section() -> None:
    assert docs_anchor("R001") == "r001-literal-secret"
    assert docs_anchor("S004") == "all-codes"
    assert full_description("R012") == f"{RULES['R012'].summary}. Fix: {RULES['R012'].hint}."
    assert full_description("Q999") == "Q999"
    text = markdown()
    assert text.startswith("# omkit rules\n")
    assert "\n## All codes\n" in text  # the anchor of every other code
    for code, entry in RULES.items():
        assert f"\n### {code} {entry.name}\n" in text  # the heading docs_anchor names
        assert entry.bad.splitlines()[0] in text
