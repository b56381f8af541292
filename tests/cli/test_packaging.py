"""omkit's wheel: what it ships, and a clean offline install that validates configs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from testing.samples import SAMPLE_ENV
from testing.wheelhouse import REPO_ROOT, offline_env

pytestmark = pytest.mark.slow

#: The file name followed by a line number: ``bad.yaml:6``, ``bad.yaml:6:7``, ``bad.yaml, line 6``.
BAD_FILE_LINE = re.compile(r"bad\.yaml(?::|,? line |\s*\(line )(\d+)")
BIN = "Scripts" if os.name == "nt" else "bin"


def run(cmd: list[str | Path], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run ``cmd`` with no input, capturing its output (stderr merged into stdout)."""
    return subprocess.run(
        [str(c) for c in cmd],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )


def run_ok(cmd: list[str | Path], cwd: Path, env: dict[str, str]) -> str:
    """Run ``cmd``, fail the test with its output unless it exits 0, and return its output."""
    proc = run(cmd, cwd, env)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}:\n{proc.stdout}"
    return proc.stdout


def zf_metadata(wheel: Path) -> str:
    """The wheel's METADATA file."""
    with zipfile.ZipFile(wheel) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        return zf.read(name).decode()


def test_wheel_ships_schemas_and_templates(omkit_wheel: Path) -> None:
    """The wheel carries spec/ and templates/ under omkit_sagemaker/_data, and the console script;
    no top-level ``toolkit`` package is installed."""
    with zipfile.ZipFile(omkit_wheel) as zf:
        names = set(zf.namelist())
        entry_points = next(n for n in names if n.endswith(".dist-info/entry_points.txt"))
        scripts = zf.read(entry_points).decode()
    assert "omkit_sagemaker/_data/spec/metadataIngestion/workflow.json" in names
    assert any(n.startswith("omkit_sagemaker/_data/templates/") for n in names)
    assert re.search(r"^omkit\s*=\s*omkit_sagemaker\.cli:main\s*$", scripts, re.MULTILINE)
    tops = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert tops == {"omkit_sagemaker"}
    assert re.search(r"^Name: omkit-sagemaker$", zf_metadata(omkit_wheel), re.MULTILINE)


@pytest.fixture(scope="module")
def venv(tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path, omkit_wheel: Path) -> Path:
    """A fresh virtual environment with omkit installed from its wheel, offline (by this
    environment's pip: a venv of its own would first install pip; and without compiling every
    installed module, which these tests mostly never import: seconds of CPU for nothing)."""
    where = tmp_path_factory.mktemp("venv")
    path = where / "omkit-venv"
    env = offline_env(wheelhouse)
    run_ok([sys.executable, "-m", "venv", "--without-pip", path], where, env)
    pip: list[str | Path] = [sys.executable, "-m", "pip", "--python", path / BIN / "python"]
    run_ok(
        [*pip, "install", "--no-compile", "--no-index", "--find-links", wheelhouse, omkit_wheel],
        where,
        env,
    )
    return path


@pytest.fixture
def workdir(tmp_path: Path, sagemaker_configs: dict[str, str]) -> Path:
    """A folder outside the checkout holding ``good.yaml`` and ``bad.yaml``."""
    assert not tmp_path.resolve().is_relative_to(REPO_ROOT)
    for name, text in sagemaker_configs.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def test_installed_package_uses_its_own_data(venv: Path, workdir: Path) -> None:
    """In the venv, the package and its schemas come from site-packages, not from the checkout."""
    code = (
        "import sysconfig, omkit_sagemaker, omkit_sagemaker.base.resources as r\n"
        "print(sysconfig.get_path('purelib'))\n"
        "print(omkit_sagemaker.__file__)\n"
        "print(r.spec_dir())\n"
        "print(r.templates_dir())\n"
    )
    out = run_ok([venv / BIN / "python", "-c", code], workdir, offline_env())
    site, module, spec, templates = (Path(line).resolve() for line in out.splitlines()[-4:])
    for path in (module, spec, templates):
        assert path.is_relative_to(site), f"{path} is not inside {site}"
        assert not path.is_relative_to(REPO_ROOT), f"{path} is inside the checkout"
    assert (spec / "metadataIngestion" / "workflow.json").is_file()


def test_installed_cli_accepts_good_config(venv: Path, workdir: Path) -> None:
    """``omkit validate good.yaml`` exits 0."""
    proc = run(
        [venv / BIN / "omkit", "validate", "good.yaml"], workdir, {**offline_env(), **SAMPLE_ENV}
    )
    assert proc.returncode == 0, proc.stdout


def test_installed_cli_rejects_bad_config(
    venv: Path, workdir: Path, sagemaker_configs: dict[str, str]
) -> None:
    """``omkit validate bad.yaml`` exits 1 and points at the file and a line of the connection."""
    proc = run([venv / BIN / "omkit", "validate", "bad.yaml"], workdir, offline_env())
    assert proc.returncode == 1, proc.stdout
    match = BAD_FILE_LINE.search(proc.stdout)
    assert match, f"no 'bad.yaml:<line>' in the output:\n{proc.stdout}"
    lines = sagemaker_configs["bad.yaml"].splitlines()
    # The misspelt type is inside source.serviceConnection (lines 4 to 10 of the sample).
    first = lines.index("  serviceConnection:") + 1
    last = lines.index("        awsRegion: us-east-2") + 1
    assert first <= int(match.group(1)) <= last, proc.stdout
