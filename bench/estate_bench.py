"""Benchmark: `omkit run` over a whole SageMaker ML estate against a models-only run.

The estate (seeded in moto processes, identical in each): 1,000 models, each made by its own
training job (half of them trained on one of 10 feature groups' offline stores), 5,000 older
training jobs that no model uses, 200 endpoints (each a config of two variants) and 100 model
package groups of 3 versions (Approved, Rejected, PendingManualApproval; their artifacts are
models' artifacts). The recording OpenMetadata double takes the writes. As in
`bench/run_bench.py`, every SageMaker call goes through a proxy that adds `--aws-latency`
milliseconds (default 20). One moto process by default (`--moto-servers`): moto's paging tokens
are only valid in the process that made them, and the proxy would send page 2 of
`ListEndpoints` to another one.

Measured, on the same estate:
- AWS calls per model of the estate run (every `--assets` kind), counted at the proxy;
- wall time of the estate run (A) against a models-only run (B, `--assets models`) of the same
  1,000 models: the median of the paired ratios A/B over `--pairs` A B pairs (default 3), with
  min-max;
- the peak RSS of the estate run's `omkit run` process.

Also, once, the same estate run where `Search` answers as AWS does (a second proxy whose Search
test double, testing/searchdouble.py, answers `Model` and the training jobs' `Or` expression,
which moto lacks, from moto's own data, and refuses what AWS documents as invalid: a refusal
fails the bench): its AWS calls per model, split into the reads Search can make and the
per-resource ones it cannot (`DescribeEndpointConfig`, `DescribeFeatureGroup`).

Targets (exit 1 when missed): at most 4 AWS calls per model on average; A/B at most 2x (missed
only when every pair is past it); peak RSS under 150 MB; with Search allowed, at most 0.05 calls
per model for the reads Search can make (not checked by `--quick`, where the fixed listings of
each kind outweigh 100 models).

Also, once, the estate run with the opt-in `lineage` kind (`--assets ...,lineage`; every other
training location written by a processing job, as `bench/lineage_estate.py` records it in the
lineage graph double moto lacks): its AWS calls per model against the estate run's (target: at
most 2x), and the same where Search is allowed (printed, no target).

`--quick` (for CI): a tenth of the estate (100 models, 100 + 500 jobs, 20 endpoints, 10 groups
x 3 versions, 3 feature groups), 2 pairs; the same targets. `tests/test_estate_bench.py` counts
the quick estate's calls per model in the test suite (no timing there).
Run: `.venv/bin/python bench/estate_bench.py [--quick] [--aws-latency MS] [--pairs N]`.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from bench import lineage_estate
from bench.common import OMKIT, StandIns, bench_env, empty, finish, launch
from bench.estate import FULL as FULL
from bench.estate import QUICK as QUICK
from bench.estate import Scale as Scale
from bench.estate import seed as seed
from bench.estate import seed_feature_groups as seed_feature_groups
from bench.estate import seed_rest as seed_rest
from bench.pairing import Spread, add_aws, add_pairs, alternate, options
from testing.awsfaults import FaultProxy
from testing.awsfixtures import REGION, MotoServer
from testing.omdouble import OMServer
from testing.searchdouble import SearchDouble, model_records, training_job_records

HERE = Path(__file__).resolve().parent


CALLS_TARGET = 4.0
#: With Search allowed (issue 17): calls per model of the reads Search can make, that is all
#: but one DescribeEndpointConfig per endpoint config and one DescribeFeatureGroup per group.
SEARCHED_TARGET = 0.05
#: The per-resource reads that no Search answers (their count is printed, not targeted).
UNSEARCHABLE = frozenset({"DescribeEndpointConfig", "DescribeFeatureGroup"})
RATIO_TARGET = 2.0
RSS_TARGET_MB = 150.0
WORKERS = 8

CONFIG = """\
source:
  type: sagemaker
  serviceName: estate_bench
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsAccessKeyId: AKIAZZZZBENCHKEY1234
        awsSecretAccessKey: ${{BENCH_AWS_SECRET}}
        awsRegion: {region}
        endPointURL: {endpoint}
  sourceConfig:
    config:
      type: MlModelMetadata
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


