"""The rules about the pipeline and its sink (omkit_sagemaker.check.rules.pipeline): a service
name the target release refuses (R015), a filter that is no regular expression, pointed at the
bad character (R016), excludes that includes make void (R017), a sink type that does not exist
(R018), a file sink without its file (R019), a filter that can stall on one model name (R024)."""

from __future__ import annotations

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import load_text
from omkit_sagemaker.check.versions import Version

FILTERS = "source:\n  sourceConfig:\n    config:\n      mlModelFilterPattern:\n"


def found(text: str, code: str, target: Version = (1, 1)) -> list[Diagnostic]:
    loaded = load_text(text, "config.yaml", environ={})
    assert loaded.document is not None, loaded.diagnostics
    return [d for d in rules.run(loaded.document, target) if d.code == code]


def filters(*lines: str) -> str:
    return FILTERS + "".join(f"        {line}\n" for line in lines)


def test_a_service_name_with_characters_the_release_refuses_names_them() -> None:
    (problem,) = found("source:\n  serviceName: ml::models\n", "R015")
    assert problem.message.startswith("serviceName 'ml::models' contains ")
    assert "names allow" in problem.message
    assert found("source:\n  serviceName: ml-models_2\n", "R015") == []


def test_a_bad_filter_regex_points_at_the_character_where_it_breaks() -> None:
    text = filters("includes:", "  - churn-.*", "  - 'fraud-(v1'")
    (problem,) = found(text, "R016")
    assert problem.message == (
        "mlModelFilterPattern includes[1] is not a valid regular expression: missing ), "
        "unterminated subpattern at position 6"
    )
    assert problem.line == 7
    assert problem.column == text.splitlines()[6].index("(") + 1


def test_excludes_next_to_includes_with_entries_are_a_warning_at_the_key() -> None:
    (problem,) = found(filters("includes:", "  - churn-.*", "excludes:", "  - .*-test"), "R017")
    assert problem.message == (
        "mlModelFilterPattern has both includes and excludes; when includes has entries, "
        "metadata ingest "
        "ignores excludes"
    )
    assert problem.line == 7  # the excludes key
    assert found(filters("includes: []", "excludes:", "  - .*-test"), "R017") == []


def test_a_misspelt_sink_type_gets_the_type_it_is_close_to() -> None:
    (problem,) = found("sink:\n  type: metadata_rest\n  config: {}\n", "R018")
    assert problem.message.endswith("; did you mean 'metadata-rest'?")


@pytest.mark.parametrize(
    ("text", "line"),
    [("sink:\n  type: file\n  config: {}\n", 3), ("sink:\n  type: file\n", 2)],
)
def test_a_file_sink_without_its_filename_is_an_error(text: str, line: int) -> None:
    (problem,) = found(text, "R019")
    assert (
        problem.message
        == "the file sink needs config.filename, the path of the JSON file it writes"
    )
    assert problem.line == line
    assert found("sink:\n  type: file\n  config:\n    filename: models.json\n", "R019") == []


@pytest.mark.parametrize(
    ("pattern", "stalls"),
    [("(a+)+$", True), ("(churn-\\w*)*", True), ("churn-.*", False), ("(ab|cd)+", False)],
)
def test_a_filter_that_repeats_a_repeating_group_is_a_warning(pattern: str, stalls: bool) -> None:
    problems = found(filters("excludes:", f"  - '{pattern}'"), "R024")
    assert [p.message for p in problems] == (
        [
            "mlModelFilterPattern excludes[0] repeats a group that itself repeats, so one crafted "
            "model name can stall the match"
        ]
        if stalls
        else []
    )
