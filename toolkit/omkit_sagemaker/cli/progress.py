"""What ``omkit run`` shows while it runs: its log lines and its progress, on stderr.

Log lines go to stderr as ``omkit: level: message``, through the secret
:data:`~omkit_sagemaker.ingest.redaction.REDACTOR`. On a terminal a rich progress bar shows the
models done; otherwise (:class:`LineProgress`) a ``progress:`` log line comes at most every
:data:`PROGRESS_EVERY` seconds. The library only calls :class:`~omkit_sagemaker.ingest.ingestrun.
Progress` and logs records; this module is where they reach the terminal.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from omkit_sagemaker.ingest.ingestrun import Progress
from omkit_sagemaker.ingest.redaction import REDACTOR
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus

#: Seconds between two progress lines when stderr is not a terminal.
PROGRESS_EVERY = 10.0

log = logging.getLogger("omkit.run")


class StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time, so that rich's live display (which
    swaps it) prints the lines above the progress bar."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


class LineFormatter(logging.Formatter):
    """``omkit: level: message``."""

    def format(self, record: logging.LogRecord) -> str:
        level = record.levelname.lower()
        return f"omkit: {level}: {record.getMessage()}"


def setup_logging() -> logging.Handler:
    """Send the ``omkit`` logger's records to stderr as ``omkit: level: message`` lines, with
    every secret masked; the level starts at INFO (the run sets the config's ``loggerLevel``)."""
    handler = StderrHandler()
    handler.setFormatter(LineFormatter())
    handler.addFilter(REDACTOR)
    logger = logging.getLogger("omkit")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    return handler


class RichProgress(Progress):
    """A rich progress bar on stderr: models done, out of the total once the listing is over."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            SpinnerColumn,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("models"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=True,
        )
        self._task = self._progress.add_task("models", total=None)

    def total(self, count: int) -> None:
        self._progress.update(self._task, total=count)

    def advance(self) -> None:
        self._progress.advance(self._task)

    @contextmanager
    def shown(self) -> Iterator[RichProgress]:
        with self._progress:
            yield self


class LineProgress(Progress):
    """Progress for unattended runs (stderr not a terminal): an ``omkit: info: progress: ...``
    log line at most every ``every`` seconds, with the models done, the models listed (once
    known) and the errors so far."""

    def __init__(
        self, every: float = PROGRESS_EVERY, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.every = every
        self.clock = clock
        self.done = 0
        self.listed: int | None = None
        self.status: RunStatus | None = None
        self._last = clock()
        self._lock = threading.Lock()

    def attach(self, status: RunStatus) -> None:
        self.status = status

    def total(self, count: int) -> None:
        self.listed = count

    def advance(self) -> None:
        with self._lock:
            self.done += 1
            now = self.clock()
            if now - self._last < self.every:
                return
            self._last = now
            done = self.done
        of = f" of {self.listed}" if self.listed is not None else ""
        errors = self.status.error_count if self.status is not None else 0
        plural = "" if errors == 1 else "s"
        log.info("progress: %d%s models done, %d error%s so far", done, of, errors, plural)
