"""End to end: the real ``omkit lsp`` over stdio answers every request, in bounded work and
memory: quick fixes in a config with a long value, a buffer over the quick-fix cap, a document
that was never opened (a named pipe), documents opened and closed by the thousand, parameters
that do not fit, requests before ``initialize``.

The editor's side is :class:`Raw`, which writes the JSON-RPC frames itself (pygls's client
would refuse to send parameters that do not fit), or pygls's client through ``drive``.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import subprocess
import threading
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from test_cli_lsp import OMKIT, TEMPLATE, _next, _open, drive

#: How long :class:`Raw` waits for one answer (the old server never answered these).
WAIT = 30
#: A fixable problem (R003: a miscased region) and one value of 50,000 characters, which took
#: a character diff over 100 s to turn into edits.
LONG = "a" * 50_000
FIXABLE = TEMPLATE.replace("awsRegion: us-east-2", "awsRegion: US-East-2").replace(
    "      markDeletedMlModels: true\n",
    f"      markDeletedMlModels: true\n      mlModelFilterPattern:\n        includes:\n"
    f"          - {LONG}\n",
)
EVERYTHING = types.Range(types.Position(0, 0), types.Position(10_000, 0))


class Raw:
    """``omkit lsp`` in a subprocess, spoken to frame by frame."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [str(OMKIT), "lsp"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.answers: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        while True:
            length = 0
            line = self.proc.stdout.readline()
            if not line:
                self.answers.put(None)
                return
            while line.strip():
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
                line = self.proc.stdout.readline()
            self.answers.put(json.loads(self.proc.stdout.read(length)))

    def send(self, method: str, params: Any = None, msg_id: int | None = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        if msg_id is not None:
            message["id"] = msg_id
        body = json.dumps(message).encode("utf-8")
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def answer(self, msg_id: int) -> dict[str, Any]:
        """The answer to request ``msg_id`` (notifications in between are passed over)."""
        while True:
            got = self.answers.get(timeout=WAIT)
            assert got is not None, "the server ended"
            if got.get("id") == msg_id and "method" not in got:
                return got

    def initialize(self) -> None:
        self.send("initialize", {"processId": None, "capabilities": {}}, msg_id=1)
        assert "result" in self.answer(1)
        self.send("initialized", {})

    def rss(self) -> int:
        """The server's resident memory, in kB."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text(encoding="ascii")
        return next(int(line.split()[1]) for line in status.splitlines() if line[:6] == "VmRSS:")

    def close(self) -> None:
        self.send("shutdown", msg_id=999_999)
        self.answer(999_999)
        self.send("exit")
        assert self.proc.wait(timeout=WAIT) == 0


def test_requests_before_initialize_and_with_bad_parameters_are_answered() -> None:
    server = Raw()
    hover = {
        "textDocument": {"uri": "file:///nowhere.yaml"},
        "position": {"line": 0, "character": 0},
    }
    server.send("textDocument/hover", hover, msg_id=5)
    early = server.answer(5)
    assert early["error"]["code"] == -32002  # ServerNotInitialized
    server.send("textDocument/didOpen", {"textDocument": {"uri": "file:///x.yaml"}})  # dropped
    server.initialize()
    server.send("textDocument/hover", {"textDocument": {"uri": 5}}, msg_id=6)
    bad = server.answer(6)
    assert bad["error"]["code"] == -32602  # InvalidParams
    assert bad["error"]["message"] == "invalid parameters for textDocument/hover"
    server.send("textDocument/codeAction", {"range": "everything"}, msg_id=7)
    assert server.answer(7)["error"]["code"] == -32602
    server.send("textDocument/hover", hover, msg_id=8)  # still serving
    assert server.answer(8) == {"jsonrpc": "2.0", "id": 8, "result": None}
    server.close()


def test_opening_and_closing_documents_keeps_no_memory(tmp_path: Path) -> None:
    server = Raw()
    server.initialize()

    def open_and_close(first: int, count: int) -> None:
        for number in range(first, first + count):
            uri = (tmp_path / f"doc{number}.yaml").as_uri()
            item = {"uri": uri, "languageId": "yaml", "version": 1, "text": f"a: {number}\n"}
            server.send("textDocument/didOpen", {"textDocument": item})
            server.send("textDocument/didClose", {"textDocument": {"uri": uri}})
        server.send("textDocument/documentLink", {"textDocument": {"uri": uri}}, msg_id=first)
        server.answer(first)  # every notification before it is handled

    open_and_close(0, 2_000)  # the allocator's pools warm up
    before = server.rss()
    open_and_close(10_000, 3_000)
    grown = server.rss() - before
    server.close()
    assert grown < 3_000, f"{grown} kB more after 3,000 documents opened and closed"  # was 12,000


def test_a_document_never_opened_is_read_only_as_a_small_regular_file(tmp_path: Path) -> None:
    pipe = tmp_path / "pipe.yaml"
    os.mkfifo(pipe)  # reading it would wait for a writer for ever
    config = tmp_path / "w.yaml"
    config.write_text(TEMPLATE.replace("source:\n", "source:  # omkit: disable=R003\n", 1))
    seen: dict[str, Any] = {}

    async def body(
        client: LanguageClient, _: asyncio.Queue[types.PublishDiagnosticsParams]
    ) -> None:
        for name, uri in (("pipe", pipe.as_uri()), ("config", config.as_uri())):
            seen[name] = await client.text_document_document_link_async(
                types.DocumentLinkParams(text_document=types.TextDocumentIdentifier(uri=uri))
            )
        seen["hover"] = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=pipe.as_uri()),
                position=types.Position(0, 0),
            )
        )

    drive(body)
    assert not seen["pipe"]
    assert seen["hover"] is None
    [link] = seen["config"]
    assert link.target.endswith("#r003-unknown-region")


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    lines = text.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(position: types.Position) -> int:
        return starts[position.line] + position.character  # ASCII text: UTF-16 is code points

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


def test_quick_fixes_in_a_config_with_a_long_value_answer_and_the_server_stays_responsive(
    tmp_path: Path,
) -> None:
    config = tmp_path / "w.yaml"
    config.write_text(FIXABLE, encoding="utf-8")
    uri = config.as_uri()
    seen: dict[str, Any] = {}

    async def body(
        client: LanguageClient, queue: asyncio.Queue[types.PublishDiagnosticsParams]
    ) -> None:
        _open(client, uri, FIXABLE)
        published = await _next(queue, uri)
        asked = types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=EVERYTHING,
            context=types.CodeActionContext(diagnostics=published.diagnostics),
        )
        for _ in range(3):  # an editor asks on every cursor move
            seen["actions"] = await client.text_document_code_action_async(asked)
        seen["hover"] = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(FIXABLE.split("\n").index("source:"), 1),
            )
        )

    drive(body)  # 60 s for the whole session: the character diff took over 100 s
    assert isinstance(seen["hover"], types.Hover)
    quick, every = seen["actions"]
    assert quick.kind == types.CodeActionKind.QuickFix
    assert [e.new_text for e in quick.edit.changes[uri]] == ["us-east-2"]
    assert every.kind == types.CodeActionKind.SourceFixAll
    edits = every.edit.changes[uri]
    assert _apply(FIXABLE, edits) == FIXABLE.replace("US-East-2", "us-east-2")
    assert all(LONG[:100] not in e.new_text for e in edits)  # only the changed stretch goes back


def test_a_buffer_over_the_quick_fix_cap_gets_one_action_saying_why(tmp_path: Path) -> None:
    config = tmp_path / "w.yaml"
    comments = "".join(f"# note {n:06d} {'x' * 50}\n" for n in range(2_000))  # 128,000 chars
    text = TEMPLATE.replace("awsRegion: us-east-2", "awsRegion: US-East-2") + comments
    config.write_text(text, encoding="utf-8")
    seen: dict[str, Any] = {}

    async def body(
        client: LanguageClient, queue: asyncio.Queue[types.PublishDiagnosticsParams]
    ) -> None:
        _open(client, config.as_uri(), text)
        await _next(queue, config.as_uri())
        seen["actions"] = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=config.as_uri()),
                range=EVERYTHING,
                context=types.CodeActionContext(diagnostics=[]),
            )
        )

    drive(body)
    [action] = seen["actions"]
    assert action.edit is None
    assert action.disabled is not None
    assert action.disabled.reason.startswith("omkit works out quick fixes for a buffer of up to")
    assert action.disabled.reason.endswith("run omkit fix on the file")
