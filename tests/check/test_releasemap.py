"""``omkit_sagemaker.check.releasemap``: a key or value of another OpenMetadata release is
reported as S010 on its line ("exists from 1.2; your target is 1.1"), and one of no release
stays an unknown key or value."""

from __future__ import annotations

import pytest
from omkit_sagemaker.check import releasemap, versions
from omkit_sagemaker.check.versions import Version

from testing.versioncases import ANCHORS, BASE, check, codes, config

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


AUTH = ("workflowConfig", "openMetadataServerConfig", "authProvider")


def test_verdicts_name_the_release_a_key_or_value_belongs_to() -> None:
    workflow = ("workflowConfig",)
    assert releasemap.key_verdict(workflow, "successThreshold", (1, 1)) == ("since", (1, 6))
    assert releasemap.key_verdict(workflow, "successThreshold", (1, 7)) is None
    assert releasemap.key_verdict(workflow, "sucessThreshold", (1, 1)) is None  # no release
    assert releasemap.value_verdict(AUTH, "no-auth", (1, 3)) == ("until", (1, 3))
    assert releasemap.value_verdict(AUTH, "no-auth", (1, 1)) is None


def test_allowed_values_are_those_of_the_target_release() -> None:
    assert "no-auth" in releasemap.allowed_values(AUTH, (1, 1))
    later = releasemap.allowed_values(AUTH, (1, 3))
    assert "no-auth" not in later
    assert later[-1] == "openmetadata"
