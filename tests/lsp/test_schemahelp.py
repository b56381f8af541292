"""Hover and completion from spec/: the data path at the cursor, option facts, keys and values."""

from __future__ import annotations

from lsprotocol import types
from omkit_sagemaker.lsp import schemahelp
from omkit_sagemaker.lsp.positions import Lines

from testing.samples import SAGEMAKER_SAMPLE

LINES = SAGEMAKER_SAMPLE.split("\n")


def _at(text: str, needle: str, offset: int = 0) -> types.Position:
    """The position ``offset`` code points into the first line holding ``needle``."""
    number = next(i for i, line in enumerate(text.split("\n")) if needle in line)
    return types.Position(number, text.split("\n")[number].index(needle) + offset)


def test_the_path_at_the_cursor_follows_indentation() -> None:
    lines = Lines(SAGEMAKER_SAMPLE)
    where = schemahelp.context_at(lines, _at(SAGEMAKER_SAMPLE, "awsRegion", 2))
    assert where.parent == ("source", "serviceConnection", "config", "awsConfig")
    assert where.key == "awsRegion"
    assert not where.on_value
    value = schemahelp.context_at(lines, _at(SAGEMAKER_SAMPLE, "us-east-2", 1))
    assert value.on_value
    assert value.key == "awsRegion"


def test_list_items_and_a_half_typed_key() -> None:
    text = (
        "source:\n  sourceConfig:\n    config:\n      mlModelFilterPattern:\n"
        "        includes:\n        - a\nprocessor:\n- name: x\n  typ\n"
    )
    lines = Lines(text)
    where = schemahelp.context_at(lines, _at(text, "typ", 3))
    assert where.parent == ("processor", 0)
    assert where.key == "typ"
    blank = schemahelp.context_at(lines, types.Position(3, 8))  # under mlModelFilterPattern
    assert blank.parent[:3] == ("source", "sourceConfig", "config")


def test_hover_shows_description_type_default_and_releases_never_a_value() -> None:
    secret = "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY99"
    text = SAGEMAKER_SAMPLE.replace("${AWS_SECRET_ACCESS_KEY}", secret)
    lines = Lines(text)
    hover = schemahelp.hover(lines, _at(text, "awsSecretAccessKey", 3))
    assert hover is not None
    assert isinstance(hover.contents, types.MarkupContent)
    body = hover.contents.value
    assert "(secret)" in body
    assert "OpenMetadata releases:" in body
    assert secret not in body
    on_value = schemahelp.hover(lines, _at(text, secret, 3))
    assert on_value is not None
    assert isinstance(on_value.contents, types.MarkupContent)
    assert secret not in on_value.contents.value
    flag = "      markDeletedMlModels: true\n"
    with_default = SAGEMAKER_SAMPLE.replace(
        "      type: MlModelMetadata\n", "      type: MlModelMetadata\n" + flag
    )
    found = schemahelp.hover(Lines(with_default), _at(with_default, "markDeletedMlModels", 1))
    assert found is not None
    assert isinstance(found.contents, types.MarkupContent)
    assert "`boolean`" in found.contents.value
    assert "Default: `true`" in found.contents.value


def test_hover_on_an_unknown_key_or_a_comment_says_nothing() -> None:
    text = SAGEMAKER_SAMPLE.replace("awsRegion:", "bogus:")
    assert schemahelp.hover(Lines(text), _at(text, "bogus", 1)) is None
    assert schemahelp.hover(Lines("# hi\n"), types.Position(0, 2)) is None


def test_releases_are_written_as_runs() -> None:
    assert schemahelp.releases([((1, 3), None)]) == "1.3-2.0"
    assert schemahelp.releases([(None, (1, 2)), ((1, 13), None)]) == "1.1, 1.13-2.0"
    assert schemahelp.releases([((3, 0), None)]) == "none"


def test_key_completion_offers_the_mapping_s_missing_keys_for_the_target() -> None:
    text = SAGEMAKER_SAMPLE.replace(
        "        awsRegion: us-east-2\n", "        awsRegion: us-east-2\n        pro\n"
    )
    items = schemahelp.completion(Lines(text), _at(text, "pro", 3), (1, 1)).items
    labels = [i.label for i in items]
    assert "profileName" in labels
    assert "awsRegion" not in labels  # already there
    item = next(i for i in items if i.label == "profileName")
    assert isinstance(item.text_edit, types.TextEdit)
    assert item.text_edit.new_text == "profileName: "
    assert item.text_edit.range.start.character == 8


def test_value_completion_offers_enum_values_and_booleans() -> None:
    text = SAGEMAKER_SAMPLE.replace("      type: MlModelMetadata", "      type: Ml")
    values = schemahelp.completion(Lines(text), _at(text, "type: Ml", 8), (1, 1)).items
    assert [v.label for v in values] == ["MlModelMetadata"]
    [value] = values
    assert isinstance(value.text_edit, types.TextEdit)
    assert value.text_edit.range.start.character == len("      type: ")
    flag = SAGEMAKER_SAMPLE.replace(
        "      type: MlModelMetadata\n",
        "      type: MlModelMetadata\n      markDeletedMlModels: \n",
    )
    bools = schemahelp.completion(Lines(flag), _at(flag, "markDeletedMlModels: ", 21), (1, 1))
    assert [v.label for v in bools.items] == ["true", "false"]
