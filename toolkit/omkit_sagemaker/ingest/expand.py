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

A run is named ``sm.yaml[eu-west-1]`` in messages. :func:`plan` reads what each run changes
(:attr:`Variant.changes`, by data path) off the config once. ``omkit run`` (and the Airflow
``validate`` task) applies them to the config's tree as the checker loaded it, once per config
(:func:`load_base`, :func:`variant_of`): each variant keeps every position of the file, so a
problem in it is reported on the line and column the file has, and the config is parsed once
whatever the number of runs. :func:`expand` applies them to the file's own text instead
(ruamel.yaml keeps every comment and line), for a variant to show or hand on as text. Nothing
is written to disk.
"""

from __future__ import annotations

import copy
import io
import itertools
import re
import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePath
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omkit_sagemaker.check.document import DataPath, LoadResult

#: What a ``--service-name-template`` may use.
PLACEHOLDERS = ("serviceName", "region", "profile", "account", "role")
#: What a ``--file-name-template`` may use: those, and the file sink's file name, split.
FILE_PLACEHOLDERS = (*PLACEHOLDERS, "stem", "suffix")
#: An IAM role ARN: ``arn:PARTITION:iam::ACCOUNT:role/[PATH/]NAME``.
ROLE_ARN = re.compile(r"^arn:aws[\w-]*:iam::(\d{12}):role/(?:[\w+=,.@/-]*/)?([\w+=,.@-]+)$")
#: OpenMetadata's entityName (1.1): what a service name may be.
ENTITY_NAME = re.compile(r"^[\w'\- .&()%]{1,128}$")
#: Where the values a variant changes sit in a config.
SERVICE_NAME: DataPath = ("source", "serviceName")
AWS_CONFIG: DataPath = ("source", "serviceConnection", "config", "awsConfig")
FILE_NAME: DataPath = ("sink", "config", "filename")


class ExpandError(ValueError):
    """A value list or template that cannot make runs (a usage error)."""


@dataclass(frozen=True)
class Variant:
    """One run of a config: its name in messages (``sm.yaml[eu-west-1]``), what it changes in
    the config, and (from :func:`expand`) its text."""

    path: Path
    #: The run's config as text (from :func:`expand`; empty from :func:`plan`).
    text: str
    service: str
    region: str | None = None
    profile: str | None = None
    role_arn: str | None = None
    #: ``sink.config.filename`` of a file sink, made by the file-name template (else None).
    filename: str | None = None
    #: ``(data path, value)`` of each value this run sets in the config.
    changes: tuple[tuple[DataPath, str], ...] = ()


@dataclass(frozen=True)
class Templates:
    """The two name rules of a set of lists, checked (see the module doc)."""

    service: str
    file: str

    @classmethod
    def of(
        cls,
        regions: bool,
        profiles: bool,
        role_arns: bool,
        template: str | None,
        file_template: str | None,
    ) -> Templates:
        """The given templates, or the defaults; raises :class:`ExpandError` for a bad one."""
        default = default_template(regions=regions, profiles=profiles, role_arns=role_arns)
        service = template or default
        check_template(service)
        file = file_template or default.replace("{serviceName}", "{stem}") + "{suffix}"
        check_template(file, "--file-name-template", FILE_PLACEHOLDERS)
        return cls(service, file)


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
    sink: Any = document.get("sink") if isinstance(document, Mapping) else None
    config: Any = sink.get("config") if isinstance(sink, Mapping) else None
    if not isinstance(config, Mapping) or str(sink.get("type", "")).strip().lower() != "file":
        return None
    return config if isinstance(config.get("filename"), str) else None


def plan(
    path: Path,
    document: Any,
    *,
    regions: Sequence[str] = (),
    profiles: Sequence[str] = (),
    role_arns: Sequence[str] = (),
    template: str | None = None,
    file_template: str | None = None,
) -> list[Variant]:
    """The runs of the config ``document`` (its loaded data; see the module doc), each with what
    it changes and no text. Raises :class:`ExpandError`."""
    for arn in role_arns:
        if ROLE_ARN.match(arn) is None:
            raise ExpandError(
                f"--role-arn: {arn} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"
            )
    templates = Templates.of(
        bool(regions), bool(profiles), bool(role_arns), template, file_template
    )
    try:
        source = document["source"]
        aws = source["serviceConnection"]["config"]["awsConfig"]
        base_name = str(source["serviceName"])
        if not isinstance(aws, Mapping):
            raise TypeError
    except Exception:
        raise ExpandError(
            f"{path}: --region, --profile and --role-arn need source.serviceName and "
            "source.serviceConnection.config.awsConfig in the config"
        ) from None
    file_sink = _file_sink(document)
    given = _Given(base_name, aws, str(file_sink["filename"]) if file_sink is not None else None)
    unset: list[str | None] = [None]
    combos = itertools.product(
        list(role_arns) or unset, list(profiles) or unset, list(regions) or unset
    )
    return [_variant(path, templates, given, *combo) for combo in combos]


@dataclass(frozen=True)
class _Given:
    """What the config has before any change: its service name, its ``awsConfig`` and its file
    sink's file name (None: no file sink)."""

    service: str
    aws: Mapping[str, Any]
    filename: str | None


