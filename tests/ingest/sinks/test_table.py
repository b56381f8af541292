"""The table of sinks (omkit_sagemaker.ingest.sinks.table): the run builds its sink from the
entry of its ``sink.type`` only, so one entry is all a new sink needs; and the table and the
config check agree on which sink types exist."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.check.rules import pipeline
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions
from omkit_sagemaker.ingest.mapping import ModelRequest, ServiceRequest
from omkit_sagemaker.ingest.sinks import table
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.spec.models.workflow import Workflow

from testing.awsfixtures import MotoServer, create_model
from testing.samples import AWS_SECRET, config_text


class MemorySink:
    """A sink that keeps what it is given (a stand-in for a sink added to the table)."""

    def __init__(self, status: RunStatus, prefix: str) -> None:
        self.status = status
        self.prefix = prefix
        self.service: str | None = None
        self.models: list[str] = []
        self.finished = False

    def start(self, service: ServiceRequest) -> str:
        self.service = service.name
        return service.name

    def write(self, model: ModelRequest) -> None:
        self.models.append(self.prefix + model.name)
        self.status.model_written(created=True)

    def finish(self) -> None:
        self.finished = True

    def abort(self) -> None:
        """Nothing to drop."""


@pytest.fixture
def memory(monkeypatch: pytest.MonkeyPatch) -> list[MemorySink]:
    """A ``memory`` sink (config key ``prefix``) in the table and in the check's sink types."""
    built: list[MemorySink] = []

    def build(
        config: Mapping[str, Any],
        workflow: Workflow,
        status: RunStatus,
        settings: table.SinkSettings,
    ) -> table.BuiltSink:
        sink = MemorySink(status, str(config.get("prefix", "")))
        built.append(sink)
        return table.BuiltSink("memory", sink)

    entry = table.SinkEntry(frozenset({"prefix"}), build)
    monkeypatch.setitem(table.SINKS, "memory", entry)
    monkeypatch.setattr(pipeline, "SINK_TYPES", (*pipeline.SINK_TYPES, "memory"))
    return built


def _config(tmp_path: Path, moto: MotoServer, config: str) -> Path:
    text = config_text("http://127.0.0.1:9/api", moto.endpoint, sink="memory")
    path = tmp_path / "sm.yaml"
    path.write_text(text.replace("  config: {}\n", f"  config: {config}\n", 1), encoding="utf-8")
    return path


def _options(**changes: Any) -> RunOptions:
    return RunOptions(environ={"SM_SECRET": AWS_SECRET, "OM_JWT": "t0ken"}, **changes)


def test_the_table_and_the_config_check_know_the_same_sinks() -> None:
    assert set(table.SINKS) == set(pipeline.SINK_TYPES)


def test_one_entry_in_the_table_is_a_new_sink(
    moto: MotoServer, tmp_path: Path, memory: list[MemorySink]
) -> None:
    create_model(moto, "churn", Image="123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1")
    create_model(moto, "fraud", Image="123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:2")
    result = ingestrun.run(_config(tmp_path, moto, "{prefix: 'm/'}"), _options())
    assert result.exit_code == 0, result.fatal
    assert result.sink == "memory"
    (sink,) = memory
    assert (sink.service, sorted(sink.models), sink.finished) == (
        "local_sagemaker",
        ["m/churn", "m/fraud"],
        True,
    )
    assert (result.status.processed, result.status.created) == (2, 2)


def test_a_new_sink_gets_the_unknown_key_check_and_the_dry_run(
    moto: MotoServer, tmp_path: Path, memory: list[MemorySink]
) -> None:
    create_model(moto, "churn", Image="123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1")
    bad = ingestrun.run(_config(tmp_path, moto, "{prefx: 'm/'}"), _options())
    assert bad.exit_code == 1
    assert bad.fatal == (
        "sink.config.prefx: the memory sink does not know this key (it knows prefix)"
    )
    dry = ingestrun.run(_config(tmp_path, moto, "{prefix: 'm/'}"), _options(dry_run=True))
    assert dry.exit_code == 0, dry.fatal
    assert dry.plan is not None
    assert dry.plan.create == ["local_sagemaker.churn"]
    assert [s.models for s in memory] == [[]]  # built, wrapped, never written to


def test_an_unknown_sink_type_names_the_sinks_of_the_table(tmp_path: Path) -> None:
    text = config_text("http://127.0.0.1:9/api", "http://127.0.0.1:9", sink="console")
    path = tmp_path / "sm.yaml"
    path.write_text(text, encoding="utf-8")
    result = ingestrun.run(path, _options(disable=("R018",)))
    assert result.fatal == (
        "sink.type is 'console': omkit run writes to metadata-rest or file "
        "(the sinks of metadata ingest)"
    )
