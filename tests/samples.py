"""Config texts shared by several test modules."""

from __future__ import annotations

#: The sample config of OpenMetadata's SageMaker connector page, with a workflowConfig; its
#: KEY/SECRET placeholders (rule R002 errors) are written as environment references.
SAGEMAKER_SAMPLE = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
        awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
        awsRegion: us-east-2
  sourceConfig:
    config:
      type: MlModelMetadata
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: "http://localhost:8585/api"
    authProvider: openmetadata
    securityConfig:
      jwtToken: "${OM_JWT}"
"""
