"""omkit against the official ``metadata ingest`` 1.1.7.5 and 2.0.7.0, config by config.

Each release's runner is one process of ``official_driver.py`` in that release's venv (see
``diffharness``); omkit is the library behind ``omkit validate --target-version``. The suite
fails on a config omkit accepts and the runner rejects (a false negative), and on an S or Y error
on a config the runner accepts, except the deliberate differences of ``diffharness.DIFFERENCES``
(the table of docs/compatibility.md). Without the official venvs the tests skip, saying where
they were looked for; under ``CI=true`` a missing venv fails instead.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import diffharness
import mutations
import pytest
from omkit_sagemaker.check.versions import Version, parse_version

from testing.samples import CORPUS, FIXED_ENV

#: Configs per release on every run (the bench runs 5,000).
COUNT = 1000
SEED = 20261207

_TARGET = re.compile(r"^# target-version: ([0-9.]+)\r?$", re.MULTILINE)


def _runner(release: str) -> Iterator[diffharness.OfficialRunner]:
    reason = diffharness.missing_reason(release)
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    with diffharness.OfficialRunner(release) as runner:
        yield runner


@pytest.fixture(scope="module")
def runner11() -> Iterator[diffharness.OfficialRunner]:
    yield from _runner("1.1.7.5")


def check_mutated_configs(runner: diffharness.OfficialRunner, target: Version) -> None:
    """The seeded mutated configs of ``target``: omkit and the runner agree on each (the table
    is printed). The 2.0 half runs from ``test_differential_20.py``, a module of its own, so
    that the two halves, the suite's longest tests, run on two pytest-xdist workers at once."""
    tally = diffharness.run_cases(runner, target, mutations.generate(SEED, COUNT, target))
    print()
    print(diffharness.table(tally))
    failures = tally.failures()
    shown = "\n\n".join(case.describe() for case in failures[:5])
    assert not failures, f"{len(failures)} disagreements with metadata ingest, first:\n{shown}"


def test_mutated_configs_agree_with_1_1_7_5(runner11: diffharness.OfficialRunner) -> None:
    check_mutated_configs(runner11, (1, 1))


def _corpus_target(path: Path) -> Version:
    found = _TARGET.search(path.read_text(encoding="utf-8", errors="replace"))
    return parse_version(found.group(1)) if found else (1, 1)


def valid_files(*, of_1_1: bool) -> list[Path]:
    """The files of tests/corpus/valid that target 1.1 (or, ``of_1_1=False``, a later release)."""
    found = sorted((CORPUS / "valid").glob("*.y*ml"))
    return [path for path in found if (_corpus_target(path) == (1, 1)) == of_1_1]


def check_valid_file(runner: diffharness.OfficialRunner, path: Path) -> None:
    verdict = runner.check(path.read_bytes().decode("utf-8"), FIXED_ENV)
    assert verdict.accepted, f"{verdict.verdict} at {verdict.step}: {verdict.error}"


@pytest.mark.parametrize("path", valid_files(of_1_1=True), ids=lambda p: p.name)
def test_valid_corpus_runs_under_its_release(
    runner11: diffharness.OfficialRunner, path: Path
) -> None:
    """Every file of tests/corpus/valid starts under the release it targets (default 1.1;
    a ``# target-version: 2.0`` line says otherwise: those run in test_differential_20.py,
    beside the 2.0.7.0 runner there)."""
    check_valid_file(runner11, path)


def test_compare_sorts_each_pair() -> None:
    """The outcome of a pair: a false negative and an S/Y error on an accepted config fail."""
    accepted = diffharness.RunnerVerdict("accepted")
    rejected = diffharness.RunnerVerdict("rejected", "sink", "1 validation error")
    clean = diffharness.omkit_verdict(
        mutations.emit(mutations.seeds((1, 1))[0]), mutations.env_for({}), (1, 1)
    )
    broken = diffharness.omkit_verdict("source: 3\n", {}, (1, 1))
    assert clean.accepted, clean.errors
    none: tuple[diffharness.Difference, ...] = ()
    assert diffharness.compare("1.1.7.5", accepted, clean, none) == diffharness.AGREE_ACCEPT
    assert diffharness.compare("1.1.7.5", rejected, clean, none) == diffharness.FALSE_NEGATIVE
    assert diffharness.compare("1.1.7.5", accepted, broken, none) == diffharness.FALSE_POSITIVE
    assert diffharness.compare("1.1.7.5", rejected, broken, none) == diffharness.AGREE_REJECT


def test_generator_is_seeded() -> None:
    first = list(mutations.generate(7, 50, (2, 0)))
    assert first == list(mutations.generate(7, 50, (2, 0)))
    assert len({kind for kind, _, _ in first}) > 8


def test_the_docs_list_exactly_the_deliberate_differences() -> None:
    docs = (diffharness.ROOT / "docs" / "compatibility.md").read_text(encoding="utf-8")
    block = docs.split("<!-- differences: begin -->")[1].split("<!-- differences: end -->")[0]
    rows = [line for line in block.strip().splitlines()[2:] if line.startswith("|")]
    listed = [tuple(cell.strip() for cell in row.strip("|").split(" | ")) for row in rows]
    expected = [
        (d.code, ", ".join(d.releases), d.runner, f"`{d.path}`", d.reason)
        for d in diffharness.DIFFERENCES
    ]
    assert listed == expected
