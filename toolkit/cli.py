"""The ``omkit`` command line: parse arguments, call the library, print, exit.

Every command is a thin shell over an ordinary function in ``toolkit``; heavy modules are
imported inside the commands so that ``omkit validate`` (run on every commit) starts fast.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from toolkit import __version__

app = typer.Typer(
    name="omkit",
    help="Write, check and run OpenMetadata SageMaker ingestion configs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


class OutputFormat(str, Enum):
    """Report formats of ``omkit validate``."""

    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"


def _version(value: bool) -> None:
    if value:
        typer.echo(f"omkit {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Write, check and run OpenMetadata SageMaker ingestion configs."""


def _fail_usage(message: str) -> typer.Exit:
    typer.echo(f"omkit: error: {message}", err=True)
    return typer.Exit(code=2)


@app.command()
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
) -> None:
    """Check configs against the schemas: exit 0 when valid, 1 on errors, 2 on usage problems."""
    from toolkit import report
    from toolkit.diagnostics import has_errors
    from toolkit.validate import UsageError, validate_paths

    try:
        result = validate_paths(paths, environ=None if no_env else os.environ)
    except UsageError as exc:
        raise _fail_usage(str(exc)) from None
    color = output_format is OutputFormat.text and report.use_color(sys.stdout)
    sys.stdout.write(
        report.render(result.diagnostics, result.files, output_format.value, color=color)
    )
    if has_errors(result.diagnostics, strict=strict):
        raise typer.Exit(code=1)


def main() -> None:
    """Console-script entry point: run the app and turn any unexpected failure into one line."""
    try:
        app()
    except KeyboardInterrupt:
        sys.stderr.write("omkit: interrupted\n")
        raise SystemExit(130) from None
    except Exception as exc:  # never show a traceback to a user
        sys.stderr.write(f"omkit: internal error ({type(exc).__name__}); please report it\n")
        raise SystemExit(3) from None
