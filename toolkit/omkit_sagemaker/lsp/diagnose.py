"""One open buffer checked as ``omkit validate`` checks a file, in LSP terms: diagnostics with
their codes, ranges and documentation links, the quick fixes of ``omkit fix``, and links from
``# omkit: disable=R0NN`` comments to the rules' documentation.

Only workflow configs are checked (a top-level ``source`` or ``workflowConfig`` key, the test of
:func:`omkit_sagemaker.check.discovery.is_workflow`); any other YAML buffer gets no diagnostic.
Settings come from the file's folder (:func:`omkit_sagemaker.check.settings.load_settings`).
Environment variables are never expanded (``environ=None``): the editor's environment is not the
one the ingestion runs in, so the buffer is checked as written. Messages never hold a secret's
value (omkit's diagnostics never do), and nothing here logs the buffer's text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse
from urllib.request import url2pathname

from lsprotocol import types

from omkit_sagemaker.base.diagnostics import CODES, Diagnostic, Severity
from omkit_sagemaker.check import directives, discovery
from omkit_sagemaker.check.loader import Document
from omkit_sagemaker.check.reporters import INFORMATION_URI
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.rules.catalogue import docs_anchor
from omkit_sagemaker.check.settings import Settings, SettingsError, load_settings
from omkit_sagemaker.check.validate import check_text
from omkit_sagemaker.lsp import textdiff
from omkit_sagemaker.lsp.positions import UTF16, Lines, to_units

#: The ``source`` of every diagnostic omkit publishes.
SOURCE = "omkit"
_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
}


def docs_url(code: str) -> str:
    """The web address of ``code``'s section in docs/rules.md (what SARIF's helpUri names)."""
    return f"{INFORMATION_URI}/blob/main/docs/rules.md#{docs_anchor(code)}"


def uri_path(uri: str) -> Path | None:
    """The file a ``file:`` URI names; None for other schemes (an unsaved buffer)."""
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        return None
    return Path(url2pathname(unquote(parsed.path)))


@dataclass
class Analysis:
    """What checking one version of one buffer found."""

    uri: str
    text: str
    encoding: str = UTF16
    #: False for YAML that is not a workflow config: no diagnostics then.
    workflow: bool = False
    settings: Settings = field(default_factory=Settings)
    document: Document | None = None
    found: list[Diagnostic] = field(default_factory=list)
    #: What is published: a settings problem, if any, then each of ``found`` as LSP has it.
    diagnostics: list[types.Diagnostic] = field(default_factory=list)
    #: Each of ``found`` with its LSP form.
    pairs: list[tuple[Diagnostic, types.Diagnostic]] = field(default_factory=list)
    #: The quick fix of each diagnostic of ``found`` asked for (by ``id``; None: no fix).
    quick: dict[int, types.CodeAction | None] = field(default_factory=dict)
    #: The action fixing every problem, once worked out (``every_done``).
    every: types.CodeAction | None = None
    every_done: bool = False

    @property
    def lines(self) -> Lines:
        return Lines(self.text, self.encoding)


def analyse(uri: str, text: str, encoding: str = UTF16) -> Analysis:
    """Check the buffer ``text`` of ``uri`` (see the module docstring)."""
    result = Analysis(uri, text, encoding)
    body = text.removeprefix("\ufeff")
    result.workflow = discovery.is_workflow(body.encode("utf-8", errors="replace"))
    if not result.workflow:
        return result
    path = uri_path(uri)
    lines = Lines(text, encoding)
    problems: list[types.Diagnostic] = []
    if path is not None:
        try:
            result.settings = load_settings(path.parent)
        except SettingsError as exc:
            problems.append(
                types.Diagnostic(
                    range=types.Range(types.Position(0, 0), types.Position(0, 0)),
                    message=f"omkit settings ignored: {exc}",
                    severity=types.DiagnosticSeverity.Warning,
                    source=SOURCE,
                )
            )
    name = str(path) if path is not None else uri
    result.document, result.found = check_text(body, name, environ=None, settings=result.settings)
    if len(body) != len(text):  # omkit counts line 1's columns after the byte-order mark
        result.found = [d.replace(column=d.column + 1) if d.line == 1 else d for d in result.found]
    result.pairs = [(d, to_lsp(d, lines)) for d in result.found]
    result.diagnostics = problems + [lsp for _, lsp in result.pairs]
    return result


def token_end(line: str, index: int) -> int:
    """Where the key or scalar starting at ``line[index]`` ends (quotes included), at least one
    character on, within the line."""
    if index >= len(line):
        return len(line)
    quote = line[index]
    if quote in "'\"":
        i = index + 1
        while i < len(line):
            if quote == '"' and line[i] == "\\":
                i += 2
                continue
            if line[i] == quote:
                if quote == "'" and line[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                return i + 1
            i += 1
        return len(line)
    end = index
    while end < len(line):
        if line[end] == ":" and (end + 1 == len(line) or line[end + 1] in " \t"):
            break
        if line[end] == "#" and end > index and line[end - 1] in " \t":
            break
        end += 1
    end = len(line[:end].rstrip())
    return max(end, min(index + 1, len(line)))


def to_lsp(diag: Diagnostic, lines: Lines) -> types.Diagnostic:
    """omkit's diagnostic as an LSP one: 0-based range over the key or value it names, the
    omkit code, severity, ``source`` omkit and a link to the rule's documentation."""
    start = lines.from_omkit(diag.line, diag.column)
    text = lines.line(start.line)
    index = min(diag.column - 1, len(text))
    end = types.Position(start.line, to_units(text, token_end(text, index), lines.encoding))
    message = f"{diag.message}\n{diag.hint}" if diag.hint else diag.message
    return types.Diagnostic(
        range=types.Range(start, end),
        message=message,
        severity=_SEVERITY[diag.severity],
        code=diag.code,
        code_description=types.CodeDescription(href=docs_url(diag.code)),
        source=SOURCE,
        data={"path": diag.path},
    )


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)

    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


