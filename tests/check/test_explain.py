"""omkit_sagemaker.check.explain: schema errors as positioned, plain-language, secret-free
diagnostics.

Every document here is loaded with :func:`omkit_sagemaker.check.loader.load_text`, so positions are
those of
the text as written; expected positions are computed from the text itself.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check import explain
from omkit_sagemaker.check.loader import Document, load_text
from omkit_sagemaker.spec import schema

FILE = "cfg.yaml"

#: The connector page's sample with a workflowConfig; valid as it is.
SAMPLE = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsAccessKeyId: KEY
        awsSecretAccessKey: SECRET
        awsRegion: us-east-2
  sourceConfig:
    config:
      type: MlModelMetadata
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  loggerLevel: INFO
  openMetadataServerConfig:
    hostPort: "http://localhost:8585/api"
    authProvider: openmetadata
    securityConfig:
      jwtToken: "${OM_JWT}"
"""


def load(text: str, env: Mapping[str, str] | None = None) -> Document:
    result = load_text(text, FILE, environ={} if env is None else env)
    assert result.document is not None, result.diagnostics
    return result.document


def diagnose(text: str, env: Mapping[str, str] | None = None) -> list[Diagnostic]:
    document = load(text, env)
    errors = schema.validator().iter_errors(document.data)
    return explain.explain(errors, document, schema.secret_keys())


def edit(old: str, new: str, text: str = SAMPLE) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def pos(text: str, needle: str, offset: int = 0) -> tuple[int, int]:
    """1-based (line, column) of the unique ``needle`` in ``text``, plus ``offset`` columns."""
    assert text.count(needle) == 1, needle
    index = text.index(needle) + offset
    return text.count("\n", 0, index) + 1, index - (text.rfind("\n", 0, index) + 1) + 1


def where(d: Diagnostic) -> tuple[str, int, int]:
    return d.code, d.line, d.column


def test_the_sample_is_valid() -> None:
    assert diagnose(SAMPLE) == []
    assert diagnose(SAMPLE, {"OM_JWT": "eyJ.token"}) == []


# --- Unknown keys ---------------------------------------------------------------------------


def test_unknown_key_with_a_suggestion_is_reported_at_the_key() -> None:
    text = edit(
        "  serviceName: local_sagemaker\n", "  serviceName: local_sagemaker\n  servceName: x\n"
    )
    (d,) = diagnose(text)
    assert where(d) == ("S001", *pos(text, "servceName"))
    assert d.severity is Severity.ERROR
    assert d.message == "unknown key 'servceName' in source; did you mean 'serviceName'?"
    assert d.path == "$.source.servceName"
    assert d.hint is None


def test_unknown_key_without_a_suggestion_lists_the_allowed_keys() -> None:
    text = edit("  config: {}\n", "  config: {}\n  zzz: 1\n")
    (d,) = diagnose(text)
    assert where(d) == ("S001", *pos(text, "zzz"))
    assert d.message == "unknown key 'zzz' in sink"
    assert d.hint == "allowed here: config, type"


def test_unknown_key_at_the_top_level() -> None:
    text = SAMPLE + "workflowconfig: {}\n"
    (d,) = diagnose(text)
    assert where(d) == ("S001", *pos(text, "workflowconfig"))
    assert (
        d.message == "unknown key 'workflowconfig' at the top level; did you mean 'workflowConfig'?"
    )


def test_unknown_key_in_flow_style_is_reported_at_the_key() -> None:
    text = edit(
        "sink:\n  type: metadata-rest\n  config: {}\n", "sink: {type: metadata-rest, confg: {}}\n"
    )
    (d,) = diagnose(text)
    assert where(d) == ("S001", *pos(text, "confg"))
    assert "did you mean 'config'?" in d.message


def test_misspelt_required_key_gives_both_the_unknown_and_the_missing_key() -> None:
    text = edit("  sourceConfig:\n", "  sourceconfig:\n")
    found = diagnose(text)
    assert [(d.code, d.path) for d in found] == [
        ("S002", "$.source.sourceConfig"),
        ("S001", "$.source.sourceconfig"),
    ]
    assert (found[0].line, found[0].column) == pos(text, "source:")
    assert (found[1].line, found[1].column) == pos(text, "sourceconfig")
    assert "did you mean 'sourceConfig'?" in found[1].message


