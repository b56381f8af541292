"""``omkit validate`` and ``omkit rules``."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from omkit_sagemaker.cli.shared import (
    _WRITE,
    DisableOption,
    EnableOption,
    OutputFormat,
    app,
)


@app.command(rich_help_panel=_WRITE)
def validate(
    paths: Annotated[
        list[str],
        typer.Argument(
            metavar="PATH...",
            help="Config files, directories to search for workflow configs, or - for stdin.",
        ),
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
    disable: DisableOption = None,
    enable: EnableOption = None,
    only_workflows: Annotated[
        bool,
        typer.Option(
            "--only-workflows",
            help="Skip named files that are not workflow configs (no top-level source or "
            "workflowConfig key), as directories always do; the pre-commit hook passes it.",
        ),
    ] = False,
    stdin_filename: Annotated[
        str | None,
        typer.Option(
            "--stdin-filename",
            metavar="NAME",
            help="The file name to report standard input (-) under; its folder's settings apply.",
        ),
    ] = None,
    baseline: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Report only problems not recorded in this baseline."),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(metavar="FILE", help="Record today's problems in FILE (then exit 0)."),
    ] = None,
) -> None:
    """Check configs against the schemas: exit 0 when valid, 1 on errors, 2 on usage problems."""
    from omkit_sagemaker.cli.validating import ValidateArgs
    from omkit_sagemaker.cli.validating import validate as run_validate

    code = run_validate(
        ValidateArgs(
            paths=paths,
            output_format=output_format.value,
            strict=strict,
            no_env=no_env,
            target_version=target_version,
            disable=disable or [],
            enable=enable or [],
            only_workflows=only_workflows,
            stdin_filename=stdin_filename,
            baseline=baseline,
            write_baseline=write_baseline,
        )
    )
    if code:
        raise typer.Exit(code=code)


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
