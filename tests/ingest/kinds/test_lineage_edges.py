"""The container names a training location is looked up under, as OpenMetadata's S3 connector
names containers (a structured data path, nested folders, quoted dots)."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize(
    ("uri", "names"),
    [
        ("s3://ml-data/", ["s3_prod.ml-data"]),
        (
            "s3://ml-data/churn/train/",
            [
                "s3_prod.ml-data",
                "s3_prod.ml-data.churn/train",  # a structured path: one name
                "s3_prod.ml-data.churn.train",  # folders: nested containers
                "s3_prod.ml-data.churn",
            ],
        ),
        # a name holding a dot is quoted, as OpenMetadata's FQNs quote it
        (
            "s3://my.bucket/v1.2/x",
            [
                's3_prod."my.bucket"',
                's3_prod."my.bucket"."v1.2/x"',
                's3_prod."my.bucket"."v1.2".x',
                's3_prod."my.bucket"."v1.2"',
            ],
        ),
        ("https://example.com/x", []),
    ],
)
def test_a_location_is_looked_up_as_the_s3_connector_names_containers(
    uri: str, names: list[str]
) -> None:
    from omkit_sagemaker.ingest.kinds.lineage_edges import container_fqns

    assert container_fqns("s3_prod", uri) == names
