"""The OpenMetadata REST client (omkit_sagemaker.ingest.openmetadata) against the recording test
double.

Headers and token sources, 404 handling, paging, retries (429, 5xx, dropped connections), errors
without answers (refused, timeout), TLS (verifySSL ignore/validate/no-ssl with a real HTTPS
double), and that no message ever holds the token.
"""

from __future__ import annotations

import shutil
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest.openmetadata import (
    NO_TOKEN,
    OpenMetadataClient,
    OpenMetadataError,
    Stopped,
    ssl_context,
)
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection

from testing.omdouble import OMServer


def server_config(url: str, token: str | None = None, **extra: Any) -> OpenMetadataConnection:
    doc: dict[str, Any] = {"hostPort": url, **extra}
    if token is not None:
        doc.setdefault("authProvider", "openmetadata")
        doc["securityConfig"] = {"jwtToken": token}
    return OpenMetadataConnection.from_dict(doc)


def client_for(
    om: OMServer, token: str | None = None, *, retries: int = 3, timeout: float = 5.0, **extra: Any
) -> OpenMetadataClient:
    config = server_config(om.url, om.token if token is None else token, **extra)
    return OpenMetadataClient(config, timeout=timeout, retries=retries, backoff=0.0)


def test_version_and_the_headers_of_every_request(om_server: OMServer) -> None:
    client = client_for(om_server)
    assert client.version() == "1.1.7"
    assert client.get("/services/mlmodelServices/name/nothing") is None
    (version, get) = om_server.requests
    assert (version.method, version.path) == ("GET", "/api/v1/system/version")
    assert get.path == "/api/v1/services/mlmodelServices/name/nothing"
    for request in (version, get):
        assert request.headers["authorization"] == f"Bearer {om_server.token}"
        assert request.headers["content-type"] == "application/json"


def test_api_version_and_a_trailing_slash_make_the_base_url(om_server: OMServer) -> None:
    config = server_config(om_server.url + "/", om_server.token, apiVersion="v1")
    assert OpenMetadataClient(config).version() == "1.1.7"


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


def test_a_wrong_token_is_a_401_with_a_clear_message_and_no_retry(om_server: OMServer) -> None:
    client = client_for(om_server, "wrong-token-value")
    assert client.version() == "1.1.7"  # the version endpoint needs no token (as upstream)
    with pytest.raises(OpenMetadataError) as caught:
        client.get("/services/mlmodelServices/name/svc")
    assert caught.value.status == 401
    assert "securityConfig.jwtToken" in caught.value.hint
    assert "securityConfig.jwtToken" in str(caught.value)
    assert "wrong-token-value" not in str(caught.value)
    assert len(om_server.calls("GET", "/api/v1/services/.*")) == 1


def test_a_404_without_a_code_is_an_error_not_a_missing_entity(om_server: OMServer) -> None:
    om_server.fail("GET", "/api/v1/mlmodels/name/.*", status=404, body={"error": "proxy says no"})
    with pytest.raises(OpenMetadataError) as caught:
        client_for(om_server).get("/mlmodels/name/svc.m")
    assert caught.value.status == 404
    assert client_for(om_server).get("/mlmodels/name/svc.m") is None  # code: 404 -> None


def test_put_get_delete_and_paging(om_server: OMServer) -> None:
    client = client_for(om_server)
    body = {"name": "svc", "serviceType": "SageMaker", "connection": {}}
    service = client.put("/services/mlmodelServices", body)
    assert service["fullyQualifiedName"] == "svc"
    for i in range(7):
        client.put("/mlmodels", {"name": f"m{i}", "algorithm": "mlmodel", "service": "svc"})
    om_server.max_page = 3
    listed = list(client.list_all("/mlmodels", {"limit": 1000, "service": "svc"}))
    assert [m["name"] for m in listed] == [f"m{i}" for i in range(7)]
    pages = om_server.calls("GET", "/api/v1/mlmodels")
    assert len(pages) == 3
    assert "after" not in pages[0].query
    assert pages[1].query["after"]
    assert pages[1].query["limit"] == "1000"
    client.delete(f"/mlmodels/{listed[0]['id']}", {"recursive": True, "hardDelete": False})
    assert om_server.requests[-1].query == {"recursive": "true", "hardDelete": "false"}
    assert om_server.models["svc.m0"]["deleted"] is True
    assert client.get("/mlmodels/name/svc.m0") is None


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504])
def test_throttling_and_server_errors_are_retried(om_server: OMServer, status: int) -> None:
    om_server.fail("GET", "/api/v1/system/version", status=status, times=2)
    assert client_for(om_server).version() == "1.1.7"
    assert len(om_server.calls("GET", "/api/v1/system/version")) == 3


def test_retries_are_bounded(om_server: OMServer) -> None:
    om_server.fail("GET", "/api/v1/system/version", status=500, times=-1)
    with pytest.raises(OpenMetadataError) as caught:
        client_for(om_server, retries=2).version()
    assert caught.value.status == 500
    assert "GET /system/version: HTTP 500" in caught.value.message
    assert len(om_server.calls()) == 3


def test_retry_after_is_honoured(om_server: OMServer) -> None:
    om_server.fail("GET", "/api/v1/system/version", status=429, times=1, retry_after=0.3)
    started = time.monotonic()
    client_for(om_server).version()
    assert time.monotonic() - started >= 0.3


def test_client_errors_are_not_retried(om_server: OMServer) -> None:
    with pytest.raises(OpenMetadataError) as caught:
        client_for(om_server).put("/mlmodels", {"name": "m", "unknown": 1})
    assert caught.value.status == 400
    assert 'Unrecognized field "unknown"' in caught.value.message
    assert len(om_server.calls("PUT")) == 1


def test_a_dropped_connection_is_retried(om_server: OMServer) -> None:
    om_server.fail("GET", "/api/v1/system/version", drop=True, times=1)
    assert client_for(om_server).version() == "1.1.7"


def test_no_answer_at_all_has_no_status(om_server: OMServer) -> None:
    om_server.fail("GET", "/api/v1/system/version", drop=True, times=-1)
    with pytest.raises(OpenMetadataError) as caught:
        client_for(om_server, retries=1).version()
    assert caught.value.status is None
    assert "no answer" in caught.value.message


def test_a_refused_connection_has_no_status() -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = server_config(f"http://127.0.0.1:{port}/api", "token-value")
    with pytest.raises(OpenMetadataError) as caught:
        OpenMetadataClient(config, retries=1, backoff=0).version()
    assert caught.value.status is None
    assert "cannot reach" in caught.value.message


def test_a_timeout_has_no_status(om_server: OMServer) -> None:
    om_server.latency = 0.5
    with pytest.raises(OpenMetadataError) as caught:
        client_for(om_server, retries=0, timeout=0.1).version()
    assert caught.value.status is None
    assert "timed out" in caught.value.message


def test_a_missing_version_is_an_error(om_server: OMServer) -> None:
    om_server.fail("GET", "/api/v1/system/version", status=200, body={"revision": "x"})
    with pytest.raises(OpenMetadataError, match="cannot find the server version"):
        client_for(om_server).version()


def test_the_client_is_safe_to_share_between_threads(om_server: OMServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = client_for(om_server)
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(lambda _: client.version(), range(40))) == {"1.1.7"}


# ---- TLS ---------------------------------------------------------------------------------------


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


# ---- connections -------------------------------------------------------------------------------


def test_a_thread_keeps_its_connection_alive(om_server: OMServer) -> None:
    client = client_for(om_server)
    for _ in range(3):
        client.version()
    assert len({r.peer for r in om_server.requests}) == 1


def test_a_connection_the_server_closed_is_reopened_without_a_retry(om_server: OMServer) -> None:
    om_server.close_after_answer = True
    client = client_for(om_server, retries=0)  # no retries: the reconnection is not one
    for _ in range(3):
        assert client.version() == "1.1.7"
    assert len(om_server.requests) == 3
    assert len({r.peer for r in om_server.requests}) == 3


