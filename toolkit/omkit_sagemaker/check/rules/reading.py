"""Reading the document for rules: values by data path, how a value was written (literal or
``${ENV}``), and the placeholders copied from the docs that R001 and R002 know."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar
from urllib.parse import urlsplit

from omkit_sagemaker.base.masking import describe, excerpt, is_secret
from omkit_sagemaker.check.generated.fastcheck import SECRET_KEYS
from omkit_sagemaker.check.loader import DataPath, Document

# --- reading the document ---------------------------------------------------------------------

AWS: DataPath = ("source", "serviceConnection", "config", "awsConfig")
SERVER: DataPath = ("workflowConfig", "openMetadataServerConfig")
#: What :func:`lookup` returns where the document has nothing (``None`` is a value: YAML null).
MISSING: Any = object()
#: A ``$VAR`` or ``${VAR}`` reference, as ``metadata ingest`` expands it from the environment.
ENV_REFERENCE = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


def lookup(document: Document, path: DataPath) -> Any:
    """The value at ``path``, or ``MISSING`` when some part of the path is not there: a text
    part names a key of a mapping, a number part an item of a list."""
    value: Any = document.data
    for part in path:
        if isinstance(value, dict):
            if not isinstance(part, str):
                return MISSING
            value = value.get(part, MISSING)
            if value is MISSING:
                return MISSING
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return MISSING
    return value


def lookup_text(document: Document, path: DataPath) -> str | None:
    """The string at ``path``, unless it is missing, not a string or holds an unset ``$VAR``."""
    value = lookup(document, path)
    if not isinstance(value, str) or ENV_REFERENCE.search(value):
        return None
    return value


def is_given(document: Document, path: DataPath) -> bool:
    """True when the document has a value at ``path`` that is neither null nor empty text."""
    value = lookup(document, path)
    return value is not MISSING and value is not None and value != ""


_T = TypeVar("_T")
#: The document :func:`~.rulebook.run` is checking, with what its rules computed of it.
SHARED_READS: ContextVar[tuple[Document, dict[Any, Any]] | None] = ContextVar(
    "omkit_rules_shared", default=None
)


def shared(document: Document, compute: Callable[[Document], _T]) -> _T:
    """``compute(document)``, computed once per :func:`~.rulebook.run` over ``document``: the
    rules run one after another on a document that does not change, and several of them read
    the same parts of it (every text scalar, every filter pattern). Outside a run, computed each
    time. What it returns is shared: never change it."""
    state = SHARED_READS.get()
    if state is None or state[0] is not document:
        return compute(document)
    memo = state[1]
    if compute not in memo:
        memo[compute] = compute(document)
    found: _T = memo[compute]
    return found


def _text_scalars(document: Document) -> list[tuple[DataPath, str]]:
    found = []
    for path in document.scalars:
        value = lookup(document, path)
        if isinstance(value, str):
            found.append((path, value))
    return found


def string_scalars(document: Document) -> list[tuple[DataPath, str]]:
    """Every scalar whose value is text, with its path, in the order of ``document.scalars``."""
    return shared(document, _text_scalars)


def env_name(key: str) -> str:
    """The environment variable a secret under ``key`` is conventionally read from
    (``awsSecretAccessKey`` -> ``AWS_SECRET_ACCESS_KEY``, ``jwtToken`` ->
    ``OPENMETADATA_JWT_TOKEN``, any other key in upper snake case)."""
    names = {
        "awsAccessKeyId": "AWS_ACCESS_KEY_ID",
        "awsSecretAccessKey": "AWS_SECRET_ACCESS_KEY",
        "awsSessionToken": "AWS_SESSION_TOKEN",
        "jwtToken": "OPENMETADATA_JWT_TOKEN",
    }
    return names.get(key) or re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).upper()


def env_form(key: str) -> str:
    """The line that reads ``key`` from its environment variable: ``key: ${ENV_NAME}``."""
    return f"{key}: ${{{env_name(key)}}}"


def is_from_env(document: Document, path: DataPath) -> bool:
    """True when the value at ``path`` was (partly) substituted from an environment variable."""
    scalar = document.scalars.get(path)
    return (
        scalar is not None
        and bool(ENV_REFERENCE.search(scalar.written))
        and scalar.written != scalar.text
    )


def shown_value(document: Document, path: DataPath, value: object) -> str:
    """``value`` for a message; a value that came from the environment is named, not shown."""
    if is_secret(path, SECRET_KEYS):
        return describe(value, secret=True)
    scalar = document.scalars.get(path)
    if scalar is not None and is_from_env(document, path):
        return f"(the value of {excerpt(scalar.written.strip().strip(chr(34) + chr(39)))})"
    return describe(value)


def is_env_reference(written: str) -> bool:
    """True when a scalar as written is nothing but ``$VAR``/``${VAR}`` references."""
    text = written.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return bool(ENV_REFERENCE.search(text)) and not ENV_REFERENCE.sub("", text).strip()


# --- where the endpoints are ------------------------------------------------------------------


def is_local_host(host: str) -> bool:
    """True for a host on this machine or next to it: loopback, ``localhost``, Docker's host
    name, or a single-label name (a container or a machine on the same network)."""
    host = host.lower()
    if host == "localhost" or host.endswith(".localhost") or host == "host.docker.internal":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return "." not in host


def is_emulated(document: Document) -> bool:
    """True when ``endPointURL`` points at an AWS emulator (moto, LocalStack) rather than AWS:
    a local host (:func:`is_local_host`), a private address, or a LocalStack name. The dummy
    keys such emulators take (``testing``, ``test``) are then not mistakes."""
    url = lookup_text(document, (*AWS, "endPointURL"))
    if not url:
        return False
    try:
        host = urlsplit(url.strip()).hostname or ""
    except ValueError:
        return False
    if not host:
        return False
    if is_local_host(host) or "localstack" in host.lower():
        return True
    try:
        return ipaddress.ip_address(host).is_private
    except ValueError:
        return False


# --- placeholders -----------------------------------------------------------------------------

#: Values the OpenMetadata docs, AWS docs and templates show as stand-ins, by key.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "awsAccessKeyId": frozenset({"KEY", "AKIAIOSFODNN7EXAMPLE"}),
    "awsSecretAccessKey": frozenset({"SECRET", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}),
    "awsSessionToken": frozenset({"TOKEN"}),
    "jwtToken": frozenset({"{bot_jwt_token}"}),
    "profileName": frozenset({"profile"}),
    "assumeRoleArn": frozenset({"arn:partition:service:region:account:resource"}),
    "assumeRoleSessionName": frozenset({"session"}),
    "assumeRoleSourceIdentity": frozenset({"identity"}),
}
#: A whole value such as ``{bot_jwt_token}`` or ``<your-token>``.
_TEMPLATE = re.compile(r"\{[A-Za-z_][\w.-]*\}|<[^<>\n]+>")


def as_placeholder(path: DataPath, value: str) -> str | None:
    """The placeholder ``value`` is, or None. Regular expressions are never placeholders."""
    key = path[-1] if path and isinstance(path[-1], str) else None
    if len(path) >= 2 and isinstance(path[-1], int) and path[-2] in ("includes", "excludes"):
        return None
    if key is not None and value in PLACEHOLDERS.get(key, ()):
        return value
    return value if _TEMPLATE.fullmatch(value) else None
