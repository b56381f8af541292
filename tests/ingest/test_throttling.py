"""A SageMaker that throttles: the run slows down to the rate AWS allows and loses nothing.

The fault proxy (testing/awsfaults.py) sits in front of moto and answers ThrottlingException (HTTP
400, the AWS JSON error shape) above 10 requests per second. botocore's adaptive retry mode,
which ``omkit run`` uses, backs off and limits the client's rate, so every model is read and
written (with ``aws_retry_mode="standard"`` this run loses models to ThrottlingException: each
call retries on its own, with no shared rate). No timing here: bench/throttle_bench.py
measures how close to the limit the run gets.
"""

from __future__ import annotations

from pathlib import Path

from omkit_sagemaker.ingest import ingestrun
from omkit_sagemaker.ingest.ingestrun import RunOptions

from testing.awsfaults import FaultProxy
from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

MODELS = 40


def test_a_run_through_a_throttling_sagemaker_completes_with_no_error(
    moto: MotoServer, aws_faults: FaultProxy, om_server: OMServer, tmp_path: Path
) -> None:
    for i in range(MODELS):
        create_model(moto, f"m-{i:02d}", Image="registry.example.com/m:1")
    aws_faults.rate_limit, aws_faults.burst = 10.0, 2.0
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(om_server.url, aws_faults.endpoint), encoding="utf-8")
    options = RunOptions(
        environ={"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token},
        workers=32,  # far more than the limit lets through at once
        assets=frozenset({"models"}),
        http_backoff=0.0,
    )
    result = ingestrun.run(path, options)
    assert aws_faults.throttled > 0  # the limit was hit: the test means something
    assert result.exit_code == 0, result.status.errors[:3]
    assert result.status.error_count == 0
    assert len(om_server.live_models()) == MODELS
