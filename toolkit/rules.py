"""Lint rules: configs the schemas accept that are still wrong, each with a stable ``R`` code.

A rule is a function registered with :func:`rule`. It receives the loaded
:class:`~toolkit.loader.Document` and the target release and yields :class:`Finding` records;
:func:`run` turns them into diagnostics placed at the value (or key) the finding names. Every rule
carries a one-line summary, a hint, and a failing and a passing example: ``docs/rules.md`` is
generated from them (:func:`markdown`) and the tests run every example, so the two cannot drift.

Messages never show a secret's value. AWS regions come from ``toolkit/data/aws_regions.json``,
generated from botocore's endpoint data by ``python -m toolkit.regiondata``: validation never
imports botocore.
"""

from __future__ import annotations

import difflib
import ipaddress
import json
import re
import textwrap
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from toolkit import schema
from toolkit.diagnostics import CODES, Diagnostic, Severity, json_path, make
from toolkit.loader import DataPath, Document, Position
from toolkit.masking import describe, excerpt, is_secret
from toolkit.versions import DEFAULT_TARGET, Version, format_version


@dataclass(frozen=True)
class Finding:
    """What a rule found: where (a data path, at its value or its key) and what to say."""

    path: DataPath
    message: str
    hint: str | None = None  # None: the rule's own hint
    at_key: bool = False
    position: Position | None = None  # a more precise place than the value's start


Check = Callable[[Document, Version], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    """A registered rule with its catalogue entry and documented examples."""

    code: str
    name: str
    severity: Severity
    summary: str
    hint: str
    bad: str
    good: str
    check: Check
    #: Schema codes this rule's diagnostic replaces at the same path (it says the same, better).
    replaces: frozenset[str] = frozenset()


#: Every rule, by code, in code order.
RULES: dict[str, Rule] = {}

_CODE = re.compile(r"R\d{3}")


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    *,
    hint: str,
    bad: str,
    good: str,
    replaces: Iterable[str] = (),
) -> Callable[[Check], Check]:
    """Register a rule function under ``code`` (``R`` + 3 digits, never reused)."""

    def register(check: Check) -> Check:
        if not _CODE.fullmatch(code) or code in RULES or code in CODES:
            raise ValueError(f"bad or duplicate rule code {code}")
        RULES[code] = Rule(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            hint=hint,
            bad=textwrap.dedent(bad).strip("\n") + "\n",
            good=textwrap.dedent(good).strip("\n") + "\n",
            check=check,
            replaces=frozenset(replaces),
        )
        return check

    return register


def run(
    document: Document,
    target: Version = DEFAULT_TARGET,
    *,
    disabled: Iterable[str] = (),
) -> list[Diagnostic]:
    """The diagnostics of every rule not in ``disabled`` for ``document``."""
    skip = set(disabled)
    out: list[Diagnostic] = []
    for entry in RULES.values():
        if entry.code in skip:
            continue
        for found in entry.check(document, target):
            pos = found.position or (
                document.key_position(found.path) if found.at_key else document.position(found.path)
            )
            out.append(
                make(
                    entry.code,
                    document.file,
                    pos.line,
                    pos.column,
                    found.message,
                    path=json_path(found.path),
                    hint=found.hint or entry.hint,
                    severity=entry.severity,
                )
            )
    return out


# --- reading the document ---------------------------------------------------------------------

AWS: DataPath = ("source", "serviceConnection", "config", "awsConfig")
SERVER: DataPath = ("workflowConfig", "openMetadataServerConfig")
_MISSING: Any = object()
_ENV = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


def _get(document: Document, path: DataPath) -> Any:
    """The value at ``path``, or ``_MISSING`` when some part of the path is not there."""
    value: Any = document.data
    for part in path:
        in_dict = isinstance(part, str) and isinstance(value, dict) and part in value
        in_list = isinstance(part, int) and isinstance(value, list) and 0 <= part < len(value)
        if not (in_dict or in_list):
            return _MISSING
        value = value[part]
    return value


def _text(document: Document, path: DataPath) -> str | None:
    """The string at ``path``, unless it is missing, not a string or holds an unset ``$VAR``."""
    value = _get(document, path)
    if not isinstance(value, str) or _ENV.search(value):
        return None
    return value


def _given(document: Document, path: DataPath) -> bool:
    value = _get(document, path)
    return value is not _MISSING and value is not None and value != ""


