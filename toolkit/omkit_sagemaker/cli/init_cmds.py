"""``omkit init`` and ``omkit policy``: writing configs and IAM policies."""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from omkit_sagemaker.cli.shared import RUN_SECTION, WRITE_SECTION, app, fail_usage

if TYPE_CHECKING:
    from omkit_sagemaker.scaffold import Options


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
app.add_typer(init_app, name="init", rich_help_panel=WRITE_SECTION)


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
    regions: Annotated[
        list[str] | None,
        typer.Option(
            "--regions",
            metavar="R1,R2",
            help="Write one file per region (sm.yaml becomes sm-REGION.yaml), the service "
            "name ending in _REGION.",
        ),
    ] = None,
    auth: Annotated[
        AuthMode | None,
        typer.Option(
            metavar="MODE",
            help="Where AWS credentials come from: keys (environment references), profile, "
            "assume-role, or default-chain (boto3's chain; region only).",
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
    sink_file: Annotated[
        str | None,
        typer.Option(
            "--sink-file",
            metavar="FILE",
            help="Write the models to this JSON file (sink type file) instead of sending them "
            "to OpenMetadata.",
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
        typer.Option(metavar="VALUE", help="Access key ID (default: a reference, below)."),
    ] = None,
    secret_access_key: Annotated[
        str | None,
        typer.Option(
            metavar="VALUE",
            help="Secret access key (default: a reference, below). A literal secret is "
            "written as given, in a file of mode 0600: prefer a ${NAME} reference.",
        ),
    ] = None,
    session_token: Annotated[
        str | None,
        typer.Option(
            metavar="VALUE", help="Session token of temporary keys, as a ${NAME} reference."
        ),
    ] = None,
    jwt_token: Annotated[
        str | None,
        typer.Option(metavar="VALUE", help="OpenMetadata bot JWT (default: a reference, below)."),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    no_input: Annotated[
        bool, typer.Option("--no-input", help="Never ask; keep the template's values.")
    ] = False,
) -> None:
    """Write a SageMaker ingestion config with every option present and explained.

    On a terminal, the values not given are asked for, with defaults shown;
    never with --no-input or when standard input is not a terminal.

    Secrets stay environment references unless given literally:
    ${AWS_ACCESS_KEY_ID}, ${AWS_SECRET_ACCESS_KEY}, ${OPENMETADATA_JWT_TOKEN}.
    """
    from omkit_sagemaker import scaffold

    target = None if output is None or str(output) == "-" else output
    if target is not None and not force and os.path.lexists(target) and not regions:
        raise fail_usage(f"{target} already exists (use --force to overwrite it)")
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
        sink_file=sink_file,
        includes=tuple(include or ()),
        excludes=tuple(exclude or ()),
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
        session_token=session_token,
        jwt_token=jwt_token,
    )
    if regions:  # nothing is asked: the values given apply to every file
        _init_regions(options, regions, output, force=force)
        return
    if not no_input and sys.stdin.isatty():
        from omkit_sagemaker.cli.prompts import ask_options

        options = ask_options(options)
    _write_config(options, target, force=force)


def _init_regions(
    options: Options, regions: list[str], output: Path | None, *, force: bool
) -> None:
    """``--regions``: every file checked first (none exists, unless --force), then written."""
    from omkit_sagemaker import scaffold
    from omkit_sagemaker.scaffold.regions import region_files

    if output is not None and str(output) == "-":
        raise fail_usage("--regions writes one file per region: give --output NAME.yaml")
    wanted = [r.strip() for value in regions for r in value.split(",") if r.strip()]
    try:
        files = region_files(options, wanted, output)
    except scaffold.ScaffoldError as exc:
        raise fail_usage(str(exc)) from None
    for path, _ in files:
        if not force and os.path.lexists(path):
            raise fail_usage(f"{path} already exists (use --force to overwrite it)")
    for path, region_options in files:
        _write_config(region_options, path, force=force)


def _write_config(options: Options, target: Path | None, *, force: bool) -> None:
    """Render and write one config (stdout when ``target`` is None) and say what was done."""
    from omkit_sagemaker import scaffold
    from omkit_sagemaker.base.safewrite import UnsafeTarget

    try:
        done = scaffold.scaffold(options, target, force=force)
    except UnsafeTarget as exc:
        typer.echo(f"omkit: error: cannot write {target}: {exc.reason}", err=True)
        raise typer.Exit(code=1) from None
    except scaffold.ScaffoldError as exc:
        raise fail_usage(str(exc)) from None
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
app.add_typer(policy_app, name="policy", rich_help_panel=RUN_SECTION)


@policy_app.callback()
def _policy_root() -> None:
    """Print the least-privilege IAM policy an ingestion needs."""


@policy_app.command("sagemaker")
def policy_sagemaker(
    role_arn: Annotated[
        str | None,
        typer.Option(help="Role the ingestion assumes: also show what assuming it needs."),
    ] = None,
    assets: Annotated[
        list[str] | None,
        typer.Option(
            "--assets",
            metavar="KIND[,KIND]",
            help="Only the actions of these asset kinds (models, training-jobs, endpoints), "
            "as for omkit run --assets. Default: all.",
        ),
    ] = None,
) -> None:
    """Print the IAM policy (JSON) that allows exactly the AWS calls of a SageMaker ingestion.

    The policy goes to stdout; with --role-arn, where to attach it and the sts:AssumeRole
    policy for the identity that assumes the role go to stderr.
    """
    from omkit_sagemaker.scaffold import policy

    kinds = None
    if assets:
        kinds = tuple(p.strip().lower() for v in assets for p in v.split(",") if p.strip())
    try:
        advice = policy.sagemaker(role_arn, kinds)
    except ValueError as exc:
        raise fail_usage(str(exc)) from None
    sys.stdout.write(policy.to_json(advice.policy))
    sys.stdout.flush()
    for note in advice.notes:
        typer.echo(f"omkit: note: {note}", err=True)
    if advice.assume_role_policy is not None:
        typer.echo(policy.to_json(advice.assume_role_policy), err=True, nl=False)
