"""The pygls language server: protocol messages in, :mod:`.diagnose` and :mod:`.schemahelp` out.

Every open buffer is checked on open and on each change (synchronously: a check of a 100-line
config takes a few milliseconds, well inside the 50 ms budget ``bench/lsp_bench.py`` measures,
so there is no debounce) and its diagnostics published; closing it clears them. The last
analysis of each buffer is kept for code actions and links. The position encoding is what
pygls negotiated with the client (UTF-16 unless the client offers UTF-8 or UTF-32).

A request about a document that is not open reads the file only when it is a regular file of
at most 4 MiB (never a device such as ``/dev/urandom``), and keeps nothing of it. Closing a
buffer frees everything kept for it (its analysis, its quick fixes; :mod:`.protocol` drops
what pygls would keep).

Nothing here logs a buffer's text or a diagnostic: pygls's own logger is held at warnings, and
a failed check is reported by the exception's type alone.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from omkit_sagemaker.base.version import __version__
from omkit_sagemaker.check import discovery
from omkit_sagemaker.lsp import diagnose, schemahelp
from omkit_sagemaker.lsp.positions import UTF16, Lines
from omkit_sagemaker.lsp.protocol import OmkitProtocol

log = logging.getLogger("omkit.lsp")


class OmkitServer(LanguageServer):
    """The server, with the last analysis of every open buffer."""

    def __init__(self) -> None:
        super().__init__("omkit", __version__, protocol_cls=OmkitProtocol)
        self.analyses: dict[str, diagnose.Analysis] = {}

    @property
    def encoding(self) -> str:
        return str(self.workspace.position_encoding or UTF16)

    def check(self, uri: str) -> diagnose.Analysis:
        """Check the buffer ``uri`` as it is now and publish its diagnostics."""
        document = self.workspace.get_text_document(uri)
        analysis = self.analyse(uri, document.source)
        self.analyses[uri] = analysis
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(
                uri=uri, diagnostics=analysis.diagnostics, version=document.version
            )
        )
        return analysis

    def analyse(self, uri: str, text: str) -> diagnose.Analysis:
        """:func:`diagnose.analyse`, or an empty analysis when it fails."""
        try:
            return diagnose.analyse(uri, text, self.encoding)
        except Exception as exc:  # never let one buffer stop the server; never echo its text
            log.warning("omkit could not check a buffer (%s)", type(exc).__name__)
            return diagnose.Analysis(uri, text, self.encoding)

    def is_open(self, uri: str) -> bool:
        return unquote(uri) in self.workspace.text_documents

    def analysis(self, uri: str) -> diagnose.Analysis | None:
        """The analysis of ``uri``'s current text (checked again if it changed); for a document
        that is not open, of the file when it is a small regular file (kept nowhere), else None."""
        if not self.is_open(uri):
            text = closed_text(uri)
            return None if text is None else self.analyse(uri, text)
        text = self.workspace.get_text_document(uri).source
        found = self.analyses.get(uri)
        if found is None or found.text != text or found.encoding != self.encoding:
            found = self.check(uri)
        return found


def closed_text(uri: str) -> str | None:
    """The text of the file ``uri`` names when it is a regular UTF-8 file of at most
    :data:`~omkit_sagemaker.check.discovery.MAX_BYTES`, else None (nothing else is read)."""
    path = diagnose.uri_path(uri)
    if path is None:
        return None
    try:
        return discovery.read_bounded(path).decode("utf-8")
    except (discovery.UsageError, OSError, UnicodeDecodeError):
        return None


def _did_open(ls: OmkitServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.check(params.text_document.uri)


def _did_change(ls: OmkitServer, params: types.DidChangeTextDocumentParams) -> None:
    if ls.is_open(params.text_document.uri):
        ls.check(params.text_document.uri)


def _did_save(ls: OmkitServer, params: types.DidSaveTextDocumentParams) -> None:
    if ls.is_open(params.text_document.uri):  # the folder's settings may have changed
        ls.check(params.text_document.uri)


def _did_close(ls: OmkitServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.analyses.pop(uri, None)
    cleared = types.PublishDiagnosticsParams(uri=uri, diagnostics=[])
    ls.text_document_publish_diagnostics(cleared)


def _hover(ls: OmkitServer, params: types.HoverParams) -> types.Hover | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis is None or not analysis.workflow:
        return None
    return schemahelp.hover(Lines(analysis.text, analysis.encoding), params.position)


def _completion(ls: OmkitServer, params: types.CompletionParams) -> types.CompletionList | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis is None or not analysis.workflow:
        return None
    lines = Lines(analysis.text, analysis.encoding)
    return schemahelp.completion(lines, params.position, analysis.settings.target)


def _code_action(ls: OmkitServer, params: types.CodeActionParams) -> list[types.CodeAction] | None:
    analysis = ls.analysis(params.text_document.uri)
    if analysis is None:
        return None
    actions = diagnose.code_actions(analysis, params.range)
    only = params.context.only
    if only:
        actions = [a for a in actions if any((a.kind or "").startswith(k) for k in only)]
    return actions or None


def _document_link(ls: OmkitServer, params: types.DocumentLinkParams) -> list[types.DocumentLink]:
    analysis = ls.analysis(params.text_document.uri)
    return [] if analysis is None else diagnose.document_links(analysis)


def _features() -> tuple[tuple[str, Any, Callable[..., Any]], ...]:
    """Every feature the server offers: the method, its options (new for each server: pygls
    completes them when it builds the capabilities), and the handler."""
    return (
        # Keeping each buffer's diagnostics in step with its text.
        (types.TEXT_DOCUMENT_DID_OPEN, None, _did_open),
        (types.TEXT_DOCUMENT_DID_CHANGE, None, _did_change),
        (types.TEXT_DOCUMENT_DID_SAVE, None, _did_save),
        (types.TEXT_DOCUMENT_DID_CLOSE, None, _did_close),
        # Answering the editor's requests.
        (types.TEXT_DOCUMENT_HOVER, None, _hover),
        (
            types.TEXT_DOCUMENT_COMPLETION,
            types.CompletionOptions(trigger_characters=[":", " "]),
            _completion,
        ),
        (
            types.TEXT_DOCUMENT_CODE_ACTION,
            types.CodeActionOptions(
                code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll]
            ),
            _code_action,
        ),
        (types.TEXT_DOCUMENT_DOCUMENT_LINK, None, _document_link),
    )


def make_server() -> OmkitServer:
    """A new server with every feature of :func:`_features` registered."""
    logging.getLogger("pygls").setLevel(logging.WARNING)
    server = OmkitServer()
    for method, options, handler in _features():
        server.feature(method, options)(handler)
    return server


def serve_stdio() -> None:
    """Speak LSP over standard input and output until the client says exit."""
    make_server().start_io()
