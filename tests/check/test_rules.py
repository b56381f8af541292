"""The lint rules: every rule's documented examples, the catalogue, and the generated files.

Each rule's failing example must trigger that rule (and no other), and its passing example no rule
at all: the examples are the ones docs/rules.md shows, so the docs and the tests cannot disagree.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from omkit_sagemaker.base import regiondata
from omkit_sagemaker.base.diagnostics import CODES, Severity
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import load_text
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.settings import Settings
from omkit_sagemaker.check.validate import check_document
from omkit_sagemaker.check.versions import Version
from omkit_sagemaker.cli import app
from typer.testing import CliRunner

from testing.rulecases import SERVER, aws, codes, lint, load, server

REPO = Path(__file__).resolve().parents[2]


# --- every rule's own examples ----------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(RULES))
def test_failing_example_triggers_its_rule_only(code: str) -> None:
    found = lint(RULES[code].bad, unset=code == "R020")
    assert found, f"{code}'s failing example passes"
    assert set(codes(found)) == {code}, [(d.code, d.message) for d in found]
    assert all(d.severity is RULES[code].severity for d in found)


@pytest.mark.parametrize("code", sorted(RULES))
def test_passing_example_triggers_no_rule(code: str) -> None:
    assert lint(RULES[code].good, unset=code == "R020") == []


def test_rule_definitions_are_complete_and_stable() -> None:
    assert list(RULES) == [f"R{n:03d}" for n in range(1, len(RULES) + 1)]
    assert len({r.name for r in RULES.values()}) == len(RULES)
    for entry in RULES.values():
        assert entry.summary
        assert "\n" not in entry.summary
        assert not entry.summary.endswith(".")
        assert entry.hint
        assert "\n" not in entry.hint
        assert entry.bad != entry.good
        assert entry.replaces <= set(CODES)
    assert not set(RULES) & set(CODES)


def test_a_rule_code_cannot_be_registered_twice() -> None:
    with pytest.raises(ValueError, match="R001"):
        rules.rule("R001", "again", Severity.ERROR, "x", hint="x", bad="a: 1", good="a: 2")(
            lambda document, target: []
        )


# --- what the messages say --------------------------------------------------------------------


def test_literal_secret_message_hides_the_secret_and_gives_the_env_rewrite() -> None:
    secret = "4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t"
    text = aws(f"awsSecretAccessKey: {secret}", f'awsSessionToken: "{secret}x"') + server(
        "securityConfig:", f"  jwtToken: {secret}y"
    )
    found = lint(text)
    assert codes(found) == ["R001", "R001", "R001"]
    for diag in found:
        assert secret not in diag.message
        assert secret not in (diag.hint or "")
    hints = {d.path.rsplit(".", 1)[-1]: d.hint for d in found}
    assert "awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}" in str(hints["awsSecretAccessKey"])
    assert "awsSessionToken: ${AWS_SESSION_TOKEN}" in str(hints["awsSessionToken"])
    assert "jwtToken: ${OPENMETADATA_JWT_TOKEN}" in str(hints["jwtToken"])


def test_an_env_reference_is_not_a_literal_secret_once_expanded() -> None:
    text = aws('awsSecretAccessKey: "${MY_SECRET}"')
    assert lint(text, env={"MY_SECRET": "expanded-secret-value"}) == []
    assert lint(text, env={}) == []
    assert codes(lint(aws("awsSecretAccessKey: prefix-${MY_SECRET}"))) == ["R001"]


@pytest.mark.parametrize(
    "text",
    [
        aws("awsRegion: ${VALUE}"),
        aws("awsRegion: us-east-2", "assumeRoleArn: ${VALUE}"),
        aws("awsRegion: us-east-2", "assumeRoleSessionName: ${VALUE}"),
        aws("awsRegion: us-east-2", "endPointURL: '${VALUE}'"),
        server("hostPort: http://${VALUE}"),
        "source:\n  serviceName: ${VALUE}\n",
        "sink:\n  type: ${VALUE}\n",
    ],
)
def test_values_from_the_environment_are_named_not_shown(text: str) -> None:
    secret = "eyJhbGciOi JSUzI1NiJ9/secret"
    found = lint(text, env={"VALUE": secret})
    assert found
    for diag in found:
        for part in ("eyJhbG", "secret"):
            assert part not in diag.message
            assert part not in (diag.hint or "")
    assert any("${VALUE}" in d.message for d in found)


def test_a_jwt_token_file_path_is_not_a_literal_secret() -> None:
    assert lint(server("securityConfig:", "  jwtToken: /run/secrets/om-jwt")) == []


def test_connector_page_placeholders_are_errors() -> None:
    text = aws("awsAccessKeyId: KEY", "awsSecretAccessKey: SECRET", "awsSessionToken: TOKEN")
    text += "        profileName: profile\n"
    text += '        assumeRoleArn: "arn:partition:service:region:account:resource"\n'
    text += "        assumeRoleSessionName: session\n        assumeRoleSourceIdentity: identity\n"
    text += server("securityConfig:", '  jwtToken: "{bot_jwt_token}"')
    found = lint(text)
    assert codes(found) == ["R002"] * 8, [(d.code, d.message) for d in found]
    assert all(d.severity is Severity.ERROR for d in found)
    lines = sorted(d.line for d in found)
    assert lines == [5, 6, 7, 8, 9, 10, 11, 15]


def test_a_generic_placeholder_on_a_secret_key_is_not_shown() -> None:
    (diag,) = lint(aws("awsSecretAccessKey: <your secret key>"))
    assert diag.code == "R002"
    assert "your secret key" not in diag.message
    assert "placeholder" in diag.message


def test_regex_items_are_never_placeholders() -> None:
    text = "source:\n  sourceConfig:\n    config:\n      mlModelFilterPattern:\n"
    text += "        includes: ['<model>']\n"
    assert lint(text) == []


def test_hostport_suggestions() -> None:
    (diag,) = lint(server("hostPort: http://localhost:8585/api/v1"))
    assert diag.hint == "write hostPort: http://localhost:8585/api"
    (diag,) = lint(server("hostPort: https://om.example.com/"))
    assert diag.hint == "write hostPort: https://om.example.com/api"
    assert lint(server("hostPort: https://om.example.com/openmetadata/api/")) == []


@pytest.mark.parametrize(
    "host",
    ["localhost:8585", "127.0.0.1:8585", "[::1]:8585", "openmetadata_server:8585", "om.localhost"],
)
def test_plain_http_to_a_local_host_is_fine(host: str) -> None:
    text = server(f"hostPort: http://{host}/api", "securityConfig:", "  jwtToken: ${JWT}")
    assert lint(text) == []


def test_plain_http_without_a_jwt_is_fine() -> None:
    assert lint(server("hostPort: http://10.0.0.5:8585/api", "authProvider: basic")) == []


def test_logger_warning_replaces_the_enum_error_with_the_fix() -> None:
    text = (
        "source:\n  type: sagemaker\n  serviceName: s\n"
        "  sourceConfig:\n    config:\n      type: MlModelMetadata\n"
        "sink:\n  type: metadata-rest\n  config: {}\n"
        "workflowConfig:\n  loggerLevel: WARNING\n"
        "  openMetadataServerConfig:\n    hostPort: http://localhost:8585/api\n"
    )
    (diag,) = check_document(load(text))
    assert (diag.code, diag.line, diag.column, diag.hint) == (
        "R014",
        11,
        16,
        "write loggerLevel: WARN",
    )


def test_service_name_rule_follows_the_target_release() -> None:
    text = "source:\n  serviceName: ml/prod:eu\n"
    (diag,) = lint(text, (1, 1))
    assert "OpenMetadata 1.1" in diag.message
    assert lint(text, (2, 0)) == []
    assert codes(lint("source:\n  serviceName: a::b\n", (2, 0))) == ["R015"]
    assert codes(lint("source:\n  serviceName: '" + "x" * 129 + "'\n")) == ["R015"]
    assert lint('source:\n  serviceName: "ML models (prod) & co. 100%"\n') == []


@pytest.mark.parametrize(
    ("item", "column"),
    [("prod-(a", 18), ("'prod-(a'", 19), ('"prod-\\\\(a["', None)],
)
def test_invalid_regex_points_at_the_character(item: str, column: int | None) -> None:
    text = "source:\n  sourceConfig:\n    config:\n      mlModelFilterPattern:\n"
    text += f"        includes:\n          - {item}\n"
    (diag,) = lint(text)
    assert diag.code == "R016"
    assert diag.line == 6
    assert diag.column == (column or 13)
    assert "at position" in diag.message


def test_server_level_filter_patterns_are_checked_too() -> None:
    text = server("tableFilterPattern:", "  excludes: ['tmp_[']")
    assert codes(lint(text)) == ["R016"]


def test_empty_includes_do_not_hide_excludes() -> None:
    text = "source:\n  sourceConfig:\n    config:\n      mlModelFilterPattern:\n"
    text += "        includes: []\n        excludes: [tmp-]\n"
    assert lint(text) == []


def test_sink_type_suggestion_and_file_sink() -> None:
    (diag,) = lint("sink:\n  type: metadata_rest\n")
    assert diag.message.endswith("did you mean 'metadata-rest'?")
    (diag,) = lint("sink:\n  type: file\n")
    assert (diag.code, diag.line, diag.column) == ("R019", 2, 9)


def test_rules_survive_values_of_the_wrong_type() -> None:
    text = (
        "source:\n  serviceName: 12\n  serviceConnection:\n    config:\n      awsConfig: [1, 2]\n"
        "  sourceConfig:\n    config:\n      mlModelFilterPattern:\n        includes: [1, null]\n"
        "        excludes: x\nsink: []\nworkflowConfig:\n  loggerLevel: 3\n"
        "  openMetadataServerConfig:\n    hostPort: {a: b}\n    securityConfig: x\n"
    )
    # R030 alone speaks: 1.1's parser turns the number 1 of includes into the text '1'
    assert [(d.code, d.path) for d in lint(text)] == [
        ("R030", "$.source.sourceConfig.config.mlModelFilterPattern.includes[0]")
    ]


# --- the catalogue, the docs and the generated data -------------------------------------------


def test_catalogue_lists_every_code_once() -> None:
    listed = [e.code for e in rules.catalogue()]
    assert listed == [*CODES, *RULES]
    assert len(set(listed)) == len(listed)


def test_omkit_rules_command_formats() -> None:
    runner = CliRunner()
    text = runner.invoke(app, ["rules"])
    assert text.exit_code == 0
    assert "R014  error    fix  loggerLevel is WARNING" in text.stdout
    assert "R002  error         a value is a placeholder" in text.stdout
    assert "Y009  warning" in text.stdout
    as_json = runner.invoke(app, ["rules", "--format", "json"])
    items = json.loads(as_json.stdout)
    assert {i["code"] for i in items} == set(CODES) | set(RULES)
    assert {
        "code": "R001",
        "name": "literal-secret",
        "severity": "warning",
        "fixable": True,
    }.items() <= next(i for i in items if i["code"] == "R001").items()
    fixable = {i["code"] for i in items if i["fixable"]}
    assert fixable == {"S001", "S004", "S010", "R001", "R003", "R004", "R012", "R014", "R030"}
    markdown = runner.invoke(app, ["rules", "--format", "markdown"])
    assert markdown.stdout == rules.markdown()


def test_docs_rules_md_is_up_to_date() -> None:
    """Regenerate with: omkit rules --format markdown > docs/rules.md"""
    assert (REPO / "docs" / "rules.md").read_text(encoding="utf-8") == rules.markdown()


def test_docs_show_every_rule_with_its_examples() -> None:
    doc = rules.markdown()
    for entry in RULES.values():
        assert f"### {entry.code} {entry.name}" in doc
        assert entry.bad in doc
        assert entry.good in doc


def test_region_data_matches_the_installed_botocore() -> None:
    """Regenerate with: python -m omkit_sagemaker.base.regiondata"""
    assert regiondata.REGIONS_FILE.read_text(encoding="utf-8") == regiondata.regions_text()
    assert "us-east-2" in rules.aws_regions()


def test_validation_never_imports_boto3_or_botocore(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(RULES["R003"].bad, encoding="utf-8")
    code = (
        "import sys\n"
        "from omkit_sagemaker.check.validate import check_paths\n"
        f"result = check_paths([{str(config)!r}])\n"
        "assert any(d.code == 'R003' for d in result.diagnostics)\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path
    )
    assert proc.stdout.strip() == "[]"


# --- emulators (moto, LocalStack) ---------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://127.0.0.1:5000",
        "http://localhost:4566",
        "http://moto:5000",
        "http://10.1.2.3:4566",
        "https://localhost.localstack.cloud:4566",
    ],
)
def test_dummy_keys_are_fine_against_an_emulator(endpoint: str) -> None:
    keys = ("awsAccessKeyId: testing", "awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}")
    assert codes(lint(aws("awsRegion: us-east-1", *keys))) == ["R009"]
    assert lint(aws("awsRegion: us-east-1", *keys, f"endPointURL: {endpoint}")) == []
    placeholders = ("awsAccessKeyId: KEY", "awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}")
    assert lint(aws("awsRegion: us-east-1", *placeholders, f"endPointURL: {endpoint}")) == []
    temporary = ("awsAccessKeyId: ASIA2E0A8F3B1C9D7E6F", "awsSecretAccessKey: ${S}")
    assert lint(aws("awsRegion: us-east-1", *temporary, f"endPointURL: {endpoint}")) == []


@pytest.mark.parametrize(
    "endpoint",
    ["https://sagemaker.us-east-1.amazonaws.com", "https://vpce-1.sagemaker.example.com"],
)
def test_dummy_keys_still_fail_against_aws(endpoint: str) -> None:
    keys = ("awsAccessKeyId: testing", "awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}")
    found = lint(aws("awsRegion: us-east-1", *keys, f"endPointURL: {endpoint}"))
    assert "R009" in codes(found)


def test_the_jwt_placeholder_is_still_reported_against_an_emulator() -> None:
    text = aws("awsRegion: us-east-1", "endPointURL: http://127.0.0.1:5000") + server(
        "hostPort: http://localhost:8585/api", "securityConfig:", '  jwtToken: "{bot_jwt_token}"'
    )
    assert codes(lint(text)) == ["R002"]


# --- R020 unset variables -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "severity"),
    [
        # the runner's parser accepts the literal text: the run only fails later
        ("awsRegion: ${REGION}", Severity.WARNING),
        ("awsAccessKeyId: ${AWS_ACCESS_KEY_ID}", Severity.WARNING),
        ("awsSecretAccessKey: '${AWS_SECRET_ACCESS_KEY}'", Severity.WARNING),
        # the runner's parser rejects the literal text in a boolean, a number or a URL
        ("enabled: ${AWS_ENABLED}", Severity.ERROR),
        ("endPointURL: ${ENDPOINT}", Severity.ERROR),
        ("assumeRoleSourceIdentity: team-${TEAM}", Severity.WARNING),
    ],
)
def test_an_unset_reference_is_reported_with_its_variable(line: str, severity: Severity) -> None:
    found = [d for d in lint(aws(line), unset=True) if d.code == "R020"]
    (diag,) = found
    name = line.split("${")[1].split("}")[0]
    assert diag.severity is severity
    assert f"the environment variable {name} is not set" in diag.message
    assert (diag.line, diag.column) == (5, 9 + line.index("$"))
    assert "R020" not in codes(lint(aws(line), env={name: "x"}, unset=True))


def test_an_unset_reference_replaces_the_schema_error_it_causes() -> None:
    text = SERVER.replace("workflowConfig:\n", "workflowConfig:\n  loggerLevel: ${LEVEL}\n")
    found = check_document(load(text, {}))
    assert [(d.code, d.severity) for d in found if d.path == "$.workflowConfig.loggerLevel"] == [
        ("R020", Severity.ERROR)
    ]


def test_no_unset_reference_is_reported_without_expansion() -> None:
    loaded = load_text(aws("awsRegion: ${REGION}"), "c.yaml", environ=None)
    assert loaded.document is not None
    assert [d for d in rules.run(loaded.document) if d.code == "R020"] == []


# --- R023 credentials in a URL, R024 backtracking filters -----------------------------------------


def test_credentials_in_a_url_are_flagged_without_showing_them() -> None:
    (diag,) = lint(server("hostPort: http://admin:S3cretPass@om.example.com/api"))
    assert diag.code == "R023"
    assert "S3cretPass" not in diag.message + str(diag.hint)
    (diag,) = lint(aws("awsRegion: us-east-1", "endPointURL: 'https://key@sagemaker.example.com'"))
    assert diag.code == "R023"
    assert lint(server("hostPort: http://om.example.com/api?user=a@b")) == []


@pytest.mark.parametrize(
    ("pattern", "flagged"),
    [
        ("(a+)+$", True),
        (r"^(\w*)*x", True),
        ("(churn|fraud)-v[0-9]+", False),
        ("^prod-.*", False),
        ("(ab)+", False),
    ],
)
def test_nested_quantifiers_in_filters(pattern: str, flagged: bool) -> None:
    text = (
        "source:\n  sourceConfig:\n    config:\n      type: MlModelMetadata\n"
        f"      mlModelFilterPattern:\n        excludes:\n          - '{pattern}'\n"
    )
    assert ("R024" in codes(lint(text))) is flagged


# --- what the rules of one run share ------------------------------------------------------------


def test_each_rule_finds_alone_what_it_finds_in_a_run() -> None:
    # R002 and R001 read every text scalar, the filter rules every filter pattern: in a run
    # they read them once (rules.reading.shared); alone, each reads its own.
    for code, entry in RULES.items():
        document = load(entry.bad)
        in_run = [d for d in rules.run(document, (1, 1), disabled=()) if d.code == code]
        alone = [f.message for f in entry.check(document, (1, 1))]
        assert alone, code
        assert alone == [d.message for d in in_run], code


def test_what_rules_share_is_read_again_for_each_document() -> None:
    placeholder = load(aws("awsRegion: us-east-2", "awsAccessKeyId: KEY"))
    clean = load(aws("awsRegion: us-east-2", "awsAccessKeyId: ${AWS_ACCESS_KEY_ID}"))
    assert "R002" in codes(rules.run(placeholder))
    assert "R002" not in codes(rules.run(clean))
    assert "R002" in codes(rules.run(placeholder))
    assert rules.reading.SHARED_READS.get() is None  # nothing is kept once a run is over


def test_an_empty_reference_says_it_names_no_variable() -> None:
    """``${}`` used to read "the environment variable  is not set"; it now says what it is,
    and is an error in a boolean the runner's parser cannot read as one."""
    text = "source:\n  sourceConfig:\n    config:\n      markDeletedMlModels: ${}\n"
    (diag,) = [d for d in lint(text, unset=True) if d.code == "R020"]
    assert "'${}' names no variable" in diag.message
    assert "environment variable  is" not in diag.message
    assert diag.severity is Severity.ERROR


