"""Rules about where the models are (R003-R004): ``awsRegion`` must be a region that offers
SageMaker, written in lower case, and not one of its availability zones. The regions come from
``base/data/aws_regions.json`` (generated from botocore's endpoint data), never from botocore."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from functools import cache

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.base.regiondata import REGIONS_FILE as _REGIONS_FILE
from omkit_sagemaker.check.fix.model import Fix, data_path, value_fix
from omkit_sagemaker.check.loader import Document
from omkit_sagemaker.check.rules.reading import AWS, is_from_env, lookup_text, shown_value
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
