"""A moto server on 127.0.0.1, shared by the tests that talk to "AWS" over real HTTP.

The product reaches it through ``awsConfig.endPointURL`` (a product feature), with fake static
credentials; nothing leaves the machine.
"""

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


# -- a seeded ML estate: training jobs, models made from their artifacts, endpoints ---------------

#: SageMaker's built-in XGBoost image (training and inference).
XGBOOST = f"683313688378.dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:1.7-1"
#: Where the estate's training jobs write (moto derives ``<path><job>/output/model.tar.gz``).
ARTIFACTS = "s3://ml-artifacts/churn/"


def create_training_job(
    server: MotoServer,
    name: str,
    *,
    output: str = ARTIFACTS,
    hyperparameters: dict[str, str] | None = None,
    channels: dict[str, str] | None = None,
    image: str | None = XGBOOST,
    algorithm_name: str | None = None,
    instance_type: str = "ml.m5.xlarge",
    instance_count: int = 1,
) -> str:
    """Create a (Completed, in moto) training job; return its artifact URL."""
    spec: dict[str, str] = {"TrainingInputMode": "File"}
    if algorithm_name:
        spec["AlgorithmName"] = algorithm_name
    elif image:
        spec["TrainingImage"] = image
    inputs = [
        {
            "ChannelName": channel,
            "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": uri}},
        }
        for channel, uri in (channels or {"train": "s3://ml-data/churn/train/"}).items()
    ]
    client = server.client("sagemaker")
    client.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification=spec,
        RoleArn=ROLE_ARN,
        HyperParameters=hyperparameters or {},
        InputDataConfig=inputs,
        OutputDataConfig={"S3OutputPath": output},
        ResourceConfig={
            "InstanceType": instance_type,
            "InstanceCount": instance_count,
            "VolumeSizeInGB": 10,
        },
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )
    described = client.describe_training_job(TrainingJobName=name)
    return str(described["ModelArtifacts"]["S3ModelArtifacts"])


def create_endpoint(
    server: MotoServer, name: str, config: str, variants: list[tuple[str, str, float, str, int]]
) -> None:
    """An endpoint on a (new) config of ``(variant, model, weight, instance type, count)``."""
    client = server.client("sagemaker")
    client.create_endpoint_config(
        EndpointConfigName=config,
        ProductionVariants=[
            {
                "VariantName": variant,
                "ModelName": model,
                "InitialVariantWeight": weight,
                "InstanceType": instance_type,
                "InitialInstanceCount": count,
            }
            for variant, model, weight, instance_type, count in variants
        ],
    )
    client.create_endpoint(EndpointName=name, EndpointConfigName=config)


def seed_estate(server: MotoServer) -> None:
    """Models made by training jobs, one image-only model, one from an artifact trained
    elsewhere, an unrelated job, and endpoints (two sharing one A/B config):

    * ``churn``: from job ``churn-train-7`` (XGBoost image, 2 hyperparameters, 2 channels); served
      by ``churn-prod`` and ``churn-shadow`` (config ``churn-ab``: blue 0.7 churn, green 0.3
      fraud);
    * ``fraud``: from job ``fraud-train`` (a marketplace algorithm ARN, ml.c5.2xlarge x 2);
      served by ``churn-prod``/``churn-shadow`` (green) and ``fraud-prod`` (config ``fraud-only``);
    * ``scorer``: image ``registry.example.com/team/scorer:0.9`` only, served by nothing;
    * ``imported``: artifact ``s3://elsewhere/imported/model.tar.gz`` (no job made it).
    """
    create_training_job(server, "old-experiment-1", output="s3://ml-artifacts/old/")
    churn = create_training_job(
        server,
        "churn-train-7",
        hyperparameters={"max_depth": "5", "eta": "0.2"},
        channels={"train": "s3://ml-data/churn/train/", "validation": "s3://ml-data/churn/val/"},
    )
    fraud = create_training_job(
        server,
        "fraud-train",
        output="s3://ml-artifacts/fraud/",
        algorithm_name=f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:algorithm/fraud-forest",
        hyperparameters={"trees": "200"},
        instance_type="ml.c5.2xlarge",
        instance_count=2,
    )
    create_model(server, "churn", Image=XGBOOST, ModelDataUrl=churn)
    create_model(
        server,
        "fraud",
        Image=f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/fraud:3",
        ModelDataUrl=fraud,
    )
    create_model(server, "scorer", Image="registry.example.com/team/scorer:0.9")
    create_model(
        server, "imported", Image=XGBOOST, ModelDataUrl="s3://elsewhere/imported/model.tar.gz"
    )
    ab = [("blue", "churn", 0.7, "ml.m5.large", 2), ("green", "fraud", 0.3, "ml.m5.large", 1)]
    create_endpoint(server, "churn-prod", "churn-ab", ab)
    server.client("sagemaker").create_endpoint(
        EndpointName="churn-shadow", EndpointConfigName="churn-ab"
    )
    create_endpoint(server, "fraud-prod", "fraud-only", [("all", "fraud", 1.0, "ml.c5.large", 3)])


