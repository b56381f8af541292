"""The rules about the OpenMetadata server's settings (omkit_sagemaker.check.rules.omserver): a
hostPort that misses the API (R012, with the value to write), the bot's JWT sent over plain http
to a remote host (R013) and the loggerLevel the v1.1 docs misname (R014)."""

from __future__ import annotations

import pytest
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import load_text

SERVER = "workflowConfig:\n  openMetadataServerConfig:\n"
JWT = "    authProvider: openmetadata\n    securityConfig:\n      jwtToken: ${OM_JWT}\n"


def found(text: str, code: str, env: dict[str, str] | None = None) -> list[Diagnostic]:
    loaded = load_text(text, "config.yaml", environ=env or {"OM_JWT": "eyJ.x.y"})
    assert loaded.document is not None, loaded.diagnostics
    return [d for d in rules.run(loaded.document, (1, 1)) if d.code == code]


@pytest.mark.parametrize(
    ("host_port", "says", "write"),
    [
        ("http://localhost:8585", "does not end in /api", "http://localhost:8585/api"),
        ("http://localhost:8585/", "does not end in /api", "http://localhost:8585/api"),
        (
            "http://localhost:8585/api/v1",
            "ends in /api/v1; the client adds /v1",
            "http://localhost:8585/api",
        ),
    ],
)
def test_a_hostport_that_misses_the_api_says_what_to_write(
    host_port: str, says: str, write: str
) -> None:
    (problem,) = found(SERVER + f"    hostPort: {host_port}\n", "R012")
    assert problem.severity is Severity.ERROR
    assert says in problem.message
    assert problem.hint == f"write hostPort: {write}"


def test_a_hostport_from_the_environment_gets_the_general_hint_not_its_value() -> None:
    (problem,) = found(SERVER + "    hostPort: ${OM_URL}\n", "R012", {"OM_URL": "http://om:8585"})
    assert problem.hint == "end hostPort with /api, such as http://localhost:8585/api"
    assert "om:8585" not in problem.message
    assert found(SERVER + "    hostPort: http://localhost:8585/api\n", "R012") == []


def test_a_jwt_over_plain_http_to_a_remote_host_is_a_warning_with_the_https_url() -> None:
    (problem,) = found(SERVER + "    hostPort: http://om.example.com:8585/api\n" + JWT, "R013")
    assert problem.severity is Severity.WARNING
    assert problem.message.startswith(
        "hostPort sends the bot's JWT over plain http to om.example.com"
    )
    assert problem.hint == "use https://om.example.com:8585/api"


@pytest.mark.parametrize(
    "text",
    [
        SERVER + "    hostPort: http://localhost:8585/api\n" + JWT,  # this machine
        SERVER + "    hostPort: https://om.example.com/api\n" + JWT,  # https
        SERVER + "    hostPort: http://om.example.com:8585/api\n",  # no JWT sent
    ],
)
def test_http_is_fine_locally_over_https_or_without_a_jwt(text: str) -> None:
    assert found(text, "R013") == []


def test_logger_level_warning_is_an_error_that_names_warn() -> None:
    (problem,) = found("workflowConfig:\n  loggerLevel: WARNING\n", "R014")
    assert problem.severity is Severity.ERROR
    assert problem.message.endswith("metadata ingest rejects; the level is called WARN")
    assert found("workflowConfig:\n  loggerLevel: WARN\n", "R014") == []
