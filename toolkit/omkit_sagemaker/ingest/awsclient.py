"""AWS sessions and SageMaker clients built from the typed ``awsConfig`` model.

Everything here follows how the upstream runner builds its client (facts §2), so that what
``omkit test-connection`` proves and what ``omkit run`` does are the same thing:

1. a base :class:`boto3.Session` from ``awsAccessKeyId``, ``awsSecretAccessKey``,
   ``awsSessionToken``, ``awsRegion`` and ``profileName``; values left out are ``None``, so
   boto3's own chain fills the gaps (environment variables, shared files, instance role);
2. with ``assumeRoleArn``: an STS client **from that base session**, with no custom endpoint
   (``endPointURL`` is for SageMaker only), calls ``AssumeRole`` with ``RoleSessionName`` =
   ``assumeRoleSessionName`` (default ``OpenMetadataSession``) and ``SourceIdentity`` only when
   ``assumeRoleSourceIdentity`` is set; a new session is built from the temporary keys, with the
   same region and profile;
3. the SageMaker client of that session, at ``endPointURL`` when it is set.

On top of that, every client gets a botocore :class:`~botocore.config.Config` with connect and read
timeouts and a small number of attempts (:func:`client_config`), so an unreachable endpoint fails in
seconds. Retries use botocore's ``adaptive`` mode by default: the ``standard`` mode's backoff, plus
a client-side rate limiter that, once AWS answers ``ThrottlingException``, holds the client's
calls (all threads share one client) near the rate AWS accepts, instead of retrying into the
limit until the attempts run out. STS follows botocore's own endpoint rules, which include the
standard ``AWS_ENDPOINT_URL_STS`` environment variable (that is how the tests reach a local STS).

Typical use (``omkit run``)::

    from omkit_sagemaker.ingest import awsclient

    conn = awsclient.connect(workflow.source.serviceConnection.config.awsConfig, timeout=10)
    conn.sagemaker.list_models(MaxResults=100)
    conn.credentials.description        # "access keys from awsConfig": never the keys
    try: ...
    except Exception as exc:
        code, message, status = awsclient.aws_error(exc)

boto3 and botocore are imported inside the functions only: importing this module costs nothing,
and ``omkit validate`` never loads them (``tests/test_models.py`` checks it).
"""

from __future__ import annotations

import html
import json
import logging
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials

__all__ = [
    "DEFAULT_MAX_ATTEMPTS",
    "DEFAULT_RETRY_MODE",
    "DEFAULT_ROLE_SESSION_NAME",
    "DEFAULT_TIMEOUT",
    "AwsConnection",
    "CredentialInfo",
    "CredentialSource",
    "assume_role",
    "assumed_role_info",
    "aws_error",
    "base_session",
    "client_builder",
    "client_config",
    "connect",
    "credential_info",
    "sagemaker_client",
]

log = logging.getLogger("omkit.aws")

#: Seconds to wait for a connection, and then for each answer, before giving up.
DEFAULT_TIMEOUT = 10.0
#: Attempts per call, the first included (one retry).
DEFAULT_MAX_ATTEMPTS = 2
#: botocore's retry modes omkit accepts; ``adaptive`` adds client-side rate limiting.
RETRY_MODES = ("adaptive", "standard")
DEFAULT_RETRY_MODE = "adaptive"
#: ``RoleSessionName`` when ``assumeRoleSessionName`` is not given (the schema default).
DEFAULT_ROLE_SESSION_NAME = "OpenMetadataSession"

#: Where :func:`_keep_error_body` puts an excerpt of an error response's raw body: under
#: ``ClientError.response["Error"]``, for :func:`aws_error` to dig a code out of.
ERROR_BODY_KEY = "omkitRawBody"
_BODY_LIMIT = 4096
_MESSAGE_LIMIT = 300


class CredentialSource(str, Enum):
    """Where the credentials of a session came from (never the credentials themselves)."""

    KEYS = "keys"
    PROFILE = "profile"
    ENVIRONMENT = "environment"
    SHARED_FILE = "shared file"
    INSTANCE_ROLE = "instance role"
    ASSUMED_ROLE = "assumed role"
    OTHER = "other"