# --- Missing required keys ------------------------------------------------------------------


def test_missing_required_key_is_reported_at_the_parent_key_with_a_fill_hint() -> None:
    text = edit("      type: SageMaker\n", "")
    (d,) = diagnose(text)
    assert where(d) == ("S002", *pos(text, "    config:\n      awsConfig", 4))
    assert d.message == "missing required key 'type' in config"
    assert d.hint == "add 'type: SageMaker'"
    assert d.path == "$.source.serviceConnection.config.type"


def test_missing_pipeline_type_hint() -> None:
    text = edit("      type: MlModelMetadata\n", "      markDeletedMlModels: true\n")
    (d,) = diagnose(text)
    assert where(d) == ("S002", *pos(text, "config:\n      markDeleted"))
    assert d.hint == "add 'type: MlModelMetadata'"


def test_missing_key_without_a_single_value_has_no_fill_hint() -> None:
    text = edit("  serviceName: local_sagemaker\n", "")
    (d,) = diagnose(text)
    assert where(d) == ("S002", 1, 1)
    assert d.message == "missing required key 'serviceName' in source"
    assert d.hint is None


def test_missing_key_of_a_nested_parent_not_on_line_one() -> None:
    text = edit('    hostPort: "http://localhost:8585/api"\n', "")
    (d,) = diagnose(text)
    assert where(d) == ("S002", *pos(text, "openMetadataServerConfig"))
    assert d.message == "missing required key 'hostPort' in openMetadataServerConfig"


def test_missing_key_at_the_root_is_reported_at_1_1() -> None:
    text = "# a comment first\n\n" + SAMPLE[SAMPLE.index("sink:") :]
    found = diagnose(text)
    assert [(d.code, d.line, d.column, d.message) for d in found] == [
        ("S002", 1, 1, "missing required key 'source' at the top level")
    ]
    assert found[0].path == "$.source"


# --- Values not among the allowed ones ------------------------------------------------------


def test_enum_did_you_mean_ignores_letter_case_first() -> None:
    text = edit("      type: SageMaker\n", "      type: Sagemaker\n")
    (d,) = diagnose(text)
    assert where(d) == ("S004", *pos(text, "Sagemaker"))
    assert d.message == "type must be 'SageMaker', not 'Sagemaker'; did you mean 'SageMaker'?"


def test_enum_case_only_difference_is_found_even_when_spelling_similarity_is_low() -> None:
    levels = ["DEBUG", "INFO", "WARN", "ERROR"]
    assert difflib.get_close_matches("Warn", levels, n=1, cutoff=0.6) == []
    text = edit("loggerLevel: INFO", "loggerLevel: Warn")
    (d,) = diagnose(text)
    assert where(d) == ("S004", *pos(text, "Warn"))
    assert d.message.endswith("not 'Warn'; did you mean 'WARN'?")
    assert "one of 'DEBUG', 'INFO', 'WARN', 'ERROR'" in d.message


def test_enum_close_spelling() -> None:
    (d,) = diagnose(edit("loggerLevel: INFO", "loggerLevel: WARNING"))
    assert d.message.endswith("did you mean 'WARN'?")


def test_enum_without_a_close_value_has_no_suggestion() -> None:
    (d,) = diagnose(edit("loggerLevel: INFO", "loggerLevel: VERBOSE"))
    assert d.code == "S004"
    assert "did you mean" not in d.message


def test_enum_value_from_an_unset_variable_says_so() -> None:
    (d,) = diagnose(edit("loggerLevel: INFO", "loggerLevel: ${OMK_LEVEL}"))
    assert d.code == "S004"
    assert d.hint == "the environment variable OMK_LEVEL is not set, so the text stays as written"


def test_pattern_uses_its_description() -> None:
    text = edit("  type: sagemaker\n", "  type: sage-maker\n")
    (d,) = diagnose(text)
    assert where(d) == ("S005", *pos(text, "sage-maker"))
    assert d.message == (
        "type must be the connector key 'sagemaker' (letter case does not matter), not 'sage-maker'"
    )


# --- Wrong types ----------------------------------------------------------------------------


def test_type_error_with_the_yaml_11_note_and_the_quote_hint() -> None:
    text = edit("serviceName: local_sagemaker", "serviceName: yes")
    (d,) = diagnose(text)
    assert where(d) == ("S003", *pos(text, "yes"))
    assert d.message == (
        "serviceName must be text (a string), not a boolean (YAML 1.1 reads 'yes' as true)"
    )
    assert d.hint == "put the value in quotes to make it text"


