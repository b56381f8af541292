"""``omkit_sagemaker.ingest.awsclient``: sessions and clients built from ``awsConfig`` as the runner
builds them.

Real HTTP only: moto on 127.0.0.1 for SageMaker, IAM and STS, and tiny stdlib servers for the
answers moto never gives (odd error bodies, silence). boto3 is never mocked; where a test needs
to see what was sent, it listens on botocore's own event hooks.

STS has no ``endPointURL`` in the runner's design (facts §2.2), so the tests reach moto's STS
through botocore's standard ``AWS_ENDPOINT_URL_STS`` environment variable, set only in the test.
"""

from __future__ import annotations

import http.server
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import awsclient, ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions
from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials

from testing.awsfaults import FaultProxy
from testing.awsfixtures import REGION, MotoServer, create_model, iam_enforced, iam_role, iam_user
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

KEY_ID = "AKIAOMKITFAKEKEY0001"
SECRET = "omkit-fake-secret-Q7x2L9vB4nK8"


def creds(**fields: str) -> AwsCredentials:
    return AwsCredentials.from_dict({"awsRegion": REGION, **fields})


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class OddServer:
    """Answers every request with a fixed status, body and headers, or (``silent``) never."""

    def __init__(self) -> None:
        self.status = 500
        self.body = b""
        self.headers: dict[str, str] = {}
        self.silent = False
        odd = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if odd.silent:
                    time.sleep(30)
                    return
                self.send_response(odd.status)
                for name, value in {"Content-Type": "text/html", **odd.headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(odd.body)))
                self.end_headers()
                self.wfile.write(odd.body)

            def log_message(self, format: str, *args: Any) -> None:
                del format, args

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()


@pytest.fixture
def odd() -> Iterator[OddServer]:
    server = OddServer()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def test_the_client_config_bounds_time_and_attempts() -> None:
    config = awsclient.client_config(3.5, 2)
    assert (config.connect_timeout, config.read_timeout) == (3.5, 3.5)
    # adaptive: the standard backoff plus client-side rate limiting once AWS throttles
    assert config.retries == {"mode": "adaptive", "max_attempts": 2}
    assert awsclient.client_config(3.5, 4, retry_mode="standard").retries["mode"] == "standard"
    with pytest.raises(ValueError, match="timeout"):
        awsclient.client_config(0)
    with pytest.raises(ValueError, match="retry_mode"):
        awsclient.client_config(retry_mode="legacy")


def test_endpoint_url_is_for_sagemaker_only(aws_env: dict[str, str]) -> None:
    cfg = creds(awsAccessKeyId=KEY_ID, awsSecretAccessKey=SECRET, endPointURL="http://127.0.0.1:9")
    session = awsclient.base_session(cfg)
    client = awsclient.sagemaker_client(session, cfg, config=awsclient.client_config(4, 2))
    assert client.meta.endpoint_url == "http://127.0.0.1:9"
    assert client.meta.region_name == REGION
    assert client.meta.config.connect_timeout == 4
    assert session.client("sts").meta.endpoint_url.startswith("https://sts.")


