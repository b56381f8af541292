"""The AWS region rules (omkit_sagemaker.check.rules.awsregion): an unknown region with its close
match or letter case (R003), an availability zone written for its region (R004), and every
partition's regions known."""

from __future__ import annotations

import pytest

from testing.rulecases import aws, codes, lint


def test_region_close_match_and_letter_case() -> None:
    (diag,) = lint(aws("awsRegion: us-east2"))
    assert diag.message.endswith("did you mean 'us-east-2'?")
    (diag,) = lint(aws("awsRegion: US-EAST-2"))
    assert "lower case" in diag.message
    assert diag.hint == "write awsRegion: us-east-2"
    assert lint(aws("awsRegion: ${AWS_REGION}")) == []
    assert codes(lint(aws("awsRegion: ${AWS_REGION}"), env={"AWS_REGION": "mars-1"})) == ["R003"]


@pytest.mark.parametrize(
    ("zone", "region"),
    [("us-east-2a", "us-east-2"), ("eu-west-1c", "eu-west-1"), ("us-west-2-lax-1a", "us-west-2")],
)
def test_availability_zone_names_its_region(zone: str, region: str) -> None:
    (diag,) = lint(aws(f"awsRegion: {zone}"))
    assert diag.code == "R004"
    assert diag.hint == f"write awsRegion: {region}"


def test_every_partition_is_known() -> None:
    for region in ("us-gov-west-1", "cn-north-1", "eu-central-2"):
        assert lint(aws(f"awsRegion: {region}")) == []
