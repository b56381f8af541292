"""Shared pytest fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest
from samples import SAGEMAKER_SAMPLE
from wheelhouse import build_project_wheel, build_wheelhouse


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``slow`` marker (tests that build wheels and virtual environments)."""
    config.addinivalue_line(
        "markers", "slow: builds wheels and fresh virtual environments (deselect: -m 'not slow')"
    )
    # pytest-xdist's own marker, declared here too so that `-p no:xdist` keeps --strict-markers.
    config.addinivalue_line(
        "markers", "xdist_group(name): tests that share a costly session fixture, on one worker"
    )


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of wheels for omkit's runtime dependencies and hatchling, built offline."""
    return build_wheelhouse(tmp_path_factory.mktemp("wheelhouse"))


@pytest.fixture(scope="session")
def omkit_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """omkit's own wheel, built from this checkout without network or build isolation."""
    return build_project_wheel(tmp_path_factory.mktemp("omkit-wheel"))


@pytest.fixture(scope="session")
def sagemaker_configs() -> dict[str, str]:
    """``good.yaml`` (the connector-page sample) and ``bad.yaml`` (service type misspelt)."""
    return {
        "good.yaml": SAGEMAKER_SAMPLE,
        "bad.yaml": SAGEMAKER_SAMPLE.replace("type: SageMaker", "type: Sagemaker"),
    }


# The fault-injecting proxy in front of moto (see awsfaults.py).
from awsfaults import aws_faults  # noqa: E402, F401

# Shared fixtures of the tests that need a moto server (see awsfixtures.py).
from awsfixtures import aws_env, moto, moto_session  # noqa: E402, F401

# The recording OpenMetadata test double (see omdouble.py).
from omdouble import om_server  # noqa: E402, F401
