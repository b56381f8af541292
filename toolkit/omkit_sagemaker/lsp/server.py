"""The pygls language server: protocol messages in, :mod:`.diagnose` and :mod:`.schemahelp` out.

Every open buffer is checked on open and on each change (synchronously: a check of a 100-line
config takes a few milliseconds, well inside the 50 ms budget ``bench/lsp_bench.py`` measures,
so there is no debounce) and its diagnostics published; closing it clears them. The last
analysis of each buffer is kept for code actions and links. The position encoding is what
pygls negotiated with the client (UTF-16 unless the client offers UTF-8 or UTF-32).

Nothing here logs a buffer's text or a diagnostic: pygls's own logger is held at warnings, and
a failed check is reported by the exception's type alone.
"""

from __future__ import annotations

import logging

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from omkit_sagemaker.base.version import __version__
from omkit_sagemaker.lsp import diagnose, schemahelp
from omkit_sagemaker.lsp.positions import UTF16, Lines

log = logging.getLogger("omkit.lsp")


class OmkitServer(LanguageServer):
    """The server, with the last analysis of every open buffer."""

    def __init__(self) -> None:
        super().__init__("omkit", __version__)
        self.analyses: dict[str, diagnose.Analysis] = {}

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or UTF16)

    def check(self, uri: str) -> diagnose.Analysis:
        """Check the buffer ``uri`` as it is now and publish its diagnostics."""
        document = self.workspace.get_text_document(uri)
        try:
            analysis = diagnose.analyse(uri, document.source, self.encoding)
        except Exception as exc:  # never let one buffer stop the server; never echo its text
            log.warning("omkit could not check a buffer (%s)", type(exc).__name__)
            analysis = diagnose.Analysis(uri, document.source, self.encoding)
        self.analyses[uri] = analysis
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=analysis.diagnostics, version=document.version
            )
        )
        return analysis

    def analysis(self, uri: str) -> diagnose.Analysis:
        """The analysis of ``uri``'s current text (checked again if it changed)."""
        text = self.workspace.get_text_document(uri).source
        found = self.analyses.get(uri)
        if found is None or found.text != text or found.encoding != self.encoding:
            found = self.check(uri)
        return found


def make_server() -> OmkitServer:
    """A new server with every feature registered."""
    logging.getLogger("pygls").setLevel(logging.WARNING)
    server = OmkitServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: OmkitServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: OmkitServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.check(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: OmkitServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.check(params.text_document.uri)  # the folder's settings may have changed

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: OmkitServer, params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        ls.analyses.pop(uri, None)
        cleared = types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
        ls.text_document_publish_diagnostics(cleared)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    def hover(ls: OmkitServer, params: types.HoverParams) -> types.Hover | None:
        analysis = ls.analysis(params.text_document.uri)
        if not analysis.workflow:
            return None
        return schemahelp.hover(Lines(analysis.text, analysis.encoding), params.position)

    @server.feature(
        types.TEXT_DOCUMENT_COMPLETION, types.CompletionOptions(trigger_characters=[":", " "])
    )
    def completion(ls: OmkitServer, params: types.CompletionParams) -> types.CompletionList | None:
        analysis = ls.analysis(params.text_document.uri)
        if not analysis.workflow:
            return None
        lines = Lines(analysis.text, analysis.encoding)
        return schemahelp.completion(lines, params.position, analysis.settings.target)

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(
            code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
        ),
    )
    def code_action(
        ls: OmkitServer, params: types.CodeActionParams
    ) -> list[types.CodeAction] | None:
        analysis = ls.analysis(params.text_document.uri)
        actions = diagnose.code_actions(analysis, params.range)
        only = params.context.only
        if only:
            actions = [a for a in actions if any((a.kind or "").startswith(k) for k in only)]
        return actions or None

    @server.feature(types.TEXT_DOCUMENT_DOCUMENT_LINK)
    def document_link(
        ls: OmkitServer, params: types.DocumentLinkParams
    ) -> list[types.DocumentLink]:
        return diagnose.document_links(ls.analysis(params.text_document.uri))

    return server


def serve_stdio() -> None:
    """Speak LSP over standard input and output until the client says exit."""
    make_server().start_io()
