"""Differential bench: omkit's verdict against the official `metadata ingest`, 5,000 configs each.

Runs the seeded mutation generator of tests/differential (5,000 configs per release by default)
through the official 1.1.7.5 and 2.0.7.0 runners (one long-running driver process each, see
tests/differential/official_driver.py) and through omkit's library with `--target-version` of
that release, and prints the agreement table by mutation kind, the rate, and each disagreement
kind with one example. Exit 1 when any config is a false negative or an unexplained S/Y error.

Needs the official venvs (`.venv-official/<release>`, made by bench/official-venv.sh, or
OMKIT_OFFICIAL_VENVS / OMKIT_OFFICIAL_1_1 / OMKIT_OFFICIAL_2_0).
Run: `.venv/bin/python bench/differential_bench.py [--count N] [--seed S] [--release 1.1.7.5]`.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections import Counter
from pathlib import Path

sys.path[:0] = [str(Path(__file__).resolve().parents[1] / "tests" / "differential")]

import diffharness  # noqa: E402
import mutations  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=5000, help="configs per release")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--release", action="append", choices=sorted(diffharness.RELEASES.values()))
    args = parser.parse_args()
    wanted = args.release or list(diffharness.RELEASES.values())
    failed = 0
    for target, release in diffharness.RELEASES.items():
        if release not in wanted:
            continue
        reason = diffharness.missing_reason(release)
        if reason is not None:
            print(f"skipped: {reason}")
            failed += 1
            continue
        start = time.perf_counter()
        with diffharness.OfficialRunner(release) as runner:
            ready = time.perf_counter() - start
            tally = diffharness.run_cases(
                runner, target, mutations.generate(args.seed, args.count, target)
            )
        elapsed = time.perf_counter() - start
        print(diffharness.table(tally))
        per = (elapsed - ready) / max(1, args.count) * 1000
        print(f"{elapsed:.1f} s ({ready:.1f} s to start the runner, {per:.1f} ms per config)")
        kinds = Counter((c.outcome, c.kind, c.runner.step) for c in tally.failures())
        for (outcome, kind, step), n in kinds.most_common():
            example = next(
                c
                for c in tally.failures()
                if (c.outcome, c.kind, c.runner.step) == (outcome, kind, step)
            )
            print(f"\n{n} x {outcome} [{kind}] at {step or '-'}:\n{example.describe()}")
        failed += len(tally.failures())
        print()
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
