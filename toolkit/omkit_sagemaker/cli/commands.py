"""The full typer app with every command registered: import this module, then call ``app()``."""

from __future__ import annotations

from omkit_sagemaker.cli import check_cmds, dev_cmds, fix_cmds, init_cmds, lsp_cmds, run_cmds
from omkit_sagemaker.cli.init_cmds import AuthMode as AuthMode
from omkit_sagemaker.cli.shared import app as app

#: The command modules, imported for the commands they register.
COMMANDS = (check_cmds, fix_cmds, init_cmds, run_cmds, dev_cmds, lsp_cmds)
