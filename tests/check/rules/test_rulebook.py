"""The rule registry and its runner (omkit_sagemaker.check.rules.rulebook): a rule is registered
once under an ``R`` code with its examples dedented; running the rules places each finding at its
value (or key, or a finer position), falls back to the rule's hint and severity, skips the rules
turned off, and shares reads within one run only."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.check.loader import Document, Position, load_text
from omkit_sagemaker.check.rules import reading, rulebook
from omkit_sagemaker.check.rules.rulebook import Finding, rule, run
from omkit_sagemaker.check.versions import Version

TEXT = "source:\n  type: SageMaker\n  serviceName: ml\n"


@pytest.fixture
def registry(monkeypatch: pytest.MonkeyPatch) -> dict[str, rulebook.Rule]:
    """An empty registry for the test's own rules (the real one is left as it is)."""
    rules: dict[str, rulebook.Rule] = {}
    monkeypatch.setattr(rulebook, "RULES", rules)
    return rules


def register(code: str, *findings: Finding, severity: Severity = Severity.WARNING) -> None:
    def check(document: Document, target: Version) -> Iterator[Finding]:
        assert reading.SHARED_READS.get() is not None  # inside a run
        yield from findings

    rule(code, f"rule-{code}", severity, "a test rule", hint=f"the hint of {code}", bad="""
        source:
          type: x
        """, good="a: 1")(check)  # fmt: skip


def load() -> Document:
    loaded = load_text(TEXT, "config.yaml", environ={})
    assert loaded.document is not None
    return loaded.document


def test_a_rule_is_registered_once_with_its_examples_dedented(
    registry: dict[str, rulebook.Rule],
) -> None:
    register("R901")
    assert registry["R901"].bad == "source:\n  type: x\n"
    assert registry["R901"].good == "a: 1\n"
    for code in ("R901", "R12", "X901", "S004"):
        with pytest.raises(ValueError, match=f"bad or duplicate rule code {code}"):
            register(code)


def test_findings_are_placed_at_the_value_the_key_or_a_finer_position(
    registry: dict[str, rulebook.Rule],
) -> None:
    register(
        "R901",
        Finding(("source", "serviceName"), "at the value"),
        Finding(("source", "serviceName"), "at the key", at_key=True),
        Finding(
            ("source",), "here", position=Position(2, 9), hint="own hint", severity=Severity.ERROR
        ),
    )
    value, key, here = run(load())
    assert (value.line, value.column, value.path) == (3, 16, "$.source.serviceName")
    assert (key.line, key.column) == (3, 3)
    assert (value.hint, value.severity) == ("the hint of R901", Severity.WARNING)
    assert (here.line, here.column, here.hint, here.severity) == (2, 9, "own hint", Severity.ERROR)
    assert [d.code for d in (value, key, here)] == ["R901"] * 3
    assert reading.SHARED_READS.get() is None  # the run's shared reads are gone


def test_rules_turned_off_are_not_run(registry: dict[str, rulebook.Rule]) -> None:
    register("R901", Finding(("source", "type"), "one"))
    register("R902", Finding(("source", "type"), "two"))
    assert [d.message for d in run(load(), disabled=["R901"])] == ["two"]
    assert [d.code for d in run(load())] == ["R901", "R902"]  # in registration order
