"""``markDeletedMlModels`` deletes only what SageMaker proves gone (issue 25, points 1 and 2).

A listing says what it did not see, not what is gone. These tests make the listing lie the ways
AWS can: an offset cursor that skips or repeats models while others are deleted or created (moto's
``ListModels`` has no paging, so a paging double validated against the service model pages the
real listing), a ``DescribeModel`` that is throttled or denied, and a registry ``Search`` that
answers 200 with no results. Each checks what a user would notice: which entities are still live
in the OpenMetadata double, the warning or error line, the exit code, and that a clean run then
deletes exactly what is gone.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult

from testing.awsfaults import FaultProxy
from testing.awsfixtures import REGION, MotoServer, create_model, create_package_group
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

SERVICE = "local_sagemaker"
NAMES = tuple(f"model-{i:02d}" for i in range(35))
FAST: dict[str, Any] = {
    "http_backoff": 0.0,
    "http_retries": 1,
    "http_timeout": 2.0,
    "aws_timeout": 2.0,
    "aws_attempts": 1,
    "workers": 2,
}
MODELS_ONLY = frozenset({"models"})


class PagingSageMaker:
    """A SageMaker client whose ``ListModels`` pages the real (moto) listing with an offset
    cursor, ``page`` models a page: from the second page on, the cursor is ``shift`` models off,
    as an offset cursor is when ``shift`` models before it were deleted (> 0: it skips) or
    created (< 0: it repeats) elsewhere while it reads. Requests and answers are validated
    against the service model's shapes; every other call goes to the real client."""

    def __init__(self, client: Any, page: int, shift: int) -> None:
        self.client, self.page, self.shift = client, page, shift

    def __getattr__(self, name: str) -> Any:
        return getattr(self.client, name)

    def list_models(self, **params: Any) -> dict[str, Any]:
        from botocore.validate import validate_parameters

        operation = self.client.meta.service_model.operation_model("ListModels")
        validate_parameters(params, operation.input_shape)
        everything = self.client.list_models()["Models"]  # moto: one page, whatever is asked
        assert "NextToken" not in self.client.list_models(MaxResults=1)  # (as the facts say)
        start = int(params.get("NextToken", "0"))
        size = min(params.get("MaxResults", 100), self.page)
        answer: dict[str, Any] = {"Models": everything[start : start + size]}
        after = start + size + (self.shift if start == 0 else 0)
        if after < len(everything):
            answer["NextToken"] = str(after)
        validate_parameters(answer, operation.output_shape)
        return answer


def paging(aws: FaultProxy, page: int, shift: int) -> Any:
    def build(aws_config: Any, workers: int) -> Any:
        import boto3

        client = boto3.client(
            "sagemaker",
            region_name=REGION,
            endpoint_url=aws.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )
        return PagingSageMaker(client, page, shift)

    return build


def run(tmp_path: Path, om: OMServer, aws: FaultProxy, **options: Any) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om.url, aws.endpoint, mark_deleted=True), encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token}
    return ingestrun.run(path, RunOptions(environ=environ, **{**FAST, **options}))


def live(om: OMServer) -> set[str]:
    return {fqn.split(".", 1)[1] for fqn in om.live_models(SERVICE)}


@pytest.fixture
def estate(moto: MotoServer, aws_faults: FaultProxy, om_server: OMServer, tmp_path: Path) -> Any:
    """35 models in SageMaker, all in OpenMetadata after a first run; then 2 are deleted from
    SageMaker (really gone), and ``Search`` on models is denied (the ``ListModels`` way)."""
    for name in NAMES:
        create_model(moto, name, Image=f"img/{name}:1")
    first = run(tmp_path, om_server, aws_faults, assets=MODELS_ONLY)
    assert first.exit_code == 0, first.status.errors
    assert live(om_server) == set(NAMES)
    client = moto.client("sagemaker")
    for name in ("model-03", "model-30"):
        client.delete_model(ModelName=name)
    aws_faults.fail("Search", code="AccessDeniedException", message="not allowed: Search")
    om_server.clear_requests()
    return moto


@pytest.mark.parametrize(
    ("shift", "why"),
    [
        (
            3,
            "the SageMaker listing changed while it was read: 3 of the entities it did not list "
            "still exist",
        ),
        (-3, "the SageMaker listing changed while it was read (ListModels gave the model"),
    ],
    ids=["models-deleted-elsewhere-skip-3", "models-created-elsewhere-repeat-3"],
)
def test_a_listing_that_shifted_under_the_run_soft_deletes_nothing(
    estate: MotoServer,
    aws_faults: FaultProxy,
    om_server: OMServer,
    tmp_path: Path,
    shift: int,
    why: str,
) -> None:
    shifted = run(
        tmp_path,
        om_server,
        aws_faults,
        assets=MODELS_ONLY,
        sagemaker_client=paging(aws_faults, page=10, shift=shift),
    )
    assert shifted.exit_code == 0, shifted.status.errors
    assert shifted.mark_deleted.models == []
    assert shifted.mark_deleted.skipped is not None
    assert shifted.mark_deleted.skipped.startswith(why.split(" (ListModels")[0])
    warnings = [(w.subject, w.message) for w in shifted.status.warnings]
    assert [s for s, _ in warnings] == ["markDeletedMlModels"]  # one warning says why
    assert why in warnings[0][1]
    assert om_server.calls("DELETE") == []
    assert live(om_server) == set(NAMES)  # the two really gone ones too: not on this listing
    clean = run(tmp_path, om_server, aws_faults, assets=MODELS_ONLY)
    assert clean.exit_code == 0, clean.status.errors
    assert clean.mark_deleted.models == [f"{SERVICE}.model-03", f"{SERVICE}.model-30"]
    assert live(om_server) == set(NAMES) - {"model-03", "model-30"}


