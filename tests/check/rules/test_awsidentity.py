"""The AWS identity rules (omkit_sagemaker.check.rules.awsidentity): role ARNs (R005), STS names
(R006), the access key ID's shape without showing it (R009), a temporary key without its token
(R010)."""

from __future__ import annotations

import pytest

from testing.rulecases import aws, codes, lint


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:iam::210987654321:role/service-role/Reader",
        "arn:aws-cn:iam::210987654321:role/Reader",
        "arn:aws-us-gov:iam::210987654321:role/Reader",
    ],
)
def test_role_arns_in_every_partition_and_with_paths(arn: str) -> None:
    assert lint(aws(f"assumeRoleArn: {arn}")) == []


def test_a_role_name_is_not_an_arn() -> None:
    (diag,) = lint(aws("assumeRoleArn: OpenMetadataReader"))
    assert "is not an ARN" in diag.message


def test_sts_names_length_and_source_identity_prefix() -> None:
    (diag,) = lint(aws("assumeRoleSessionName: x"))
    assert "it has 1 characters" in diag.message
    assert codes(lint(aws("assumeRoleSessionName: " + "a" * 65))) == ["R006"]
    assert lint(aws("assumeRoleSessionName: " + "a" * 64)) == []
    (diag,) = lint(aws("assumeRoleSourceIdentity: 'aws:me'"))
    assert "it starts with 'aws:'" in diag.message


def test_access_key_message_never_shows_the_value_and_spots_swapped_keys() -> None:
    value = "4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t"
    (diag,) = lint(aws(f"awsAccessKeyId: {value}"))
    assert diag.code == "R009"
    assert value not in diag.message
    assert "swapped" in str(diag.hint)


def test_temporary_key_with_an_unset_token_reference_is_fine() -> None:
    key = "awsAccessKeyId: ASIA2E0A8F3B1C9D7E6F"
    assert lint(aws(key, "awsSessionToken: ${AWS_SESSION_TOKEN}")) == []
    assert codes(lint(aws(key, "awsSessionToken: ''"))) == ["R010"]


def test_keys_and_a_profile_together_warn_that_the_profile_is_unused() -> None:
    keys = ("awsAccessKeyId: ${AWS_KEY_ID}", "awsSecretAccessKey: ${AWS_SECRET}")
    (diag,) = lint(aws("awsRegion: us-east-2", *keys, "profileName: dev"))
    assert diag.code == "R011"
    assert "profile" in diag.message
    assert lint(aws("awsRegion: us-east-2", "profileName: dev")) == []
    assert lint(aws("awsRegion: us-east-2", *keys)) == []
