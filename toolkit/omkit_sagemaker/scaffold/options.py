"""What ``omkit init`` can be asked for: :class:`Options`, the auth modes, and the checks of
each answer (names, regions, role ARNs, URLs, regexes) before anything is rendered."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    pass


KeyPath = tuple[str, ...]
#: A value to set: a string, a boolean, a list of strings, or None to keep the template's value.
Value = str | bool | tuple[str, ...] | None

#: Connector of the only template whose options :class:`Options` knows.
SAGEMAKER = "sagemaker"

_AWS: KeyPath = ("source", "serviceConnection", "config", "awsConfig")
_PIPELINE: KeyPath = ("source", "sourceConfig", "config")
_SERVER: KeyPath = ("workflowConfig", "openMetadataServerConfig")
_FILTER: KeyPath = (*_PIPELINE, "mlModelFilterPattern")

SERVICE_NAME: KeyPath = ("source", "serviceName")
REGION: KeyPath = (*_AWS, "awsRegion")
ACCESS_KEY_ID: KeyPath = (*_AWS, "awsAccessKeyId")
SECRET_ACCESS_KEY: KeyPath = (*_AWS, "awsSecretAccessKey")
SESSION_TOKEN: KeyPath = (*_AWS, "awsSessionToken")
PROFILE: KeyPath = (*_AWS, "profileName")
ROLE_ARN: KeyPath = (*_AWS, "assumeRoleArn")
SESSION_NAME: KeyPath = (*_AWS, "assumeRoleSessionName")
SOURCE_IDENTITY: KeyPath = (*_AWS, "assumeRoleSourceIdentity")
ENDPOINT_URL: KeyPath = (*_AWS, "endPointURL")
MARK_DELETED: KeyPath = (*_PIPELINE, "markDeletedMlModels")
SINK_TYPE: KeyPath = ("sink", "type")
#: Not in the template (its sink takes no settings): added when the file sink is chosen.
SINK_FILENAME: KeyPath = ("sink", "config", "filename")
INCLUDES: KeyPath = (*_FILTER, "includes")
EXCLUDES: KeyPath = (*_FILTER, "excludes")
HOST_PORT: KeyPath = (*_SERVER, "hostPort")
JWT_TOKEN: KeyPath = (*_SERVER, "securityConfig", "jwtToken")

#: The access-key settings of awsConfig, and the assume-role ones.
CREDENTIAL_KEYS = (ACCESS_KEY_ID, SECRET_ACCESS_KEY, SESSION_TOKEN)
ROLE_KEYS = (ROLE_ARN, SESSION_NAME, SOURCE_IDENTITY)

#: A value that is nothing but an environment reference, which ``metadata ingest`` expands.
ENV_REFERENCE = re.compile(r"\$(\{\w+\}|\w+)", re.ASCII)
#: A region code such as us-east-2, eu-central-1, us-gov-west-1, cn-north-1.
_REGION = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
#: An IAM role ARN in any partition; the role name may carry a path.
_ROLE_ARN = re.compile(r"arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}")


class Auth(str, Enum):
    """How the connector gets AWS credentials; decides which ``awsConfig`` keys are active."""

    keys = "keys"  # an access key pair, from environment references by default
    profile = "profile"  # a named profile of the shared AWS files
    assume_role = "assume-role"  # a role assumed through STS (base credentials: chain or profile)
    default_chain = "default-chain"  # only the region: boto3 finds credentials itself


#: The auth mode of the bundled template, used when nothing points to another one.
DEFAULT_AUTH = Auth.keys


class ScaffoldError(Exception):
    """Options that cannot make a valid config, or a template that cannot be filled."""


class TargetExistsError(ScaffoldError):
    """The output file exists and overwriting it was not asked for."""


@dataclass(frozen=True)
class Options:
    """What to put in the config. ``None`` (or an empty tuple) keeps the template's choice."""

    service_name: str | None = None
    region: str | None = None
    auth: Auth | None = None  # None: inferred by :func:`resolve_auth`
    profile: str | None = None
    role_arn: str | None = None
    session_name: str | None = None
    source_identity: str | None = None
    endpoint_url: str | None = None
    host_port: str | None = None
    mark_deleted: bool | None = None
    #: Write the models to this JSON file (sink type file) instead of to OpenMetadata.
    sink_file: str | None = None
    includes: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()
    # Secrets: the template's environment references unless given.
    access_key_id: str | None = None
    secret_access_key: str | None = None
    session_token: str | None = None
    jwt_token: str | None = None


@dataclass(frozen=True)
class Rendered:
    """A filled template: its text, advice for the user, and where it holds literal secrets."""

    text: str
    warnings: tuple[str, ...] = ()
    #: JSON paths of secret values that are not environment references.
    secrets: tuple[str, ...] = ()


# --------------------------------------------------------------------------- checks


def _one_line(value: str) -> str | None:
    if not value.strip():
        return "must not be empty"
    if value != value.strip():
        return "must not start or end with spaces"
    if any(not ch.isprintable() for ch in value):
        return "must be a single line of printable characters"
    return None


def check_name(value: str) -> str | None:
    """Why ``value`` cannot be a service, profile, session or identity name (None: it can)."""
    return _one_line(value)


def check_region(value: str) -> str | None:
    """Why ``value`` is not an AWS region code (None: it looks like one)."""
    problem = _one_line(value)
    if problem is None and not _REGION.fullmatch(value):
        from omkit_sagemaker.check.rules.awsregion import zone_region

        region = zone_region(value)
        if region is not None:  # what R004 says of it in a config
            problem = f"is an availability zone, not a region: its region is {region}"
        else:
            problem = "is not an AWS region code such as us-east-2"
    return problem


