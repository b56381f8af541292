"""The language server (``omkit lsp``): omkit's checks, spoken over the Language Server Protocol.

What lives here: :mod:`.positions` (omkit's 1-based line and code-point column to and from LSP
positions in the negotiated encoding: UTF-16 by default, UTF-8 or UTF-32 when the client offers
them), :mod:`.diagnose` (diagnostics, quick fixes and rule documentation links for one buffer),
:mod:`.schemahelp` (hover and completion from ``spec/``), :mod:`.textdiff` (the changed
stretches of a fixed buffer, in linear time), :mod:`.langserver` (the pygls server that wires
them to the protocol) and :mod:`.protocol` (the answers pygls leaves out). Only
:mod:`.langserver` and :mod:`.protocol` import pygls; the others use lsprotocol's types alone,
so they are tested without a client.

May import ``check``, ``spec`` and ``base``; never ``ingest`` or ``scaffold`` (it stands beside
them), and nothing on the ``omkit validate`` path imports it (``cli.lsp_cmds`` does, lazily).
"""
