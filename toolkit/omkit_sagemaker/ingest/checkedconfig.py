"""A run's config, read and checked once: the one value every part of a run takes.

``omkit run`` checks a config as ``omkit validate`` does before anything runs. The file is read
once (:func:`check`), and what came of it -- the document with its positions, the diagnostics,
the typed :class:`~omkit_sagemaker.spec.models.workflow.Workflow` and its secret values -- is a
:class:`CheckedConfig` that the run (:mod:`omkit_sagemaker.ingest.ingestrun`), its status in
OpenMetadata (:mod:`omkit_sagemaker.ingest.pipelinestatus`), the conflict check of many configs
(:mod:`omkit_sagemaker.ingest.multirun`) and the Airflow DAG share, through
:attr:`RunOptions.checked <omkit_sagemaker.ingest.ingestrun.RunOptions.checked>`
(:func:`for_run` takes it from there, or checks the config when it is not there).

Not to be confused with :mod:`omkit_sagemaker.api.checked`, the results ``validate`` returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.ingest.redaction import secret_values
from omkit_sagemaker.spec.modelbase import ModelError, without_nulls
from omkit_sagemaker.spec.models.workflow import Workflow

if TYPE_CHECKING:
    from omkit_sagemaker.check.loader import Document, LoadResult
    from omkit_sagemaker.ingest.ingestrun import RunOptions


@dataclass(frozen=True)
class CheckedConfig:
    """One config, checked: what the check found and, when it is valid, the typed workflow.

    ``path`` names the config in messages; ``text`` is the config when it is not the file's
    content (the Python API, ``--region``). ``environ``, ``disable`` and ``enable`` are what it
    was checked with (:meth:`fits` compares them with a run's options)."""

    path: Path
    #: Kept out of ``repr`` (the text, the environment, the document and the secrets hold
    #: secret values).
    text: str | None = field(default=None, repr=False)
    environ: Mapping[str, str] | None = field(default=None, repr=False)
    disable: tuple[str, ...] = ()
    enable: tuple[str, ...] = ()
    #: The parsed document, with positions (None when the file cannot be read or parsed).
    document: Document | None = field(default=None, repr=False)
    #: Every diagnostic of the check, errors and the others, in file order.
    diagnostics: tuple[Diagnostic, ...] = ()
    #: The typed config, when it is valid.
    workflow: Workflow | None = None
    #: The values of its ``format: password`` fields (for the redactor).
    secrets: frozenset[str] = field(default_factory=frozenset, repr=False)
    #: Why there is no workflow when no diagnostic says it (bad settings, a model error).
    problem: str | None = None

    @property
    def errors(self) -> list[Diagnostic]:
        """The diagnostics that stop a run."""
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    def fits(self, path: Path, options: RunOptions) -> bool:
        """Whether this is the check of ``path`` as a run with ``options`` would check it."""
        return (
            self.path == path
            and self.text == options.text
            and self.environ is options.environ
            and self.disable == tuple(options.disable)
            and self.enable == tuple(options.enable)
        )


def check(
    path: Path,
    environ: Mapping[str, str] | None,
    *,
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
    text: str | None = None,
) -> CheckedConfig:
    """Read ``path`` once (or take ``text``) and check it as ``omkit validate`` does, with the
    codes of ``disable`` off and of ``enable`` on and the settings of ``path``'s folder; never
    raises for a bad config (the result says why)."""
    from omkit_sagemaker.check.settings import SettingsError, load_settings, with_overrides
    from omkit_sagemaker.check.validate import check_path, check_text

    given = CheckedConfig(path, text, environ, tuple(disable), tuple(enable))
    try:
        settings = with_overrides(load_settings(path.parent), disable=disable, enable=enable)
    except SettingsError as exc:
        return replace(given, problem=str(exc))
    if text is None:
        document, found = check_path(path, environ=environ, settings=settings)
    else:
        document, found = check_text(text, str(path), environ=environ, settings=settings)
    return _typed(replace(given, document=document, diagnostics=tuple(found)))


def check_loaded(
    path: Path,
    loaded: LoadResult,
    environ: Mapping[str, str] | None,
    *,
    disable: Iterable[str] = (),
    enable: Iterable[str] = (),
) -> CheckedConfig:
    """:func:`check` of a config already loaded (``loaded``, with ``$VAR`` expanded from
    ``environ``) and named ``path``: a ``--region`` variant, whose tree
    :func:`omkit_sagemaker.ingest.expand.variant_of` made from its file's; nothing is read or
    parsed."""
    from omkit_sagemaker.check import validate
    from omkit_sagemaker.check.settings import SettingsError, load_settings, with_overrides

    given = CheckedConfig(path, None, environ, tuple(disable), tuple(enable))
    try:
        settings = with_overrides(load_settings(path.parent), disable=disable, enable=enable)
    except SettingsError as exc:
        return replace(given, problem=str(exc))
    source = loaded.document.source if loaded.document is not None else ""
    found = validate.check_loaded(loaded, source, settings)
    return _typed(replace(given, document=loaded.document, diagnostics=tuple(found)))


def _typed(checked: CheckedConfig) -> CheckedConfig:
    """``checked`` with its typed workflow and secrets when it has no error."""
    if checked.errors:
        return checked
    document = checked.document
    if document is None:  # cannot happen after a clean check, but be sure
        return replace(checked, problem=f"cannot read {checked.path}")
    try:
        workflow = Workflow.from_dict(without_nulls(document.data))
    except ModelError as exc:
        return replace(checked, problem=f"{checked.path}: {exc}")
    return replace(checked, workflow=workflow, secrets=frozenset(secret_values(workflow)))


def for_run(path: Path, options: RunOptions) -> CheckedConfig:
    """The check of ``path`` for a run with ``options``: ``options.checked`` when it is that
    check, else a new one."""
    if options.checked is not None and options.checked.fits(path, options):
        return options.checked
    return check(
        path, options.environ, disable=options.disable, enable=options.enable, text=options.text
    )
