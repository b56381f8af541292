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
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench.common import OMKIT, Measure, StandIns, bench_env, empty, finish, launch, seed_models
from bench.pairing import Spread, add_aws, add_pairs, alternate, options
from testing.awsfaults import FaultProxy
from testing.awsfixtures import REGION
from testing.omdouble import OMServer
from testing.searchdouble import SearchDouble, model_records, training_job_records

RSS_TARGET_MB = 200.0
CALLS_TARGET = 0.05
OFFICIAL_TARGET = 0.3
FLOOR_TARGETS = {"Search refused": 1.5, "Search allowed": 1.0}
MODELS = ["--assets", "models"]
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


@dataclass(frozen=True)
class Result:
    """One comparison with a peer: its ratios and their target."""

    label: str
    spread: Spread
    target: float


def model_puts(om: OMServer) -> int:
    bulk = sum(len(r.body) for r in om.calls("PUT", "/api/v1/mlmodels/bulk"))
    return bulk + len(om.calls("PUT", "/api/v1/mlmodels"))


@dataclass
class Bench:
    """The stand-ins, the two configs (through the proxy that answers `Search` and through the
    one that leaves it to moto), and the failures found so far."""

    stand_ins: StandIns
    env: dict[str, str]
    models: int
    failures: list[str]
    with_search: str
    without: str
    #: The official `metadata` command, whose log is also checked for problems.
    official: str | None = None

    def run(
        self, proxy: FaultProxy, command: list[str], *, fresh: bool = True, writes: bool = True
    ) -> Measure:
        om = self.stand_ins.om
        if fresh:
            empty(om)
        else:  # keep the catalogue, count this run's requests only
            om.clear_requests()
        with proxy.lock:
            proxy.actions.clear()
        m = launch(command, self.env)
        m.calls = len(proxy.actions)
        m.written = len(om.live_models())
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
    ) -> tuple[Spread, list[Measure]]:
        """The per-pair ratios a/b over ``n`` pairs, alternated, and the runs (a, b, a, ...)."""
        pairs = alternate(n, a, b)
        spread = Spread.of(first.seconds / second.seconds for first, second in pairs)
        omkit_s = statistics.median(first.seconds for first, _ in pairs)
        peer_s = statistics.median(second.seconds for _, second in pairs)
        print(
            f"  {label}: omkit {omkit_s:6.2f} s, peer {peer_s:6.2f} s, ratio {spread.median:.2f} "
            f"({spread.min_max()}; {n} pairs)"
        )
        return spread, [run for pair in pairs for run in pair]


def omkit(config: str, *flags: str) -> list[str]:
    return [OMKIT, "run", config, *flags]


def find_official(given: str | None) -> str | None:
    """The official `metadata` command: ``--official``, else ``$OMKIT_BENCH_OFFICIAL/bin``."""
    if given:
        return given if Path(given).exists() else None
    venv = os.environ.get("OMKIT_BENCH_OFFICIAL")
    if venv and (Path(venv) / "bin" / "metadata").exists():
        return str(Path(venv) / "bin" / "metadata")
    return None


def write_config(folder: Path, proxy: FaultProxy, om: OMServer) -> str:
    """A config reading SageMaker through ``proxy`` into the double."""
    path = folder / f"bench-{proxy.port}.yaml"
    text = CONFIG.format(
        access_key=ACCESS_KEY, region=REGION, endpoint=proxy.endpoint, host_port=om.url
    )
    path.write_text(text, encoding="utf-8")
    return str(path)


def seed_with_search(stand_ins: StandIns, count: int) -> SearchDouble:
    """``count`` models in every moto server, and the Search double on the searching proxy."""
    t0 = time.perf_counter()
    seed_models(stand_ins.servers, count)
    moto_client = stand_ins.servers[0].client("sagemaker")
    # the double refuses what AWS refuses (testing/shapecheck.py), so these counts are counts
    # of requests AWS accepts
    double = SearchDouble(
        {"Model": model_records(moto_client), "TrainingJob": training_job_records(moto_client)}
    )
    stand_ins.searching.handlers["Search"] = double
    servers = len(stand_ins.servers)
    print(f"seeded {count} models in {servers} moto servers in {time.perf_counter() - t0:.1f} s")
    return double


def call_counts(bench: Bench, double: SearchDouble) -> None:
    """AWS calls per model of three runs, and the Search requests the double refused."""
    searching, plain = bench.stand_ins.searching, bench.stand_ins.proxy
    count = bench.models
    print("AWS calls per model (omkit run):")
    # the other kinds' listings are 4 calls a run whatever the size: the target for the default
    # assets is for 1,000 models and more
    for label, proxy, config, flags, target in (
        ("--assets models, Search allowed", searching, bench.with_search, MODELS, CALLS_TARGET),
        ("--assets models, Search refused", plain, bench.without, MODELS, None),
        (
            "default assets, Search allowed",
            searching,
            bench.with_search,
            [],
            CALLS_TARGET if count >= 1000 else None,
        ),
    ):
        m = bench.run(proxy, omkit(config, *flags))
        per_model = m.calls / count
        mark = "" if target is None else f"  (target <= {target})"
        print(f"  {label:<34} {per_model:6.3f}{mark}")
        if target is not None and per_model > target:
            bench.failures.append(f"{label}: {per_model:.3f} AWS calls per model > {target}")
    print(f"  Search requests refused as AWS refuses them: {double.refused}")
    if double.refused:
        bench.failures.append(f"the Search double refused {double.refused} requests")