@pytest.mark.parametrize(
    ("written", "note"),
    [
        ("0123", "reads '0123' as 83"),
        ("1_000", "reads '1_000' as 1000"),
        ("1:30", "reads '1:30' as 90"),
        ("off", "reads 'off' as false"),
        ("2024-01-31", "reads '2024-01-31' as a date value"),
    ],
)
def test_type_error_notes_how_yaml_11_read_the_text(written: str, note: str) -> None:
    (d,) = diagnose(edit("serviceName: local_sagemaker", f"serviceName: {written}"))
    assert d.code == "S003"
    assert d.message.endswith(f"(YAML 1.1 {note})")


def test_type_error_has_no_yaml_note_when_yaml_12_reads_the_text_alike() -> None:
    text = edit("serviceName: local_sagemaker", "serviceName: ~")  # null in YAML 1.2 too
    (d,) = diagnose(text)
    assert where(d) == ("S003", *pos(text, "~"))
    assert d.message == "serviceName must be text (a string), not null"


def test_quoted_value_of_the_wrong_type_gets_the_unquote_hint() -> None:
    text = edit(
        "      type: MlModelMetadata\n",
        '      type: MlModelMetadata\n      markDeletedMlModels: "true"\n',
    )
    (d,) = diagnose(text)
    assert where(d) == ("S003", *pos(text, '"true"'))
    assert d.message == "markDeletedMlModels must be true or false, not a string"
    assert d.hint == "remove the quotes"


def test_type_error_on_a_collection() -> None:
    text = edit("sink:\n  type: metadata-rest\n  config: {}\n", "sink: [metadata-rest]\n")
    (d,) = diagnose(text)
    assert where(d) == ("S003", *pos(text, "[metadata-rest]"))
    assert d.message == "sink must be a mapping of keys to values, not a list"
    assert d.hint is None


def test_type_error_names_list_items_by_index() -> None:
    text = edit(
        "      type: MlModelMetadata\n",
        "      type: MlModelMetadata\n      mlModelFilterPattern:\n        includes: [ok, 12]\n",
    )
    (d,) = diagnose(text)
    assert where(d) == ("S003", *pos(text, "12"))
    assert d.message.startswith("includes[1] must be text (a string), not an integer")
    assert d.path == "$.source.sourceConfig.config.mlModelFilterPattern.includes[1]"


def test_type_error_from_an_unset_variable_says_so() -> None:
    text = edit(
        "      type: MlModelMetadata\n",
        "      type: MlModelMetadata\n      markDeletedMlModels: $OMK_FLAG\n",
    )
    (d,) = diagnose(text)
    assert d.code == "S003"
    assert d.hint == "the environment variable OMK_FLAG is not set, so the text stays as written"


def test_empty_value_gets_the_write_a_value_hint() -> None:
    text = edit("serviceName: local_sagemaker", "serviceName:")
    (d,) = diagnose(text)
    assert d.code == "S003"
    assert d.message == "serviceName must be text (a string), not null"
    assert d.hint == "write a value after the colon, or remove the key"


# --- Formats --------------------------------------------------------------------------------


def test_uri_format() -> None:
    text = edit('"http://localhost:8585/api"', "localhost:8585")
    (d,) = diagnose(text)
    assert where(d) == ("S006", *pos(text, "localhost:8585"))
    assert d.message == (
        "hostPort must be a URL with a scheme and a host, such as 'http://localhost:8585/api', "
        "not 'localhost:8585'"
    )


def test_uri_format_out_of_range_port() -> None:
    (d,) = diagnose(edit('"http://localhost:8585/api"', "http://localhost:99999/api"))
    assert d.code == "S006"


def test_uri_from_an_unset_variable_says_so() -> None:
    (d,) = diagnose(edit('"http://localhost:8585/api"', "${OMK_HOST}"))
    assert d.code == "S006"
    assert d.hint == "the environment variable OMK_HOST is not set, so the text stays as written"


def test_uri_from_a_set_variable_is_checked_after_expansion() -> None:
    text = edit('"http://localhost:8585/api"', "${OMK_HOST}")
    assert diagnose(text, {"OMK_HOST": "http://127.0.0.1:5000"}) == []