EVERYTHING = "models,training-jobs,endpoints,registry,features"


@dataclass
class Run:
    seconds: float
    rss_mb: float
    code: int
    calls: Counter[str]
    written: int
    output: str


def run_omkit(
    om: OMServer, proxy: FaultProxy, config: Path, assets: str, env: dict[str, str]
) -> Run:
    """One `omkit run` process on an empty catalogue: wall time, peak RSS, AWS calls."""
    empty(om)
    with proxy.lock:
        proxy.actions.clear()
    command = [OMKIT, "run", str(config), "--workers", str(WORKERS), "--assets", assets]
    measure = launch(command, env)
    if measure.code:
        print(measure.output[-2000:], file=sys.stderr)
    with proxy.lock:
        calls = Counter(proxy.actions)
    written = len(om.live_models())
    return Run(measure.seconds, measure.rss_mb, measure.code, calls, written, measure.output)


def write_config(folder: Path, name: str, proxy: FaultProxy, om: OMServer) -> Path:
    """A config reading SageMaker through ``proxy`` into the double."""
    path = folder / name
    text = CONFIG.format(region=REGION, endpoint=proxy.endpoint, host_port=om.url)
    path.write_text(text, encoding="utf-8")
    return path


def seed_and_say(servers: list[MotoServer], scale: Scale) -> None:
    started = time.perf_counter()
    seed(servers, scale)
    print(
        f"seeded {scale.models} models, {scale.models + scale.old_jobs} training jobs, "
        f"{scale.endpoints} endpoints, {scale.groups} groups x {scale.versions} versions, "
        f"{scale.feature_groups} feature groups in {len(servers)} moto servers in "
        f"{time.perf_counter() - started:.1f} s"
    )


def searched_run(
    stand_ins: StandIns, config: Path, env: dict[str, str], scale: Scale, failures: list[str]
) -> tuple[Run, SearchDouble]:
    """The estate run where Search answers as AWS does (Model and the training jobs' Or, which
    moto lacks, from moto's own data: testing/searchdouble.py), once."""
    client = stand_ins.servers[0].client("sagemaker")
    double = SearchDouble(  # refuses what AWS refuses (testing/shapecheck.py)
        {"Model": model_records(client), "TrainingJob": training_job_records(client)}
    )
    stand_ins.searching.handlers["Search"] = double
    searched = run_omkit(stand_ins.om, stand_ins.searching, config, EVERYTHING, env)
    if searched.code or searched.written != scale.entities:
        failures.append(f"the run with Search allowed exited {searched.code}")
    if double.refused:
        failures.append(f"the Search double refused {double.refused} requests")
    return searched, double


def timed_pairs(
    stand_ins: StandIns,
    config: Path,
    env: dict[str, str],
    scale: Scale,
    n: int,
    failures: list[str],
) -> tuple[list[Run], list[float]]:
    """``n`` pairs of the estate run (A) and the models-only run (B), Search refused: the estate
    runs and the per-pair ratios A/B."""
    om, proxy = stand_ins.om, stand_ins.proxy
    pairs = alternate(
        n,
        partial(run_omkit, om, proxy, config, EVERYTHING, env),
        partial(run_omkit, om, proxy, config, "models", env),
    )
    for number, (a, b) in enumerate(pairs, 1):
        print(
            f"  pair {number}: estate {a.seconds:6.2f} s ({a.calls.total()} AWS calls, "
            f"{a.written} entities, peak RSS {a.rss_mb:5.1f} MB)  models only "
            f"{b.seconds:6.2f} s ({b.calls.total()} calls)  "
            f"ratio {a.seconds / b.seconds:4.2f}"
        )
        if "omkit: warning:" in a.output:
            failures.append("the estate run had warnings (every kind must be read)")
            print(a.output[-1500:], file=sys.stderr)
        for run, kind, want in ((a, "estate", scale.entities), (b, "models", scale.models)):
            if run.code:
                failures.append(f"a {kind} run exited {run.code}")
            elif run.written != want:
                failures.append(f"a {kind} run wrote {run.written} entities, not {want}")
    return [a for a, _ in pairs], [a.seconds / b.seconds for a, b in pairs]


