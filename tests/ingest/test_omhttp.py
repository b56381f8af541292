"""``omkit_sagemaker.ingest.omhttp``: the connections of the OpenMetadata client (kept alive per
thread, reopened when the server closed them, through an HTTP proxy from the environment) and
the errors without an answer (refused, timeout), against the recording test double.
"""

from __future__ import annotations

import socket

import pytest
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError

from testing.omclients import client_for, server_config
from testing.omdouble import OMServer


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
