"""The Model Registry (omkit_sagemaker.ingest.sources.registryindex): two Searches (groups, then
packages; answers held to botocore's service model by its Stubber) make each group with its
versions newest first, each once; the newest Approved version is the one carried; a failed
Search leaves the index incomplete (so nothing is soft-deleted on its word), a denied one raises
naming the action."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.stub import Stubber
from omkit_sagemaker.ingest.sources.answers import AssetDenied
from omkit_sagemaker.ingest.sources.registryindex import RegistryIndex

from testing.awsfixtures import MotoServer

ARN = "arn:aws:sagemaker:us-east-1:123456789012:model-package-group/"
WHEN = datetime(2026, 12, 3, tzinfo=timezone.utc)


def group(name: str, **fields: Any) -> dict[str, Any]:
    return {
        "ModelPackageGroup": {
            "ModelPackageGroupName": name,
            "ModelPackageGroupArn": ARN + name,
            **fields,
        }
    }


def package(group_name: str, version: int | None, status: str, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "ModelPackageGroupName": group_name,
        "ModelApprovalStatus": status,
        "CreationTime": WHEN,
        "InferenceSpecification": {
            "Containers": [
                {
                    "Image": f"ecr/{group_name}:{version}",
                    "ModelDataUrl": f"s3://m/{group_name}/{version}.tar.gz",
                }
            ],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
        **fields,
    }
    if version is not None:
        body["ModelPackageVersion"] = version
    return {"ModelPackage": body}


@pytest.fixture
def stubbed(moto: MotoServer) -> Iterator[tuple[Any, Stubber]]:
    client = moto.client("sagemaker")
    with Stubber(client) as stubber:
        yield client, stubber


def test_groups_get_their_versions_newest_first_each_once(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    groups = {
        "Results": [
            group(
                "churn",
                ModelPackageGroupDescription="Churn models",
                CreationTime=WHEN,
                Tags=[{"Key": "team", "Value": "risk"}],
            ),
            group("empty"),
        ]
    }
    stubber.add_response("search", groups, {"Resource": "ModelPackageGroup", "MaxResults": 100})
    metrics = {
        "ModelQuality": {"Statistics": {"ContentType": "application/json", "S3Uri": "s3://q.json"}}
    }
    approved = package("churn", 2, "Approved", ModelMetrics=metrics)
    packages = {
        "Results": [
            package("churn", 1, "Rejected", CustomerMetadataProperties={"z": "1", "a": "2"}),
            package("churn", 3, "PendingManualApproval"),
            approved,
            approved,  # the same version again (a page shifted under the cursor)
            package("churn", None, "Approved"),  # an unversioned package
            package("lagging", 1, "Approved"),  # its group's Search did not show it yet
        ],
        "NextToken": "page-2",
    }
    stubber.add_response("search", packages, {"Resource": "ModelPackage", "MaxResults": 100})
    stubber.add_response(
        "search",
        {"Results": []},
        {"Resource": "ModelPackage", "MaxResults": 100, "NextToken": "page-2"},
    )
    index = RegistryIndex(client).read()
    assert index.complete
    assert index.problems == []
    assert sorted(index.groups) == ["churn", "empty", "lagging"]
    churn = index.groups["churn"]
    assert (churn.arn, churn.description, churn.created, churn.tags) == (
        ARN + "churn",
        "Churn models",
        WHEN,
        (("team", "risk"),),
    )
    assert [(v.version, v.status) for v in churn.versions] == [
        (3, "PendingManualApproval"),
        (2, "Approved"),
        (1, "Rejected"),
    ]
    chosen = churn.chosen()
    assert chosen is not None
    assert (chosen.version, chosen.image, chosen.model_data_url) == (
        2,
        "ecr/churn:2",
        "s3://m/churn/2.tar.gz",
    )
    assert chosen.metrics == (("ModelQuality.Statistics", "s3://q.json"),)
    assert churn.versions[2].metadata == (("a", "2"), ("z", "1"))
    assert index.groups["empty"].chosen() is None
    assert [v.version for v in index.groups["lagging"].versions] == [1]
    stubber.assert_no_pending_responses()


def test_a_failed_search_leaves_the_index_incomplete_with_the_reason(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_response("search", {"Results": [group("churn")]})
    stubber.add_client_error("search", "ThrottlingException", "Rate exceeded", 400)
    index = RegistryIndex(client).read()
    assert not index.complete
    assert list(index.groups) == ["churn"]
    ((resource, why),) = index.problems
    assert resource == "ModelPackage"
    assert why.startswith("Search failed: ThrottlingException")


def test_a_denied_search_raises_naming_the_action(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_client_error("search", "AccessDeniedException", "not authorized")
    with pytest.raises(AssetDenied) as caught:
        RegistryIndex(client).read()
    assert (caught.value.asset, caught.value.action) == ("registry", "sagemaker:Search")
