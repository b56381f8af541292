"""Who omkit is to the OpenMetadata server and how it trusts it, from ``openMetadataServerConfig``.

The token sent as ``Authorization: Bearer`` (:func:`bearer_token`, as the ingestion runner chooses
it, facts §3.6), the headers of every request with ``extraHeaders`` (:func:`request_headers`),
and the TLS checks of ``verifySSL``/``sslConfig`` (:func:`ssl_context`). Secrets are read from
:class:`~omkit_sagemaker.spec.modelbase.Secret` values only here, to build the headers and the
TLS context; no :class:`~omkit_sagemaker.ingest.omerrors.OpenMetadataError` message holds them.
"""

from __future__ import annotations

import logging
import ssl
from pathlib import Path

from omkit_sagemaker.ingest.omerrors import OpenMetadataError
from omkit_sagemaker.spec.models.open_metadata_connection import (
    AuthProvider,
    OpenMetadataConnection,
)
from omkit_sagemaker.spec.models.open_metadata_jwt_client_config import OpenMetadataJWTClientConfig
from omkit_sagemaker.spec.models.verify_ssl_config import VerifySSL

log = logging.getLogger("omkit.openmetadata")

#: Sent as the token by the providers that have none (``no-auth``, and upstream's fallback for
#: ``basic``, ``ldap``, ``saml``).
NO_TOKEN = "no_token"
#: Providers that fetch a token from an identity provider; omkit does not implement them.
SSO_PROVIDERS = frozenset(
    {
        AuthProvider.GOOGLE,
        AuthProvider.OKTA,
        AuthProvider.AUTH0,
        AuthProvider.AZURE,
        AuthProvider.CUSTOM_OIDC,
        AuthProvider.AWS_COGNITO,
    }
)


def bearer_token(config: OpenMetadataConnection) -> str:
    """The token sent as ``Authorization: Bearer``, as the runner chooses it (facts §3.6)."""
    provider = config.authProvider
    if provider in SSO_PROVIDERS:
        raise OpenMetadataError(
            None,
            f"authProvider {provider.value} is not supported by omkit: use authProvider "
            "openmetadata with the ingestion bot's JWT (securityConfig.jwtToken)",
        )
    if provider is not AuthProvider.OPENMETADATA:
        log.warning(
            "authProvider %s sends no credentials (Bearer %s); use openmetadata with a bot JWT",
            provider.value,
            NO_TOKEN,
        )
        return NO_TOKEN
    security = config.securityConfig
    if not isinstance(security, OpenMetadataJWTClientConfig):
        raise OpenMetadataError(
            None, "authProvider openmetadata needs securityConfig.jwtToken (the bot's JWT)"
        )
    token = security.jwtToken.get_secret_value()
    try:
        if Path(token).is_file():  # a path to a file holding the token, as upstream allows
            return Path(token).read_text(encoding="utf-8").rstrip()
    except (OSError, ValueError):  # not a usable path (too long, NUL, unreadable): a token
        pass
    return token


def request_headers(config: OpenMetadataConnection) -> dict[str, str]:
    """The headers of every request: the bearer token, JSON both ways, and ``extraHeaders``
    (where ``"%(Authorization)s"`` copies another header, as upstream allows)."""
    headers = {
        "Authorization": f"Bearer {bearer_token(config)}",
        "Content-type": "application/json",
        "Accept": "application/json",
    }
    for name, value in (config.extraHeaders or {}).items():
        try:
            headers[name] = value % headers
        except (KeyError, ValueError, TypeError):
            headers[name] = value
    return headers


def ssl_context(config: OpenMetadataConnection) -> ssl.SSLContext:
    """The TLS settings of ``verifySSL``/``sslConfig`` (facts §3.6) as an ``ssl`` context."""
    if config.verifySSL is VerifySSL.IGNORE:
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        return context
    if config.verifySSL is not VerifySSL.VALIDATE:  # no-ssl: the default verification
        return ssl.create_default_context()
    ssl_config = config.sslConfig
    cafile: str | None = None
    if ssl_config is not None:
        if ssl_config.caCertificate is not None:  # 1.4+
            cafile = ssl_config.caCertificate.get_secret_value()
        elif ssl_config.certificatePath is not None:  # up to 1.3
            cafile = ssl_config.certificatePath
    if cafile is None:
        raise OpenMetadataError(
            None, "verifySSL is validate but sslConfig names no CA certificate file"
        )
    try:
        context = ssl.create_default_context(cafile=cafile)
        if ssl_config is not None and ssl_config.sslCertificate is not None:
            key = ssl_config.sslKey.get_secret_value() if ssl_config.sslKey else None
            context.load_cert_chain(ssl_config.sslCertificate.get_secret_value(), key)
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise OpenMetadataError(None, f"cannot load the sslConfig certificates: {reason}") from None
    return context
