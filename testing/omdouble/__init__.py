"""A recording OpenMetadata REST server for the tests: a test double, not the product.

It speaks just enough of the OpenMetadata REST API (facts §6 and §11) for ``omkit run`` and
``omkit test-connection`` to be tested over real HTTP on 127.0.0.1: the version endpoint, the
SageMaker test-connection definition, ML model services, ML models (create/update, get, list with
``after`` cursors, soft/hard delete, the 2.0 bulk and deleteStale endpoints), classifications,
tags, the logged-in user, tables by name (seeded with ``seed_table``), lineage edges
(``PUT /lineage``, kept in ``lineage``) and ingestion pipelines' run statuses. It keeps the
entities in memory, records every request, checks the bearer token (401 otherwise, like the real
server), rejects request bodies with unknown or missing keys and models whose fields have the
wrong shape (``server`` not a URL with a scheme, hyperparameter values that are not strings, ...;
400, like the server's schema check) and can be told to fail (``fail``) or to be slow
(``latency``). Like the real servers, a model's ``sourceHash`` (1-32 characters) is stored and
returned by a 2.x double and refused by an older one (its create request forbids unknown keys).

``fail`` is also the fault-injection switchboard of the reliability tests: besides an error
status it can reset the connection (``reset``), hang before answering (``hang``), cut the body
short (``truncate``), answer raw bytes of any content type (``raw``: non-JSON, HTML, junk, a huge
body), answer a made-up JSON body with any status (``body``: a 200 that is not an entity, a
listing whose cursor repeats or whose entries lack an ``id``), add ``Retry-After``, and let the
first ``skip`` matching requests through (a 401 in the middle of a run).

Use the ``om_server`` fixture::

    def test_something(om_server: OMServer) -> None:
        om_server.fail("PUT", "/api/v1/mlmodels", status=500, times=2)
        ...  # run against om_server.url with om_server.token
        assert [r.path for r in om_server.requests] == [...]
"""

from __future__ import annotations

import base64
import json
import re
import socket
import ssl
import struct
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

import pytest

#: OpenMetadata 1.1 ``entityName``: letters, digits, ``_ ' - . & ( ) %`` and spaces, 1-128 long.
ENTITY_NAME = re.compile(r"^[\w'\- .&()%]{1,128}$")

