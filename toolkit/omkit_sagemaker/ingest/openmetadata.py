"""A small client of the OpenMetadata REST API, built from the typed ``openMetadataServerConfig``.

It does what the ingestion runner's client does for the calls a SageMaker ingestion needs (facts
§3.6, §6): every request goes to ``hostPort + "/" + apiVersion + path`` with
``Authorization: Bearer <jwt>`` and ``Content-type: application/json``; a GET answered 404 with a
JSON body holding ``code: 404`` means "not there" (``None``); ``verifySSL``/``sslConfig`` choose
the TLS checks; ``extraHeaders`` are added. Unlike the runner, it retries 429, 5xx and connection
errors a few times with a short exponential backoff rather than waiting 30 s per attempt, and
within a total deadline per call (:data:`CALL_DEADLINE` times the timeout, retries and waits
included), so a server that stops answering costs about twice the timeout, not six times.

Two things stop requests from outside (:mod:`omkit_sagemaker.ingest.stopping`): a ``Gate`` given
with a request (the sink's circuit breaker) is asked before each attempt, retries included, and
told of each failed attempt, so a failure budget bounds what goes out; and
:meth:`OpenMetadataClient.stop` (a signal, through a ``Cancel``) fails every request at once, the
ones waiting for an answer too (their sockets are shut down), so Ctrl-C ends a run stuck on a
silent server in well under a second.

Only the standard library is used (``http.client`` and ``ssl``): the calls are few and simple,
and it keeps ``requests`` out of omkit's dependencies. Each thread keeps its connection alive
between requests (a run sends one request per model; a new TLS connection each time would cost
more than the request), and ``HTTP_PROXY``/``HTTPS_PROXY``/``NO_PROXY`` are honoured as by
``requests``, which upstream uses (plain ``http://`` proxies, optionally with user:password).

Secrets (the JWT, SSL key material) are read from :class:`~omkit_sagemaker.spec.modelbase.Secret`
values only
to build the request headers and TLS context; no message of :class:`OpenMetadataError` contains
them.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import json
import logging
import random
import socket
import ssl
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omkit_sagemaker.base.masking import url_without_userinfo
from omkit_sagemaker.ingest import stopping
from omkit_sagemaker.ingest.stopping import Gate
from omkit_sagemaker.spec.models.open_metadata_connection import (
    AuthProvider,
    OpenMetadataConnection,
)
from omkit_sagemaker.spec.models.open_metadata_jwt_client_config import OpenMetadataJWTClientConfig
from omkit_sagemaker.spec.models.verify_ssl_config import VerifySSL

log = logging.getLogger("omkit.openmetadata")

#: Statuses worth another attempt: throttling and server-side failures.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
#: Longest wait between two attempts, whatever the backoff or a Retry-After header say.
MAX_WAIT = 10.0
#: The largest answer body read (a listing page of 1000 models is a few MB).
MAX_BODY = 16 * 1024 * 1024
#: The most pages a listing may have (1000 models each): a server that never stops is an error.
MAX_PAGES = 10_000
#: A call's total deadline, retries and waits included, in timeouts: a silent server costs a
#: call at most this many times ``--timeout``.
CALL_DEADLINE = 2.0
#: The shortest attempt worth starting near the deadline (seconds).
MIN_ATTEMPT = 0.05
#: Sent as the token by the providers that have none (``no-auth``, and upstream's fallback for
#: ``basic``, ``ldap``, ``saml``).
NO_TOKEN = "no_token"
#: Providers that fetch a token from an identity provider; omkit does not implement them.
_SSO_PROVIDERS = frozenset(
    {
        AuthProvider.GOOGLE,
        AuthProvider.OKTA,
        AuthProvider.AUTH0,
        AuthProvider.AZURE,
        AuthProvider.CUSTOM_OIDC,
        AuthProvider.AWS_COGNITO,
    }
)


class OpenMetadataError(Exception):
    """A request that failed: ``status`` is the HTTP status (None when no answer came back:
    connection refused, timeout, TLS failure), ``message`` says what happened in one line and
    ``hint`` (possibly empty) what to do about it; ``str()`` gives both."""

    def __init__(self, status: int | None, message: str, hint: str = "") -> None:
        super().__init__(f"{message} ({hint})" if hint else message)
        self.status = status
        self.message = message
        self.hint = hint


class Stopped(OpenMetadataError):
    """A request not sent, or cut short, because the client was stopped or its :class:`Gate`
    is closed (``message`` says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


@dataclass(frozen=True)
class Response:
    """A successful answer: its status (200, 201, ...) and its decoded JSON body (None if empty)."""

    status: int
    body: Any


def bearer_token(config: OpenMetadataConnection) -> str:
    """The token sent as ``Authorization: Bearer``, as the runner chooses it (facts §3.6)."""
    provider = config.authProvider
    if provider in _SSO_PROVIDERS:
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


class OpenMetadataClient:
    """Calls of the OpenMetadata REST API (``hostPort`` ends in ``/api``; paths start with ``/``,
    e.g. ``/mlmodels``). Safe to use from several threads at once.

    ``timeout`` bounds each attempt (connect, and each wait for an answer); a request is tried
    ``1 + retries`` times when it gets 429, 5xx or no answer, waiting ``backoff * 2**attempt``
    seconds (plus jitter, at most :data:`MAX_WAIT`; a ``Retry-After`` header is honoured within
    that bound) between attempts, all within :data:`CALL_DEADLINE` times ``timeout`` from the
    start of the call: no attempt or wait goes past it.

    Raises :class:`OpenMetadataError` at construction when the config cannot give credentials
    (an SSO ``authProvider``, a missing JWT) or the TLS files cannot be loaded.
    """

    def __init__(
        self,
        server_config: OpenMetadataConnection,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.config = server_config
        self.timeout = timeout
        self.retries = max(0, retries)
        self.backoff = max(0.0, backoff)
        self.base_url = f"{server_config.hostPort.rstrip('/')}/{server_config.apiVersion}"
        #: The base URL as shown in messages and logs (no ``user:password@``).
        self.shown_url = url_without_userinfo(self.base_url)
        self.max_pages = MAX_PAGES
        headers = {
            "Authorization": f"Bearer {bearer_token(server_config)}",
            "Content-type": "application/json",
            "Accept": "application/json",
        }
        for name, value in (server_config.extraHeaders or {}).items():
            try:  # "%(Authorization)s" copies another header, as upstream allows
                headers[name] = value % headers
            except (KeyError, ValueError, TypeError):
                headers[name] = value
        self._headers = headers
        try:
            parts = urllib.parse.urlsplit(self.base_url)
            port = parts.port
        except ValueError:
            parts, port = urllib.parse.urlsplit(""), None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise OpenMetadataError(
                None, f"hostPort {server_config.hostPort!r} is not an http:// or https:// URL"
            )
        self._https = parts.scheme == "https"
        self._host = parts.hostname
        self._port = port or (443 if self._https else 80)
        self._prefix = parts.path.rstrip("/")
        self._context = ssl_context(server_config) if self._https else None
        self._proxy = _proxy_for(parts.scheme, self._host)
        self._local = threading.local()
        #: Why the client was stopped (:meth:`stop`); None while it works.
        self.stopped: str | None = None
        self._wake = threading.Event()
        self._open: set[http.client.HTTPConnection] = set()
        self._open_lock = threading.Lock()
        stopping.enrol(self)  # stopped with the runs of a signal (runs side by side)

    def stop(self, reason: str) -> None:
        """Fail every request from now on with :class:`Stopped` (``reason``), and the ones in
        flight at once: their sockets are shut down, their waits between attempts cut short."""
        self.stopped = reason
        self._wake.set()
        with self._open_lock:
            connections = list(self._open)
        for conn in connections:
            sock = conn.sock
            if sock is not None:
                with contextlib.suppress(OSError):  # already closed
                    sock.shutdown(socket.SHUT_RDWR)

    # ---- the API used by the rest of omkit -----------------------------------------------------

    def version(self) -> str:
        """The server's version (``GET /system/version`` -> ``version``)."""
        body = self.request("GET", "/system/version").body
        if not isinstance(body, dict) or not isinstance(body.get("version"), str):
            raise OpenMetadataError(
                200, "cannot find the server version in the answer to GET /system/version"
            )
        return str(body["version"])

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> Any | None:
        """The JSON body of ``GET path``; None when the server says it does not exist (a 404
        whose JSON body has ``code: 404``)."""
        try:
            return self.request("GET", path, params).body
        except _NotFound:
            return None

    def put(self, path: str, body: Any, *, gate: Gate | None = None) -> Any:
        """The JSON body of the answer to ``PUT path`` with ``body`` (create or update)."""
        return self.request("PUT", path, body=body, gate=gate).body

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> None:
        """``DELETE path``."""
        self.request("DELETE", path, params)

    def list_all(self, path: str, params: Mapping[str, Any]) -> Iterator[dict[str, Any]]:
        """Every item of a paged listing (``{"data": [...], "paging": {"after": ...}}``),
        requesting the next page with ``after=<cursor>`` while the server gives one.

        Bounded: a cursor the server gave before, more than :attr:`max_pages` pages, an answer
        that is not a listing or an entry that is not an object raise
        :class:`OpenMetadataError` (the caller must then not trust what it got so far)."""
        query = dict(params)
        seen: set[str] = set()
        for number in range(1, self.max_pages + 1):
            page = self.request("GET", path, query).body
            if not isinstance(page, dict) or not isinstance(page.get("data"), list):
                raise OpenMetadataError(200, f"GET {path}: the answer is not a listing")
            for item in page["data"]:
                if not isinstance(item, dict):
                    raise OpenMetadataError(
                        200, f"GET {path}: page {number} of the listing holds a non-object entry"
                    )
                yield item
            paging = page.get("paging")
            after = paging.get("after") if isinstance(paging, dict) else None
            if not after:
                return
            if not isinstance(after, str) or after in seen:
                raise OpenMetadataError(
                    200,
                    f"GET {path}: the server repeated the paging cursor on page {number}; "
                    "the listing was stopped",
                )
            seen.add(after)
            query["after"] = after
        raise OpenMetadataError(
            200, f"GET {path}: the listing has more than {self.max_pages} pages; it was stopped"
        )

    # ---- the machinery ---------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        gate: Gate | None = None,
    ) -> Response:
        """Send one request (with retries, within the call's deadline) and return the answer;
        raises :class:`OpenMetadataError` for an error status or when no answer came back, and
        :class:`Stopped` when the client is stopped or ``gate`` closes before an attempt."""
        target = self._prefix + urllib.parse.quote(path, safe="/%:@!$&'()*+,;=-._~")
        if params:
            target += "?" + urllib.parse.urlencode(
                {k: _param(v) for k, v in params.items() if v is not None}
            )
        if self._proxy is not None and not self._https:  # a plain-HTTP proxy wants the URL
            target = f"http://{self._host}:{self._port}{target}"
        data = None if body is None else json.dumps(body).encode("utf-8")
        what = f"{method} {path}"
        deadline = time.monotonic() + CALL_DEADLINE * self.timeout
        attempt = 0
        while True:
            self._may_send(what, gate)
            try:
                return self._send(method, target, data, what, deadline - time.monotonic())
            except _Retryable as exc:
                if self.stopped is not None:
                    raise Stopped(f"{what}: not answered: {self.stopped}") from None
                if gate is not None:
                    gate.attempt_failed(exc.status, exc.message)
                wait = self._wait(attempt, exc.retry_after)
                left = deadline - time.monotonic() - wait
                if attempt >= self.retries or left < MIN_ATTEMPT:
                    raise OpenMetadataError(exc.status, exc.message) from None
                log.debug("%s: %s; attempt %d again in %.2fs", what, exc.message, attempt + 2, wait)
                self._wake.wait(wait)
                attempt += 1

    def _may_send(self, what: str, gate: Gate | None) -> None:
        """Raise :class:`Stopped` when the client is stopped or ``gate`` is closed."""
        if self.stopped is not None:
            raise Stopped(f"{what}: not sent: {self.stopped}")
        tripped = gate.tripped if gate is not None else None
        if tripped is not None:
            raise Stopped(f"{what}: not sent: {tripped}")

    def _wait(self, attempt: int, retry_after: float | None) -> float:
        if retry_after is not None:
            return min(MAX_WAIT, max(0.0, retry_after))
        base = self.backoff * (2**attempt)
        return float(min(MAX_WAIT, base + random.uniform(0, base / 2)))

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

    def _send(
        self, method: str, target: str, data: bytes | None, what: str, seconds: float
    ) -> Response:
        headers = dict(self._headers)
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
                    try:
                        conn.connect()
                    except ssl.SSLError:
                        raise
                    except OSError as exc:
                        self.close()
                        message = f"{what}: cannot reach {self.shown_url} ({_reason(exc)})"
                        raise _Retryable(None, message) from None
                    if self.stopped is not None:  # stopped while connecting
                        self.close()
                        raise Stopped(f"{what}: not sent: {self.stopped}")
                conn.request(method, target, body=data, headers=headers)
                answer = conn.getresponse()
                status = int(answer.status)
                raw = self._read_body(answer, what)
                break
            except ssl.SSLError as exc:
                self.close()
                reason = _reason(exc)
                message = f"{what}: TLS failed ({reason}); check verifySSL and sslConfig"
                raise OpenMetadataError(None, message) from None
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                if self.stopped is not None:  # stop() shut the socket down
                    raise Stopped(f"{what}: not answered: {self.stopped}") from None
                if reused and not again and isinstance(exc, _STALE):
                    continue  # the server closed an idle kept-alive connection: once more
                message = f"{what}: no answer from {self.shown_url} ({_reason(exc)})"
                raise _Retryable(None, message) from None
        if status >= 400:
            decoded, message = _error_message(raw)
            text = f"{what}: HTTP {status}" + (f" {message}" if message else "")
            if status == 404 and isinstance(decoded, dict) and decoded.get("code") == 404:
                raise _NotFound(status, text)
            if status in RETRY_STATUSES:
                raise _Retryable(status, text, _retry_after(answer.headers))
            raise OpenMetadataError(status, text, _hint(status))
        if not raw:
            return Response(status, None)
        try:
            return Response(status, json.loads(raw))
        except ValueError:
            raise OpenMetadataError(status, f"{what}: the answer is not JSON") from None

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


#: Errors of a kept-alive connection the server had closed meanwhile.
_STALE = (ConnectionResetError, BrokenPipeError, ConnectionAbortedError, http.client.BadStatusLine)


def _proxy_for(scheme: str, host: str) -> tuple[str, int, str | None] | None:
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


class _Retryable(OpenMetadataError):
    def __init__(self, status: int | None, message: str, retry_after: float | None = None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


class _NotFound(OpenMetadataError):
    pass


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


def _reason(reason: object) -> str:
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    text = str(reason) or type(reason).__name__
    return text[:200]


def _hint(status: int) -> str:
    if status == 401:
        return "the server refused the token: check securityConfig.jwtToken, the bot's JWT"
    if status == 403:
        return "the bot is not allowed to do this: check its roles in OpenMetadata"
    return ""
