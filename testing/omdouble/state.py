"""The OpenMetadata double's state: what it was asked (:class:`Recorded`), its settings and
the entities it holds (:class:`State`, the base of :class:`~testing.omdouble.OMServer`)."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from http.server import ThreadingHTTPServer
from typing import Any

from testing.omdouble.faults import Failure
from testing.omdouble.shapes import _Reply


@dataclass(frozen=True)
class Recorded:
    """One request the double received."""

    method: str
    #: The path without the query string, percent-decoded (``/api/v1/mlmodels``).
    path: str
    #: The query parameters (the last value of each).
    query: dict[str, str]
    #: The JSON body, or None when there was none.
    body: Any
    #: The request headers, names lower-cased.
    headers: dict[str, str]
    #: The client's port: requests sent over one kept-alive connection share it.
    peer: int = 0


@dataclass
class State:
    """The double's state and settings. ``url`` is a ``hostPort`` (it ends in ``/api``)."""

    token: str = "test-bot-jwt-token"
    version: str = "1.1.7"
    #: Seconds to wait before answering each request (to act like a remote server).
    latency: float = 0.0
    #: The largest page a listing returns, whatever ``limit`` asks for (None: no cap).
    max_page: int | None = None
    #: Whether ``GET /system/version`` needs the token (the real server does not ask for it).
    version_needs_auth: bool = False
    #: ``(certificate file, key file)``: serve HTTPS with them.
    tls: tuple[str, str] | None = None
    #: Close each connection after answering, without saying so (as a server dropping idle
    #: kept-alive connections does).
    close_after_answer: bool = False
    requests: list[Recorded] = field(default_factory=list)
    services: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Every model by fully qualified name, soft-deleted ones included (``deleted: true``).
    models: dict[str, dict[str, Any]] = field(default_factory=dict)
    classifications: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Tags by fully qualified name (``classification.tag``).
    tags: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Refuse, before 2.0, ``mlStore`` values that are not URLs with a scheme, as the 1.1
    #: client's ``Href`` type does (facts a3: an ECR image fails). Off by default: whether the
    #: 1.1 server itself refuses them was not checked, and the sink tests send raw images.
    href_store: bool = False
    #: Tables by fully qualified name (only what ``seed_table`` put there).
    tables: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Containers by fully qualified name (only what ``seed_container`` put there).
    containers: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Every lineage edge accepted: ``(from id, from type, to id, to type)``.
    lineage: list[tuple[str, str, str, str]] = field(default_factory=list)
    #: Ingestion pipelines by fully qualified name, and the statuses put for each (by runId).
    pipelines: dict[str, dict[str, Any]] = field(default_factory=dict)
    pipeline_statuses: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    port: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)
    _httpd: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        """The ``hostPort`` to put in ``openMetadataServerConfig`` (``http://127.0.0.1:N/api``)."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/api"

    def _check_token(self, headers: dict[str, str]) -> None:
        if headers.get("authorization") != f"Bearer {self.token}":
            raise _Reply(401, "Not Authorized! Token verification failed")

    def _major_minor(self) -> tuple[int, int]:
        found = re.match(r"(\d+)\.(\d+)", self.version)
        return (int(found.group(1)), int(found.group(2))) if found else (0, 0)
