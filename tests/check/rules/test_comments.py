"""The rules about ``# omkit: disable=...`` comments (omkit_sagemaker.check.rules.comments): a
code omkit does not have or a misspelt directive (R021) and a code that cannot be turned off
(R022) are each one warning at the comment's line and column, with a suggestion where one fits."""

from __future__ import annotations

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import load_text

SOURCE = "source:\n  type: SageMaker\n"


def lint(text: str) -> list[Diagnostic]:
    loaded = load_text(text, "config.yaml", environ={})
    assert loaded.document is not None, loaded.diagnostics
    return [d for d in rules.run(loaded.document, (1, 1)) if d.code in {"R021", "R022"}]


def test_an_unknown_code_is_named_with_the_code_it_is_likely_a_typo_of() -> None:
    (found,) = lint("# omkit: disable=R0111\n" + SOURCE)
    assert (found.code, found.severity) == ("R021", Severity.WARNING)
    assert found.message == "'R0111' in this # omkit: disable comment is not an omkit code"
    assert found.hint == "did you mean R011?"
    assert (found.line, found.column) == (1, 18)


def test_a_code_without_any_close_one_gets_the_rule_s_general_hint() -> None:
    (found,) = lint("# omkit: disable=Q999\n" + SOURCE)
    assert found.message == "'Q999' in this # omkit: disable comment is not an omkit code"
    assert found.hint == "write # omkit: disable= and codes that omkit rules lists, such as R011"


def test_a_misspelt_directive_says_it_turns_nothing_off_and_how_to_write_it() -> None:
    (found,) = lint("# omkit: disabel=R001, R011\n" + SOURCE)
    assert found.code == "R021"
    assert found.message == (
        "'disabel' in this # omkit: comment is not an omkit directive, so it turns nothing off"
    )
    assert found.hint == "did you mean # omkit: disable=R001,R011?"


def test_a_schema_code_cannot_be_turned_off_but_a_rule_code_can() -> None:
    (found,) = lint("source:\n  type: Sagemaker  # omkit: disable=S004\n")
    assert found.code == "R022"
    assert found.message.startswith("S004 cannot be turned off: metadata ingest rejects")
    assert found.line == 2
    assert lint("# omkit: disable=R011\n" + SOURCE) == []


def test_a_directive_on_its_own_line_inside_the_yaml_says_it_turns_nothing_off() -> None:
    text = "source:\n  # omkit: disable=R001\n  type: SageMaker\n"
    (found,) = lint(text)
    assert (found.code, found.line, found.column) == ("R021", 2, 3)
    assert found.message == (
        "this # omkit: disable comment stands on a line of its own inside the YAML, so it "
        "turns nothing off"
    )
    assert "above the first YAML line" in (found.hint or "")
    # above the first YAML line it covers the file, at the end of a line that line: no warning
    assert lint("# omkit: disable=R001\n" + SOURCE) == []
    assert lint("source:\n  type: SageMaker  # omkit: disable=R001\n") == []
