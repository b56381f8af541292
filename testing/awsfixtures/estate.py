"""A seeded ML estate in moto: training jobs, models made from their artifacts, endpoints,
Model Registry package groups and versions, and feature groups whose offline store a training
job reads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from testing.awsfixtures.server import ACCOUNT, REGION, ROLE_ARN, MotoServer, create_model

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
