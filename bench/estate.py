"""The SageMaker estate of `bench/estate_bench.py`, seeded into moto servers (the same in each):
models, each made by its own training job (half of them trained on a feature group's offline
store), older training jobs that no model uses, endpoints (each a config of two variants),
model package groups of 3 versions (Approved, Rejected, PendingManualApproval; their
artifacts are models' artifacts) and feature groups. :data:`FULL` is the bench's estate,
:data:`QUICK` a tenth of it (CI and `tests/test_estate_bench.py`)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from typing import Any

from testing.awsfixtures import REGION, ROLE_ARN, MotoServer

XGBOOST = f"683313688378.dkr.ecr.{REGION}.amazonaws.com/sagemaker-xgboost:1.7-1"


@dataclass(frozen=True)
class Scale:
    """The size of a seeded estate."""

    models: int
    old_jobs: int
    endpoints: int
    groups: int
    versions: int
    feature_groups: int

    @property
    def entities(self) -> int:
        """MlModels a run writes: one per model and one per package group."""
        return self.models + self.groups


FULL = Scale(models=1000, old_jobs=5000, endpoints=200, groups=100, versions=3, feature_groups=10)
QUICK = Scale(models=100, old_jobs=500, endpoints=20, groups=10, versions=3, feature_groups=3)
STATUSES = ("Approved", "Rejected", "PendingManualApproval")


def seed_feature_groups(servers: list[MotoServer], scale: Scale) -> list[str]:
    """The feature groups, created in the same second in every server (moto puts the creation
    second in ``ResolvedOutputS3Uri``, and every server must give the same one); returns their
    offline-store URIs."""
    for _ in range(5):
        for server in servers:
            server.reset()
        if len(servers) > 1:  # just after a second starts, so that all make them in it
            time.sleep(1.0 - time.time() % 1.0 + 0.05)
        with ThreadPoolExecutor(len(servers)) as pool:
            found = list(pool.map(lambda s: _feature_groups(s, scale), servers))
        if all(uris == found[0] for uris in found):
            return found[0]
    raise SystemExit("could not give every moto server the same feature groups")


def _feature_groups(server: MotoServer, scale: Scale) -> list[str]:
    client = server.client("sagemaker")
    uris = []
    for f in range(scale.feature_groups):
        name = f"features-{f:02d}"
        client.create_feature_group(
            FeatureGroupName=name,
            RecordIdentifierFeatureName="customer_id",
            EventTimeFeatureName="event_time",
            FeatureDefinitions=[
                {"FeatureName": "customer_id", "FeatureType": "String"},
                {"FeatureName": "event_time", "FeatureType": "Fractional"},
                {"FeatureName": "tenure", "FeatureType": "Integral"},
                {"FeatureName": "plan", "FeatureType": "String"},
                {"FeatureName": "spend", "FeatureType": "Fractional"},
            ],
            OfflineStoreConfig={"S3StorageConfig": {"S3Uri": f"s3://bench-features/{name}"}},
            RoleArn=ROLE_ARN,
        )
        described = client.describe_feature_group(FeatureGroupName=name)
        uris.append(described["OfflineStoreConfig"]["S3StorageConfig"]["ResolvedOutputS3Uri"])
    return uris


def seed_rest(server: MotoServer, scale: Scale, feature_uris: list[str], threads: int = 16) -> None:
    """Everything but the feature groups (see the module doc), into one server."""
    client = server.client("sagemaker")
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(partial(_old_job, client), range(scale.old_jobs)))
        list(pool.map(partial(_model, client, feature_uris), range(scale.models)))
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(partial(_endpoint, client, scale), range(scale.endpoints)))
        list(pool.map(partial(_group, client, scale), range(scale.groups)))


def _training_job(client: Any, name: str, output: str, channel: str, depth: int) -> None:
    """One XGBoost training job reading ``channel`` and writing under ``output``."""
    client.create_training_job(
        TrainingJobName=name,
        AlgorithmSpecification={"TrainingImage": XGBOOST, "TrainingInputMode": "File"},
        RoleArn=ROLE_ARN,
        HyperParameters={"eta": "0.1", "max_depth": str(depth)},
        InputDataConfig=[
            {
                "ChannelName": "train",
                "DataSource": {"S3DataSource": {"S3DataType": "S3Prefix", "S3Uri": channel}},
            }
        ],
        OutputDataConfig={"S3OutputPath": output},
        ResourceConfig={"InstanceType": "ml.m5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 10},
        StoppingCondition={"MaxRuntimeInSeconds": 3600},
    )


def _old_job(client: Any, j: int) -> None:
    """An older training job that no model uses."""
    _training_job(client, f"old-job-{j:05d}", "s3://bench-old/", "s3://bench-data/old/", j % 10)


def _model(client: Any, feature_uris: list[str], i: int) -> None:
    """Model ``i`` and its training job (every other one trained on a feature group)."""
    name = f"model-{i:05d}"
    channel = (
        f"{feature_uris[i % len(feature_uris)]}/part={i}/"
        if feature_uris and i % 2 == 0
        else f"s3://bench-data/{name}/"
    )
    _training_job(client, f"job-{i:05d}", "s3://bench-artifacts/", channel, i % 10)
    client.create_model(
        ModelName=name,
        ExecutionRoleArn=ROLE_ARN,
        PrimaryContainer={"Image": XGBOOST, "ModelDataUrl": artifact(i)},
        Tags=[{"Key": "team", "Value": f"team-{i % 7}"}, {"Key": "tier", "Value": "gold"}],
    )


def _endpoint(client: Any, scale: Scale, e: int) -> None:
    """Endpoint ``e`` and its config of two variants (models ``5e`` and ``5e + 1``)."""
    variants = [
        {
            "VariantName": f"v{k}",
            "ModelName": f"model-{(5 * e + k) % scale.models:05d}",
            "InitialVariantWeight": 0.5,
            "InstanceType": "ml.m5.large",
            "InitialInstanceCount": 1,
        }
        for k in range(2)
    ]
    client.create_endpoint_config(EndpointConfigName=f"cfg-{e:04d}", ProductionVariants=variants)
    client.create_endpoint(EndpointName=f"endpoint-{e:04d}", EndpointConfigName=f"cfg-{e:04d}")


def _group(client: Any, scale: Scale, g: int) -> None:
    """Package group ``g`` and its versions, in order: moto numbers them as they come."""
    name = f"group-{g:04d}"
    client.create_model_package_group(ModelPackageGroupName=name)
    for v in range(scale.versions):
        client.create_model_package(
            ModelPackageGroupName=name,
            ModelApprovalStatus=STATUSES[v % len(STATUSES)],
            InferenceSpecification={
                "Containers": [
                    {
                        "Image": XGBOOST,
                        "ModelDataUrl": artifact((scale.versions * g + v) % scale.models),
                    }
                ],
                "SupportedContentTypes": ["text/csv"],
                "SupportedResponseMIMETypes": ["text/csv"],
            },
            CustomerMetadataProperties={"owner": f"team-{g % 7}"},
        )


def artifact(i: int) -> str:
    """The model-data URL of model ``i`` (its job's artifact in moto's layout)."""
    return f"s3://bench-artifacts/job-{i:05d}/output/model.tar.gz"


def seed(servers: list[MotoServer], scale: Scale) -> None:
    """The same estate in every server."""
    uris = seed_feature_groups(servers, scale)
    with ThreadPoolExecutor(len(servers)) as pool:
        list(pool.map(lambda s: seed_rest(s, scale, uris), servers))
