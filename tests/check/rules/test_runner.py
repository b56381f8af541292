"""What ``metadata ingest`` refuses when it starts (omkit_sagemaker.check.rules.runner), as the
official runners were seen to do (tests/differential): the sink's config (R025), the file sink
(R026), the step classes 1.x ships (R027), the auth providers each release builds (R028),
verifySSL without its config (R029), lineage keys 2.0 ignores (R031), each said per release."""

from __future__ import annotations

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import load_text
from omkit_sagemaker.check.versions import Version

SERVER = "workflowConfig:\n  openMetadataServerConfig:\n    hostPort: http://localhost:8585/api\n"


def found(text: str, target: Version, *codes: str) -> list[Diagnostic]:
    loaded = load_text(text, "config.yaml", environ={})
    assert loaded.document is not None, loaded.diagnostics
    return [d for d in rules.run(loaded.document, target) if d.code in codes]


def test_a_sink_without_config_stops_the_runner_at_its_type() -> None:
    (problem,) = found("sink:\n  type: metadata-rest\n", (1, 1), "R025")
    assert problem.message == (
        "the metadata-rest sink has no config; metadata ingest passes none to its config model "
        "and stops"
    )
    assert problem.line == 2


def test_an_unknown_sink_key_is_named_with_the_keys_the_release_knows() -> None:
    (problem,) = found("sink:\n  type: metadata-rest\n  config:\n    batch: 10\n", (2, 0), "R025")
    assert problem.message.startswith(
        "the metadata-rest sink's config has no key 'batch' in this release (it knows "
    )
    assert "bulk_sink_batch_size" in problem.message
    assert (problem.line, problem.column) == (4, 5)  # at the key


def test_the_file_sink_is_a_warning_saying_omkit_run_writes_it() -> None:
    (problem,) = found(
        "sink:\n  type: file\n  config:\n    filename: /tmp/m.json\n", (1, 1), "R026"
    )
    assert problem.message.endswith("; omkit run writes it")


@pytest.mark.parametrize(("target", "codes"), [((1, 1), ["R027"]), ((2, 0), [])])
def test_a_step_class_1x_does_not_ship_stops_1x_only(target: Version, codes: list[str]) -> None:
    problems = found("processor:\n  type: noop-processor\n", target, "R027")
    assert [d.code for d in problems] == codes
    if problems:
        assert problems[0].message.startswith("processor: metadata ingest 1.")
        assert problems[0].message.endswith("its only processor is query-parser, so it stops")


def test_auth_providers_each_release_cannot_build() -> None:
    cognito = SERVER + "    authProvider: aws-cognito\n"
    (problem,) = found(cognito, (1, 1), "R028")
    assert problem.message == "metadata ingest 1.1 has no aws-cognito auth provider and stops"
    (ldap,) = found(SERVER + "    authProvider: ldap\n", (2, 0), "R028")
    assert ldap.message == (
        "metadata ingest 2.0 reads securityConfig.jwtToken for authProvider ldap, and there is none"
    )
    with_jwt = SERVER + "    authProvider: ldap\n    securityConfig:\n      jwtToken: ${T}\n"
    assert found(with_jwt, (2, 0), "R028") == []


def test_verify_ssl_validate_without_ssl_config_stops_before_connecting() -> None:
    (problem,) = found(SERVER + "    verifySSL: validate\n", (1, 1), "R029")
    assert problem.message == (
        "verifySSL is validate without an sslConfig; metadata ingest stops before it connects"
    )


def test_a_misspelt_lineage_key_is_ignored_by_2_0_and_said_so() -> None:
    lineage = "source:\n  sourceConfig:\n    config:\n      lineageInformation:\n"
    text = lineage + "        dbServicePrefix: glue\n"
    (problem,) = found(text, (2, 0), "R031")
    assert problem.message.startswith(
        "lineageInformation has no key 'dbServicePrefix'; metadata ingest ignores it"
    )
    assert "dbServicePrefixes" in problem.message
