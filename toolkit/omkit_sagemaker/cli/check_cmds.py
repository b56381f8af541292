"""``omkit validate`` and ``omkit rules``."""

from __future__ import annotations

import inspect
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from omkit_sagemaker.check.reporters import FORMATS
from omkit_sagemaker.cli.shared import (
    WRITE_SECTION,
    DisableOption,
    EnableOption,
    OutputFormat,
    app,
)
from omkit_sagemaker.cli.validating import DEFAULTS, OPTIONS, ValidateArgs

_KINDS: dict[str, Any] = {
    "flag": bool,
    "value": str | None,
    "format": OutputFormat,
    "path": Path | None,
    "list": list[str] | None,
}


def _declared(command: Any) -> Any:
    """Give ``command`` (``paths, **given``) a typer parameter per declared validate option."""
    params = [
        inspect.Parameter(
            "paths",
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
            annotation=Annotated[
                list[str],
                typer.Argument(
                    metavar="PATH...",
                    help="Config files, directories to search for workflow configs, or - for "
                    "stdin.",
                ),
            ],
        )
    ]
    shared = {"disable": DisableOption, "enable": EnableOption}
    for field, flags, kind, metavar, help_text in OPTIONS:
        default = OutputFormat(FORMATS[0]) if kind == "format" else DEFAULTS.get(kind)
        annotation: Any
        if help_text is None:
            annotation = shared[field]
        else:
            hint = _KINDS[kind]
            option = typer.Option(*flags, metavar=metavar, help=help_text)
            annotation = Annotated[hint, option]
        params.append(
            inspect.Parameter(
                field, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
            )
        )
    command.__signature__ = inspect.Signature(params, return_annotation=None)
    command.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    return command


@app.command(rich_help_panel=WRITE_SECTION)
@_declared
def validate(paths: list[str], **given: Any) -> None:
    """Check configs against the schemas: exit 0 when valid, 1 on errors, 2 on usage problems."""
    from omkit_sagemaker.cli.validating import validate as run_validate

    given["output_format"] = given["output_format"].value
    code = run_validate(ValidateArgs(paths, **given))
    if code:
        raise typer.Exit(code=code)


class RulesFormat(str, Enum):
    """Output formats of ``omkit rules``."""

    text = "text"
    json = "json"
    markdown = "markdown"


@app.command("rules", rich_help_panel=WRITE_SECTION)
def rules_command(
    output_format: Annotated[
        RulesFormat, typer.Option("--format", "-f", help="text, json or markdown (docs/rules.md).")
    ] = RulesFormat.text,
) -> None:
    """List every code omkit reports (Y: YAML, S: schema, R: rules) with severity and meaning."""
    from omkit_sagemaker.check import rules

    render = {
        RulesFormat.text: rules.catalogue_text,
        RulesFormat.json: rules.catalogue_json,
        RulesFormat.markdown: rules.markdown,
    }[output_format]
    sys.stdout.write(render())
