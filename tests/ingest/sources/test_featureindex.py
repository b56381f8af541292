"""Feature groups (omkit_sagemaker.ingest.sources.featureindex): a ``DescribeFeatureGroup`` answer
read into the group's features (bookkeeping columns left out), offline store and Glue table; a
training channel matched to the group whose offline store it reads, at a ``/`` boundary; and the
index read with Search then one Describe per group (answers held to botocore's service model by
its Stubber), a denial raised naming the action, a group that cannot be described left out."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
from botocore.stub import Stubber
from omkit_sagemaker.ingest.sources.answers import AssetDenied
from omkit_sagemaker.ingest.sources.featureindex import Feature, FeatureIndex, parse_group

from testing.awsfixtures import MotoServer

ACCOUNT = "123456789012"
OFFLINE = f"s3://ml-features/{ACCOUNT}/sagemaker/us-east-1/offline-store/customers-1700000000/data"


def described(name: str = "customers") -> dict[str, Any]:
    """A DescribeFeatureGroup answer as AWS gives it."""
    return {
        "FeatureGroupArn": f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:feature-group/{name}",
        "FeatureGroupName": name,
        "RecordIdentifierFeatureName": "customer_id",
        "EventTimeFeatureName": "event_time",
        "FeatureDefinitions": [
            {"FeatureName": "customer_id", "FeatureType": "String"},
            {"FeatureName": "tenure", "FeatureType": "Integral"},
            {"FeatureName": "plan", "FeatureType": "String"},
            {"FeatureName": "event_time", "FeatureType": "Fractional"},
        ],
        "CreationTime": datetime(2026, 1, 1, tzinfo=timezone.utc),
        "OfflineStoreConfig": {
            "S3StorageConfig": {"S3Uri": "s3://ml-features", "ResolvedOutputS3Uri": OFFLINE},
            "DataCatalogConfig": {
                "TableName": f"{name}_1700000000",
                "Catalog": "AwsDataCatalog",
                "Database": "sagemaker_featurestore",
            },
        },
        "NextToken": "",
    }


def test_a_described_group_keeps_its_features_offline_store_and_glue_table() -> None:
    group = parse_group(described(), (("team", "risk"),))
    assert group.name == "customers"
    assert group.features == (Feature("tenure", "Integral"), Feature("plan", "String"))
    assert group.offline_uri == OFFLINE
    assert group.glue == ("AwsDataCatalog", "sagemaker_featurestore", "customers_1700000000")
    assert group.account == ACCOUNT
    assert group.tags == (("team", "risk"),)


def test_a_group_without_offline_store_has_no_glue_table_and_reads_nothing() -> None:
    answer = described()
    del answer["OfflineStoreConfig"]
    group = parse_group(answer)
    assert (group.offline_uri, group.glue) == (None, None)
    assert not group.reads(OFFLINE)


def test_a_channel_reads_a_group_only_under_its_offline_store_at_a_slash() -> None:
    group = parse_group(described())
    assert group.reads(OFFLINE + "/year=2026/month=01/")
    assert group.reads(OFFLINE + "/")
    assert not group.reads(OFFLINE + "-copy/year=2026/")
    assert not group.reads("s3://ml-data/holdout/")


@pytest.fixture
def stubbed(moto: MotoServer) -> Iterator[tuple[Any, Stubber]]:
    client = moto.client("sagemaker")
    with Stubber(client) as stubber:
        yield client, stubber


def search_page(*names: str) -> dict[str, Any]:
    return {
        "Results": [
            {"FeatureGroup": {"FeatureGroupName": n, "Tags": [{"Key": "team", "Value": n}]}}
            for n in names
        ]
    }


def test_the_index_reads_every_group_and_finds_a_model_s_groups_by_channel(
    stubbed: tuple[Any, Stubber],
) -> None:
    client, stubber = stubbed
    stubber.add_response(
        "search",
        search_page("customers", "orders"),
        {"Resource": "FeatureGroup", "MaxResults": 100},
    )
    stubber.add_response(
        "describe_feature_group", described("customers"), {"FeatureGroupName": "customers"}
    )
    stubber.add_client_error("describe_feature_group", "ResourceNotFound", "gone meanwhile", 400)
    index = FeatureIndex(client, workers=1).read()
    assert [g.name for g in index.groups] == ["customers"]
    assert index.groups[0].tags == (("team", "customers"),)
    (problem,) = index.problems
    assert problem[0] == "orders"
    assert problem[1].startswith("DescribeFeatureGroup failed: ResourceNotFound")
    assert (
        index.for_channels(["", "s3://ml-data/holdout/", OFFLINE + "/year=2026/"]) == index.groups
    )
    assert index.for_channels(["s3://ml-data/holdout/"]) == []
    stubber.assert_no_pending_responses()


def test_a_denied_search_raises_naming_the_action(stubbed: tuple[Any, Stubber]) -> None:
    client, stubber = stubbed
    stubber.add_client_error("search", "AccessDeniedException", "not authorized to Search")
    with pytest.raises(AssetDenied) as caught:
        FeatureIndex(client).read()
    assert (caught.value.asset, caught.value.action) == ("features", "sagemaker:Search")
