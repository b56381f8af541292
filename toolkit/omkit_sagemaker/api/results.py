"""What the Python API returns: plain, typed dataclasses (no heavy import here)."""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.api.checked import ConfigProblem

if TYPE_CHECKING:
    from omkit_sagemaker.ingest.ingestrun import RunResult


@dataclass(frozen=True)
class ModelFailure:
    """A model that could not be read from SageMaker or written to the sink."""

    name: str
    message: str


@dataclass(frozen=True)
class Problem:
    """One error or warning of a run: what it is about (``model churn``, ``ListModels``)."""

    subject: str
    message: str


@dataclass
class RunSummary:
    """The outcome of one run (:func:`omkit_sagemaker.run`). ``success`` is false for every
    ordinary failure (an invalid config, a server that cannot be reached, a model that could
    not be written); ``fatal`` says what stopped the run, if something did."""

    config: str
    success: bool
    exit_code: int
    service: str = ""
    region: str = ""
    sink: str = ""
    dry_run: bool = False
    processed: int = 0
    created: int = 0
    updated: int = 0
    filtered: int = 0
    warnings: int = 0
    errors: int = 0
    soft_deleted: int = 0
    duration: float = 0.0
    fatal: str | None = None
    model_failures: list[ModelFailure] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    config_errors: list[ConfigProblem] = field(default_factory=list)
    #: The state reported to OpenMetadata's pipeline-status endpoint (``ingestionPipelineFQN``
    #: set), or None when none was reported.
    pipeline_state: str | None = None
    #: What ``to_dict`` and ``to_text`` give, taken from the run's record when the summary is
    #: made: the summary keeps no reference to the record (the record knows nothing of it).
    _document: dict[str, Any] | None = field(default=None, init=False, repr=False, compare=False)
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    @classmethod
    def of(cls, result: RunResult, *, pipeline_state: str | None = None) -> RunSummary:
        """The summary of a run's full record (:class:`~omkit_sagemaker.ingest.ingestrun.
        RunResult`, which the ingestion returns)."""
        from omkit_sagemaker.ingest.runreport import as_json, render_text, total_errors

        status = result.status
        failures = [
            ModelFailure(p.subject.removeprefix("model "), p.message)
            for p in status.errors
            if p.subject.startswith("model ")
        ]
        soft = len(result.mark_deleted.models) if result.dry_run else status.soft_deleted
        summary = cls(
            config=result.file,
            success=result.exit_code == 0,
            exit_code=result.exit_code,
            service=result.service,
            region=result.region,
            sink=result.sink,
            dry_run=result.dry_run,
            processed=status.processed,
            created=status.created,
            updated=status.updated,
            filtered=status.filtered,
            warnings=status.warning_count,
            errors=total_errors(result),
            soft_deleted=soft,
            duration=result.duration,
            fatal=result.fatal,
            model_failures=failures,
            problems=[Problem(p.subject, p.message) for p in status.errors],
            config_errors=[ConfigProblem.of(d) for d in result.config_errors],
            pipeline_state=pipeline_state,
        )
        summary._document = as_json(result)
        summary._text = render_text(result)
        return summary

    def to_dict(self) -> dict[str, Any]:
        """The run as ``omkit run --format json`` prints it (secrets masked)."""
        if self._document is None:
            return {"file": self.config, "success": self.success, "exitCode": self.exit_code}
        document = copy.deepcopy(self._document)
        document["region"] = self.region or None
        document["pipelineState"] = self.pipeline_state
        return document

    def to_text(self) -> str:
        """The run as ``omkit run`` prints it: the summary table (and, for a dry run, the plan),
        secrets masked."""
        if self._text is not None:
            return self._text
        from omkit_sagemaker.ingest.redaction import REDACTOR

        if self.fatal is not None:  # a summary not made from a run: a usage error
            ending = f"Stopped: {self.fatal}"
        else:
            ending = "Finished successfully" if self.success else "Finished with errors"
        return REDACTOR.redact(f"Run of {self.config}\n\n{ending}\n")


@dataclass
class ManySummary:
    """The outcome of many runs (:func:`omkit_sagemaker.run_many`): one
    :class:`RunSummary` per config (and per ``--region``/``--profile``/``--role-arn``
    combination), in the order given. ``conflicts`` lists configs that would write the same
    OpenMetadata service or file: then nothing was run."""

    runs: list[RunSummary] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    #: Problems with the arguments (a path that does not exist, a directory without configs).
    usage_error: str | None = None
    duration: float = 0.0
    #: The signal (SIGINT, SIGTERM) that stopped the runs, if one did.
    signal: int | None = None

    @property
    def exit_code(self) -> int:
        """0 when every run succeeded, 1 when one failed, 2 when nothing could be run,
        128 + the signal's number when a signal stopped them."""
        if self.usage_error is not None or self.conflicts:
            return 2
        if self.signal is not None:
            return 128 + self.signal
        return 0 if all(r.success for r in self.runs) else 1

    @property
    def success(self) -> bool:
        return self.exit_code == 0

    @property
    def failed(self) -> list[RunSummary]:
        return [r for r in self.runs if not r.success]
