"""omkit against the official ``metadata ingest`` 2.0.7.0 on the seeded mutated configs: the
2.0 half of ``test_differential.py``'s check, in a module of its own so that pytest-xdist runs
the two halves on two workers at once (each module is one worker's unit of work)."""

from __future__ import annotations

from collections.abc import Iterator

import diffharness
import pytest
from test_differential import _runner, check_mutated_configs


@pytest.fixture(scope="module")
def runner20() -> Iterator[diffharness.OfficialRunner]:
    yield from _runner("2.0.7.0")


def test_mutated_configs_agree_with_2_0_7_0(runner20: diffharness.OfficialRunner) -> None:
    check_mutated_configs(runner20, (2, 0))
