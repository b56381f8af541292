"""Where the credentials of an AWS session came from, in words safe to print.

:func:`credential_info` resolves a ``boto3.Session``'s credentials and says where they came from
(``awsConfig`` keys, a profile, the environment, an instance or container role, a role botocore
assumed); :func:`assumed_role_info` says it of a session omkit built with ``AssumeRole``
(:func:`omkit_sagemaker.ingest.awsclient.assume_role`). Never a key, secret or token: these
phrases go to logs and to ``omkit test-connection``. botocore is imported inside the functions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials

#: ``RoleSessionName`` when ``assumeRoleSessionName`` is not given (the schema default).
DEFAULT_ROLE_SESSION_NAME = "OpenMetadataSession"


class CredentialSource(str, Enum):
    """Where the credentials of a session came from (never the credentials themselves)."""

    KEYS = "keys"
    PROFILE = "profile"
    ENVIRONMENT = "environment"
    SHARED_FILE = "shared file"
    INSTANCE_ROLE = "instance role"
    ASSUMED_ROLE = "assumed role"
    OTHER = "other"


@dataclass(frozen=True)
class CredentialInfo:
    """Which credentials a session uses, in words safe to print."""

    source: CredentialSource
    #: botocore's ``credentials.method`` (``explicit``, ``env``, ``shared-credentials-file``,
    #: ``iam-role``, ...), or ``assume-role`` for a session built by :func:`assume_role`.
    method: str
    #: One phrase for people: "access keys from awsConfig", "profile 'dev' (shared file)".
    description: str


def credential_info(session: Any) -> CredentialInfo:
    """Where the credentials of ``session`` come from, without revealing them.

    Resolves them first (which may read files, or ask the instance metadata service within
    botocore's own short timeout). Raises botocore's ``NoCredentialsError`` when none are found,
    and ``PartialCredentialsError`` when a key lacks its other half.
    """
    from botocore.exceptions import NoCredentialsError, PartialCredentialsError

    credentials = session.get_credentials()
    if credentials is None:
        raise NoCredentialsError()
    frozen = credentials.get_frozen_credentials()
    if not frozen.access_key or not frozen.secret_key:
        missing = "aws_secret_access_key" if frozen.access_key else "aws_access_key_id"
        raise PartialCredentialsError(provider=credentials.method or "awsConfig", cred_var=missing)
    method = str(credentials.method or "")
    profile = session.profile_name
    token = " with a session token" if frozen.token else ""
    if method == "explicit":
        return CredentialInfo(CredentialSource.KEYS, method, f"access keys from awsConfig{token}")
    if method == "env":
        return CredentialInfo(
            CredentialSource.ENVIRONMENT, method, f"AWS_* environment variables{token}"
        )
    if method in ("shared-credentials-file", "config-file", "boto-config", "ec2-credentials-file"):
        where = "shared credentials file" if method == "shared-credentials-file" else "config file"
        if profile and profile != "default":
            return CredentialInfo(
                CredentialSource.PROFILE, method, f"profile '{profile}' ({where})"
            )
        return CredentialInfo(CredentialSource.SHARED_FILE, method, f"default profile ({where})")
    if method in ("sso", "custom-process", "login"):
        return CredentialInfo(
            CredentialSource.PROFILE, method, f"profile '{profile or 'default'}' ({method})"
        )
    if method == "iam-role":
        return CredentialInfo(
            CredentialSource.INSTANCE_ROLE, method, "instance role (EC2 instance metadata)"
        )
    if method == "container-role":
        return CredentialInfo(
            CredentialSource.INSTANCE_ROLE, method, "container role (ECS/EKS task credentials)"
        )
    if method in ("assume-role", "assume-role-with-web-identity"):
        via = f"profile '{profile}'" if profile else "the environment"
        return CredentialInfo(
            CredentialSource.ASSUMED_ROLE, method, f"role assumed by botocore ({method}, {via})"
        )
    return CredentialInfo(CredentialSource.OTHER, method, f"botocore credential method '{method}'")


def assumed_role_info(aws: AwsCredentials) -> CredentialInfo:
    """The :class:`CredentialInfo` of a session made by :func:`assume_role` for ``aws``."""
    name = aws.assumeRoleSessionName or DEFAULT_ROLE_SESSION_NAME
    return CredentialInfo(
        CredentialSource.ASSUMED_ROLE,
        "assume-role",
        f"role {aws.assumeRoleArn} assumed as session '{name}'",
    )
