"""``omkit validate`` and ``omkit rules``."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from omkit_sagemaker.cli.app import (
    _WRITE,
    DisableOption,
    EnableOption,
    OutputFormat,
    _fail_usage,
    app,
)

#: Standard input is read up to this many bytes (the file size cap, plus one to tell).
_STDIN_LIMIT = 4 * 1024 * 1024 + 1


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
    from omkit_sagemaker.base.diagnostics import has_errors
    from omkit_sagemaker.check import report
    from omkit_sagemaker.check.settings import split_codes
    from omkit_sagemaker.check.validate import UsageError, validate_paths

    stdin = sys.stdin.buffer.read(_STDIN_LIMIT) if "-" in paths else None
    if stdin is not None and len(stdin) >= _STDIN_LIMIT:
        raise _fail_usage("standard input: more than 4 MiB is more than a config; not read")
    try:
        result = validate_paths(
            paths,
            environ=None if no_env else os.environ,
            target_version=target_version,
            disable=split_codes(disable or []),
            enable=split_codes(enable or []),
            only_workflows=only_workflows,
            stdin=stdin,
            stdin_name=stdin_filename,
        )
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    note = _apply_baseline(result, baseline, write_baseline)
    color = output_format is OutputFormat.text and report.use_color(sys.stdout)
    rendered = report.render(
        result.diagnostics,
        result.files,
        output_format.value,
        color=color,
        skipped=len(result.skipped),
    )
    sys.stdout.write(rendered)
    if note:  # the summary's last line in text; beside machine-readable output, on stderr
        (sys.stdout if output_format is OutputFormat.text else sys.stderr).write(note + "\n")
    if write_baseline is None and has_errors(result.diagnostics, strict=strict):
        raise typer.Exit(code=1)


def _apply_baseline(result: Any, baseline: Path | None, write: Path | None) -> str:
    """Record (``--write-baseline``) or take out (``--baseline``) the baseline's problems."""
    from omkit_sagemaker.check import baseline as baselines

    try:
        if write is not None:
            return baselines.record(result.diagnostics, result.files, write)
        if baseline is None:
            return ""
        filtered = baselines.filter_result(result.diagnostics, result.files, baseline)
    except (baselines.BaselineError, OSError) as exc:
        raise _fail_usage(str(exc)) from None
    result.diagnostics = filtered.diagnostics
    return filtered.note(str(baseline))


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
