"""Deep input through the Python API: a config dict nested 100,000 deep (or holding itself) is
one clear problem in the result, never a ``RecursionError``."""
# The dict is counted without recursion before it is written as YAML (api.too_deep).

from __future__ import annotations

from typing import Any

import omkit_sagemaker
import pytest

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
