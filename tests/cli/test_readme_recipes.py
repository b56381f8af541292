"""The README's own recipes, run as written: the quick start and the ``init`` -> ``validate``
pair, on a machine without any AWS or OpenMetadata variable set (the pre-commit snippet and the
baseline recipe are run by ``test_precommit.py`` and ``test_cli_baseline.py``)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
BIN = Path(sys.executable).parent


def section(title: str) -> str:
    """The README's section under ``## title``, up to the next one."""
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def bash_blocks(text: str) -> list[str]:
    """The ```bash blocks of ``text``, continuation lines joined."""
    blocks = re.findall(r"```bash\n(.*?)```", text, flags=re.S)
    return [block.replace("\\\n", " ") for block in blocks]


def run(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """One README command, with ``omkit`` (or ``.venv/bin/omkit``) the one installed here, in
    an environment without AWS, OpenMetadata or omkit variables."""
    argv = shlex.split(command)
    assert Path(argv[0]).name == "omkit", command
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_", "OPENMETADATA_"))
    }
    omkit = shutil.which("omkit", path=str(BIN)) or "omkit"
    proc = subprocess.run(
        [omkit, *argv[1:]],
        cwd=cwd,
        env={**env, "NO_COLOR": "1"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def test_the_quick_start_sets_up_and_validates_and_its_test_command_is_ci_s() -> None:
    setup, tests = bash_blocks(section("Quick start"))
    steps = [step.strip() for step in setup.strip().split("&&")]
    assert steps[:2] == ["python3 -m venv .venv", ".venv/bin/pip install -e '.[dev]'"]
    checked = run(steps[2], cwd=ROOT)  # .venv/bin/omkit validate --no-env templates/...
    assert (checked.returncode, checked.stdout) == (0, "1 file checked: no problems\n")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").rstrip("\n").splitlines()[-1]
    assert tests.strip() == ci


def test_init_then_validate_as_the_readme_shows_passes_without_any_variable(
    tmp_path: Path,
) -> None:
    (block,) = bash_blocks(section("`omkit init sagemaker` and `omkit policy sagemaker`"))
    commands = [line.strip() for line in block.splitlines() if line.strip()]
    assert [shlex.split(c)[:2] for c in commands] == [["omkit", "init"], ["omkit", "validate"]]
    for command in commands:
        proc = run(command, cwd=tmp_path)
        assert proc.returncode == 0, (command, proc.stdout, proc.stderr)
    assert " 0 errors" in proc.stdout or "no problems" in proc.stdout
