"""CI runs the `omkit run` benchmark's quick mode (bench/run_bench.py, about 20 s): 100 models
through one moto process (+20 ms per call) and the OpenMetadata double as a 2.0 server. It
checks call counts and writes, not timings: at most 0.05 AWS calls per model with Search
allowed, and no model sent by a second run of the unchanged estate."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import urllib.request
from pathlib import Path

from testing.omdouble import OMServer

ROOT = Path(__file__).resolve().parents[2]


def test_run_bench_quick_mode_checks_calls_per_model_and_second_run_writes() -> None:
    result = subprocess.run(
        # one moto process (the bench's default of 2 spreads the timed runs' load; at 100
        # models, one page of each listing, the counts are the same with one)
        [sys.executable, "-m", "bench.run_bench", "--quick", "--moto-servers", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    found = re.search(r"--assets models, Search allowed\s+([0-9.]+)", result.stdout)
    assert found is not None, result.stdout
    assert float(found.group(1)) <= 0.05
    assert "second run, unchanged estate: 0 models sent to OpenMetadata" in result.stdout
    assert "all targets met" in result.stdout


#: The fields of OpenMetadata's BulkOperationResult and of its Response items, the types the
#: official 2.0.7.0 client parses the deleteStale answer with (unknown keys refused): the run
#: bench runs that client against the double.
BULK_RESULT_KEYS = {
    "dryRun",
    "status",
    "abortReason",
    "numberOfRowsProcessed",
    "numberOfRowsPassed",
    "numberOfRowsFailed",
    "successRequest",
    "failedRequest",
}
BULK_RESPONSE_KEYS = {"request", "message", "status", "hasSideEffects"}


def test_the_double_answers_delete_stale_with_a_bulk_operation_result() -> None:
    om = OMServer(version="2.0.7").start()
    try:
        om.seed_service("svc")
        om.seed_model("svc", "kept")
        om.seed_model("svc", "gone")
        body = {
            "scopeFqn": "svc",
            "scopeEntityType": "service",
            "seenFqns": ["svc.kept"],
            "recursive": True,
        }
        request = urllib.request.Request(
            f"{om.url}/v1/mlmodels/deleteStale",
            data=json.dumps(body).encode(),
            method="DELETE",
            headers={"Authorization": f"Bearer {om.token}", "Content-Type": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            answer = json.load(response)
    finally:
        om.stop()
    assert set(answer) <= BULK_RESULT_KEYS, answer
    assert answer["status"] == "success"
    assert answer["numberOfRowsPassed"] == 1
    assert all(set(item) <= BULK_RESPONSE_KEYS for item in answer["successRequest"])
    assert sorted(om.live_models()) == ["svc.kept"]
