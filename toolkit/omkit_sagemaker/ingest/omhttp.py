"""How the OpenMetadata client talks HTTP: one attempt of a request, over kept-alive connections.

A :class:`Channel` holds, per thread, one kept-alive connection to the server (a run sends one
request per model; a new TLS connection each time would cost more than the request), or to the
proxy that ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` name, as ``requests`` (which upstream uses)
honours them (plain ``http://`` proxies, optionally with user:password). :meth:`Channel.send`
makes one attempt and sorts the outcome: a :class:`Response`, a
:class:`~omkit_sagemaker.ingest.omerrors.RetryableError` (429, 5xx, no answer), a
:class:`~omkit_sagemaker.ingest.omerrors.NotFoundError` or a final error. Retries, deadlines and
the API calls live in :mod:`omkit_sagemaker.ingest.openmetadata`. Only the standard library is
used (``http.client`` and ``ssl``).
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import logging
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from omkit_sagemaker.base.masking import url_without_userinfo
from omkit_sagemaker.ingest.omcredentials import ssl_context
from omkit_sagemaker.ingest.omerrors import (
    NotFoundError,
    OpenMetadataError,
    RetryableError,
    Stopped,
    failure_reason,
    status_hint,
)
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection

log = logging.getLogger("omkit.openmetadata")

#: Statuses worth another attempt: throttling and server-side failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: The largest answer body read (a listing page of 1000 models is a few MB).
MAX_BODY = 16 * 1024 * 1024
#: The shortest attempt worth starting near the deadline (seconds).
MIN_ATTEMPT = 0.05
#: Errors of a kept-alive connection the server had closed meanwhile.
STALE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, http.client.BadStatusLine)


@dataclass(frozen=True)
class Response:
    """A successful answer: its status (200, 201, ...) and its decoded JSON body (None if empty)."""

    status: int
    body: Any


class Channel:
    """The connections of one client to the server at ``base_url`` (``hostPort/apiVersion``).
    Safe to use from several threads at once: each has its own connection.

    Raises :class:`OpenMetadataError` at construction when ``base_url`` is not an http(s) URL or
    the TLS files of ``config`` cannot be loaded.
    """

    def __init__(self, config: OpenMetadataConnection, base_url: str, timeout: float) -> None:
        self.timeout = timeout
        #: The base URL as shown in messages and logs (no ``user:password@``).
        self.shown_url = url_without_userinfo(base_url)
        try:
            parts = urllib.parse.urlsplit(base_url)
            port = parts.port
        except ValueError:
            parts, port = urllib.parse.urlsplit(""), None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OpenMetadataError(
                None, f"hostPort {config.hostPort!r} is not an http:// or https:// URL"
            )
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._context = ssl_context(config) if self._https else None
        self._proxy = proxy_for(parts.scheme, self._host)
        self._local = threading.local()
        #: Why the channel was stopped (:meth:`stop`); None while it works.
        self.stopped: str | None = None
        self._open: set[http.client.HTTPConnection] = set()
        self._open_lock = threading.Lock()

    def target(self, path: str, params: Mapping[str, Any] | None) -> str:
        """The request target of ``path`` with the query ``params`` (None values left out)."""
        target = self._prefix + urllib.parse.quote(path, safe="/%:@!$&'()*+,;=-._~")
        if params:
            target += "?" + urllib.parse.urlencode(
                {k: _param(v) for k, v in params.items() if v is not None}
            )
        if self._proxy is not None and not self._https:  # a plain-HTTP proxy wants the URL
            target = f"http://{self._host}:{self._port}{target}"
        return target

    def stop(self, reason: str) -> None:
        """Fail every attempt from now on, and shut down the sockets of the ones in flight."""
        self.stopped = reason
        with self._open_lock:
            connections = list(self._open)
        for conn in connections:
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)

    def close(self) -> None:
        """Close this thread's connection (the others close when their threads end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            with self._open_lock:
                self._open.discard(conn)

    def _connection(self) -> http.client.HTTPConnection:
        """This thread's kept-alive connection to the server (or the proxy)."""
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is None:
            host, port = (self._host, self._port) if self._proxy is None else self._proxy[:2]
            if self._https:
                conn = http.client.HTTPSConnection(
                    host, port, timeout=self.timeout, context=self._context
                )
                if self._proxy is not None:
                    auth = self._proxy[2]
                    tunnel_headers = {"Proxy-Authorization": auth} if auth else None
                    conn.set_tunnel(self._host, self._port, headers=tunnel_headers)
            else:
                conn = http.client.HTTPConnection(host, port, timeout=self.timeout)
            self._local.conn = conn
            with self._open_lock:
                self._open.add(conn)
        return conn

    def send(
        self,
        method: str,
        target: str,
        data: bytes | None,
        what: str,
        headers: Mapping[str, str],
        seconds: float,
    ) -> Response:
        """One attempt of ``method target`` with the body ``data``, within ``seconds``; ``what``
        names the request in messages and the debug log."""
        headers = dict(headers)
        if self._proxy is not None and self._proxy[2] and not self._https:
            headers["Proxy-Authorization"] = self._proxy[2]
        started = time.monotonic()
        try:
            response = self._exchange(method, target, data, what, headers, seconds)
        except OpenMetadataError as exc:
            if log.isEnabledFor(logging.DEBUG):
                answer = f"HTTP {exc.status}" if exc.status is not None else "no answer"
                elapsed = time.monotonic() - started
                log.debug("OpenMetadata %s -> %s (%.3f s)", what, answer, elapsed)
            raise
        if log.isEnabledFor(logging.DEBUG):
            elapsed = time.monotonic() - started
            log.debug("OpenMetadata %s -> HTTP %d (%.3f s)", what, response.status, elapsed)
        return response

    def _exchange(
        self,
        method: str,
        target: str,
        data: bytes | None,
        what: str,
        headers: dict[str, str],
        seconds: float,
    ) -> Response:
        for again in (False, True):
            conn = self._connection()
            reused = conn.sock is not None
            conn.timeout = max(MIN_ATTEMPT, min(self.timeout, seconds))  # within the deadline
            if conn.sock is not None:
                conn.sock.settimeout(conn.timeout)
            try:
                if not reused:
                    self._connect(conn, what)
                conn.request(method, target, body=data, headers=headers)
                answer = conn.getresponse()
                status = int(answer.status)
                raw = self._read_body(answer, what)
                break
            except ssl.SSLError as exc:
                self.close()
                reason = failure_reason(exc)
                message = f"{what}: TLS failed ({reason}); check verifySSL and sslConfig"
                raise OpenMetadataError(None, message) from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if self.stopped is not None:  # stop() shut the socket down
                    raise Stopped(f"{what}: not answered: {self.stopped}") from None
                if reused and not again and isinstance(exc, STALE):
                    continue  # the server closed an idle kept-alive connection: once more
                message = f"{what}: no answer from {self.shown_url} ({failure_reason(exc)})"
                raise RetryableError(None, message) from None
        return _answer(status, raw, answer, what)

    def _connect(self, conn: http.client.HTTPConnection, what: str) -> None:
        """Open ``conn``; a refusal or timeout is a retryable error, a TLS failure is not."""
        try:
            conn.connect()
        except ssl.SSLError:
            raise
        except OSError as exc:
            self.close()
            message = f"{what}: cannot reach {self.shown_url} ({failure_reason(exc)})"
            raise RetryableError(None, message) from None
        if self.stopped is not None:  # stopped while connecting
            self.close()
            raise Stopped(f"{what}: not sent: {self.stopped}")

    def _read_body(self, answer: http.client.HTTPResponse, what: str) -> bytes:
        """The body of ``answer``, at most :data:`MAX_BODY` bytes; a longer one is an error
        (not retried), a body shorter than its ``Content-Length`` is a failed attempt."""
        declared = answer.getheader("Content-Length")
        if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
            self.close()
            raise OpenMetadataError(
                answer.status, f"{what}: the answer is larger than {MAX_BODY >> 20} MiB"
            )
        raw = answer.read(MAX_BODY + 1)
        if len(raw) > MAX_BODY:
            self.close()
            raise OpenMetadataError(
                answer.status, f"{what}: the answer is larger than {MAX_BODY >> 20} MiB"
            )
        if answer.length:  # the server closed before the whole declared body came
            raise http.client.IncompleteRead(raw, answer.length)
        if not answer.isclosed():
            answer.read()  # nothing left, but let the connection be reused
        return raw


