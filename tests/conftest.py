"""Shared pytest fixtures."""

from __future__ import annotations

import os
import signal
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest

from testing.samples import SAGEMAKER_SAMPLE
from testing.wheelhouse import build_project_wheel, build_wheelhouse

#: The shared fixtures of the :mod:`testing` package: the fault-injecting proxy in front of
#: moto (``aws_faults``), the moto server and its session (``aws_env``, ``moto``,
#: ``moto_session``), and the recording OpenMetadata double (``om_server``).
pytest_plugins = ["testing.awsfixtures", "testing.awsfaults", "testing.omdouble"]


def pytest_configure(config: pytest.Config) -> None:
    """Register the ``slow`` marker (tests that build wheels and virtual environments); compile
    each module once, not in every process (:func:`bytecode_cache`)."""
    config.addinivalue_line(
        "markers", "slow: builds wheels and fresh virtual environments (deselect: -m 'not slow')"
    )
    bytecode_cache()
    interruptible()


def interruptible() -> None:
    """Give SIGINT its default action again where this run was started with it ignored (a
    background job of a non-interactive shell, ``nohup``): the processes the tests start inherit
    an ignored signal, and the tests that press Ctrl-C on ``omkit`` would see it run on. A Python
    handler is reset to the default in every process started from here, the workers included."""
    if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto``: two workers per core. Many tests spend their time waiting, not computing
    (an ``omkit`` subprocess starting, a timeout that must expire, a silent server), so a second
    worker on each core fills those waits: on a 2-core machine the suite took 3 min 34 s with
    4 workers against 4 min 06 s with 2, for the same CPU time."""
    return 2 * (os.cpu_count() or 1)


def bytecode_cache() -> None:
    """Let this run write bytecode (``__pycache__``, which git ignores) where the environment
    says not to (``PYTHONDONTWRITEBYTECODE``, as some container images set): otherwise every
    ``omkit`` subprocess of the end-to-end tests compiles omkit's modules from source again, and
    each pytest-xdist worker rewrites every test module again, on every run (a fifth to a third
    of the CPU of the tests that start omkit). This process, its workers and the subprocesses
    started with its environment write and share it."""
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:
        sys.dont_write_bytecode = False


def built_once(
    tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], Path]
) -> Path:
    """``build(folder)`` once per test run. Under pytest-xdist the workers share one result:
    the first builds it under a file lock in the run's common temporary folder, the others
    wait and take it (the pattern of pytest-xdist's documentation)."""
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return build(tmp_path_factory.mktemp(name))
    from filelock import FileLock

    root = tmp_path_factory.getbasetemp().parent
    done = root / f"{name}.done"
    with FileLock(str(root / f"{name}.lock")):
        if done.is_file():
            return Path(done.read_text(encoding="utf-8"))
        result = build(Path(tempfile.mkdtemp(prefix=f"{name}-", dir=root)))
        done.write_text(str(result), encoding="utf-8")
        return result


@pytest.fixture(scope="session")
def wheelhouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder of wheels for omkit's runtime dependencies and hatchling, built offline."""
    return built_once(tmp_path_factory, "wheelhouse", build_wheelhouse)


@pytest.fixture(scope="session")
def omkit_wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """omkit's own wheel, built from this checkout without network or build isolation."""
    return built_once(tmp_path_factory, "omkit-wheel", build_project_wheel)


@pytest.fixture(scope="session")
def sagemaker_configs() -> dict[str, str]:
    """``good.yaml`` (the connector-page sample) and ``bad.yaml`` (service type misspelt)."""
    return {
        "good.yaml": SAGEMAKER_SAMPLE,
        "bad.yaml": SAGEMAKER_SAMPLE.replace("type: SageMaker", "type: Sagemaker"),
    }
