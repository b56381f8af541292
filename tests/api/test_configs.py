"""``omkit_sagemaker.api.configs``: what a config argument of the Python API is (a path, YAML text
or a dict) and the run it makes; a dict nested 100,000 deep (or holding itself) is one clear
problem in the result, never a ``RecursionError`` (it is counted without recursion before it is
written as YAML)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import omkit_sagemaker
import pytest
from omkit_sagemaker.api.configs import ConfigError, job_of, jobs_of, too_deep

MESSAGE = "the config dict is nested more than 100 levels deep"


def _nested(depth: int) -> dict[str, Any]:
    top: dict[str, Any] = {}
    inner = top
    for _ in range(depth):
        inner["k"] = {}
        inner = inner["k"]
    return {"source": top}


@pytest.mark.parametrize("depth", [100_000, 101])
def test_a_dict_nested_too_deep_is_one_problem_not_a_traceback(depth: int) -> None:
    config = _nested(depth)
    assert omkit_sagemaker.validate(config).usage_error == MESSAGE
    summary = omkit_sagemaker.run(config, dry_run=True)
    assert (summary.success, summary.exit_code, summary.fatal) == (False, 2, MESSAGE)
    assert omkit_sagemaker.run_many([config], dry_run=True).usage_error == MESSAGE


def test_a_dict_that_holds_itself_is_one_problem() -> None:
    config: dict[str, Any] = {"source": {}}
    config["source"]["again"] = config
    found = omkit_sagemaker.validate(config)
    assert [d.code for d in found.diagnostics] == ["Y007"]  # an alias that never ends


def test_a_dict_just_within_the_limit_is_checked_as_yaml_would_be() -> None:
    found = omkit_sagemaker.validate(_nested(99))
    assert found.usage_error is None
    assert [d.code for d in found.diagnostics] == ["Y001"]  # the loader's own depth limit


def test_a_config_is_a_path_yaml_text_or_a_dict() -> None:
    path = job_of("configs/sm.yaml")
    assert (path.path, path.text) == (Path("configs/sm.yaml"), None)
    assert job_of(Path("sm.yaml")).path == Path("sm.yaml")
    text = job_of("source:\n  type: sagemaker\n", 2)
    assert (text.path, text.text, text.no_env) == (
        Path("<yaml>#3"),
        "source:\n  type: sagemaker\n",
        False,
    )
    assert job_of("{source: {type: sagemaker}}").path == Path("<yaml>")
    from_dict = job_of({"source": {"type": "sagemaker", "serviceName": "${NAME}"}})
    assert from_dict.path == Path("<dict>")
    assert from_dict.no_env  # $VAR references kept as written, as upstream keeps them
    assert from_dict.text == "source:\n  type: sagemaker\n  serviceName: ${NAME}\n"
    with pytest.raises(ConfigError, match="a config is a path, YAML text or a dict, not int"):
        job_of(42)  # type: ignore[arg-type]


def test_depth_is_counted_without_recursion_and_cycles_end() -> None:
    assert not too_deep(_nested(99), 100)
    assert too_deep(_nested(100), 100)
    assert too_deep({"a": [[[1]]]}, 2)
    assert not too_deep({"a": [[[1]]]}, 3)
    loop: dict[str, Any] = {}
    loop["again"] = loop
    assert not too_deep(loop, 5)


def test_no_config_is_a_usage_error() -> None:
    with pytest.raises(ConfigError, match="no config given"):
        jobs_of([])
