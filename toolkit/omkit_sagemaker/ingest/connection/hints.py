"""The one-line fix for a failed step: AWS error codes and OpenMetadata answers to hints."""

from __future__ import annotations

from typing import TYPE_CHECKING

from omkit_sagemaker.ingest import awsclient
from omkit_sagemaker.ingest.connection.recorder import STEP_ASSUME_ROLE, STEP_LIST_TAGS

if TYPE_CHECKING:
    from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials


def om_hint(status: int | None, step: str, host_port: str, timeout: float) -> str:
    """The one-line fix for a failed OpenMetadata step, by the HTTP status it got (None: no
    answer)."""
    if status in (401, 403):
        return (
            "the token is wrong or expired: put the ingestion bot's current JWT in "
            "workflowConfig.openMetadataServerConfig.securityConfig.jwtToken"
        )
    if status is None:
        return (
            f"the OpenMetadata server is unreachable (refused, or no answer within {timeout:g} s): "
            f"check hostPort ({host_port}), that the server runs, and any proxy"
        )
    if status == 404 and "version" in step:
        if host_port.rstrip("/").endswith("/api"):
            return (
                f"hostPort ({host_port}) ends in /api, but nothing there answers as "
                "OpenMetadata: check that the host and port are the OpenMetadata server's, "
                "and any path a proxy puts before /api"
            )
        return f"hostPort must be the server's API URL, ending in /api (now {host_port})"
    if status >= 500:
        return "the OpenMetadata server failed; look at its logs, then try again"
    return f"{step} was refused; check hostPort and the bot's roles"


_ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "NotAuthorized",
}
_WRONG_KEY = {"InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId"}
_WRONG_SECRET = {"SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_TIMEOUTS = {"ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"}
_BAD_REGION = {"InvalidRegionError", "NoRegionError", "UnknownEndpointError"}


class AwsHints:
    """The one-line fix for an AWS failure of a step, given the config."""

    def __init__(self, cfg: AwsCredentials, timeout: float) -> None:
        self.cfg = cfg
        self.timeout = timeout

    def hint(self, exc: BaseException, step: str) -> str | None:
        """The fix for ``exc``, raised by ``step`` (None: nothing more to say than the error)."""
        code, _, status = awsclient.aws_error(exc)
        found = (
            self._access(code, step)
            or self._credentials(code)
            or self._network(code, step, str(exc))
        )
        if found is None and status is not None and status >= 500:
            return "the AWS endpoint (or a proxy in front of it) failed; try again later"
        return found

    def _access(self, code: str, step: str) -> str | None:
        """The identity may not do what ``step`` does."""
        cfg = self.cfg
        if code in _ACCESS_DENIED:
            if step == STEP_ASSUME_ROLE:
                return (
                    f"the identity may not assume {cfg.assumeRoleArn}: allow it sts:AssumeRole "
                    "on the role and name it in the role's trust policy; see omkit policy "
                    f"sagemaker --role-arn {cfg.assumeRoleArn}"
                )
            if step == STEP_LIST_TAGS:
                return (
                    "the identity lacks sagemaker:ListTags, so models will be ingested without "
                    "tags; see omkit policy sagemaker"
                )
            return f"the identity lacks {step}; see omkit policy sagemaker"
        if code == "HTTP 403":
            return (
                f"access refused: check the credentials, and that the identity may call {step}; "
                "see omkit policy sagemaker"
            )
        return None

    def _credentials(self, code: str) -> str | None:
        """The credentials are missing, wrong or expired."""
        if code in _WRONG_KEY:
            return (
                "wrong access key: awsAccessKeyId (or the key boto3 found, see the credentials "
                "step) is not an active AWS access key"
            )
        if code in _WRONG_SECRET:
            return "wrong secret key: awsSecretAccessKey does not belong to the access key ID"
        if code in _EXPIRED:
            return (
                "refresh the session token: the temporary credentials (awsSessionToken and its "
                "keys) have expired"
            )
        if code == "NoCredentialsError":
            return (
                "no AWS credentials found: set awsAccessKeyId and awsSecretAccessKey (as "
                "${VAR} references), or profileName, or the AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY environment variables, or run with an instance role"
            )
        if code == "PartialCredentialsError":
            return "give both awsAccessKeyId and awsSecretAccessKey, or neither"
        if code == "ProfileNotFound":
            return (
                f"profile '{self.cfg.profileName}' is not in the shared AWS files: fix "
                "profileName, or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the "
                "files defining it"
            )
        return None

    def _network(self, code: str, step: str, text: str) -> str | None:
        """The endpoint cannot be reached, answers late, or is not where the region says."""
        cfg = self.cfg
        if code == "EndpointConnectionError":
            return self._unreachable(step)
        if code in _TIMEOUTS:
            where = (
                "STS" if step == STEP_ASSUME_ROLE else (cfg.endPointURL or "the SageMaker endpoint")
            )
            return (
                f"no answer from {where} within {self.timeout:g} s: check the URL, the "
                "network and any proxy, or raise --timeout"
            )
        if code in _BAD_REGION or (code == "InvalidParameterValue" and "region" in text):
            return _region_hint(cfg.awsRegion)
        if code == "SSLError":
            return "TLS verification of the endpoint failed: check its certificate or AWS_CA_BUNDLE"
        return None

    def _unreachable(self, step: str) -> str:
        cfg = self.cfg
        if step == STEP_ASSUME_ROLE:
            return (
                "the endpoint URL is unreachable: STS (which never uses endPointURL) cannot be "
                "reached; check the network and proxy, or AWS_ENDPOINT_URL_STS"
            )
        if cfg.endPointURL:
            return (
                f"the endpoint URL is unreachable: check endPointURL ({cfg.endPointURL}), the "
                "network and any proxy"
            )
        if cfg.awsRegion not in _known_regions():
            return _region_hint(cfg.awsRegion)
        return "the endpoint URL is unreachable: check the network and any proxy (HTTPS_PROXY)"


def _region_hint(region: str) -> str:
    return (
        f"unknown region: awsRegion '{region}' is not an AWS region where SageMaker is "
        "offered; write your region's code, such as us-east-2"
    )


def _known_regions() -> tuple[str, ...]:
    from omkit_sagemaker.check.rules import aws_regions

    return aws_regions()
