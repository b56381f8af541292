"""Lineage from feature tables to models (omkit_sagemaker.ingest.kinds.features_lineage), against
the recording OpenMetadata double: a feature group's Glue table is found under the account's or
the ``default`` catalog, once per run; a missing table is one warning; each (table, model) edge
is added once, after the models are written; a model or edge that fails is a warning."""

from __future__ import annotations

from omkit_sagemaker.ingest.kinds.features_lineage import Tables, table_fqns, want_edges
from omkit_sagemaker.ingest.kinds.features_map import ml_features
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient
from omkit_sagemaker.ingest.sinks.edgewriter import Edges
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.ingest.sources.featureindex import Feature, FeatureGroup
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection

from testing.omdouble import OMServer

ACCOUNT = "123456789012"
CUSTOMERS = FeatureGroup(
    "customers",
    arn=f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:feature-group/customers",
    glue=("AwsDataCatalog", "featurestore", "customers_1700000000"),
    features=(Feature("age", "Integral"),),
)
ORDERS = FeatureGroup(
    "orders",
    arn=f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:feature-group/orders",
    glue=("AwsDataCatalog", "featurestore", "orders_1700000000"),
    features=(Feature("total", "Fractional"),),
)


def client(om: OMServer) -> OpenMetadataClient:
    config = OpenMetadataConnection.from_dict(
        {
            "hostPort": om.url,
            "authProvider": "openmetadata",
            "securityConfig": {"jwtToken": om.token},
        }
    )
    return OpenMetadataClient(config, retries=1, backoff=0.0)


def test_the_table_names_tried_are_the_account_s_catalog_then_default() -> None:
    assert table_fqns("glue", CUSTOMERS) == [
        f"glue.{ACCOUNT}.featurestore.customers_1700000000",
        "glue.default.featurestore.customers_1700000000",
    ]
    assert table_fqns("glue.prod", FeatureGroup("online-only")) == []
    assert table_fqns("glue.prod", CUSTOMERS)[0].startswith('"glue.prod".')


def test_a_table_is_found_once_and_a_missing_one_is_one_warning(om_server: OMServer) -> None:
    table = om_server.seed_table("glue.default.featurestore.customers_1700000000")
    status = RunStatus()
    tables = Tables(client(om_server), "glue", status)
    for _ in range(3):
        assert tables(CUSTOMERS) == {
            "id": table["id"],
            "type": "table",
            "fullyQualifiedName": "glue.default.featurestore.customers_1700000000",
        }
        assert tables(ORDERS) is None
    assert len(om_server.calls("GET")) == 4  # two names tried for each table, each once
    (warning,) = status.warnings
    assert warning.subject == f"table glue.{ACCOUNT}.featurestore.orders_1700000000"
    assert "not found in OpenMetadata under the database service glue" in warning.message
    assert warning.message.endswith("ingest the Glue catalog first")


def test_each_table_and_model_pair_is_one_edge_added_after_the_models(om_server: OMServer) -> None:
    customers = om_server.seed_table(f"glue.{ACCOUNT}.featurestore.customers_1700000000")
    orders = om_server.seed_table(f"glue.{ACCOUNT}.featurestore.orders_1700000000")
    om_server.seed_service("svc")
    churn = om_server.seed_model("svc", "churn")
    status = RunStatus()
    om = client(om_server)
    tables = Tables(om, "glue", status)
    edges = Edges()
    features = ml_features([CUSTOMERS, ORDERS, CUSTOMERS], tables)
    want_edges(edges, "svc.churn", features)
    want_edges(edges, "svc.fraud", features[:1])  # a model that was not written
    assert om_server.lineage == []  # nothing before the models are written
    edges.add(om, status)
    assert edges.added == 2
    assert edges.pending == {}
    assert sorted(om_server.lineage) == sorted(
        [
            (customers["id"], "table", churn["id"], "mlmodel"),
            (orders["id"], "table", churn["id"], "mlmodel"),
        ]
    )
    (warning,) = status.warnings
    assert (warning.subject, warning.message) == (
        "model svc.fraud",
        "not found after writing it: no lineage added",
    )


def test_a_refused_edge_is_a_warning_and_the_others_are_added(om_server: OMServer) -> None:
    om_server.seed_table(f"glue.{ACCOUNT}.featurestore.customers_1700000000")
    om_server.seed_service("svc")
    om_server.seed_model("svc", "churn")
    om_server.seed_model("svc", "fraud")
    om_server.fail("PUT", "/api/v1/lineage", status=400, message="edge refused")
    status = RunStatus()
    om = client(om_server)
    edges = Edges()
    features = ml_features([CUSTOMERS], Tables(om, "glue", status))
    want_edges(edges, "svc.churn", features)
    want_edges(edges, "svc.fraud", features)
    edges.add(om, status)
    assert edges.added == 1
    (warning,) = status.warnings
    assert warning.subject == (
        f"lineage table glue.{ACCOUNT}.featurestore.customers_1700000000 -> svc.churn"
    )
    assert "edge refused" in warning.message
