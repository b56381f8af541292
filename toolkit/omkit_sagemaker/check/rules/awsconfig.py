"""Rules about ``awsConfig`` (R003-R011): regions, availability zones, role ARNs, STS names,
``endPointURL``, access-key shapes and the credential combinations boto3 would resolve wrongly."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from functools import cache
from urllib.parse import urlsplit

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.base.masking import excerpt

# --- AWS --------------------------------------------------------------------------------------
from omkit_sagemaker.base.regiondata import REGIONS_FILE as _REGIONS_FILE
from omkit_sagemaker.check.fix.model import Fix, data_path, value_fix
from omkit_sagemaker.check.loader import Document
from omkit_sagemaker.check.rules.reading import (
    AWS,
    as_placeholder,
    is_emulated,
    is_from_env,
    is_given,
    lookup,
    lookup_text,
    shown_value,
)
from omkit_sagemaker.check.rules.rulebook import Finding, rule
from omkit_sagemaker.check.versions import Version


@cache
def aws_regions() -> tuple[str, ...]:
    """The AWS regions that offer SageMaker, from the data file generated from botocore."""
    data = json.loads(_REGIONS_FILE.read_text(encoding="utf-8"))
    return tuple(str(r) for r in data["regions"])


def zone_region(value: str) -> str | None:
    """The region of an availability zone / local zone name (``us-east-2a`` -> ``us-east-2``)."""
    text = value.strip().lower()
    for region in sorted(aws_regions(), key=len, reverse=True):
        rest = text[len(region) :]
        if text.startswith(region) and re.fullmatch(r"[a-z]|-[a-z0-9-]*[a-z0-9]", rest):
            return region
    return None


def _fix_region_case(diagnostic: Diagnostic, document: Document, target: Version) -> Fix | None:
    """A region code in the wrong letter case: write it in lower case."""
    path = data_path(document, diagnostic)
    value = lookup_text(document, path) if path else None
    if (
        value is None
        or is_from_env(document, path or ())
        or value.strip().lower() not in aws_regions()
    ):
        return None
    region = value.strip().lower()
    return value_fix(diagnostic, document, region, f"awsRegion is written {region}, in lower case")


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
    fix=_fix_region_case,
)
def _unknown_region(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "awsRegion")
    value = lookup_text(document, path)
    regions = aws_regions()
    if value is None or value in regions or zone_region(value) is not None:
        return
    shown = shown_value(document, path, value)
    message = f"awsRegion {shown} is not an AWS region where SageMaker is offered"
    hint = None
    if value.strip().lower() in regions and not is_from_env(document, path):
        message += "; region codes are written in lower case"
        hint = f"write awsRegion: {value.strip().lower()}"
    else:
        close = difflib.get_close_matches(value.strip().lower(), regions, n=1, cutoff=0.6)
        if close:
            message += f"; did you mean '{close[0]}'?"
    yield Finding(path, message, hint=hint)


def _fix_zone(diagnostic: Diagnostic, document: Document, target: Version) -> Fix | None:
    """An availability zone: write its region."""
    path = data_path(document, diagnostic)
    value = lookup_text(document, path) if path else None
    region = zone_region(value) if value is not None and path is not None else None
    if region is None or is_from_env(document, path or ()):
        return None
    return value_fix(
        diagnostic, document, region, f"awsRegion {value} is a zone of the region {region}"
    )


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
    fix=_fix_zone,
)
def _availability_zone(document: Document, target: Version) -> Iterator[Finding]:
    path = (*AWS, "awsRegion")
    value = lookup_text(document, path)
    if value is None or value in aws_regions():
        return
    region = zone_region(value)
    if region is not None:
        yield Finding(
            path,
            f"awsRegion {shown_value(document, path, value)} is an availability zone, not a region",
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
    value = lookup_text(document, path)
    if value is None or as_placeholder(path, value) is not None or _ROLE_ARN.fullmatch(value):
        return
    if not value.startswith("arn:"):
        what = "is not an ARN"
    elif ":user/" in value:
        what = "names an IAM user; STS can only assume roles"
    elif ":iam::" not in value:
        what = "is not an IAM ARN"
    else:
        what = "is not the ARN of an IAM role"
    yield Finding(path, f"assumeRoleArn {shown_value(document, path, value)} {what}")


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
        value = lookup_text(document, path)
        if value is None or as_placeholder(path, value) is not None:
            continue
        problems = []
        if not 2 <= len(value) <= 64:
            problems.append(f"it has {len(value)} characters")
        bad = sorted({ch for ch in value if not _STS_NAME.fullmatch(ch)})
        if bad and is_from_env(document, path):
            problems.append("it contains characters STS does not allow")
        elif bad:
            listed = ", ".join("space" if ch == " " else excerpt(ch) for ch in bad)
            problems.append(f"it contains {listed}")
        if key == "assumeRoleSourceIdentity" and value.lower().startswith("aws:"):
            problems.append("it starts with 'aws:'")
        if problems:
            yield Finding(
                path,
                f"{key} {shown_value(document, path, value)} is refused by STS: "
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
    value = lookup_text(document, path)
    if value is None or not value.strip() or "://" in value:
        return
    yield Finding(
        path,
        f"endPointURL {shown_value(document, path, value)} has no scheme, so the runner rejects it",
        hint=None if is_from_env(document, path) else f"write endPointURL: https://{value.strip()}",
    )


def _hint_region(document: Document) -> str:
    """The region for a hint's URL: awsRegion when it is a region, the region of an
    availability zone (``us-east-2a`` -> ``us-east-2``), else ``<region>``."""
    written = (lookup_text(document, (*AWS, "awsRegion")) or "").strip().lower()
    if written in aws_regions():
        return written
    return zone_region(written) or "<region>"


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
    value = lookup_text(document, path)
    if value is None:
        return
    try:
        host = urlsplit(value.strip()).hostname
    except ValueError:
        return
    if not host or not _AWS_DOMAIN.fullmatch(host):
        return
    labels = host.split(".")
    hint = f"use https://api.sagemaker.{_hint_region(document)}.amazonaws.com, or leave "
    hint += "endPointURL out"
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
    value = lookup_text(document, path)
    if value is None or as_placeholder(path, value) is not None or _ACCESS_KEY.fullmatch(value):
        return
    if is_emulated(document):
        return  # moto and LocalStack take any key ID (``testing``, ``test``)
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
    value = lookup_text(document, path)
    if (
        value is None
        or not value.startswith("ASIA")
        or is_given(document, (*AWS, "awsSessionToken"))
    ):
        return
    if is_emulated(document):
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
        value = lookup(document, (*AWS, key))
        placeholder = isinstance(value, str) and as_placeholder((*AWS, key), value) is not None
        return is_given(document, (*AWS, key)) and not placeholder

    keys = [k for k in ("awsAccessKeyId", "awsSecretAccessKey") if real(k)]
    if keys and real("profileName"):
        yield Finding(
            (*AWS, "profileName"),
            f"profileName is given together with {' and '.join(keys)}; boto3 uses the keys, so "
            "the profile's credentials are ignored",
            at_key=True,
        )