# -- the Model Registry: package groups and their versions ----------------------------------------


def create_package_group(
    server: MotoServer, name: str, description: str = "", tags: dict[str, str] | None = None
) -> None:
    """A model package group (moto: ``ModelPackageGroupStatus`` Completed at once)."""
    kwargs: dict[str, Any] = {"ModelPackageGroupName": name}
    if description:
        kwargs["ModelPackageGroupDescription"] = description
    if tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    server.client("sagemaker").create_model_package_group(**kwargs)


def create_package_version(
    server: MotoServer,
    group: str,
    status: str,
    *,
    image: str = XGBOOST,
    model_data_url: str | None = None,
    metrics: dict[str, str] | None = None,
    metadata: dict[str, str] | None = None,
) -> str:
    """The next version of ``group`` (moto numbers them); ``metrics`` maps a
    ``ModelMetrics`` report (``ModelQuality.Statistics``, ``Bias.Report``, ...) to its URI.
    Returns the version's ARN."""
    container: dict[str, str] = {"Image": image}
    if model_data_url:
        container["ModelDataUrl"] = model_data_url
    kwargs: dict[str, Any] = {
        "ModelPackageGroupName": group,
        "ModelApprovalStatus": status,
        "InferenceSpecification": {
            "Containers": [container],
            "SupportedContentTypes": ["text/csv"],
            "SupportedResponseMIMETypes": ["text/csv"],
        },
    }
    if metrics:
        sections: dict[str, dict[str, Any]] = {}
        for where, uri in metrics.items():
            section, report = where.split(".")
            sections.setdefault(section, {})[report] = {
                "ContentType": "application/json",
                "S3Uri": uri,
            }
        kwargs["ModelMetrics"] = sections
    if metadata:
        kwargs["CustomerMetadataProperties"] = metadata
    answer = server.client("sagemaker").create_model_package(**kwargs)
    return str(answer["ModelPackageArn"])


