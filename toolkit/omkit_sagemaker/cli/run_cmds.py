"""``omkit test-connection`` and ``omkit run``: against AWS and OpenMetadata."""

from __future__ import annotations

import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

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
            "--timeout",
            min=0.1,
            max=600,
            metavar="SECONDS",
            help="How long each call waits to connect and for an answer. An OpenMetadata step "
            "gives up after twice that, retries included.",
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
    from omkit_sagemaker import assetkinds
    from omkit_sagemaker.check.rules.environment import before_run
    from omkit_sagemaker.check.settings import SettingsError, load_settings, with_overrides
    from omkit_sagemaker.ingest import connection

    before_run("test-connection")  # every unset $VAR is an error: stop before the network
    _config_file(file)
    try:
        kinds = (
            assetkinds.parse_assets(assets) - {assetkinds.MODELS.name} if assets else frozenset()
        )
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


#: The help section of the options for many configs and regions.
_MANY = "Many configs, accounts and regions"


def _many(flag: str, metavar: str, help_text: str) -> Any:
    """A repeatable, comma-separated list option of the many-runs panel."""
    return typer.Option(flag, rich_help_panel=_MANY, metavar=metavar, help=help_text)


class RunFormat(str, Enum):
    """Summary formats of ``omkit run``."""

    text = "text"
    json = "json"


@app.command("run", rich_help_panel=_RUN)
def run_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Ingestion configs to run; a directory stands for the workflow configs in it.",
        ),
    ],
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
            "--timeout",
            min=0.1,
            max=600,
            metavar="SECONDS",
            help="How long each call waits to connect and for an answer. An OpenMetadata call "
            "gives up after twice that, retries included: a run stops about 2 x SECONDS after "
            "the server goes silent. An AWS call is tried at most 5 times.",
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
    parallel: Annotated[
        int,
        typer.Option(
            "--parallel",
            min=1,
            max=64,
            metavar="N",
            help="Configs run at the same time.",
            rich_help_panel=_MANY,
        ),
    ] = 4,
    region: Annotated[
        list[str] | None,
        _many(
            "--region",
            "R1,R2",
            "Run each config once per region (awsRegion); the service name, and a file "
            "sink's file, get _REGION.",
        ),
    ] = None,
    profile: Annotated[
        list[str] | None,
        _many("--profile", "P1,P2", "Run each config once per AWS profile (profileName)."),
    ] = None,
    role_arn: Annotated[
        list[str] | None,
        _many(
            "--role-arn", "A1,A2", "Run each config once per IAM role to assume (assumeRoleArn)."
        ),
    ] = None,
    service_name_template: Annotated[
        str | None,
        typer.Option(
            "--service-name-template",
            rich_help_panel=_MANY,
            metavar="T",
            help="Service name of each run, from the placeholders serviceName, region, "
            "profile, account and role in braces.",
        ),
    ] = None,
    file_name_template: Annotated[
        str | None,
        typer.Option(
            "--file-name-template",
            rich_help_panel=_MANY,
            metavar="T",
            help="With sink type file: the file of each run, from the same placeholders and "
            "stem and suffix (default: {stem}_{region}{suffix}, as the service name).",
        ),
    ] = None,
) -> None:
    """Ingest the SageMaker models of one or many configs into OpenMetadata or a file.

    One FILE does what `metadata ingest -c FILE` does. Several paths, a directory, or
    --region/--profile/--role-arn lists run every config (and combination) side by side, with
    one summary table. Exit 0 on success, 1 on any error, 2 on usage problems, 130/143 when
    stopped by SIGINT/SIGTERM.
    """
    from omkit_sagemaker import api
    from omkit_sagemaker.check.rules.environment import before_run
    from omkit_sagemaker.ingest import expand, runreport

    before_run("run")  # every unset $VAR is an error: stop before the network
    off, on = _codes(disable, "--disable"), _codes(enable, "--enable")
    try:
        regions = expand.split_values(region, "--region")
        profiles = expand.split_values(profile, "--profile")
        role_arns = expand.split_values(role_arn, "--role-arn")
        options = api.options(
            workers=workers,
            tags=not no_tags,
            dry_run=dry_run,
            assets=assets,
            timeout=timeout,
            allow_mass_delete=allow_mass_delete,
            lineage_service=lineage_service,
            disable=off,
            enable=on,
        )
    except ValueError as exc:
        raise _fail_usage(str(exc)) from None
    single = len(paths) == 1 and not paths[0].is_dir() and not (regions or profiles or role_arns)
    if single:
        for given, option in (
            (service_name_template, "--service-name-template"),
            (file_name_template, "--file-name-template"),
        ):
            if given is not None:
                raise _fail_usage(f"{option} needs --region, --profile or --role-arn")
        _config_file(paths[0])
        _run_one(paths[0], options, output_format)
        return
    try:
        jobs = api.jobs_of(
            [str(p) for p in paths],
            regions=regions,
            profiles=profiles,
            role_arns=role_arns,
            service_name_template=service_name_template,
            file_name_template=file_name_template,
        )
    except ValueError as exc:
        raise _fail_usage(str(exc)) from None
    runreport.setup_logging()
    from omkit_sagemaker.api import report

    done: list[api.RunSummary] = []

    def finished(summary: api.RunSummary) -> None:
        done.append(summary)
        runreport.log.info(
            "finished (%d of %d): processed %d, errors %d, %.2f s",
            len(done),
            len(jobs),
            summary.processed,
            summary.errors,
            summary.duration,
        )

    many = api.run_jobs(jobs, options, parallel=parallel, on_done=finished)
    if many.conflicts and output_format is RunFormat.text:
        sys.stderr.write(report.render_text(many))
    else:
        text = report.render_json(many) if output_format is RunFormat.json else None
        sys.stdout.write(text if text is not None else report.render_text(many))
    sys.stdout.flush()
    if many.exit_code:
        raise typer.Exit(code=many.exit_code)


def _run_one(file: Path, options: Any, output_format: RunFormat) -> None:
    """One config: a progress bar on a terminal (lines otherwise) and the full summary."""
    from omkit_sagemaker import api
    from omkit_sagemaker.ingest import multirun, runreport

    runreport.setup_logging()
    job = multirun.Job(file)
    if sys.stderr.isatty():
        bar = runreport.RichProgress()
        options.progress = bar
        with bar.shown():
            summary = api.run_job(job, options)
    else:
        options.progress = runreport.LineProgress()
        summary = api.run_job(job, options)
    assert summary.detail is not None
    if output_format is RunFormat.json:  # the run's document, with its region and pipeline state
        from omkit_sagemaker.ingest.redaction import REDACTOR

        sys.stdout.write(REDACTOR.redact(json.dumps(summary.to_dict(), indent=2)) + "\n")
        sys.stdout.flush()
    else:
        runreport.write(summary.detail, output_format.value, sys.stdout)
    if summary.exit_code:
        raise typer.Exit(code=summary.exit_code)
