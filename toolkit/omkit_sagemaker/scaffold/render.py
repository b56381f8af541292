"""Scaffold a config from a commented template: the library behind ``omkit init``.

A template (``templates/<connector>.yaml``) is a complete, valid config in which every optional
setting is present as a commented-out line (``# key: example``) under a one-line explanation.
Filling it from :class:`Options` works in two passes, so that every comment and the layout survive:

1. **Text pass.** The template's lines are scanned into key paths, whether a key is active or
   commented out. A ``# key:`` line is a commented option when ``#`` is followed by one space and
   then a YAML key; its depth is the column of ``#`` plus the spaces after ``# `` (exactly what
   commenting out a block at its own indentation produces). Options that are chosen are
   uncommented (with their children); the auth mode comments out the credentials it does not use.
   Prose comments never start with ``word:``; the tests hold the template to that.
2. **Round trip.** The text is loaded with ruamel.yaml's round-trip loader, the chosen values are
   set, and it is dumped again: ruamel keeps comments attached to keys, so they all stay.

The result is then read back the way ``metadata ingest`` reads it (PyYAML, YAML 1.1) and checked
with the schemas; a value that did not come out as asked is a bug and raises. Nothing here
prints: the CLI turns :class:`ScaffoldError` and the warnings into messages.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.base import safewrite
from omkit_sagemaker.scaffold.options import (
    ACCESS_KEY_ID,
    CREDENTIAL_KEYS,
    ENDPOINT_URL,
    ENV_REFERENCE,
    EXCLUDES,
    HOST_PORT,
    INCLUDES,
    JWT_TOKEN,
    MARK_DELETED,
    PROFILE,
    REGION,
    ROLE_ARN,
    ROLE_KEYS,
    SAGEMAKER,
    SECRET_ACCESS_KEY,
    SERVICE_NAME,
    SESSION_NAME,
    SESSION_TOKEN,
    SINK_FILENAME,
    SINK_TYPE,
    SOURCE_IDENTITY,
    Auth,
    KeyPath,
    Options,
    Rendered,
    ScaffoldError,
    TargetExistsError,
    Value,
    check_options,
    resolve_auth,
)
from omkit_sagemaker.scaffold.template import fill, template_path, template_text

if TYPE_CHECKING:
    from omkit_sagemaker.base.diagnostics import Diagnostic


# --------------------------------------------------------------------------- planning


def plan(options: Options) -> tuple[dict[KeyPath, Value], list[KeyPath]]:
    """Which keys to make active (with the value to set, None to keep the template's) and which
    to comment out, for valid ``options``."""
    active: dict[KeyPath, Value] = {}
    inactive: list[KeyPath] = []
    auth = resolve_auth(options)

    for path, value in (
        (SERVICE_NAME, options.service_name),
        (REGION, options.region),
        (ENDPOINT_URL, options.endpoint_url),
        (HOST_PORT, options.host_port),
        (JWT_TOKEN, options.jwt_token),
    ):
        if value is not None:
            active[path] = value
    if options.mark_deleted is not None:
        active[MARK_DELETED] = options.mark_deleted
    if options.sink_file is not None:
        active[SINK_TYPE] = "file"
        active[SINK_FILENAME] = options.sink_file

    base_keys = auth is Auth.assume_role and any(
        (options.access_key_id, options.secret_access_key, options.session_token)
    )
    if auth is Auth.keys or base_keys:  # with assume-role, the keys that call sts:AssumeRole
        active[ACCESS_KEY_ID] = options.access_key_id
        active[SECRET_ACCESS_KEY] = options.secret_access_key
        if options.session_token is not None:
            active[SESSION_TOKEN] = options.session_token
        else:
            inactive.append(SESSION_TOKEN)
    else:
        inactive.extend(CREDENTIAL_KEYS)

    if auth in (Auth.profile, Auth.assume_role) and options.profile:
        active[PROFILE] = options.profile
    else:
        inactive.append(PROFILE)

    if auth is Auth.assume_role:
        active[ROLE_ARN] = options.role_arn
        for path, value in (
            (SESSION_NAME, options.session_name),
            (SOURCE_IDENTITY, options.source_identity),
        ):
            if value is not None:
                active[path] = value
            else:
                inactive.append(path)
    else:
        inactive.extend(ROLE_KEYS)

    if options.includes:
        active[INCLUDES] = options.includes
    if options.excludes:
        active[EXCLUDES] = options.excludes
    if options.includes or options.excludes:
        inactive.extend(p for p in (INCLUDES, EXCLUDES) if p not in active)
    return active, inactive


# --------------------------------------------------------------------------- render


def literal_secrets(data: Any, secret_keys: Iterable[str] | None = None) -> list[str]:
    """JSON paths of secret values (``format: password`` properties) that are written literally
    instead of as a ``${NAME}``/``$NAME`` environment reference."""
    from omkit_sagemaker.base.diagnostics import json_path
    from omkit_sagemaker.spec.schema import secret_keys as schema_secret_keys

    names = frozenset(schema_secret_keys() if secret_keys is None else secret_keys)
    found: list[str] = []

    def walk(node: Any, path: tuple[str | int, ...]) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in names and _is_literal(value):
                    found.append(json_path((*path, key)))
                else:
                    walk(value, (*path, key))
        elif isinstance(node, list):
            for index, value in enumerate(node):
                walk(value, (*path, index))

    walk(data, ())
    return found


def _is_literal(value: Any) -> bool:
    if value is None or value == "":
        return False
    return not (isinstance(value, str) and ENV_REFERENCE.fullmatch(value))


def render(options: Options, connector: str = SAGEMAKER) -> Rendered:
    """Fill the template of ``connector`` from ``options`` and check the result.

    Raises :class:`ScaffoldError` naming every problem when the options cannot make a valid
    config: an auth mode without the value it needs, an invalid URL or regex, or anything the
    validator (``omkit validate``: schemas and lint rules) reports as an error. Its warnings are
    returned, except those about literal secrets, which :attr:`Rendered.secrets` lists.
    """
    if connector != SAGEMAKER:
        template_path(connector)  # an unknown connector gets the list of known ones
        raise ScaffoldError(f"omkit cannot fill the '{connector}' template from options")
    problems = check_options(options)
    if problems:
        raise ScaffoldError("; ".join(problems))
    active, inactive = plan(options)
    text = fill(template_text(connector), active, inactive)
    data, warnings = _verify(text, active)
    secrets = literal_secrets(data)
    advice = tuple(d.message for d in warnings if d.path not in secrets)
    return Rendered(text=text, warnings=advice, secrets=tuple(secrets))


def _verify(text: str, active: Mapping[KeyPath, Value]) -> tuple[dict[str, Any], list[Diagnostic]]:
    """Read ``text`` as ``metadata ingest`` would and check it as ``omkit validate`` does.

    Returns the data and the warnings; raises :class:`ScaffoldError` on any error, and on a value
    that did not come out as asked (which would be a bug here, not a user mistake).
    """
    from omkit_sagemaker.base.diagnostics import Severity
    from omkit_sagemaker.check.loader import load_text
    from omkit_sagemaker.check.validate import check_document

    loaded = load_text(text, "<generated config>", environ=None)
    found = list(loaded.diagnostics)
    if loaded.document is not None:
        found.extend(check_document(loaded.document))
    errors = [d for d in found if d.severity is Severity.ERROR or d.code == "Y009"]
    if errors or loaded.document is None:
        raise ScaffoldError("; ".join(d.message for d in errors))
    data = loaded.document.data
    for path, value in active.items():
        if value is None:
            continue
        got: Any = data
        for part in path:
            got = got.get(part) if isinstance(got, dict) else None
        want = list(value) if isinstance(value, tuple) else value
        if got != want or type(got) is not type(want):  # pragma: no cover - a bug, not a user error
            raise ScaffoldError(f"internal error: {'.'.join(path)} did not come out as asked")
    return data, [d for d in found if d.severity is Severity.WARNING]


# --------------------------------------------------------------------------- writing


def write_file(path: str | Path, text: str, *, force: bool = False, private: bool = False) -> None:
    """Write ``text`` to ``path`` atomically (:mod:`omkit_sagemaker.base.safewrite`): a
    temporary file in the same folder, flushed to disk, then renamed over the target, so the
    target is never seen half-written.

    Refuses (:class:`TargetExistsError`) when ``path`` exists, unless ``force``; even then, a
    target that is not a regular file (a directory, a device, a pipe; a link is followed to its
    file and written through) or whose folder is missing raises
    :class:`~omkit_sagemaker.base.safewrite.UnsafeTarget`. An existing file keeps its mode;
    ``private`` makes it at most 0600 (it holds a secret).
    """
    target = Path(path)
    if not force and os.path.lexists(target):
        raise TargetExistsError(f"{target} already exists (use --force to overwrite it)")
    safewrite.write_text(target, text, private=private)


@dataclass(frozen=True)
class Scaffold:
    """The outcome of :func:`scaffold`: what was rendered and where it went."""

    rendered: Rendered
    path: Path | None = None
    private: bool = False


def scaffold(
    options: Options,
    output: str | Path | None = None,
    *,
    force: bool = False,
    connector: str = SAGEMAKER,
) -> Scaffold:
    """Render the template and, when ``output`` is given, write it (mode 0600 when it holds a
    literal secret). The caller prints ``rendered.text`` when there is no ``output``."""
    if output is not None and not force and os.path.lexists(output):
        raise TargetExistsError(f"{output} already exists (use --force to overwrite it)")
    rendered = render(options, connector)
    if output is None:
        return Scaffold(rendered=rendered)
    private = bool(rendered.secrets)
    write_file(output, rendered.text, force=force, private=private)
    return Scaffold(rendered=rendered, path=Path(output), private=private)