def verdicts(
    estate: list[Run], ratios: list[float], searched: Run, refused: int, scale: Scale, quick: bool
) -> list[str]:
    """Print the figures; the missed targets."""
    per_model = estate[0].calls.total() / scale.models
    print("AWS calls of the estate run:", dict(sorted(estate[0].calls.items())))
    spread = Spread.of(ratios)
    peak = max(r.rss_mb for r in estate)
    print(
        f"AWS calls per model: {per_model:.2f} (target <= {CALLS_TARGET:g})\n"
        f"estate / models-only wall time: median {spread.median:.2f}x "
        f"({spread.min_max()}; target <= {RATIO_TARGET:g}x)\n"
        f"peak RSS of the estate run: {peak:.1f} MB (target < {RSS_TARGET_MB:g} MB)"
    )
    unsearchable = sum(n for a, n in searched.calls.items() if a in UNSEARCHABLE)
    searchable = (searched.calls.total() - unsearchable) / scale.models
    print(
        "with Search allowed:",
        dict(sorted(searched.calls.items())),
        "\n"
        f"  AWS calls per model: {searched.calls.total() / scale.models:.3f} (requests the "
        f"double refused as AWS would: {refused}); of the reads "
        f"Search can make: {searchable:.3f} (target <= {SEARCHED_TARGET:g}); one per "
        f"endpoint config or feature group (no Search reads those): {unsearchable}",
    )
    failures = []
    if per_model > CALLS_TARGET:
        failures.append(f"{per_model:.2f} AWS calls per model > {CALLS_TARGET:g}")
    if searchable > SEARCHED_TARGET and not quick:  # quick: fixed listings dominate
        failures.append(f"Search allowed: {searchable:.3f} calls per model > {SEARCHED_TARGET}")
    if spread.missed(RATIO_TARGET):
        failures.append(
            f"wall-time ratio {spread.median:.2f}x ({spread.low:.2f}-{spread.high:.2f}) "
            f"> {RATIO_TARGET:g}x"
        )
    if peak >= RSS_TARGET_MB:
        failures.append(f"peak RSS {peak:.0f} MB >= {RSS_TARGET_MB:g} MB")
    return failures


def main() -> int:
    parser = options(__doc__ or "", "a tenth of the estate, for CI")
    add_aws(parser, moto_servers=None)
    add_pairs(parser, None, "A B pairs (default 3; quick 2)")
    parser.add_argument("--moto-servers", type=int, default=1, metavar="N")
    args = parser.parse_args()
    scale = QUICK if args.quick else FULL
    pairs = args.pairs or (2 if args.quick else 3)
    stand_ins = StandIns.start(args.moto_servers, args.aws_latency, OMServer(), hash_seed="0")
    failures: list[str] = []
    try:
        seed_and_say(stand_ins.servers, scale)
        with tempfile.TemporaryDirectory(prefix="omkit-estate-bench-") as tmp:
            env = bench_env(stand_ins.om)
            om = stand_ins.om
            config = write_config(Path(tmp), "estate.yaml", stand_ins.proxy, om)
            searching = write_config(Path(tmp), "estate-search.yaml", stand_ins.searching, om)
            searched, double = searched_run(stand_ins, searching, env, scale, failures)
            estate, ratios = timed_pairs(stand_ins, config, env, scale, pairs, failures)
            graph = lineage_estate.seed_everywhere(stand_ins.servers)
            traced = [  # Search refused (the target), then allowed (printed)
                run_omkit(om, graph.mount(proxy), path, EVERYTHING + ",lineage", env)
                for proxy, path in ((stand_ins.proxy, config), (stand_ins.searching, searching))
            ]
        failures += verdicts(estate, ratios, searched, double.refused, scale, args.quick)
        failures += lineage_estate.verdict(
            (estate[0], traced[0]), (searched, traced[1]), scale.models
        )
        failures += [f"the lineage graph double refused {graph.refused} requests"] * bool(
            graph.refused
        )
    finally:
        stand_ins.stop()
    return finish(failures)


if __name__ == "__main__":
    raise SystemExit(main())