@dataclass(frozen=True)
class CredentialInfo:
    """Which credentials a session uses, in words safe to print."""

    source: CredentialSource
    #: botocore's ``credentials.method`` (``explicit``, ``env``, ``shared-credentials-file``,
    #: ``iam-role``, ...), or ``assume-role`` for a session built by :func:`assume_role`.
    method: str
    #: One phrase for people: "access keys from awsConfig", "profile 'dev' (shared file)".
    description: str


@dataclass(frozen=True)
class AwsConnection:
    """What :func:`connect` builds: the session that calls SageMaker, its client, and where the
    credentials came from."""

    session: Any  # boto3.Session
    sagemaker: Any  # botocore client for "sagemaker"
    credentials: CredentialInfo


def client_config(
    timeout: float = DEFAULT_TIMEOUT,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    pool_size: int = 10,
    retry_mode: str = DEFAULT_RETRY_MODE,
) -> Any:
    """A botocore ``Config`` with connect and read timeouts of ``timeout`` seconds, at most
    ``max_attempts`` attempts per call (retry mode ``retry_mode``: ``adaptive`` or
    ``standard``) and up to ``pool_size`` open connections (one per thread that calls the
    client at once)."""
    from botocore.config import Config

    if timeout <= 0:
        raise ValueError("timeout must be positive")
    if max_attempts < 1:
        raise ValueError("max_attempts must be at least 1")
    if retry_mode not in RETRY_MODES:
        raise ValueError(f"retry_mode must be one of {', '.join(RETRY_MODES)}")
    return Config(
        connect_timeout=timeout,
        read_timeout=timeout,
        retries={"mode": retry_mode, "max_attempts": max_attempts},
        max_pool_connections=max(10, pool_size),
    )


def base_session(aws: AwsCredentials) -> Any:
    """The runner's base ``boto3.Session`` (step 1 above): keys, token, region and profile from
    ``awsConfig``, anything missing left to boto3's chain.

    Raises botocore's ``ProfileNotFound`` for an unknown ``profileName``.
    """
    import boto3

    return boto3.Session(
        aws_access_key_id=aws.awsAccessKeyId,
        aws_secret_access_key=_reveal(aws.awsSecretAccessKey),
        aws_session_token=_reveal(aws.awsSessionToken),
        region_name=aws.awsRegion,
        profile_name=aws.profileName,
    )


def assume_role(base: Any, aws: AwsCredentials, *, config: Any = None) -> Any:
    """Assume ``aws.assumeRoleArn`` through STS from ``base`` and return a session of the role.

    The STS client has no custom endpoint (``endPointURL`` is not used for it), only ``config``
    (see :func:`client_config`). Raises ``ValueError`` when no role is configured, and whatever
    boto3 raises for the call (:func:`aws_error` explains it).
    """
    import boto3

    if not aws.assumeRoleArn:
        raise ValueError("awsConfig has no assumeRoleArn")
    sts = base.client("sts", config=config)
    _watch_errors(sts)
    kwargs: dict[str, str] = {
        "RoleArn": aws.assumeRoleArn,
        "RoleSessionName": aws.assumeRoleSessionName or DEFAULT_ROLE_SESSION_NAME,
    }
    if aws.assumeRoleSourceIdentity:
        kwargs["SourceIdentity"] = aws.assumeRoleSourceIdentity
    credentials = sts.assume_role(**kwargs)["Credentials"]
    return boto3.Session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
        region_name=aws.awsRegion,
        profile_name=aws.profileName,
    )


def sagemaker_client(session: Any, aws: AwsCredentials, *, config: Any = None) -> Any:
    """The SageMaker client of ``session``, at ``aws.endPointURL`` when it is set."""
    kwargs: dict[str, Any] = {"config": config}
    if aws.endPointURL:
        kwargs["endpoint_url"] = aws.endPointURL
    client = session.client("sagemaker", **kwargs)
    _watch_errors(client)
    if log.isEnabledFor(logging.DEBUG):
        _log_calls(client)
    return client


