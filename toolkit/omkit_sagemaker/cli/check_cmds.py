"""``omkit validate`` and ``omkit rules``."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from omkit_sagemaker.cli.app import _WRITE, OutputFormat, _fail_usage, app


@app.command(rich_help_panel=_WRITE)
def validate(
    paths: Annotated[
        list[Path],
        typer.Argument(help="Config files, or directories to search for *.yaml / *.yml files."),
    ],
    output_format: Annotated[
        OutputFormat, typer.Option("--format", "-f", help="How to report problems.")
    ] = OutputFormat.text,
    strict: Annotated[bool, typer.Option("--strict", help="Fail on warnings too.")] = False,
    no_env: Annotated[
        bool,
        typer.Option("--no-env", help="Do not expand $VAR / ${VAR} from the environment first."),
    ] = False,
    target_version: Annotated[
        str | None,
        typer.Option(
            "--target-version",
            metavar="X.Y",
            help="OpenMetadata release the configs are for (default: target-version of the "
            "tool.omkit table in pyproject.toml or .omkit.toml, else 1.1).",
        ),
    ] = None,
) -> None:
    """Check configs against the schemas: exit 0 when valid, 1 on errors, 2 on usage problems."""
    from omkit_sagemaker.base.diagnostics import has_errors
    from omkit_sagemaker.check import report
    from omkit_sagemaker.check.validate import UsageError, validate_paths

    try:
        result = validate_paths(
            paths, environ=None if no_env else os.environ, target_version=target_version
        )
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    color = output_format is OutputFormat.text and report.use_color(sys.stdout)
    sys.stdout.write(
        report.render(result.diagnostics, result.files, output_format.value, color=color)
    )
    if has_errors(result.diagnostics, strict=strict):
        raise typer.Exit(code=1)


class RulesFormat(str, Enum):
    """Output formats of ``omkit rules``."""

    text = "text"
    json = "json"
    markdown = "markdown"


@app.command("rules", rich_help_panel=_WRITE)
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
