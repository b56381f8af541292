"""CI runs the `omkit run` benchmark's quick mode: 100 models through moto and the OpenMetadata
double, `--workers 1` against the default; every run must succeed, the pool must be faster and
the peak memory under the bound (bench/run_bench.py; about 15 s)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "run_bench.py"


def test_run_bench_quick_mode_meets_its_targets() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "workers 8 vs 1:" in result.stdout
    assert "all targets met" in result.stdout
