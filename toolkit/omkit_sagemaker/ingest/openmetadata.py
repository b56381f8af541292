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

This module holds the API calls and the retry loop; the rest lives by concern beside it:
:mod:`~omkit_sagemaker.ingest.omcredentials` (the token, headers and TLS context of the config),
:mod:`~omkit_sagemaker.ingest.omhttp` (one attempt over kept-alive connections and proxies) and
:mod:`~omkit_sagemaker.ingest.omerrors` (the errors). The names callers need are importable from
here too.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections.abc import Iterator, Mapping
from typing import Any

from omkit_sagemaker.ingest import stopping
from omkit_sagemaker.ingest.omcredentials import (
    NO_TOKEN,
    bearer_token,
    request_headers,
    ssl_context,
)
from omkit_sagemaker.ingest.omerrors import (
    NotFoundError,
    OpenMetadataError,
    RetryableError,
    Stopped,
)
from omkit_sagemaker.ingest.omhttp import MIN_ATTEMPT, Channel, Response
from omkit_sagemaker.ingest.stopping import Gate
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection

__all__ = [
    "CALL_DEADLINE",
    "MAX_PAGES",
    "MAX_WAIT",
    "NO_TOKEN",
    "OpenMetadataClient",
    "OpenMetadataError",
    "Response",
    "Stopped",
    "bearer_token",
    "ssl_context",
]

log = logging.getLogger("omkit.openmetadata")

#: Longest wait between two attempts, whatever the backoff or a Retry-After header say.
MAX_WAIT = 10.0
#: The most pages a listing may have (1000 models each): a server that never stops is an error.
MAX_PAGES = 10_000
#: A call's total deadline, retries and waits included, in timeouts: a silent server costs a
#: call at most this many times ``--timeout``.
CALL_DEADLINE = 2.0


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
        self.max_pages = MAX_PAGES
        self._headers = request_headers(server_config)
        self._channel = Channel(server_config, self.base_url, timeout)
        #: The base URL as shown in messages and logs (no ``user:password@``).
        self.shown_url = self._channel.shown_url
        self._wake = threading.Event()
        stopping.enrol(self)  # stopped with the runs of a signal (runs side by side)

    @property
    def stopped(self) -> str | None:
        """Why the client was stopped (:meth:`stop`); None while it works."""
        return self._channel.stopped

    def stop(self, reason: str) -> None:
        """Fail every request from now on with :class:`Stopped` (``reason``), and the ones in
        flight at once: their sockets are shut down, their waits between attempts cut short."""
        self._channel.stop(reason)
        self._wake.set()

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
        except NotFoundError:
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

    # ---- the retry loop --------------------------------------------------------------------

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
        target = self._channel.target(path, params)
        data = None if body is None else json.dumps(body).encode("utf-8")
        what = f"{method} {path}"
        deadline = time.monotonic() + CALL_DEADLINE * self.timeout
        attempt = 0
        while True:
            self._may_send(what, gate)
            try:
                seconds = deadline - time.monotonic()
                return self._channel.send(method, target, data, what, self._headers, seconds)
            except RetryableError as exc:
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
        self._channel.close()
