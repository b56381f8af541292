"""The fault switchboard of the OpenMetadata double: :meth:`FaultSwitches.fail` queues a
:class:`Failure` (an error status, a dropped or reset connection, a hang, a truncated or raw
body, ``Retry-After``, ...), and the request handler takes the first one that matches."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any


@dataclass
class Failure:
    """Answer ``status`` (or drop the connection) to the next ``times`` matching requests."""

    method: str
    path: re.Pattern[str]
    status: int
    times: int
    message: str
    drop: bool = False
    #: Only when the request body (JSON) has this ``name``.
    name: str | None = None
    #: Sent as the ``Retry-After`` header (seconds), when set.
    retry_after: float | None = None
    #: The JSON body to answer with instead of ``{code, message}``.
    body: Any = None
    #: Raw bytes to answer with (any content type), instead of a JSON body.
    raw: bytes | None = None
    content_type: str = "application/json"
    #: Reset the connection (TCP RST) instead of answering.
    reset: bool = False
    #: Seconds to wait before answering (or resetting).
    hang: float = 0.0
    #: Declare a longer body than is sent, then close the connection.
    truncate: bool = False
    #: Matching requests to let through before this failure applies.
    skip: int = 0


@dataclass(frozen=True)
class RawAnswer:
    """What the handler sends for a fault: raw bytes, or a reset connection."""

    data: bytes = b""
    content_type: str = "application/json"
    reset: bool = False
    truncate: bool = False


class FaultSwitches:
    """``fail`` and the matching of queued failures against a request (a mixin of
    :class:`~testing.omdouble.OMServer`, which holds ``failures`` and ``lock``)."""

    failures: list[Failure]
    lock: threading.Lock

    def fail(
        self,
        method: str,
        path: str,
        *,
        status: int = 500,
        times: int = 1,
        message: str = "Internal server error (injected by the test double)",
        drop: bool = False,
        name: str | None = None,
        retry_after: float | None = None,
        body: Any = None,
        raw: bytes | None = None,
        content_type: str = "application/json",
        reset: bool = False,
        hang: float = 0.0,
        truncate: bool = False,
        skip: int = 0,
    ) -> None:
        """Make the next ``times`` requests whose method is ``method`` and whose path matches the
        regular expression ``path`` (whole path, e.g. ``/api/v1/mlmodels``) fail with ``status``,
        or, with ``drop``, close the connection without an answer. ``name`` narrows it to request
        bodies with that ``name``; ``retry_after`` adds a ``Retry-After`` header; ``body``
        replaces the ``{code, message}`` answer. ``times=-1``: every such request, for ever.
        The fault switches (``raw``, ``reset``, ``hang``, ``truncate``, ``skip``) are described
        in the module doc."""
        failure = Failure(method, re.compile(path), status, times, message, drop, name)
        failure.retry_after, failure.body = retry_after, body
        failure.raw, failure.content_type, failure.reset = raw, content_type, reset
        failure.hang, failure.truncate, failure.skip = hang, truncate, skip
        with self.lock:
            self.failures.append(failure)

    def _take_failure(self, method: str, path: str, body: Any) -> Failure | None:
        for failure in self.failures:
            if failure.times == 0 or failure.method != method:
                continue
            if failure.path.fullmatch(path) is None:
                continue
            if failure.name is not None and not (
                isinstance(body, dict) and body.get("name") == failure.name
            ):
                continue
            if failure.skip > 0:
                failure.skip -= 1
                continue
            if failure.times > 0:
                failure.times -= 1
            return failure
        return None
