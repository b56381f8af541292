"""The options of ``omkit validate`` are declared once (``cli/validating.OPTIONS``): the typer
command, the fast path's parser and ``ValidateArgs`` all take each one, under the same name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer
from omkit_sagemaker.cli import app, fastpath
from omkit_sagemaker.cli.validating import OPTIONS, ValidateArgs

#: A value the fast path accepts for each kind, and what ValidateArgs then holds.
SAMPLES: dict[str, tuple[str | None, Any]] = {
    "flag": (None, True),
    "value": ("x", "x"),
    "format": ("json", "json"),
    "path": ("b.json", Path("b.json")),
    "list": ("R020", ["R020"]),
}


def test_every_declared_option_is_a_typer_option_of_the_same_field() -> None:
    command: Any = typer.main.get_command(app)
    typer_fields = {
        p.name: tuple(p.opts) for p in command.commands["validate"].params if p.name != "paths"
    }
    assert typer_fields == {field: flags for field, flags, *_ in OPTIONS}


@pytest.mark.parametrize(("field", "flags", "kind"), [o[:3] for o in OPTIONS])
def test_each_declared_option_reaches_its_validate_args_field_on_the_fast_path(
    field: str, flags: tuple[str, ...], kind: str
) -> None:
    given, held = SAMPLES[kind]
    for flag in flags:
        argv = [flag] if given is None else [flag, given]
        parsed = fastpath.parse([*argv, "a.yaml"])
        assert parsed is not None
        assert getattr(parsed, field) == held
        assert parsed == ValidateArgs(["a.yaml"], **{field: held})


def test_validate_args_fields_are_the_declared_ones() -> None:
    assert ValidateArgs.__slots__ == ("paths", *(o[0] for o in OPTIONS))
    plain = ValidateArgs(["a.yaml"])
    assert (plain.output_format, plain.disable, plain.baseline) == ("text", [], None)
    with pytest.raises(TypeError, match="'colour'"):
        ValidateArgs(["a.yaml"], colour=True)
