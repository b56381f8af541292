"""Version-aware validation: the config shape of OpenMetadata 1.1, 1.3, 1.7 and 2.0.

The release facts live in spec/ as x-omkit-since / x-omkit-until annotations; for each target the
schemas are filtered, and a key or value of another release is reported as S010 on its line.
"""

from __future__ import annotations

from typing import Any

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check import versions
from omkit_sagemaker.check.loader import load_text
from omkit_sagemaker.check.settings import Settings
from omkit_sagemaker.check.validate import check_document
from omkit_sagemaker.check.versions import Version
from omkit_sagemaker.cli import app
from omkit_sagemaker.spec import schema
from typer.testing import CliRunner

from testing.samples import SAMPLE_ENV

BASE = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsRegion: us-east-2
  sourceConfig:
    config:
      type: MlModelMetadata
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: ${OPENMETADATA_JWT_TOKEN}
"""

#: Where each kind of addition goes: the line after which it is inserted, and its indentation.
ANCHORS = {
    "root": ("workflowConfig:", ""),
    "aws": ("        awsRegion: us-east-2", "        "),
    "connection": ("      type: SageMaker", "      "),
    "pipeline": ("      type: MlModelMetadata", "      "),
    "workflow": ("workflowConfig:", "  "),
    "server": ("    hostPort: http://localhost:8585/api", "    "),
}


def config(where: str = "", *lines: str) -> str:
    if not where:
        return BASE
    anchor, indent = ANCHORS[where]
    added = "".join(f"{indent}{line}\n" for line in lines)
    if where == "root":
        return BASE.replace(anchor, added + anchor, 1)
    return BASE.replace(anchor + "\n", anchor + "\n" + added, 1)


def check(text: str, target: Version) -> list[Diagnostic]:
    loaded = load_text(text, "config.yaml", environ=SAMPLE_ENV)
    assert loaded.document is not None, loaded.diagnostics
    return check_document(loaded.document, Settings(target=target))


def codes(text: str, target: Version) -> list[str]:
    return [d.code for d in check(text, target)]


def test_base_config_is_valid_for_every_release() -> None:
    for target in versions.KNOWN:
        assert check(BASE, target) == [], target


# (where, line, release that added it)
LATER_KEYS = [
    ("server", "storeServiceConnection: false", "1.2"),
    ("pipeline", "overrideMetadata: true", "1.5"),
    ("workflow", "successThreshold: 90", "1.6"),
    ("workflow", "raiseOnError: false", "1.7"),
    ("connection", "mlModelFilterPattern: {includes: [prod-]}", "1.7"),
    ("server", "tableFilterPattern: {excludes: [tmp_]}", "1.7"),
    ("pipeline", "overrideLineage: false", "1.10"),
    ("pipeline", "lineageInformation: {dbServicePrefixes: [mysql_prod]}", "1.10"),
    ("aws", "enabled: false", "1.12"),
    ("root", "enableStreamableLogs: false", "2.0"),
    ("root", "ingestionRunnerName: default-runner", "2.0"),
]


@pytest.mark.parametrize(("where", "line", "since"), LATER_KEYS)
@pytest.mark.parametrize("target", [(1, 1), (1, 3), (1, 7), (2, 0)])
def test_keys_of_later_releases(where: str, line: str, since: str, target: Version) -> None:
    text = config(where, line)
    found = check(text, target)
    if versions.parse_version(since) <= target:
        assert found == [], found
        return
    key = line.split(":")[0]
    (diag,) = found
    assert diag.code == "S010"
    aimed = versions.format_version(target)
    assert diag.message == f"'{key}' exists from OpenMetadata {since}; your target is {aimed}"
    assert f"--target-version {since}" in str(diag.hint)
    number = text.splitlines().index(ANCHORS[where][1] + line) + 1
    assert (diag.line, diag.column) == (number, len(ANCHORS[where][1]) + 1)


def test_the_issue_example_on_its_line() -> None:
    text = config("server", "storeServiceConnection: false")
    (diag,) = check(text, (1, 1))
    assert (
        diag.message == "'storeServiceConnection' exists from OpenMetadata 1.2; your target is 1.1"
    )
    assert diag.line == 18


@pytest.mark.parametrize(
    ("target", "expected"),
    [((1, 1), []), ((1, 2), []), ((1, 3), ["S010"]), ((2, 0), ["S010", "R028"])],
)
def test_no_auth_was_removed_in_1_3(target: Version, expected: list[str]) -> None:
    text = BASE.replace("authProvider: openmetadata", "authProvider: no-auth").replace(
        "    securityConfig:\n      jwtToken: ${OPENMETADATA_JWT_TOKEN}\n", ""
    )
    found = check(text, target)
    assert [d.code for d in found] == expected
    if expected:
        aimed = versions.format_version(target)
        assert found[0].message == (
            f"authProvider value 'no-auth' was removed in OpenMetadata 1.3; your target is {aimed}"
        )
        assert "'openmetadata'" in str(found[0].hint)
        assert "'no-auth'" not in str(found[0].hint)


@pytest.mark.parametrize(
    ("value", "accepted"),
    [("noop", {(1, 1)}), ("db", {(1, 3), (1, 7), (2, 0)}), ("gcp", {(1, 7), (2, 0)})],
)
@pytest.mark.parametrize("target", [(1, 1), (1, 3), (1, 7), (2, 0)])
def test_secrets_manager_values(value: str, accepted: set[Version], target: Version) -> None:
    text = config("server", f"secretsManagerProvider: {value}")
    assert codes(text, target) == ([] if target in accepted else ["S010"])


def test_sso_settings_were_removed_in_1_3() -> None:
    text = BASE.replace("authProvider: openmetadata", "authProvider: google").replace(
        "jwtToken: ${OPENMETADATA_JWT_TOKEN}", "secretKey: ${OPENMETADATA_JWT_TOKEN}"
    )
    assert check(text, (1, 1)) == []
    found = check(text, (1, 3))
    removed = [d for d in found if d.code == "S010"]
    assert [d.message for d in removed] == [
        "'secretKey' was removed in OpenMetadata 1.3; your target is 1.3"
    ]
    assert "missing required key 'jwtToken'" in " ".join(d.message for d in found)


@pytest.mark.parametrize(
    ("target", "expected"),
    [((1, 1), {"caCertificate": "since"}), ((1, 3), {"caCertificate": "since"}),
     ((1, 7), {"certificatePath": "until"}), ((2, 0), {"certificatePath": "until"})],
)  # fmt: skip
def test_ssl_settings_changed_in_1_4(target: Version, expected: dict[str, str]) -> None:
    text = config(
        "server",
        "verifySSL: validate",
        "sslConfig:",
        "  certificatePath: /etc/ssl/ca.pem",
        "  caCertificate: ${OPENMETADATA_JWT_TOKEN}",
    )
    found = check(text, target)
    assert [d.code for d in found] == ["S010"]
    ((key, kind),) = expected.items()
    word = "exists from" if kind == "since" else "was removed in"
    assert found[0].message.startswith(f"'{key}' {word} OpenMetadata 1.4;")


@pytest.mark.parametrize("target", [(1, 1), (1, 3), (1, 7), (2, 0)])
def test_a_key_of_no_release_stays_an_unknown_key(target: Version) -> None:
    assert codes(config("workflow", "sucessThreshold: 90"), target) == ["S001"]
    assert codes(config("aws", "enabled: false", "enabld: true"), target)[-1] == "S001"


@pytest.mark.parametrize("target", [(1, 1), (1, 7)])
def test_a_value_of_no_release_stays_an_enum_error(target: Version) -> None:
    assert codes(config("server", "secretsManagerProvider: vault"), target) == ["S004"]


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