def _scalars(document: Document) -> Iterator[tuple[DataPath, str]]:
    for path in document.scalars:
        value = _get(document, path)
        if isinstance(value, str):
            yield path, value


def _env_name(key: str) -> str:
    names = {
        "awsAccessKeyId": "AWS_ACCESS_KEY_ID",
        "awsSecretAccessKey": "AWS_SECRET_ACCESS_KEY",
        "awsSessionToken": "AWS_SESSION_TOKEN",
        "jwtToken": "OPENMETADATA_JWT_TOKEN",
    }
    return names.get(key) or re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).upper()


def _env_form(key: str) -> str:
    return f"{key}: ${{{_env_name(key)}}}"


def _from_env(document: Document, path: DataPath) -> bool:
    """True when the value at ``path`` was (partly) substituted from an environment variable."""
    scalar = document.scalars.get(path)
    return (
        scalar is not None and bool(_ENV.search(scalar.written)) and scalar.written != scalar.text
    )


def _shown(document: Document, path: DataPath, value: object) -> str:
    """``value`` for a message; a value that came from the environment is named, not shown."""
    if is_secret(path, schema.secret_keys()):
        return describe(value, secret=True)
    scalar = document.scalars.get(path)
    if scalar is not None and _from_env(document, path):
        return f"(the value of {excerpt(scalar.written.strip().strip(chr(34) + chr(39)))})"
    return describe(value)


def _is_env_reference(written: str) -> bool:
    """True when a scalar as written is nothing but ``$VAR``/``${VAR}`` references."""
    text = written.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        text = text[1:-1]
    return bool(_ENV.search(text)) and not _ENV.sub("", text).strip()


# --- placeholders -----------------------------------------------------------------------------

#: Values the OpenMetadata docs, AWS docs and templates show as stand-ins, by key.
PLACEHOLDERS: dict[str, frozenset[str]] = {
    "awsAccessKeyId": frozenset({"KEY", "AKIAIOSFODNN7EXAMPLE"}),
    "awsSecretAccessKey": frozenset({"SECRET", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}),
    "awsSessionToken": frozenset({"TOKEN"}),
    "jwtToken": frozenset({"{bot_jwt_token}"}),
    "profileName": frozenset({"profile"}),
    "assumeRoleArn": frozenset({"arn:partition:service:region:account:resource"}),
    "assumeRoleSessionName": frozenset({"session"}),
    "assumeRoleSourceIdentity": frozenset({"identity"}),
}
#: A whole value such as ``{bot_jwt_token}`` or ``<your-token>``.
_TEMPLATE = re.compile(r"\{[A-Za-z_][\w.-]*\}|<[^<>\n]+>")


def _placeholder(path: DataPath, value: str) -> str | None:
    """The placeholder ``value`` is, or None. Regular expressions are never placeholders."""
    key = path[-1] if path and isinstance(path[-1], str) else None
    if len(path) >= 2 and isinstance(path[-1], int) and path[-2] in ("includes", "excludes"):
        return None
    if key is not None and value in PLACEHOLDERS.get(key, ()):
        return value
    return value if _TEMPLATE.fullmatch(value) else None


