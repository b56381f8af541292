"""The AWS endpoint rules (omkit_sagemaker.check.rules.awsendpoint): an endpoint without a scheme
(R007, in place of the schema's format error) and one of another AWS service (R008)."""

from __future__ import annotations

import pytest
from omkit_sagemaker.check.validate import check_document

from testing.rulecases import aws, codes, lint, load


def test_endpoint_rule_replaces_the_schema_format_error() -> None:
    text = (
        "source:\n  type: sagemaker\n  serviceName: s\n  serviceConnection:\n    config:\n"
        "      type: SageMaker\n      awsConfig:\n        awsRegion: us-east-2\n"
        "        endPointURL: localhost:5000\n"
        "  sourceConfig:\n    config:\n      type: MlModelMetadata\n"
        "sink:\n  type: metadata-rest\n  config: {}\n"
        "workflowConfig:\n  openMetadataServerConfig:\n    hostPort: http://localhost:8585/api\n"
    )
    (diag,) = check_document(load(text))
    assert diag.code == "R007"
    assert diag.hint == "write endPointURL: https://localhost:5000"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://api.sagemaker.us-east-2.amazonaws.com", []),
        ("https://vpce-0a1b-2c3d.api.sagemaker.us-east-2.vpce.amazonaws.com", []),
        ("http://127.0.0.1:5000", []),
        ("https://proxy.example.com/sagemaker", []),
        ("https://runtime.sagemaker.us-east-2.amazonaws.com", ["R008"]),
        ("https://s3.us-east-2.amazonaws.com", ["R008"]),
        ("https://vpce-0a1b-2c3d.athena.us-east-2.vpce.amazonaws.com", ["R008"]),
    ],
)
def test_endpoint_service(url: str, expected: list[str]) -> None:
    assert codes(lint(aws("awsRegion: us-east-2", f"endPointURL: {url}"))) == expected
