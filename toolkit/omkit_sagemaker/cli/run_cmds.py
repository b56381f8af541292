"""``omkit test-connection`` and ``omkit run``: against AWS and OpenMetadata."""

from __future__ import annotations

import functools
import inspect
import json
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from omkit_sagemaker.api import runoptions
from omkit_sagemaker.cli.shared import (
    RUN_SECTION,
    DisableOption,
    EnableOption,
    app,
    check_config_file,
    choice,
    fail_usage,
    option_codes,
)


class ConnectionFormat(str, Enum):
    """Output formats of ``omkit test-connection``."""

    text = "text"
    json = "json"


@app.command("test-connection", rich_help_panel=RUN_SECTION)
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
            help="Also check the calls of these omkit run asset kinds (training-jobs, lineage, "
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
    from omkit_sagemaker.cli import steptable
    from omkit_sagemaker.ingest import connection

    before_run("test-connection")  # every unset $VAR is an error: stop before the network
    check_config_file(file)
    try:
        kinds = (
            assetkinds.parse_assets(assets) - {assetkinds.MODELS.name} if assets else frozenset()
        )
    except ValueError as exc:
        raise fail_usage(str(exc)) from None
    off, on = option_codes(disable, "--disable"), option_codes(enable, "--enable")
    try:
        settings = with_overrides(load_settings(file.parent), disable=off, enable=on)
    except SettingsError as exc:
        raise fail_usage(str(exc)) from None
    plain = output_format is ConnectionFormat.text and not sys.stdout.isatty()

    def progress(result: connection.StepResult) -> None:
        sys.stdout.write(connection.render_line(result))
        sys.stdout.flush()

    check = functools.partial(
        connection.check_connection,
        file,
        timeout=timeout,
        openmetadata=not skip_openmetadata,
        settings=settings,
        assets=kinds,
    )
    try:
        if output_format is ConnectionFormat.text and not plain:
            results = steptable.checked_in_table(check)
        else:
            results = check(on_step=progress if plain else None)
            if plain:
                sys.stdout.write(connection.summary(results) + "\n")
            else:
                sys.stdout.write(connection.render_json(results, str(file)))
            sys.stdout.flush()
    except SettingsError as exc:
        raise fail_usage(str(exc)) from None
    if not connection.succeeded(results):
        raise typer.Exit(code=1)


_KINDS: dict[Any, Any] = {
    bool: bool,
    int: int,
    float: float,
    "str?": str | None,
    "list": list[str] | None,
}


