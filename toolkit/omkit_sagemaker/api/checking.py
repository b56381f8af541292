"""The Python API's :func:`validate`: check configs as ``omkit validate`` does.

Paths (files and directories) go through the checker as the command line gives them
(:func:`validate_paths`, which ``omkit validate`` calls); YAML text and dicts are checked as
``<yaml>`` and ``<dict>`` with the settings of the current folder. Nothing raises for bad input:
the :class:`~omkit_sagemaker.api.checked.ValidationResult` says it. Importable from
:mod:`omkit_sagemaker.api`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from omkit_sagemaker.api.checked import ValidationResult
from omkit_sagemaker.api.configs import Config, ConfigError, job_of

if TYPE_CHECKING:
    from omkit_sagemaker.ingest.multirun import Job


def validate(
    configs: Config | Sequence[Config],
    *,
    environ: Mapping[str, str] | None = os.environ,
    target_version: str | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    only_workflows: bool = False,
) -> ValidationResult:
    """Check configs as ``omkit validate`` does: paths (files and directories), YAML text or
    dicts (reported as ``<yaml>`` and ``<dict>``, checked with the settings of the current
    folder). Never raises for bad input: a path that does not exist, an unknown code, a bad
    ``target_version`` are the result's ``usage_error``."""
    single = isinstance(configs, (str, os.PathLike, Mapping))
    items: list[Config] = [configs] if single else list(configs)  # type: ignore[list-item,arg-type]
    paths: list[str] = []
    texts: list[Job] = []
    try:
        for index, config in enumerate(items):
            job = job_of(config, index)
            if job.text is None:
                paths.append(str(job.path))
            else:
                texts.append(job)
    except ConfigError as exc:
        return ValidationResult(usage_error=str(exc))
    out = ValidationResult()
    if paths:
        out = validate_paths(
            paths,
            environ=environ,
            target_version=target_version,
            disable=disable,
            enable=enable,
            only_workflows=only_workflows,
        )
    if out.usage_error is None and texts:
        _validate_texts(texts, out, environ, target_version, disable, enable)
    return out


def validate_paths(
    paths: Sequence[str],
    *,
    environ: Mapping[str, str] | None = os.environ,
    target_version: str | None = None,
    disable: Sequence[str] = (),
    enable: Sequence[str] = (),
    only_workflows: bool = False,
    stdin: bytes | None = None,
    stdin_name: str | None = None,
) -> ValidationResult:
    """:func:`validate` for path arguments as the command line gives them (``-`` is
    ``stdin``, already read, reported as ``stdin_name``); ``omkit validate`` calls it."""
    from omkit_sagemaker.check.settings import split_codes
    from omkit_sagemaker.check.validate import UsageError, check_paths

    try:
        found = check_paths(
            paths,
            environ=environ,
            target_version=target_version,
            disable=split_codes(list(disable)),
            enable=split_codes(list(enable)),
            only_workflows=only_workflows,
            stdin=stdin,
            stdin_name=stdin_name,
        )
    except UsageError as exc:
        return ValidationResult(usage_error=str(exc))
    return ValidationResult(found.files, found.diagnostics, found.skipped)


def _validate_texts(
    texts: Sequence[Job],
    out: ValidationResult,
    environ: Mapping[str, str] | None,
    target_version: str | None,
    disable: Sequence[str],
    enable: Sequence[str],
) -> None:
    from omkit_sagemaker.check import versions
    from omkit_sagemaker.check.settings import (
        SettingsError,
        load_settings,
        split_codes,
        with_overrides,
    )
    from omkit_sagemaker.check.validate import check_text

    try:
        settings = with_overrides(
            load_settings(Path.cwd()),
            disable=split_codes(list(disable)),
            enable=split_codes(list(enable)),
        )
        if target_version:
            settings = settings.replace(target=versions.parse_version(target_version))
    except (SettingsError, ValueError) as exc:
        out.usage_error = str(exc)
        return
    for job in texts:
        _, found = check_text(
            job.text or "",
            job.path.name,
            environ=None if job.no_env else environ,
            settings=settings,
        )
        out.files.append(job.path.name)
        out.diagnostics.extend(found)
