"""What stops an OpenMetadata client's requests from outside: the circuit breaker asked before
each attempt (:class:`Gate`), and a signal that stops every client of the runs at once
(:class:`Cancel`). See :class:`~omkit_sagemaker.ingest.openmetadata.OpenMetadataClient`.

Runs side by side (:mod:`omkit_sagemaker.ingest.multirun`) each run on a thread of their own,
inside :func:`cancelled_by`: every client made on that thread meanwhile (the run's) enrols itself
(:func:`enrol`), so the main thread, which takes the signal, stops them all without the runs
passing their clients around. (The ingestion pipeline's status client is made outside the block:
it still reports the stopped run.)
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Stoppable(Protocol):
    """A client whose requests can be stopped (``OpenMetadataClient.stop``)."""

    def stop(self, reason: str) -> None: ...


class Gate(Protocol):
    """What a request asks before each attempt and tells after each failed one (the sink's
    circuit breaker, :class:`~omkit_sagemaker.ingest.sinks.sinkbase.Breaker`)."""

    @property
    def tripped(self) -> str | None:
        """Why nothing more may be sent (None: go on)."""
        ...

    def attempt_failed(self, status: int | None, message: str) -> None:
        """An attempt got ``status`` (None: no answer), worth a retry."""
        ...


class Cancel:
    """Stops every client added to it, at once and for good (a signal stops a run side by side
    with others: :mod:`omkit_sagemaker.ingest.multirun`). Safe to use from several threads."""

    def __init__(self) -> None:
        self.reason: str | None = None
        self._lock = threading.Lock()
        self._clients: list[Stoppable] = []

    def add(self, client: Stoppable) -> None:
        """Stop ``client`` with the others (at once when already cancelled)."""
        with self._lock:
            reason = self.reason
            if reason is None:
                self._clients.append(client)
        if reason is not None:
            client.stop(reason)

    def cancel(self, reason: str) -> None:
        """Stop every client added, and every client added from now on."""
        with self._lock:
            if self.reason is not None:
                return
            self.reason = reason
            clients, self._clients = self._clients, []
        for client in clients:
            client.stop(reason)


_local = threading.local()


@contextmanager
def cancelled_by(cancel: Cancel) -> Iterator[None]:
    """Clients made on this thread inside the block are stopped by ``cancel``."""
    previous = getattr(_local, "cancel", None)
    _local.cancel = cancel
    try:
        yield
    finally:
        _local.cancel = previous


def enrol(client: Stoppable) -> None:
    """Put ``client`` under the :class:`Cancel` of this thread's :func:`cancelled_by` block."""
    cancel: Cancel | None = getattr(_local, "cancel", None)
    if cancel is not None:
        cancel.add(client)