def seed_registry(server: MotoServer) -> None:
    """Package groups over :func:`seed_estate`'s jobs (call that first):

    * ``churn`` (same name as the model ``churn``): v1 Approved from ``churn-train-7``'s
      artifact (with quality metrics and customer metadata), v2 Rejected, v3
      PendingManualApproval (another artifact, no job); tagged ``team=growth``;
    * ``fraud-models``: v1 and v2 PendingManualApproval (none approved: the newest, v2, from
      ``fraud-train``'s artifact);
    * ``drafts``: no version at all.
    """
    create_package_group(server, "churn", "Churn models", {"team": "growth"})
    churn = ARTIFACTS + "churn-train-7/output/model.tar.gz"
    create_package_version(
        server,
        "churn",
        "Approved",
        model_data_url=churn,
        metrics={"ModelQuality.Statistics": "s3://ml-reports/churn/1/quality.json"},
        metadata={"owner": "growth-ml", "ticket": "ML-12"},
    )
    create_package_version(server, "churn", "Rejected", model_data_url=churn)
    create_package_version(
        server,
        "churn",
        "PendingManualApproval",
        model_data_url="s3://ml-artifacts/manual/churn-v3.tar.gz",
        metrics={
            "ModelQuality.Statistics": "s3://ml-reports/churn/3/quality.json",
            "Bias.Report": "s3://ml-reports/churn/3/bias.json",
        },
    )
    create_package_group(server, "fraud-models")
    fraud_image = f"{ACCOUNT}.dkr.ecr.{REGION}.amazonaws.com/fraud:3"
    create_package_version(server, "fraud-models", "PendingManualApproval", image=fraud_image)
    create_package_version(
        server,
        "fraud-models",
        "PendingManualApproval",
        image=fraud_image,
        model_data_url="s3://ml-artifacts/fraud/fraud-train/output/model.tar.gz",
    )
    create_package_group(server, "drafts")


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


# -- feature groups whose offline store a training job reads --------------------------------------


@dataclass(frozen=True)
class FeatureSeed:
    """What :func:`seed_features` made: the group's Glue table (moto names it itself) and
    offline-store location."""

    database: str
    table: str
    offline_uri: str


def create_feature_group(
    server: MotoServer, name: str, features: dict[str, str], *, tags: dict[str, str] | None = None
) -> dict[str, Any]:
    """A feature group with a record identifier ``customer_id`` (String), an event time
    ``event_time`` (Fractional) and ``features`` (name -> FeatureType), offline store in
    ``s3://ml-features/<name>``; returns ``DescribeFeatureGroup``'s answer."""
    definitions = [
        {"FeatureName": "customer_id", "FeatureType": "String"},
        {"FeatureName": "event_time", "FeatureType": "Fractional"},
        *({"FeatureName": f, "FeatureType": t} for f, t in features.items()),
    ]
    client = server.client("sagemaker")
    kwargs: dict[str, Any] = {}
    if tags:
        kwargs["Tags"] = [{"Key": k, "Value": v} for k, v in tags.items()]
    client.create_feature_group(
        FeatureGroupName=name,
        RecordIdentifierFeatureName="customer_id",
        EventTimeFeatureName="event_time",
        FeatureDefinitions=definitions,
        OfflineStoreConfig={
            "S3StorageConfig": {"S3Uri": f"s3://ml-features/{name}"},
            "DataCatalogConfig": {
                "Catalog": "AwsDataCatalog",
                "Database": "sagemaker_featurestore",
                "TableName": name.replace("-", "_"),
            },
        },
        RoleArn=ROLE_ARN,
        **kwargs,
    )
    described: dict[str, Any] = client.describe_feature_group(FeatureGroupName=name)
    return described


def seed_features(server: MotoServer) -> FeatureSeed:
    """Two feature groups; the model ``churn-fs`` is trained (job ``churn-fs-train``) on the
    offline store of ``churn-features`` (tenure Integral, plan String, monthly_spend
    Fractional); ``fraud-features`` is read by nothing."""
    described = create_feature_group(
        server,
        "churn-features",
        {"tenure": "Integral", "plan": "String", "monthly_spend": "Fractional"},
    )
    create_feature_group(server, "fraud-features", {"amount": "Fractional"})
    offline = described["OfflineStoreConfig"]
    resolved = str(offline["S3StorageConfig"]["ResolvedOutputS3Uri"])
    artifact = create_training_job(
        server,
        "churn-fs-train",
        output="s3://ml-artifacts/fs/",
        hyperparameters={"max_depth": "4"},
        channels={"train": resolved + "/year=2026/", "test": "s3://ml-data/holdout/"},
    )
    create_model(server, "churn-fs", Image=XGBOOST, ModelDataUrl=artifact)
    catalog = offline["DataCatalogConfig"]
    return FeatureSeed(str(catalog["Database"]), str(catalog["TableName"]), resolved)
