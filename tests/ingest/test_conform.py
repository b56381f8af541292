"""A create request made to fit the OpenMetadata server it goes to
(omkit_sagemaker.ingest.conform): a name the release refuses is not sent and says why, a server
that is no URL is left out, and before 2.0 the model store's image becomes an https URL (or is
left out when it names no registry), while 2.0 gets both fields as they are."""

from __future__ import annotations

from typing import Any

import pytest
from omkit_sagemaker.ingest.conform import conform, image_href, name_problem

ECR = "123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1"


@pytest.mark.parametrize(
    ("name", "version", "fits"),
    [
        ("churn-v2 (prod) & 50%", (1, 1), True),
        ("churn:v2", (1, 1), False),
        ("c" * 129, (1, 1), False),
        ("churn:v2", (2, 0), True),
        ("c" * 256, (2, 0), True),
        ("c" * 257, None, False),
        ("", (2, 0), False),
    ],
)
def test_the_name_rule_of_each_release(
    name: str, version: tuple[int, int] | None, fits: bool
) -> None:
    assert (name_problem(name, version) is None) is fits


def test_a_name_that_does_not_fit_is_not_sent_and_the_body_is_left_alone() -> None:
    body: dict[str, Any] = {"name": "churn:v2", "server": "not a url"}
    assert conform(body, (1, 1)) == (
        "the name 'churn:v2' does not fit OpenMetadata 1.1 (at most 128 letters, digits, spaces "
        "and _ ' - . & ( ) %): not sent"
    )
    assert body == {"name": "churn:v2", "server": "not a url"}


def test_before_2_0_the_store_holds_urls_only() -> None:
    body: dict[str, Any] = {
        "name": "churn",
        "server": "churn-live",
        "mlStore": {"storage": "s3://models/churn.tar.gz", "imageRepository": ECR},
    }
    assert conform(body, (1, 1)) is None
    assert body == {
        "name": "churn",
        "mlStore": {"storage": "s3://models/churn.tar.gz", "imageRepository": f"https://{ECR}"},
    }
    bare: dict[str, Any] = {
        "name": "m",
        "mlStore": {"storage": "models/x", "imageRepository": "xgboost:1"},
    }
    assert conform(bare, (1, 0)) is None
    assert bare == {"name": "m"}


def test_from_2_0_and_without_a_version_the_store_is_sent_as_it_is() -> None:
    for version in ((2, 0), None):
        body: dict[str, Any] = {
            "name": "churn",
            "server": "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/e/invocations",
            "mlStore": {"storage": "models/x", "imageRepository": "xgboost:1"},
        }
        before = dict(body)
        assert conform(body, version) is None
        assert body == before


@pytest.mark.parametrize(
    ("image", "href"),
    [
        (ECR, f"https://{ECR}"),
        ("localhost:5000/churn:1", "https://localhost:5000/churn:1"),
        ("registry.example.com/team/churn", "https://registry.example.com/team/churn"),
        ("https://registry.example.com/churn:1", "https://registry.example.com/churn:1"),
        ("xgboost:1.7-1", None),
        ("team/churn:1", None),
    ],
)
def test_an_image_is_an_https_url_only_when_it_names_a_registry(
    image: str, href: str | None
) -> None:
    assert image_href(image) == href
