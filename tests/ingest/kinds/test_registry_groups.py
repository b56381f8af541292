"""Model package groups -> MlModels (omkit_sagemaker.ingest.kinds.registry_groups): each group is
one MlModel carrying its newest Approved version (else the newest), named after the group unless
a plain model has that name, described by a table of every version, without a console URL, and
the groups the filter keeps come in name order, a failed training-job lookup a warning."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

from omkit_sagemaker.ingest.kinds.registry_groups import (
    created_text,
    entity_name,
    group_request,
    group_requests,
)
from omkit_sagemaker.ingest.sources.registryindex import PackageGroup, PackageVersion

WHEN = datetime(2026, 12, 3, 12, 54, 31, tzinfo=timezone.utc)
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:{}"


def version(number: int, status: str, **fields: Any) -> PackageVersion:
    return PackageVersion(
        number,
        status,
        created=WHEN + timedelta(days=number),
        image=IMAGE.format(number),
        model_data_url=f"s3://models/churn-v{number}/model.tar.gz",
        **fields,
    )


GROUP = PackageGroup(
    "churn",
    arn="arn:aws:sagemaker:us-east-1:123456789012:model-package-group/churn",
    description="Churn   models\nof the risk team.",
    tags=(("team", "risk"),),
    versions=[
        version(3, "PendingManualApproval"),
        version(2, "Approved", metrics=(("ModelQuality.Statistics", "s3://m/q.json"),)),
        version(1, "Rejected", metadata=(("owner", "ana"),)),
    ],
    dropped=4,
)


def test_a_group_is_named_after_itself_unless_a_model_has_that_name() -> None:
    assert entity_name("churn", {"fraud"}) == "churn"
    assert entity_name("churn", {"churn", "fraud"}) == "churn_registry"


def test_the_request_carries_the_newest_approved_version_and_a_table_of_every_version() -> None:
    made = group_request(GROUP, "churn", "svc", "us-east-1")
    assert (made.name, made.fqn, made.kind) == ("churn", "svc.churn", "registry")
    body = made.request
    assert body["mlStore"] == {
        "storage": "s3://models/churn-v2/model.tar.gz",
        "imageRepository": IMAGE.format(2),
    }
    assert "sourceUrl" not in body
    assert "server" not in body
    assert [t["tagFQN"] for t in body["tags"]] == ["team.risk"]
    lines = body["description"].splitlines()
    assert (
        lines[0]
        == "**Model package group** `churn`: version 2 (Approved) is the one described here."
    )
    assert lines[2] == "Churn models of the risk team."
    assert [line.split(" | ")[0] for line in lines[6:9]] == ["| 3", "| 2", "| 1"]
    assert (
        "| 2 | Approved | 2026-12-05 12:54:31 UTC | `ModelQuality.Statistics`: `s3://m/q.json` |"
        in body["description"]
    )
    assert "| `owner=ana` |" in lines[8]
    assert lines[-1] == "4 older versions are not shown."


def test_without_an_approved_version_the_newest_is_carried_and_without_versions_none() -> None:
    pending = PackageGroup(
        "fraud", versions=[version(5, "PendingManualApproval"), version(4, "Rejected")]
    )
    assert group_request(pending, "fraud", "svc", "us-east-1").request["mlStore"]["storage"] == (
        "s3://models/churn-v5/model.tar.gz"
    )
    empty = group_request(PackageGroup("empty"), "empty", "svc", "us-east-1").request
    assert "mlStore" not in empty
    assert empty["description"].startswith("**Model package group** `empty`: no versions yet.")


def test_created_is_shown_in_utc() -> None:
    paris = timezone(timedelta(hours=1))
    assert (
        created_text(datetime(2026, 12, 3, 13, 54, 31, tzinfo=paris)) == "2026-12-03 12:54:31 UTC"
    )
    assert created_text(None) == ""


class FailingJobs:
    """The training-job lookups of a run whose DescribeTrainingJob fails."""

    def __init__(self) -> None:
        self.prefetched: list[str] = []

    def prefetch(self, urls: Any) -> None:
        self.prefetched.extend(urls)

    def for_model(self, url: str) -> None:
        raise RuntimeError(f"lookup of {url} failed")


def test_the_kept_groups_come_in_name_order_and_a_failed_lookup_is_a_warning() -> None:
    groups = [
        GROUP,
        PackageGroup("aardvark", versions=[version(1, "Approved")]),
        PackageGroup("skip-me"),
    ]
    warnings: list[tuple[str, str]] = []
    jobs = FailingJobs()
    made = group_requests(
        groups,
        model_names={"churn"},
        keep=lambda name: name != "skip-me",
        service_fqn="svc",
        region="us-east-1",
        with_tags=False,
        training=jobs,  # type: ignore[arg-type]
        warn=lambda subject, message: warnings.append((subject, message)),
        workers=2,
    )
    assert [(r.name, job) for r, job in made] == [("aardvark", None), ("churn_registry", None)]
    assert "tags" not in made[1][0].request
    assert sorted(jobs.prefetched) == [
        "s3://models/churn-v1/model.tar.gz",
        "s3://models/churn-v2/model.tar.gz",
    ]
    assert sorted(subject for subject, _ in warnings) == [
        "model package group aardvark",
        "model package group churn",
    ]
    assert all(m.startswith("training job lookup failed: ") for _, m in warnings)
    assert all(m.endswith("; ingested without it") for _, m in warnings)
