"""CI runs the benchmark's quick mode: the import budget of `omkit --help` and `omkit validate`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "validate_bench.py"


def test_validate_bench_quick_mode_passes_the_import_budget() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "omkit validate sagemaker.yaml    imports heavy modules: none" in result.stdout
