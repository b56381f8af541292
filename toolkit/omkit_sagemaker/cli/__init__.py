"""The ``omkit`` command line: parse arguments, call the library, print, exit.

Every command is a thin shell over an ordinary function in ``omkit_sagemaker``; heavy modules are
imported inside the commands so that ``omkit validate`` (run on every commit) starts fast.

One module per group of commands (:mod:`.check_cmds`, :mod:`.fix_cmds`, :mod:`.init_cmds`,
:mod:`.run_cmds`, :mod:`.dev_cmds`, :mod:`.lsp_cmds`), each registering on the shared
:data:`~.app.app`. May import every other sub-package; nothing imports the CLI.
"""

from __future__ import annotations

import sys

from omkit_sagemaker.cli import check_cmds, dev_cmds, fix_cmds, init_cmds, lsp_cmds, run_cmds
from omkit_sagemaker.cli.app import app as app
from omkit_sagemaker.cli.init_cmds import AuthMode as AuthMode

#: The command modules, imported for the commands they register.
COMMANDS = (check_cmds, fix_cmds, init_cmds, run_cmds, dev_cmds, lsp_cmds)


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
