"""Mapping (omkit_sagemaker.ingest.mapping): the request bodies of the service, the models and
their tags, entity names and console URLs."""

from __future__ import annotations

from omkit_sagemaker.ingest.mapping import (
    ServiceRequest,
    console_url,
    entity_name,
    model_request,
    tag_requests,
)
from omkit_sagemaker.spec.modelbase import MASK
from omkit_sagemaker.spec.models.workflow import ServiceConnection

from testing.modelcases import CONNECTION, CONSOLE, churn, service_request

# ---- mapping -------------------------------------------------------------------------------


def test_the_model_request_body() -> None:
    request = model_request(churn(), "svc", "us-east-1")
    assert request.fqn == "svc.churn"
    assert request.body() == {
        "name": "churn",
        "algorithm": "churn",  # the inference image's repository: no training job is known
        "mlStore": {
            "storage": "s3://models/churn.tar.gz",
            "imageRepository": "123.dkr.ecr.us-east-1.amazonaws.com/churn:1",
        },
        "service": "svc",
        "sourceUrl": CONSOLE + "churn",
        "tags": [
            {
                "tagFQN": "team.ml",
                "source": "Classification",
                "labelType": "Automated",
                "state": "Confirmed",
            }
        ],
    }


def test_ml_store_keeps_what_the_model_has_and_is_left_out_when_empty() -> None:
    only_image = model_request(churn(model_data_url=None), "svc", "us-east-1").body()
    assert only_image["mlStore"] == {
        "imageRepository": "123.dkr.ecr.us-east-1.amazonaws.com/churn:1"
    }
    bare = model_request(churn(image=None, model_data_url=None, tags=()), "svc", "us-east-1")
    assert bare.body() == {
        "name": "churn",
        "algorithm": "mlmodel",
        "service": "svc",
        "sourceUrl": CONSOLE + "churn",
    }


def test_no_tags_leaves_them_out() -> None:
    request = model_request(churn(), "svc", "us-east-1", with_tags=False)
    assert "tags" not in request.body()
    assert request.tags == ()


def test_a_service_name_with_a_dot_is_quoted_in_the_model_fqn() -> None:
    assert model_request(churn(), '"my.svc"', "us-east-1").fqn == '"my.svc".churn'


def test_tag_names_are_made_valid() -> None:
    tags = tag_requests(
        [
            ("aws:createdBy", "x"),
            ("AWS:other", "y"),
            ("cost.center", "4.2"),
            ("team:name/x", "ml ops"),
            ("flag", ""),
            ("k", "v"),
            ("long", "x" * 300),
            ("team:name/x", "ml ops"),  # twice: once
        ]
    )
    assert [(t.classification.name, t.name) for t in tags] == [
        ("cost_center", "4_2"),
        ("team_name_x", "ml ops"),
        ("flag", "true"),
        ("k_", "v_"),
        ("long", "x" * 63),
    ]
    assert tags[0].fqn == "cost_center.4_2"
    assert tags[0].body() == {
        "classification": "cost_center",
        "name": "4_2",
        "description": "SageMaker tag `cost.center=4.2`.",
    }
    assert tags[0].classification.body() == {
        "name": "cost_center",
        "description": "SageMaker tag key `cost.center`.",
    }
    assert all(len(t.fqn) <= 128 for t in tags)


def test_entity_names() -> None:
    assert entity_name("Team-A (prod) & co 100%") == "Team-A (prod) & co 100%"
    assert entity_name("ünïcode") == "ünïcode"  # \\w is Unicode, as the server's (?U)
    assert entity_name("a.b:c/d") == "a_b_c_d"


def test_console_urls_by_partition() -> None:
    assert console_url("eu-west-1", "m").startswith("https://eu-west-1.console.aws.amazon.com/")
    assert console_url("cn-north-1", "m").startswith("https://cn-north-1.console.amazonaws.cn/")
    assert console_url("us-gov-west-1", "m").startswith("https://console.amazonaws-us-gov.com/")


def test_the_service_body_reveals_secrets_only_when_asked() -> None:
    sent = service_request().body(reveal_secrets=True)
    assert sent == {"name": "svc", "serviceType": "SageMaker", "connection": CONNECTION}
    written = service_request().body()
    assert written["connection"]["config"]["awsConfig"]["awsSecretAccessKey"] == MASK
    no_store = ServiceRequest("svc", ServiceConnection.from_dict(CONNECTION), False)
    assert no_store.body() == {"name": "svc", "serviceType": "SageMaker"}
