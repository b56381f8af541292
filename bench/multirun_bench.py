"""Benchmark: many configs in one `omkit run DIR` against the same configs one after another.

An estate of 4 accounts x 3 regions: 12 configs (one service each), 200 SageMaker models per
region (each with two tags), in moto servers of their own processes behind a proxy that adds
`--aws-latency` milliseconds (default 20) to every AWS call, as bench/run_bench.py does; the
recording OpenMetadata double of the tests takes the writes and is emptied before each
measurement, so every measurement creates all 12 services and 2,400 models.

A: one `omkit run DIR` (default --parallel 4, --workers 8). B (the peer: what a user does without
it): the 12 configs run one after another, each `omkit run FILE` in its own process, as 12 cron
lines would. They alternate (A B A B ...), and the result is the median of the paired ratios
A/B with their min and max. Peak RSS of the `omkit run DIR` process is read with wait4().

Each pair also prints the CPU seconds of omkit and of the stand-ins (the moto servers, the
latency proxy and the OpenMetadata double), which share the machine's cores with omkit here and
would not in a real estate.

Targets (exit 1 when missed): ratio <= 0.35, missed only when every pair is past it; peak RSS
under 300 MB; every run succeeds and writes every model. `--quick` (a smoke check, ~15 s): 3
configs (one account) x 30 models, one pair, and checks only that both ways succeed and the one
call is faster.
Run: `.venv/bin/python bench/multirun_bench.py [--quick] [--pairs N] [--aws-latency MS]`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import OMKIT, Measure, bench_env, empty, finish, launch, start_moto, stop
from bench.pairing import Spread, add_aws, add_pairs, options
from bench.run_bench import ACCESS_KEY, CONFIG
from testing.awsfaults import FaultProxy
from testing.awsfixtures import ACCOUNT, ROLE_ARN, MotoServer
from testing.omdouble import OMServer

REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2")
ACCOUNTS = 4
RATIO_TARGET = 0.35
RSS_TARGET_MB = 300.0


def sagemaker(server: MotoServer, region: str) -> Any:
    import boto3

    return boto3.client(
        "sagemaker",
        region_name=region,
        endpoint_url=server.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def seed(servers: list[MotoServer], regions: tuple[str, ...], count: int) -> None:
    """``count`` models in each region of each (identical) moto server."""

    def one_server(server: MotoServer) -> None:
        server.reset()
        for region in regions:
            client = sagemaker(server, region)

            def one(i: int, client: Any = client, region: str = region) -> None:
                name = f"model-{i:05d}"
                client.create_model(
                    ModelName=name,
                    ExecutionRoleArn=ROLE_ARN,
                    PrimaryContainer={
                        "Image": f"{ACCOUNT}.dkr.ecr.{region}.amazonaws.com/m:{i}",
                        "ModelDataUrl": f"s3://bench-models/{name}/model.tar.gz",
                    },
                    Tags=[{"Key": "team", "Value": f"t{i % 7}"}, {"Key": "tier", "Value": "g"}],
                )

            with ThreadPoolExecutor(16) as pool:
                list(pool.map(one, range(count)))

    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(one_server, servers))


def write_configs(folder: Path, endpoint: str, host_port: str, accounts: int) -> list[Path]:
    paths = []
    for account in range(accounts):
        for region in REGIONS:
            text = CONFIG.format(
                access_key=ACCESS_KEY, region=region, endpoint=endpoint, host_port=host_port
            ).replace("serviceName: bench_sagemaker", f"serviceName: acct{account}_{region}")
            path = folder / f"acct{account}-{region}.yaml"
            path.write_text(text, encoding="utf-8")
            paths.append(path)
    return paths


def stand_ins_cpu(motos: list[subprocess.Popen[bytes]]) -> float:
    """CPU seconds used so far by the moto servers and this process (the latency proxy and the
    OpenMetadata double): the stand-ins for AWS and OpenMetadata that share the cores with
    omkit, and that a real estate would not run on omkit's machine."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = time.process_time()
    for process in motos:
        try:
            fields = Path(f"/proc/{process.pid}/stat").read_text(encoding="ascii")
        except OSError:
            continue
        utime, stime = fields.rsplit(")", 1)[1].split()[11:13]
        total += (int(utime) + int(stime)) / ticks
    return total


