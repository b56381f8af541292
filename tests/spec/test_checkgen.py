"""The generator of the fast checker (omkit_sagemaker.spec.checkgen): the committed
check/generated/fastcheck.py is what it generates from spec/, generation is deterministic, a
schema keyword it cannot compile stops it, and it writes into the package."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
from omkit_sagemaker.check import versions
from omkit_sagemaker.check.generated import fastcheck
from omkit_sagemaker.spec import checkgen, schema


def test_the_committed_fast_checker_is_generated_from_spec() -> None:
    generated = checkgen.generate(versions.spec_for(versions.DEFAULT_TARGET), schema.load_spec())
    committed = checkgen.module_path().read_text(encoding="utf-8")
    assert committed == generated, (
        "check/generated/fastcheck.py is out of date: run `omkit codegen`"
    )


def test_generation_is_deterministic() -> None:
    spec = versions.spec_for(versions.DEFAULT_TARGET)
    assert checkgen.generate(spec) == checkgen.generate(copy.deepcopy(spec))


def test_an_unsupported_keyword_stops_the_generator() -> None:
    spec = {
        checkgen.WORKFLOW: {
            "$id": "https://omkit.dev/spec/metadataIngestion/workflow.json",
            "type": "object",
            "propertyNames": {"maxLength": 3},
        }
    }
    with pytest.raises(checkgen.NotCompilable, match="propertyNames"):
        checkgen.generate(spec)


def test_module_path_points_at_the_package() -> None:
    assert checkgen.module_path() == Path(fastcheck.__file__).resolve()
