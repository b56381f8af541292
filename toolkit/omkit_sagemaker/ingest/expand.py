"""One config, many runs: ``--region``, ``--profile`` and ``--role-arn`` lists (no YAML key).

Each combination of the values given is one run of the config with
``source.serviceConnection.config.awsConfig.awsRegion`` (``profileName``, ``assumeRoleArn``)
set to it, and with its own ``source.serviceName``, made from :data:`placeholders <PLACEHOLDERS>`
by a template. The default template is ``{serviceName}`` followed by ``_{account}`` when
``--role-arn`` is given, ``_{profile}`` when ``--profile`` is, and ``_{region}`` when
``--region`` is: ``sm.yaml --region us-east-1,eu-west-1`` with ``serviceName: sagemaker`` runs
``sagemaker_us-east-1`` and ``sagemaker_eu-west-1``.

The variant is the file's own text with just those values changed (ruamel.yaml keeps every
comment and line), so a problem in it is reported on the line the file has; the run is named
``sm.yaml[eu-west-1]`` in messages. Nothing is written to disk.
"""

from __future__ import annotations

import io
import itertools
import re
import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: What a ``--service-name-template`` may use.
PLACEHOLDERS = ("serviceName", "region", "profile", "account", "role")
#: An IAM role ARN: ``arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME``.
ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")
#: OpenMetadata's entityName (1.1): what a service name may be.
ENTITY_NAME = re.compile(r"^[\w'\- .&()%]{1,128}$")


class ExpandError(ValueError):
    """A value list or template that cannot make runs (a usage error)."""


@dataclass(frozen=True)
class Variant:
    """One run of a config: its name in messages (``sm.yaml[eu-west-1]``) and its text."""

    path: Path
    text: str
    service: str
    region: str | None = None
    profile: str | None = None
    role_arn: str | None = None


def split_values(values: Sequence[str] | None, option: str) -> list[str]:
    """``--region a,b --region c`` -> ``[a, b, c]`` (no empty value, no repeat)."""
    out: list[str] = []
    for value in values or ():
        for item in value.split(","):
            item = item.strip()
            if not item:
                raise ExpandError(f"{option}: an empty value in {value!r}")
            if item in out:
                raise ExpandError(f"{option}: {item} is given twice")
            out.append(item)
    return out


def default_template(*, regions: bool, profiles: bool, role_arns: bool) -> str:
    """The service-name rule of the module doc."""
    return (
        "{serviceName}"
        + ("_{account}" if role_arns else "")
        + ("_{profile}" if profiles else "")
        + ("_{region}" if regions else "")
    )


def check_template(template: str) -> None:
    """Raise :class:`ExpandError` for a template with an unknown or malformed placeholder."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise ExpandError(f"--service-name-template: {exc}") from None
    for name in fields:
        if name not in PLACEHOLDERS:
            known = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
            raise ExpandError(
                f"--service-name-template: {{{name}}} is not a placeholder (use {known})"
            )


def expand(
    path: Path,
    text: str,
    *,
    regions: Sequence[str] = (),
    profiles: Sequence[str] = (),
    role_arns: Sequence[str] = (),
    template: str | None = None,
) -> list[Variant]:
    """The runs of one config (see the module doc). Raises :class:`ExpandError`."""
    for arn in role_arns:
        if ROLE_ARN.match(arn) is None:
            raise ExpandError(
                f"--role-arn: {arn} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
            )
    template = template or default_template(
        regions=bool(regions), profiles=bool(profiles), role_arns=bool(role_arns)
    )
    check_template(template)
    yaml = _yaml()
    try:
        document = yaml.load(text)
        source = document["source"]
        aws = source["serviceConnection"]["config"]["awsConfig"]
        base_name = str(source["serviceName"])
        if not hasattr(aws, "__setitem__"):
            raise TypeError
    except Exception:
        raise ExpandError(
            f"{path}: --region, --profile and --role-arn need source.serviceName and "
            "source.serviceConnection.config.awsConfig in the config"
        ) from None
    variants: list[Variant] = []
    unset: list[str | None] = [None]
    combos = itertools.product(
        list(role_arns) or unset, list(profiles) or unset, list(regions) or unset
    )
    for role_arn, profile, region in combos:
        region_now = region if region is not None else _text(aws.get("awsRegion"))
        profile_now = profile if profile is not None else _text(aws.get("profileName"))
        arn_now = role_arn if role_arn is not None else _text(aws.get("assumeRoleArn"))
        found = ROLE_ARN.match(arn_now or "")
        values = {
            "serviceName": base_name,
            "region": region_now or "",
            "profile": profile_now or "",
            "account": found.group(1) if found else "",
            "role": found.group(2) if found else "",
        }
        service = template.format(**values)
        if ENTITY_NAME.match(service) is None:
            raise ExpandError(
                f"the service name {service!r} (from --service-name-template {template!r}) is "
                "not an OpenMetadata entity name: letters, digits, spaces and _ ' - . & ( ) %, "
                "at most 128"
            )
        if region is not None:
            aws["awsRegion"] = region
        if profile is not None:
            aws["profileName"] = profile
        if role_arn is not None:
            aws["assumeRoleArn"] = role_arn
        source["serviceName"] = service
        out = io.StringIO()
        yaml.dump(document, out)
        parts = [
            f"{values['account']}:{values['role']}" if role_arn else "",
            profile.replace("/", "_") if profile else "",
            region or "",
        ]
        label = ",".join(v for v in parts if v)
        variants.append(
            Variant(
                path.with_name(f"{path.name}[{label}]"),
                out.getvalue(),
                service,
                region_now,
                profile_now,
                arn_now,
            )
        )
    return variants


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml
