"""The OpenMetadata REST client (omkit_sagemaker.ingest.openmetadata) against the recording test
double.

Headers and token sources, 404 handling, paging, retries (429, 5xx, dropped connections), errors
without answers (refused, timeout), TLS (verifySSL ignore/validate/no-ssl with a real HTTPS
double), and that no message ever holds the token.
"""

from __future__ import annotations

import time

import pytest
from omkit_sagemaker.ingest.openmetadata import (
    OpenMetadataClient,
    OpenMetadataError,
    Stopped,
)

from testing.omclients import client_for, server_config
from testing.omdouble import OMServer


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


def test_a_missing_version_is_an_error(om_server: OMServer) -> None:
    om_server.fail("GET", "/api/v1/system/version", status=200, body={"revision": "x"})
    with pytest.raises(OpenMetadataError, match="cannot find the server version"):
        client_for(om_server).version()


def test_the_client_is_safe_to_share_between_threads(om_server: OMServer) -> None:
    from concurrent.futures import ThreadPoolExecutor

    client = client_for(om_server)
    with ThreadPoolExecutor(8) as pool:
        assert set(pool.map(lambda _: client.version(), range(40))) == {"1.1.7"}


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
