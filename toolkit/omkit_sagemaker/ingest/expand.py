"""One config, many runs: ``--region``, ``--profile`` and ``--role-arn`` lists (no YAML key).

Each combination of the values given is one run of the config with
``source.serviceConnection.config.awsConfig.awsRegion`` (``profileName``, ``assumeRoleArn``)
set to it, and with its own ``source.serviceName``, made from :data:`placeholders <PLACEHOLDERS>`
by a template. The default template is ``{serviceName}`` followed by ``_{account}`` when
``--role-arn`` is given, ``_{profile}`` when ``--profile`` is, and ``_{region}`` when
``--region`` is: ``sm.yaml --region us-east-1,eu-west-1`` with ``serviceName: sagemaker`` runs
``sagemaker_us-east-1`` and ``sagemaker_eu-west-1``.

A config whose sink is ``file`` gets its own output file by the same rule: ``{stem}`` (the
file name without its extension), the same ``_{account}``, ``_{profile}`` and ``_{region}``,
then ``{suffix}`` (the extension), in the folder of ``sink.config.filename``: ``models.json``
becomes ``models_us-east-1.json`` and ``models_eu-west-1.json``. ``--file-name-template`` takes
the placeholders of the service name and ``{stem}`` and ``{suffix}``.

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
from pathlib import Path, PurePath
from typing import Any

#: What a ``--service-name-template`` may use.
PLACEHOLDERS = ("serviceName", "region", "profile", "account", "role")
#: What a ``--file-name-template`` may use: those, and the file sink's file name, split.
FILE_PLACEHOLDERS = (*PLACEHOLDERS, "stem", "suffix")
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
    #: ``sink.config.filename`` of a file sink, made by the file-name template (else None).
    filename: str | None = None


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


def check_template(
    template: str,
    option: str = "--service-name-template",
    placeholders: Sequence[str] = PLACEHOLDERS,
) -> None:
    """Raise :class:`ExpandError` for a template with an unknown or malformed placeholder."""
    try:
        fields = [f for _, f, _, _ in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise ExpandError(f"{option}: {exc}") from None
    for name in fields:
        if name not in placeholders:
            known = ", ".join("{" + p + "}" for p in placeholders)
            raise ExpandError(f"{option}: {{{name}}} is not a placeholder (use {known})")


def _file_name(template: str, filename: str, values: dict[str, str]) -> str:
    """The file sink's file of one run: ``template`` filled, in ``filename``'s folder."""
    path = PurePath(filename)
    safe = {k: v.replace("/", "_").replace("\\", "_") for k, v in values.items()}
    name = template.format(**safe, stem=path.stem, suffix=path.suffix)
    if not name.strip() or name in (".", ".."):
        raise ExpandError(f"--file-name-template {template!r} makes an empty file name")
    return str(path.parent / name)


def _file_sink(document: Any) -> Any:
    """The ``sink.config`` mapping of a file sink with a file name, else None."""
    sink: Any = document.get("sink") if hasattr(document, "get") else None
    config: Any = sink.get("config") if hasattr(sink, "get") else None
    if not hasattr(config, "__setitem__") or str(sink.get("type", "")).strip().lower() != "file":
        return None
    return config if isinstance(config.get("filename"), str) else None


def expand(
    path: Path,
    text: str,
    *,
    regions: Sequence[str] = (),
    profiles: Sequence[str] = (),
    role_arns: Sequence[str] = (),
    template: str | None = None,
    file_template: str | None = None,
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
    suffixes = default_template(
        regions=bool(regions), profiles=bool(profiles), role_arns=bool(role_arns)
    )
    file_template = file_template or suffixes.replace("{serviceName}", "{stem}") + "{suffix}"
    check_template(file_template, "--file-name-template", FILE_PLACEHOLDERS)
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
    file_sink = _file_sink(document)
    base_file = str(file_sink["filename"]) if file_sink is not None else None
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
        filename = None
        if file_sink is not None and base_file is not None:
            filename = file_sink["filename"] = _file_name(file_template, base_file, values)
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
                filename,
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
