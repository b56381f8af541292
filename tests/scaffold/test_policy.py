"""``omkit_sagemaker.scaffold.policy``: the IAM policy allows exactly the calls of an ingestion."""

from __future__ import annotations

import json
from typing import Any

import botocore.session
import pytest
from omkit_sagemaker.scaffold import policy

ROLE = "arn:aws:iam::123456789012:role/OpenMetadataSageMakerReader"


def _actions(document: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for statement in document["Statement"]:
        action = statement["Action"]
        out.extend([action] if isinstance(action, str) else action)
    return out


def test_the_policy_allows_exactly_the_sagemaker_reads_of_each_asset_kind() -> None:
    document = policy.sagemaker_policy()
    assert document["Version"] == "2012-10-17"
    assert [(s["Sid"], s["Action"]) for s in document["Statement"]] == [
        (
            "ReadSageMakerModels",
            [
                "sagemaker:ListModels",
                "sagemaker:DescribeModel",
                "sagemaker:ListTags",
                "sagemaker:Search",  # optional: 100 models per call, else the three above
            ],
        ),
        ("ReadSageMakerTrainingJobs", ["sagemaker:DescribeTrainingJob", "sagemaker:Search"]),
        (
            "ReadSageMakerEndpoints",
            [
                "sagemaker:ListEndpoints",
                "sagemaker:DescribeEndpoint",
                "sagemaker:DescribeEndpointConfig",
                "sagemaker:Search",
            ],
        ),
        ("ReadSageMakerModelRegistry", ["sagemaker:Search"]),
        (
            "ReadSageMakerFeatureGroups",
            ["sagemaker:Search", "sagemaker:DescribeFeatureGroup"],
        ),
        (  # opt-in in a run (--assets lineage), but in the policy by default
            "ReadSageMakerLineage",
            [
                "sagemaker:ListArtifacts",
                "sagemaker:ListAssociations",
                "sagemaker:DescribeProcessingJob",
                "sagemaker:DescribeArtifact",
                "sagemaker:ListContexts",
                "sagemaker:QueryLineage",
                "sagemaker:DescribeAction",
            ],
        ),
    ]
    for statement in document["Statement"]:
        assert statement["Effect"] == "Allow"
        assert statement["Resource"] == "*"  # List* and Search have no resource-level permissions
        assert set(statement) == {"Sid", "Effect", "Action", "Resource"}
    assert not any(a.endswith("*") for a in _actions(document))


def test_a_policy_for_some_asset_kinds_only() -> None:
    document = policy.sagemaker_policy(("endpoints",))  # models are always read
    assert [s["Sid"] for s in document["Statement"]] == [
        "ReadSageMakerModels",
        "ReadSageMakerEndpoints",
    ]
    with pytest.raises(ValueError, match="unknown asset kind 'lineage-graph'"):
        policy.sagemaker_policy(("lineage-graph",))


def test_every_action_is_a_real_api_operation() -> None:
    """The IAM action of an AWS API call is ``<service prefix>:<operation name>``."""
    session = botocore.session.get_session()
    operations = {
        "sagemaker": set(session.get_service_model("sagemaker").operation_names),
        "sts": set(session.get_service_model("sts").operation_names),
    }
    advice = policy.sagemaker(ROLE)
    assert advice.assume_role_policy is not None
    for action in [*_actions(advice.policy), *_actions(advice.assume_role_policy)]:
        prefix, name = action.split(":")
        assert name in operations[prefix], action


def test_without_a_role_there_is_no_sts() -> None:
    advice = policy.sagemaker()
    assert advice.assume_role_policy is None
    assert not any(a.startswith("sts:") for a in _actions(advice.policy))
    assert advice.notes


def test_with_a_role_the_caller_may_assume_only_that_role() -> None:
    advice = policy.sagemaker(ROLE)
    assert advice.policy == policy.sagemaker_policy()  # goes on the role
    assert advice.assume_role_policy == {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Sid": "AssumeSageMakerReaderRole",
                "Effect": "Allow",
                "Action": "sts:AssumeRole",
                "Resource": ROLE,
            }
        ],
    }
    notes = " ".join(advice.notes)
    assert ROLE in notes
    assert "trust policy" in notes
    assert "sts:SetSourceIdentity" in notes


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws-cn:iam::123456789012:role/reader",
        "arn:aws-us-gov:iam::123456789012:role/service-role/path/reader",
    ],
)
def test_role_arns_of_every_partition_are_accepted(arn: str) -> None:
    assert policy.assume_role_policy(arn)["Statement"][0]["Resource"] == arn


@pytest.mark.parametrize(
    "arn",
    [
        "OpenMetadataSageMakerReader",
        "arn:aws:iam::123456789012:user/alice",
        "arn:aws:iam::1234:role/short-account",
        "arn:aws:iam::123456789012:role/*",
        "",
    ],
)
def test_malformed_role_arns_are_refused(arn: str) -> None:
    with pytest.raises(ValueError, match="role ARN"):
        policy.sagemaker(arn)


def test_json_is_indented_and_parses_back() -> None:
    text = policy.to_json(policy.sagemaker_policy())
    assert text.endswith("}\n")
    assert json.loads(text) == policy.sagemaker_policy()
    assert '\n  "Statement": [' in text
