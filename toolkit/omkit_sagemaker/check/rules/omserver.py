"""Rules about ``openMetadataServerConfig`` (R012-R014): ``hostPort`` without ``/api``, a JWT
sent over plain HTTP to another host, and logger levels the runner does not know."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlsplit

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.base.masking import describe
from omkit_sagemaker.check.fix.model import Fix, value_fix
from omkit_sagemaker.check.loader import Document
from omkit_sagemaker.check.rules.reading import (
    SERVER,
    is_from_env,
    is_given,
    is_local_host,
    lookup_text,
    shown_value,
)
from omkit_sagemaker.check.rules.rulebook import Finding, rule
from omkit_sagemaker.check.versions import Version

# --- the OpenMetadata server ------------------------------------------------------------------


def _hostport_fixed(value: str) -> tuple[str, bool] | None:
    """The hostPort ending in /api, and whether the old one ended in /api/v1; None when it is
    fine (or not a URL)."""
    if "://" not in value:
        return None
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return None
    trimmed = parts.path.rstrip("/")
    if trimmed.endswith("/api"):
        return None
    if trimmed.endswith("/api/v1"):
        return value.strip().rstrip("/")[: -len("/v1")], True
    return value.strip().rstrip("/") + "/api", False


def _fix_hostport(diagnostic: Diagnostic, document: Document, target: Version) -> Fix | None:
    """Write the hostPort that ends in /api."""
    path = (*SERVER, "hostPort")
    value = lookup_text(document, path)
    fixed = _hostport_fixed(value) if value is not None else None
    if fixed is None or is_from_env(document, path) or _hostport_fixed(fixed[0]) is not None:
        return None  # (a URL with a query or fragment: where /api goes is not certain)
    return value_fix(diagnostic, document, fixed[0], f"hostPort now ends in /api: {fixed[0]}")


@rule(
    "R012",
    "hostport-api",
    Severity.ERROR,
    "hostPort does not end in /api, so every request misses the API",
    hint="end hostPort with /api, such as http://localhost:8585/api",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
        """,
    fix=_fix_hostport,
)
def _hostport_api(document: Document, target: Version) -> Iterator[Finding]:
    path = (*SERVER, "hostPort")
    value = lookup_text(document, path)
    found = _hostport_fixed(value) if value is not None else None
    if value is None or found is None:
        return
    fixed, v1 = found
    if v1:
        shown = shown_value(document, path, value)
        message = f"hostPort {shown} ends in /api/v1; the client adds /v1 itself"
    else:
        message = (
            f"hostPort {shown_value(document, path, value)} does not end in /api; the client "
            "appends /v1/... to it, so every request would miss the API"
        )
    yield Finding(
        path, message, hint=None if is_from_env(document, path) else f"write hostPort: {fixed}"
    )


@rule(
    "R013",
    "http-jwt",
    Severity.WARNING,
    "the bot's JWT is sent over plain http to a host that is not local",
    hint="use https:// for a remote server; keep http only for a server on this machine",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://openmetadata.example.com:8585/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: ${OPENMETADATA_JWT_TOKEN}
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: https://openmetadata.example.com/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: ${OPENMETADATA_JWT_TOKEN}
        """,
)
def _http_jwt(document: Document, target: Version) -> Iterator[Finding]:
    path = (*SERVER, "hostPort")
    value = lookup_text(document, path)
    if value is None or not is_given(document, (*SERVER, "securityConfig", "jwtToken")):
        return
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        return
    if parts.scheme.lower() != "http" or not host or is_local_host(host):
        return
    yield Finding(
        path,
        f"hostPort sends the bot's JWT over plain http to {host}; anyone on the network path "
        "can read it and act as the bot",
        hint=None if is_from_env(document, path) else f"use https://{value.strip()[7:]}",
    )


def _fix_logger(diagnostic: Diagnostic, document: Document, target: Version) -> Fix | None:
    return value_fix(diagnostic, document, "WARN", "loggerLevel WARNING is called WARN")


@rule(
    "R014",
    "logger-warning",
    Severity.ERROR,
    "loggerLevel is WARNING (as the v1.1 docs suggest); the value is WARN",
    hint="write loggerLevel: WARN",
    bad="""
        workflowConfig:
          loggerLevel: WARNING
        """,
    good="""
        workflowConfig:
          loggerLevel: WARN
        """,
    replaces=("S004",),
    fix=_fix_logger,
)
def _logger_warning(document: Document, target: Version) -> Iterator[Finding]:
    path = ("workflowConfig", "loggerLevel")
    value = lookup_text(document, path)
    if value is not None and value.strip().upper() == "WARNING":
        yield Finding(
            path,
            f"loggerLevel is {describe(value)}, which the v1.1 docs suggest but metadata ingest "
            "rejects; the level is called WARN",
        )
