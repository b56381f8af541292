"""What the benches with test doubles share: moto in a process of its own, each omkit run as a
fresh process measured by a small launcher, the OpenMetadata double emptied between runs, and
the verdict at the end (the A B A B pairing itself is `bench/pairing.py`).

Every bench prints one ``TARGET MISSED: ...`` line per missed target and ends with ``all
targets met`` or the number missed; its exit code is 1 when any was missed. A timing target is
missed only when every pair is past it (:func:`missed`): the median says how fast, the
interval says whether noise could explain a miss.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from testing.awsfaults import FaultProxy
from testing.awsfixtures import ACCOUNT, REGION, ROLE_ARN, MotoServer
from testing.omdouble import OMServer

OMKIT = shutil.which("omkit", path=str(Path(sys.executable).parent)) or "omkit"

#: Starts a command and reports its peak RSS and CPU. A process forked from this (large) bench
#: would count the parent's memory in its own ru_maxrss, so commands start from this small one.
LAUNCHER = """
import os, subprocess, sys
child = subprocess.Popen(sys.argv[1:])
_, status, usage = os.wait4(child.pid, 0)
sys.stdout.flush()
print(f"@@bench {usage.ru_maxrss} {usage.ru_utime + usage.ru_stime}", file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(*, hash_seed: str | None = None) -> tuple[subprocess.Popen[bytes], MotoServer]:
    """moto in its own process (so that it does not share a GIL with the doubles), on
    127.0.0.1, once it answers; ``hash_seed`` fixes its ``PYTHONHASHSEED`` (runs alike)."""
    port = free_port()
    env = {**os.environ, "PYTHONHASHSEED": hash_seed} if hash_seed is not None else None
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    server = MotoServer(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{server.endpoint}/moto-api/", timeout=1):
                return proc, server
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit("moto server did not start") from None
            time.sleep(0.1)


def stop(processes: Iterable[subprocess.Popen[bytes]]) -> None:
    """Stop the moto processes (and wait for them, at most 10 s each)."""
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


@dataclass
class Measure:
    seconds: float
    rss_mb: float
    code: int
    cpu: float
    #: AWS calls the proxy saw, and the models written to the double.
    calls: int = 0
    written: int = 0
    output: str = ""


def launch(command: list[str], env: dict[str, str]) -> Measure:
    """Wall time, peak RSS, exit code, CPU and output of one command."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", LAUNCHER, *command],
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
    return Measure(elapsed, rss_mb, proc.returncode, cpu, output=proc.stdout + "\n".join(lines))


def bench_env(om: OMServer) -> dict[str, str]:
    """The environment of an omkit run: this one's without AWS_ and OMKIT_ settings, plus the
    secrets the bench configs reference and the OpenMetadata double's token."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_"))}
    env.update(
        BENCH_AWS_SECRET="bench-secret-access-key",
        BENCH_OM_JWT=om.token,
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def empty(om: OMServer) -> None:
    """An empty catalogue before each run: every run creates everything."""
    with om.lock:
        om.services.clear()
        om.models.clear()
        om.classifications.clear()
        om.tags.clear()
        om.requests.clear()


@dataclass
class StandIns:
    """What stands in for AWS and OpenMetadata: ``--moto-servers`` identical moto processes, the
    OpenMetadata double, and two proxies adding the AWS latency in front of them (one leaves
    `Search` to moto, which refuses it; a bench may give the other a Search double)."""

    motos: list[tuple[subprocess.Popen[bytes], MotoServer]]
    om: OMServer
    proxy: FaultProxy
    searching: FaultProxy

    @classmethod
    def start(
        cls, servers: int, latency_ms: float, om: OMServer, *, hash_seed: str | None = None
    ) -> StandIns:
        motos = [start_moto(hash_seed=hash_seed) for _ in range(max(1, servers))]
        endpoints = [server.endpoint for _, server in motos]

        def proxy() -> FaultProxy:
            return FaultProxy(endpoints[0], delay=latency_ms / 1000, replicas=endpoints[1:])

        return cls(motos, om.start(), proxy().start(), proxy().start())

    @property
    def servers(self) -> list[MotoServer]:
        return [server for _, server in self.motos]

    def stop(self) -> None:
        self.proxy.stop()
        self.searching.stop()
        self.om.stop()
        stop(process for process, _ in self.motos)


def seed_models(servers: list[MotoServer], count: int) -> None:
    """The same ``count`` models in every server (in parallel)."""
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda server: _seed_models(server, count), servers))


def _seed_models(server: MotoServer, count: int) -> None:
    """``count`` models into one (reset) server, each with an image, most with model data, all
    with two tags."""
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


def missed(ratios: Sequence[float], target: float) -> bool:
    """True when every pair's ratio is past ``target`` (the whole min-max interval)."""
    return bool(ratios) and min(ratios) > target


def finish(failures: Sequence[str]) -> int:
    """Print the verdict; the bench's exit code."""
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    print("all targets met" if not failures else f"{len(failures)} target(s) missed")
    return 1 if failures else 0
