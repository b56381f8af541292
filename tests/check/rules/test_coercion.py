"""Values the runner converts and ingests anyway (omkit_sagemaker.check.rules.coercion, R030):
what each is converted to under each release's parser, the warning saying it, and the fix that
writes the value as the runner reads it, only where that is certain."""

from __future__ import annotations

from typing import Any

import pytest
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import Document, load_text
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.rules.coercion import converted_values
from omkit_sagemaker.check.versions import Version

CONFIG = "source:\n  sourceConfig:\n    config:\n      type: MlModelMetadata\n"
MARK = ("source", "sourceConfig", "config", "markDeletedMlModels")


def load(text: str) -> Document:
    loaded = load_text(text, "config.yaml", environ={})
    assert loaded.document is not None, loaded.diagnostics
    return loaded.document


@pytest.mark.parametrize(
    ("written", "target", "converted"),
    [
        ("'true'", (1, 1), True),
        ("'Off'", (2, 0), False),
        ("1", (1, 1), True),
        ("0", (2, 0), False),
    ],
)
def test_the_runner_s_conversion_of_a_boolean_under_each_release(
    written: str, target: Version, converted: Any
) -> None:
    document = load(CONFIG + f"      markDeletedMlModels: {written}\n")
    assert converted_values(document, target) == [(MARK, converted)]


def test_values_the_runner_refuses_or_a_valid_file_convert_nothing() -> None:
    assert converted_values(load(CONFIG + "      markDeletedMlModels: 'maybe'\n"), (1, 1)) == []
    assert converted_values(load(CONFIG + "      markDeletedMlModels: true\n"), (1, 1)) == []


def test_an_empty_list_for_the_sink_config_is_a_mapping_under_1_1_only() -> None:
    document = load("sink:\n  type: metadata-rest\n  config: []\n")
    assert converted_values(document, (1, 1)) == [(("sink", "config"), {})]
    assert converted_values(document, (2, 0)) == []


def test_the_warning_says_what_is_written_and_what_the_runner_makes_of_it() -> None:
    document = load(CONFIG + "      markDeletedMlModels: 'yes'\n")
    (found,) = [d for d in rules.run(document, (1, 1)) if d.code == "R030"]
    assert found.message == (
        "markDeletedMlModels is 'yes'; metadata ingest converts it to true and runs"
    )
    assert found.line == 5
    fixer = RULES["R030"].fix
    assert fixer is not None
    fix = fixer(found, document, (1, 1))
    assert fix is not None
    assert (fix.old, fix.new, fix.safe) == ("'yes'", "true", True)
    assert fix.explanation == "markDeletedMlModels is now true, as metadata ingest reads it"


def test_no_fix_where_the_written_value_is_not_certain_to_mean_the_converted_one() -> None:
    document = load("sink:\n  type: metadata-rest\n  config: []\n")
    (found,) = [d for d in rules.run(document, (1, 1)) if d.code == "R030"]
    fixer = RULES["R030"].fix
    assert fixer is not None
    assert fixer(found, document, (1, 1)) is None
