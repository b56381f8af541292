"""The fast path of ``omkit validate`` (its own parser, no typer) against the typer command: the
same options, the same output and exit code for the same arguments, and a fallback to typer for
everything it does not handle."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import typer
from omkit_sagemaker.cli import app, fastpath
from typer.testing import CliRunner

from testing.samples import SAMPLE_ENV, TEMPLATE


def _typer_options() -> set[str]:
    command: Any = typer.main.get_command(app)
    validate = command.commands["validate"]
    names = {o for p in validate.params if p.param_type_name == "option" for o in p.opts}
    return names - {"-h", "--help"}


def _fast_options() -> set[str]:
    return set(fastpath.OPTIONS)


def test_both_parsers_know_the_same_options() -> None:
    assert _fast_options() == _typer_options()


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name, value in SAMPLE_ENV.items():
        monkeypatch.setenv(name, value)
    shutil.copyfile(TEMPLATE, tmp_path / "good.yaml")
    bad = TEMPLATE.read_text(encoding="utf-8").replace("type: SageMaker", "type: Sagemaker", 1)
    (tmp_path / "bad.yaml").write_text(bad, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize(
    "argv",
    [
        ["good.yaml"],
        ["bad.yaml", "good.yaml"],
        ["-f", "json", "bad.yaml"],
        ["--format=sarif", "bad.yaml"],
        ["--no-env", "--strict", "good.yaml"],
        ["--disable", "R020", "--disable=R011,R017", "bad.yaml"],
        ["--target-version", "2.0", "good.yaml"],
        ["--only-workflows", "."],
        ["missing.yaml"],
        ["--disable", "S001", "good.yaml"],
        ["good.yaml", "--strict", "bad.yaml"],
        ["--enable=R011", "--stdin-filename", "x.yaml", "good.yaml"],
        ["--format", "json", "--format=text", "bad.yaml"],
        ["--target-version=", "good.yaml"],
    ],
)
def test_the_fast_path_answers_as_typer_does(
    folder: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    code = fastpath.run(["validate", *argv])
    fast = capsys.readouterr()
    assert code is not None
    slow = CliRunner().invoke(app, ["validate", *argv])
    assert (code, fast.out) == (slow.exit_code, slow.stdout)
    assert fast.err == slow.stderr


@pytest.mark.parametrize(
    "argv",
    [
        ["rules"],
        ["validate", "--help"],
        ["validate"],
        ["validate", "--format", "xml", "good.yaml"],
        ["validate", "--strictly", "good.yaml"],
        ["validate", "--form", "json", "good.yaml"],
        ["validate", "--", "-f"],
        ["validate", "-fjson", "good.yaml"],
        ["validate", "-f=json", "good.yaml"],
        ["validate", "--strict=yes", "good.yaml"],
        ["validate", "good.yaml", "--disable"],
        ["validate", "--disable", "--strict", "good.yaml"],
    ],
)
def test_anything_else_is_left_to_typer(folder: Path, argv: list[str]) -> None:
    assert fastpath.run(argv) is None
