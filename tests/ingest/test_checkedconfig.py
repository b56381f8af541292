"""The one check of a run's config (omkit_sagemaker.ingest.checkedconfig): what it holds, that
it never shows a secret, and when a run may take it instead of checking again."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from omkit_sagemaker.ingest import checkedconfig
from omkit_sagemaker.ingest.ingestrun import RunOptions

from testing.samples import AWS_SECRET, config_text

ENV = {"SM_SECRET": AWS_SECRET, "OM_JWT": "a.b.c"}


def test_a_valid_config_has_its_workflow_and_secrets_and_shows_none(tmp_path: Path) -> None:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text("http://127.0.0.1:9/api", "http://127.0.0.1:9"), "utf-8")

    checked = checkedconfig.check(path, ENV)

    assert checked.workflow is not None
    assert checked.errors == []
    assert checked.problem is None
    assert checked.document is not None  # with positions, for messages
    assert AWS_SECRET in checked.secrets
    assert AWS_SECRET not in repr(checked)
    assert AWS_SECRET not in str(checked)


def test_an_invalid_config_has_its_errors_with_positions_and_no_workflow(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    text = config_text("http://127.0.0.1:9/api", "http://127.0.0.1:9")
    path.write_text(text.replace("serviceName:", "srvName:", 1), "utf-8")

    checked = checkedconfig.check(path, ENV)

    assert checked.workflow is None
    assert checked.errors
    assert all(d.file == str(path) and d.line > 0 for d in checked.errors)


def test_a_run_takes_the_check_only_when_it_is_the_check_of_its_config(tmp_path: Path) -> None:
    path = tmp_path / "sm.yaml"
    path.write_text(config_text("http://127.0.0.1:9/api", "http://127.0.0.1:9"), "utf-8")
    options = RunOptions(environ=ENV)
    checked = checkedconfig.check(path, ENV)
    with_it = replace(options, checked=checked)

    assert checkedconfig.for_run(path, with_it) is checked
    for other, other_path in (
        (replace(with_it, text="source: {}\n"), path),  # another text
        (replace(with_it, environ=dict(os.environ)), path),  # another environment
        (replace(with_it, disable=("R001",)), path),  # other codes
        (with_it, tmp_path / "other.yaml"),  # another file
    ):
        assert checkedconfig.for_run(other_path, other) is not checked