def second_run(bench: Bench) -> None:
    """A second run of the unchanged estate must send no model."""
    second = bench.run(bench.stand_ins.searching, omkit(bench.with_search), fresh=False)
    om_writes = model_puts(bench.stand_ins.om)
    print(f"  second run, unchanged estate: {om_writes} models sent to OpenMetadata")
    if second.code == 0 and om_writes:
        bench.failures.append(f"a second unchanged run sent {om_writes} models")


def against_official(bench: Bench, official: str, n: int) -> list[Result]:
    """omkit against `metadata ingest` 2.0.7.0, on equal and on default work."""
    searching, count = bench.stand_ins.searching, bench.models
    results = []
    for label, flags in (
        (
            "vs metadata ingest 2.0.7.0, equal work (--no-tags --assets models)",
            ["--no-tags", *MODELS],
        ),
        ("vs metadata ingest 2.0.7.0, default work", []),
    ):
        spread, runs = bench.pairs(
            label,
            partial(bench.run, searching, omkit(bench.with_search, *flags)),
            partial(bench.run, searching, [official, "ingest", "-c", bench.with_search]),
            n,
        )
        results.append(Result(label, spread, OFFICIAL_TARGET))
        print(
            "    AWS calls per model: omkit "
            f"{statistics.median(r.calls for r in runs[0::2]) / count:.3f}, "
            "metadata ingest "
            f"{statistics.median(r.calls for r in runs[1::2]) / count:.3f}; "
            "CPU s: omkit "
            f"{statistics.median(r.cpu for r in runs[0::2]):.2f}, metadata ingest "
            f"{statistics.median(r.cpu for r in runs[1::2]):.2f}"
        )
    return results


def against_floor(bench: Bench, n: int) -> list[Result]:
    """omkit `--assets models` against the boto3 floor, Search refused and allowed."""
    plain, searching = bench.stand_ins.proxy, bench.stand_ins.searching
    floor_cmd = [sys.executable, "-c", FLOOR, plain.endpoint, REGION]
    results = []
    for label, proxy, config in (
        ("Search refused", plain, bench.without),
        ("Search allowed", searching, bench.with_search),
    ):
        spread, _ = bench.pairs(
            f"vs boto3 floor (DescribeModel + ListTags, 8 threads), {label}",
            partial(bench.run, proxy, omkit(config, *MODELS)),
            partial(bench.run, plain, floor_cmd, writes=False),
            n,
        )
        results.append(Result(f"floor, {label}", spread, FLOOR_TARGETS[label]))
    return results


def memory_run(bench: Bench, models: int) -> None:
    """``models`` models seeded afresh, and the peak RSS of one run over them."""
    t0 = time.perf_counter()
    seed_models(bench.stand_ins.servers, models)
    print(f"seeded {models} models in {time.perf_counter() - t0:.1f} s")
    bench.models = models
    big = bench.run(bench.stand_ins.proxy, omkit(bench.without))
    print(f"  {models} models: {big.seconds:.1f} s, peak RSS {big.rss_mb:.0f} MB")
    if big.rss_mb >= RSS_TARGET_MB:
        bench.failures.append(f"peak RSS {big.rss_mb:.0f} MB >= {RSS_TARGET_MB:.0f} MB")


def parse() -> argparse.Namespace:
    parser = options(__doc__ or "", "100 models, checks only (CI)")
    add_aws(parser, moto_servers=None)
    parser.add_argument("--models", type=int, default=None)
    add_pairs(parser, None, "pairs per comparison (3)")
    parser.add_argument("--large", type=int, default=0, help="models for a memory run (0: none)")
    parser.add_argument("--moto-servers", type=int, default=2, metavar="N")
    parser.add_argument("--official", default=None, metavar="PATH", help="`metadata` 2.0.7.0")
    return parser.parse_args()


def main() -> int:
    args = parse()
    count = args.models or (100 if args.quick else 1000)
    n_pairs = args.pairs or (1 if args.quick else 3)
    official = find_official(args.official)
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, {platform.system()}, Python "
        f"{platform.python_version()}; {count} models, AWS +{args.aws_latency:.0f} ms per call"
    )
    stand_ins = StandIns.start(args.moto_servers, args.aws_latency, OMServer(version="2.0.7"))
    failures: list[str] = []
    try:
        with tempfile.TemporaryDirectory(prefix="omkit-run-bench-") as tmp:
            om = stand_ins.om
            with_search = write_config(Path(tmp), stand_ins.searching, om)
            without = write_config(Path(tmp), stand_ins.proxy, om)
            bench = Bench(stand_ins, bench_env(om), count, failures, with_search, without, official)
            double = seed_with_search(stand_ins, count)
            call_counts(bench, double)
            second_run(bench)
            print("omkit run against its peers (median of per-pair ratios, min-max):")
            results: list[Result] = []
            if official is None:
                print(
                    "  the official metadata ingest is not installed (see bench/README.md): "
                    "comparing with the boto3 floor only"
                )
            else:
                results += against_official(bench, official, n_pairs)
            results += against_floor(bench, n_pairs)
            if not args.quick:
                for result in results:
                    if result.spread.missed(result.target):
                        spread = result.spread
                        failures.append(
                            f"{result.label}: ratio {spread.low:.2f}-{spread.high:.2f} "
                            f"> {result.target}"
                        )
            if args.large:
                memory_run(bench, args.large)
    finally:
        stand_ins.stop()
    return finish(failures)


if __name__ == "__main__":
    raise SystemExit(main())
