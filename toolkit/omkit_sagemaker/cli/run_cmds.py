"""``omkit test-connection`` and ``omkit run``: against AWS and OpenMetadata."""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from omkit_sagemaker.cli.shared import (
    _RUN,
    DisableOption,
    EnableOption,
    _codes,
    _config_file,
    _fail_usage,
    app,
)


class ConnectionFormat(str, Enum):
    """Output formats of ``omkit test-connection``."""

    text = "text"
    json = "json"


@app.command("test-connection", rich_help_panel=_RUN)
def connection_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The ingestion config to test.")],
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=0.1, max=600, metavar="SECONDS", help="Connect and read timeout."
        ),
    ] = 10.0,
    skip_openmetadata: Annotated[
        bool, typer.Option("--skip-openmetadata", help="Leave out the OpenMetadata server step.")
    ] = False,
    output_format: Annotated[
        ConnectionFormat,
        typer.Option(
            "--format", "-f", help="text: a table on a terminal, plain lines otherwise; or json."
        ),
    ] = ConnectionFormat.text,
    disable: DisableOption = None,
    enable: EnableOption = None,
    assets: Annotated[
        list[str] | None,
        typer.Option(
            "--assets",
            metavar="KIND[,KIND]",
            help="Also check the calls of these omkit run asset kinds (training-jobs, "
            "endpoints, registry, features), one step each.",
        ),
    ] = None,
) -> None:
    """Check, step by step, that a config reaches AWS and OpenMetadata.

    Exit 0 when every mandatory step passes, 1 otherwise, 2 on usage problems.
    """
    from omkit_sagemaker.check.settings import SettingsError, load_settings, with_overrides
    from omkit_sagemaker.ingest import connection, estate

    _config_file(file)
    try:
        kinds = estate.parse_assets(assets) - {estate.MODELS} if assets else frozenset()
    except ValueError as exc:
        raise _fail_usage(str(exc)) from None
    off, on = _codes(disable, "--disable"), _codes(enable, "--enable")
    try:
        settings = with_overrides(load_settings(file.parent), disable=off, enable=on)
    except SettingsError as exc:
        raise _fail_usage(str(exc)) from None
    plain = output_format is ConnectionFormat.text and not sys.stdout.isatty()

    def progress(result: connection.StepResult) -> None:
        sys.stdout.write(connection.render_line(result))
        sys.stdout.flush()

    try:
        if output_format is ConnectionFormat.text and not plain:
            from rich.console import Console

            console = Console()
            with console.status("testing the connection..."):
                results = connection.check_connection(
                    file,
                    timeout=timeout,
                    openmetadata=not skip_openmetadata,
                    settings=settings,
                    assets=kinds,
                )
            connection.print_table(results, console)
        else:
            results = connection.check_connection(
                file,
                timeout=timeout,
                openmetadata=not skip_openmetadata,
                settings=settings,
                on_step=progress if plain else None,
                assets=kinds,
            )
            if plain:
                sys.stdout.write(connection.summary(results) + "\n")
            else:
                sys.stdout.write(connection.render_json(results, str(file)))
            sys.stdout.flush()
    except SettingsError as exc:
        raise _fail_usage(str(exc)) from None
    if not connection.succeeded(results):
        raise typer.Exit(code=1)


class RunFormat(str, Enum):
    """Summary formats of ``omkit run``."""

    text = "text"
    json = "json"


@app.command("run", rich_help_panel=_RUN)
def run_command(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The ingestion config to run.")],
    workers: Annotated[
        int,
        typer.Option(
            "--workers", min=1, max=64, help="Models described and written at the same time."
        ),
    ] = 8,
    no_tags: Annotated[
        bool, typer.Option("--no-tags", help="Do not read or ingest the models' SageMaker tags.")
    ] = False,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run",
            help="Read SageMaker (and OpenMetadata when reachable) and show what would be "
            "created, updated and soft-deleted; write nothing.",
        ),
    ] = False,
    output_format: Annotated[
        RunFormat, typer.Option("--format", "-f", help="Summary as a text table or as JSON.")
    ] = RunFormat.text,
    disable: DisableOption = None,
    enable: EnableOption = None,
    timeout: Annotated[
        float,
        typer.Option(
            "--timeout", min=0.1, max=600, metavar="SECONDS", help="Connect and read timeout."
        ),
    ] = 10.0,
    allow_mass_delete: Annotated[
        bool,
        typer.Option(
            "--allow-mass-delete",
            help="Let markDeletedMlModels soft-delete more than 20% of the service's models.",
        ),
    ] = False,
    assets: Annotated[
        list[str] | None,
        typer.Option(
            "--assets",
            metavar="KIND[,KIND]",
            help="SageMaker asset kinds to read: models (always), training-jobs (algorithm, "
            "hyperparameters, metrics), endpoints (server), registry (one model per package "
            "group), features (mlFeatures). Default: all.",
        ),
    ] = None,
    lineage_service: Annotated[
        str | None,
        typer.Option(
            "--lineage-service",
            metavar="NAME",
            help="Database service in OpenMetadata holding the feature groups' Glue tables: "
            "adds lineage from each table to the models trained on it.",
        ),
    ] = None,
) -> None:
    """Ingest the SageMaker models of a config into OpenMetadata or a file.

    Does what `metadata ingest -c FILE` does. Exit 0 on success, 1 on any error, 2 on usage
    problems, 130/143 when stopped by SIGINT/SIGTERM.
    """
    from omkit_sagemaker.ingest import estate, runreport, workflow

    _config_file(file)
    off, on = _codes(disable, "--disable"), _codes(enable, "--enable")
    try:
        kinds = estate.parse_assets(assets) if assets else frozenset(estate.ASSET_KINDS)
    except ValueError as exc:
        raise _fail_usage(str(exc)) from None
    runreport.setup_logging()
    options = workflow.RunOptions(
        workers=workers,
        tags=not no_tags,
        dry_run=dry_run,
        http_timeout=timeout,
        aws_timeout=timeout,
        allow_mass_delete=allow_mass_delete,
        assets=kinds,
        lineage_service=lineage_service,
        disable=tuple(off),
        enable=tuple(on),
    )
    if sys.stderr.isatty():
        bar = runreport.RichProgress()
        options.progress = bar
        with bar.shown():
            result = workflow.run(file, options)
    else:
        options.progress = runreport.LineProgress()
        result = workflow.run(file, options)
    runreport.write(result, output_format.value, sys.stdout)
    if result.exit_code:
        raise typer.Exit(code=result.exit_code)
