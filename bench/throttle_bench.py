"""Benchmark: `omkit run` against a throttling SageMaker, next to the time the limit allows.

Real accounts are limited by SageMaker's request rate, not by latency: above the rate, AWS
answers `ThrottlingException`. Here a proxy in front of moto (testing/awsfaults.py, a test double)
lets `--rate` requests per second through (a token bucket holding one second's worth) and answers
every other request HTTP 400 with the AWS JSON error shape. The run reads the models through it
(`--assets models`, tags on; moto cannot Search models, so each model costs DescribeModel and
ListTags) and writes them to the recording OpenMetadata double.

The floor is the time the limit allows for the calls the run had to make: (calls let through -
the bucket's burst) / rate. Ratio = the run's own duration / that floor. Each case runs
`--repeats` times; the bench prints the median ratio with min-max and fails only when the whole
interval is above the target (1.3) or when a run of the default (adaptive) mode had an error.
Each case is also run once with botocore's `standard` retry mode, for comparison (no target):
it retries each call on its own, with no shared rate, and with many workers it runs out of
attempts.

botocore's adaptive limiter starts unlimited, and after the first burst of throttles it starts
low and climbs back (CUBIC), so the first seconds of a run cost more than the limit allows; a
long run (as real estates of thousands of models are) spends most of its time near the limit.
So the full cases are long enough for that (floors of about 20 and 40 s); `--quick` (for CI,
~40 s) runs short ones and checks only that no run has an error, printing the ratio without a
target. Run:
`.venv/bin/python bench/throttle_bench.py [--quick]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from omkit_sagemaker.ingest import ingestrun as workflow
from omkit_sagemaker.ingest.ingestrun import RunOptions

from bench.common import empty, finish, missed, seed_models, start_moto, stop
from testing.awsfaults import FaultProxy
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

TARGET = 1.3


@dataclass
class Outcome:
    seconds: float
    floor: float
    accepted: int
    throttled: int
    errors: int
    written: int

    @property
    def ratio(self) -> float:
        return self.seconds / self.floor if self.floor > 0 else float("inf")


def one_run(
    moto_endpoint: str, om: OMServer, rate: float, workers: int, mode: str, tmp: Path
) -> Outcome:
    empty(om)  # every run writes every model
    proxy = FaultProxy(moto_endpoint, rate_limit=rate).start()
    try:
        path = tmp / "throttled.yaml"
        path.write_text(config_text(om.url, proxy.endpoint, logger_level="ERROR"), encoding="utf-8")
        options = RunOptions(
            environ={"SM_SECRET": AWS_SECRET, "OM_JWT": om.token},
            workers=workers,
            assets=frozenset({"models"}),
            aws_retry_mode=mode,
            http_backoff=0.0,
        )
        result = workflow.run(path, options)
    finally:
        proxy.stop()
    floor = max(0.0, proxy.accepted - rate) / rate
    errors = result.status.error_count + (1 if result.fatal else 0)
    return Outcome(
        result.duration, floor, proxy.accepted, proxy.throttled, errors, len(om.live_models())
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer models, one repeat (CI)")
    parser.add_argument("--models", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    args = parser.parse_args()
    models = args.models or (60 if args.quick else 400)
    repeats = args.repeats or (1 if args.quick else 3)
    # (requests per second, workers): a limit well under what the pool asks for
    cases = [(20.0, 8), (20.0, 32)] if args.quick else [(40.0, 8), (20.0, 32)]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}; {models} models, {repeats} repeat(s) per case"
    )
    process, moto = start_moto()
    om = OMServer().start()
    failures: list[str] = []
    try:
        seed_models([moto], models)
        with tempfile.TemporaryDirectory(prefix="omkit-throttle-") as tmp:
            for rate, workers in cases:
                runs = [
                    one_run(moto.endpoint, om, rate, workers, "adaptive", Path(tmp))
                    for _ in range(repeats)
                ]
                ratios = [r.ratio for r in runs]
                median = statistics.median(ratios)
                print(
                    f"  {rate:>4.0f} req/s, {workers:>2} workers, adaptive: ratio {median:.2f} "
                    f"(min {min(ratios):.2f}, max {max(ratios):.2f}) to the floor "
                    f"{runs[0].floor:.1f} s; {sum(r.throttled for r in runs)} throttled, "
                    f"{sum(r.errors for r in runs)} errors"
                )
                for r in runs:
                    if r.errors or r.written != models:
                        failures.append(
                            f"{rate:.0f} req/s, {workers} workers: {r.errors} errors, "
                            f"{r.written} of {models} models written"
                        )
                if missed(ratios, TARGET) and not args.quick:
                    failures.append(
                        f"{rate:.0f} req/s, {workers} workers: ratio {min(ratios):.2f}-"
                        f"{max(ratios):.2f} > {TARGET}"
                    )
                std = one_run(moto.endpoint, om, rate, workers, "standard", Path(tmp))
                print(
                    f"  {rate:>4.0f} req/s, {workers:>2} workers, standard: ratio {std.ratio:.2f}; "
                    f"{std.throttled} throttled, {std.errors} errors, "
                    f"{std.written} of {models} written (comparison, no target)"
                )
    finally:
        om.stop()
        stop([process])
    return finish(failures)


if __name__ == "__main__":
    started = time.perf_counter()
    code = main()
    print(f"({time.perf_counter() - started:.0f} s)")
    raise SystemExit(code)
