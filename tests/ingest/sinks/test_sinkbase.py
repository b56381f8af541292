"""What every sink shares (omkit_sagemaker.ingest.sinks.sinkbase): the run's counters, exact
under concurrent writers and keeping at most KEPT problems word for word while counting all, and
the circuit breaker that stops sending to a server that refuses the token, stops answering, or
keeps failing."""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest
from omkit_sagemaker.ingest.sinks.sinkbase import (
    BREAKER_LIMIT,
    KEPT,
    Breaker,
    RunProblem,
    RunStatus,
)


def test_the_counters_add_up_across_threads_and_each_model_ticks_the_progress() -> None:
    ticks: list[None] = []
    status = RunStatus(on_model=lambda: ticks.append(None))

    outcomes: list[Callable[[int], None]] = [
        lambda i: status.model_written(True),
        lambda i: status.model_written(False),
        lambda i: status.model_written(None),
        lambda i: status.model_unchanged(),
        lambda i: status.model_filtered(),
        lambda i: status.model_failed(f"m-{i}", "refused", quiet=True),
    ]

    def one(i: int) -> None:
        outcomes[i % 6](i)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, range(600)))
    assert (status.processed, status.created, status.updated, status.unchanged) == (
        400,
        100,
        100,
        100,
    )
    assert (status.filtered, status.error_count) == (100, 100)
    assert len(ticks) == 600
    assert RunProblem("model m-5", "refused") in status.errors


def test_problems_are_all_counted_but_only_the_first_kept_word_for_word(
    caplog: pytest.LogCaptureFixture,
) -> None:
    status = RunStatus()
    with caplog.at_level(logging.WARNING, logger="omkit.run"):
        for i in range(KEPT + 5):
            status.warn(f"model m-{i}", "no training job", quiet=i > 0)
        status.error("service svc", "cannot be created")
    assert status.warning_count == KEPT + 5
    assert len(status.warnings) == KEPT
    assert status.warnings[0] == RunProblem("model m-0", "no training job")
    assert [r.getMessage() for r in caplog.records] == [
        "model m-0: no training job",
        "service svc: cannot be created",
    ]


@pytest.mark.parametrize(
    ("status", "why"), [(401, "token refused"), (403, "forbidden"), (None, "no answer")]
)
def test_a_refused_token_or_no_answer_trips_the_breaker_at_once(
    status: int | None, why: str
) -> None:
    breaker = Breaker()
    breaker.failure(status, why)
    assert breaker.tripped == why
    breaker.failure(500, "later")  # the first reason stays
    assert breaker.tripped == why


def test_a_sick_server_trips_it_after_the_limit_of_failures_in_a_row() -> None:
    breaker = Breaker()
    for _ in range(BREAKER_LIMIT - 1):
        breaker.attempt_failed(503, "unavailable")
    breaker.success()  # one success resets the count
    for _ in range(BREAKER_LIMIT - 1):
        breaker.attempt_failed(500, "server error")
    assert breaker.tripped is None
    breaker.failure(200, "the answer is not the model")
    assert (
        breaker.tripped
        == f"{BREAKER_LIMIT} failures in a row, the last: the answer is not the model"
    )


def test_a_refused_request_concerns_that_request_only() -> None:
    breaker = Breaker(limit=3)
    breaker.attempt_failed(500, "a")
    breaker.attempt_failed(500, "b")
    breaker.failure(400, "bad body")  # resets: the server answers
    breaker.attempt_failed(500, "c")
    breaker.attempt_failed(500, "d")
    assert breaker.tripped is None
    breaker.attempt_failed(429, "slow down")
    assert breaker.tripped == "3 failures in a row, the last: slow down"
