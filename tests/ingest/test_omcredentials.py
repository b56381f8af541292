"""``omkit_sagemaker.ingest.omcredentials``: the token, headers and TLS context of the
OpenMetadata client, against the recording test double (a real HTTPS double for verifySSL
ignore/validate), and that no message ever holds a secret.
"""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from omkit_sagemaker.ingest.omcredentials import NO_TOKEN, ssl_context
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection

from testing.omclients import client_for, server_config
from testing.omdouble import OMServer


def test_a_token_that_is_a_file_path_is_read_from_the_file(
    om_server: OMServer, tmp_path: Path
) -> None:
    token_file = tmp_path / "jwt"
    token_file.write_text(om_server.token + "\n  \n", encoding="utf-8")
    client_for(om_server, str(token_file)).get("/users/loggedInUser")
    assert om_server.requests[-1].headers["authorization"] == f"Bearer {om_server.token}"


def test_providers_without_a_token_send_no_token(om_server: OMServer) -> None:
    config = server_config(om_server.url, authProvider="no-auth")
    with pytest.raises(OpenMetadataError) as caught:
        OpenMetadataClient(config, backoff=0).get("/users/loggedInUser")
    assert caught.value.status == 401
    assert om_server.requests[-1].headers["authorization"] == f"Bearer {NO_TOKEN}"


def test_sso_providers_are_refused_at_construction(om_server: OMServer) -> None:
    config = OpenMetadataConnection.from_dict(
        {
            "hostPort": om_server.url,
            "authProvider": "google",
            "securityConfig": {"secretKey": "google-secret-key-value"},
        }
    )
    with pytest.raises(OpenMetadataError) as caught:
        OpenMetadataClient(config)
    assert caught.value.status is None
    assert "google is not supported" in caught.value.message
    assert "google-secret-key-value" not in caught.value.message


def test_extra_headers_may_copy_another_header(om_server: OMServer) -> None:
    extra = {"X-Proxy-Auth": "%(Authorization)s", "X-Team": "ml"}
    client_for(om_server, extraHeaders=extra).version()
    headers = om_server.requests[-1].headers
    assert headers["x-proxy-auth"] == f"Bearer {om_server.token}"
    assert headers["x-team"] == "ml"


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1 (made with the openssl command)."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"),
            *("-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"),
            *("-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


@pytest.fixture
def tls_server(certificate: tuple[str, str]) -> Iterator[OMServer]:
    server = OMServer(tls=certificate).start()
    try:
        yield server
    finally:
        server.stop()


def test_verify_ssl_validate_uses_the_given_ca(
    tls_server: OMServer, certificate: tuple[str, str]
) -> None:
    client = client_for(
        tls_server, verifySSL="validate", sslConfig={"certificatePath": certificate[0]}
    )
    assert client.version() == "1.1.7"


def test_verify_ssl_ignore_skips_the_checks(tls_server: OMServer) -> None:
    assert client_for(tls_server, verifySSL="ignore").version() == "1.1.7"


def test_the_default_verification_refuses_an_unknown_ca(tls_server: OMServer) -> None:
    with pytest.raises(OpenMetadataError) as caught:
        client_for(tls_server).version()
    assert caught.value.status is None
    assert "TLS failed" in caught.value.message
    assert "verifySSL" in caught.value.message
    assert len(tls_server.requests) == 0


def test_validate_without_a_ca_is_refused() -> None:
    config = server_config("https://127.0.0.1:1/api", "token-value", verifySSL="validate")
    with pytest.raises(OpenMetadataError, match="names no CA certificate"):
        ssl_context(config)


def test_ignore_turns_every_check_off() -> None:
    context = ssl_context(server_config("https://x/api", "t", verifySSL="ignore"))
    assert context.verify_mode is ssl.CERT_NONE
    assert context.check_hostname is False
