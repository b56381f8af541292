"""The moto server on 127.0.0.1 and its fixtures (``aws_env``, ``moto_session``, ``moto``),
IAM enforcement with users and roles (test-connection), the connection config that points omkit
at moto, tagging, and :func:`counting`, a client factory that counts calls by operation."""

from __future__ import annotations

import json
import os
import urllib.request
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

REGION = "us-east-1"
ACCOUNT = "123456789012"
ROLE_ARN = f"arn:aws:iam::{ACCOUNT}:role/SageMakerExecution"


@dataclass(frozen=True)
class MotoServer:
    """Where the moto server listens, and a boto3 client factory for seeding it."""

    endpoint: str

    def client(self, service: str, **kwargs: Any) -> Any:
        import boto3

        return boto3.client(
            service,
            region_name=REGION,
            endpoint_url=self.endpoint,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
            **kwargs,
        )

    def reset(self) -> None:
        """Forget every resource created so far (moto's own reset API)."""
        request = urllib.request.Request(f"{self.endpoint}/moto-api/reset", method="POST")
        with urllib.request.urlopen(request, timeout=10):
            pass


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, str]:
    """No AWS setting of this machine leaks in: every ``AWS_*`` variable unset, the shared
    files pointed at nothing, the instance metadata service off. Returns the environment,
    for subprocesses."""
    for name in list(os.environ):
        if name.startswith("AWS_"):
            monkeypatch.delenv(name)
    missing = str(tmp_path / "no-aws-files")
    monkeypatch.setenv("AWS_CONFIG_FILE", missing)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", missing)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return dict(os.environ)


@pytest.fixture(scope="session")
def moto_session() -> Iterator[MotoServer]:
    """One moto server for the whole test session."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    try:
        yield MotoServer(f"http://{host}:{port}")
    finally:
        server.stop()


@pytest.fixture
def moto(moto_session: MotoServer) -> MotoServer:
    """The shared moto server, emptied before each test."""
    moto_session.reset()
    return moto_session


def create_model(server: MotoServer, name: str, **container: str) -> str:
    """Create a SageMaker model (``Image``/``ModelDataUrl`` as given) and return its ARN."""
    client = server.client("sagemaker")
    primary = container or {"Image": f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/{name}:latest"}
    response = client.create_model(
        ModelName=name, ExecutionRoleArn=ROLE_ARN, PrimaryContainer=primary
    )
    return str(response["ModelArn"])


# -- IAM enforcement (test-connection): moto checks signatures and policies only when told to ---


@contextmanager
def iam_enforced(server: MotoServer) -> Iterator[None]:
    """Inside the block, moto checks every request's signature and IAM policy.

    moto reads ``INITIAL_NO_AUTH_ACTION_COUNT`` when it starts; for a running server, its
    ``/moto-api/reset-auth`` endpoint sets it (what ``set_initial_no_auth_action_count`` does in
    server mode). 0 = enforce from the next request; ``inf`` (moto's default) = never.
    """

    def set_count(value: str) -> None:
        request = urllib.request.Request(
            f"{server.endpoint}/moto-api/reset-auth",
            data=value.encode(),
            method="POST",
            headers={"Content-Type": "text/plain"},
        )
        with urllib.request.urlopen(request, timeout=10):
            pass

    set_count("0")
    try:
        yield
    finally:
        set_count("inf")


def _allow(actions: list[str]) -> str:
    statement = {"Effect": "Allow", "Action": actions, "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def iam_user(server: MotoServer, name: str, actions: list[str]) -> tuple[str, str]:
    """An IAM user allowed exactly ``actions`` (inline policy); returns its key ID and secret."""
    iam = server.client("iam")
    iam.create_user(UserName=name)
    iam.put_user_policy(UserName=name, PolicyName="only", PolicyDocument=_allow(actions))
    key = iam.create_access_key(UserName=name)["AccessKey"]
    return str(key["AccessKeyId"]), str(key["SecretAccessKey"])


def iam_role(server: MotoServer, name: str, actions: list[str], *, trusted_user: str) -> str:
    """An IAM role allowed exactly ``actions``, which the IAM user ``trusted_user`` may assume
    (moto compares the trust policy's principal with the caller's ARN literally)."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{ACCOUNT}:user/{trusted_user}"},
                "Action": ["sts:AssumeRole", "sts:SetSourceIdentity"],
            }
        ],
    }
    iam = server.client("iam")
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="only", PolicyDocument=_allow(actions))
    return str(arn)


def connection_config(host_port: str, **aws_config: str) -> str:
    """A valid SageMaker config whose ``awsConfig`` holds ``aws_config`` (region: :data:`REGION`
    unless given) and whose server is ``host_port`` with the JWT ``${OM_JWT}``."""
    fields = {"awsRegion": REGION, **aws_config}
    aws_lines = "".join(f"        {key}: {json.dumps(value)}\n" for key, value in fields.items())
    return (
        "source:\n"
        "  type: sagemaker\n"
        "  serviceName: local_sagemaker\n"
        "  serviceConnection:\n"
        "    config:\n"
        "      type: SageMaker\n"
        "      awsConfig:\n"
        f"{aws_lines}"
        "  sourceConfig:\n"
        "    config:\n"
        "      type: MlModelMetadata\n"
        "sink:\n"
        "  type: metadata-rest\n"
        "  config: {}\n"
        "workflowConfig:\n"
        "  openMetadataServerConfig:\n"
        f"    hostPort: {json.dumps(host_port)}\n"
        "    authProvider: openmetadata\n"
        "    securityConfig:\n"
        '      jwtToken: "${OM_JWT}"\n'
    )


def tag_model(server: MotoServer, arn: str, tags: dict[str, str]) -> None:
    """Put ``tags`` (key -> value) on the SageMaker resource ``arn``."""
    server.client("sagemaker").add_tags(
        ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in tags.items()]
    )


def counting(moto: MotoServer, calls: Counter[str], **keys: str) -> Callable[[Any, int], Any]:
    """A client factory: a moto client (with ``keys`` as credentials when given) that counts
    its calls by operation name (``Search:Model`` for the models' Search, apart from the
    Search calls of the other asset kinds)."""

    def build(aws_config: Any, workers: int) -> Any:
        import boto3

        client = boto3.client(
            "sagemaker",
            region_name=REGION,
            endpoint_url=moto.endpoint,
            aws_access_key_id=keys.get("key", "testing"),
            aws_secret_access_key=keys.get("secret", "testing"),
        )

        def count(model: Any, params: Any = None, **_: Any) -> None:
            model_search = model.name == "Search" and (params or {}).get("Resource") == "Model"
            calls["Search:Model" if model_search else model.name] += 1

        client.meta.events.register("before-parameter-build.sagemaker", count)
        return client

    return build
