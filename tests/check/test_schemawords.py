"""``omkit_sagemaker.check.schemawords``: the words of schema diagnostics (the value a misspelling
surely means, how a value is named, the hints and messages of missing keys, formats and
ranges)."""

from __future__ import annotations

from omkit_sagemaker.check.schemawords import (
    certain,
    fill_hint,
    format_message,
    name_of,
    range_message,
    suggest,
    where,
)

LEVELS = ["DEBUG", "INFO", "WARN", "ERROR"]


def test_certain_is_the_one_value_meant_or_nothing() -> None:
    assert certain("info", LEVELS) == "INFO"  # letter case first
    assert certain("EROR", LEVELS) == "ERROR"  # the only close spelling
    assert certain("sagemaker", ["SageMaker", "Sagemaker"]) is None  # two the same but case
    assert certain("mode1", ["model", "mode2"]) is None  # two close ones: not certain
    assert certain("zzz", LEVELS) is None


def test_suggest_offers_the_closest_value_even_among_several() -> None:
    assert suggest("info", LEVELS) == "INFO"
    assert suggest("mode1", ["model", "mode2"]) in {"model", "mode2"}
    assert suggest("zzz", LEVELS) is None
    assert suggest("x", [1, None, "x"]) == "x"  # type: ignore[list-item]  # non-text skipped


def test_a_value_is_named_by_its_key_and_list_indexes() -> None:
    assert name_of(()) == "the document"
    assert name_of(("source", "serviceName")) == "serviceName"
    assert name_of(("source", "tags", 2)) == "tags[2]"
    assert name_of(("m", 0, 1)) == "m[0][1]"
    assert where(()) == "at the top level"
    assert where(("workflowConfig", "loggerLevel")) == "in loggerLevel"


def test_a_missing_key_with_a_single_possible_value_gets_a_fill_hint() -> None:
    assert fill_hint("type", {"enum": ["SageMaker"]}) == "add 'type: SageMaker'"
    assert fill_hint("type", {"const": "MlModelMetadata"}) == "add 'type: MlModelMetadata'"
    assert fill_hint("level", {"enum": LEVELS}) is None
    assert fill_hint("name", {"type": "string"}) is None


def test_format_messages_say_what_is_expected() -> None:
    uri = format_message("hostPort", "uri", "localhost", "'localhost'")
    assert uri.startswith("hostPort must be a URL with a scheme and a host")
    assert uri.endswith("not 'localhost'")
    regex = format_message("includes", "regex", "a(b", "'a(b'")
    assert regex.startswith("includes is not a valid regular expression: missing ), ")
    assert regex.endswith(" at position 1")
    assert "UUID" in format_message("id", "uuid", "x", "'x'")
    assert format_message("d", "date", "x", "'x'") == "d must be in the 'date' format, not 'x'"


def test_range_messages_say_the_limit() -> None:
    assert range_message("port", "maximum", 65535) == "port must be at most 65535"
    assert range_message("t", "exclusiveMinimum", 0) == "t must be greater than 0"
    assert range_message("name", "minLength", 1) == "name must be at least 1 characters long"
    assert range_message("tags", "maxItems", 50) == "tags must be a list of at most 50 items"
