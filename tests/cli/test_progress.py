"""Progress lines for unattended runs (issue 12, point 4): ``omkit run`` with stderr not a
terminal logs ``progress: N of M models done, E errors so far`` at most every 10 s."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from omkit_sagemaker.cli.progress import PROGRESS_EVERY, LineProgress
from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


class Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


@pytest.fixture
def lines() -> Iterator[Lines]:
    handler = Lines()
    logger = logging.getLogger("omkit.run")
    logger.addHandler(handler)
    level = logging.getLogger("omkit").level
    logging.getLogger("omkit").setLevel(logging.INFO)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logging.getLogger("omkit").setLevel(level)


def test_at_most_one_line_every_10_seconds(lines: Lines) -> None:
    now = [100.0]
    progress = LineProgress(clock=lambda: now[0])
    assert progress.every == PROGRESS_EVERY == 10.0
    status = RunStatus()
    progress.attach(status)
    for _ in range(50):  # 50 models in 6.25 s: no line yet
        now[0] += 0.125
        progress.advance()
    assert lines.lines == []
    progress.total(120)
    status.error("model x", "boom", quiet=True)
    now[0] += 4.0
    progress.advance()
    assert lines.lines == ["progress: 51 of 120 models done, 1 error so far"]
    now[0] += 9.0
    progress.advance()
    assert len(lines.lines) == 1
    now[0] += 1.0
    progress.advance()
    assert lines.lines[-1] == "progress: 53 of 120 models done, 1 error so far"


def test_a_run_reports_its_progress(
    moto: MotoServer, om_server: OMServer, tmp_path: Path, lines: Lines
) -> None:
    for name in ("a", "b", "c"):
        create_model(moto, name, Image="img/x:1")
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om_server.url, moto.endpoint), encoding="utf-8")
    progress = LineProgress(every=0.0)
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token}
    result = ingestrun.run(path, RunOptions(environ=environ, workers=1, progress=progress))
    assert result.exit_code == 0
    shown = [line for line in lines.lines if line.startswith("progress:")]
    assert shown[-1] == "progress: 3 of 3 models done, 0 errors so far"