def _answer(status: int, raw: bytes, answer: http.client.HTTPResponse, what: str) -> Response:
    """The :class:`Response` of a status and body that came back, or the error they mean."""
    if status >= 400:
        decoded, message = _error_message(raw)
        text = f"{what}: HTTP {status}" + (f" {message}" if message else "")
        if status == 404 and isinstance(decoded, dict) and decoded.get("code") == 404:
            raise NotFoundError(status, text)
        if status in RETRY_STATUSES:
            raise RetryableError(status, text, _retry_after(answer.headers))
        raise OpenMetadataError(status, text, status_hint(status))
    if not raw:
        return Response(status, None)
    try:
        return Response(status, json.loads(raw))
    except ValueError:
        raise OpenMetadataError(status, f"{what}: the answer is not JSON") from None


def proxy_for(scheme: str, host: str) -> tuple[str, int, str | None] | None:
    """``(host, port, Proxy-Authorization)`` of the proxy the environment names for ``scheme``
    (``HTTP_PROXY``/``HTTPS_PROXY``, minus ``NO_PROXY``), as requests (upstream) uses them."""
    proxy = urllib.request.getproxies().get(scheme)
    if not proxy or urllib.request.proxy_bypass(host):
        return None
    parts = urllib.parse.urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    try:
        port = parts.port or 80
    except ValueError:
        port = 0
    if parts.scheme != "http" or not parts.hostname or not port:
        log.warning("the %s proxy is not an http:// URL: connecting directly", scheme)
        return None
    auth = None
    if parts.username is not None:
        pair = (
            f"{urllib.parse.unquote(parts.username)}:{urllib.parse.unquote(parts.password or '')}"
        )
        auth = "Basic " + base64.b64encode(pair.encode()).decode()
    return parts.hostname, port, auth


def _error_message(body: bytes) -> tuple[Any, str]:
    """The decoded JSON body of an error answer (or None) and its ``message`` (or a snippet)."""
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("message"), str):
        return data, data["message"]
    text = body.decode("utf-8", "replace").strip().replace("\n", " ")
    return data, text[:200]


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _retry_after(headers: Any) -> float | None:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None
