"""CI runs the `omkit run` benchmark's quick mode (bench/run_bench.py, about 40 s): 100 models
through moto (+20 ms per call) and the OpenMetadata double as a 2.0 server. It checks call
counts and writes, not timings: at most 0.05 AWS calls per model with Search allowed, and no
model sent by a second run of the unchanged estate."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run_bench.py"


def test_run_bench_quick_mode_checks_calls_per_model_and_second_run_writes() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
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