def test_credential_sources(aws_env: dict[str, str], tmp_path: Path) -> None:
    cfg = creds(awsAccessKeyId=KEY_ID, awsSecretAccessKey=SECRET)
    info = awsclient.credential_info(awsclient.base_session(cfg))
    assert (info.source, info.method) == (awsclient.CredentialSource.KEYS, "explicit")
    assert info.description == "access keys from awsConfig"

    shared = tmp_path / "credentials"
    shared.write_text(
        f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
        f"[dev]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
        info = awsclient.credential_info(awsclient.base_session(creds(profileName="dev")))
        assert info.source is awsclient.CredentialSource.PROFILE
        assert info.description == "profile 'dev' (shared credentials file)"
        info = awsclient.credential_info(awsclient.base_session(creds()))
        assert info.source is awsclient.CredentialSource.SHARED_FILE

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
        env.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
        info = awsclient.credential_info(awsclient.base_session(creds()))
        assert info.source is awsclient.CredentialSource.ENVIRONMENT
        assert KEY_ID not in info.description
        assert SECRET not in info.description

    role = creds(assumeRoleArn="arn:aws:iam::123456789012:role/Reader")
    info = awsclient.assumed_role_info(role)
    assert info.source is awsclient.CredentialSource.ASSUMED_ROLE
    assert "'OpenMetadataSession'" in info.description


def test_missing_credentials_and_profiles_raise_what_aws_error_explains(
    aws_env: dict[str, str],
) -> None:
    from botocore.exceptions import NoCredentialsError, ProfileNotFound

    with pytest.raises(NoCredentialsError) as none:
        awsclient.credential_info(awsclient.base_session(creds()))
    assert awsclient.aws_error(none.value) == (
        "NoCredentialsError",
        "Unable to locate credentials",
        None,
    )
    with pytest.raises(ProfileNotFound) as missing:
        awsclient.base_session(creds(profileName="nowhere"))
    code, message, status = awsclient.aws_error(missing.value)
    assert (code, status) == ("ProfileNotFound", None)
    assert "nowhere" in message


def test_assume_role_goes_through_sts_from_the_base_session(
    aws_env: dict[str, str], moto: MotoServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto.endpoint)  # botocore's standard variable
    create_model(moto, "model-a")
    key_id, secret = iam_user(moto, "starter", ["sts:AssumeRole", "sts:SetSourceIdentity"])
    role = iam_role(moto, "reader", ["sagemaker:ListModels"], trusted_user="starter")
    sent: list[dict[str, Any]] = []

    def record(params: dict[str, Any], **_: Any) -> None:
        sent.append(dict(params))

    with iam_enforced(moto):
        for extra in ({}, {"assumeRoleSourceIdentity": "alice", "assumeRoleSessionName": "omkit"}):
            cfg = creds(
                awsAccessKeyId=key_id,
                awsSecretAccessKey=secret,
                assumeRoleArn=role,
                endPointURL=moto.endpoint,
                **extra,
            )
            base = awsclient.base_session(cfg)
            base.events.register("provide-client-params.sts.AssumeRole", record)
            session = awsclient.assume_role(base, cfg, config=awsclient.client_config(5, 1))
            identity = session.client("sts").get_caller_identity()["Arn"]
            name = extra.get("assumeRoleSessionName", "OpenMetadataSession")
            assert identity == f"arn:aws:sts::123456789012:assumed-role/reader/{name}"
            # the role, not the starting user, may list models: the client really uses the role
            client = awsclient.sagemaker_client(session, cfg)
            assert [m["ModelName"] for m in client.list_models()["Models"]] == ["model-a"]
    assert sent == [
        {"RoleArn": role, "RoleSessionName": "OpenMetadataSession"},
        {"RoleArn": role, "RoleSessionName": "omkit", "SourceIdentity": "alice"},
    ]


def test_connect_builds_everything_in_one_call(aws_env: dict[str, str], moto: MotoServer) -> None:
    create_model(moto, "model-a")
    cfg = creds(awsAccessKeyId=KEY_ID, awsSecretAccessKey=SECRET, endPointURL=moto.endpoint)
    conn = awsclient.connect(cfg, timeout=5)
    assert conn.credentials.source is awsclient.CredentialSource.KEYS
    assert conn.sagemaker.describe_model(ModelName="model-a")["ModelName"] == "model-a"


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
    assert awsclient.aws_error(denied.value) == (
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
    code, message, http_status = awsclient.aws_error(failed.value)
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
    code, message, status = awsclient.aws_error(refused.value)
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
    assert awsclient.aws_error(waited.value)[0] == "ReadTimeoutError"

    timeout = ConnectTimeoutError(endpoint_url="https://api.sagemaker.us-east-1.amazonaws.com")
    assert awsclient.aws_error(timeout)[0] == "ConnectTimeoutError"


def test_aws_error_never_raises() -> None:
    class Broken(Exception):
        @property
        def response(self) -> Any:
            raise RuntimeError("boom")

        def __str__(self) -> str:
            raise RuntimeError("boom")

    assert awsclient.aws_error(Broken()) == ("Broken", "unexpected error", None)
    weird = Exception()
    weird.response = {"Error": "not a mapping", "ResponseMetadata": None}  # type: ignore[attr-defined]
    assert awsclient.aws_error(weird) == ("UnknownError", "UnknownError", None)


def test_importing_aws_and_connection_loads_neither_boto3_nor_botocore() -> None:
    code = (
        "import sys\n"
        "import omkit_sagemaker.ingest.awsclient, omkit_sagemaker.ingest.connection\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('boto3', 'botocore')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert proc.stdout.strip() == "[]"


# -------------------------------------------------------------------------------------------------
# A SageMaker that throttles: the run slows down to the rate AWS allows and loses nothing.
#
# The fault proxy (testing/awsfaults.py) sits in front of moto and answers ThrottlingException (HTTP
# 400, the AWS JSON error shape) above 10 requests per second. botocore's adaptive retry mode,
# which ``omkit run`` uses, backs off and limits the client's rate, so every model is read and
# written (with ``aws_retry_mode="standard"`` this run loses models to ThrottlingException: each
# call retries on its own, with no shared rate). No timing here: bench/throttle_bench.py
# measures how close to the limit the run gets.


MODELS = 40


def test_a_run_through_a_throttling_sagemaker_completes_with_no_error(
    moto: MotoServer, aws_faults: FaultProxy, om_server: OMServer, tmp_path: Path
) -> None:
    for i in range(MODELS):
        create_model(moto, f"m-{i:02d}", Image="registry.example.com/m:1")
    aws_faults.rate_limit, aws_faults.burst = 10.0, 2.0
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om_server.url, aws_faults.endpoint), encoding="utf-8")
    options = RunOptions(
        environ={"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token},
        workers=32,  # far more than the limit lets through at once
        assets=frozenset({"models"}),
        http_backoff=0.0,
    )
    result = ingestrun.run(path, options)
    assert aws_faults.throttled > 0  # the limit was hit: the test means something
    assert result.exit_code == 0, result.status.errors[:3]
    assert result.status.error_count == 0
    assert len(om_server.live_models()) == MODELS
