"""A run's state in OpenMetadata, when the config names an ingestion pipeline.

With ``ingestionPipelineFQN`` set (top level of the config, with ``pipelineRunId`` beside it),
``metadata ingest`` reports the run to the server, and so does ``omkit run``: the pipeline must
exist (``GET /services/ingestionPipelines/name/{fqn}``); then the status is put with
``PUT /services/ingestionPipelines/{fqn}/pipelineStatus`` (a ``PipelineStatus``: ``runId``,
``pipelineState``, ``startDate``, ``timestamp``, ``endDate`` in epoch milliseconds, and a
``status`` list with one step summary: records, warnings, errors, filtered). The states:

- ``queued``: the run waits for its turn (``omkit run DIR``, Airflow's validate task);
- ``running``: it has started;
- ``success``: it ended without an error;
- ``partialSuccess``: it ended with errors, but at least :data:`SUCCESS_THRESHOLD` percent of
  the models went through (upstream's rule);
- ``failed``: fewer, or the run was stopped (invalid config, server unreachable, a signal).

``runId`` is ``pipelineRunId`` when set, else a new UUID per run. A pipeline that does not exist,
or a server that refuses the status, is a warning (logged, and in the run's warnings): the
ingestion itself goes on and its exit code does not change.
"""

from __future__ import annotations

import logging
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from omkit_sagemaker.ingest import checkedconfig
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError

log = logging.getLogger("omkit.run")

#: The share of models (percent) that must go through for ``partialSuccess`` (upstream: 90).
SUCCESS_THRESHOLD = 90.0
#: The step name the status lists (upstream names the source step after the connector).
STEP = "SageMaker"
PATH = "/services/ingestionPipelines"


def status_path(fqn: str) -> str:
    return f"{PATH}/{urllib.parse.quote(fqn, safe='')}/pipelineStatus"


def pipeline_path(fqn: str) -> str:
    return f"{PATH}/name/{urllib.parse.quote(fqn, safe='')}"


def now_ms() -> int:
    return int(time.time() * 1000)


def final_state(result: RunResult) -> str:
    """``success``, ``partialSuccess`` or ``failed`` for a finished run (see the module doc)."""
    if result.fatal is not None or result.signal is not None:
        return "failed"
    errors = result.status.error_count
    if errors == 0:
        return "success"
    processed = result.status.processed
    share = processed * 100.0 / (processed + errors)
    return "partialSuccess" if share >= SUCCESS_THRESHOLD else "failed"


@dataclass
class Reporter:
    """Reports one run's states (a no-op when the config names no pipeline)."""

    client: OpenMetadataClient | None = None
    fqn: str = ""
    run_id: str = ""
    started: int = 0
    #: The last state the server took.
    state: str | None = None
    #: Why nothing could be reported, once that is known.
    warning: str | None = None

    @classmethod
    def for_config(cls, path: Path, options: RunOptions, run_id: str | None = None) -> Reporter:
        """The reporter of the config ``path`` (with ``options.text``, when set); a no-op one
        when the config names no pipeline or cannot be read (the run then says why).
        ``run_id`` is the ``runId`` when the config has no ``pipelineRunId`` (default: new).
        The config is ``options.checked`` when that is its check (else it is checked here)."""
        workflow = checkedconfig.for_run(path, options).workflow
        if workflow is None:
            return cls()
        fqn = workflow.ingestionPipelineFQN
        if not fqn or options.dry_run:
            return cls()
        try:
            client = OpenMetadataClient(
                workflow.workflowConfig.openMetadataServerConfig,
                timeout=options.http_timeout,
                retries=options.http_retries,
                backoff=options.http_backoff,
            )
        except OpenMetadataError as exc:
            return cls(warning=f"ingestionPipelineFQN {fqn}: {exc}")
        run_id = workflow.pipelineRunId or run_id or str(uuid.uuid4())
        reporter = cls(client, fqn, run_id, now_ms())
        try:
            found = client.get(pipeline_path(fqn))
        except OpenMetadataError as exc:
            reporter._give_up(f"cannot read the ingestion pipeline ({exc})")
            return reporter
        if found is None:
            reporter._give_up("OpenMetadata has no such ingestion pipeline")
        return reporter

    def put(self, state: str, result: RunResult | None = None) -> None:
        """Report ``state`` (with the run's counts once it has ended)."""
        if self.client is None:
            return
        body: dict[str, Any] = {
            "runId": self.run_id,
            "pipelineState": state,
            "startDate": self.started,
            "timestamp": now_ms(),
        }
        if result is not None:
            body["endDate"] = now_ms()
            status = result.status
            body["status"] = [
                {
                    "name": STEP,
                    "records": status.processed,
                    "warnings": status.warning_count,
                    "errors": status.error_count + (1 if result.fatal is not None else 0),
                    "filtered": status.filtered,
                }
            ]
        try:
            self.client.put(status_path(self.fqn), body)
        except OpenMetadataError as exc:
            self._give_up(f"the server did not take the status ({exc})")
            return
        self.state = state

    def finish(self, result: RunResult) -> str | None:
        """Report the run's final state; returns the state reported (None when none was).
        A warning about reporting goes into the run's warnings."""
        if self.client is not None:
            self.put(final_state(result), result)
        if self.client is not None:
            self.client.close()
        if self.warning is not None:
            result.status.warn("pipeline status", self.warning, quiet=True)
        return self.state

    def _give_up(self, why: str) -> None:
        self.warning = f"ingestionPipelineFQN {self.fqn}: {why}; the run's status is not reported"
        log.warning("%s", self.warning)
        if self.client is not None:
            self.client.close()
        self.client = None