@rule(
    "R001",
    "literal-secret",
    Severity.WARNING,
    "a secret (awsSecretAccessKey, awsSessionToken, jwtToken, ...) is written in the file "
    "instead of as an ${ENV} reference",
    hint="write it as ${NAME} and set NAME in the environment; metadata ingest expands it",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
                awsSecretAccessKey: 4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
                awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
        """,
)
def _literal_secret(document: Document, target: Version) -> Iterator[Finding]:
    secrets = schema.secret_keys()
    # Keys whose value may be the path of a file holding the secret (jwtToken: the runner reads
    # the file; the TLS settings of 1.4+ are file paths).
    may_be_path = {"jwtToken", "caCertificate", "sslCertificate", "sslKey"}
    for path, value in _scalars(document):
        key = path[-1] if path else None
        if not isinstance(key, str) or key not in secrets or not value.strip():
            continue
        written = document.scalars[path].written or value
        if _is_env_reference(written) or _placeholder(path, value) is not None:
            continue
        if key in may_be_path and value.startswith(("/", "./", "../", "~/")):
            continue
        yield Finding(
            path,
            f"{key} is written in the file as literal text: anyone who can read the file can "
            "use it",
            hint=f"write {_env_form(key)} and set {_env_name(key)} in the environment; "
            "metadata ingest expands it when it reads the file",
        )


@rule(
    "R002",
    "placeholder",
    Severity.ERROR,
    "a value is a placeholder copied from the docs or a template (KEY, SECRET, {bot_jwt_token}, "
    "profile, session, ...)",
    hint="replace it with the real value, or remove the key if you do not need it",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: "{bot_jwt_token}"
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: ${OPENMETADATA_JWT_TOKEN}
        """,
)
def _placeholders(document: Document, target: Version) -> Iterator[Finding]:
    secrets = schema.secret_keys()
    for path, value in _scalars(document):
        found = _placeholder(path, value)
        if found is None:
            continue
        key = str(path[-1]) if path and isinstance(path[-1], str) else "this value"
        known = any(found in values for values in PLACEHOLDERS.values())
        shown = describe(found) if known or not is_secret(path, secrets) else "a placeholder"
        hint = None
        if is_secret(path, secrets):
            hint = f"put the real value in the environment and write {_env_form(key)}"
        elif key in ("profileName", "assumeRoleArn", "assumeRoleSessionName"):
            hint = f"write your real {key}, or remove the line (the docs show it commented out)"
        elif key == "assumeRoleSourceIdentity":
            hint = "write your real source identity, or remove the line"
        yield Finding(
            path, f"{key} is {shown}, a placeholder copied from the documentation", hint=hint
        )


# --- AWS --------------------------------------------------------------------------------------

_REGIONS_FILE = Path(__file__).resolve().parent / "data" / "aws_regions.json"


@cache
def aws_regions() -> tuple[str, ...]:
    """The AWS regions that offer SageMaker, from the data file generated from botocore."""
    data = json.loads(_REGIONS_FILE.read_text(encoding="utf-8"))
    return tuple(str(r) for r in data["regions"])


def _zone_region(value: str) -> str | None:
    """The region of an availability zone / local zone name (``us-east-2a`` -> ``us-east-2``)."""
    text = value.strip().lower()
    for region in sorted(aws_regions(), key=len, reverse=True):
        rest = text[len(region) :]
        if text.startswith(region) and re.fullmatch(r"[a-z]|-[a-z0-9-]*[a-z0-9]", rest):
            return region
    return None


@rule(
    "R003",
    "unknown-region",
    Severity.ERROR,
    "awsRegion is not an AWS region where SageMaker is offered (botocore's endpoint data)",
    hint="write the code of the region your SageMaker models are in, such as us-east-2",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east2
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
        """,
)
def _unknown_region(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "awsRegion")
    value = _text(document, path)
    regions = aws_regions()
    if value is None or value in regions or _zone_region(value) is not None:
        return
    message = (
        f"awsRegion {_shown(document, path, value)} is not an AWS region where SageMaker is offered"
    )
    hint = None
    if value.strip().lower() in regions and not _from_env(document, path):
        message += "; region codes are written in lower case"
        hint = f"write awsRegion: {value.strip().lower()}"
    else:
        close = difflib.get_close_matches(value.strip().lower(), regions, n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
    yield Finding(path, message, hint=hint)


@rule(
    "R004",
    "availability-zone",
    Severity.ERROR,
    "awsRegion names an availability zone (us-east-2a) instead of its region",
    hint="write the region: the zone name without its last letter (or local-zone suffix)",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2a
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
        """,
)
def _availability_zone(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "awsRegion")
    value = _text(document, path)
    if value is None or value in aws_regions():
        return
    region = _zone_region(value)
    if region is not None:
        yield Finding(
            path,
            f"awsRegion {_shown(document, path, value)} is an availability zone, not a region",
            hint=f"write awsRegion: {region}",
        )


_ROLE_ARN = re.compile(r"arn:aws(?:-[a-z]+)*:iam::\d{12}:role/[\w+=,.@/-]{1,512}", re.ASCII)