def test_before_run_every_unset_reference_is_an_error_without_no_env() -> None:
    """omkit run and test-connection stop on any unset reference, and their hint does not
    offer --no-env, which they do not have; validate keeps it."""
    from omkit_sagemaker.check.rules import environment

    line = "awsAccessKeyId: ${AWS_ACCESS_KEY_ID}"
    (plain,) = [d for d in lint(aws(line), unset=True) if d.code == "R020"]
    assert plain.severity is Severity.WARNING
    assert plain.hint is not None
    assert "--no-env" in plain.hint
    environment.before_run("run")
    try:
        (run,) = [d for d in lint(aws(line), unset=True) if d.code == "R020"]
    finally:
        environment.before_run(None)
    assert run.severity is Severity.ERROR
    assert run.hint is not None
    assert "--no-env" not in run.hint


# --- R025-R028 what metadata ingest refuses at start ------------------------------------------


@pytest.mark.parametrize(
    ("sink", "target", "expected"),
    [
        ("sink:\n  type: metadata-rest\n", (1, 1), ["R025"]),
        ("sink:\n  type: metadata-rest\n  config: {}\n", (1, 1), []),
        ("sink:\n  type: metadata-rest\n  config: []\n", (1, 1), ["R030"]),
        ("sink:\n  type: metadata-rest\n  config: []\n", (2, 0), ["R025"]),
        (
            "sink:\n  type: metadata-rest\n  config:\n    bulk_sink_batch_size: 10\n",
            (1, 1),
            ["R025"],
        ),
        ("sink:\n  type: metadata-rest\n  config:\n    bulk_sink_batch_size: 10\n", (2, 0), []),
        (
            "sink:\n  type: metadata-rest\n  config:\n    bulk_sink_batch_size: 2.5\n",
            (2, 0),
            ["R025"],
        ),
        (
            "sink:\n  type: file\n  config:\n    filename: /tmp/x.json\n    mode: w\n",
            (1, 1),
            ["R025", "R026"],
        ),
        ("sink:\n  type: file\n  config:\n    filename: 17\n", (2, 0), ["R025"]),
        ("sink:\n  type: file\n  config:\n    filename: /tmp/x.json\n", (1, 1), ["R026"]),
    ],
)
def test_sink_config_as_the_sink_models_read_it(
    sink: str, target: Version, expected: list[str]
) -> None:
    assert sorted(codes(lint(sink, target))) == expected


