"""Rules about ``awsConfig.endPointURL`` (R007-R008): a URL with a scheme, and one that reaches
the SageMaker API rather than another AWS service or the SageMaker Runtime API."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlsplit

from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.check.loader import Document
from omkit_sagemaker.check.rules.awsregion import aws_regions, zone_region
from omkit_sagemaker.check.rules.reading import AWS, is_from_env, lookup_text, shown_value
from omkit_sagemaker.check.rules.rulebook import Finding, rule
from omkit_sagemaker.check.versions import Version


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