def connect(
    aws: AwsCredentials,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    pool_size: int = 10,
    retry_mode: str = DEFAULT_RETRY_MODE,
) -> AwsConnection:
    """Steps 1 to 3 above in one call: base session, role (when configured), SageMaker client.

    Raises what boto3 raises (``ProfileNotFound``, ``NoCredentialsError``, ``ClientError`` from
    STS, ...); :func:`aws_error` turns any of them into a code and a message.
    """
    config = client_config(timeout, max_attempts, pool_size, retry_mode)
    session = base_session(aws)
    info = credential_info(session)
    if aws.assumeRoleArn:
        session = assume_role(session, aws, config=config)
        info = assumed_role_info(aws)
    return AwsConnection(session, sagemaker_client(session, aws, config=config), info)


def client_builder(
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_attempts: int = DEFAULT_MAX_ATTEMPTS,
    retry_mode: str = DEFAULT_RETRY_MODE,
) -> Callable[[AwsCredentials, int], Any]:
    """What ``omkit run`` builds its SageMaker client with: ``build(awsConfig, workers)`` calls
    :func:`connect` (a connection pool as large as the thread pool, plus two) and logs where
    the credentials came from (never the credentials)."""

    def build(aws_config: AwsCredentials, workers: int) -> Any:
        connection = connect(
            aws_config,
            timeout=timeout,
            max_attempts=max_attempts,
            pool_size=workers + 2,
            retry_mode=retry_mode,
        )
        logging.getLogger("omkit.run").info(
            "AWS credentials: %s", connection.credentials.description
        )
        return connection.sagemaker

    return build


def credential_info(session: Any) -> CredentialInfo:
    """Where the credentials of ``session`` come from, without revealing them.

    Resolves them first (which may read files, or ask the instance metadata service within
    botocore's own short timeout). Raises botocore's ``NoCredentialsError`` when none are found,
    and ``PartialCredentialsError`` when a key lacks its other half.
    """
    from botocore.exceptions import NoCredentialsError, PartialCredentialsError

    credentials = session.get_credentials()
    if credentials is None:
        raise NoCredentialsError()
    frozen = credentials.get_frozen_credentials()
    if not frozen.access_key or not frozen.secret_key:
        missing = "aws_secret_access_key" if frozen.access_key else "aws_access_key_id"
        raise PartialCredentialsError(provider=credentials.method or "awsConfig", cred_var=missing)
    method = str(credentials.method or "")
    profile = session.profile_name
    token = " with a session token" if frozen.token else ""
    if method == "explicit":
        return CredentialInfo(CredentialSource.KEYS, method, f"access keys from awsConfig{token}")
    if method == "env":
        return CredentialInfo(
            CredentialSource.ENVIRONMENT, method, f"AWS_* environment variables{token}"
        )
    if method in ("shared-credentials-file", "config-file", "boto-config", "ec2-credentials-file"):
        where = "shared credentials file" if method == "shared-credentials-file" else "config file"
        if profile and profile != "default":
            return CredentialInfo(
                CredentialSource.PROFILE, method, f"profile '{profile}' ({where})"
            )
        return CredentialInfo(CredentialSource.SHARED_FILE, method, f"default profile ({where})")
    if method in ("sso", "custom-process", "login"):
        return CredentialInfo(
            CredentialSource.PROFILE, method, f"profile '{profile or 'default'}' ({method})"
        )
    if method == "iam-role":
        return CredentialInfo(
            CredentialSource.INSTANCE_ROLE, method, "instance role (EC2 instance metadata)"
        )
    if method == "container-role":
        return CredentialInfo(
            CredentialSource.INSTANCE_ROLE, method, "container role (ECS/EKS task credentials)"
        )
    if method in ("assume-role", "assume-role-with-web-identity"):
        via = f"profile '{profile}'" if profile else "the environment"
        return CredentialInfo(
            CredentialSource.ASSUMED_ROLE, method, f"role assumed by botocore ({method}, {via})"
        )
    return CredentialInfo(CredentialSource.OTHER, method, f"botocore credential method '{method}'")


def assumed_role_info(aws: AwsCredentials) -> CredentialInfo:
    """The :class:`CredentialInfo` of a session made by :func:`assume_role` for ``aws``."""
    name = aws.assumeRoleSessionName or DEFAULT_ROLE_SESSION_NAME
    return CredentialInfo(
        CredentialSource.ASSUMED_ROLE,
        "assume-role",
        f"role {aws.assumeRoleArn} assumed as session '{name}'",
    )


def aws_error(exc: BaseException) -> tuple[str, str, int | None]:
    """``(code, message, http_status)`` for anything boto3 may raise; never raises itself.

    For a ``ClientError`` the code is the AWS error code (``AccessDenied``,
    ``InvalidClientTokenId``, ...). When a proxy or an emulator answered in a format the
    service's parser did not expect, botocore's code is only the HTTP status (``"403"``); the
    code is then dug out of the body (an XML ``<Code>``, a JSON ``__type`` / ``code``), or the
    ``x-amzn-ErrorType`` header, and is ``HTTP <status>`` when none can be found. Other
    exceptions give their class name (``EndpointConnectionError``, ``NoCredentialsError``,
    ``ProfileNotFound``, ``ReadTimeoutError``, ``ConnectTimeoutError``, ...) and their message,
    with ``http_status`` None. Messages are one line of at most 300 characters.
    """
    try:
        response = getattr(exc, "response", None)
        if isinstance(response, dict):
            return _client_error(response)
        return type(exc).__name__, _one_line(str(exc)) or type(exc).__name__, None
    except Exception:  # a broken exception object: still give an answer
        return type(exc).__name__, "unexpected error", None


# -- internals -----------------------------------------------------------------------------------


def _reveal(secret: Any) -> str | None:
    return None if secret is None else str(secret.get_secret_value())


def _watch_errors(client: Any) -> None:
    """Keep an excerpt of the raw body of error responses, for :func:`aws_error`."""
    client.meta.events.register("after-call", _keep_error_body)


def _log_calls(client: Any) -> None:
    """Log each call of ``client`` at DEBUG: operation, endpoint (no userinfo), HTTP status and
    time; never a parameter or a header (they may hold credentials)."""
    from omkit_sagemaker.base.masking import url_without_userinfo

    endpoint = url_without_userinfo(str(client.meta.endpoint_url))
    service = client.meta.service_model.service_name

    def before(context: Any = None, **_: Any) -> None:
        if isinstance(context, dict):
            context["omkit_started"] = time.monotonic()

    def after(http_response: Any = None, model: Any = None, context: Any = None, **_: Any) -> None:
        started = context.get("omkit_started") if isinstance(context, dict) else None
        elapsed = time.monotonic() - started if isinstance(started, float) else 0.0
        status = getattr(http_response, "status_code", "?")
        name = getattr(model, "name", "?")
        log.debug("AWS %s %s POST %s -> HTTP %s (%.3f s)", service, name, endpoint, status, elapsed)

    def failed(exception: Any = None, context: Any = None, model: Any = None, **_: Any) -> None:
        if exception is None:
            return
        started = context.get("omkit_started") if isinstance(context, dict) else None
        elapsed = time.monotonic() - started if isinstance(started, float) else 0.0
        name = getattr(model, "name", "?")
        reason = type(exception).__name__
        log.debug("AWS %s %s POST %s -> %s (%.3f s)", service, name, endpoint, reason, elapsed)

    client.meta.events.register("before-call", before)
    client.meta.events.register("after-call", after)
    client.meta.events.register("after-call-error", failed)


def _keep_error_body(http_response: Any = None, parsed: Any = None, **_: Any) -> None:
    status = getattr(http_response, "status_code", None)
    if not isinstance(status, int) or status < 300 or not isinstance(parsed, dict):
        return
    error = parsed.get("Error")
    content = getattr(http_response, "content", None)
    if isinstance(error, dict) and isinstance(content, bytes) and content:
        error[ERROR_BODY_KEY] = content[:_BODY_LIMIT].decode("utf-8", errors="replace")


_GENERIC_CODES = {"", "Unknown", "UnknownError", "InternalFailure"}
_XML_CODE = re.compile(r"<Code>\s*([^<]+?)\s*</Code>", re.S)
_XML_MESSAGE = re.compile(r"<Message>\s*([^<]*?)\s*</Message>", re.S)
_TAG = re.compile(r"<[^>]*>")


