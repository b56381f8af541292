"""Version-aware validation: the config shape of OpenMetadata 1.1, 1.3, 1.7 and 2.0.

The release facts live in spec/ as x-omkit-since / x-omkit-until annotations; for each target the
schemas are filtered, and a key or value of another release is reported as S010 on its line.
"""

from __future__ import annotations

from typing import Any

import pytest
from omkit_sagemaker.check import versions
from omkit_sagemaker.check.versions import Version
from omkit_sagemaker.cli import app
from omkit_sagemaker.spec import schema
from typer.testing import CliRunner

from testing.versioncases import BASE, check, codes, config


def test_base_config_is_valid_for_every_release() -> None:
    for target in versions.KNOWN:
        assert check(BASE, target) == [], target


def test_successthreshold_range_still_applies_where_it_exists() -> None:
    assert codes(config("workflow", "successThreshold: 101"), (1, 7)) == ["S007"]


# --- the filtered schemas ---------------------------------------------------------------------


def _nodes(node: Any, *, annotated: bool = True) -> list[dict[str, Any]]:
    """Every dict below ``node``; without the annotated subtrees when ``annotated`` is False."""
    if isinstance(node, dict):
        if not annotated and versions.window(node) != (None, None):
            return []
        return [node, *(n for v in node.values() for n in _nodes(v, annotated=annotated))]
    if isinstance(node, list):
        return [n for v in node for n in _nodes(v, annotated=annotated)]
    return []


@pytest.mark.parametrize("target", [(1, 1), (1, 3), (1, 7), (2, 0)])
def test_filtered_schemas_hold_nothing_of_other_releases(target: Version) -> None:
    for doc in versions.spec_for(target).values():
        for node in _nodes(doc):
            for part in [*node.get("properties", {}).values(), *node.get("oneOf", [])]:
                assert versions.accepts(versions.window(part), target), part
            for value in node.get("enum", []):
                assert versions.accepts(versions.enum_window(node, value), target), value


def test_the_1_1_schemas_are_the_unannotated_ones() -> None:
    """For 1.1 only annotated parts are dropped: every property without an annotation stays."""
    full = schema.load_spec()
    filtered = versions.spec_for((1, 1))
    for rel, doc in full.items():
        kept = {id(n) for n in _nodes(filtered[rel])}
        for node in _nodes(doc, annotated=False):
            for name, prop in node.get("properties", {}).items():
                if versions.window(prop) == (None, None):
                    assert id(prop) in kept, (rel, name)
    walk = filtered["metadataIngestion/workflow.json"]["definitions"]["workflowConfig"]
    assert set(walk["properties"]) == {"loggerLevel", "openMetadataServerConfig", "config"}


def test_spec_annotations_are_well_formed() -> None:
    for doc in schema.load_spec().values():
        for node in _nodes(doc):
            for key in (versions.SINCE, versions.UNTIL):
                if key in node:
                    assert versions.parse_version(node[key]) in versions.KNOWN
            for key in (versions.ENUM_SINCE, versions.ENUM_UNTIL):
                for value, release in node.get(key, {}).items():
                    assert value in node["enum"]
                    versions.parse_version(release)


# --- release numbers and the command line -----------------------------------------------------


@pytest.mark.parametrize(
    ("text", "version"), [("1.1", (1, 1)), ("1.7", (1, 7)), ("2.0", (2, 0)), (" 1.3 ", (1, 3))]
)
def test_parse_version(text: str, version: Version) -> None:
    assert versions.parse_version(text) == version


@pytest.mark.parametrize("text", ["1", "v1.3", "1.14", "0.13", "3.0", "", "1.3.4", "1.3.4.0"])
def test_parse_version_refuses_unknown_releases(text: str) -> None:
    with pytest.raises(ValueError, match=r"release number|does not know"):
        versions.parse_version(text)


def test_cli_target_version(tmp_path: Any) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(config("workflow", "raiseOnError: false"), encoding="utf-8")
    runner = CliRunner()
    old = runner.invoke(app, ["validate", "--no-env", str(path)])
    assert old.exit_code == 1
    assert "'raiseOnError' exists from OpenMetadata 1.7; your target is 1.1" in old.stdout
    assert (
        runner.invoke(app, ["validate", "--no-env", "--target-version", "1.7", str(path)]).exit_code
        == 0
    )
    bad = runner.invoke(app, ["validate", "--target-version", "1.99", str(path)])
    assert bad.exit_code == 2
    assert "does not know OpenMetadata 1.99" in bad.stderr