def test_an_http_proxy_from_the_environment_is_used(
    om_server: OMServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", f"http://user:pa%40ss@127.0.0.1:{om_server.port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    config = server_config("http://openmetadata.invalid:8585/api", om_server.token)
    client = OpenMetadataClient(config, retries=0)
    assert client.version() == "1.1.7"  # the double answers as if it were the proxy
    request = om_server.requests[-1]
    assert request.path == "/api/v1/system/version"
    assert request.headers["host"] == "openmetadata.invalid:8585"
    assert request.headers["proxy-authorization"] == "Basic dXNlcjpwYUBzcw=="  # user:pa@ss


def test_no_proxy_bypasses_the_proxy(om_server: OMServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    assert client_for(om_server).version() == "1.1.7"


def test_a_host_port_that_is_not_a_url_is_refused() -> None:
    with pytest.raises(OpenMetadataError, match="is not an http:// or https:// URL"):
        OpenMetadataClient(server_config("localhost:8585/api", "token-value"))


# ---- what stops requests from outside (issue 25, points 3 and 4) -------------------------------


class _Budget:
    """A gate that closes after ``limit`` failed attempts (as the sink's circuit breaker)."""

    def __init__(self, limit: int) -> None:
        self.limit, self.failed = limit, 0
        self.tripped: str | None = None

    def attempt_failed(self, status: int | None, message: str) -> None:
        self.failed += 1
        if self.failed >= self.limit:
            self.tripped = f"{self.failed} failures in a row"


def test_a_gate_that_closes_stops_the_retries(om_server: OMServer) -> None:
    om_server.fail("PUT", "/api/v1/mlmodels", status=503, times=-1)
    gate = _Budget(2)
    with pytest.raises(Stopped) as caught:
        client_for(om_server, retries=5).request("PUT", "/mlmodels", body={}, gate=gate)
    assert str(caught.value) == "PUT /mlmodels: not sent: 2 failures in a row"
    assert len(om_server.calls("PUT")) == 2  # not the 6 tries the retries allow
    with pytest.raises(Stopped):  # and, once closed, nothing goes out
        client_for(om_server).request("PUT", "/mlmodels", body={}, gate=gate)
    assert len(om_server.calls("PUT")) == 2


def test_stop_cuts_a_request_that_waits_for_an_answer(om_server: OMServer) -> None:
    import threading

    om_server.fail("GET", "/api/v1/system/version", hang=60.0, times=-1)
    client = client_for(om_server, timeout=30.0)
    errors: list[BaseException] = []

    def call() -> None:
        try:
            client.version()
        except BaseException as exc:
            errors.append(exc)

    worker = threading.Thread(target=call, daemon=True)
    worker.start()
    while not om_server.calls("GET", "/api/v1/system/version"):
        time.sleep(0.01)
    client.stop("stopped by SIGINT")
    worker.join(timeout=10)  # a guard against a hang, not a speed check
    assert not worker.is_alive()
    assert [str(e) for e in errors] == ["GET /system/version: not answered: stopped by SIGINT"]
    assert len(om_server.calls("GET", "/api/v1/system/version")) == 1  # no retry
    with pytest.raises(Stopped, match="not sent: stopped by SIGINT"):
        client.get("/mlmodels")
    assert len(om_server.requests) == 1


def test_a_call_gives_up_at_its_deadline_whatever_the_retries(om_server: OMServer) -> None:
    om_server.fail("GET", "/api/v1/system/version", hang=5.0, times=-1)
    client = client_for(om_server, retries=10, timeout=0.4)
    with pytest.raises(OpenMetadataError, match=r"\(timed out\)"):
        client.version()
    # 2 x 0.4 s in all: two attempts fit, not the 11 the retries allow
    assert len(om_server.calls("GET", "/api/v1/system/version")) == 2
