"""``omkit lsp``: the language server over standard input and output, for editors."""

from __future__ import annotations

import importlib.util
from typing import Annotated

import typer

from omkit_sagemaker.cli.shared import DEVELOP_SECTION, app

#: What ``omkit lsp`` says when pygls is not installed.
MISSING = (
    "omkit: error: the language server needs pygls; "
    "install it with: pip install 'omkit-sagemaker[lsp]'"
)


@app.command("lsp", rich_help_panel=DEVELOP_SECTION)
def lsp_command(
    stdio: Annotated[
        bool,
        typer.Option("--stdio", help="Speak LSP over standard input and output (the default)."),
    ] = True,
) -> None:
    """Run the language server (diagnostics, hover, completion, quick fixes) for editors."""
    if importlib.util.find_spec("pygls") is None:
        typer.echo(MISSING, err=True)
        raise typer.Exit(code=2)
    from omkit_sagemaker.lsp.langserver import serve_stdio

    serve_stdio()
