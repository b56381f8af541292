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

from omkit_sagemaker import __version__

# Sections of `omkit --help`.
_WRITE = "Write and check configs"
_RUN = "Run against AWS and OpenMetadata"
_DEVELOP = "Editors and development"

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


class AuthMode(str, Enum):
    """Credential modes of ``omkit init sagemaker`` (mirrors ``omkit_sagemaker.scaffold.Auth``)."""

    keys = "keys"
    profile = "profile"
    assume_role = "assume-role"
    default_chain = "default-chain"


init_app = typer.Typer(
    help="Write a commented, valid config from a template.",
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(init_app, name="init", rich_help_panel=_WRITE)


@init_app.callback(invoke_without_command=True)
def _init_root(
    ctx: typer.Context,
    list_templates: Annotated[
        bool, typer.Option("--list", help="List the connectors that have a template, and exit.")
    ] = False,
) -> None:
    """Write a commented, valid config from a template: omkit init sagemaker -o sm.yaml."""
    if list_templates:
        from omkit_sagemaker.scaffold import connectors

        for name in connectors():
            typer.echo(name)
        raise typer.Exit()
    if ctx.invoked_subcommand is None:
        text = ctx.get_help()  # typer's rich help prints itself and returns ""
        if text:
            typer.echo(text)
        raise typer.Exit(code=2)


@init_app.command("sagemaker")
def init_sagemaker(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="File to write; without it (or -), stdout."
        ),
    ] = None,
    service_name: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Name of the ML model service in OpenMetadata."),
    ] = None,
    region: Annotated[
        str | None, typer.Option(metavar="REGION", help="AWS region of the models.")
    ] = None,
    auth: Annotated[
        AuthMode | None,
        typer.Option(
            help="Where AWS credentials come from: access keys (environment references), "
            "a named profile, an assumed role, or boto3's default chain (region only)."
        ),
    ] = None,
    profile: Annotated[
        str | None,
        typer.Option(metavar="NAME", help="Named AWS profile (auth profile or assume-role)."),
    ] = None,
    role_arn: Annotated[
        str | None,
        typer.Option(metavar="ARN", help="ARN of the IAM role to assume (auth assume-role)."),
    ] = None,
    session_name: Annotated[
        str | None, typer.Option(metavar="NAME", help="Session name of the assumed role.")
    ] = None,
    source_identity: Annotated[
        str | None, typer.Option(metavar="ID", help="Source identity sent with AssumeRole.")
    ] = None,
    endpoint_url: Annotated[
        str | None,
        typer.Option(metavar="URL", help="SageMaker API URL to use instead of the region's."),
    ] = None,
    host_port: Annotated[
        str | None, typer.Option(metavar="URL", help="OpenMetadata API URL, ending in /api.")
    ] = None,
    mark_deleted: Annotated[
        bool | None,
        typer.Option(
            "--mark-deleted/--no-mark-deleted",
            help="Soft-delete models that are gone from SageMaker (template: on).",
            show_default=False,
        ),
    ] = None,
    include: Annotated[
        list[str] | None,
        typer.Option(metavar="REGEX", help="Ingest only models whose name matches (repeatable)."),
    ] = None,
    exclude: Annotated[
        list[str] | None,
        typer.Option(metavar="REGEX", help="Skip models whose name matches (repeatable)."),
    ] = None,
    access_key_id: Annotated[
        str | None,
        typer.Option(metavar="VALUE", help="Access key ID (default: ${AWS_ACCESS_KEY_ID})."),
    ] = None,
    secret_access_key: Annotated[
        str | None,
        typer.Option(
            metavar="VALUE",
            help="Secret access key (default: ${AWS_SECRET_ACCESS_KEY}). A literal secret "
            "is written as given, in a file of mode 0600: prefer a ${NAME} reference.",
        ),
    ] = None,
    session_token: Annotated[
        str | None,
        typer.Option(
            metavar="VALUE", help="Session token of temporary keys, e.g. '${AWS_SESSION_TOKEN}'."
        ),
    ] = None,
    jwt_token: Annotated[
        str | None,
        typer.Option(
            metavar="VALUE", help="OpenMetadata bot JWT (default: ${OPENMETADATA_JWT_TOKEN})."
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never ask; keep the template's values.")
    ] = False,
) -> None:
    """Write a SageMaker ingestion config with every option present and explained.

    On a terminal, the values not given are asked for, with defaults shown; never with
    --no-input or when standard input is not a terminal.

    Secrets stay ${NAME} environment references unless given literally.
    """
    from omkit_sagemaker import scaffold

    target = None if output is None or str(output) == "-" else output
    if target is not None and not force and os.path.lexists(target):
        raise _fail_usage(f"{target} already exists (use --force to overwrite it)")
    options = scaffold.Options(
        service_name=service_name,
        region=region,
        auth=scaffold.Auth(auth.value) if auth is not None else None,
        profile=profile,
        role_arn=role_arn,
        session_name=session_name,
        source_identity=source_identity,
        endpoint_url=endpoint_url,
        host_port=host_port,
        mark_deleted=mark_deleted,
        includes=tuple(include or ()),
        excludes=tuple(exclude or ()),
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        session_token=session_token,
        jwt_token=jwt_token,
    )
    if not no_input and sys.stdin.isatty():
        from omkit_sagemaker.scaffold.prompts import ask_options

        options = ask_options(options)
    try:
        done = scaffold.scaffold(options, target, force=force)
    except scaffold.ScaffoldError as exc:
        raise _fail_usage(str(exc)) from None
    except OSError as exc:
        typer.echo(f"omkit: error: cannot write {target}: {exc.strerror or exc}", err=True)
        raise typer.Exit(code=1) from None
    if done.path is None:
        sys.stdout.write(done.rendered.text)
        sys.stdout.flush()
    for warning in done.rendered.warnings:
        typer.echo(f"omkit: warning: {warning}", err=True)
    if done.rendered.secrets:
        names = ", ".join(sorted({p.rsplit(".", 1)[-1] for p in done.rendered.secrets}))
        where = f"{done.path} holds" if done.path else "the config holds"
        mode = "; the file was created with mode 0600" if done.private else ""
        typer.echo(
            f"omkit: warning: {where} a literal secret ({names}){mode}; prefer a ${{NAME}} "
            "environment reference, and keep the file out of version control",
            err=True,
        )
    if done.path is not None:
        from shlex import quote

        shown = quote(str(done.path))
        typer.echo(f"Wrote {done.path}; check it with: omkit validate {shown}", err=True)


