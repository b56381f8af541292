"""End to end: pygls's own client drives the real ``omkit lsp`` in a subprocess over stdio.

open, change, hover, completion, code action, document links, close, shutdown and exit; a
non-workflow YAML file gets no diagnostics; position encodings are negotiated.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path

from lsprotocol import types
from omkit_sagemaker.lsp.diagnose import SOURCE
from pygls.lsp.client import LanguageClient

OMKIT = Path(sys.executable).parent / "omkit"
ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = (ROOT / "templates" / "sagemaker.yaml").read_text(encoding="utf-8")

Session = Callable[
    [LanguageClient, "asyncio.Queue[types.PublishDiagnosticsParams]"], Awaitable[None]
]


def drive(body: Session, encodings: list[str] | None = None) -> types.InitializeResult:
    """Start ``omkit lsp``, initialize, run ``body``, then shut down and exit cleanly."""

    async def main() -> types.InitializeResult:
        client = LanguageClient("omkit-tests", "0")
        published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)  # type: ignore[untyped-decorator]
        def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
            published.put_nowait(params)

        await client.start_io(str(OMKIT), "lsp", "--stdio")
        general = types.GeneralClientCapabilities(position_encodings=encodings)
        result = await asyncio.wait_for(
            client.initialize_async(
                types.InitializeParams(
                    capabilities=types.ClientCapabilities(general=general), process_id=None
                )
            ),
            30,
        )
        client.initialized(types.InitializedParams())
        try:
            await asyncio.wait_for(body(client, published), 60)
        finally:
            await asyncio.wait_for(client.shutdown_async(None), 10)
            client.exit(None)
            await client.stop()  # type: ignore[no-untyped-call]
        return result

    return asyncio.run(main())


def _open(client: LanguageClient, uri: str, text: str) -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="yaml", version=1, text=text)
        )
    )


async def _next(
    queue: asyncio.Queue[types.PublishDiagnosticsParams], uri: str
) -> types.PublishDiagnosticsParams:
    while True:
        got = await asyncio.wait_for(queue.get(), 20)
        if got.uri == uri:
            return got


def test_open_change_hover_complete_fix_and_shut_down(tmp_path: Path) -> None:
    config = tmp_path / "sagemaker.yaml"
    config.write_text(TEMPLATE, encoding="utf-8")
    uri = config.as_uri()
    lines = TEMPLATE.split("\n")
    region = next(i for i, line in enumerate(lines) if "awsRegion:" in line)
    seen: dict[str, object] = {}

    async def body(
        client: LanguageClient, queue: asyncio.Queue[types.PublishDiagnosticsParams]
    ) -> None:
        _open(client, uri, TEMPLATE)
        first = await _next(queue, uri)
        seen["clean"] = first.diagnostics
        # Change the region to a miscased one: one edit of the region's value.
        column = lines[region].index("us-east-2")
        change = types.TextDocumentContentChangePartial(
            range=types.Range(
                types.Position(region, column), types.Position(region, column + len("us-east-2"))
            ),
            text="US-East-2",
        )
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(
                text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
                content_changes=[change],
            )
        )
        changed = await _next(queue, uri)
        seen["changed"] = changed
        hover = await client.text_document_hover_async(
            types.HoverParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=region, character=column - 4),
            )
        )
        seen["hover"] = hover
        completion = await client.text_document_completion_async(
            types.CompletionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                position=types.Position(line=region, character=8),
            )
        )
        seen["completion"] = completion
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(
                text_document=types.TextDocumentIdentifier(uri=uri),
                range=changed.diagnostics[0].range,
                context=types.CodeActionContext(diagnostics=changed.diagnostics),
            )
        )
        seen["actions"] = actions
        client.text_document_did_close(
            types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
        )
        seen["closed"] = await _next(queue, uri)

    result = drive(body)
    assert result.capabilities.hover_provider
    assert not seen["clean"]
    changed = seen["changed"]
    assert isinstance(changed, types.PublishDiagnosticsParams)
    assert changed.version == 2
    [diag] = changed.diagnostics
    assert diag.code == "R003"
    assert diag.source == SOURCE
    assert diag.severity == types.DiagnosticSeverity.Error
    column = lines[region].index("us-east-2")
    assert diag.range == types.Range(
        types.Position(region, column), types.Position(region, column + len("US-East-2"))
    )
    assert diag.code_description is not None
    assert diag.code_description.href.endswith("docs/rules.md#r003-unknown-region")
    hover = seen["hover"]
    assert isinstance(hover, types.Hover)
    assert isinstance(hover.contents, types.MarkupContent)
    assert "AWS region" in hover.contents.value
    assert "OpenMetadata releases: 1.1-2.0" in hover.contents.value
    completion = seen["completion"]
    assert isinstance(completion, types.CompletionList)
    labels = {item.label for item in completion.items}
    assert {"awsRegion", "profileName", "assumeRoleArn"} <= labels
    assert "awsAccessKeyId" not in labels  # already written in this mapping
    actions = seen["actions"]
    assert isinstance(actions, (list, tuple))
    quick = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert quick
    assert quick[0].edit is not None
    assert quick[0].edit.changes is not None
    [edit] = quick[0].edit.changes[uri]
    assert edit.new_text == "us-east-2"
    assert edit.range == diag.range
    closed = seen["closed"]
    assert isinstance(closed, types.PublishDiagnosticsParams)
    assert not closed.diagnostics


def test_other_yaml_gets_no_diagnostics_and_links_go_to_the_rules(tmp_path: Path) -> None:
    compose = tmp_path / "docker-compose.yml"
    compose.write_text("services:\n  web:\n    image: nginx\n    bogus: [\n", encoding="utf-8")
    config = tmp_path / "w.yaml"
    text = TEMPLATE.replace("source:\n", "source:  # omkit: disable=R003\n", 1)
    config.write_text(text, encoding="utf-8")
    seen: dict[str, object] = {}

    async def body(
        client: LanguageClient, queue: asyncio.Queue[types.PublishDiagnosticsParams]
    ) -> None:
        _open(client, compose.as_uri(), compose.read_text(encoding="utf-8"))
        seen["compose"] = await _next(queue, compose.as_uri())
        _open(client, config.as_uri(), text)
        await _next(queue, config.as_uri())
        seen["links"] = await client.text_document_document_link_async(
            types.DocumentLinkParams(
                text_document=types.TextDocumentIdentifier(uri=config.as_uri())
            )
        )

    drive(body)
    compose_diags = seen["compose"]
    assert isinstance(compose_diags, types.PublishDiagnosticsParams)
    assert not compose_diags.diagnostics
    links = seen["links"]
    assert isinstance(links, (list, tuple))
    [link] = links
    assert link.target is not None
    assert link.target.endswith("#r003-unknown-region")


def test_utf32_is_negotiated_when_the_client_offers_it(tmp_path: Path) -> None:
    config = tmp_path / "w.yaml"
    text = TEMPLATE.replace("serviceName: aws_sagemaker", 'serviceName: "😀😀"\n  bogusKey: 1')
    config.write_text(text, encoding="utf-8")
    got: list[types.PublishDiagnosticsParams] = []

    async def body(
        client: LanguageClient, queue: asyncio.Queue[types.PublishDiagnosticsParams]
    ) -> None:
        _open(client, config.as_uri(), text)
        got.append(await _next(queue, config.as_uri()))

    result = drive(body, encodings=[types.PositionEncodingKind.Utf32])
    assert result.capabilities.position_encoding == types.PositionEncodingKind.Utf32
    bogus = [d for d in got[0].diagnostics if d.code == "S001"]
    assert bogus
    line = text.split("\n")[bogus[0].range.start.line]
    assert line.strip().startswith("bogusKey")
    assert bogus[0].range.start.character == line.index("bogusKey")


def test_without_pygls_omkit_lsp_says_to_install_the_extra_and_exits_2() -> None:
    import subprocess

    probe = (
        "import sys; sys.modules['pygls'] = None; sys.argv = ['omkit', 'lsp']\n"
        "from omkit_sagemaker.cli import main; main()"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=False, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    [line] = result.stderr.splitlines()
    assert "pip install 'omkit-sagemaker[lsp]'" in line
