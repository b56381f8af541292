"""One config, many runs (omkit_sagemaker.ingest.expand): the service-name rule, the
placeholders, and a variant that is the file's own text with only those values changed."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from omkit_sagemaker.ingest import expand

from testing.samples import config_text

TEXT = "# the team's config\n" + config_text("http://127.0.0.1:8585/api", "http://127.0.0.1:5000")
ROLE_A = "arn:aws:iam::111111111111:role/Reader"
ROLE_B = "arn:aws:iam::222222222222:role/path/Reader"


def aws(variant: expand.Variant) -> dict[str, str]:
    data = yaml.safe_load(variant.text)
    config: dict[str, str] = data["source"]["serviceConnection"]["config"]["awsConfig"]
    return config


def test_regions_rename_the_service_and_keep_every_other_line() -> None:
    variants = expand.expand(Path("sm.yaml"), TEXT, regions=["us-east-1", "eu-west-1"])
    assert [(str(v.path), v.service, v.region) for v in variants] == [
        ("sm.yaml[us-east-1]", "local_sagemaker_us-east-1", "us-east-1"),
        ("sm.yaml[eu-west-1]", "local_sagemaker_eu-west-1", "eu-west-1"),
    ]
    assert aws(variants[1])["awsRegion"] == "eu-west-1"
    before, after = TEXT.splitlines(), variants[1].text.splitlines()
    assert len(before) == len(after)
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    assert changed == [
        ("  serviceName: local_sagemaker", "  serviceName: local_sagemaker_eu-west-1"),
        ("        awsRegion: us-east-1", "        awsRegion: eu-west-1"),
    ]
    assert "${SM_SECRET}" in variants[1].text  # references stay references


def test_every_combination_with_the_default_and_a_template() -> None:
    variants = expand.expand(
        Path("sm.yaml"), TEXT, regions=["us-east-1"], profiles=["prod"], role_arns=[ROLE_A, ROLE_B]
    )
    assert [v.service for v in variants] == [
        "local_sagemaker_111111111111_prod_us-east-1",
        "local_sagemaker_222222222222_prod_us-east-1",
    ]
    assert [aws(v)["assumeRoleArn"] for v in variants] == [ROLE_A, ROLE_B]
    assert str(variants[1].path) == "sm.yaml[222222222222:Reader,prod,us-east-1]"
    named = expand.expand(
        Path("sm.yaml"), TEXT, role_arns=[ROLE_A], template="{role}-{account}-{region}"
    )
    assert [v.service for v in named] == ["Reader-111111111111-us-east-1"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"template": "{team}", "regions": ["us-east-1"]}, "{team} is not a placeholder"),
        ({"template": "a/{region}", "regions": ["us-east-1"]}, "not an OpenMetadata entity"),
        ({"role_arns": ["arn:aws:iam::1:user/x"]}, "is not an IAM role ARN"),
    ],
)
def test_bad_lists_and_templates_are_usage_errors(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(expand.ExpandError, match=message):
        expand.expand(Path("sm.yaml"), TEXT, **kwargs)  # type: ignore[arg-type]


def test_a_config_without_a_connection_cannot_be_expanded() -> None:
    text = config_text("http://127.0.0.1:8585/api", "http://x", connection=False)
    with pytest.raises(expand.ExpandError, match=r"need source\.serviceName"):
        expand.expand(Path("sm.yaml"), text, regions=["us-east-1"])


def test_value_lists_split_on_commas_and_refuse_repeats() -> None:
    assert expand.split_values(["a,b", "c"], "--region") == ["a", "b", "c"]
    with pytest.raises(expand.ExpandError, match="given twice"):
        expand.split_values(["a,a"], "--region")
    with pytest.raises(expand.ExpandError, match="empty value"):
        expand.split_values(["a,"], "--region")