SERVICE_KEYS = {
    "name",
    "displayName",
    "description",
    "serviceType",
    "connection",
    "tags",
    "owner",
    "owners",
    "domain",
    "domains",
    "dataProducts",
    "ingestionRunner",
}
MODEL_KEYS = {
    "name",
    "displayName",
    "description",
    "algorithm",
    "mlFeatures",
    "target",
    "mlHyperParameters",
    "dashboard",
    "mlStore",
    "server",
    "tags",
    "owner",
    "owners",
    "service",
    "extension",
    "sourceUrl",
    "domain",
    "domains",
    "dataProducts",
    "lifeCycle",
    "sourceHash",
}
CLASSIFICATION_KEYS = {
    "name",
    "displayName",
    "description",
    "provider",
    "mutuallyExclusive",
    "owners",
    "domains",
}
TAG_KEYS = {
    "classification",
    "parent",
    "name",
    "displayName",
    "description",
    "associatedTags",
    "provider",
    "mutuallyExclusive",
    "style",
    "owners",
    "domains",
}
HYPER_PARAMETER_KEYS = {"name", "value", "description"}
#: ``MlFeature`` and ``FeatureSource`` (1.1 and 2.0), with their enums.
FEATURE_KEYS = {
    "name",
    "dataType",
    "description",
    "fullyQualifiedName",
    "featureSources",
    "featureAlgorithm",
    "tags",
}
FEATURE_SOURCE_KEYS = {
    "name",
    "dataType",
    "description",
    "fullyQualifiedName",
    "dataSource",
    "tags",
}
FEATURE_TYPES = {"numerical", "categorical"}
FEATURE_SOURCE_TYPES = {
    "integer",
    "number",
    "string",
    "array",
    "date",
    "timestamp",
    "object",
    "boolean",
}
ENTITY_REFERENCE_KEYS = {
    "id",
    "type",
    "name",
    "fullyQualifiedName",
    "description",
    "displayName",
    "deleted",
    "inherited",
    "href",
}
#: ``AddLineageRequest`` / ``EntitiesEdge`` (2.0 keys; 1.1 has the same but ``lineageDetails``
#: holds fewer fields).
LINEAGE_EDGE_KEYS = {"fromEntity", "toEntity", "description", "lineageDetails"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TAG_LABEL_KEYS = {"tagFQN", "name", "displayName", "description", "source", "labelType", "state"}
SERVICE_TYPES = {"Mlflow", "Sklearn", "CustomMlModel", "SageMaker", "VertexAI"}

SAGEMAKER_TEST_CONNECTION = {
    "id": "4c9e2f4e-8a55-4c3e-9a5c-6b1d1d6c0a11",
    "name": "SageMaker",
    "fullyQualifiedName": "SageMaker",
    "displayName": "SageMaker Test Connection",
    "description": "Validates access and basic model metadata extraction.",
    "steps": [
        {
            "name": "GetModels",
            "description": "List the models visible to the user.",
            "mandatory": True,
            "shortCircuit": True,
            "errorMessage": "Failed to fetch models, please validate the credentials or "
            "validate if user has access to fetch models",
        }
    ],
}


def quote_name(name: str) -> str:
    """One part of a fully qualified name: in double quotes when it holds a dot."""
    return f'"{name}"' if "." in name else name


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


class _Reply(Exception):
    """Raised by a route to answer with an error status and a JSON ``{code, message}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass
class OMServer:
    """The double's state and controls. ``url`` is a ``hostPort`` (it ends in ``/api``)."""

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

    # ---- lifecycle -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """The ``hostPort`` to put in ``openMetadataServerConfig`` (``http://127.0.0.1:N/api``)."""
        scheme = "https" if self.tls else "http"
        return f"{scheme}://127.0.0.1:{self.port}/api"

    def start(self) -> OMServer:
        """Listen on a free port of 127.0.0.1 in a background thread."""
        httpd = _Server(("127.0.0.1", 0), _make_handler(self))
        httpd.daemon_threads = True
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

    # ---- controls --------------------------------------------------------------------------

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

    def live_models(self, service: str | None = None) -> dict[str, dict[str, Any]]:
        """The models that are not soft-deleted, by fully qualified name."""
        with self.lock:
            return {
                fqn: m
                for fqn, m in self.models.items()
                if not m["deleted"]
                and (service is None or m["service"]["fullyQualifiedName"] == service)
            }

    def seed_service(self, name: str, connection: dict[str, Any] | None = None) -> dict[str, Any]:
        """Store an ML model service of type SageMaker, as if created earlier (by default with
        a connection holding only a region)."""
        if connection is None:
            aws = {"awsRegion": "us-east-1"}
            connection = {"config": {"type": "SageMaker", "awsConfig": aws}}
        body: dict[str, Any] = {"name": name, "serviceType": "SageMaker", "connection": connection}
        with self.lock:
            entity, _ = self._put_service(body)
        return entity

    def seed_table(self, fqn: str) -> dict[str, Any]:
        """Store a table ``service.database.schema.table``, as a database ingestion would."""
        table = {
            "id": str(uuid.uuid4()),
            "name": fqn.rsplit(".", 1)[-1],
            "fullyQualifiedName": fqn,
            "deleted": False,
        }
        with self.lock:
            self.tables[fqn] = table
        return table

    def seed_pipeline(self, fqn: str) -> dict[str, Any]:
        """An ingestion pipeline (what OpenMetadata's UI or Airflow deployment creates)."""
        entity = {
            "id": str(uuid.uuid4()),
            "name": fqn.rsplit(".", 1)[-1],
            "fullyQualifiedName": fqn,
            "pipelineType": "metadata",
        }
        with self.lock:
            self.pipelines[fqn] = entity
            self.pipeline_statuses.setdefault(fqn, {})
        return entity

    def seed_model(self, service: str, name: str, **fields: Any) -> dict[str, Any]:
        """Store a model of ``service`` (which must exist), as if ingested earlier."""
        body = {"name": name, "algorithm": "mlmodel", "service": service, **fields}
        with self.lock:
            entity, _ = self._put_model(body)
        return entity

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

    def _check_token(self, headers: dict[str, str]) -> None:
        if headers.get("authorization") != f"Bearer {self.token}":
            raise _Reply(401, "Not Authorized! Token verification failed")

    def _major_minor(self) -> tuple[int, int]:
        found = re.match(r"(\d+)\.(\d+)", self.version)
        return (int(found.group(1)), int(found.group(2))) if found else (0, 0)

    def _route(self, method: str, route: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        include = query.get("include", "non-deleted")
        if method == "GET" and route == "/system/version":
            return 200, {"version": self.version, "revision": "test", "timestamp": 0}
        if method == "GET" and route == "/users/loggedInUser":
            return 200, {
                "id": "1b7b1b43-2b4f-4c43-9a45-0b6d2f3c2b10",
                "name": "ingestion-bot",
                "fullyQualifiedName": "ingestion-bot",
                "isBot": True,
                "deleted": False,
            }
        prefix = "/services/testConnectionDefinitions/name/"
        if method == "GET" and route.startswith(prefix):
            if route[len(prefix) :] == "SageMaker.testConnectionDefinition":
                return 200, SAGEMAKER_TEST_CONNECTION
            raise _Reply(404, f"testConnectionDefinition instance for {route} not found")
        if route == "/services/mlmodelServices":
            if method == "PUT":
                entity, created = self._put_service(body)
                return (201 if created else 200), entity
            if method == "GET":
                return 200, self._page(list(self.services.values()), query)
        prefix = "/services/mlmodelServices/name/"
        if method == "GET" and route.startswith(prefix):
            name = route[len(prefix) :]
            if name not in self.services:
                raise _Reply(404, f"mlmodelService instance for {name} not found")
            return 200, self.services[name]
        if route == "/mlmodels":
            if method == "PUT":
                entity, created = self._put_model(body)
                return (201 if created else 200), entity
            if method == "GET":
                found = [
                    m
                    for m in self.models.values()
                    if _included(m, include)
                    and (
                        "service" not in query
                        or m["service"]["fullyQualifiedName"] == query["service"]
                    )
                ]
                return 200, self._page(found, query)
        if route == "/mlmodels/bulk" and method == "PUT" and self._major_minor() >= (2, 0):
            return 200, self._bulk(body)
        stale = route == "/mlmodels/deleteStale" and method == "DELETE"
        if stale and self._major_minor() >= (2, 0):
            return 200, self._delete_stale(body)
        prefix = "/mlmodels/name/"
        if method == "GET" and route.startswith(prefix):
            fqn = route[len(prefix) :]
            model = self.models.get(fqn)
            if model is None or not _included(model, include):
                raise _Reply(404, f"mlmodel instance for {fqn} not found")
            return 200, model
        found_id = re.fullmatch(r"/mlmodels/([0-9a-f-]{36})", route)
        if found_id is not None and method in ("GET", "DELETE"):
            model = next((m for m in self.models.values() if m["id"] == found_id[1]), None)
            if model is None or not _included(model, "all" if method == "DELETE" else include):
                raise _Reply(404, f"mlmodel instance for {found_id[1]} not found")
            if method == "GET":
                return 200, model
            return 200, self._delete_model(model, query)
        prefix = "/tables/name/"
        if method == "GET" and route.startswith(prefix):
            fqn = route[len(prefix) :]
            if fqn not in self.tables:
                raise _Reply(404, f"table instance for {fqn} not found")
            return 200, self.tables[fqn]
        if route == "/lineage" and method == "PUT":
            self._put_lineage(body)
            return 200, {}
        if route == "/classifications" and method == "PUT":
            entity, created = self._put_classification(body)
            return (201 if created else 200), entity
        prefix = "/classifications/name/"
        if method == "GET" and route.startswith(prefix):
            name = route[len(prefix) :]
            if name not in self.classifications:
                raise _Reply(404, f"classification instance for {name} not found")
            return 200, self.classifications[name]
        if route == "/tags" and method == "PUT":
            entity, created = self._put_tag(body)
            return (201 if created else 200), entity
        prefix = "/tags/name/"
        if method == "GET" and route.startswith(prefix):
            fqn = route[len(prefix) :]
            if fqn not in self.tags:
                raise _Reply(404, f"tag instance for {fqn} not found")
            return 200, self.tags[fqn]
        if route.startswith("/services/ingestionPipelines/"):
            return self._pipeline_route(method, route[len("/services/ingestionPipelines/") :], body)
        raise _Reply(404, "HTTP 404 Not Found")

    def _pipeline_route(self, method: str, rest: str, body: Any) -> tuple[int, Any]:
        """``GET name/{fqn}``, ``PUT {fqn}/pipelineStatus``, ``GET {fqn}/pipelineStatus/{runId}``:
        a status is a ``PipelineStatus`` (checked as the server's schema checks it)."""
        if method == "GET" and rest.startswith("name/"):
            fqn = rest[len("name/") :]
            if fqn not in self.pipelines:
                raise _Reply(404, f"ingestionPipeline instance for {fqn} not found")
            return 200, self.pipelines[fqn]
        fqn, _, tail = rest.partition("/pipelineStatus")
        if fqn not in self.pipelines:
            raise _Reply(404, f"ingestionPipeline instance for {fqn} not found")
        if method == "PUT" and tail == "":
            _check_pipeline_status(body)
            self.pipeline_statuses[fqn][body["runId"]] = body
            return 200, body
        if method == "GET" and tail.startswith("/"):
            found = self.pipeline_statuses[fqn].get(tail[1:])
            if found is None:
                raise _Reply(404, f"pipelineStatus {tail[1:]} not found")
            return 200, found
        raise _Reply(404, "HTTP 404 Not Found")

    # ---- entities ----------------------------------------------------------------------------

    def _page(self, items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        try:
            limit = int(query.get("limit", "10"))
            start = int(base64.b64decode(query["after"]).decode()) if "after" in query else 0
        except ValueError:
            raise _Reply(400, "invalid limit or after") from None
        if not 0 < limit <= 1_000_000:
            raise _Reply(400, "limit must be between 1 and 1000000")
        if self.max_page is not None:
            limit = min(limit, self.max_page)
        items = sorted(items, key=lambda e: str(e["fullyQualifiedName"]))
        page = items[start : start + limit]
        paging: dict[str, Any] = {"total": len(items)}
        if start + limit < len(items):
            paging["after"] = base64.b64encode(str(start + limit).encode()).decode()
        if start > 0:
            paging["before"] = base64.b64encode(str(max(0, start - limit)).encode()).decode()
        return {"data": page, "paging": paging}

    def _put_service(self, body: Any) -> tuple[dict[str, Any], bool]:
        required = {"name", "serviceType"}
        if self._major_minor() < (1, 2):
            required.add("connection")
        _check_body(body, SERVICE_KEYS, required, "CreateMlModelService")
        name = _entity_name(body["name"])
        if body["serviceType"] not in SERVICE_TYPES:
            raise _Reply(400, f"serviceType: {body['serviceType']!r} is not a known type")
        old = self.services.get(name)
        entity = {
            **{k: v for k, v in body.items() if v is not None},
            "id": old["id"] if old else str(uuid.uuid4()),
            "fullyQualifiedName": quote_name(name),
            "version": _next_version(old, body),
            "deleted": False,
            "href": f"{self.url}/v1/services/mlmodelServices/{old['id'] if old else ''}",
        }
        self.services[name] = entity
        return entity, old is None

    def _check_model(self, body: Any) -> tuple[str, dict[str, Any]]:
        required = {"name", "service"}
        if self._major_minor() < (1, 5):
            required.add("algorithm")
        # 1.x servers forbid unknown keys and have no sourceHash (2.0 adds it, 1-32 characters)
        allowed = MODEL_KEYS if self._major_minor() >= (2, 0) else MODEL_KEYS - {"sourceHash"}
        _check_body(body, allowed, required, "CreateMlModel")
        source_hash = body.get("sourceHash")
        if source_hash is not None and not (
            isinstance(source_hash, str) and 0 < len(source_hash) <= 32
        ):
            raise _Reply(400, "[sourceHash: size must be between 1 and 32]")
        _check_model_fields(body, self._major_minor(), href_store=self.href_store)
        name = _entity_name(body["name"], self._major_minor())
        service = self.services.get(body["service"])
        if service is None:
            raise _Reply(404, f"mlmodelService instance for {body['service']} not found")
        for label in body.get("tags") or []:
            _check_body(label, TAG_LABEL_KEYS, {"tagFQN", "source", "labelType", "state"}, "Tag")
            if label["tagFQN"] not in self.tags:
                raise _Reply(404, f"tag instance for {label['tagFQN']} not found")
        return f"{service['fullyQualifiedName']}.{quote_name(name)}", service

    def _put_model(self, body: Any) -> tuple[dict[str, Any], bool]:
        fqn, service = self._check_model(body)
        old = self.models.get(fqn)
        entity = {
            **{k: v for k, v in body.items() if v is not None},
            "id": old["id"] if old else str(uuid.uuid4()),
            "fullyQualifiedName": fqn,
            "algorithm": body.get("algorithm") or "mlmodel",
            "service": {
                "id": service["id"],
                "type": "mlmodelService",
                "name": service["name"],
                "fullyQualifiedName": service["fullyQualifiedName"],
                "deleted": False,
            },
            "version": _next_version(old, body),
            "deleted": False,  # a PUT restores a soft-deleted model
        }
        self.models[fqn] = entity
        return entity, old is None

    def _put_lineage(self, body: Any) -> None:
        _check_body(body, {"edge"}, {"edge"}, "AddLineage")
        edge = body["edge"]
        _check_body(edge, LINEAGE_EDGE_KEYS, {"fromEntity", "toEntity"}, "EntitiesEdge")
        ends = []
        for key in ("fromEntity", "toEntity"):
            reference = _entity_reference(edge[key], key)
            found = self._entity(reference["id"], reference["type"])
            if found is None:
                raise _Reply(404, f"{reference['type']} instance for {reference['id']} not found")
            ends.append((reference["id"], reference["type"]))
        if "description" in edge and not isinstance(edge["description"], str):
            raise _Reply(400, "[edge.description: string expected]")
        self.lineage.append((ends[0][0], ends[0][1], ends[1][0], ends[1][1]))

    def _entity(self, entity_id: str, kind: str) -> dict[str, Any] | None:
        pool = {"table": self.tables, "mlmodel": self.models}.get(kind, {})
        return next((e for e in pool.values() if e["id"] == entity_id), None)

    def _delete_model(self, model: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        if query.get("hardDelete") == "true":
            del self.models[model["fullyQualifiedName"]]
        else:
            model["deleted"] = True
            model["version"] = round(model["version"] + 0.1, 1)
        return model

    def _bulk(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, list):
            raise _Reply(400, "the body must be a list of CreateMlModel requests")
        passed: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for request in body:
            try:
                self._put_model(request)
                passed.append({"request": request, "message": "Success"})
            except _Reply as reply:
                failed.append({"request": request, "message": reply.message})
        return {
            "status": "success" if not failed else "partialSuccess" if passed else "failure",
            "numberOfRowsProcessed": len(body),
            "numberOfRowsPassed": len(passed),
            "numberOfRowsFailed": len(failed),
            "successRequest": passed,
            "failedRequest": failed,
        }

    def _delete_stale(self, body: Any) -> dict[str, Any]:
        _check_body(
            body,
            {"scopeFqn", "scopeEntityType", "seenFqns", "recursive", "hardDelete"},
            {"scopeFqn", "seenFqns"},
            "DeleteStale",
        )
        seen = set(body["seenFqns"])
        deleted = []
        for model in list(self.models.values()):
            in_scope = model["service"]["fullyQualifiedName"] == body["scopeFqn"]
            if in_scope and not model["deleted"] and model["fullyQualifiedName"] not in seen:
                self._delete_model(model, {"hardDelete": str(bool(body.get("hardDelete"))).lower()})
                deleted.append(model["fullyQualifiedName"])
        # A BulkOperationResult, as the 2.0.7.0 client parses this answer (unknown keys refused).
        return {
            "status": "success",
            "numberOfRowsProcessed": len(deleted),
            "numberOfRowsPassed": len(deleted),
            "numberOfRowsFailed": 0,
            "successRequest": [{"request": fqn, "status": 200} for fqn in deleted],
            "failedRequest": [],
        }

    def _put_classification(self, body: Any) -> tuple[dict[str, Any], bool]:
        _check_body(body, CLASSIFICATION_KEYS, {"name", "description"}, "CreateClassification")
        name = _entity_name(body["name"])
        old = self.classifications.get(name)
        entity = {
            **body,
            "id": old["id"] if old else str(uuid.uuid4()),
            "fullyQualifiedName": quote_name(name),
            "version": _next_version(old, body),
            "deleted": False,
        }
        self.classifications[name] = entity
        return entity, old is None

    def _put_tag(self, body: Any) -> tuple[dict[str, Any], bool]:
        _check_body(body, TAG_KEYS, {"name", "description"}, "CreateTag")
        name = _entity_name(body["name"])
        classification = self.classifications.get(body.get("classification") or "")
        if classification is None:
            raise _Reply(404, f"classification instance for {body.get('classification')} not found")
        fqn = f"{classification['fullyQualifiedName']}.{quote_name(name)}"
        old = self.tags.get(fqn)
        entity = {
            **body,
            "id": old["id"] if old else str(uuid.uuid4()),
            "fullyQualifiedName": fqn,
            "classification": {
                "id": classification["id"],
                "type": "classification",
                "name": classification["name"],
                "fullyQualifiedName": classification["fullyQualifiedName"],
            },
            "version": _next_version(old, body),
            "deleted": False,
        }
        self.tags[fqn] = entity
        return entity, old is None


def _included(entity: dict[str, Any], include: str) -> bool:
    if include == "all":
        return True
    return bool(entity["deleted"]) == (include == "deleted")


def _next_version(old: dict[str, Any] | None, body: dict[str, Any]) -> float:
    if old is None:
        return 0.1
    refs = ("service", "classification")
    changed = any(old.get(k) != v for k, v in body.items() if k not in refs)
    return round(float(old["version"]) + (0.1 if changed or old["deleted"] else 0.0), 1)


def _check_body(body: Any, allowed: set[str], required: set[str], kind: str) -> None:
    if not isinstance(body, dict):
        raise _Reply(400, f"{kind}: the body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _Reply(400, f'Unrecognized field "{unknown[0]}" (class {kind})')
    missing = sorted(k for k in required if body.get(k) is None)
    if missing:
        raise _Reply(400, f"[{missing[0]} must not be null]")


PIPELINE_STATUS_KEYS = {"runId", "pipelineState", "startDate", "timestamp", "endDate", "status"}
PIPELINE_STATES = {"queued", "success", "failed", "running", "partialSuccess"}
STEP_SUMMARY_KEYS = {
    "name",
    "records",
    "updated_records",
    "warnings",
    "errors",
    "filtered",
    "failures",
}


def _check_pipeline_status(body: Any) -> None:
    """``PipelineStatus``: no unknown key, a known state, epoch-millisecond integers, step
    summaries with a name and integer counts."""
    _check_body(body, PIPELINE_STATUS_KEYS, {"runId", "pipelineState"}, "PipelineStatus")
    if body["pipelineState"] not in PIPELINE_STATES:
        raise _Reply(
            400, f"pipelineState {body['pipelineState']!r} is not one of {PIPELINE_STATES}"
        )
    for key in ("startDate", "timestamp", "endDate"):
        if key in body and not (isinstance(body[key], int) and body[key] > 10**12):
            raise _Reply(400, f"{key} must be a timestamp in epoch milliseconds")
    for step in body.get("status") or []:
        _check_body(step, STEP_SUMMARY_KEYS, {"name"}, "StepSummary")
        counts = [step[k] for k in ("records", "warnings", "errors", "filtered") if k in step]
        if not all(isinstance(c, int) for c in counts):
            raise _Reply(400, "StepSummary counts must be integers")


def _check_model_fields(
    body: dict[str, Any], version: tuple[int, int] = (1, 1), *, href_store: bool = False
) -> None:
    """The field shapes of ``createMlModel.json`` (1.1 and 2.0 alike): ``algorithm``,
    ``description`` (Markdown) and ``sourceUrl`` are strings, ``server`` is an ``href`` (a URI
    with a scheme and a host), ``mlHyperParameters`` is a list of ``{name, value,
    description}`` objects whose fields are strings, ``mlFeatures`` are ``MlFeature`` objects
    (``dataType`` of ``FeatureType``, ``featureSources`` of ``FeatureSource`` with a
    ``FeatureSourceDataType`` and an ``EntityReference`` ``dataSource``). Before 2.0 the
    ``mlStore`` fields are ``href`` too with ``href_store`` (an ECR image without a scheme is
    refused); from 2.0 they are plain strings."""
    for key in ("algorithm", "description", "sourceUrl"):
        if key in body and not isinstance(body[key], str):
            raise _Reply(400, f"[{key}: {type(body[key]).__name__} found, string expected]")
    if "server" in body:
        server = body["server"]
        parts = urlsplit(server) if isinstance(server, str) else None
        if parts is None or not parts.scheme or not parts.netloc:
            raise _Reply(400, f"[server: does not match the uri pattern] ({server!r})")
    params = body.get("mlHyperParameters", [])
    if not isinstance(params, list):
        raise _Reply(400, "[mlHyperParameters: array expected]")
    for param in params:
        _check_body(param, HYPER_PARAMETER_KEYS, set(), "MlHyperParameter")
        for key, value in param.items():
            if not isinstance(value, str):
                raise _Reply(
                    400, f"[mlHyperParameters.{key}: {type(value).__name__} found, string expected]"
                )
    store = body.get("mlStore")
    if store is not None:
        _check_body(store, {"storage", "imageRepository"}, set(), "MlStore")
        for key, value in store.items():
            if not isinstance(value, str):
                raise _Reply(400, f"[mlStore.{key}: string expected]")
            parts = urlsplit(value)
            if href_store and version < (2, 0) and (not parts.scheme or not parts.netloc):
                raise _Reply(400, f"[mlStore.{key}: invalid or missing URL scheme] ({value!r})")
    features = body.get("mlFeatures", [])
    if not isinstance(features, list):
        raise _Reply(400, "[mlFeatures: array expected]")
    for feature in features:
        _check_body(feature, FEATURE_KEYS, set(), "MlFeature")
        _entity_name(feature.get("name"), version)
        if "dataType" in feature and feature["dataType"] not in FEATURE_TYPES:
            raise _Reply(
                400, f"[mlFeatures.dataType: {feature['dataType']!r} is not a FeatureType]"
            )
        sources = feature.get("featureSources", [])
        if not isinstance(sources, list):
            raise _Reply(400, "[mlFeatures.featureSources: array expected]")
        for source in sources:
            _check_body(source, FEATURE_SOURCE_KEYS, set(), "FeatureSource")
            kind = source.get("dataType")
            if kind is not None and kind not in FEATURE_SOURCE_TYPES:
                raise _Reply(
                    400, f"[featureSources.dataType: {kind!r} is not a FeatureSourceDataType]"
                )
            if "dataSource" in source:
                _entity_reference(source["dataSource"], "featureSources.dataSource")


def _entity_reference(value: Any, where: str) -> dict[str, Any]:
    """An ``EntityReference``: ``id`` (a UUID) and ``type`` required."""
    _check_body(value, ENTITY_REFERENCE_KEYS, {"id", "type"}, "EntityReference")
    if not isinstance(value["id"], str) or UUID.fullmatch(value["id"]) is None:
        raise _Reply(400, f"[{where}.id: not a UUID] ({value['id']!r})")
    if not isinstance(value["type"], str):
        raise _Reply(400, f"[{where}.type: string expected]")
    return dict(value)


def _entity_name(name: Any, version: tuple[int, int] = (1, 1)) -> str:
    """1.x: 1-128 characters of ``[\\w'\\- .&()%]``; 2.0: 1-256 characters."""
    if version >= (2, 0):
        if not isinstance(name, str) or not 1 <= len(name) <= 256:
            raise _Reply(400, f"[name size must be between 1 and 256] ({name!r})")
        return name
    if not isinstance(name, str) or ENTITY_NAME.fullmatch(name) is None:
        raise _Reply(400, f'[name must match "^(?U)[\\w\'\\- .&()%]+$"] ({name!r})')
    return name


class _Server(ThreadingHTTPServer):
    #: Room for many clients connecting at once (the default, 5, makes the sixth wait 1 s).
    request_queue_size = 128


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
    (that hash has its own tests: tests/ingest/test_source_hash.py)."""
    sent = [c.body for c in om.calls("PUT", "/api/v1/mlmodels")]
    for call in om.calls("PUT", "/api/v1/mlmodels/bulk"):
        sent.extend(call.body)
    found: dict[str, Any] = {}
    for body in sent:
        assert ("sourceHash" in body) == (om.version >= "2"), body
        found[body["name"]] = {k: v for k, v in body.items() if k != "sourceHash"}
    return found
