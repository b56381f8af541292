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

Where the credentials came from is said by :mod:`~omkit_sagemaker.ingest.credentialsource`, what a
failure was by :mod:`~omkit_sagemaker.ingest.awserrors`; their names are importable from here too.
boto3 and botocore are imported inside the functions only: importing this module costs nothing,
and ``omkit validate`` never loads them (``tests/test_models.py`` checks it).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.ingest.awserrors import aws_error, watch_errors
from omkit_sagemaker.ingest.credentialsource import (
    DEFAULT_ROLE_SESSION_NAME,
    CredentialInfo,
    CredentialSource,
    assumed_role_info,
    credential_info,
)

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
    watch_errors(sts)
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
    watch_errors(client)
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


# -- internals -----------------------------------------------------------------------------------


def _reveal(secret: Any) -> str | None:
    return None if secret is None else str(secret.get_secret_value())


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
