"""Rules about who the ingestion is in AWS (R005-R006, R009-R011): the role it assumes and the
names STS is given, the shape of the access key ID, and the credential combinations boto3 would
resolve otherwise than the user meant (a temporary key without its token, keys and a profile)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.base.masking import excerpt
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