def test_regex_format_gives_the_error_position() -> None:
    text = edit(
        "      type: MlModelMetadata\n",
        "      type: MlModelMetadata\n      mlModelFilterPattern:\n"
        "        includes:\n          - ^ok$\n          - ab[c\n        excludes: ['x(']\n",
    )
    found = diagnose(text)
    assert [where(d) for d in found] == [
        ("S006", *pos(text, "ab[c")),
        ("S006", *pos(text, "'x('")),
    ]
    assert found[0].message == (
        "includes[1] is not a valid regular expression: unterminated character set at position 2"
    )
    assert found[1].message == (
        "excludes[0] is not a valid regular expression: "
        "missing ), unterminated subpattern at position 1"
    )


def test_uuid_format() -> None:
    text = SAMPLE + "pipelineRunId: not-a-uuid\n"
    (d,) = diagnose(text)
    assert where(d) == ("S006", *pos(text, "not-a-uuid"))
    assert d.message.startswith("pipelineRunId must be a UUID such as ")
    assert d.message.endswith("not 'not-a-uuid'")


# --- oneOf: the branch the user meant -------------------------------------------------------


def _security(auth: str | None, body: str) -> str:
    """The sample with another authProvider (None: no authProvider) and securityConfig body."""
    text = SAMPLE[: SAMPLE.index("    authProvider:")]
    if auth is not None:
        text += f"    authProvider: {auth}\n"
    return text + "    securityConfig:\n" + "".join(f"      {line}\n" for line in body.splitlines())


def test_security_config_follows_the_auth_provider() -> None:
    text = _security("okta", "clientId: c\norgURL: https://org.okta.com\nemail: e@x.com")
    (d,) = diagnose(text)
    assert where(d) == ("S002", *pos(text, "securityConfig"))
    assert d.message == "missing required key 'privateKey' in securityConfig"


def test_security_config_of_another_provider_is_explained_for_the_chosen_one() -> None:
    # A JWT config matches the openmetadata branch of the oneOf; authProvider says google.
    text = _security("google", "jwtToken: t")
    found = diagnose(text)
    assert {(d.code, d.message) for d in found} == {
        ("S002", "missing required key 'secretKey' in securityConfig"),
        ("S001", "unknown key 'jwtToken' in securityConfig"),
    }


def test_wrong_type_in_the_chosen_branch() -> None:
    text = _security("openmetadata", "jwtToken: 123")
    (d,) = diagnose(text)
    assert where(d) == ("S003", *pos(text, "123"))
    assert d.message == "jwtToken must be text (a string), not an integer"


def test_without_auth_provider_the_closest_branch_is_chosen() -> None:
    text = _security(None, "clientId: c\nsecretKey: s\ndomain: d\nextra: 1")
    (d,) = diagnose(text)  # auth0 has every key but 'extra'
    assert where(d) == ("S001", *pos(text, "extra"))
    assert d.message == "unknown key 'extra' in securityConfig"
    assert d.hint == "allowed here: clientId, domain, secretKey"


@pytest.mark.parametrize(
    "body",
    [
        "{}",
        "bogus: 1",
        "clientId: c",
        "jwtToken: t\nsecretKey: s",
        "clientId: c\nscopes: [a]\nauthority: https://login.microsoftonline.com/x",
    ],
)
def test_a_failing_one_of_gives_few_diagnostics_from_a_single_branch(body: str) -> None:
    if body == "{}":
        text = _security(None, "x: 1").replace(
            "securityConfig:\n      x: 1\n", "securityConfig: {}\n"
        )
    else:
        text = _security(None, body)
    found = diagnose(text)
    assert 1 <= len(found) <= 3, found
    hints = {d.hint for d in found if d.code == "S001"}
    assert len(hints) <= 1  # every unknown key is judged against the same branch
    assert all(
        d.path.startswith("$.workflowConfig.openMetadataServerConfig.securityConfig") for d in found
    )


def test_no_diagnostic_names_the_failed_one_of_itself() -> None:
    text = _security(None, "jwtToken: t\nsecretKey: s")
    assert all(d.code != "S008" for d in diagnose(text))


# --- Deduplication, order -------------------------------------------------------------------


