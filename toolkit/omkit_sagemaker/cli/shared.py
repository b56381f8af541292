"""The typer app every command module registers on, and what they share: the help sections,
the usage-error exit, and how paths are shown."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from omkit_sagemaker.api.runoptions import BY_NAME
from omkit_sagemaker.base.version import __version__
from omkit_sagemaker.check.reporters import FORMATS

# Sections of `omkit --help`.
WRITE_SECTION = "Write and check configs"
RUN_SECTION = "Run against AWS and OpenMetadata"
DEVELOP_SECTION = "Editors and development"

app = typer.Typer(
    name="omkit",
    help="Write, check and run OpenMetadata SageMaker ingestion configs.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def choice(name: str, values: Sequence[str]) -> Any:
    """A ``str`` enum of ``values``, which typer shows and checks as a choice: the values stay
    declared where they belong (an output format, a run option's choices), not here."""
    make: Any = Enum  # built from data, which mypy's Enum() plugin cannot follow
    return make(name, {value: value for value in values}, type=str)


#: ``omkit validate --format``: the formats ``check.reporters`` declares, so a new format is one
#: renderer there and nothing here.
OutputFormat = choice("OutputFormat", FORMATS)


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


#: ``--disable`` / ``--enable``, shared by validate, test-connection and run (declared with the
#: run options).
DisableOption = Annotated[
    list[str] | None,
    typer.Option(
        *BY_NAME["disable"].flags, metavar=BY_NAME["disable"].metavar, help=BY_NAME["disable"].help
    ),
]
EnableOption = Annotated[
    list[str] | None,
    typer.Option(
        *BY_NAME["enable"].flags, metavar=BY_NAME["enable"].metavar, help=BY_NAME["enable"].help
    ),
]


def fail_usage(message: str) -> typer.Exit:
    """Say ``omkit: error: message`` on stderr; the exit (code 2) is for the caller to raise."""
    typer.echo(f"omkit: error: {message}", err=True)
    return typer.Exit(code=2)


def option_codes(values: list[str] | None, option: str) -> list[str]:
    """The codes of a repeatable ``--disable``/``--enable`` option, each checked (exit 2 for an
    unknown code or one that cannot be turned off)."""
    from omkit_sagemaker.check.settings import SettingsError, check_code, split_codes

    try:
        return [check_code(code, option) for code in split_codes(values or [])]
    except SettingsError as exc:
        raise fail_usage(str(exc)) from None


def check_config_file(file: Path) -> None:
    """Exit 2 unless ``file`` is a config file omkit may read (one wording for every command)."""
    from omkit_sagemaker.check.discovery import UsageError, check_readable

    try:
        check_readable(file)
    except UsageError as exc:
        raise fail_usage(str(exc)) from None


def shown_path(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it, for messages."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()
