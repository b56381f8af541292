"""The filter-matching timer and the timers around it: the SIGALRM bound of
``mlModelFilterPattern`` (omkit_sagemaker.ingest.sources.sagemaker) leaves a timer that was
already running (Airflow's execution_timeout is one) as it found it."""

from __future__ import annotations

import signal
import time
from types import FrameType

import pytest
from omkit_sagemaker.ingest.sources.sagemaker import FilterTimeout, ModelFilter


class _Outer(Exception):
    pass


def _outer_fired(signum: int, frame: FrameType | None) -> None:
    raise _Outer


def test_an_outer_timer_still_fires_after_a_match() -> None:
    previous = signal.signal(signal.SIGALRM, _outer_fired)
    try:
        signal.setitimer(signal.ITIMER_REAL, 0.8)
        keep = ModelFilter.compile(excludes=["tmp-.*"])
        assert keep.keep_within("churn") is True
        assert keep.keep_within("tmp-1") is False
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 0 < left <= 0.8  # still armed, not reset to the match bound
        with pytest.raises(_Outer):
            time.sleep(2)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def test_the_match_bound_holds_inside_a_longer_outer_timer() -> None:
    previous = signal.signal(signal.SIGALRM, _outer_fired)
    try:
        signal.setitimer(signal.ITIMER_REAL, 30)
        crafted = "a" * 28 + "b"
        started = time.monotonic()
        with pytest.raises(FilterTimeout):
            ModelFilter.compile(excludes=["(a+)+$"]).keep_within(crafted, 0.2)
        assert time.monotonic() - started < 5
        left, _ = signal.getitimer(signal.ITIMER_REAL)
        assert 20 < left <= 30
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
