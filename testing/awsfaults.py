"""A fault-injecting proxy in front of the moto server: a test double, not the product.

moto cannot be told to fail one call for one model, and a subprocess cannot be given a botocore
event hook, so the ``omkit run`` subprocess tests point ``endPointURL`` here instead: every
request is forwarded to moto unchanged, except the SageMaker calls chosen with :meth:`fail`,
which get an AWS JSON error answer (``{"__type": code, "message": ...}``), as SageMaker sends.
``delay`` makes every call slower, like a remote endpoint (the benchmark uses it).
``die_after`` kills "AWS" in the middle of a run: after that many requests, every connection is
reset (TCP RST), as when the moto process dies. ``answer`` replaces moto's answer to an action
(a ListModels that succeeds but lists nothing, or a made-up page with a ``NextToken``).
``rate_limit`` throttles like AWS: a token bucket of ``burst`` requests (default: one second's
worth) refilled at ``rate_limit`` per second; a request that finds it empty is answered HTTP 400
``{"__type": "ThrottlingException", "message": "Rate exceeded"}`` and not forwarded.
"""

from __future__ import annotations

import http.client
import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import urlsplit

import pytest

from testing.awsfixtures import MotoServer
from testing.httpdouble import DoubleServer
from testing.shapecheck import ServiceError, check_answer

_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length"}


@dataclass
class Fault:
    action: str
    model: str | None
    status: int
    code: str
    message: str


@dataclass
class FaultProxy:
    """Forwards to ``target`` (moto), failing what :meth:`fail` names."""

    target: str
    faults: list[Fault] = field(default_factory=list)
    #: ``X-Amz-Target`` actions seen (``DescribeModel``, ...), in order.
    actions: list[str] = field(default_factory=list)
    #: Seconds to wait before forwarding each request (to act like a remote AWS endpoint).
    delay: float = 0.0
    #: More moto servers holding the same data: requests go to ``target`` and these in turn
    #: (the benchmark uses it, so that one moto process is not the bottleneck).
    replicas: list[str] = field(default_factory=list)
    #: After this many requests, reset every connection (AWS is gone).
    die_after: int | None = None
    #: Made-up JSON answers by action (``{"ListModels": {"Models": []}}``).
    answers: dict[str, Any] = field(default_factory=dict)
    #: Answers computed from the request's JSON parameters, by action: a handler returns the
    #: JSON answer, or None to forward the request to moto (the run bench answers the Search on
    #: Model that moto lacks this way), or raises ``shapecheck.ServiceError`` (AWS's error).
    handlers: dict[str, Callable[[Any], Any]] = field(default_factory=dict)
    #: Requests per second let through (None: no limit), with bursts of ``burst`` requests.
    rate_limit: float | None = None
    burst: float | None = None
    #: Requests answered ThrottlingException, and requests let through (while limited).
    throttled: int = 0
    accepted: int = 0
    _tokens: float | None = None
    _refilled: float = 0.0
    port: int = 0
    _turn: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def fail(
        self,
        action: str,
        model: str | None = None,
        *,
        status: int = 400,
        code: str = "ValidationException",
        message: str = "injected by the test proxy",
    ) -> None:
        """Answer ``action`` (``DescribeModel``), for the model ``model`` only when given,
        with an AWS error."""
        self.faults.append(Fault(action, model, status, code, message))

    def start(self) -> FaultProxy:
        httpd = DoubleServer(("127.0.0.1", 0), _handler(self))
        self._httpd = httpd
        self.port = int(httpd.server_address[1])
        threading.Thread(
            target=lambda: httpd.serve_forever(poll_interval=0.05), daemon=True
        ).start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()

    def take_token(self) -> bool:
        """Whether a request may go through the rate limit now (a token bucket)."""
        if self.rate_limit is None:
            return True
        with self.lock:
            now = time.monotonic()
            capacity = self.burst if self.burst is not None else self.rate_limit
            if self._tokens is None:
                self._tokens, self._refilled = capacity, now
            self._tokens = min(capacity, self._tokens + (now - self._refilled) * self.rate_limit)
            self._refilled = now
            if self._tokens >= 1:
                self._tokens -= 1
                self.accepted += 1
                return True
            self.throttled += 1
            return False

    def next_backend(self) -> str:
        """The moto server for the next request (round robin over target and replicas)."""
        with self.lock:
            backends = [self.target, *self.replicas]
            self._turn = (self._turn + 1) % len(backends)
            return backends[self._turn]

    def fault_for(self, action: str, body: bytes) -> Fault | None:
        try:
            params: Any = json.loads(body) if body else {}
        except ValueError:
            params = {}
        name = params.get("ModelName") if isinstance(params, dict) else None
        for fault in self.faults:
            if fault.action == action and fault.model in (None, name):
                return fault
        return None