@rule(
    "R005",
    "role-arn",
    Severity.ERROR,
    "assumeRoleArn is not the ARN of an IAM role (arn:aws:iam::<account>:role/<name>)",
    hint="copy the role's ARN from the IAM console: arn:aws:iam::<12-digit account>:role/<name>",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                assumeRoleArn: arn:aws:iam::210987654321:user/ingestion
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                assumeRoleArn: arn:aws:iam::210987654321:role/OpenMetadataSageMakerReader
        """,
)
def _role_arn(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "assumeRoleArn")
    value = _text(document, path)
    if value is None or _placeholder(path, value) is not None or _ROLE_ARN.fullmatch(value):
        return
    if not value.startswith("arn:"):
        what = "is not an ARN"
    elif ":user/" in value:
        what = "names an IAM user; STS can only assume roles"
    elif ":iam::" not in value:
        what = "is not an IAM ARN"
    else:
        what = "is not the ARN of an IAM role"
    yield Finding(path, f"assumeRoleArn {_shown(document, path, value)} {what}")


_STS_NAME = re.compile(r"[\w+=,.@-]+", re.ASCII)


@rule(
    "R006",
    "sts-name",
    Severity.ERROR,
    "assumeRoleSessionName or assumeRoleSourceIdentity breaks STS's rule: 2 to 64 characters "
    "of letters, digits and + = , . @ _ -",
    hint="use 2 to 64 characters among letters, digits and + = , . @ _ - (no spaces)",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                assumeRoleArn: arn:aws:iam::210987654321:role/OpenMetadataSageMakerReader
                assumeRoleSessionName: open metadata
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                assumeRoleArn: arn:aws:iam::210987654321:role/OpenMetadataSageMakerReader
                assumeRoleSessionName: OpenMetadataSession
        """,
)
def _sts_names(document: Document, target: Version) -> Iterator[Finding]:
    for key in ("assumeRoleSessionName", "assumeRoleSourceIdentity"):
        path = (*AWS, key)
        value = _text(document, path)
        if value is None or _placeholder(path, value) is not None:
            continue
        problems = []
        if not 2 <= len(value) <= 64:
            problems.append(f"it has {len(value)} characters")
        bad = sorted({ch for ch in value if not _STS_NAME.fullmatch(ch)})
        if bad and _from_env(document, path):
            problems.append("it contains characters STS does not allow")
        elif bad:
            listed = ", ".join("space" if ch == " " else excerpt(ch) for ch in bad)
            problems.append(f"it contains {listed}")
        if key == "assumeRoleSourceIdentity" and value.lower().startswith("aws:"):
            problems.append("it starts with 'aws:'")
        if problems:
            yield Finding(
                path,
                f"{key} {_shown(document, path, value)} is refused by STS: "
                + " and ".join(problems),
            )


@rule(
    "R007",
    "endpoint-scheme",
    Severity.ERROR,
    "endPointURL has no scheme (https://), so the runner rejects it",
    hint="write the full URL, starting with https:// (or http:// for a local emulator)",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                endPointURL: api.sagemaker.us-east-2.amazonaws.com
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                endPointURL: https://api.sagemaker.us-east-2.amazonaws.com
        """,
    replaces=("S006",),
)
def _endpoint_scheme(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "endPointURL")
    value = _text(document, path)
    if value is None or not value.strip() or "://" in value:
        return
    yield Finding(
        path,
        f"endPointURL {_shown(document, path, value)} has no scheme, so the runner rejects it",
        hint=None if _from_env(document, path) else f"write endPointURL: https://{value.strip()}",
    )


_AWS_DOMAIN = re.compile(r"(?:.+\.)?amazonaws\.com(?:\.cn)?|(?:.+\.)?api\.aws")


@rule(
    "R008",
    "endpoint-service",
    Severity.ERROR,
    "endPointURL points at another AWS service (the connector page's sample points at Athena)",
    hint="use the SageMaker API endpoint https://api.sagemaker.<region>.amazonaws.com, or leave "
    "endPointURL out",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                endPointURL: https://athena.us-east-2.amazonaws.com/custom
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                endPointURL: https://api.sagemaker.us-east-2.amazonaws.com
        """,
)
def _endpoint_service(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "endPointURL")
    value = _text(document, path)
    if value is None:
        return
    try:
        host = urlsplit(value.strip()).hostname
    except ValueError:
        return
    if not host or not _AWS_DOMAIN.fullmatch(host):
        return
    labels = host.split(".")
    region = _text(document, (*AWS, "awsRegion")) or "<region>"
    hint = f"use https://api.sagemaker.{region}.amazonaws.com, or leave endPointURL out"
    if "sagemaker" not in labels:
        service = labels[1] if labels[0].startswith("vpce-") and len(labels) > 1 else labels[0]
        yield Finding(
            path,
            f"endPointURL points at the AWS service '{service}' ({host}), not at the SageMaker API",
            hint=hint,
        )
    elif labels[labels.index("sagemaker") - 1 : labels.index("sagemaker")] in (
        ["runtime"],
        ["runtime-fips"],
    ):
        yield Finding(
            path,
            f"endPointURL points at the SageMaker Runtime API ({host}), which cannot list models",
            hint=hint,
        )


