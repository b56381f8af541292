"""``omkit_sagemaker.ingest.sinks.omrest``: the server releases the metadata-rest sink writes to,
and the shape an answer must have before a run trusts it (an entity, a model PUT, a bulk
result); anything else is an ``OpenMetadataError`` saying what is wrong."""

from __future__ import annotations

import pytest
from omkit_sagemaker.ingest.omhttp import Response
from omkit_sagemaker.ingest.openmetadata import OpenMetadataError
from omkit_sagemaker.ingest.sinks.omrest import (
    MIN_SERVER,
    SOURCE_HASH_SERVER,
    bulk_failures,
    check_bulk,
    check_put,
    entity_of,
    parse_version,
    service_path,
)

MODEL = {"id": "5f0c", "fullyQualifiedName": "svc.churn", "name": "churn"}


def test_server_versions_read_as_major_and_minor() -> None:
    assert parse_version("1.1.7") == (1, 1)
    assert parse_version(" 1.2.0-SNAPSHOT") == (1, 2)
    assert parse_version("2.0.7") >= SOURCE_HASH_SERVER > parse_version("1.1.7") >= MIN_SERVER
    assert parse_version("0.13.2") < MIN_SERVER
    with pytest.raises(ValueError, match="cannot read the server version 'latest'"):
        parse_version("latest")


def test_a_service_name_is_quoted_into_its_path() -> None:
    assert service_path("sagemaker") == "/services/mlmodelServices/name/sagemaker"
    assert service_path("team a/ml") == "/services/mlmodelServices/name/team%20a%2Fml"


def test_an_entity_needs_an_id_a_fully_qualified_name_and_the_name_sent() -> None:
    assert entity_of(MODEL, "GET /x", "churn") is MODEL
    assert entity_of(MODEL, "GET /x") is MODEL
    cases = [
        ("not-an-entity", "GET /x: the answer is not an entity ('not-an-entity')"),
        ({"fullyQualifiedName": "svc.churn"}, "GET /x: the answer is not an entity (no id)"),
        ({**MODEL, "fullyQualifiedName": ""}, "(no fullyQualifiedName)"),
        ({**MODEL, "name": "fraud"}, "GET /x: the answer is the entity 'fraud', not 'churn'"),
    ]
    for answer, message in cases:
        with pytest.raises(OpenMetadataError) as caught:
            entity_of(answer, "GET /x", "churn")
        assert caught.value.status == 200
        assert message in caught.value.message


def test_a_model_put_is_answered_200_or_201_with_the_model() -> None:
    check_put(Response(200, MODEL), "churn")
    check_put(Response(201, MODEL), "churn")
    with pytest.raises(OpenMetadataError, match="unexpected HTTP 202") as caught:
        check_put(Response(202, MODEL), "churn")
    assert caught.value.status == 202
    with pytest.raises(OpenMetadataError, match="not 'fraud'"):
        check_put(Response(200, MODEL), "fraud")


def test_a_bulk_result_accounts_for_every_model_sent() -> None:
    check_bulk({"numberOfRowsProcessed": 2, "failedRequest": []}, 2)
    check_bulk({"numberOfRowsProcessed": 1}, 1)
    for answer in ({"numberOfRowsProcessed": 1}, {"numberOfRowsProcessed": "2"}):
        with pytest.raises(OpenMetadataError, match="does not account for the 2 models sent"):
            check_bulk(answer, 2)
    with pytest.raises(OpenMetadataError, match="the answer is not a bulk result"):
        check_bulk([], 2)


def test_bulk_failures_name_each_rejected_model() -> None:
    answer = {
        "numberOfRowsProcessed": 3,
        "failedRequest": [
            {"request": {"name": "churn"}, "message": "invalid tag"},
            {"request": {"name": "fraud"}},
            {"request": "not a request", "message": "ignored"},
            "not an entry",
        ],
    }
    assert bulk_failures(answer) == {
        "churn": "invalid tag",
        "fraud": "rejected by the bulk endpoint",
    }
    assert bulk_failures(None) == {}
