"""The rule about unset ``$VAR`` references (omkit_sagemaker.check.rules.environment, R020): an
error where the runner's parser rejects the literal text, a warning where the run only fails
later, every one an error with no ``--no-env`` hint once a command is about to run, each at the
column of the reference itself."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import load_text
from omkit_sagemaker.check.rules.environment import before_run

TEXT = (
    "source:\n"
    "  serviceName: ${SERVICE}\n"
    "  sourceConfig:\n"
    "    config:\n"
    "      markDeletedMlModels: ${MARK}\n"
    "workflowConfig:\n"
    "  openMetadataServerConfig:\n"
    "    hostPort: http://localhost:8585/api\n"
    "    securityConfig:\n"
    "      jwtToken: Bearer-${OM_JWT}\n"
)


@pytest.fixture
def command() -> Iterator[None]:
    """Whatever a test sets with before_run is undone after it (a process-wide setting)."""
    yield
    before_run(None)


def unset(text: str, env: dict[str, str] | None = None) -> dict[str, Diagnostic]:
    loaded = load_text(text, "config.yaml", environ={} if env is None else env)
    assert loaded.document is not None, loaded.diagnostics
    return {
        d.path.rsplit(".", 1)[-1]: d for d in rules.run(loaded.document, (1, 1)) if d.code == "R020"
    }


def test_strict_keys_are_errors_and_others_warnings_each_at_its_reference(command: None) -> None:
    found = unset(TEXT)
    assert sorted(found) == ["jwtToken", "markDeletedMlModels", "serviceName"]
    mark, name, jwt = found["markDeletedMlModels"], found["serviceName"], found["jwtToken"]
    assert mark.severity is Severity.ERROR
    assert mark.message == (
        "markDeletedMlModels: the environment variable MARK is not set, so metadata ingest keeps "
        "'${MARK}' as literal text and the runner's parser rejects it"
    )
    assert name.severity is Severity.WARNING
    assert name.message.endswith("the run uses it as written and fails later")
    assert (
        name.hint
        == "set it before the run (export SERVICE=...); --no-env checks the file as written"
    )
    assert (jwt.line, jwt.column) == (10, TEXT.splitlines()[9].index("${") + 1)


def test_before_a_run_every_unset_reference_is_an_error_without_the_no_env_hint(
    command: None,
) -> None:
    before_run("run")
    found = unset(TEXT)
    assert {d.severity for d in found.values()} == {Severity.ERROR}
    assert found["serviceName"].hint == "set it before the run (export SERVICE=...)"


def test_set_variables_and_no_env_give_nothing(command: None) -> None:
    assert unset(TEXT, {"SERVICE": "ml", "MARK": "true", "OM_JWT": "x"}) == {}
    loaded = load_text(TEXT, "config.yaml", environ=None)
    assert loaded.document is not None
    assert [d for d in rules.run(loaded.document, (1, 1)) if d.code == "R020"] == []
