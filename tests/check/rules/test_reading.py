"""What the rules share for reading a config (omkit_sagemaker.check.rules.reading): values looked
up by path (missing, null, empty and unset references told apart), values from the environment
named rather than shown, the variable a secret's key is read from, local and emulator hosts, and
placeholders copied from the docs (never a filter's regular expression)."""

from __future__ import annotations

import pytest
from omkit_sagemaker.check.loader import Document, load_text
from omkit_sagemaker.check.rules.reading import (
    MISSING,
    SHARED_READS,
    as_placeholder,
    env_form,
    env_name,
    is_emulated,
    is_env_reference,
    is_given,
    is_local_host,
    lookup,
    lookup_text,
    shared,
    shown_value,
)

TEXT = (
    "source:\n"
    "  serviceName: ${SERVICE}\n"
    "  type: ${UNSET}\n"
    "  sourceConfig:\n"
    "    config:\n"
    "      mlModelFilterPattern:\n"
    "        includes: [churn-.*]\n"
    "      markDeletedMlModels:\n"
    "      empty: ''\n"
)


def load(text: str = TEXT, env: dict[str, str] | None = None) -> Document:
    loaded = load_text(text, "config.yaml", environ={"SERVICE": "ml-prod"} if env is None else env)
    assert loaded.document is not None, loaded.diagnostics
    return loaded.document


CONFIG = ("source", "sourceConfig", "config")


def test_lookup_tells_missing_null_empty_and_unset_references_apart() -> None:
    document = load()
    assert lookup(document, (*CONFIG, "mlModelFilterPattern", "includes", 0)) == "churn-.*"
    assert lookup(document, (*CONFIG, "mlModelFilterPattern", "includes", 1)) is MISSING
    assert lookup(document, (*CONFIG, "mlModelFilterPattern", 0)) is MISSING
    assert lookup(document, (*CONFIG, "markDeletedMlModels")) is None
    assert not is_given(document, (*CONFIG, "markDeletedMlModels"))
    assert not is_given(document, (*CONFIG, "empty"))
    assert is_given(document, ("source", "serviceName"))
    assert lookup_text(document, ("source", "serviceName")) == "ml-prod"
    assert lookup_text(document, ("source", "type")) is None  # ${UNSET} stays as text


def test_a_value_from_the_environment_is_named_not_shown() -> None:
    document = load()
    assert (
        shown_value(document, ("source", "serviceName"), "ml-prod") == "(the value of '${SERVICE}')"
    )
    assert "s3cr3t" not in shown_value(document, ("a", "jwtToken"), "s3cr3t")


@pytest.mark.parametrize(
    ("key", "name"),
    [
        ("awsSecretAccessKey", "AWS_SECRET_ACCESS_KEY"),
        ("jwtToken", "OPENMETADATA_JWT_TOKEN"),
        ("sslKey", "SSL_KEY"),
        ("clientSecret2", "CLIENT_SECRET2"),
    ],
)
def test_the_variable_a_secret_is_conventionally_read_from(key: str, name: str) -> None:
    assert env_name(key) == name
    assert env_form(key) == f"{key}: ${{{name}}}"


def test_a_value_is_a_reference_only_when_nothing_else_is_written() -> None:
    assert is_env_reference("${OM_JWT}")
    assert is_env_reference("'$A${B}'")
    assert not is_env_reference("Bearer ${OM_JWT}")
    assert not is_env_reference("plain")


@pytest.mark.parametrize(
    ("host", "local"),
    [
        ("localhost", True),
        ("api.localhost", True),
        ("127.0.0.2", True),
        ("::1", True),
        ("host.docker.internal", True),
        ("openmetadata", True),  # one label: a container next to this one
        ("om.example.com", False),
        ("10.0.0.5", False),
    ],
)
def test_local_hosts(host: str, local: bool) -> None:
    assert is_local_host(host) is local


@pytest.mark.parametrize(
    ("url", "emulated"),
    [
        ("http://127.0.0.1:5000", True),
        ("http://10.0.0.5:4566", True),
        ("https://localstack.internal:4566", True),
        ("https://sagemaker.us-east-1.amazonaws.com", False),
        ("${ENDPOINT}", False),
    ],
)
def test_an_endpoint_url_on_an_emulator(url: str, emulated: bool) -> None:
    aws = "source:\n  serviceConnection:\n    config:\n      awsConfig:\n"
    text = aws + f"        endPointURL: {url}\n"
    assert is_emulated(load(text, {})) is emulated


def test_placeholders_are_the_docs_stand_ins_and_never_a_filter_s_regex() -> None:
    assert as_placeholder(("a", "awsAccessKeyId"), "AKIAIOSFODNN7EXAMPLE") == "AKIAIOSFODNN7EXAMPLE"
    assert as_placeholder(("a", "jwtToken"), "<your-token>") == "<your-token>"
    assert as_placeholder(("a", "profileName"), "ml-readonly") is None
    assert as_placeholder(("p", "includes", 0), "{bot_jwt_token}") is None


def test_shared_computes_once_per_rules_run_and_each_time_outside_one() -> None:
    document = load()
    calls: list[int] = []

    def compute(d: Document) -> int:
        calls.append(1)
        return len(calls)

    assert (shared(document, compute), shared(document, compute)) == (1, 2)
    token = SHARED_READS.set((document, {}))
    try:
        assert (shared(document, compute), shared(document, compute)) == (3, 3)
        assert shared(load(), compute) == 4  # another document is not this run's
    finally:
        SHARED_READS.reset(token)