def test_steps_and_auth_providers_the_release_cannot_build() -> None:
    assert codes(lint("processor:\n  type: noop-processor\n", (1, 1))) == ["R027"]
    assert codes(lint("processor:\n  type: noop-processor\n", (2, 0))) == []
    cognito = server("authProvider: aws-cognito")
    assert codes(lint(cognito, (1, 1))) == ["R028"]
    assert codes(lint(cognito, (2, 0))) == ["R028"]
    assert codes(lint(server("authProvider: basic"), (1, 1))) == []
    assert codes(lint(server("authProvider: ldap"), (2, 0))) == ["R028"]
    with_jwt = server("authProvider: saml", "securityConfig:", "  jwtToken: ${OM_JWT}")
    assert codes(lint(with_jwt, (2, 0))) == []


def test_the_step_classes_1_1_ships_load_with_their_config() -> None:
    stage = "stage:\n  type: table-usage\n  config:\n    filename: /tmp/usage\n"
    assert codes(lint(stage, (1, 1))) == []
    assert codes(lint("stage:\n  type: table-usage\n", (1, 1))) == ["R027"]
    assert codes(lint("processor:\n  type: query-parser\n  config: {}\n", (1, 1))) == []
    assert codes(lint("bulkSink:\n  type: noop\n", (1, 1))) == ["R027"]


