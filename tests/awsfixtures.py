"""A moto server on 127.0.0.1, shared by the tests that talk to "AWS" over real HTTP.

The product reaches it through ``awsConfig.endPointURL`` (a product feature), with fake static
credentials; nothing leaves the machine.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
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
