"""``mlModelFilterPattern``: which models a run keeps, by name, with upstream's rules (facts §4.2).

:class:`ModelFilter` compiles the patterns (:class:`FilterError` names the first that Python
cannot compile) and matches a name with them. Matching is bounded in time: a pattern with
catastrophic backtracking (``(a+)+$``) can take minutes on one crafted name, so
:meth:`ModelFilter.keep_within` gives each name at most :data:`MATCH_TIMEOUT` seconds (a
``SIGALRM`` timer; Python's regular expression engine checks for signals while it matches) and
raises :class:`FilterTimeout` past it. The timer needs the main thread of a POSIX process: runs on
other threads hand the matching to it when it serves them
(:mod:`omkit_sagemaker.ingest.mainthread`); elsewhere matching is not bounded.
"""

from __future__ import annotations

import re
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from omkit_sagemaker.ingest import mainthread

#: Seconds mlModelFilterPattern may take on one model name.
MATCH_TIMEOUT = 0.5


class FilterTimeout(Exception):
    """Matching ``mlModelFilterPattern`` took longer than allowed on one name."""


class _Alarm(Exception):
    pass


def _on_alarm(signum: int, frame: object) -> None:
    raise _Alarm


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`FilterTimeout` in the body after ``seconds`` (main thread, POSIX only)."""
    if threading.current_thread() is not threading.main_thread() or not hasattr(
        signal, "setitimer"
    ):
        yield
        return
    try:
        previous = signal.signal(signal.SIGALRM, _on_alarm)
        # a timer already running (Airflow's execution_timeout) is put back when we are done
        outer, interval = signal.getitimer(signal.ITIMER_REAL)
        started = time.monotonic()
        try:
            signal.setitimer(signal.ITIMER_REAL, min(seconds, outer) if outer else seconds)
            yield
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
            if outer:
                left = outer - (time.monotonic() - started)
                signal.setitimer(signal.ITIMER_REAL, max(left, 0.001), interval)
    except _Alarm:
        raise FilterTimeout from None


class FilterError(ValueError):
    """A regular expression of ``mlModelFilterPattern`` that Python cannot compile."""


@dataclass(frozen=True)
class ModelFilter:
    """``mlModelFilterPattern``: upstream's rules (facts §4.2).

    No pattern keeps everything. With ``includes``, a name is kept when one of them matches
    (``re.match``: anchored at the start only, case-insensitive) and ``excludes`` are ignored
    (includes win). Otherwise a name is dropped when one of the ``excludes`` matches.
    """

    includes: tuple[re.Pattern[str], ...] = ()
    excludes: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def compile(cls, includes: Sequence[str] = (), excludes: Sequence[str] = ()) -> ModelFilter:
        """Compile the patterns; raises :class:`FilterError` naming the first bad one."""

        def one(kind: str, pattern: str) -> re.Pattern[str]:
            try:
                return re.compile(pattern, re.IGNORECASE)
            except re.error as exc:
                raise FilterError(
                    f"mlModelFilterPattern.{kind}: {pattern!r} is not a valid regular "
                    f"expression ({exc})"
                ) from None

        return cls(
            tuple(one("includes", p) for p in includes),
            tuple(one("excludes", p) for p in excludes),
        )

    def keep(self, name: str) -> bool:
        """Whether the model ``name`` is ingested."""
        if self.includes:
            return any(p.match(name) for p in self.includes)
        return not any(p.match(name) for p in self.excludes)

    def keep_within(self, name: str, seconds: float = MATCH_TIMEOUT) -> bool:
        """:meth:`keep`, but raises :class:`FilterTimeout` when it takes more than ``seconds``
        (see the module doc for where the bound holds)."""
        if not self.includes and not self.excludes:
            return True

        def bounded() -> bool:
            with _deadline(seconds):
                return self.keep(name)

        # on another thread, the main thread (where the timer works) matches when it serves
        return mainthread.call(bounded)
