"""CI runs the benchmarks' quick modes: the import budget of `omkit --help` and `omkit validate`
(pygls, the language server's library, included), and a few rounds of the language server's
didChange-to-diagnostics latency."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "validate_bench.py"
LSP_BENCH = BENCH.with_name("lsp_bench.py")


def test_validate_bench_quick_mode_passes_the_import_budget() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "omkit validate sagemaker.yaml    imports heavy modules: none" in result.stdout


def test_lsp_bench_quick_mode_meets_the_latency_target() -> None:
    result = subprocess.run(
        [sys.executable, str(LSP_BENCH), "--quick"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "didChange -> publishDiagnostics, 100-line config" in result.stdout
