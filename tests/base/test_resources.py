"""The files omkit ships beside its code (omkit_sagemaker.base.resources): in a source checkout
they are the repository's own spec/ and templates/, which the JSON Schemas and the template of
``omkit init`` are read from. (In a wheel they are ``omkit_sagemaker/_data/``:
tests/cli/test_packaging.py installs one.)"""

from __future__ import annotations

from pathlib import Path

from omkit_sagemaker.base.resources import spec_dir, templates_dir

REPO = Path(__file__).resolve().parents[2]


def test_a_checkout_reads_the_repository_s_spec_and_templates() -> None:
    assert spec_dir() == REPO / "spec"
    assert templates_dir() == REPO / "templates"
    assert (spec_dir() / "metadataIngestion" / "workflow.json").is_file()
    assert (templates_dir() / "sagemaker.yaml").is_file()
