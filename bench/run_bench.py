"""Benchmark: `omkit run` end to end, one worker against the default pool, and memory at scale.

A moto server (its own process) is seeded with SageMaker models (each with two tags); the
recording OpenMetadata double of the tests takes the writes. Each measurement is a fresh
`omkit run` process (start-up included) whose peak RSS is read with wait4() by a small
launcher; the double is emptied before each run, so every run creates the service, tags and
models.

On loopback moto answers in about a millisecond, while the AWS API answers in tens of
milliseconds; the worker pool exists to overlap that latency. So the SageMaker calls go through
a proxy that adds `--aws-latency` milliseconds to each (default 20 ms; 0 measures the purely
local, CPU-bound case, shown too in the full run). One moto process is single-threaded in
practice (the GIL) and would be the bottleneck rather than omkit, so the proxy spreads the calls
over `--moto-servers` identical moto processes (default 2), as AWS is not one Python process.
On a 2-core machine everything (omkit, moto, the proxy and the double) still shares two cores.

Targets (exit 1 when missed):
- 1,000 models: the default workers at least 5x faster than `--workers 1`;
- 10,000 models: peak RSS of `omkit run` under 200 MB.

`--quick` (under ~20 s, for CI): 100 models, both worker settings, and checks only that every
run succeeds, that the pool is faster and that memory stays under the same bound.
Run: `.venv/bin/python bench/run_bench.py [--quick] [--aws-latency MS]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from awsfaults import FaultProxy  # noqa: E402
from awsfixtures import ACCOUNT, REGION, ROLE_ARN, MotoServer  # noqa: E402
from omdouble import OMServer  # noqa: E402

OMKIT = shutil.which("omkit", path=str(Path(sys.executable).parent)) or "omkit"
DEFAULT_WORKERS = 8
SPEEDUP_TARGET = 5.0
RSS_TARGET_MB = 200.0
ACCESS_KEY = "AKIAZZZZBENCHKEY1234"

CONFIG = """\
source:
  type: sagemaker
  serviceName: bench_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsAccessKeyId: {access_key}
        awsSecretAccessKey: ${{BENCH_AWS_SECRET}}
        awsRegion: {region}
        endPointURL: {endpoint}
  sourceConfig:
    config:
      type: MlModelMetadata
      markDeletedMlModels: true
sink:
  type: metadata-rest
  config: {{}}
workflowConfig:
  loggerLevel: WARN
  openMetadataServerConfig:
    hostPort: {host_port}
    authProvider: openmetadata
    securityConfig:
      jwtToken: ${{BENCH_OM_JWT}}
"""


@dataclass
class Measure:
    workers: int
    models: int
    seconds: float
    rss_mb: float
    code: int
    #: CPU seconds (user + system) of the omkit process.
    cpu: float = 0.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto() -> tuple[subprocess.Popen[bytes], MotoServer]:
    """moto in its own process, so that it does not share a GIL with the doubles."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    server = MotoServer(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{server.endpoint}/moto-api/", timeout=1):
                break
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit("moto server did not start") from None
            time.sleep(0.1)
    return proc, server


def seed(servers: list[MotoServer], count: int) -> None:
    """The same ``count`` models in every server (in parallel)."""
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda server: seed_one(server, count), servers))


def seed_one(server: MotoServer, count: int) -> None:
    """``count`` models, each with an image, most with model data, all with two tags."""
    server.reset()
    client = server.client("sagemaker")

    def one(i: int) -> None:
        name = f"model-{i:05d}"
        container: dict[str, Any] = {"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/m:{i}"}
        if i % 10:
            container["ModelDataUrl"] = f"s3://bench-models/{name}/model.tar.gz"
        client.create_model(
            ModelName=name,
            ExecutionRoleArn=ROLE_ARN,
            PrimaryContainer=container,
            Tags=[{"Key": "team", "Value": f"team-{i % 7}"}, {"Key": "tier", "Value": "gold"}],
        )

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(one, range(count)))


