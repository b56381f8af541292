"""The ``metadata-rest`` sink: write the service, tags and models to the OpenMetadata server.

Like upstream (facts §5.1, §6, §7.1): check the server's version, reuse the service when it exists
(``forceEntityOverwriting: true`` sends it again) or create it, then ``PUT /mlmodels`` per model.
Unlike upstream, models are sent by a bounded pool of threads (``workers``), on servers that have
it (2.0 and later) in batches through ``PUT /mlmodels/bulk``, with no per-model acknowledgement
GET (the PUT answer is the entity), and the classifications and tags a model refers to are
created first, each once per run.

Every answer is checked for the shape the run relies on
(:mod:`~omkit_sagemaker.ingest.sinks.omrest`, with the server releases and paths the sink relies
on; :func:`entity_of`: an object with an ``id``, a ``fullyQualifiedName`` and the ``name`` that
was sent); anything else, a ``200
not-an-entity`` too, is an error for that model. Once the server stops answering, refuses the
token, or fails 10 times in a row (:class:`~omkit_sagemaker.ingest.sinks.sinkbase.Breaker`), the
remaining models are not sent (each is counted as an error without another request) and the run
fails, so a dead server costs seconds, not minutes.

Fewer writes on 2.x servers: each model's request carries ``sourceHash`` (:func:`source_hash`,
a 32-character hash of the body, the field's maximum; 1.x servers refuse the field and never get
it), and the service's models are listed once at the start (the listing mark-deleted uses,
``limit=1000`` per page, bounded) with the hash the server keeps for each. A model whose body
hashes to what the server has is not sent at all (:attr:`RunStatus.unchanged`), nor are its tags,
so a second run of an unchanged estate writes nothing. A model whose tags could not all be
created is sent without them and with the hash of what was sent, so the next run tries again.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from omkit_sagemaker.ingest.mapping import ModelRequest, ServiceRequest, TagRequest
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError, Stopped
from omkit_sagemaker.ingest.sinks.omrest import (
    MIN_SERVER,
    SOURCE_HASH_SERVER,
    bulk_failures,
    check_bulk,
    check_put,
    entity_of,
    parse_version,
    service_path,
)
from omkit_sagemaker.ingest.sinks.sinkbase import Breaker, RunStatus, SinkError

__all__ = [
    "BULK_SIZE",
    "CONFIG_KEYS",
    "MIN_SERVER",
    "SOURCE_HASH_SERVER",
    "MetadataRestSink",
    "entity_of",
    "parse_version",
    "service_path",
    "source_hash",
]

log = logging.getLogger("omkit.run")

#: Models per ``PUT /mlmodels/bulk`` request (upstream 2.0's default batch).
BULK_SIZE = 100
#: Config keys of the metadata-rest sink (1.1: ``api_endpoint``; the others are 2.0's).
CONFIG_KEYS = frozenset(
    {
        "api_endpoint",
        "bulk_sink_batch_size",
        "enable_async_pipeline",
        "async_pipeline_workers",
        "override_metadata",
    }
)
#: Request fields left out of :func:`source_hash`: the hash itself (nothing in omkit's bodies
#: changes from run to run unless SageMaker changed).
VOLATILE_FIELDS = frozenset({"sourceHash"})


def source_hash(body: dict[str, Any]) -> str:
    """A stable hash of a create request: 32 hexadecimal characters (BLAKE2b, 16 bytes) of its
    canonical JSON (keys sorted, no spaces), :data:`VOLATILE_FIELDS` left out. Equal bodies give
    equal hashes whatever their key order."""
    kept = {k: v for k, v in body.items() if k not in VOLATILE_FIELDS}
    text = json.dumps(kept, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


class _Once:
    """Runs an action once per key, whatever the number of threads asking; remembers whether it
    worked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._locks: dict[str, threading.Lock] = {}
        self._done: dict[str, bool] = {}

    def run(self, key: str, action: Callable[[], bool]) -> bool:
        with self._lock:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._done:
                self._done[key] = action()
            return self._done[key]


