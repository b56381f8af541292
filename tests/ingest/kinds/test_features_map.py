"""Feature groups -> a model's ``mlFeatures`` (omkit_sagemaker.ingest.kinds.features_map): the
types OpenMetadata takes for each SageMaker ``FeatureType``, the offline store's Glue column as
the feature's source (with the table's reference when it was found), and each name once."""

from __future__ import annotations

from typing import Any

from omkit_sagemaker.ingest.kinds.features_map import glue_name, ml_features
from omkit_sagemaker.ingest.sources.featureindex import Feature, FeatureGroup

CUSTOMERS = FeatureGroup(
    "customers",
    glue=("AwsDataCatalog", "sagemaker_featurestore", "customers_1700000000"),
    features=(Feature("age", "Integral"), Feature("segment", "String"), Feature("odd", "Blob")),
)
ONLINE_ONLY = FeatureGroup(
    "clicks", features=(Feature("rate", "Fractional"), Feature("age", "String"))
)
TABLE = {"id": "7c1c8e3e-0000-4000-8000-000000000001", "type": "table"}


def test_each_feature_gets_its_types_its_group_and_its_glue_column() -> None:
    age, segment, odd = ml_features([CUSTOMERS])
    assert age == {
        "name": "age",
        "dataType": "numerical",
        "description": "Feature of the SageMaker feature group `customers`.",
        "featureSources": [
            {
                "name": "age",
                "dataType": "integer",
                "description": "Column of the Glue table "
                "`sagemaker_featurestore.customers_1700000000` (offline store).",
            }
        ],
    }
    assert (segment["dataType"], segment["featureSources"][0]["dataType"]) == (
        "categorical",
        "string",
    )
    assert "dataType" not in odd  # an unknown FeatureType keeps only its name
    assert "dataType" not in odd["featureSources"][0]


def test_the_table_found_in_openmetadata_is_the_source_s_data_source() -> None:
    asked: list[str] = []

    def lookup(group: FeatureGroup) -> dict[str, Any] | None:
        asked.append(group.name)
        return TABLE

    features = ml_features([CUSTOMERS, ONLINE_ONLY], lookup)
    assert asked == ["customers"]  # a group without an offline store is not looked up
    assert all(f["featureSources"][0]["dataSource"] == TABLE for f in features[:3])


def test_a_group_without_offline_store_has_no_source_and_a_name_is_kept_once() -> None:
    features = ml_features([CUSTOMERS, ONLINE_ONLY])
    assert [f["name"] for f in features] == ["age", "segment", "odd", "rate"]
    rate = features[-1]
    assert rate["dataType"] == "numerical"
    assert "featureSources" not in rate
    assert features[0]["dataType"] == "numerical"  # the first group's "age" wins


def test_glue_name_is_database_dot_table() -> None:
    assert glue_name(CUSTOMERS) == "sagemaker_featurestore.customers_1700000000"
    assert glue_name(ONLINE_ONLY) is None
