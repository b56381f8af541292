"""The one-line fix of a failed ``omkit test-connection`` step
(omkit_sagemaker.ingest.connection.hints): each AWS error code (from real botocore errors) and
each OpenMetadata answer gets the fix a user needs, naming the setting to change, and a failure
it cannot explain gets none."""

from __future__ import annotations

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    ProfileNotFound,
    ReadTimeoutError,
)
from omkit_sagemaker.ingest.connection.hints import AwsHints, om_hint
from omkit_sagemaker.ingest.connection.recorder import (
    STEP_ASSUME_ROLE,
    STEP_DESCRIBE_MODEL,
    STEP_LIST_MODELS,
    STEP_LIST_TAGS,
)
from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials

ROLE = "arn:aws:iam::123456789012:role/Reader"


def hints(**config: str) -> AwsHints:
    return AwsHints(AwsCredentials.from_dict({"awsRegion": "us-east-1", **config}), 10.0)


def client_error(code: str, status: int = 400, message: str = "it failed") -> ClientError:
    answer = {
        "Error": {"Code": code, "Message": message},
        "ResponseMetadata": {"HTTPStatusCode": status},
    }
    return ClientError(answer, "ListModels")


@pytest.mark.parametrize(
    ("step", "start"),
    [
        (STEP_ASSUME_ROLE, f"the identity may not assume {ROLE}: allow it sts:AssumeRole"),
        (
            STEP_LIST_TAGS,
            "the identity lacks sagemaker:ListTags, so models will be ingested without tags",
        ),
        (
            STEP_DESCRIBE_MODEL,
            "the identity lacks sagemaker:DescribeModel; see omkit policy sagemaker",
        ),
    ],
)
def test_a_denied_step_names_what_to_allow(step: str, start: str) -> None:
    hint = hints(assumeRoleArn=ROLE).hint(client_error("AccessDeniedException"), step)
    assert hint is not None
    assert hint.startswith(start)


@pytest.mark.parametrize(
    ("code", "start"),
    [
        ("InvalidClientTokenId", "wrong access key: awsAccessKeyId"),
        ("SignatureDoesNotMatch", "wrong secret key: awsSecretAccessKey"),
        ("ExpiredTokenException", "refresh the session token"),
    ],
)
def test_wrong_or_expired_credentials_name_the_key_to_fix(code: str, start: str) -> None:
    hint = hints().hint(client_error(code, 403), STEP_LIST_MODELS)
    assert hint is not None
    assert hint.startswith(start)


def test_errors_without_an_answer_name_the_setting_to_check() -> None:
    unreachable = EndpointConnectionError(endpoint_url="http://127.0.0.1:9")
    assert hints(endPointURL="http://127.0.0.1:9").hint(unreachable, STEP_LIST_MODELS) == (
        "the endpoint URL is unreachable: check endPointURL (http://127.0.0.1:9), the network and "
        "any proxy"
    )
    assert "AWS_ENDPOINT_URL_STS" in str(hints().hint(unreachable, STEP_ASSUME_ROLE))
    timeout = ReadTimeoutError(endpoint_url="https://sagemaker.us-east-1.amazonaws.com")
    assert str(hints().hint(timeout, STEP_LIST_MODELS)).startswith(
        "no answer from the SageMaker endpoint within 10 s"
    )
    assert str(hints().hint(NoCredentialsError(), STEP_LIST_MODELS)).startswith(
        "no AWS credentials found"
    )
    missing = ProfileNotFound(profile="ml-readonly")
    assert str(hints(profileName="ml-readonly").hint(missing, STEP_LIST_MODELS)).startswith(
        "profile 'ml-readonly' is not in the shared AWS files"
    )


def test_a_server_failure_is_to_retry_and_an_unknown_failure_gets_no_hint() -> None:
    assert hints().hint(client_error("InternalFailure", 500), STEP_LIST_MODELS) == (
        "the AWS endpoint (or a proxy in front of it) failed; try again later"
    )
    assert hints().hint(client_error("ValidationException", 400), STEP_LIST_MODELS) is None


@pytest.mark.parametrize(
    ("status", "step", "host_port", "start"),
    [
        (401, "openmetadata", "http://om/api", "the token is wrong or expired"),
        (
            None,
            "openmetadata",
            "http://om/api",
            "the OpenMetadata server is unreachable (refused, or no answer within 5 s): "
            "check hostPort (http://om/api)",
        ),
        (
            404,
            "GET /api/v1/system/version",
            "http://om:8585",
            "hostPort must be the server's API URL, ending in /api (now http://om:8585)",
        ),
        (
            404,
            "GET /api/v1/system/version",
            "http://om:8585/api",
            "hostPort (http://om:8585/api) ends in /api, but nothing there answers as OpenMetadata",
        ),
        (502, "openmetadata", "http://om/api", "the OpenMetadata server failed; look at its logs"),
        (
            409,
            "PUT /services",
            "http://om/api",
            "PUT /services was refused; check hostPort and the bot's roles",
        ),
    ],
)
def test_each_openmetadata_answer_gets_its_fix(
    status: int | None, step: str, host_port: str, start: str
) -> None:
    assert om_hint(status, step, host_port, 5.0).startswith(start)