def _variant(
    path: Path,
    templates: Templates,
    given: _Given,
    role_arn: str | None,
    profile: str | None,
    region: str | None,
) -> Variant:
    """The run of one combination (a value None: not given, the config's own stays)."""
    aws, base_file = given.aws, given.filename
    region_now = region if region is not None else _text(aws.get("awsRegion"))
    profile_now = profile if profile is not None else _text(aws.get("profileName"))
    arn_now = role_arn if role_arn is not None else _text(aws.get("assumeRoleArn"))
    found = ROLE_ARN.match(arn_now or "")
    values = {
        "serviceName": given.service,
        "region": region_now or "",
        "profile": profile_now or "",
        "account": found.group(1) if found else "",
        "role": found.group(2) if found else "",
    }
    service = templates.service.format(**values)
    if ENTITY_NAME.match(service) is None:
        raise ExpandError(
            f"the service name {service!r} (from --service-name-template {templates.service!r}) "
            "is not an OpenMetadata entity name: letters, digits, spaces and _ ' - . & ( ) %, "
            "at most 128"
        )
    changes: list[tuple[DataPath, str]] = [
        ((*AWS_CONFIG, key), value)
        for key, value in (
            ("awsRegion", region),
            ("profileName", profile),
            ("assumeRoleArn", role_arn),
        )
        if value is not None
    ]
    changes.append((SERVICE_NAME, service))
    filename = None
    if base_file is not None:
        filename = _file_name(templates.file, base_file, values)
        changes.append((FILE_NAME, filename))
    parts = [
        f"{values['account']}:{values['role']}" if role_arn else "",
        profile.replace("/", "_") if profile else "",
        region or "",
    ]
    label = ",".join(v for v in parts if v)
    return Variant(
        path.with_name(f"{path.name}[{label}]"),
        "",
        service,
        region_now,
        profile_now,
        arn_now,
        filename,
        tuple(changes),
    )


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
    """The runs of the config ``text``, each with its own text: the file's, with only the
    values the run changes changed (see the module doc). Raises :class:`ExpandError`."""
    yaml = _yaml()
    try:
        document = yaml.load(text)
    except Exception:
        document = None
    variants = plan(
        path,
        document,
        regions=regions,
        profiles=profiles,
        role_arns=role_arns,
        template=template,
        file_template=file_template,
    )
    out: list[Variant] = []
    for variant in variants:
        for where, value in variant.changes:
            _set(document, where, value)
        written = io.StringIO()
        yaml.dump(document, written)
        out.append(replace(variant, text=written.getvalue()))
    return out


@dataclass(frozen=True)
class Base:
    """A config read and parsed once, for all its variants: ``loaded`` is what the checker's
    loader made of it, with ``$VAR`` expanded from ``environ`` (None: left as written);
    ``text`` is the config when it is not the file's content."""

    path: Path
    loaded: LoadResult = field(repr=False)
    environ: Mapping[str, str] | None = field(default=None, repr=False)
    text: str | None = field(default=None, repr=False)

    @property
    def data(self) -> dict[str, Any] | None:
        """The loaded data (None: the config could not be loaded)."""
        return self.loaded.document.data if self.loaded.document is not None else None


def load_base(path: Path, text: str | None, environ: Mapping[str, str] | None) -> Base:
    """Read ``path`` (or take ``text``) and parse it, once for all its variants. Raises
    :class:`~omkit_sagemaker.check.discovery.UsageError` or ``OSError`` when the file cannot be
    read; a config that cannot be parsed has no data (:func:`plan` then refuses it)."""
    from omkit_sagemaker.check import discovery, loader

    if text is None:
        loaded = loader.load_bytes(discovery.read_bounded(path), str(path), environ=environ)
    else:
        loaded = loader.load_text(text, str(path), environ=environ)
    return Base(path, loaded, environ, text)


def variant_of(base: LoadResult, variant: Variant) -> LoadResult:
    """``variant`` of the config ``base`` as the checker loaded it (its document must be there):
    a copy of its data with the variant's changes, under the variant's name, every position
    kept (a value the file did not have is placed at its parent's). The loader's diagnostics
    are the base's, renamed; nothing is parsed again."""
    from omkit_sagemaker.check.document import Document, LoadResult

    document = base.document
    name = str(variant.path)
    if document is None:  # loaded again for another environment, and no longer loads
        return LoadResult(None, [d.replace(file=name) for d in base.diagnostics])
    data = copy.deepcopy(document.data)
    for where, value in variant.changes:
        _set(data, where, value)
    changed = {where for where, _ in variant.changes}
    return LoadResult(
        Document(
            file=name,
            data=data,
            expansion=document.expansion,
            values=document.values,
            keys=document.keys,
            # how the file wrote a value is no longer how the value is: not kept for those
            scalars={p: s for p, s in document.scalars.items() if p not in changed},
            source=document.source,
        ),
        [d.replace(file=name) for d in base.diagnostics],
    )


def _set(document: Any, where: DataPath, value: str) -> None:
    node = document
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _yaml() -> Any:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096
    return yaml
