"""``omkit_sagemaker.ingest.awsclient``: sessions and clients built from ``awsConfig`` as the runner
builds them.

Real HTTP only: moto on 127.0.0.1 for SageMaker, IAM and STS, and tiny stdlib servers for the
answers moto never gives (odd error bodies, silence). boto3 is never mocked; where a test needs
to see what was sent, it listens on botocore's own event hooks.

STS has no ``endPointURL`` in the runner's design (facts §2.2), so the tests reach moto's STS
through botocore's standard ``AWS_ENDPOINT_URL_STS`` environment variable, set only in the test.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import awsclient, ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions

from testing.awsclientcases import KEY_ID, SECRET, creds
from testing.awsfaults import FaultProxy
from testing.awsfixtures import REGION, MotoServer, create_model, iam_enforced, iam_role, iam_user
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


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
