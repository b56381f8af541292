"""Validate config files: read each one, check it, and collect its diagnostics.

This is the library behind ``omkit validate``; it never prints. Data flows one way:
file bytes -> :mod:`omkit_sagemaker.check.loader` (document with positions) -> checks ->
diagnostics.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from omkit_sagemaker.base.diagnostics import Diagnostic, make
from omkit_sagemaker.base.records import MutableRecord
from omkit_sagemaker.check import (
    discovery,
    rules,
    suppress,
    versions,
    yamlcompat,
)
from omkit_sagemaker.check.discovery import UsageError as UsageError
from omkit_sagemaker.check.generated import fastcheck
from omkit_sagemaker.check.loader import Document, LoadResult, load_bytes, load_text
from omkit_sagemaker.check.settings import Settings, SettingsError, load_settings, with_overrides


class Result(MutableRecord):
    """Everything found in one run over many files."""

    __slots__ = ("files", "diagnostics", "skipped")  # noqa: RUF023 - in field order, for repr

    files: list[str]
    diagnostics: list[Diagnostic]
    #: YAML files passed over because their content is not a workflow config.
    skipped: list[str]

    def __init__(
        self,
        files: list[str] | None = None,
        diagnostics: list[Diagnostic] | None = None,
        skipped: list[str] | None = None,
    ) -> None:
        self.files = [] if files is None else files
        self.diagnostics = [] if diagnostics is None else diagnostics
        self.skipped = [] if skipped is None else skipped


def collect_files(targets: Sequence[str | Path]) -> list[Path]:
    """The files :func:`check_paths` checks for ``targets`` (see
    :func:`omkit_sagemaker.check.discovery.collect`). Raises :class:`UsageError`."""
    return discovery.collect(targets).files


def _check(document: Document, settings: Settings) -> list[Diagnostic]:
    """Schema (for the target release), YAML-compatibility and rule diagnostics, unfiltered."""
    secrets = fastcheck.SECRET_KEYS
    if settings.target == versions.DEFAULT_TARGET and fastcheck.is_valid(document.data):
        found: list[Diagnostic] = []  # valid: no need to import jsonschema or explain anything
    else:
        from omkit_sagemaker.check import explain, releasemap, schemaerrors

        errors: Iterable[explain.Failure]
        try:
            errors = schemaerrors.iter_errors(document.data, settings.target)
        except schemaerrors.UnsupportedSchema:  # a keyword only jsonschema knows
            errors = versions.validator(settings.target).iter_errors(document.data)
        found = explain.explain(errors, document, secrets)
        found = releasemap.explain_versions(found, document, settings.target)
        found = _runner_accepts(found, document, settings.target)
    flagged = {d.path for d in found}  # an error on the value already says how YAML read it
    found.extend(w for w in yamlcompat.check(document, secrets) if w.path not in flagged)
    found.extend(rules.run(document, settings.target, disabled=settings.disable))
    return found


def _runner_accepts(
    found: list[Diagnostic], document: Document, target: versions.Version
) -> list[Diagnostic]:
    """``found`` less the schema errors on what ``metadata ingest`` takes as it is: the values
    its parser converts (R030 says so) and, from 2.0, unknown keys of lineageInformation, which it
    ignores (R031). An S or Y error claims the runner rejects the file, and these it runs."""
    from omkit_sagemaker.base.diagnostics import json_path
    from omkit_sagemaker.check.rules import coercion, runner

    if any(d.code == "S003" for d in found):
        converted = {json_path(p) for p, _ in coercion.converted_values(document, target)}
        found = [d for d in found if d.code != "S003" or d.path not in converted]
    if target >= (2, 0):
        lineage = json_path(runner.LINEAGE) + "."
        found = [d for d in found if d.code != "S001" or not d.path.startswith(lineage)]
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
    loaded = load_text(text, name, environ=environ)
    return loaded.document, _diagnose(loaded, text, settings or Settings())


def check_file(
    path: str | Path,
    *,
    environ: Mapping[str, str] | None = os.environ,
    settings: Settings | None = None,
) -> list[Diagnostic]:
    """Every diagnostic for one file. ``environ=None`` turns environment expansion off;
    ``settings=None`` reads them from the nearest pyproject.toml / .omkit.toml. A file that is
    not a regular file, or is larger than :data:`~omkit_sagemaker.check.discovery.MAX_BYTES`,
    gives one Y011 diagnostic (the file is never read)."""
    return check_path(path, environ=environ, settings=settings)[1]


def check_path(
    path: str | Path,
    *,
    environ: Mapping[str, str] | None = os.environ,
    settings: Settings | None = None,
) -> tuple[Document | None, list[Diagnostic]]:
    """:func:`check_file` with the document too (None when unreadable): the file is read once,
    for both (what ``omkit run`` checks and then runs)."""
    if settings is None:
        settings = load_settings(Path(path).parent)
    try:
        raw = discovery.read_bounded(Path(path))
    except UsageError as exc:
        return None, [make("Y011", str(path), 1, 1, f"cannot read the file: {exc}")]
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return None, [make("Y011", str(path), 1, 1, f"cannot read the file: {reason}")]
    loaded = load_bytes(raw, str(path), environ=environ)
    return loaded.document, _diagnose(loaded, raw.decode("utf-8", errors="replace"), settings)


def check_source(
    raw: bytes,
    name: str,
    *,
    environ: Mapping[str, str] | None = os.environ,
    settings: Settings | None = None,
) -> list[Diagnostic]:
    """Every diagnostic for the config bytes ``raw`` reported under the file name ``name``
    (standard input, an editor's buffer); ``settings=None`` means omkit's defaults."""
    loaded = load_bytes(raw, name, environ=environ)
    return _diagnose(loaded, raw.decode("utf-8", errors="replace"), settings or Settings())


def check_loaded(
    loaded: LoadResult, text: str, settings: Settings | None = None
) -> list[Diagnostic]:
    """Every diagnostic of a config already loaded from ``text``, as :func:`check_text` finds
    them, without parsing it again: ``omkit run --region`` checks each variant of a config
    (its loaded tree with a few values changed) this way."""
    return _diagnose(loaded, text, settings or Settings())


def _diagnose(loaded: LoadResult, text: str, settings: Settings) -> list[Diagnostic]:
    """The loader's and the checks' diagnostics, less what the file's comments (in ``text``,
    as written) and ``settings`` turn off, in file order."""
    found = list(loaded.diagnostics)
    if loaded.document is not None:
        found.extend(_check(loaded.document, settings))
        text = loaded.document.source
    return sorted(suppress.apply(found, text, settings), key=Diagnostic.sort_key)


def check_paths(
    targets: Sequence[str | Path],
    *,
    environ: Mapping[str, str] | None = os.environ,
    target_version: str | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    only_workflows: bool = False,
    stdin: bytes | None = None,
    stdin_name: str | None = None,
) -> Result:
    """Check every file the targets name (see :func:`collect_files`), each with the settings
    of its folder; ``target_version`` (``"1.3"``) overrides their target release, ``disable``
    and ``enable`` (codes) their turned-off codes. ``-`` among the targets stands for ``stdin``
    (bytes already read), reported as ``stdin_name`` (default ``<stdin>``) and checked with the
    settings of that name's folder. With ``only_workflows``, named files whose content is not a
    workflow config are skipped too. Raises :class:`UsageError` for bad arguments, and when
    there is nothing to check (an empty directory must not look like a clean run), unless
    every named file was skipped under ``only_workflows``."""
    try:
        target = versions.parse_version(target_version) if target_version else None
    except ValueError as exc:
        raise UsageError(f"--target-version: {exc}") from None
    found = discovery.collect(targets, only_workflows=only_workflows)
    result = Result(skipped=[str(p) for p in found.skipped])
    if not found.files and not (only_workflows and found.skipped):
        where = ", ".join(str(t) for t in targets) or "the arguments"
        n = len(found.skipped)
        also = f" ({n} YAML file{'s are' if n != 1 else ' is'} not a workflow config)" if n else ""
        raise UsageError(f"no workflow config to check in {where}{also}")
    by_folder: dict[Path, Settings] = {}
    for path in found.files:
        is_stdin = str(path) == discovery.STDIN
        name = (stdin_name or "<stdin>") if is_stdin else str(path)
        folder = (
            (Path(stdin_name).parent if stdin_name else Path.cwd()) if is_stdin else path.parent
        )
        result.files.append(name)
        try:
            settings = by_folder.get(folder) or load_settings(folder)
            by_folder[folder] = settings
            settings = with_overrides(settings, disable=disable, enable=enable)
        except SettingsError as exc:
            raise UsageError(str(exc)) from None
        if target is not None:
            settings = settings.replace(target=target)
        if is_stdin:
            raw = stdin if stdin is not None else b""
            result.diagnostics.extend(check_source(raw, name, environ=environ, settings=settings))
        else:
            result.diagnostics.extend(check_file(path, environ=environ, settings=settings))
    return result