@pytest.mark.parametrize(
    ("code", "status"),
    [("ThrottlingException", 400), ("AccessDeniedException", 400), ("InternalFailure", 500)],
)
def test_a_model_not_proven_gone_is_kept_with_one_warning(
    estate: MotoServer,
    aws_faults: FaultProxy,
    om_server: OMServer,
    tmp_path: Path,
    code: str,
    status: int,
) -> None:
    aws_faults.fail("DescribeModel", "model-03", status=status, code=code, message="no")
    result = run(tmp_path, om_server, aws_faults, assets=MODELS_ONLY)
    assert result.exit_code == 0, result.status.errors
    assert result.mark_deleted.models == [f"{SERVICE}.model-30"]  # proven gone
    assert [(w.subject, w.message) for w in result.status.warnings] == [
        (
            f"model {SERVICE}.model-03",
            f"not soft-deleted: not proven gone (DescribeModel: {code}: no)",
        )
    ]
    assert live(om_server) == set(NAMES) - {"model-30"}


def test_an_empty_registry_listing_soft_deletes_no_package_group(
    moto: MotoServer, aws_faults: FaultProxy, om_server: OMServer, tmp_path: Path
) -> None:
    for name in NAMES:
        create_model(moto, name, Image=f"img/{name}:1")
    for group in ("churn-models", "fraud-models"):
        create_package_group(moto, group)
    first = run(tmp_path, om_server, aws_faults, assets=frozenset({"models", "registry"}))
    assert first.exit_code == 0, first.status.errors
    assert live(om_server) == {*NAMES, "churn-models", "fraud-models"}
    # and a group an earlier run wrote that SageMaker no longer has
    heading = "**Model package group** `old-models`: no versions yet."
    om_server.seed_model(SERVICE, "old-models", description=heading)
    groups = {"churn-models", "fraud-models", "old-models"}
    # Search answers 200 with no results: the registry (and Search on models) lists nothing
    aws_faults.answers["Search"] = {"Results": []}
    result = run(tmp_path, om_server, aws_faults, assets=frozenset({"models", "registry"}))
    assert result.exit_code == 1
    assert [(e.subject, e.message) for e in result.status.errors] == [
        (
            "markDeletedMlModels",
            "refusing to soft-delete 3 of the 3 package groups of service local_sagemaker "
            "(100%; at most 20% in one run, and never all when SageMaker lists none; SageMaker "
            "listed 0): if that is right, run again with --allow-mass-delete",
        )
    ]
    assert om_server.calls("DELETE") == []
    assert live(om_server) == {*NAMES, *groups}
    # allowed, still nothing: a group the listing left out is found, so the listing is wrong
    allowed = run(
        tmp_path,
        om_server,
        aws_faults,
        assets=frozenset({"models", "registry"}),
        allow_mass_delete=True,
    )
    assert allowed.mark_deleted.models == []
    assert om_server.calls("DELETE") == []
    # a group really gone is proven gone (DescribeModelPackageGroup) and goes, when allowed
    aws_faults.answers.clear()
    clean = run(
        tmp_path,
        om_server,
        aws_faults,
        assets=frozenset({"models", "registry"}),
        allow_mass_delete=True,
    )
    assert clean.exit_code == 0, clean.status.errors
    assert clean.mark_deleted.models == [f"{SERVICE}.old-models"]
    assert live(om_server) == {*NAMES, "churn-models", "fraud-models"}


def test_the_checks_are_bounded_and_the_rest_wait_for_the_next_run(
    estate: MotoServer,
    aws_faults: FaultProxy,
    om_server: OMServer,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from omkit_sagemaker.ingest import markdeleted

    monkeypatch.setattr(markdeleted, "MAX_CONFIRM", 1)  # 1,000 in a real run
    aws_faults.actions.clear()
    result = run(tmp_path, om_server, aws_faults, assets=MODELS_ONLY)
    assert result.exit_code == 0, result.status.errors
    assert len(result.mark_deleted.models) == 1
    assert [(w.subject, w.message) for w in result.status.warnings] == [
        (
            "markDeletedMlModels",
            "1 of the 2 entities SageMaker no longer lists are kept until a later run (one run "
            "checks at most 1)",
        )
    ]
    # one DescribeModel per model listed, and one check: not one per candidate
    assert aws_faults.actions.count("DescribeModel") == len(NAMES) - 2 + 1
    again = run(tmp_path, om_server, aws_faults, assets=MODELS_ONLY)
    assert again.exit_code == 0, again.status.errors
    assert live(om_server) == set(NAMES) - {"model-03", "model-30"}
