"""omkit against the official ``metadata ingest`` 2.0.7.0 on the seeded mutated configs: the
2.0 half of ``test_differential.py``'s check, in a module of its own so that pytest-xdist runs
the two halves on two workers at once (each module is one worker's unit of work); and the valid
corpus files that target 2.0, on the same runner (one 2.0.7.0 process for the suite)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import diffharness
import pytest
from test_differential import _runner, check_mutated_configs, check_valid_file, valid_files


@pytest.fixture(scope="module")
def runner20() -> Iterator[diffharness.OfficialRunner]:
    yield from _runner("2.0.7.0")


def test_mutated_configs_agree_with_2_0_7_0(runner20: diffharness.OfficialRunner) -> None:
    check_mutated_configs(runner20, (2, 0))


@pytest.mark.parametrize("path", valid_files(of_1_1=False), ids=lambda p: p.name)
def test_valid_corpus_runs_under_its_release(
    runner20: diffharness.OfficialRunner, path: Path
) -> None:
    """The valid corpus files whose ``# target-version`` is 2.0 start under 2.0.7.0 (the
    1.1 ones: test_differential.py)."""
    check_valid_file(runner20, path)
