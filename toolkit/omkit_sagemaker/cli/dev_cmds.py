"""``omkit codegen`` and ``omkit schema``: for editors and omkit's own development."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from omkit_sagemaker.cli.shared import DEVELOP_SECTION, app, fail_usage, shown_path


@app.command("codegen", rich_help_panel=DEVELOP_SECTION)
def codegen_command(
    check: Annotated[
        bool,
        typer.Option(
            "--check",
            help="Write nothing: exit 1 with a unified diff when the models or the fast checker "
            "differ from spec/.",
        ),
    ] = False,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            metavar="DIR",
            help="Write the models into DIR and the fast checker beside it, as "
            "DIR/../fastcheck.py (default: this installation's omkit_sagemaker/spec/models and "
            "omkit_sagemaker/check/generated/fastcheck.py); with --check, compare those instead.",
        ),
    ] = None,
    spec: Annotated[
        Path | None,
        typer.Option(metavar="DIR", help="Folder of the JSON Schemas (default: omkit's spec/)."),
    ] = None,
) -> None:
    """Generate the typed models (omkit_sagemaker/spec/models) and the fast checker
    (omkit_sagemaker/check/generated/fastcheck.py) from the JSON Schemas in spec/."""
    import difflib

    from omkit_sagemaker.base import safewrite
    from omkit_sagemaker.base.resources import spec_dir
    from omkit_sagemaker.check import versions
    from omkit_sagemaker.spec import checkgen, codegen

    root = spec if spec is not None else spec_dir()
    if not root.is_dir():
        raise fail_usage(f"no such folder: {root}")
    target = output if output is not None else codegen.models_dir()
    try:
        files = codegen.generate(codegen.read_spec(root))
    except (codegen.CodegenError, ValueError) as exc:
        typer.echo(f"omkit: error: {exc}", err=True)
        raise typer.Exit(code=1) from None
    everything = codegen.read_spec(root)
    fast = checkgen.generate(versions.filter_spec(everything, versions.DEFAULT_TARGET), everything)
    fast_path = target.parent / "fastcheck.py" if output is not None else checkgen.module_path()
    fast_now = fast_path.read_text(encoding="utf-8") if fast_path.exists() else ""
    if check:
        stale = [f"{shown_path(target)}/{name}" for name in codegen.differing(files, target)]
        if stale:
            sys.stdout.write(codegen.drift(files, target, label=shown_path(target)))
        if fast_now != fast:
            stale.append(shown_path(fast_path))
            old, new = fast_now.splitlines(keepends=True), fast.splitlines(keepends=True)
            label = shown_path(fast_path)
            sys.stdout.writelines(difflib.unified_diff(old, new, f"a/{label}", f"b/{label}"))
        sys.stdout.flush()
        if stale:
            typer.echo(f"omkit: out of date with {shown_path(root)}: {', '.join(stale)}", err=True)
            typer.echo("omkit: run `omkit codegen` and commit the result", err=True)
            raise typer.Exit(code=1)
        both = f"{shown_path(target)} and {shown_path(fast_path)}"
        typer.echo(f"{both}: up to date with {shown_path(root)}")
        return
    if fast_now != fast:
        target.mkdir(parents=True, exist_ok=True)
        safewrite.write_text(fast_path, fast)
        typer.echo(f"wrote {shown_path(fast_path)}")
    for name in codegen.write(files, target):
        typer.echo(f"{'wrote' if name in files else 'deleted'} {shown_path(target / name)}")


@app.command("schema", rich_help_panel=DEVELOP_SECTION)
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
        raise fail_usage(f"cannot write {output}: {exc.strerror or exc}") from None
    typer.echo(f"wrote {output}", err=True)