#: Starts omkit and reports its peak RSS and CPU. A process forked from this (large) benchmark
#: process would count the parent's memory in its own ru_maxrss (the kernel keeps the high-water
#: mark of the memory it had before exec), so omkit is started from this small one instead.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
sys.stdout.flush()
print(f"@@bench {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_omkit(
    config: Path, workers: int, env: dict[str, str]
) -> tuple[float, float, int, str, float]:
    """Wall time, peak RSS (MB), exit code, output and CPU seconds of one `omkit run`."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, OMKIT, "run", str(config), "--workers", str(workers)],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    elapsed = time.perf_counter() - started
    rss_mb = cpu = 0.0
    lines = []
    for line in proc.stderr.splitlines():
        if line.startswith("@@bench "):
            _, rss, used = line.split()
            rss_mb, cpu = int(rss) / 1024, float(used)  # ru_maxrss: kilobytes on Linux
        else:
            lines.append(line)
    return elapsed, rss_mb, proc.returncode, proc.stdout + "\n".join(lines), cpu


def measure(om: OMServer, config: Path, workers: int, models: int, env: dict[str, str]) -> Measure:
    with om.lock:  # an empty catalogue before each run: every run creates everything
        om.services.clear()
        om.models.clear()
        om.classifications.clear()
        om.tags.clear()
        om.requests.clear()
    seconds, rss, code, output, cpu = run_omkit(config, workers, env)
    if code != 0:
        print(output, file=sys.stderr)
    written = len(om.live_models())
    if code == 0 and written != models:
        print(f"expected {models} models in OpenMetadata, found {written}", file=sys.stderr)
        code = 1
    return Measure(workers, models, seconds, rss, code, cpu)


def show(m: Measure, latency_ms: float) -> None:
    print(
        f"  {m.models:>6} models  workers {m.workers:>2}  AWS +{latency_ms:>4.0f} ms  "
        f"{m.seconds:7.2f} s  {m.models / m.seconds:6.0f} models/s  omkit CPU {m.cpu:6.2f} s  "
        f"peak RSS {m.rss_mb:6.1f} MB" + ("" if m.code == 0 else f"  EXIT {m.code}")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 models, for CI (~20 s)")
    parser.add_argument(
        "--aws-latency", type=float, default=20.0, metavar="MS", help="added per AWS call"
    )
    parser.add_argument("--models", type=int, default=None, help="models for the speed-up")
    parser.add_argument(
        "--large", type=int, default=10_000, help="models for the memory run (0: none)"
    )
    parser.add_argument(
        "--moto-servers", type=int, default=2, metavar="N", help="identical moto processes"
    )
    args = parser.parse_args()
    count = args.models or (100 if args.quick else 1000)

    started_moto = [start_moto() for _ in range(max(1, args.moto_servers))]
    motos = [server for _, server in started_moto]
    replicas = [m.endpoint for m in motos[1:]]
    om = OMServer().start()
    proxy = FaultProxy(motos[0].endpoint, delay=args.aws_latency / 1000, replicas=replicas)
    proxy.start()
    direct = FaultProxy(motos[0].endpoint, replicas=replicas).start()
    failures: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="omkit-run-bench-") as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_"))}
            env.update(
                BENCH_AWS_SECRET="bench-secret-access-key",
                BENCH_OM_JWT=om.token,
                AWS_EC2_METADATA_DISABLED="true",
            )

            def config_for(endpoint: str) -> Path:
                path = Path(tmp) / f"bench-{abs(hash(endpoint))}.yaml"
                path.write_text(
                    CONFIG.format(
                        access_key=ACCESS_KEY, region=REGION, endpoint=endpoint, host_port=om.url
                    ),
                    encoding="utf-8",
                )
                return path

            slow_config = config_for(proxy.endpoint)
            started = time.perf_counter()
            seed(motos, count)
            print(
                f"seeded {count} models in {len(motos)} moto servers "
                f"in {time.perf_counter() - started:.1f} s"
            )
            print(f"omkit run, speed-up of the worker pool ({count} models):")
            settings = [(args.aws_latency, slow_config)]
            if not args.quick and args.aws_latency:
                settings.append((0.0, config_for(direct.endpoint)))
            for latency, config in settings:
                one = measure(om, config, 1, count, env)
                show(one, latency)
                pool = measure(om, config, DEFAULT_WORKERS, count, env)
                show(pool, latency)
                ratio = one.seconds / pool.seconds
                print(f"  -> workers {DEFAULT_WORKERS} vs 1: {ratio:.1f}x")
                for m in (one, pool):
                    if m.code:
                        failures.append(f"a run exited {m.code}")
                    if m.rss_mb >= RSS_TARGET_MB:
                        failures.append(f"peak RSS {m.rss_mb:.0f} MB >= {RSS_TARGET_MB:.0f} MB")
                if latency == args.aws_latency:
                    target = SPEEDUP_TARGET if not args.quick else 1.5
                    if ratio < target:
                        failures.append(f"speed-up {ratio:.1f}x < {target:.1f}x")
            if not args.quick and args.large:
                started = time.perf_counter()
                seed(motos, args.large)
                print(f"seeded {args.large} models in {time.perf_counter() - started:.1f} s")
                print(f"omkit run, memory at {args.large} models:")
                big = measure(om, slow_config, DEFAULT_WORKERS, args.large, env)
                show(big, args.aws_latency)
                if big.code:
                    failures.append(f"the {args.large}-model run exited {big.code}")
                if big.rss_mb >= RSS_TARGET_MB:
                    failures.append(
                        f"peak RSS at {args.large} models: {big.rss_mb:.0f} MB "
                        f">= {RSS_TARGET_MB:.0f} MB"
                    )
    finally:
        proxy.stop()
        direct.stop()
        om.stop()
        for process, _ in started_moto:
            process.terminate()
            process.wait(timeout=10)
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    print("all targets met" if not failures else f"{len(failures)} target(s) missed")
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
