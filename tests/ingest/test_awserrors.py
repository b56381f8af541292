"""``omkit_sagemaker.ingest.awserrors``: the one-line code, message and status of an AWS failure.

Real HTTP only: moto on 127.0.0.1, and a tiny stdlib server for the answers moto never gives
(odd error bodies, silence). boto3 is never mocked.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from omkit_sagemaker.ingest import awsclient, awserrors

from testing.awsclientcases import KEY_ID, SECRET, OddServer, creds, free_port
from testing.awsfixtures import MotoServer, create_model, iam_enforced, iam_user


@pytest.fixture
def odd() -> Iterator[OddServer]:
    server = OddServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_missing_credentials_and_profiles_raise_what_aws_error_explains(
    aws_env: dict[str, str],
) -> None:
    from botocore.exceptions import NoCredentialsError, ProfileNotFound

    with pytest.raises(NoCredentialsError) as none:
        awsclient.credential_info(awsclient.base_session(creds()))
    assert awserrors.aws_error(none.value) == (
        "NoCredentialsError",
        "Unable to locate credentials",
        None,
    )
    with pytest.raises(ProfileNotFound) as missing:
        awsclient.base_session(creds(profileName="nowhere"))
    code, message, status = awserrors.aws_error(missing.value)
    assert (code, status) == ("ProfileNotFound", None)
    assert "nowhere" in message


def test_aws_error_reads_moto_s_xml_error_inside_a_json_protocol_answer(
    aws_env: dict[str, str], moto: MotoServer
) -> None:
    """moto answers IAM denials of SageMaker (a JSON protocol) with an XML body: botocore's code
    is then only "403"; the real code is in the body."""
    from botocore.exceptions import ClientError

    create_model(moto, "model-a")
    key_id, secret = iam_user(moto, "lister", ["sagemaker:ListModels"])
    cfg = creds(awsAccessKeyId=key_id, awsSecretAccessKey=secret, endPointURL=moto.endpoint)
    client = awsclient.sagemaker_client(awsclient.base_session(cfg), cfg)
    with iam_enforced(moto), pytest.raises(ClientError) as denied:
        client.describe_model(ModelName="model-a")
    assert denied.value.response["Error"]["Code"] == "403"
    assert awserrors.aws_error(denied.value) == (
        "AccessDenied",
        "User: arn:aws:iam::123456789012:user/lister is not authorized to perform: "
        "sagemaker:DescribeModel",
        403,
    )


HTML_502 = b"<html><body><h1>502 Bad Gateway</h1></body></html>"


LOWER_CODE = b'{"code": "ThrottledByProxy", "message": "slow down"}'


TYPE_HEADER = {"x-amzn-ErrorType": "UnrecognizedClientException:http://internal/"}


CORAL = b'{"__type": "com.amazon.coral#ExpiredTokenException", "Message": "expired"}'


@pytest.mark.parametrize(
    ("status", "body", "headers", "expected"),
    [
        (502, HTML_502, {}, ("HTTP 502", 502)),
        (400, LOWER_CODE, {}, ("ThrottledByProxy", 400)),
        (403, b"", TYPE_HEADER, ("UnrecognizedClientException", 403)),
        (400, CORAL, {}, ("ExpiredTokenException", 400)),
        (500, b"plain words", {}, ("HTTP 500", 500)),
    ],
)
def test_aws_error_digs_the_best_code_out_of_unexpected_bodies(
    aws_env: dict[str, str],
    odd: OddServer,
    status: int,
    body: bytes,
    headers: dict[str, str],
    expected: tuple[str, int],
) -> None:
    from botocore.exceptions import ClientError

    odd.status, odd.body, odd.headers = status, body, headers
    cfg = creds(awsAccessKeyId=KEY_ID, awsSecretAccessKey=SECRET, endPointURL=odd.url)
    client = awsclient.sagemaker_client(
        awsclient.base_session(cfg), cfg, config=awsclient.client_config(5, 1)
    )
    with pytest.raises(ClientError) as failed:
        client.list_models()
    code, message, http_status = awserrors.aws_error(failed.value)
    assert (code, http_status) == expected
    assert message
    assert "\n" not in message
    assert "<" not in message


def test_aws_error_for_failures_without_an_answer(aws_env: dict[str, str], odd: OddServer) -> None:
    from botocore.exceptions import ConnectTimeoutError, EndpointConnectionError, ReadTimeoutError

    cfg = creds(
        awsAccessKeyId=KEY_ID,
        awsSecretAccessKey=SECRET,
        endPointURL=f"http://127.0.0.1:{free_port()}",
    )
    closed = awsclient.sagemaker_client(
        awsclient.base_session(cfg), cfg, config=awsclient.client_config(2, 1)
    )
    with pytest.raises(EndpointConnectionError) as refused:
        closed.list_models()
    code, message, status = awserrors.aws_error(refused.value)
    assert (code, status) == ("EndpointConnectionError", None)
    assert str(cfg.endPointURL) in message

    odd.silent = True
    cfg = creds(awsAccessKeyId=KEY_ID, awsSecretAccessKey=SECRET, endPointURL=odd.url)
    silent = awsclient.sagemaker_client(
        awsclient.base_session(cfg), cfg, config=awsclient.client_config(0.5, 1)
    )
    start = time.monotonic()
    with pytest.raises(ReadTimeoutError) as waited:
        silent.list_models()
    assert time.monotonic() - start < 5
    assert awserrors.aws_error(waited.value)[0] == "ReadTimeoutError"

    timeout = ConnectTimeoutError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com")
    assert awserrors.aws_error(timeout)[0] == "ConnectTimeoutError"


def test_aws_error_never_raises() -> None:
    class Broken(Exception):
        @property
        def response(self) -> Any:
            raise RuntimeError("boom")

        def __str__(self) -> str:
            raise RuntimeError("boom")

    assert awserrors.aws_error(Broken()) == ("Broken", "unexpected error", None)
    weird = Exception()
    weird.response = {"Error": "not a mapping", "ResponseMetadata": None}  # type: ignore[attr-defined]
    assert awserrors.aws_error(weird) == ("UnknownError", "UnknownError", None)
