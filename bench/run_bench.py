"""Benchmark: `omkit run` end to end against a named peer, AWS calls per model, memory at scale.

Setup: moto (`--moto-servers` identical processes, default 2, so that one single-threaded moto
is not the bottleneck) seeded with SageMaker models (each with an image, most with model data,
all with two tags), behind a proxy (testing/awsfaults.py, a test double) that adds `--aws-latency`
ms to every call (default 20: the AWS API answers in tens of ms, loopback moto in one). moto
cannot `Search` models, nor evaluate the `Or` of artifact filters with which omkit finds a page
of models' training jobs, so the proxy answers those itself (testing/searchdouble.py, a test
double of the Search API that refuses what AWS documents as invalid) from moto's own data, in
pages of 100; a second proxy leaves Search to
moto, which refuses it, so omkit falls back to DescribeModel + ListTags per model. OpenMetadata
is the recording test double as a 2.0 server, emptied before each run so that every run creates
everything. Each run is a fresh
process (start-up included) started by a small launcher that reads its peak RSS and CPU.

Peers, each compared by pairs of runs alternated A B A B ...; the bench prints the median of the
per-pair ratios (omkit / peer) with min-max, and a target fails only when the whole interval is
past it:
- the official `metadata ingest` 2.0.7.0, when found (`--official PATH`, or `metadata` next to
  the `OMKIT_BENCH_OFFICIAL` venv; see bench/README.md for installing it in a separate venv):
  on equal work (omkit `--no-tags --assets models`: models and their images, no tags, no jobs,
  no endpoints) and on default work (omkit reads tags, training jobs and endpoints too), target
  0.3 for both;
- always, the floor: a bare boto3 script (ListModels, then DescribeModel + ListTags per model on
  8 threads, nothing written), against omkit `--assets models` with Search refused (the same
  calls, plus the writes; target 1.5) and with Search allowed (target 1.0).

AWS calls per model are printed for each omkit run (target 0.05 for reads with Search allowed,
with `--assets models` and with the default assets), and for both runners of each comparison
with the official client (the proxy counts every request). The official client exits 0 while
its errors stay under its success threshold, so a WARNING or ERROR line in its log also fails
the bench. A second run of the unchanged estate on the 2.0 double must send no model.

`--quick` (CI, ~30 s): 100 models, one pair per case; checks the call counts and the second run's
zero writes, and prints the timings without a target. `--large N` adds a memory run (peak RSS
under 200 MB). Run: `.venv/bin/python bench/run_bench.py [--quick] [--official PATH]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from bench.common import OMKIT, Measure, empty, finish, launch, start_moto, stop
from testing.awsfaults import FaultProxy
from testing.awsfixtures import ACCOUNT, REGION, ROLE_ARN, MotoServer
from testing.omdouble import OMServer
from testing.searchdouble import SearchDouble, model_records, training_job_records

RSS_TARGET_MB = 200.0
CALLS_TARGET = 0.05
OFFICIAL_TARGET = 0.3
FLOOR_TARGETS = {"Search refused": 1.5, "Search allowed": 1.0}
ACCESS_KEY = "AKIAZZZZBENCHKEY1234"
#: A WARNING or ERROR line of the official client's log (``[time] WARNING  {logger} - ...``):
#: it exits 0 while errors stay under its ``successThreshold`` (90 %), so its exit code alone
#: would hide a request the double refused.
OFFICIAL_PROBLEM = re.compile(r"^\[[^]]+\] (WARNING|ERROR|CRITICAL) +\{", re.MULTILINE)

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

#: The floor peer: what reading the models costs with boto3 alone, on 8 threads, writing nothing.
FLOOR = """
import sys
from concurrent.futures import ThreadPoolExecutor
import boto3
from botocore.config import Config
client = boto3.client("sagemaker", region_name=sys.argv[2], endpoint_url=sys.argv[1],
    aws_access_key_id="AKIAZZZZBENCHKEY1234", aws_secret_access_key="bench",
    config=Config(max_pool_connections=10, retries={"mode": "standard", "max_attempts": 5}))
names, token = [], None
while True:
    page = client.list_models(MaxResults=100, **({"NextToken": token} if token else {}))
    names += [m["ModelName"] for m in page["Models"]]
    token = page.get("NextToken")
    if not token:
        break
def one(name):
    arn = client.describe_model(ModelName=name)["ModelArn"]
    client.list_tags(ResourceArn=arn, MaxResults=100)
with ThreadPoolExecutor(8) as pool:
    list(pool.map(one, names))