def _parameter(option: runoptions.RunOption) -> inspect.Parameter:
    """The typer parameter of one declared run option."""
    settings: dict[str, Any] = {"help": option.help, "rich_help_panel": option.panel}
    if option.metavar:
        settings["metavar"] = option.metavar
    if option.minimum is not None:
        settings.update(min=option.minimum, max=option.maximum)
    default = option.cli_default
    kind: Any = _KINDS.get(option.kind)
    if option.kind == "list":
        default = None
    elif option.kind == "choice":  # the values the option declares, as typer's choice
        kind = choice(option.cli_name, option.choices)
        default = kind(default)
    annotation = Annotated[kind, typer.Option(*option.flags, **settings)]
    return inspect.Parameter(
        option.cli_name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


_PATHS = inspect.Parameter(
    "paths",
    inspect.Parameter.POSITIONAL_OR_KEYWORD,
    annotation=Annotated[
        list[Path],
        typer.Argument(
            metavar="PATH...",
            help="Ingestion configs to run; a directory stands for the workflow configs in it.",
        ),
    ],
)


def _declared(command: Any) -> Any:
    """Give ``command`` (``paths, **given``) the parameters of every declared CLI run option."""
    params = [_PATHS] + [_parameter(o) for o in runoptions.DECLARED if runoptions.CLI in o.layers]
    command.__signature__ = inspect.Signature(params, return_annotation=None)
    command.__annotations__ = {p.name: p.annotation for p in params} | {"return": None}
    return command


def _api_values(given: dict[str, Any]) -> dict[str, Any]:
    """The command's values by API keyword: flags turned back (``--no-tags``), lists split."""
    from omkit_sagemaker.ingest import expand

    values: dict[str, Any] = {}
    for option in runoptions.DECLARED:
        if runoptions.CLI not in option.layers or option.target == "cli":
            continue
        value = given[option.cli_name]
        if option.negated:
            value = not value
        elif option.name in ("disable", "enable"):
            value = option_codes(value, option.flags[0])
        elif option.kind == "list" and option.target == "many":
            value = expand.split_values(value, option.flags[0])
        values[option.name] = value
    return values


@app.command("run", rich_help_panel=RUN_SECTION)
@_declared
def run_command(paths: list[Path], **given: Any) -> None:
    """Ingest the SageMaker models of one or many configs into OpenMetadata or a file.

    One FILE does what `metadata ingest -c FILE` does. Several paths, a directory, or
    --region/--profile/--role-arn lists run every config (and combination) side by side, with
    one summary table. Exit 0 on success, 1 on any error, 2 on usage problems, 130/143 when
    stopped by SIGINT/SIGTERM.
    """
    from omkit_sagemaker import api
    from omkit_sagemaker.check.rules.environment import before_run
    from omkit_sagemaker.cli import progress

    before_run("run")  # every unset $VAR is an error: stop before the network
    output_format: str = given["output_format"].value
    try:
        values = _api_values(given)
        many = {k: values.pop(k) for k in runoptions.names(runoptions.CLI, "many")}
        options = api.options(**values)
    except ValueError as exc:
        raise fail_usage(str(exc)) from None
    parallel = many.pop("parallel")
    expanding = many["regions"] or many["profiles"] or many["role_arns"]
    single = len(paths) == 1 and not paths[0].is_dir() and not expanding
    if single:
        for option in ("service_name_template", "file_name_template"):
            if many[option] is not None:
                flag = runoptions.BY_NAME[option].flags[0]
                raise fail_usage(f"{flag} needs --region, --profile or --role-arn")
        check_config_file(paths[0])
        _run_one(paths[0], options, output_format)
        return
    try:
        jobs = api.jobs_of([str(p) for p in paths], **many)
    except ValueError as exc:
        raise fail_usage(str(exc)) from None
    progress.setup_logging()
    from omkit_sagemaker.api import report

    done: list[api.RunSummary] = []

    def finished(summary: api.RunSummary) -> None:
        done.append(summary)
        progress.log.info(
            "finished (%d of %d): processed %d, errors %d, %.2f s",
            len(done),
            len(jobs),
            summary.processed,
            summary.errors,
            summary.duration,
        )

    result = api.run_jobs(jobs, options, parallel=parallel, on_done=finished)
    if result.conflicts and output_format == "text":
        sys.stderr.write(report.render_text(result))
    else:
        text = report.render_json(result) if output_format == "json" else None
        sys.stdout.write(text if text is not None else report.render_text(result))
    sys.stdout.flush()
    if result.exit_code:
        raise typer.Exit(code=result.exit_code)


def _run_one(file: Path, options: Any, output_format: str) -> None:
    """One config: a progress bar on a terminal (lines otherwise) and the full summary."""
    from omkit_sagemaker import api
    from omkit_sagemaker.cli import progress
    from omkit_sagemaker.ingest import multirun

    progress.setup_logging()
    job = multirun.Job(file)
    if sys.stderr.isatty():
        bar = progress.RichProgress()
        options.progress = bar
        with bar.shown():
            summary = api.run_job(job, options)
    else:
        options.progress = progress.LineProgress()
        summary = api.run_job(job, options)
    if output_format == "json":  # the run's document, with its region and pipeline state
        from omkit_sagemaker.ingest.redaction import REDACTOR

        sys.stdout.write(REDACTOR.redact(json.dumps(summary.to_dict(), indent=2)) + "\n")
        sys.stdout.flush()
    else:
        sys.stdout.write(summary.to_text())
        sys.stdout.flush()
    if summary.exit_code:
        raise typer.Exit(code=summary.exit_code)