class MetadataRestSink:
    """Writes to the OpenMetadata server through ``client`` (see the module doc)."""

    def __init__(
        self,
        client: OpenMetadataClient,
        status: RunStatus,
        *,
        workers: int = 8,
        force_service: bool = False,
        override_metadata: bool = False,
        bulk_size: int = BULK_SIZE,
        version_validation: bool = True,
    ) -> None:
        self.client = client
        self.status = status
        self.workers = max(1, workers)
        self.force_service = force_service
        self.override_metadata = override_metadata
        self.bulk_size = max(1, bulk_size)
        self.version_validation = version_validation
        self.server_version: str | None = None
        self.service_fqn = ""
        self.bulk = False
        #: Models the service had before this run (only read for the bulk endpoint, whose answer
        #: does not tell new models from updated ones).
        self.known: set[str] = set()
        #: Whether the server knows ``sourceHash`` (2.0 and later) ...
        self.send_hash = False
        #: ... and the hash it has for each of the service's models (fully qualified name).
        self.hashes: dict[str, str] = {}
        self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="om-sink")
        self._slots = threading.BoundedSemaphore(2 * self.workers)
        self._batch: list[ModelRequest] = []
        self._once = _Once()
        self.breaker = Breaker()

    # ---- the Sink interface ----------------------------------------------------------------

    def start(self, service: ServiceRequest) -> str:
        version = self.client.version()
        self.server_version = version
        try:
            major_minor = parse_version(version)
        except ValueError as exc:
            raise SinkError(str(exc)) from None
        log.info("OpenMetadata server version %s", version)
        if self.version_validation and major_minor < MIN_SERVER:
            raise SinkError(
                f"the OpenMetadata server is version {version}; omkit run needs 1.0 or later"
            )
        self.bulk = major_minor >= (2, 0)
        self.send_hash = major_minor >= SOURCE_HASH_SERVER
        path = service_path(service.name)
        existing = self.client.get(path)
        if existing is not None:
            entity_of(existing, f"GET {path}", service.name)
        if existing is None or self.force_service:
            if existing is None and service.connection is None:
                raise SinkError(
                    f"the service {service.name} does not exist in OpenMetadata and the config "
                    "has no source.serviceConnection to create it with"
                )
            existing = self.client.put(
                "/services/mlmodelServices", service.body(reveal_secrets=True)
            )
            existing = entity_of(existing, "PUT /services/mlmodelServices", service.name)
            log.info("service %s sent to OpenMetadata", service.name)
        else:
            log.info("service %s exists in OpenMetadata: reusing it", service.name)
        self.service_fqn = str(existing["fullyQualifiedName"])
        if self.bulk or self.send_hash:
            self.read_known()
        return self.service_fqn

    def read_known(self) -> None:
        """Fill :attr:`known` and :attr:`hashes` from the service's listing."""
        for entity in self.listing():
            fqn = str(entity["fullyQualifiedName"])
            self.known.add(fqn)
            stored = entity.get("sourceHash")
            if isinstance(stored, str) and stored:
                self.hashes[fqn] = stored

    def unchanged(self, model: ModelRequest) -> bool:
        """Whether the server has ``model`` exactly as it would be sent (same ``sourceHash``)."""
        stored = self.hashes.get(model.fqn)
        return stored is not None and stored == source_hash(model.body())

    @property
    def broken(self) -> str | None:
        """Why nothing more is sent (None while all is well)."""
        return self.breaker.tripped

    def write(self, model: ModelRequest) -> None:
        if self.broken is not None:
            self.status.model_failed(model.name, f"not sent: {self.broken}", quiet=True)
            return
        if self.unchanged(model):
            self.status.model_unchanged()  # the server has exactly this: nothing to send
            return
        if self.bulk:
            self._batch.append(model)
            if len(self._batch) >= self.bulk_size:
                batch, self._batch = self._batch, []
                self._submit(self._send_batch, batch)
        else:
            self._submit(self._send_one, model)

    def finish(self) -> None:
        if self._batch:
            batch, self._batch = self._batch, []
            self._submit(self._send_batch, batch)
        self._pool.shutdown(wait=True)

    def abort(self) -> None:
        self._batch = []
        self._pool.shutdown(wait=True, cancel_futures=True)

    # ---- listing (for mark-deleted and dry runs) --------------------------------------------

    def existing_models(self) -> Iterable[str]:
        """The fully qualified names of the service's models in OpenMetadata."""
        for entity in self.listing():
            yield entity["fullyQualifiedName"]

    def listing(self) -> Iterable[dict[str, Any]]:
        """The service's models in OpenMetadata (``GET /mlmodels?limit=1000&service=``, paged).
        Raises :class:`OpenMetadataError` for an entry without an ``id`` or a
        ``fullyQualifiedName`` (a listing that cannot be trusted), besides the listing's own
        bounds (:meth:`OpenMetadataClient.list_all`)."""
        params = {"limit": 1000, "service": self.service_fqn}
        for number, entity in enumerate(self.client.list_all("/mlmodels", params), 1):
            yield entity_of(entity, f"GET /mlmodels (entry {number} of the listing)")

    # ---- sending ---------------------------------------------------------------------------

    def _submit(self, work: Callable[[Any], None], item: Any) -> None:
        self._slots.acquire()
        try:
            future = self._pool.submit(work, item)
        except BaseException:
            self._slots.release()
            raise
        future.add_done_callback(lambda _: self._slots.release())

    def _break(self, exc: OpenMetadataError) -> None:
        """Count a failure for the circuit breaker (not a request the client did not send)."""
        if not isinstance(exc, Stopped):
            self.breaker.failure(exc.status, str(exc))

    def _put_once(self, key: str, path: str, body: dict[str, Any], subject: str) -> bool:
        def action() -> bool:
            if self.broken is not None:
                return False
            try:
                entity_of(
                    self.client.put(path, body, gate=self.breaker), f"PUT {path}", body.get("name")
                )
            except OpenMetadataError as exc:
                self._break(exc)
                self.status.error(subject, str(exc), quiet=isinstance(exc, Stopped))
                return False
            self.breaker.success()
            return True

        return self._once.run(key, action)

    def _ensure_tags(self, tags: Iterable[TagRequest]) -> set[str]:
        """Create the classifications and tags (once each); the FQNs of those that failed."""
        failed: set[str] = set()
        for tag in tags:
            classification = tag.classification
            ok = self._put_once(
                f"classification:{classification.name}",
                "/classifications",
                classification.body(),
                f"classification {classification.name}",
            ) and self._put_once(f"tag:{tag.fqn}", "/tags", tag.body(), f"tag {tag.fqn}")
            if not ok:
                failed.add(tag.fqn)
        return failed

    def _body(self, model: ModelRequest) -> dict[str, Any]:
        """The model's request, less the tags that could not be created, with the hash of what is
        sent on servers that know ``sourceHash``."""
        failed = self._ensure_tags(model.tags)
        body = model.body()
        if failed:
            labels = [t for t in body.get("tags", []) if t["tagFQN"] not in failed]
            body = {k: v for k, v in body.items() if k != "tags"}
            if labels:
                body["tags"] = labels
        if self.send_hash:
            body = {**body, "sourceHash": source_hash(body)}
        return body

    def _send_one(self, model: ModelRequest) -> None:
        try:
            if self.broken is not None:
                self.status.model_failed(model.name, f"not sent: {self.broken}", quiet=True)
                return
            answer = self.client.request(
                "PUT", "/mlmodels", body=self._body(model), gate=self.breaker
            )
            check_put(answer, model.name)
        except OpenMetadataError as exc:
            self._break(exc)
            self.status.model_failed(model.name, str(exc), quiet=isinstance(exc, Stopped))
        except Exception as exc:  # never lose a model silently
            self.status.model_failed(model.name, f"unexpected error ({type(exc).__name__})")
        else:
            self.breaker.success()
            self.status.model_written(created=answer.status == 201)

    def _send_batch(self, batch: list[ModelRequest]) -> None:
        if not self.bulk:  # the server refused the bulk endpoint earlier
            for model in batch:
                self._send_one(model)
            return
        try:
            if self.broken is not None:
                for model in batch:
                    self.status.model_failed(model.name, f"not sent: {self.broken}", quiet=True)
                return
            bodies = [self._body(m) for m in batch]
            params = {"async": False, "overrideMetadata": self.override_metadata}
            answer = self.client.request(
                "PUT", "/mlmodels/bulk", params, bodies, gate=self.breaker
            ).body
            check_bulk(answer, len(batch))
        except OpenMetadataError as exc:
            if exc.status in (404, 405):  # no bulk endpoint after all: one PUT per model
                log.info("the server has no bulk endpoint; sending models one by one")
                self.bulk = False
                for model in batch:
                    self._send_one(model)
                return
            self._break(exc)
            for i, model in enumerate(batch):  # one log line for the whole batch
                quiet = i > 0 or isinstance(exc, Stopped)
                self.status.model_failed(model.name, str(exc), quiet=quiet)
            return
        except Exception as exc:
            for model in batch:
                self.status.model_failed(model.name, f"unexpected error ({type(exc).__name__})")
            return
        self.breaker.success()
        failed = bulk_failures(answer)
        for model in batch:
            if model.name in failed:
                self.status.model_failed(model.name, failed[model.name])
            else:
                self.status.model_written(created=model.fqn not in self.known)
