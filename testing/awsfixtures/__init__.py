"""A moto server on 127.0.0.1, shared by the tests that talk to "AWS" over real HTTP.

The product reaches it through ``awsConfig.endPointURL`` (a product feature), with fake static
credentials; nothing leaves the machine. ``server`` holds the moto server, its fixtures, IAM
enforcement and the call counter; ``estate`` the seeded estates (training jobs, models,
endpoints, the Model Registry, feature groups). Every name is importable from here.
"""

from __future__ import annotations

from testing.awsfixtures.estate import (
    ARTIFACTS,
    XGBOOST,
    FeatureSeed,
    create_endpoint,
    create_feature_group,
    create_package_group,
    create_package_version,
    create_training_job,
    seed_estate,
    seed_features,
    seed_registry,
)
from testing.awsfixtures.server import (
    ACCOUNT,
    REGION,
    ROLE_ARN,
    MotoServer,
    aws_env,
    connection_config,
    counting,
    create_model,
    iam_enforced,
    iam_role,
    iam_user,
    moto,
    moto_session,
    tag_model,
)

__all__ = [
    "ACCOUNT",
    "ARTIFACTS",
    "REGION",
    "ROLE_ARN",
    "XGBOOST",
    "FeatureSeed",
    "MotoServer",
    "aws_env",
    "connection_config",
    "counting",
    "create_endpoint",
    "create_feature_group",
    "create_model",
    "create_package_group",
    "create_package_version",
    "create_training_job",
    "iam_enforced",
    "iam_role",
    "iam_user",
    "moto",
    "moto_session",
    "seed_estate",
    "seed_features",
    "seed_registry",
    "tag_model",
]