def test_verify_ssl_validate_needs_an_ssl_config() -> None:
    assert codes(lint(server("verifySSL: validate"))) == ["R029"]
    assert codes(lint(server("verifySSL: ignore"))) == []


_CONVERTED = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsRegion: us-east-2
        profileName: null
  sourceConfig:
    config:
      type: MlModelMetadata
      markDeletedMlModels: {flag}
      mlModelFilterPattern:
        includes: [prod]
        excludes: null
sink:
  type: metadata-rest
  config: {{}}
workflowConfig:
  config: null
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: ${{OM_JWT}}
    sslConfig: null
    limitRecords: {limit}
"""


@pytest.mark.parametrize("flag", ["'true'", "'yes'", "0", "'off'"])
@pytest.mark.parametrize("target", [(1, 1), (2, 0)], ids=["1.1", "2.0"])
def test_values_the_runner_converts_are_warnings_not_schema_errors(
    flag: str, target: Version
) -> None:
    """metadata ingest 1.1.7.5 and 2.0.7.0 start and ingest with each of these values
    (tests/differential); omkit used to call them S003 errors."""
    text = _CONVERTED.format(flag=flag, limit="'1000'")
    found = check_document(load(text, {"OM_JWT": "a.b.c"}), Settings(target=target))
    assert [d for d in found if d.severity is Severity.ERROR] == []
    converted = sorted(d.path for d in found if d.code == "R030")
    assert converted == sorted(
        [
            "$.source.serviceConnection.config.awsConfig.profileName",
            "$.source.sourceConfig.config.markDeletedMlModels",
            "$.source.sourceConfig.config.mlModelFilterPattern.excludes",
            "$.workflowConfig.config",
            "$.workflowConfig.openMetadataServerConfig.sslConfig",
            "$.workflowConfig.openMetadataServerConfig.limitRecords",
        ]
    )


def test_a_fraction_for_a_whole_number_runs_under_1_1_only() -> None:
    text = _CONVERTED.format(flag="true", limit="1.5")
    env = {"OM_JWT": "a.b.c"}
    where = "$.workflowConfig.openMetadataServerConfig.limitRecords"
    old = check_document(load(text, env), Settings(target=(1, 1)))
    assert [d.code for d in old if d.path == where] == ["R030"]  # 1.1 truncates it to 1
    new = check_document(load(text, env), Settings(target=(2, 0)))
    assert [d.code for d in new if d.path == where] == ["S003"]  # 2.0 refuses it


def test_a_null_the_runner_reads_at_start_stays_an_error() -> None:
    text = _CONVERTED.format(flag="true", limit="10").replace(
        "    authProvider: openmetadata\n", "    authProvider: openmetadata\n    verifySSL: null\n"
    )
    found = check_document(load(text, {"OM_JWT": "a.b.c"}), Settings(target=(1, 1)))
    assert ("S003", "$.workflowConfig.openMetadataServerConfig.verifySSL") in [
        (d.code, d.path) for d in found
    ]


def test_unknown_lineage_keys_are_a_warning_at_2_0() -> None:
    text = _CONVERTED.format(flag="true", limit="10").replace(
        "      mlModelFilterPattern:\n",
        "      lineageInformation:\n        dbServiceNames: [db]\n      mlModelFilterPattern:\n",
    )
    found = check_document(load(text, {"OM_JWT": "a.b.c"}), Settings(target=(2, 0)))
    (lineage,) = [d for d in found if "lineageInformation" in d.path]
    assert (lineage.code, lineage.severity) == ("R031", Severity.WARNING)
    assert lineage.message.endswith("did you mean 'dbServicePrefixes'?")