_JSON = [("Content-Type", "application/x-amz-json-1.1")]


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    return type("Handler", (_Handler,), {"proxy": proxy})


class _Handler(BaseHTTPRequestHandler):
    """One client connection to the proxy: each request counted, then answered by the proxy
    itself (:meth:`_local_answer`) or forwarded to moto over a kept-alive connection."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    proxy: ClassVar[FaultProxy]
    upstreams: dict[str, http.client.HTTPConnection]

    def _answer(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _forward(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        target = self.headers.get("X-Amz-Target") or ""
        action = target.rpartition(".")[2]
        proxy = self.proxy
        with proxy.lock:
            proxy.actions.append(action)
            dead = proxy.die_after is not None and len(proxy.actions) > proxy.die_after
        if dead:  # reset the connection, as a dead process's kernel does
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        local = self._local_answer(target, action, body)
        if local is not None:
            status, answer = local
            self._answer(status, _JSON, json.dumps(answer).encode())
            return
        self._answer(*self._relay(body))

    def _local_answer(self, target: str, action: str, body: bytes) -> tuple[int, Any] | None:
        """The status and JSON answer the proxy gives itself, in this order: throttled past the
        rate limit, a made-up answer, (after the delay) a handler's answer or AWS error, an
        injected fault; None to forward the request."""
        proxy = self.proxy
        if not proxy.take_token():
            return 400, {"__type": "ThrottlingException", "message": "Rate exceeded"}
        if action in proxy.answers:
            if target.startswith("SageMaker."):  # a made-up answer AWS could give
                check_answer(action, proxy.answers[action])
            return 200, proxy.answers[action]
        if proxy.delay:
            time.sleep(proxy.delay)
        handler = proxy.handlers.get(action)
        try:
            computed = handler(json.loads(body) if body else {}) if handler else None
        except ServiceError as exc:  # a request the handler refuses as AWS does
            return exc.status, exc.body()
        if computed is not None:
            return 200, computed
        fault = proxy.fault_for(action, body)
        if fault is not None:
            return fault.status, {"__type": fault.code, "message": fault.message}
        return None

    def _relay(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        """moto's answer to the request (the next backend in turn; a broken kept-alive
        connection is opened again once)."""
        headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
        backend = self.proxy.next_backend()
        for again in (False, True):
            conn = self._upstream(backend)
            try:
                conn.request(self.command, self.path, body=body, headers=headers)
                answer = conn.getresponse()
                return answer.status, answer.getheaders(), answer.read()
            except (OSError, http.client.HTTPException):
                conn.close()
                del self.upstreams[backend]
                if again:
                    raise
        raise AssertionError("unreachable")

    def setup(self) -> None:
        super().setup()
        self.upstreams = {}

    def _upstream(self, backend: str) -> http.client.HTTPConnection:
        """The kept-alive connection of this client's to ``backend``."""
        if backend not in self.upstreams:
            target = urlsplit(backend)
            self.upstreams[backend] = http.client.HTTPConnection(
                target.hostname or "127.0.0.1", target.port, timeout=60
            )
        return self.upstreams[backend]

    def finish(self) -> None:
        super().finish()
        for conn in self.upstreams.values():
            conn.close()

    do_GET = do_POST = do_PUT = do_DELETE = _forward

    def log_message(self, format: str, *args: Any) -> None:
        del format, args


@pytest.fixture
def aws_faults(moto: MotoServer) -> Iterator[FaultProxy]:
    """A :class:`FaultProxy` in front of the (emptied) moto server."""
    proxy = FaultProxy(moto.endpoint).start()
    try:
        yield proxy
    finally:
        proxy.stop()
