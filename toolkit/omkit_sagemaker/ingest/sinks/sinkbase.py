"""What every sink shares: the run's counters and the interface the workflow drives."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Protocol

from omkit_sagemaker.ingest.mapping import ModelRequest, ServiceRequest

log = logging.getLogger("omkit.run")

#: How many warnings and errors a run keeps word for word (all are counted).
KEPT = 1000


class SinkError(Exception):
    """A failure that stops the run (the service cannot be created, the file cannot be written)."""


@dataclass(frozen=True)
class RunProblem:
    """One warning or error: what it is about (``model churn-7``) and what happened."""

    subject: str
    message: str


@dataclass
class RunStatus:
    """The counters of one run, safe to update from several threads."""

    #: Models written (sent and accepted, or written to the file), or found unchanged.
    processed: int = 0
    #: Of those, the ones OpenMetadata did not have before (HTTP 201) ...
    created: int = 0
    #: ... and the ones it had (HTTP 200).
    updated: int = 0
    #: Of those, the ones not sent because OpenMetadata already had them as they are (same
    #: ``sourceHash``).
    unchanged: int = 0
    filtered: int = 0
    soft_deleted: int = 0
    warning_count: int = 0
    error_count: int = 0
    warnings: list[RunProblem] = field(default_factory=list)
    errors: list[RunProblem] = field(default_factory=list)
    #: Called after each model is done, written or failed (drives the progress bar).
    on_model: Callable[[], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def model_written(self, created: bool | None) -> None:
        """A model was written; ``created`` says whether it is new (None: not known)."""
        with self.lock:
            self.processed += 1
            if created is True:
                self.created += 1
            elif created is False:
                self.updated += 1
        self._tick()

    def model_unchanged(self) -> None:
        """A model OpenMetadata already has exactly as it would be written: not sent."""
        with self.lock:
            self.processed += 1
            self.unchanged += 1
        self._tick()

    def model_failed(self, name: str, message: str, *, quiet: bool = False) -> None:
        """A model could not be read or written: an error (the run exits 1)."""
        self.error(f"model {name}", message, quiet=quiet)
        self._tick()

    def model_filtered(self) -> None:
        with self.lock:
            self.filtered += 1
        self._tick()

    def error(self, subject: str, message: str, *, quiet: bool = False) -> None:
        """Count an error and log it (unless ``quiet``)."""
        with self.lock:
            self.error_count += 1
            if len(self.errors) < KEPT:
                self.errors.append(RunProblem(subject, message))
        if not quiet:
            log.error("%s: %s", subject, message)

    def warn(self, subject: str, message: str, *, quiet: bool = False) -> None:
        """Count a warning and log it (unless ``quiet``)."""
        with self.lock:
            self.warning_count += 1
            if len(self.warnings) < KEPT:
                self.warnings.append(RunProblem(subject, message))
        if not quiet:
            log.warning("%s: %s", subject, message)

    def _tick(self) -> None:
        if self.on_model is not None:
            self.on_model()


class Sink(Protocol):
    """Where the entities go. The workflow calls ``start`` once, ``write`` per model (it may
    block while the sink is busy), then ``finish`` (or ``abort`` when the run stops early)."""

    def start(self, service: ServiceRequest) -> str:
        """Make sure the service exists; return its fully qualified name. Raises
        :class:`SinkError` when the run cannot go on."""
        ...

    def write(self, model: ModelRequest) -> None:
        """Write one model (and the classifications and tags it needs); the outcome goes to
        the :class:`RunStatus`."""
        ...

    def finish(self) -> None:
        """Wait for every write to end and make the output final."""
        ...

    def abort(self) -> None:
        """Stop early: drop what is not written yet."""
        ...


#: Failures in a row after which a run stops sending to OpenMetadata.
BREAKER_LIMIT = 10


class Breaker:
    """The circuit breaker of a run's OpenMetadata writes: it trips on the first 401/403 or
    answer-less request (every later request would meet it too), or after
    :data:`BREAKER_LIMIT` failures in a row of the kinds a sick server gives (429, 5xx, no
    answer, a 2xx answer that is not what was asked for). The failures are counted per attempt
    (the client tells it of each, :meth:`attempt_failed`, and asks :attr:`tripped` before each
    one, retries included), so the budget bounds what goes out: once spent, no new attempt
    starts, and only those already in flight (one per worker) still reach the server. Once
    :attr:`tripped`, nothing more is sent; it holds the one-line reason. Safe to use from
    several threads."""

    def __init__(self, limit: int = BREAKER_LIMIT) -> None:
        self.limit = max(1, limit)
        self.tripped: str | None = None
        self._in_a_row = 0
        self._lock = threading.Lock()

    def success(self) -> None:
        with self._lock:
            self._in_a_row = 0

    def attempt_failed(self, status: int | None, message: str) -> None:
        """An attempt failed in a way worth a retry (429, 5xx; ``status`` None: no answer)."""
        with self._lock:
            if self.tripped is not None:
                return
            self._count(message)

    def failure(self, status: int | None, message: str) -> None:
        """Count a failed request (``status`` None: no answer came back). Its failed attempts
        of status 429 or 5xx were counted already (:meth:`attempt_failed`)."""
        with self._lock:
            if self.tripped is not None:
                return
            if status is None or status in (401, 403):
                self.tripped = message
                log.error("OpenMetadata: %s; nothing more is sent", self.tripped)
            elif 200 <= status < 300:  # an answer that is not what was asked for
                self._count(message)
            elif status != 429 and status < 500:  # refused (400, 404, 409): that request only
                self._in_a_row = 0

    def _count(self, message: str) -> None:
        self._in_a_row += 1
        if self._in_a_row >= self.limit:
            self.tripped = f"{self._in_a_row} failures in a row, the last: {message}"
            log.error("OpenMetadata: %s; nothing more is sent", self.tripped)