def test_identical_errors_are_reported_once() -> None:
    text = edit("serviceName: local_sagemaker", "serviceName: yes")
    document = load(text)
    errors = list(schema.validator().iter_errors(document.data))
    once = explain.explain(errors, document, schema.secret_keys())
    twice = explain.explain(errors + errors, document, schema.secret_keys())
    assert twice == once
    assert len(once) == 1


def test_diagnostics_are_sorted_by_position() -> None:
    text = edit("serviceName: local_sagemaker", "serviceName: yes")
    text = edit("loggerLevel: INFO", "loggerLevel: Info", text)
    text = edit("  type: sagemaker\n", "  type: sage\n", text)
    found = diagnose(text)
    assert [d.line for d in found] == sorted(d.line for d in found)
    assert [d.code for d in found] == ["S005", "S003", "S004"]


# --- Positions with variables ---------------------------------------------------------------


def test_errors_inside_a_multi_line_variable_point_at_its_reference() -> None:
    text = edit(
        "      awsConfig:\n        awsAccessKeyId: KEY\n        awsSecretAccessKey: SECRET\n"
        "        awsRegion: us-east-2\n",
        "      awsConfig: ${OMK_AWS}\n",
    )
    text = edit("loggerLevel: INFO", "loggerLevel: Info", text)
    found = diagnose(text, {"OMK_AWS": "{awsRegion: us-east-2,\n  awsBogus: 1,\n\n  x: 2}"})
    assert [where(d) for d in found] == [
        ("S001", *pos(text, "${OMK_AWS}")),
        ("S001", *pos(text, "${OMK_AWS}")),
        ("S004", *pos(text, "Info")),
    ]


def test_errors_after_a_substitution_on_the_same_line() -> None:
    text = SAMPLE + "pipelineRunId: ${OMK_PREFIX}-${OMK_ID}x\n"
    found = diagnose(text, {"OMK_PREFIX": "a-very-long-prefix", "OMK_ID": "1"})
    assert [where(d) for d in found] == [("S006", *pos(text, "${OMK_PREFIX}"))]


# --- Secrets --------------------------------------------------------------------------------

SECRET = "s3cr3tV4lue"


def _shown(found: list[Diagnostic]) -> str:
    return "\n".join(f"{d.message} {d.hint} {d.path}" for d in found)


@pytest.mark.parametrize(
    "value",
    [
        f"[{SECRET}]",
        f"{{{SECRET}: 1}}",
        f"{{k: {SECRET}}}",
        "0123",
        "yes",
        "2024-01-31",
        "1_000",
    ],
)
@pytest.mark.parametrize(
    "old",
    ["awsSecretAccessKey: SECRET", 'jwtToken: "${OM_JWT}"'],
)
def test_secret_values_never_appear(old: str, value: str) -> None:
    key = old.split(":")[0]
    text = edit(old, f"{key}: {value}")
    found = diagnose(text)
    assert found, "the value has the wrong type, so there is a diagnostic"
    assert all(d.code == "S003" for d in found)
    shown = _shown(found)
    assert SECRET not in shown
    assert value not in shown
    assert "83" not in shown
    assert "1000" not in shown


@pytest.mark.parametrize("value", ["yes", "0123", "1_000", f"[{SECRET}]", f"{{{SECRET}: 1}}"])
def test_secret_values_from_variables_never_appear(value: str) -> None:
    text = edit("awsSecretAccessKey: SECRET", "awsSecretAccessKey: ${OMK_SECRET}")
    text = edit('jwtToken: "${OM_JWT}"', "jwtToken: $OMK_SECRET", text)
    found = diagnose(text, {"OMK_SECRET": value})
    assert len(found) == 2
    shown = _shown(found)
    assert value not in shown
    assert SECRET not in shown


def test_other_branch_secrets_never_appear() -> None:
    text = _security(None, f"secretKey: {{{SECRET}: 1}}\nclientSecret: [{SECRET}]\nprivateKey: 12")
    found = diagnose(text)
    assert found
    assert SECRET not in _shown(found)


def test_a_secret_variable_in_a_plain_field_is_not_printed() -> None:
    text = edit('"http://localhost:8585/api"', "${OM_JWT}")
    found = diagnose(text, {"OM_JWT": "eyJhbGciOiJSUzI1NiJ9.secret"})
    assert [d.code for d in found] == ["S006"]
    assert "eyJhbGciOiJSUzI1NiJ9" not in _shown(found)
