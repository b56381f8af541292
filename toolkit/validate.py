"""Validate config files: read each one, check it, and collect its diagnostics.

This is the library behind ``omkit validate``; it never prints. Data flows one way:
file bytes -> :mod:`toolkit.loader` (document with positions) -> checks -> diagnostics.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from toolkit import explain, schema, yamlcompat
from toolkit.diagnostics import Diagnostic
from toolkit.loader import Document, load_file

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
    seen: set[Path] = set()
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
            if item not in seen:
                seen.add(item)
                out.append(item)
    return out


def check_document(document: Document) -> list[Diagnostic]:
    """Schema and YAML-compatibility diagnostics for a loaded document."""
    secrets = schema.secret_keys()
    errors = schema.validator().iter_errors(document.data)
    found = explain.explain(errors, document, secrets)
    flagged = {d.path for d in found}  # an error on the value already says how YAML read it
    found.extend(w for w in yamlcompat.check(document, secrets) if w.path not in flagged)
    return found


def check_file(
    path: str | Path, *, environ: Mapping[str, str] | None = os.environ
) -> list[Diagnostic]:
    """Every diagnostic for one file. ``environ=None`` turns environment expansion off."""
    loaded = load_file(path, environ=environ)
    found = list(loaded.diagnostics)
    if loaded.document is not None:
        found.extend(check_document(loaded.document))
    return sorted(found, key=Diagnostic.sort_key)


def validate_paths(
    targets: Sequence[str | Path], *, environ: Mapping[str, str] | None = os.environ
) -> Result:
    """Check every file the targets name (see :func:`collect_files`)."""
    result = Result()
    for path in collect_files(targets):
        result.files.append(str(path))
        result.diagnostics.extend(check_file(path, environ=environ))
    return result