@dataclass
class Runs:
    """The two ways of running the configs, on the same stand-ins; the failures found."""

    om: OMServer
    motos: list[subprocess.Popen[bytes]]
    folder: Path
    configs: list[Path]
    env: dict[str, str]
    expected: int
    failures: list[str]

    def check(self, label: str, code: int, output: str) -> None:
        written = len(self.om.live_models())
        if code != 0:
            print(output[-3000:], file=sys.stderr)
            self.failures.append(f"{label} exited {code}")
        elif written != self.expected:
            self.failures.append(f"{label}: {written} models in OpenMetadata, not {self.expected}")

    def one_call(self) -> tuple[Measure, float]:
        """A: one `omkit run DIR`, and the stand-ins' CPU seconds meanwhile."""
        empty(self.om)
        before = stand_ins_cpu(self.motos)
        m = launch([OMKIT, "run", str(self.folder)], self.env)
        stand_ins = stand_ins_cpu(self.motos) - before
        self.check("omkit run DIR", m.code, m.output)
        return m, stand_ins

    def one_after_another(self) -> tuple[float, float, float]:
        """B: `omkit run FILE` for each config in turn: wall and CPU seconds of omkit, and the
        stand-ins' CPU seconds meanwhile."""
        empty(self.om)
        before = stand_ins_cpu(self.motos)
        sequential = sequential_cpu = 0.0
        worst = 0
        for config in self.configs:
            m = launch([OMKIT, "run", str(config)], self.env)
            sequential += m.seconds
            sequential_cpu += m.cpu
            if m.code:
                worst = m.code
                print(m.output[-2000:], file=sys.stderr)
        stand_ins = stand_ins_cpu(self.motos) - before
        self.check("omkit run FILE x 12", worst, "")
        return sequential, sequential_cpu, stand_ins

    def pair(self, number: int) -> tuple[float, float]:
        """One A B pair, printed: its ratio and A's peak RSS."""
        one, one_stand_ins = self.one_call()
        sequential, sequential_cpu, sequential_stand_ins = self.one_after_another()
        ratio = one.seconds / sequential
        print(
            f"  pair {number}: one call {one.seconds:6.2f} s (CPU: omkit {one.cpu:4.1f} s, "
            f"stand-ins {one_stand_ins:4.1f} s; peak RSS {one.rss_mb:5.1f} MB)  "
            f"{len(self.configs)} calls one after another {sequential:6.2f} s (CPU: omkit "
            f"{sequential_cpu:4.1f} s, stand-ins {sequential_stand_ins:4.1f} s)  "
            f"ratio {ratio:.3f}"
        )
        return ratio, one.rss_mb


def verdicts(ratios: list[float], peaks: list[float], quick: bool) -> list[str]:
    """Print the median ratio and the peak RSS; the missed targets."""
    spread = Spread.of(ratios)
    print(
        f"omkit run DIR / sequential omkit run FILE: median {spread.median:.3f} "
        f"({spread.min_max(3)}) over {len(ratios)} pairs; target <= {RATIO_TARGET}"
    )
    print(f"peak RSS of omkit run DIR: {max(peaks):.1f} MB; target < {RSS_TARGET_MB:.0f}")
    failures = []
    target = RATIO_TARGET if not quick else 1.0
    if spread.missed(target):  # every pair past the target (issue 17's rule)
        failures.append(f"ratio {spread.dash(3)} > {target}")
    if max(peaks) >= RSS_TARGET_MB:
        failures.append(f"peak RSS {max(peaks):.0f} MB >= {RSS_TARGET_MB:.0f} MB")
    return failures


def parse() -> argparse.Namespace:
    parser = options(__doc__ or "", "3 configs x 30 models, one pair")
    add_pairs(parser, 3, "A/B pairs (default 3)")
    parser.add_argument("--models", type=int, default=None, help="models per region")
    add_aws(parser, moto_servers=2)
    return parser.parse_args()


def main() -> int:
    args = parse()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    count = args.models or (30 if args.quick else 200)
    pairs = 1 if args.quick else max(1, args.pairs)
    accounts = 1 if args.quick else ACCOUNTS
    motos_started = [start_moto() for _ in range(max(1, args.moto_servers))]
    motos = [server for _, server in motos_started]
    om = OMServer().start()
    proxy = FaultProxy(
        motos[0].endpoint, delay=args.aws_latency / 1000, replicas=[m.endpoint for m in motos[1:]]
    ).start()
    failures: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="omkit-multirun-bench-") as tmp:
            folder = Path(tmp) / "configs"
            folder.mkdir()
            configs = write_configs(folder, proxy.endpoint, om.url, accounts)
            processes = [process for process, _ in motos_started]
            runs = Runs(
                om, processes, folder, configs, bench_env(om), len(configs) * count, failures
            )
            started = time.perf_counter()
            seed(motos, REGIONS, count)
            print(
                f"seeded {count} models in each of {len(REGIONS)} regions of {len(motos)} moto "
                f"servers in {time.perf_counter() - started:.1f} s; {len(configs)} configs, "
                f"AWS +{args.aws_latency:.0f} ms per call"
            )
            measured = [runs.pair(number) for number in range(1, pairs + 1)]
            failures += verdicts([r for r, _ in measured], [rss for _, rss in measured], args.quick)
    finally:
        proxy.stop()
        om.stop()
        stop(process for process, _ in motos_started)
    return finish(failures)


if __name__ == "__main__":
    raise SystemExit(main())
