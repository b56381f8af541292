"""The estate's training data as SageMaker's lineage graph records it, for the ``lineage`` kind.

:func:`seed_lineage` takes the training channels of the training jobs already in a moto server
(whatever estate seeded them) and makes every ``share``-th distinct location the output of a
processing job, ``per_job`` locations per job (a job writing train/validation/test sets): the
jobs go into moto (``DescribeProcessingJob``), the artifacts and associations into a
:class:`testing.lineagedouble.LineageGraph` (moto has no lineage API), to mount on the proxy in
front of moto. The other locations are in no graph: ``ListArtifacts`` finds nothing for them,
as for data written outside SageMaker.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Protocol

from testing.lineagedouble import LineageGraph, create_processing_job

#: Most training jobs read (moto's Search answers them all in one page).
MAX_JOBS = 100_000
#: The run with ``--assets ...,lineage`` makes at most this many times the AWS calls per model
#: of the same run without it (issue 27).
RATIO_TARGET = 2.0


def training_locations(client: Any) -> list[str]:
    """Every distinct S3 channel location of the server's training jobs, in creation order."""
    found: dict[str, None] = {}
    answer = client.search(Resource="TrainingJob", MaxResults=100)
    for result in answer.get("Results", [])[:MAX_JOBS]:
        job = result.get("TrainingJob", {})
        for channel in job.get("InputDataConfig", []):
            uri = channel.get("DataSource", {}).get("S3DataSource", {}).get("S3Uri")
            if uri:
                found.setdefault(uri)
    return list(found)


def seed_lineage(server: Any, *, share: int = 2, per_job: int = 4) -> LineageGraph:
    """Processing jobs writing every ``share``-th training location (see the module doc)."""
    graph = LineageGraph()
    written = training_locations(server.client("sagemaker"))[::share]
    for start in range(0, len(written), per_job):
        outputs = written[start : start + per_job]
        name = f"prep-{start // per_job:05d}"
        create_processing_job(
            server,
            name,
            inputs={"raw": f"s3://bench-raw/{name}/"},
            outputs={f"out{k}": uri for k, uri in enumerate(outputs)},
        )
        for uri in outputs:
            graph.processing_job_wrote(name, uri)
    return graph


def seed_everywhere(servers: list[Any]) -> LineageGraph:
    """The same processing jobs in every moto server; the graph (one, the same for all)."""
    graphs = [seed_lineage(server) for server in servers]
    return graphs[0]


class Measured(Protocol):
    """One measured run of the bench: its AWS calls and wall time."""

    calls: Counter[str]
    seconds: float


def verdict(
    refused: tuple[Measured, Measured], allowed: tuple[Measured, Measured], models: int
) -> list[str]:
    """Print the AWS calls per model of the estate run with the ``lineage`` kind against the same
    run without it, ``Search`` refused (the target) and allowed (printed only: the kind's calls,
    one or more per training location, are then most of the run), and the wall times (printed:
    the kind looks each location up while the models are mapped, one after the other); the
    missed targets. Each pair is (without, with) the kind."""
    failures = []
    for (plain_run, traced_run), case in ((refused, "Search refused"), (allowed, "Search allowed")):
        plain, traced = plain_run.calls, traced_run.calls
        base, with_kind = plain.total() / models, traced.total() / models
        extra = {a: n for a, n in sorted(traced.items()) if n != plain.get(a, 0)}
        target = f", target <= {RATIO_TARGET:g}x" if case == "Search refused" else ""
        print(
            f"with --assets ...,lineage, {case}: {with_kind:.2f} AWS calls per model (without "
            f"the kind: {base:.2f}; {with_kind / base:.2f}x{target}); the lineage calls: {extra}; "
            f"wall time {traced_run.seconds:.1f} s (without: {plain_run.seconds:.1f} s)"
        )
        if "ListProcessingJobs" in traced:
            failures.append(f"the lineage run ({case}) listed the processing jobs")
        if target and with_kind > RATIO_TARGET * base:
            failures.append(
                f"lineage: {with_kind:.2f} calls per model > {RATIO_TARGET:g}x {base:.2f}"
            )
    return failures
