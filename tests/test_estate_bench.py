"""The estate benchmark's call budget, checked in CI without any timing: the quick estate of
``bench/estate_bench.py`` (seeded into the test moto server) is ingested with every asset kind
at most :data:`estate_bench.CALLS_TARGET` AWS calls per model on average, and every model and
package group is written; and where Search answers as AWS does, the same bodies come without a
per-model call. Wall time and memory stay in the benchmark."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions

from bench import estate_bench
from testing.awsfaults import FaultProxy
from testing.awsfixtures import MotoServer, counting
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text
from testing.searchdouble import SearchDouble, model_records, training_job_records


@pytest.fixture(scope="module")
def quick_estate(moto_session: MotoServer) -> MotoServer:
    """The session's moto server holding the quick estate, seeded once for this module: its
    tests only read it (a test of another module empties the server first, and pytest seeds
    it again when this module's tests resume after one)."""
    moto_session.reset()
    scale = estate_bench.QUICK
    uris = estate_bench.seed_feature_groups([moto_session], scale)
    estate_bench.seed_rest(moto_session, scale, uris, threads=8)
    return moto_session


def test_the_quick_estate_costs_at_most_4_aws_calls_per_model(
    quick_estate: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    moto, scale = quick_estate, estate_bench.QUICK
    calls: Counter[str] = Counter()
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om_server.url, moto.endpoint), encoding="utf-8")
    result = ingestrun.run(
        path,
        RunOptions(
            environ={"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token},
            sagemaker_client=counting(moto, calls),
        ),
    )
    assert result.exit_code == 0, result.status.errors
    assert len(om_server.live_models()) == scale.entities
    per_model = sum(calls.values()) / scale.models
    assert per_model <= estate_bench.CALLS_TARGET, calls
    # the job history is never listed, nor the registry's versions described one by one
    assert "ListTrainingJobs" not in calls
    assert "DescribeModelPackage" not in calls
    models = om_server.live_models()
    featured = {m["name"] for m in models.values() if m.get("mlFeatures")}
    # every other model is trained on a feature group, and so is a group whose Approved
    # version (v1) is such a model's artifact
    approved = [(scale.versions * g) % scale.models for g in range(scale.groups)]
    assert featured == {f"model-{i:05d}" for i in range(0, scale.models, 2)} | {
        f"group-{g:04d}" for g, i in enumerate(approved) if i % 2 == 0
    }
    groups = [m for m in models.values() if m["name"].startswith("group-")]
    assert len(groups) == scale.groups
    assert all("| 3 | PendingManualApproval |" in g["description"] for g in groups)


@pytest.fixture
def searching(quick_estate: MotoServer) -> Iterator[FaultProxy]:
    """A proxy in front of the quick estate (the ``aws_faults`` fixture would empty it)."""
    proxy = FaultProxy(quick_estate.endpoint).start()
    try:
        yield proxy
    finally:
        proxy.stop()


def test_with_search_allowed_the_quick_estate_is_read_without_a_per_model_call(
    quick_estate: MotoServer, om_server: OMServer, searching: FaultProxy, tmp_path: Path
) -> None:
    """The quick estate twice: through moto alone (Search on Model refused: the per-model path)
    and where Search answers as AWS does (the Search test double in front of moto). Both send
    the same bodies; the second reads models and training jobs a page at a time."""
    moto, aws_faults, scale = quick_estate, searching, estate_bench.QUICK
    client = moto.client("sagemaker")
    double = SearchDouble(
        {"Model": model_records(client), "TrainingJob": training_job_records(client)}
    )
    aws_faults.handlers["Search"] = double
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token}
    for service, endpoint in (("described", moto.endpoint), ("searched", aws_faults.endpoint)):
        path = tmp_path / f"{service}.yaml"
        path.write_text(config_text(om_server.url, endpoint, service=service), encoding="utf-8")
        result = ingestrun.run(path, RunOptions(environ=environ))
        assert result.exit_code == 0, result.status.errors
    sent: dict[str, dict[str, Any]] = {"described": {}, "searched": {}}
    for request in om_server.calls("PUT", "/api/v1/mlmodels"):
        body = dict(request.body)
        sent[body.pop("service")][body["name"]] = body
    assert len(sent["searched"]) == scale.entities
    assert sent["searched"] == sent["described"]
    calls = Counter(aws_faults.actions)
    assert not {"DescribeModel", "ListTags", "DescribeTrainingJob"} & set(calls)
    # one page of models, three Searches for their jobs (batches of at most 47 artifacts, the
    # most a SearchExpression holds within AWS's limits, which the double enforces; the groups'
    # artifacts are models'), and one listing each for package groups, versions, endpoints and
    # feature groups; the double refused nothing
    assert calls["Search"] == 8
    assert double.refused == 0
    assert set(calls) - estate_bench.UNSEARCHABLE == {"Search", "ListModels"}
