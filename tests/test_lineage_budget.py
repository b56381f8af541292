"""The ``lineage`` kind's call budget on the estate benchmark's quick estate, checked without
timing: the default run, then the same with ``--assets ...,lineage``, both through the proxy in
front of moto where :func:`bench.lineage_estate.seed_lineage` mounted the lineage graph (every
other training location written by a processing job, four per job). The run with the kind stays
within 2x the default run's AWS calls per model, and never lists processing jobs."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions

from bench import estate_bench
from bench.lineage_estate import seed_lineage
from testing.awsfaults import FaultProxy
from testing.awsfixtures import MotoServer
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


def calls_of_a_run(
    proxy: FaultProxy, om: OMServer, tmp_path: Path, service: str, assets: frozenset[str]
) -> Counter[str]:
    with proxy.lock:
        proxy.actions.clear()
    path = tmp_path / f"{service}.yaml"
    path.write_text(config_text(om.url, proxy.endpoint, service=service), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    result = ingestrun.run(path, RunOptions(environ=environ, assets=assets))
    assert result.exit_code == 0, result.status.errors
    with proxy.lock:
        return Counter(proxy.actions)


def test_the_lineage_kind_costs_at_most_twice_the_default_run(
    moto: MotoServer, om_server: OMServer, aws_faults: FaultProxy, tmp_path: Path
) -> None:
    scale = estate_bench.QUICK
    uris = estate_bench.seed_feature_groups([moto], scale)
    estate_bench.seed_rest(moto, scale, uris, threads=8)
    graph = seed_lineage(moto)
    graph.mount(aws_faults)
    default = RunOptions().assets
    plain = calls_of_a_run(aws_faults, om_server, tmp_path, "plain", default)
    traced = calls_of_a_run(aws_faults, om_server, tmp_path, "traced", default | {"lineage"})
    per_model = plain.total() / scale.models
    with_lineage = traced.total() / scale.models
    print(f"AWS calls per model: default {per_model:.2f}, with lineage {with_lineage:.2f}")
    assert with_lineage <= 2 * per_model, (plain, traced)
    # one ListArtifacts per distinct training location, a ListAssociations for each one the
    # graph knows, each processing job described once; never the job history
    asked = {p["SourceUri"] for op, p in graph.requests if op == "ListArtifacts"}
    assert traced["ListArtifacts"] == len(asked)
    uri_of = {a["ArtifactArn"]: a["Source"]["SourceUri"] for a in graph.artifacts}
    read = [a for a in graph.associations if uri_of[a["DestinationArn"]] in asked]
    assert traced["ListAssociations"] == len(read)
    assert traced["DescribeProcessingJob"] == len({a["SourceArn"] for a in read})
    assert "ListProcessingJobs" not in traced
    described = [
        m
        for m in om_server.live_models().values()
        if "written by processing job" in m.get("description", "")
    ]
    assert described  # the run with the kind named the jobs
