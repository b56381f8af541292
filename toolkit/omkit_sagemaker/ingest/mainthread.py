"""Calls that must run on the main thread, made from any thread.

A ``SIGALRM`` timer (what bounds ``mlModelFilterPattern`` matching, see
:mod:`omkit_sagemaker.ingest.sources.sagemaker`) works only on the main thread of a process.
When several configs run side by side (:mod:`omkit_sagemaker.ingest.multirun`), each run is on a
thread of its own, so the main thread serves those calls for them: :func:`serving` opens a
:class:`Server` that the waiting main thread drains with :meth:`Server.serve`, and :func:`call`
from another thread hands the function over and waits for its result (or its exception).

Without a server (a run started from a thread of the caller's program), :func:`call` runs the
function where it is, as before.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

#: Seconds the main thread waits for work before it looks again whether it should stop.
POLL = 0.1


class Server:
    """A queue of calls the main thread runs (see the module doc)."""

    def __init__(self) -> None:
        self._calls: queue.Queue[tuple[Callable[[], Any], Future[Any]] | None] = queue.Queue()
        self._lock = threading.Lock()
        self._closed = False

    def call(self, fn: Callable[[], T]) -> T:
        """``fn()`` run by the serving thread (or here, once the server is closed)."""
        future: Future[T] | None = None
        with self._lock:
            if not self._closed:
                future = Future()
                self._calls.put((fn, future))
        return fn() if future is None else future.result()

    def wake(self) -> None:
        """Make a waiting :meth:`serve` look at its ``done`` condition now."""
        self._calls.put(None)

    def serve(self, done: Callable[[], bool]) -> None:
        """Run the calls handed over until ``done()`` is true (on the main thread). A
        KeyboardInterrupt during a call reaches both the caller and this thread."""
        while not done():
            try:
                item = self._calls.get(timeout=POLL)
            except queue.Empty:
                continue
            if item is not None:
                self._run(*item)
        self._drain()

    def close(self) -> None:
        """Take no more calls; run the ones already handed over."""
        with self._lock:
            self._closed = True
        self._drain()

    def _drain(self) -> None:
        while True:
            try:
                item = self._calls.get_nowait()
            except queue.Empty:
                return
            if item is not None:
                self._run(*item)

    @staticmethod
    def _run(fn: Callable[[], Any], future: Future[Any]) -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(fn())
        except KeyboardInterrupt as exc:
            future.set_exception(exc)
            raise
        except BaseException as exc:  # handed to the caller's thread, raised there
            future.set_exception(exc)


_active: Server | None = None
_lock = threading.Lock()


@contextmanager
def serving() -> Iterator[Server]:
    """Open the process's main-thread server (call it on the main thread, then
    :meth:`Server.serve` while the other threads work)."""
    global _active
    if threading.current_thread() is not threading.main_thread():
        raise RuntimeError("mainthread.serving() must be called on the main thread")
    server = Server()
    with _lock:
        previous, _active = _active, server
    try:
        yield server
    finally:
        with _lock:
            _active = previous
        server.close()


def call(fn: Callable[[], T]) -> T:
    """``fn()`` on the main thread when a server is open and this is another thread; else
    ``fn()`` right here."""
    server = _active
    if server is None or threading.current_thread() is threading.main_thread():
        return fn()
    return server.call(fn)