_ACCESS_KEY = re.compile(r"A(?:KIA|SIA)[A-Z0-9]{16}")


@rule(
    "R009",
    "access-key-shape",
    Severity.ERROR,
    "awsAccessKeyId is not shaped like an access key ID (20 capitals and digits, AKIA... or "
    "ASIA...)",
    hint="copy the access key ID (AKIA... or ASIA...), not the secret key or a user name",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: ingestion-user
                awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: AKIA2E0A8F3B1C9D7E6F
                awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
        """,
)
def _access_key_shape(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "awsAccessKeyId")
    value = _text(document, path)
    if value is None or _placeholder(path, value) is not None or _ACCESS_KEY.fullmatch(value):
        return
    # The value is not shown: a malformed key ID is often the secret key pasted in the wrong place.
    message = (
        "awsAccessKeyId does not look like an AWS access key ID (20 capital letters and digits "
        f"starting with AKIA or ASIA); it has {len(value)} characters"
    )
    hint = None
    if len(value) == 40:
        hint = "40 characters is the length of a secret access key: are the two keys swapped?"
    yield Finding(path, message, hint=hint)


@rule(
    "R010",
    "temporary-key-without-token",
    Severity.ERROR,
    "a temporary access key (ASIA...) is given without its awsSessionToken",
    hint="add awsSessionToken: ${AWS_SESSION_TOKEN}; temporary keys only work with their token",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: ASIA2E0A8F3B1C9D7E6F
                awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: ASIA2E0A8F3B1C9D7E6F
                awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
                awsSessionToken: ${AWS_SESSION_TOKEN}
        """,
)
def _temporary_key(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "awsAccessKeyId")
    value = _text(document, path)
    if value is None or not value.startswith("ASIA") or _given(document, (*AWS, "awsSessionToken")):
        return
    yield Finding(
        path,
        "awsAccessKeyId is a temporary key (it starts with ASIA), which AWS accepts only with "
        "its session token, and awsSessionToken is not given",
    )


@rule(
    "R011",
    "keys-and-profile",
    Severity.WARNING,
    "static keys and profileName are both given; the keys win and the profile's credentials "
    "are not used",
    hint="remove profileName, or remove the keys to use the profile's credentials",
    bad="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                awsAccessKeyId: ${AWS_ACCESS_KEY_ID}
                awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}
                profileName: ml-readonly
        """,
    good="""
        source:
          serviceConnection:
            config:
              awsConfig:
                awsRegion: us-east-2
                profileName: ml-readonly
        """,
)
def _keys_and_profile(document: Document, target: Version) -> Iterator[Finding]:
    def real(key: str) -> bool:  # given, and not a placeholder (R002 reports those)
        value = _get(document, (*AWS, key))
        placeholder = isinstance(value, str) and _placeholder((*AWS, key), value) is not None
        return _given(document, (*AWS, key)) and not placeholder

    keys = [k for k in ("awsAccessKeyId", "awsSecretAccessKey") if real(k)]
    if keys and real("profileName"):
        yield Finding(
            (*AWS, "profileName"),
            f"profileName is given together with {' and '.join(keys)}; boto3 uses the keys, so "
            "the profile's credentials are ignored",
            at_key=True,
        )


# --- the OpenMetadata server ------------------------------------------------------------------


@rule(
    "R012",
    "hostport-api",
    Severity.ERROR,
    "hostPort does not end in /api, so every request misses the API",
    hint="end hostPort with /api, such as http://localhost:8585/api",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://localhost:8585/api
        """,
)
def _hostport_api(document: Document, target: Version) -> Iterator[Finding]:
    path = (*SERVER, "hostPort")
    value = _text(document, path)
    if value is None or "://" not in value:
        return
    try:
        parts = urlsplit(value.strip())
    except ValueError:
        return
    trimmed = parts.path.rstrip("/")
    if trimmed.endswith("/api"):
        return
    if trimmed.endswith("/api/v1"):
        fixed = value.strip().rstrip("/")[: -len("/v1")]
        message = (
            f"hostPort {_shown(document, path, value)} ends in /api/v1; the client adds /v1 itself"
        )
    else:
        fixed = value.strip().rstrip("/") + "/api"
        message = (
            f"hostPort {_shown(document, path, value)} does not end in /api; the client "
            "appends /v1/... to it, so every request would miss the API"
        )
    yield Finding(
        path, message, hint=None if _from_env(document, path) else f"write hostPort: {fixed}"
    )


