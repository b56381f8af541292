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
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bench import common
from bench.common import OMKIT, empty, finish, missed, start_moto, stop
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


def launch(args: list[str], env: dict[str, str]) -> tuple[float, float, int, str, float]:
    """Wall time, peak RSS (MB), exit code, output and CPU seconds of one omkit process."""
    m = common.launch([OMKIT, *args], env)
    return m.seconds, m.rss_mb, m.code, m.output, m.cpu


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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="3 configs x 30 models, one pair")
    parser.add_argument("--pairs", type=int, default=3, help="A/B pairs (default 3)")
    parser.add_argument("--models", type=int, default=None, help="models per region")
    parser.add_argument("--aws-latency", type=float, default=20.0, metavar="MS")
    parser.add_argument("--moto-servers", type=int, default=2, metavar="N")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    count = args.models or (30 if args.quick else 200)
    pairs = 1 if args.quick else max(1, args.pairs)
    accounts = 1 if args.quick else ACCOUNTS
    regions = REGIONS

    motos_started = [start_moto() for _ in range(max(1, args.moto_servers))]
    motos = [server for _, server in motos_started]
    moto_processes = [process for process, _ in motos_started]
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
            expected = len(configs) * count
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_"))}
            env.update(
                BENCH_AWS_SECRET="bench-secret-access-key",
                BENCH_OM_JWT=om.token,
                AWS_EC2_METADATA_DISABLED="true",
            )
            started = time.perf_counter()
            seed(motos, regions, count)
            print(
                f"seeded {count} models in each of {len(regions)} regions of {len(motos)} moto "
                f"servers in {time.perf_counter() - started:.1f} s; {len(configs)} configs, "
                f"AWS +{args.aws_latency:.0f} ms per call"
            )

            def check(label: str, code: int, output: str) -> None:
                written = len(om.live_models())
                if code != 0:
                    print(output[-3000:], file=sys.stderr)
                    failures.append(f"{label} exited {code}")
                elif written != expected:
                    failures.append(f"{label}: {written} models in OpenMetadata, not {expected}")

            ratios: list[float] = []
            peaks: list[float] = []
            for pair in range(pairs):
                empty(om)
                before = stand_ins_cpu(moto_processes)
                one_call, rss, code, output, one_cpu = launch(["run", str(folder)], env)
                one_stand_ins = stand_ins_cpu(moto_processes) - before
                check("omkit run DIR", code, output)
                peaks.append(rss)
                empty(om)
                before = stand_ins_cpu(moto_processes)
                sequential = sequential_cpu = 0.0
                worst = 0
                for config in configs:
                    seconds, _, code, output, cpu = launch(["run", str(config)], env)
                    sequential += seconds
                    sequential_cpu += cpu
                    if code:
                        worst = code
                        print(output[-2000:], file=sys.stderr)
                sequential_stand_ins = stand_ins_cpu(moto_processes) - before
                check("omkit run FILE x 12", worst, "")
                ratio = one_call / sequential
                ratios.append(ratio)
                print(
                    f"  pair {pair + 1}: one call {one_call:6.2f} s (CPU: omkit {one_cpu:4.1f} s, "
                    f"stand-ins {one_stand_ins:4.1f} s; peak RSS {rss:5.1f} MB)  "
                    f"{len(configs)} calls one after another {sequential:6.2f} s (CPU: omkit "
                    f"{sequential_cpu:4.1f} s, stand-ins {sequential_stand_ins:4.1f} s)  "
                    f"ratio {ratio:.3f}"
                )
            median = statistics.median(ratios)
            print(
                f"omkit run DIR / sequential omkit run FILE: median {median:.3f} "
                f"(min {min(ratios):.3f}, max {max(ratios):.3f}) over {len(ratios)} pairs; "
                f"target <= {RATIO_TARGET}"
            )
            print(f"peak RSS of omkit run DIR: {max(peaks):.1f} MB; target < {RSS_TARGET_MB:.0f}")
            target = RATIO_TARGET if not args.quick else 1.0
            if missed(ratios, target):  # every pair past the target (issue 17's rule)
                failures.append(
                    f"ratio {median:.3f} ({min(ratios):.3f}-{max(ratios):.3f}) > {target}"
                )
            if max(peaks) >= RSS_TARGET_MB:
                failures.append(f"peak RSS {max(peaks):.0f} MB >= {RSS_TARGET_MB:.0f} MB")
    finally:
        proxy.stop()
        om.stop()
        stop(moto_processes)
    return finish(failures)


if __name__ == "__main__":
    raise SystemExit(main())