def _client_error(response: dict[str, Any]) -> tuple[str, str, int | None]:
    meta = response.get("ResponseMetadata")
    meta = meta if isinstance(meta, dict) else {}
    status = meta.get("HTTPStatusCode")
    status = status if isinstance(status, int) else None
    error = response.get("Error")
    error = error if isinstance(error, dict) else {}
    code = str(error.get("Code") or "").strip()
    message = str(error.get("Message") or "").strip()
    if _usable(code, status):
        return code, _first_sentence(message) or code, status
    # An unexpected body: botocore's code is just the HTTP status. Look harder.
    bodies = [str(error.get(ERROR_BODY_KEY) or ""), message]
    for body in bodies:
        found, said = _from_body(body)
        if found:
            return found, _first_sentence(said or _plain(message)) or found, status
    headers = meta.get("HTTPHeaders")
    if isinstance(headers, dict):
        for name, value in headers.items():
            if str(name).lower() in ("x-amzn-errortype", "x-amz-errortype") and value:
                found = _short_code(str(value))
                if found:
                    return found, _first_sentence(_plain(message)) or found, status
    fallback = f"HTTP {status}" if status is not None else (code or "UnknownError")
    return fallback, _first_sentence(_plain(message)) or fallback, status


def _usable(code: str, status: int | None) -> bool:
    """False for a missing, generic or purely numeric code (botocore's stand-in)."""
    return code not in _GENERIC_CODES and not code.isdigit() and code != str(status)


def _short_code(value: str) -> str:
    """``com.amazon.coral#AccessDeniedException`` / ``Foo:http://...`` -> the bare code."""
    value = value.strip().split(":", 1)[0]
    value = value.rsplit("#", 1)[-1].strip()
    return value if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]{0,99}", value) else ""


def _from_body(body: str) -> tuple[str, str]:
    """(code, message) found in an XML or JSON error body, or ("", "")."""
    body = body.strip()
    if not body:
        return "", ""
    if body.startswith("{"):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("__type", "code", "Code", "errorCode", "error_code", "error"):
                value = data.get(key)
                if isinstance(value, str) and _short_code(value):
                    said = next(
                        (
                            str(data[k])
                            for k in ("message", "Message", "errorMessage", "error_description")
                            if isinstance(data.get(k), str)
                        ),
                        "",
                    )
                    return _short_code(value), said
        return "", ""
    code = _XML_CODE.search(body)
    if code is None or not _short_code(html.unescape(code.group(1))):
        return "", ""
    message = _XML_MESSAGE.search(body)
    return _short_code(html.unescape(code.group(1))), (
        html.unescape(message.group(1)) if message else ""
    )


def _plain(text: str) -> str:
    """Markup removed from an HTML or XML body, so that only its words remain."""
    if "<" in text and ">" in text:
        text = html.unescape(_TAG.sub(" ", text))
    return text


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


#: botocore's wording, which an emulator (moto) sometimes puts inside its own message.
_BOTOCORE_PREFIX = re.compile(r"An error occurred \([^)]*\) when calling the \w+ operation: ")
#: Where an emulator's message turns into its own Python objects (moto's enum lists).
_INTERNALS = re.compile(r"dict_(?:values|keys|items)\(|<[\w.]+ object at 0x")
#: The end of a message's first sentence: a full stop before a space and a capital.
_SENTENCE_END = re.compile(r"(?<=[^\s.][.!?])\s+(?=[A-Z(])")


def _first_sentence(text: str) -> str:
    """An AWS message cut to its first sentence, as one line: what follows repeats or explains
    it, and an emulator's dump of its internals (``dict_values([<moto.sagemaker...``) is left
    out with the list it is in."""
    text = _BOTOCORE_PREFIX.sub("", " ".join(text.split()), count=1)
    internals = _INTERNALS.search(text)
    if internals is not None:
        head = text[: internals.start()]
        opened = max(head.rfind("{"), head.rfind("["), head.rfind("("))
        text = head[: opened if opened >= 0 else len(head)].rstrip(" :=,")
    return _one_line(_SENTENCE_END.split(text, maxsplit=1)[0])
