"""The ``omkit`` command line: parse arguments, call the library, print, exit.

Every command is a thin shell over an ordinary function in ``omkit_sagemaker``; heavy modules are
imported inside the commands so that ``omkit validate`` (run on every commit) starts fast.

One module per group of commands (:mod:`.check_cmds`, :mod:`.fix_cmds`, :mod:`.init_cmds`,
:mod:`.run_cmds`, :mod:`.dev_cmds`, :mod:`.lsp_cmds`), each registering on the shared
:data:`~.shared.app`
(:mod:`.commands` imports them all). A plain ``omkit validate`` call skips typer altogether
(:mod:`.fastpath`). May import every other sub-package; nothing imports the CLI.
"""

from __future__ import annotations

import sys
from typing import Any


def __getattr__(name: str) -> Any:
    """``app``, ``AuthMode`` and ``COMMANDS`` come from :mod:`.commands`, built on first use."""
    if name in ("app", "AuthMode", "COMMANDS"):
        from omkit_sagemaker.cli import commands

        return getattr(commands, name)
    raise AttributeError(name)


def main() -> None:
    """Console-script entry point: run the app and turn any unexpected failure into one line."""
    try:
        from omkit_sagemaker.cli import fastpath

        code = fastpath.run(sys.argv[1:])
        if code is not None:
            raise SystemExit(code)
        from omkit_sagemaker.cli.commands import app

        app()
    except KeyboardInterrupt:
        sys.stderr.write("omkit: interrupted\n")
        raise SystemExit(130) from None
    except Exception as exc:  # never show a traceback to a user
        sys.stderr.write(f"omkit: internal error ({type(exc).__name__}); please report it\n")
        raise SystemExit(3) from None