"""


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


def model_puts(om: OMServer) -> int:
    bulk = sum(len(r.body) for r in om.calls("PUT", "/api/v1/mlmodels/bulk"))
    return bulk + len(om.calls("PUT", "/api/v1/mlmodels"))


@dataclass
class Bench:
    om: OMServer
    env: dict[str, str]
    models: int
    failures: list[str]
    #: The official `metadata` command, whose log is also checked for problems.
    official: str | None = None

    def run(
        self, proxy: FaultProxy, command: list[str], *, fresh: bool = True, writes: bool = True
    ) -> Measure:
        if fresh:
            empty(self.om)
        else:  # keep the catalogue, count this run's requests only
            self.om.clear_requests()
        with proxy.lock:
            proxy.actions.clear()
        m = launch(command, self.env)
        m.calls = len(proxy.actions)
        m.written = len(self.om.live_models())
        if m.code != 0:
            print(m.output[-2000:], file=sys.stderr)
            self.failures.append(f"{' '.join(Path(c).name for c in command[:2])} exited {m.code}")
        elif command[0] == self.official and (problem := OFFICIAL_PROBLEM.search(m.output)):
            line = m.output[problem.start() :].splitlines()[0]
            print(m.output[-2000:], file=sys.stderr)
            self.failures.append(f"metadata ingest logged a problem: {line[:200]}")
        elif writes and fresh and m.written != self.models:
            self.failures.append(f"expected {self.models} models written, found {m.written}")
        return m

    def pairs(
        self, label: str, a: Callable[[], Measure], b: Callable[[], Measure], n: int
    ) -> tuple[float, float, float, list[Measure]]:
        """Median, min and max of the per-pair ratios a/b over ``n`` pairs, alternated."""
        ratios: list[float] = []
        runs: list[Measure] = []
        for _ in range(n):
            first, second = a(), b()
            runs += [first, second]
            ratios.append(first.seconds / second.seconds)
        median = statistics.median(ratios)
        omkit_s = statistics.median(r.seconds for r in runs[0::2])
        peer_s = statistics.median(r.seconds for r in runs[1::2])
        print(
            f"  {label}: omkit {omkit_s:6.2f} s, peer {peer_s:6.2f} s, ratio {median:.2f} "
            f"(min {min(ratios):.2f}, max {max(ratios):.2f}; {n} pairs)"
        )
        return median, min(ratios), max(ratios), runs


def find_official(given: str | None) -> str | None:
    """The official `metadata` command: ``--official``, else ``$OMKIT_BENCH_OFFICIAL/bin``."""
    if given:
        return given if Path(given).exists() else None
    venv = os.environ.get("OMKIT_BENCH_OFFICIAL")
    if venv and (Path(venv) / "bin" / "metadata").exists():
        return str(Path(venv) / "bin" / "metadata")
    return None


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="100 models, checks only (CI)")
    parser.add_argument("--aws-latency", type=float, default=20.0, metavar="MS")
    parser.add_argument("--models", type=int, default=None)
    parser.add_argument("--pairs", type=int, default=None, help="pairs per comparison (3)")
    parser.add_argument("--large", type=int, default=0, help="models for a memory run (0: none)")
    parser.add_argument("--moto-servers", type=int, default=2, metavar="N")
    parser.add_argument("--official", default=None, metavar="PATH", help="`metadata` 2.0.7.0")
    args = parser.parse_args()
    count = args.models or (100 if args.quick else 1000)
    n_pairs = args.pairs or (1 if args.quick else 3)
    official = find_official(args.official)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}, Python "
        f"{platform.python_version()}; {count} models, AWS +{args.aws_latency:.0f} ms per call"
    )

    started_moto = [start_moto() for _ in range(max(1, args.moto_servers))]
    motos = [server for _, server in started_moto]
    replicas = [m.endpoint for m in motos[1:]]
    om = OMServer(version="2.0.7").start()
    delay = args.aws_latency / 1000
    plain = FaultProxy(motos[0].endpoint, delay=delay, replicas=replicas).start()
    searching = FaultProxy(motos[0].endpoint, delay=delay, replicas=replicas).start()
    failures: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="omkit-run-bench-") as tmp:
            env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_"))}
            env.update(
                BENCH_AWS_SECRET="bench-secret-access-key",
                BENCH_OM_JWT=om.token,
                AWS_EC2_METADATA_DISABLED="true",
            )

            def config_for(proxy: FaultProxy) -> str:
                path = Path(tmp) / f"bench-{proxy.port}.yaml"
                path.write_text(
                    CONFIG.format(
                        access_key=ACCESS_KEY,
                        region=REGION,
                        endpoint=proxy.endpoint,
                        host_port=om.url,
                    ),
                    encoding="utf-8",
                )
                return str(path)

            t0 = time.perf_counter()
            seed(motos, count)
            moto_client = motos[0].client("sagemaker")
            # the double refuses what AWS refuses (testing/shapecheck.py), so these counts are
            # counts of requests AWS accepts
            double = SearchDouble(
                {
                    "Model": model_records(moto_client),
                    "TrainingJob": training_job_records(moto_client),
                }
            )
            searching.handlers["Search"] = double
            print(
                f"seeded {count} models in {len(motos)} moto servers in "
                f"{time.perf_counter() - t0:.1f} s"
            )
            bench = Bench(om, env, count, failures, official)
            with_search, without = config_for(searching), config_for(plain)

            def omkit(config: str, *flags: str) -> list[str]:
                return [OMKIT, "run", config, *flags]

            print("AWS calls per model (omkit run):")
            for label, proxy, config, flags, target in (
                (
                    "--assets models, Search allowed",
                    searching,
                    with_search,
                    ["--assets", "models"],
                    CALLS_TARGET,
                ),
                ("--assets models, Search refused", plain, without, ["--assets", "models"], None),
                # the other kinds' listings are 4 calls a run whatever the size: the target
                # is for 1,000 models and more
                (
                    "default assets, Search allowed",
                    searching,
                    with_search,
                    [],
                    CALLS_TARGET if count >= 1000 else None,
                ),
            ):
                m = bench.run(proxy, omkit(config, *flags))
                per_model = m.calls / count
                mark = "" if target is None else f"  (target <= {target})"
                print(f"  {label:<34} {per_model:6.3f}{mark}")
                if target is not None and per_model > target:
                    failures.append(f"{label}: {per_model:.3f} AWS calls per model > {target}")
            print(f"  Search requests refused as AWS refuses them: {double.refused}")
            if double.refused:
                failures.append(f"the Search double refused {double.refused} requests")
            second = bench.run(searching, omkit(with_search), fresh=False)
            om_writes = model_puts(om)
            print(f"  second run, unchanged estate: {om_writes} models sent to OpenMetadata")
            if second.code == 0 and om_writes:
                failures.append(f"a second unchanged run sent {om_writes} models")

            print("omkit run against its peers (median of per-pair ratios, min-max):")
            results: list[tuple[str, float, float, float, float]] = []
            if official is None:
                print(
                    "  the official metadata ingest is not installed (see bench/README.md): "
                    "comparing with the boto3 floor only"
                )
            else:
                for label, flags in (
                    (
                        "vs metadata ingest 2.0.7.0, equal work (--no-tags --assets models)",
                        ["--no-tags", "--assets", "models"],
                    ),
                    ("vs metadata ingest 2.0.7.0, default work", []),
                ):
                    med, lo, hi, runs = bench.pairs(
                        label,
                        partial(bench.run, searching, omkit(with_search, *flags)),
                        partial(bench.run, searching, [official, "ingest", "-c", with_search]),
                        n_pairs,
                    )
                    results.append((label, med, lo, hi, OFFICIAL_TARGET))
                    print(
                        "    AWS calls per model: omkit "
                        f"{statistics.median(r.calls for r in runs[0::2]) / count:.3f}, "
                        "metadata ingest "
                        f"{statistics.median(r.calls for r in runs[1::2]) / count:.3f}; "
                        "CPU s: omkit "
                        f"{statistics.median(r.cpu for r in runs[0::2]):.2f}, metadata ingest "
                        f"{statistics.median(r.cpu for r in runs[1::2]):.2f}"
                    )
            floor_cmd = [sys.executable, "-c", FLOOR, plain.endpoint, REGION]
            for label, proxy, config in (
                ("Search refused", plain, without),
                ("Search allowed", searching, with_search),
            ):
                med, lo, hi, _ = bench.pairs(
                    f"vs boto3 floor (DescribeModel + ListTags, 8 threads), {label}",
                    partial(bench.run, proxy, omkit(config, "--assets", "models")),
                    partial(bench.run, plain, floor_cmd, writes=False),
                    n_pairs,
                )
                results.append((f"floor, {label}", med, lo, hi, FLOOR_TARGETS[label]))
            if not args.quick:
                for label, _med, lo, hi, target in results:
                    if lo > target:
                        failures.append(f"{label}: ratio {lo:.2f}-{hi:.2f} > {target}")

            if args.large:
                t0 = time.perf_counter()
                seed(motos, args.large)
                print(f"seeded {args.large} models in {time.perf_counter() - t0:.1f} s")
                bench.models = args.large
                big = bench.run(plain, omkit(without))
                print(f"  {args.large} models: {big.seconds:.1f} s, peak RSS {big.rss_mb:.0f} MB")
                if big.rss_mb >= RSS_TARGET_MB:
                    failures.append(f"peak RSS {big.rss_mb:.0f} MB >= {RSS_TARGET_MB:.0f} MB")
    finally:
        plain.stop()
        searching.stop()
        om.stop()
        stop(process for process, _ in started_moto)
    return finish(failures)


if __name__ == "__main__":
    raise SystemExit(main())
