"""Config texts shared by several test modules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: The sample config of OpenMetadata's SageMaker connector page, with a workflowConfig; its
#: KEY/SECRET placeholders (rule R002 errors) are written as environment references.
SAGEMAKER_SAMPLE = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
        awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
        awsRegion: us-east-2
  sourceConfig:
    config:
      type: MlModelMetadata
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: "http://localhost:8585/api"
    authProvider: openmetadata
    securityConfig:
      jwtToken: "${OM_JWT}"
"""


CORPUS = Path(__file__).parents[1] / "tests" / "corpus"
TEMPLATE = Path(__file__).parents[1] / "templates" / "sagemaker.yaml"

#: The environment every corpus file is checked with (never the real one).
FIXED_ENV: dict[str, str] = {
    "OMKIT_TEST_SECRET": "SuperSecret-Value-123",
    "OMKIT_TEST_SESSION_TOKEN": "FwoGZXIvYXdzEXAMPLE-session-token-456",
    "OMKIT_TEST_JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJpbmdlc3Rpb24tYm90In0.c2lnbmF0dXJlLTc4OQ",
    "OMKIT_TEST_REGION": "eu-west-1",
    "OMKIT_TEST_PROFILE": "ml",
    "OMKIT_TEST_FLAG": "false",
    "OMKIT_TEST_GOOD_LEVEL": "DEBUG",
    "OMKIT_TEST_LEVEL": "WARNING",
    "OMKIT_TEST_HOST": "http://localhost:8585/api",
}

#: Values for every ``${VAR}`` the samples and the template reference, so that a test about
#: something else does not meet R020 (a variable that is not set).
SAMPLE_ENV: dict[str, str] = {
    "AWS_ACCESS_KEY_ID": "AKIA2E0A8F3B1C9D7E6F",
    "AWS_SECRET_ACCESS_KEY": "sample-secret-access-key-value",
    "AWS_SESSION_TOKEN": "sample-session-token-value",
    "SM_SECRET": "sample-secret-access-key-value",
    "OM_JWT": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzYW1wbGUifQ.c2FtcGxl",
    "OPENMETADATA_JWT_TOKEN": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzYW1wbGUifQ.c2FtcGxl",
}

ACCESS_KEY = "AKIAZZZZTESTKEY12345"
AWS_SECRET = "moto-secret-access-key-value"
CONSOLE = "https://us-east-1.console.aws.amazon.com/sagemaker/home?region=us-east-1#/models/"


def config_text(
    om_url: str,
    aws_endpoint: str,
    *,
    sink: str = "metadata-rest",
    filename: str | None = None,
    mark_deleted: bool | None = None,
    includes: tuple[str, ...] = (),
    excludes: tuple[str, ...] = (),
    service: str = "local_sagemaker",
    connection: bool = True,
    logger_level: str = "INFO",
) -> str:
    """A SageMaker config for moto at ``aws_endpoint`` and OpenMetadata at ``om_url``; the
    secrets are ``${SM_SECRET}`` and ``${OM_JWT}`` references."""
    lines = ["source:", "  type: sagemaker", f"  serviceName: {service}"]
    if connection:
        lines += [
            "  serviceConnection:",
            "    config:",
            "      type: SageMaker",
            "      awsConfig:",
            f"        awsAccessKeyId: {ACCESS_KEY}",
            "        awsSecretAccessKey: ${SM_SECRET}",
            "        awsRegion: us-east-1",
            f"        endPointURL: {aws_endpoint}",
        ]
    lines += ["  sourceConfig:", "    config:", "      type: MlModelMetadata"]
    if mark_deleted is not None:
        lines.append(f"      markDeletedMlModels: {'true' if mark_deleted else 'false'}")
    if includes or excludes:
        lines.append("      mlModelFilterPattern:")
        if includes:
            lines.append(f"        includes: {json.dumps(list(includes))}")
        if excludes:
            lines.append(f"        excludes: {json.dumps(list(excludes))}")
    lines += ["sink:", f"  type: {sink}"]
    lines.append(f"  config: {{filename: {json.dumps(filename)}}}" if filename else "  config: {}")
    lines += [
        "workflowConfig:",
        f"  loggerLevel: {logger_level}",
        "  openMetadataServerConfig:",
        f"    hostPort: {om_url}",
        "    authProvider: openmetadata",
        "    securityConfig:",
        "      jwtToken: ${OM_JWT}",
    ]
    return "\n".join(lines) + "\n"


def on_1_1(body: dict[str, Any]) -> dict[str, Any]:
    """``body`` as sent to a 1.x server, whose ``mlStore`` fields must be URLs: an image
    becomes ``https://<registry>/...`` (the bodies the tests write down are 2.0's)."""
    store = dict(body.get("mlStore", {}))
    if "imageRepository" in store:
        store["imageRepository"] = "https://" + store["imageRepository"]
    return {**body, "mlStore": store} if store else body
