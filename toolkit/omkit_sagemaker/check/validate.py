"""Validate config files: read each one, check it, and collect its diagnostics.

This is the library behind ``omkit validate``; it never prints. Data flows one way:
file bytes -> :mod:`omkit_sagemaker.check.loader` (document with positions) -> checks ->
diagnostics.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check import explain, fastcheck, rules, suppress, versions, yamlcompat
from omkit_sagemaker.check.loader import Document, load_file, load_text
from omkit_sagemaker.check.settings import Settings, SettingsError, load_settings
from omkit_sagemaker.spec import schema

#: What a directory argument expands to.
CONFIG_SUFFIXES = (".yaml", ".yml")


@dataclass
class Result:
    """Everything found in one run over many files."""

    files: list[str] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)


class UsageError(Exception):
    """A path argument that does not exist or cannot be checked."""


def collect_files(targets: Sequence[str | Path]) -> list[Path]:
    """Expand the arguments: files as given, directories to their ``*.yaml``/``*.yml`` (recursive,
    hidden folders skipped). Raises :class:`UsageError` for a path that does not exist."""
    out: list[Path] = []
    seen: set[Path] = set()  # resolved paths: a file named twice is checked once
    for target in targets:
        path = Path(target)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in CONFIG_SUFFIXES
                and p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
        elif path.exists():
            found = [path]
        else:
            raise UsageError(f"no such file or directory: {target}")
        for item in found:
            key = item.resolve()
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def _check(document: Document, settings: Settings) -> list[Diagnostic]:
    """Schema (for the target release), YAML-compatibility and rule diagnostics, unfiltered."""
    secrets = schema.secret_keys()
    if settings.target == versions.DEFAULT_TARGET and fastcheck.is_valid(document.data):
        found: list[Diagnostic] = []  # valid: no need to import jsonschema or explain anything
    else:
        errors = versions.validator(settings.target).iter_errors(document.data)
        found = explain.explain(errors, document, secrets)
        found = versions.explain_versions(found, document, settings.target)
    flagged = {d.path for d in found}  # an error on the value already says how YAML read it
    found.extend(w for w in yamlcompat.check(document, secrets) if w.path not in flagged)
    found.extend(rules.run(document, settings.target, disabled=settings.disable))
    return found


def check_document(document: Document, settings: Settings | None = None) -> list[Diagnostic]:
    """Schema, YAML-compatibility and rule diagnostics for a loaded document, less those that
    its ``# omkit: disable`` comments or ``settings`` (default: omkit's defaults) turn off."""
    settings = settings or Settings()
    return suppress.apply(_check(document, settings), document.source, settings)


def check_text(
    text: str,
    name: str,
    *,
    environ: Mapping[str, str] | None = os.environ,
    settings: Settings | None = None,
) -> tuple[Document | None, list[Diagnostic]]:
    """The document (None when unreadable) and every diagnostic for the text of one file, as
    :func:`check_file` finds them; ``settings=None``: omkit's defaults."""
    settings = settings or Settings()
    loaded = load_text(text, name, environ=environ)
    found = list(loaded.diagnostics)
    if loaded.document is not None:
        found.extend(_check(loaded.document, settings))
    return loaded.document, sorted(suppress.apply(found, text, settings), key=Diagnostic.sort_key)


def check_file(
    path: str | Path,
    *,
    environ: Mapping[str, str] | None = os.environ,
    settings: Settings | None = None,
) -> list[Diagnostic]:
    """Every diagnostic for one file. ``environ=None`` turns environment expansion off;
    ``settings=None`` reads them from the nearest pyproject.toml / .omkit.toml."""
    if settings is None:
        settings = load_settings(Path(path).parent)
    loaded = load_file(path, environ=environ)
    found = list(loaded.diagnostics)
    if loaded.document is not None:
        found.extend(_check(loaded.document, settings))
        text = loaded.document.source
    else:  # unreadable: its comments may still turn off a (disableable) loader code
        try:
            text = Path(path).read_bytes().decode("utf-8", errors="replace")
        except OSError:
            text = ""
    return sorted(suppress.apply(found, text, settings), key=Diagnostic.sort_key)


def validate_paths(
    targets: Sequence[str | Path],
    *,
    environ: Mapping[str, str] | None = os.environ,
    target_version: str | None = None,
) -> Result:
    """Check every file the targets name (see :func:`collect_files`), each with the settings
    of its folder; ``target_version`` (``"1.3"``) overrides their target release."""
    try:
        target = versions.parse_version(target_version) if target_version else None
    except ValueError as exc:
        raise UsageError(f"--target-version: {exc}") from None
    result = Result()
    by_folder: dict[Path, Settings] = {}
    for path in collect_files(targets):
        result.files.append(str(path))
        try:
            settings = by_folder.get(path.parent) or load_settings(path.parent)
        except SettingsError as exc:
            raise UsageError(str(exc)) from None
        by_folder[path.parent] = settings
        if target is not None:
            settings = replace(settings, target=target)
        result.diagnostics.extend(check_file(path, environ=environ, settings=settings))
    return result