def check_file_name(value: str) -> str | None:
    """Why ``value`` cannot be the file sink's file (None: it can)."""
    problem = _one_line(value)
    if problem is None and value.endswith(("/", "\\")):
        problem = "is a folder: name the file to write, such as models.json"
    return problem


def check_role_arn(value: str) -> str | None:
    """Why ``value`` is not an IAM role ARN (None: it is one)."""
    problem = _one_line(value)
    if problem is None and not _ROLE_ARN.fullmatch(value):
        problem = "is not an IAM role ARN such as arn:aws:iam::123456789012:role/Reader"
    return problem


def check_url(value: str) -> str | None:
    """Why ``value`` is not an absolute URL with a scheme and a host (None: it is one)."""
    from omkit_sagemaker.spec.schema import format_checker

    problem = _one_line(value)
    if problem is None and not format_checker().conforms(value, "uri"):
        problem = "is not a URL with a scheme and a host, such as https://host:port/path"
    return problem


def check_host_port(value: str) -> str | None:
    """Why ``value`` cannot be the OpenMetadata API URL (None: it can): a URL ending in ``/api``,
    since the client appends ``/v1/...`` to it (R012)."""
    problem = check_url(value)
    if problem is None and not value.rstrip("/").endswith("/api"):
        fixed = value.rstrip("/") + "/api"
        problem = f"does not end in /api, so every request would miss the API; write {fixed}"
    return problem


def check_regex(value: str) -> str | None:
    """Why ``value`` is not a Python regular expression (None: it is one)."""
    try:
        re.compile(value)
    except re.error as exc:
        return f"is not a valid regular expression ({exc})"
    if any(ch in value for ch in "\r\n"):
        return "must be a single line"
    return None


def resolve_auth(options: Options) -> Auth:
    """The auth mode: the one asked for, else the one the given options point to."""
    if options.auth is not None:
        return options.auth
    if options.role_arn or options.session_name or options.source_identity:
        return Auth.assume_role
    if options.profile:
        return Auth.profile
    if options.access_key_id or options.secret_access_key or options.session_token:
        return Auth.keys
    return DEFAULT_AUTH


def check_options(options: Options) -> list[str]:
    """Every reason ``options`` cannot make a config, as sentences naming the setting: first
    each value on its own, then the auth mode against the settings given for it."""
    auth = resolve_auth(options)
    return [*_value_problems(options), *_auth_problems(options, auth)]


def _value_problems(options: Options) -> list[str]:
    """Each setting's value checked on its own; a secret is never quoted."""
    out: list[str] = []
    checks: list[tuple[str, str | None, Callable[[str], str | None]]] = [
        ("service name", options.service_name, check_name),
        ("region", options.region, check_region),
        ("profile", options.profile, check_name),
        ("role ARN", options.role_arn, check_role_arn),
        ("session name", options.session_name, check_name),
        ("source identity", options.source_identity, check_name),
        ("endpoint URL", options.endpoint_url, check_url),
        ("OpenMetadata URL", options.host_port, check_host_port),
        ("sink file", options.sink_file, check_file_name),
        *(("include pattern", pattern, check_regex) for pattern in options.includes),
        *(("exclude pattern", pattern, check_regex) for pattern in options.excludes),
    ]
    for label, value, checker in checks:
        problem = None if value is None else checker(value)
        if value is not None and problem:
            out.append(f"{label} {quote_value(value)} {problem}")
    for label, secret in (
        ("access key ID", options.access_key_id),
        ("secret access key", options.secret_access_key),
        ("session token", options.session_token),
        ("JWT token", options.jwt_token),
    ):
        problem = None if secret is None else _one_line(secret)
        if problem:  # never quote a secret's value
            out.append(f"the {label} {problem}")
    return out


def _auth_problems(options: Options, auth: Auth) -> list[str]:
    """What the auth mode ``auth`` lacks, and the settings given that it does not use."""
    out: list[str] = []
    if auth is Auth.profile and not options.profile:
        out.append("auth 'profile' needs a profile name")
    if auth is Auth.assume_role and not options.role_arn:
        out.append("auth 'assume-role' needs the ARN of the role to assume")
    if options.profile and auth not in (Auth.profile, Auth.assume_role):
        out.append(
            f"a profile is only used with auth 'profile' or 'assume-role', not '{auth.value}'"
        )
    if auth is not Auth.assume_role:
        for label, value in (
            ("a role ARN", options.role_arn),
            ("a session name", options.session_name),
            ("a source identity", options.source_identity),
        ):
            if value:
                out.append(f"{label} is only used with auth 'assume-role', not '{auth.value}'")
    if auth not in (Auth.keys, Auth.assume_role):  # assume-role: keys are the base credentials
        for label, value in (
            ("an access key ID", options.access_key_id),
            ("a secret access key", options.secret_access_key),
            ("a session token", options.session_token),
        ):
            if value:
                out.append(
                    f"{label} is only used with auth 'keys' or 'assume-role', not '{auth.value}'"
                )
    if auth is Auth.assume_role and options.profile and _has_keys(options):
        out.append("give base keys or a profile for the role, not both (the keys would win)")
    return out


def _has_keys(options: Options) -> bool:
    return any((options.access_key_id, options.secret_access_key, options.session_token))


def quote_value(value: str) -> str:
    """``value`` quoted for a message, cut to 60 characters, control characters escaped."""
    shown = value if len(value) <= 60 else value[:59] + "…"
    return repr(shown) if not shown.isprintable() else f"'{shown}'"
