"""Where each key and value of a YAML text is, and editing those tokens only
(omkit_sagemaker.check.fix.spans): comments, quotes and the other lines stay as written, and an
edit that cannot be made in place says why."""

from __future__ import annotations

import pytest
from omkit_sagemaker.check.fix.model import Fix
from omkit_sagemaker.check.fix.spans import Unreadable, edit, spans, splice

TEXT = (
    "source:\n"
    "  type: SageMaker  # the connector\n"
    "  serviceName: 'ml'\n"
    "  flow: {a: 1, b: 2}\n"
    "sink:\n"
    "  type: metadata-rest\n"
)


def fix(path: tuple[str, ...], kind: str, old: str, new: str) -> Fix:
    return Fix("X000", path, kind, old, new, "test")  # type: ignore[arg-type]


def test_spans_point_at_each_key_and_value_token() -> None:
    found = spans(TEXT)
    where = found[("source", "serviceName")]
    assert TEXT[where.key_start : where.key_end] == "serviceName"
    assert TEXT[where.value_start : where.value_end] == "'ml'"
    assert where.block
    assert where.siblings == 3
    assert not found[("source", "flow", "a")].block
    assert found[("sink", "type")].siblings == 1


def test_a_value_edit_keeps_the_quotes_comment_and_other_lines() -> None:
    where = spans(TEXT)[("source", "type")]
    change = edit(TEXT, fix(("source", "type"), "value", "SageMaker", "Sagemaker2"), where)
    assert isinstance(change, tuple)
    assert splice(TEXT, [change]) == TEXT.replace("SageMaker  #", "Sagemaker2  #")


def test_a_key_rename_keeps_the_key_s_quote_style() -> None:
    text = "source:\n  'serviceNme': ml\n  type: SageMaker\n"
    where = spans(text)[("source", "serviceNme")]
    change = edit(text, fix(("source", "serviceNme"), "key", "serviceNme", "serviceName"), where)
    assert isinstance(change, tuple)
    assert splice(text, [change]) == "source:\n  'serviceName': ml\n  type: SageMaker\n"


def test_removing_a_key_takes_its_whole_line_and_only_it() -> None:
    where = spans(TEXT)[("source", "serviceName")]
    change = edit(TEXT, fix(("source", "serviceName"), "remove", "", ""), where)
    assert isinstance(change, tuple)
    assert splice(TEXT, [change]) == TEXT.replace("  serviceName: 'ml'\n", "")


@pytest.mark.parametrize(
    ("path", "kind", "old", "reason"),
    [
        (("sink", "type"), "remove", "", "removing the only key would leave its mapping empty"),
        (("source", "flow", "a"), "remove", "", "the key does not start its own line"),
        (("source", "type"), "value", "Other", "the value is not written as one scalar"),
        (("source", "type"), "key", "kind", "the key is not written as one plain or quoted word"),
    ],
)
def test_an_edit_that_cannot_be_made_in_place_says_why(
    path: tuple[str, ...], kind: str, old: str, reason: str
) -> None:
    assert str(edit(TEXT, fix(path, kind, old, "x"), spans(TEXT)[path])).startswith(reason)


def test_a_place_reached_only_through_an_alias_is_not_editable() -> None:
    text = "base: &b\n  region: us-east-1\ncopy:\n  <<: *b\n"
    assert ("copy", "region") not in spans(text)
    reason = edit(text, fix(("copy", "region"), "value", "us-east-1", "x"), None)
    assert str(reason).startswith("its place comes from an alias or a merge key")


def test_edits_are_spliced_from_the_end_so_offsets_stay_right() -> None:
    assert splice("abcdef", [(0, 1, "XX"), (4, 6, "")]) == "XXbcd"


def test_text_ruamel_cannot_read_is_unreadable_in_one_line() -> None:
    with pytest.raises(Unreadable) as caught:
        spans("a: [unclosed\n")
    assert "\n" not in str(caught.value)