#: The largest buffer (in characters) quick fixes are worked out for: proving a fix parses the
#: buffer again, about 0.3 s per 100,000 characters, and editors ask on every cursor move.
MAX_FIX_CHARS = 64 * 1024


def too_large(analysis: Analysis) -> types.CodeAction:
    """What a buffer over :data:`MAX_FIX_CHARS` gets instead of quick fixes: an action that
    cannot be applied and says why."""
    reason = (
        f"omkit works out quick fixes for a buffer of up to {MAX_FIX_CHARS:,} characters, "
        f"this one has {len(analysis.text):,}; run omkit fix on the file"
    )
    return types.CodeAction(
        title="omkit: no quick fixes in a buffer this large",
        kind=types.CodeActionKind.QuickFix,
        disabled=types.CodeActionDisabled(reason=reason),
    )


def code_actions(analysis: Analysis, wanted: types.Range) -> list[types.CodeAction]:
    """The quick fixes of the diagnostics touching ``wanted`` (each sure on its own, as
    ``omkit fix`` makes it), and one action fixing every fixable problem of the file. Each is
    worked out once per version of the buffer (kept in ``analysis``)."""
    from omkit_sagemaker.check.fix import apply

    if analysis.document is None:
        return []
    fixable = [d for d in analysis.found if apply.fixer_for(d.code) is not None]
    if not fixable:
        return []
    if len(analysis.text) > MAX_FIX_CHARS:
        return [too_large(analysis)]
    pairs = [(d, lsp) for d, lsp in analysis.pairs if _overlaps(lsp.range, wanted)]
    touching = [d for d, _ in pairs if apply.fixer_for(d.code) is not None]
    todo = [d for d in touching if id(d) not in analysis.quick]
    if todo:
        analysis.quick.update((id(d), None) for d in todo)
        by_diag = {id(d): lsp for d, lsp in pairs}
        lines = analysis.lines
        bom = len(analysis.text) - len(analysis.document.source)  # offsets are the body's
        for edit in apply.text_edits(
            analysis.document, analysis.found, analysis.settings, only=todo
        ):
            change = types.TextEdit(
                range=lines.range(bom + edit.start, bom + edit.end), new_text=edit.new
            )
            analysis.quick[id(edit.diagnostic)] = types.CodeAction(
                title=f"omkit: {edit.fix.explanation}",
                kind=types.CodeActionKind.QuickFix,
                diagnostics=[by_diag[id(edit.diagnostic)]],
                edit=types.WorkspaceEdit(changes={analysis.uri: [change]}),
                is_preferred=True,
            )
    out = [a for a in (analysis.quick[id(d)] for d in touching) if a is not None]
    if not analysis.every_done:
        analysis.every, analysis.every_done = fix_all(analysis), True
    if analysis.every is not None:
        out.append(analysis.every)
    return out


def fix_all(analysis: Analysis) -> types.CodeAction | None:
    """One action applying every fix ``omkit fix`` would make to the buffer, or None."""
    from omkit_sagemaker.check.fix import apply

    body = analysis.text.removeprefix("\ufeff")
    bom = len(analysis.text) - len(body)
    planned = apply.plan_text(body, analysis.uri, analysis.settings)
    if planned.errors or not planned.applied or planned.new_text == body:
        return None
    # One edit per changed stretch (never one edit spanning the whole file): the rest of
    # the buffer, secrets included, is not sent back. Found line by line, in linear time.
    found = textdiff.stretches(body, planned.new_text)
    if not found:
        return None
    lines = analysis.lines
    changes = [
        types.TextEdit(range=lines.range(bom + start, bom + end), new_text=new)
        for start, end, new in found
    ]
    count = len(planned.applied)
    return types.CodeAction(
        title=f"omkit: fix {count} problem{'s' if count != 1 else ''} in this file",
        kind=types.CodeActionKind.SourceFixAll,
        edit=types.WorkspaceEdit(changes={analysis.uri: changes}),
    )


def document_links(analysis: Analysis) -> list[types.DocumentLink]:
    """A link to the documentation of every known code a ``# omkit: disable=`` comment names."""
    if not analysis.workflow:
        return []
    lines = analysis.lines
    out: list[types.DocumentLink] = []
    for named in directives.parse(analysis.text):
        if named.code not in CODES and named.code not in RULES:
            continue  # R021 reports it
        start = lines.from_omkit(named.line, named.column)
        end = lines.from_omkit(named.line, named.column + len(named.code))
        out.append(
            types.DocumentLink(
                range=types.Range(start, end),
                target=docs_url(named.code),
                tooltip=f"omkit: what {named.code} checks",
            )
        )
    return out
