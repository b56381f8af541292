"""The OpenMetadata double as an HTTP server: :class:`OMServer` listens on 127.0.0.1, records
every request, applies the fault switches, and answers through the endpoints; the ``om_server``
fixture and :func:`sent_models`."""

from __future__ import annotations

import json
import re
import socket
import ssl
import struct
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

from testing.httpdouble import DoubleServer
from testing.omdouble.endpoints import Endpoints
from testing.omdouble.faults import FaultSwitches, RawAnswer
from testing.omdouble.shapes import _Reply
from testing.omdouble.state import Recorded


class OMServer(Endpoints, FaultSwitches):
    """The recording OpenMetadata double (see the package doc): its state and settings
    (:class:`~testing.omdouble.state.State`), entities, endpoints and fault switches, served
    over HTTP. ``url`` is a ``hostPort`` (it ends in ``/api``)."""

    def start(self) -> OMServer:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        httpd = DoubleServer(("127.0.0.1", 0), _make_handler(self))
        if self.tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*self.tls)
            httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
        self._httpd = httpd
        self.port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=lambda: httpd.serve_forever(poll_interval=0.05), name="omdouble", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    # ---- recording ---------------------------------------------------------------------------

    def calls(self, method: str | None = None, path: str | None = None) -> list[Recorded]:
        """The recorded requests, optionally only those with ``method`` and whose path matches
        the regular expression ``path`` (whole path)."""
        with self.lock:
            found = list(self.requests)
        return [
            r
            for r in found
            if (method is None or r.method == method)
            and (path is None or re.fullmatch(path, r.path) is not None)
        ]

    def clear_requests(self) -> None:
        """Forget the recorded requests (the entities stay)."""
        with self.lock:
            self.requests.clear()

    # ---- request handling (called by the handler) -------------------------------------------

    def handle(
        self, method: str, raw_path: str, headers: dict[str, str], raw_body: bytes, peer: int = 0
    ) -> tuple[int, Any, dict[str, str]] | None:
        """Answer one request: ``(status, JSON body, extra headers)``, or None to drop the
        connection."""
        parts = urlsplit(raw_path)
        path = unquote(parts.path)
        query = dict(parse_qsl(parts.query, keep_blank_values=True))
        body: Any = None
        bad_json = False
        if raw_body:
            try:
                body = json.loads(raw_body)
            except ValueError:
                body, bad_json = raw_body.decode("utf-8", "replace"), True
        with self.lock:
            self.requests.append(Recorded(method, path, query, body, headers, peer))
        if self.latency:
            time.sleep(self.latency)
        with self.lock:
            failure = self._take_failure(method, path, body)
        if failure is not None:
            if failure.hang:
                time.sleep(failure.hang)
            if failure.drop:
                return None
            extra = {}
            if failure.retry_after is not None:
                extra["Retry-After"] = str(failure.retry_after)
            if failure.reset or failure.raw is not None or failure.truncate:
                data = failure.raw if failure.raw is not None else b'{"id": "cut short'
                answer = RawAnswer(data, failure.content_type, failure.reset, failure.truncate)
                return failure.status, answer, extra
            if failure.body is not None:
                return failure.status, failure.body, extra
            return failure.status, {"code": failure.status, "message": failure.message}, extra
        with self.lock:
            try:
                if not path.startswith("/api/v1/"):
                    raise _Reply(404, "HTTP 404 Not Found")
                route = path[len("/api/v1") :]
                if route != "/system/version" or self.version_needs_auth:
                    self._check_token(headers)
                if bad_json:
                    raise _Reply(400, "Unable to process JSON")
                status, answer = self._route(method, route, query, body)
                return status, answer, {}
            except _Reply as reply:
                return reply.status, {"code": reply.status, "message": reply.message}, {}


def _make_handler(server: OMServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        disable_nagle_algorithm = True

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            peer = int(self.client_address[1])
            answer = server.handle(self.command, self.path, headers, raw, peer)
            if answer is None:  # drop the connection without an answer
                self.close_connection = True
                return
            status, body, extra = answer
            fault = body if isinstance(body, RawAnswer) else None
            if fault is not None and fault.reset:  # RST: close with a zero linger time
                self.connection.setsockopt(
                    socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0)
                )
                self.close_connection = True
                return
            data = fault.data if fault is not None else json.dumps(body).encode()
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Type", fault.content_type if fault else "application/json")
            declared = len(data) + (1000 if fault is not None and fault.truncate else 0)
            self.send_header("Content-Length", str(declared))
            self.end_headers()
            self.wfile.write(data)
            if server.close_after_answer or (fault is not None and fault.truncate):
                self.close_connection = True

        do_GET = do_PUT = do_POST = do_DELETE = do_PATCH = _serve

        def log_message(self, format: str, *args: Any) -> None:
            del format, args  # quiet

    return Handler


@pytest.fixture
def om_server() -> Iterator[OMServer]:
    """A fresh recording OpenMetadata double on 127.0.0.1 (see :class:`OMServer`)."""
    server = OMServer().start()
    try:
        yield server
    finally:
        server.stop()


def sent_models(om: OMServer) -> dict[str, Any]:
    """The model bodies sent, by name, without the ``sourceHash`` a 2.x server gets with each
    (that hash has its own tests: tests/ingest/sinks/test_metadata_rest.py)."""
    sent = [c.body for c in om.calls("PUT", "/api/v1/mlmodels")]
    for call in om.calls("PUT", "/api/v1/mlmodels/bulk"):
        sent.extend(call.body)
    found: dict[str, Any] = {}
    for body in sent:
        assert ("sourceHash" in body) == (om.version >= "2"), body
        found[body["name"]] = {k: v for k, v in body.items() if k != "sourceHash"}
    return found