def _is_local(host: str) -> bool:
    host = host.lower()
    if host == "localhost" or host.endswith(".localhost") or host == "host.docker.internal":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return "." not in host  # a single-label name: a container or a machine on the same network


@rule(
    "R013",
    "http-jwt",
    Severity.WARNING,
    "the bot's JWT is sent over plain http to a host that is not local",
    hint="use https:// for a remote server; keep http only for a server on this machine",
    bad="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: http://openmetadata.example.com:8585/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: ${OPENMETADATA_JWT_TOKEN}
        """,
    good="""
        workflowConfig:
          openMetadataServerConfig:
            hostPort: https://openmetadata.example.com/api
            authProvider: openmetadata
            securityConfig:
              jwtToken: ${OPENMETADATA_JWT_TOKEN}
        """,
)
def _http_jwt(document: Document, target: Version) -> Iterator[Finding]:
    path = (*SERVER, "hostPort")
    value = _text(document, path)
    if value is None or not _given(document, (*SERVER, "securityConfig", "jwtToken")):
        return
    try:
        parts = urlsplit(value.strip())
        host = parts.hostname
    except ValueError:
        return
    if parts.scheme.lower() != "http" or not host or _is_local(host):
        return
    yield Finding(
        path,
        f"hostPort sends the bot's JWT over plain http to {host}; anyone on the network path "
        "can read it and act as the bot",
        hint=None if _from_env(document, path) else f"use https://{value.strip()[7:]}",
    )


@rule(
    "R014",
    "logger-warning",
    Severity.ERROR,
    "loggerLevel is WARNING (as the v1.1 docs suggest); the value is WARN",
    hint="write loggerLevel: WARN",
    bad="""
        workflowConfig:
          loggerLevel: WARNING
        """,
    good="""
        workflowConfig:
          loggerLevel: WARN
        """,
    replaces=("S004",),
)
def _logger_warning(document: Document, target: Version) -> Iterator[Finding]:
    path = ("workflowConfig", "loggerLevel")
    value = _text(document, path)
    if value is not None and value.strip().upper() == "WARNING":
        yield Finding(
            path,
            f"loggerLevel is {describe(value)}, which the v1.1 docs suggest but metadata ingest "
            "rejects; the level is called WARN",
        )


# --- names, filters and the sink --------------------------------------------------------------

#: OpenMetadata's entity-name rule (a service name is one), from the release it applies to.
ENTITY_NAMES: tuple[tuple[Version, re.Pattern[str], int, str], ...] = (
    ((1, 1), re.compile(r"[\w'\- .&()%]+"), 128, "letters, digits and _ ' - . & ( ) % or space"),
    ((2, 0), re.compile(r"(?:(?!::).)+"), 256, "any characters except '::' and line breaks"),
)


def _entity_rule(target: Version) -> tuple[Version, re.Pattern[str], int, str]:
    known = [entry for entry in ENTITY_NAMES if entry[0] <= target]
    return known[-1] if known else ENTITY_NAMES[0]


@rule(
    "R015",
    "service-name",
    Severity.ERROR,
    "serviceName breaks OpenMetadata's entity-name rule (1.1: 1-128 letters, digits, "
    "_ ' - . & ( ) % and spaces; 2.0: 1-256 characters without '::')",
    hint="use letters, digits, _ and -, such as sagemaker_prod",
    bad="""
        source:
          serviceName: sagemaker/prod
        """,
    good="""
        source:
          serviceName: sagemaker_prod
        """,
)
def _service_name(document: Document, target: Version) -> Iterator[Finding]:
    path = ("source", "serviceName")
    value = _text(document, path)
    if value is None:
        return
    release, pattern, longest, allowed = _entity_rule(target)
    problems = []
    if not value:
        problems.append("is empty")
    elif len(value) > longest:
        problems.append(f"is {len(value)} characters long (at most {longest})")
    if value and not pattern.fullmatch(value):
        bad = sorted({ch for ch in value if not pattern.fullmatch(ch)})
        if "::" in value or not bad:
            problems.append("contains '::'")
        elif _from_env(document, path):
            problems.append("contains characters that names do not allow")
        else:
            problems.append("contains " + ", ".join(excerpt(ch) for ch in bad))
    if problems:
        yield Finding(
            path,
            f"serviceName {_shown(document, path, value)} "
            + " and ".join(problems)
            + f"; OpenMetadata {format_version(release)} names allow {allowed}",
        )


def _filter_patterns(document: Document) -> Iterator[tuple[DataPath, str, list[Any]]]:
    """Every ``*FilterPattern`` list (includes/excludes) in the document."""
    for path in document.values:
        if not path or not isinstance(path[-1], str) or not path[-1].endswith("FilterPattern"):
            continue
        value = _get(document, path)
        if not isinstance(value, dict):
            continue
        for which in ("includes", "excludes"):
            items = value.get(which)
            if isinstance(items, list):
                yield (*path, which), path[-1], items


def _regex_position(document: Document, path: DataPath, offset: int | None) -> Position | None:
    """Where character ``offset`` of the regex at ``path`` is in the file, when it can be told."""
    scalar = document.scalars.get(path)
    if scalar is None or offset is None or "\n" in scalar.written:
        return None
    value = _get(document, path)
    start = document.position(path)
    quote = scalar.written[:1]
    if scalar.plain and scalar.written == value:
        return Position(start.line, start.column + offset)
    if quote and quote in "'\"" and scalar.written[1:-1] == value:  # no escapes: characters line up
        return Position(start.line, start.column + 1 + offset)
    return None


@rule(
    "R016",
    "filter-regex",
    Severity.ERROR,
    "a regular expression of a filter pattern (mlModelFilterPattern, ...) does not compile",
    hint="escape ( ) [ ] { } . * + ? with a backslash to match them literally",
    bad="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - prod-(churn|fraud
        """,
    good="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - prod-(churn|fraud)
        """,
    replaces=("S006",),
)
def _filter_regex(document: Document, target: Version) -> Iterator[Finding]:
    for path, key, items in _filter_patterns(document):
        for i, item in enumerate(items):
            if not isinstance(item, str):
                continue
            try:
                re.compile(item, re.IGNORECASE)
            except re.error as exc:
                where = f" at position {exc.pos}" if exc.pos is not None else ""
                yield Finding(
                    (*path, i),
                    f"{key} {path[-1]}[{i}] is not a valid regular expression: {exc.msg}{where}",
                    position=_regex_position(document, (*path, i), exc.pos),
                )


@rule(
    "R017",
    "includes-and-excludes",
    Severity.WARNING,
    "a filter pattern has both includes and excludes; metadata ingest ignores the excludes",
    hint="keep one list: fold the exclusions into the includes (for example with a negative "
    "lookahead such as ^(?!tmp-)prod-), or drop the includes",
    bad="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - ^prod-
                excludes:
                  - -scratch$
        """,
    good="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              mlModelFilterPattern:
                includes:
                  - ^prod-(?!.*-scratch$)
        """,
)
def _includes_and_excludes(document: Document, target: Version) -> Iterator[Finding]:
    for path, key, items in _filter_patterns(document):
        if path[-1] != "excludes" or not items:
            continue
        includes = _get(document, (*path[:-1], "includes"))
        if isinstance(includes, list) and includes:
            yield Finding(
                path,
                f"{key} has both includes and excludes; when includes has entries, metadata "
                "ingest ignores excludes",
                at_key=True,
            )


SINK_TYPES = ("metadata-rest", "file")


@rule(
    "R018",
    "sink-type",
    Severity.ERROR,
    "sink.type is not a sink metadata ingest has (metadata-rest or file)",
    hint="write sink: {type: metadata-rest, config: {}} to send the models to OpenMetadata",
    bad="""
        sink:
          type: console
          config: {}
        """,
    good="""
        sink:
          type: metadata-rest
          config: {}
        """,
)
def _sink_type(document: Document, target: Version) -> Iterator[Finding]:
    path = ("sink", "type")
    value = _text(document, path)
    if value is None or value in SINK_TYPES:
        return
    message = (
        f"sink type {_shown(document, path, value)} does not exist; metadata ingest has "
        "metadata-rest and file"
    )
    close = difflib.get_close_matches(value.strip().lower(), SINK_TYPES, n=1, cutoff=0.6)
    if close:
        message += f"; did you mean '{close[0]}'?"
    yield Finding(path, message)


@rule(
    "R019",
    "file-sink-filename",
    Severity.ERROR,
    "a file sink has no config.filename",
    hint="add config: {filename: /tmp/sagemaker-entities.json}",
    bad="""
        sink:
          type: file
          config: {}
        """,
    good="""
        sink:
          type: file
          config:
            filename: /tmp/sagemaker-entities.json
        """,
)
def _file_sink(document: Document, target: Version) -> Iterator[Finding]:
    if _text(document, ("sink", "type")) != "file":
        return
    config = _get(document, ("sink", "config"))
    if isinstance(config, dict) and config.get("filename"):
        return
    at = ("sink", "config") if isinstance(config, dict) else ("sink", "type")
    yield Finding(
        at,
        "the file sink needs config.filename, the path of the JSON file it writes",
        at_key=at[-1] == "config",
    )


# --- the catalogue ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One line of the code catalogue."""

    code: str
    severity: Severity
    summary: str
    name: str = ""


def catalogue() -> list[Entry]:
    """Every code omkit can report: loader (Y), schema (S) and rule (R) codes, in that order."""
    found = [Entry(c.code, c.severity, c.summary) for c in CODES.values()]
    found += [Entry(r.code, r.severity, r.summary, r.name) for r in RULES.values()]
    return found


def catalogue_json() -> str:
    """The catalogue as a JSON array of ``{code, name, severity, summary}`` objects."""
    items = [
        {"code": e.code, "name": e.name, "severity": e.severity.value, "summary": e.summary}
        for e in catalogue()
    ]
    return json.dumps(items, indent=2) + "\n"


def catalogue_text() -> str:
    """The catalogue as aligned plain-text lines: code, severity, description."""
    return "".join(f"{e.code}  {e.severity.value:<7}  {e.summary}\n" for e in catalogue())


def _md(text: str) -> str:
    """Plain text for Markdown: ``<name>`` would otherwise be taken for an HTML tag."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    return _md(text).replace("|", "\\|")


def markdown() -> str:
    """``docs/rules.md``: every code, and every rule with its hint and examples."""
    lines = [
        "# omkit rules",
        "",
        "<!-- Generated from toolkit/rules.py and toolkit/diagnostics.py: do not edit. -->",
        "<!-- Regenerate with: omkit rules --format markdown > docs/rules.md -->",
        "",
        "Every problem `omkit validate` reports has a stable code: `Y` codes come from reading "
        "the YAML, `S` codes from the schemas in `spec/`, `R` codes from the lint rules below.",
        "",
        "## Turning codes off",
        "",
        "- `# omkit: disable=R001,S001` at the end of a line turns those codes off on that line.",
        "- The same comment on a line of its own, before any YAML content, turns them off for "
        "the whole file.",
        "- In the nearest `pyproject.toml` (table `[tool.omkit]`) or `.omkit.toml`, searched "
        "upward from the config file's folder (then from the current folder):",
        "",
        "  ```toml",
        "  [tool.omkit]",
        '  disable = ["R011"]',
        '  severity = { R001 = "error", Y009 = "error" }',
        '  target-version = "1.3"',
        "  ```",
        "",
        "Y001-Y004, Y010 and Y011 (the file cannot be read) can be neither turned off nor "
        "downgraded. `target-version` (or `omkit validate --target-version X.Y`) picks the "
        f"OpenMetadata release to validate for; the default is {format_version(DEFAULT_TARGET)}.",
        "",
        "## All codes",
        "",
        "| code | severity | description |",
        "| --- | --- | --- |",
    ]
    for entry in catalogue():
        name = f"[{entry.code}](#{entry.code.lower()}-{entry.name})" if entry.name else entry.code
        lines.append(f"| {name} | {entry.severity.value} | {_cell(entry.summary)} |")
    lines += ["", "## Rules", ""]
    for r in RULES.values():
        lines += [
            f"### {r.code} {r.name}",
            "",
            f"**{r.severity.value}**: {_md(r.summary)}.",
            "",
            f"Fix: {_md(r.hint)}.",
            "",
            "Fails:",
            "",
            "```yaml",
            *r.bad.splitlines(),
            "```",
            "",
            "Passes:",
            "",
            "```yaml",
            *r.good.splitlines(),
            "```",
            "",
        ]
    return "\n".join(lines).rstrip("\n") + "\n"