policy_app = typer.Typer(
    help="Print the least-privilege IAM policy an ingestion needs.",
    no_args_is_help=True,
    add_completion=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
app.add_typer(policy_app, name="policy", rich_help_panel=_RUN)


@policy_app.callback()
def _policy_root() -> None:
    """Print the least-privilege IAM policy an ingestion needs."""


@policy_app.command("sagemaker")
def policy_sagemaker(
    role_arn: Annotated[
        str | None,
        typer.Option(help="Role the ingestion assumes: also show what assuming it needs."),
    ] = None,
) -> None:
    """Print the IAM policy (JSON) that allows exactly the AWS calls of a SageMaker ingestion.

    The policy goes to stdout; with --role-arn, where to attach it and the sts:AssumeRole
    policy for the identity that assumes the role go to stderr.
    """
    from omkit_sagemaker.scaffold import policy

    try:
        advice = policy.sagemaker(role_arn)
    except ValueError as exc:
        raise _fail_usage(str(exc)) from None
    sys.stdout.write(policy.to_json(advice.policy))
    sys.stdout.flush()
    for note in advice.notes:
        typer.echo(f"omkit: note: {note}", err=True)
    if advice.assume_role_policy is not None:
        typer.echo(policy.to_json(advice.assume_role_policy), err=True, nl=False)


def _shown(path: Path) -> str:
    """``path`` relative to the current folder when it lies below it, for messages."""
    try:
        return path.resolve().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


@app.command("codegen", rich_help_panel=_DEVELOP)
def codegen_command(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing: exit 1 with a unified diff when the models differ from spec/.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="DIR", help="Models folder (default: toolkit/models)."
        ),
    ] = None,
    spec: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Folder of the JSON Schemas (default: omkit's spec/)."),
    ] = None,
) -> None:
    """Generate toolkit/models and toolkit/fastcheck.py from the JSON Schemas in spec/."""
    import difflib

    from omkit_sagemaker.base.resources import spec_dir
    from omkit_sagemaker.check import versions
    from omkit_sagemaker.spec import checkgen, codegen

    root = spec if spec is not None else spec_dir()
    if not root.is_dir():
        raise _fail_usage(f"no such folder: {root}")
    target = output if output is not None else codegen.models_dir()
    try:
        files = codegen.generate(codegen.read_spec(root))
    except (codegen.CodegenError, ValueError) as exc:
        typer.echo(f"omkit: error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    fast = checkgen.generate(versions.filter_spec(codegen.read_spec(root), versions.DEFAULT_TARGET))
    fast_path = checkgen.module_path()
    fast_now = fast_path.read_text(encoding="utf-8") if fast_path.exists() else ""
    if check:
        stale = [f"{_shown(target)}/{name}" for name in codegen.differing(files, target)]
        if stale:
            sys.stdout.write(codegen.drift(files, target, label=_shown(target)))
        if fast_now != fast:
            stale.append(_shown(fast_path))
            old, new = fast_now.splitlines(keepends=True), fast.splitlines(keepends=True)
            label = _shown(fast_path)
            sys.stdout.writelines(difflib.unified_diff(old, new, f"a/{label}", f"b/{label}"))
        sys.stdout.flush()
        if stale:
            typer.echo(f"omkit: out of date with {_shown(root)}: {', '.join(stale)}", err=True)
            typer.echo("omkit: run `omkit codegen` and commit the result", err=True)
            raise typer.Exit(code=1)
        typer.echo(f"{_shown(target)} and {_shown(fast_path)}: up to date with {_shown(root)}")
        return
    if fast_now != fast:
        fast_path.write_text(fast, encoding="utf-8")
        typer.echo(f"wrote {_shown(fast_path)}")
    for name in codegen.write(files, target):
        typer.echo(f"{'wrote' if name in files else 'deleted'} {_shown(target / name)}")


@app.command("schema", rich_help_panel=_DEVELOP)
def schema_command(
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", metavar="FILE", help="File to write; without it (or -), stdout."
        ),
    ] = None,
) -> None:
    """Print the workflow file's JSON Schema as one self-contained file, for editors.

    Save it next to your configs and start a config with
    # yaml-language-server: $schema=./omkit-workflow.schema.json
    """
    from omkit_sagemaker.base.resources import spec_dir
    from omkit_sagemaker.spec.bundle import bundle_text
    from omkit_sagemaker.spec.codegen import read_spec

    text = bundle_text(read_spec(spec_dir()))
    if output is None or str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    try:
        output.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise _fail_usage(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output}", err=True)


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
) -> None:
    """Check, step by step, that a config reaches AWS and OpenMetadata.

    Exit 0 when every mandatory step passes, 1 otherwise, 2 on usage problems.
    """
    from omkit_sagemaker.check.settings import SettingsError
    from omkit_sagemaker.ingest import connection

    if not file.is_file():
        raise _fail_usage(f"no such file: {file}")
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
                    file, timeout=timeout, openmetadata=not skip_openmetadata
                )
            connection.print_table(results, console)
        else:
            results = connection.check_connection(
                file,
                timeout=timeout,
                openmetadata=not skip_openmetadata,
                on_step=progress if plain else None,
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
) -> None:
    """Ingest the SageMaker models of a config into OpenMetadata or a file.

    Does what `metadata ingest -c FILE` does. Exit 0 on success, 1 on any error, 2 on usage
    problems.
    """
    from omkit_sagemaker.ingest import runreport, workflow

    if not file.is_file():
        raise _fail_usage(f"no such file: {file}")
    runreport.setup_logging()
    options = workflow.RunOptions(workers=workers, tags=not no_tags, dry_run=dry_run)
    if sys.stderr.isatty():
        bar = runreport.RichProgress()
        options.progress = bar
        with bar.shown():
            result = workflow.run(file, options)
    else:
        result = workflow.run(file, options)
    runreport.write(result, output_format.value, sys.stdout)
    if result.exit_code:
        raise typer.Exit(code=result.exit_code)


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
