"""Rules about secrets: R001 (a secret written literally) and R002 (a placeholder from the docs)."""

from __future__ import annotations

from collections.abc import Iterator

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.base.masking import describe, has_userinfo, is_secret
from omkit_sagemaker.check.fix.model import Fix, data_path, secret_explanation, written_value
from omkit_sagemaker.check.generated.fastcheck import SECRET_KEYS
from omkit_sagemaker.check.loader import Document
from omkit_sagemaker.check.rules.reading import (
    AWS,
    PLACEHOLDERS,
    as_placeholder,
    env_form,
    env_name,
    is_emulated,
    is_env_reference,
    string_scalars,
)
from omkit_sagemaker.check.rules.rulebook import Finding, rule
from omkit_sagemaker.check.versions import Version

#: awsConfig keys whose placeholder values an AWS emulator accepts.
_EMULATOR_KEYS = frozenset({"awsAccessKeyId", "awsSecretAccessKey", "awsSessionToken"})


def _fix_literal_secret(diagnostic: Diagnostic, document: Document, target: Version) -> Fix | None:
    """Replace the literal by ``${NAME}``; the user sets NAME to the secret. Unsafe: the secret
    is then in the file no more, so ``omkit fix`` makes it only with ``--unsafe-fixes``."""
    path = data_path(document, diagnostic)
    old = written_value(document, path) if path else None
    if path is None or old is None or "\n" in old or not isinstance(path[-1], str):
        return None
    name = env_name(path[-1])
    quote = old[:1] if old[:1] in ("'", '"') else ""
    return Fix(
        code=diagnostic.code,
        path=path,
        kind="value",
        old=old,
        new=f"{quote}${{{name}}}{quote}",
        explanation=secret_explanation(path[-1], name),
        secret=True,
        safe=False,
        caution="replacing it removes the secret from the file, and only you can put it where "
        "the run reads it",
        variable=name,
    )


@rule(
    "R001",
    "literal-secret",
    Severity.WARNING,
    "a secret (awsSecretAccessKey, awsSessionToken, jwtToken, ...) is written in the file "
    "instead of as an ${ENV} reference",
    hint="write it as ${NAME} and set NAME in the environment; metadata ingest expands it",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
                awsSecretAccessKey: 4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
                awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
        """,
    fix=_fix_literal_secret,
)
def _literal_secret(document: Document, target: Version) -> Iterator[Finding]:
    secrets = SECRET_KEYS
    # Keys whose value may be the path of a file holding the secret (jwtToken: the runner reads
    # the file; the TLS settings of 1.4+ are file paths).
    may_be_path = {"jwtToken", "caCertificate", "sslCertificate", "sslKey"}
    emulated = is_emulated(document)
    for path, value in string_scalars(document):
        key = path[-1] if path else None
        if not isinstance(key, str) or key not in secrets or not value.strip():
            continue
        if emulated and path[: len(AWS)] == AWS and key in _EMULATOR_KEYS:
            continue  # an emulator's dummy key (testing) is no secret: R002, R009, R010 agree
        written = document.scalars[path].written or value
        if is_env_reference(written) or as_placeholder(path, value) is not None:
            continue
        if key in may_be_path and value.startswith(("/", "./", "../", "~/")):
            continue
        yield Finding(
            path,
            f"{key} is written in the file as literal text: anyone who can read the file can "
            "use it",
            hint=f"write {env_form(key)} and set {env_name(key)} in the environment; "
            "metadata ingest expands it when it reads the file",
        )


@rule(
    "R002",
    "placeholder",
    Severity.ERROR,
    "a value is a placeholder copied from the docs or a template (KEY, SECRET, {bot_jwt_token}, "
    "profile, session, ...)",
    hint="replace it with the real value, or remove the key if you do not need it",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: "{bot_jwt_token}"
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: ${OPENMETADATA_JWT_TOKEN}
        """,
)
def _placeholders(document: Document, target: Version) -> Iterator[Finding]:
    secrets = SECRET_KEYS
    emulated = is_emulated(document)
    for path, value in string_scalars(document):
        found = as_placeholder(path, value)
        if found is None:
            continue
        if emulated and path[: len(AWS)] == AWS and path[-1] in _EMULATOR_KEYS:
            continue  # an emulator takes any key: KEY / SECRET are fine there
        key = str(path[-1]) if path and isinstance(path[-1], str) else "this value"
        known = any(found in values for values in PLACEHOLDERS.values())
        shown = describe(found) if known or not is_secret(path, secrets) else "a placeholder"
        hint = None
        if is_secret(path, secrets):
            hint = f"put the real value in the environment and write {env_form(key)}"
        elif key in ("profileName", "assumeRoleArn", "assumeRoleSessionName"):
            hint = f"write your real {key}, or remove the line (the docs show it commented out)"
        elif key == "assumeRoleSourceIdentity":
            hint = "write your real source identity, or remove the line"
        yield Finding(
            path, f"{key} is {shown}, a placeholder copied from the documentation", hint=hint
        )


@rule(
    "R023",
    "credentials-in-url",
    Severity.WARNING,
    "a URL (hostPort, endPointURL, ...) carries a user name and password before its host: a "
    "secret in the file, shown wherever the URL is",
    hint="take user:password@ out of the URL; OpenMetadata takes the bot's JWT "
    "(securityConfig.jwtToken) and AWS the awsConfig credentials",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://admin:admin@localhost:8585/api
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
        """,
)
def _credentials_in_url(document: Document, target: Version) -> Iterator[Finding]:
    for path, scalar in document.scalars.items():
        value = scalar.written.strip().strip("'\"")
        if "@" not in value or not has_userinfo(value):
            continue
        key = str(path[-1]) if path and isinstance(path[-1], str) else "a value"
        # Never the userinfo itself: it is a password.
        yield Finding(path, f"{key} holds a user name and password before its host ('***@')")
