"""CI runs the language server bench's quick mode: a few rounds of its didChange-to-diagnostics
latency. (The import budget of `omkit validate` is tests/cli/test_import_budget.py.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

LSP_BENCH = Path(__file__).resolve().parents[2] / "bench" / "lsp_bench.py"


def test_lsp_bench_quick_mode_meets_the_latency_target() -> None:
    result = subprocess.run(
        [sys.executable, str(LSP_BENCH), "--quick"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "didChange -> publishDiagnostics, 100-line config" in result.stdout
