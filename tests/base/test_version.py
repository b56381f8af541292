"""The version of omkit (omkit_sagemaker.base.version): the one the CLI and the reports show is
the installed distribution's, as pyproject.toml declares it."""

from __future__ import annotations

import sys
from importlib.metadata import version
from pathlib import Path

import omkit_sagemaker
from omkit_sagemaker.base.version import __version__

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"


def test_the_version_is_the_distribution_s_and_pyproject_s() -> None:
    declared = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))["project"]["version"]
    assert __version__ == declared == version("omkit-sagemaker")
    assert omkit_sagemaker.__version__ == __version__
