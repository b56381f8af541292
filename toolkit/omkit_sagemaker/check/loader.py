"""Read a config file into data typed exactly as ``metadata ingest`` types it, with positions.

The upstream runner reads its YAML with PyYAML's ``safe_load`` (YAML 1.1), after expanding
environment variables in the raw text. omkit does the same, through libyaml when it is available,
and additionally keeps the line and column of every key and value, so that every later check can
point at the exact place in the file as the user wrote it. Problems that make the file unreadable,
or that PyYAML would silently paper over (duplicate keys, alias bombs), become diagnostics here.

A plain document is built and indexed in one walk (:mod:`.fastload`); any other goes through
the node checks (:mod:`.nodechecks`), is built (:mod:`.yamlbuild`) and indexed
(:mod:`.nodeindex`); the parser's errors are said by :mod:`.yamlerrors`, at the place
:mod:`.locator` finds in the file as written.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import ScalarNode

from omkit_sagemaker.base.diagnostics import make
from omkit_sagemaker.base.masking import kind as _kind
from omkit_sagemaker.check import fastload, yamlbuild
from omkit_sagemaker.check.document import DataPath as DataPath
from omkit_sagemaker.check.document import Document as Document
from omkit_sagemaker.check.document import LoadResult as LoadResult
from omkit_sagemaker.check.document import PathPart as PathPart
from omkit_sagemaker.check.document import Position as Position
from omkit_sagemaker.check.document import Positions as Positions
from omkit_sagemaker.check.document import Scalar as Scalar
from omkit_sagemaker.check.envvars import Expansion, expand
from omkit_sagemaker.check.locator import Locator
from omkit_sagemaker.check.nodechecks import MAX_DEPTH as MAX_DEPTH
from omkit_sagemaker.check.nodechecks import MAX_DIGITS as MAX_DIGITS
from omkit_sagemaker.check.nodechecks import MAX_NODES as MAX_NODES
from omkit_sagemaker.check.nodechecks import check_nodes

#: Scalar tags the resolver gave, by (text, implicit flags); at most this many are kept.
_TAGS: dict[tuple[str, Any], str] = {}
_MAX_TAGS = 20_000


def _fast_loader() -> type[Any] | None:
    """libyaml's safe loader when PyYAML was built with it (see :func:`load_text`), else None.

    libyaml calls back into PyYAML's Python resolver for every scalar, which tries its regular
    expressions in turn; for a scalar the answer depends on its text and flags alone (a safe
    loader has no path resolvers), so it is looked up once per text, across files.
    """
    base: Any = getattr(yaml, "CSafeLoader", None)
    if base is None:
        return None

    class Loader(base):  # type: ignore[misc]
        def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
            if kind is not ScalarNode:
                return super().resolve(kind, value, implicit)
            key = (value, implicit)
            tag = _TAGS.get(key)
            if tag is None:
                tag = super().resolve(kind, value, implicit)
                if len(_TAGS) < _MAX_TAGS:
                    _TAGS[key] = tag
            return tag

    return Loader


_FAST = _fast_loader()

#: Longer files are refused before they are parsed (see Y012).
MAX_LINES = 20_000
#: Where libyaml and PyYAML's pure-Python loader may disagree: tabs anywhere, and a tag, anchor,
#: alias, block scalar, directive or reserved indicator (these characters) at the start of a
#: token (at the start of a line, or after one of :data:`_TOKEN_BEFORE`) outside a whole-line
#: comment.
_INDICATORS = "!&*|>%@`"
_TOKEN_BEFORE = " []{},\n"


def _diverges(text: str) -> bool:
    """True when an indicator of :data:`_INDICATORS` starts a token outside whole-line comments
    (lines whose first character after spaces is ``#``).

    ``str.find`` per indicator rather than one regular expression: the expression tried its
    alternatives at every character (a tenth of a millisecond on the template, a fifth of
    reading it), while a config holds only a handful of these characters.
    """
    for indicator in _INDICATORS:
        at = text.find(indicator)
        while at >= 0:
            if at == 0 or text[at - 1] in _TOKEN_BEFORE:
                start = text.rfind("\n", 0, at) + 1
                if not text[start : at + 1].lstrip(" ").startswith("#"):
                    return True
            at = text.find(indicator, at + 1)
    return False


def load_file(path: str | Path, *, environ: Mapping[str, str] | None = os.environ) -> LoadResult:
    """Read and parse one file, expanding ``$VAR``s from ``environ`` (``None``: no expansion)."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return LoadResult(None, [make("Y011", name, 1, 1, f"cannot read the file: {reason}")])
    return load_bytes(raw, name, environ=environ)


def load_bytes(
    raw: bytes, name: str, *, environ: Mapping[str, str] | None = os.environ
) -> LoadResult:
    """Decode ``raw`` as UTF-8 and parse it (see :func:`load_text`)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        line_start = before.rfind(b"\n") + 1
        prefix = before[line_start:].removeprefix(b"\xef\xbb\xbf" if line == 1 else b"")
        column = len(prefix.decode("utf-8", errors="replace")) + 1
        msg = f"the file is not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded"
        return LoadResult(None, [make("Y002", name, line, column, msg, hint="save it as UTF-8")])
    return load_text(text, name, environ=environ)


def load_text(
    text: str, name: str, *, environ: Mapping[str, str] | None = os.environ
) -> LoadResult:
    """Parse config text the way ``metadata ingest`` does, keeping positions and problems.

    libyaml reads a typical config ten times faster than PyYAML's pure-Python loader, which is
    what the runner uses. The two agree except around tabs, tags, anchors, block scalars and
    directives, and in how they report errors; so libyaml is used only for text that has none of
    those, and the pure-Python loader has the last word on everything else.
    """
    if text.startswith("\ufeff"):  # PyYAML skips a byte-order mark at the start
        text = text[1:]
    lines = text.count("\n")
    if lines > MAX_LINES:  # bounded work: composing 100,000 keys alone takes a second
        msg = (
            f"the file has {lines:,} lines; omkit reads configs of up to {MAX_LINES:,} "
            "(a workflow config has a few dozen)"
        )
        return LoadResult(None, [make("Y012", name, MAX_LINES + 1, 1, msg)])
    expansion = expand(text, environ) if environ is not None else None
    parsed = expansion.text if expansion is not None else text
    locator = Locator(text, expansion)
    if _FAST is not None and "\t" not in parsed and not _diverges(parsed):
        try:
            return _load(_FAST(parsed), text, name, expansion, locator)
        except yaml.YAMLError:
            pass  # let the runner's own loader report it
    try:
        return _load(yaml.SafeLoader(parsed), text, name, expansion, locator)
    except yaml.YAMLError as exc:
        from omkit_sagemaker.check.yamlerrors import yaml_error

        return LoadResult(None, [yaml_error(exc, name, locator, parsed)])
    except RecursionError:  # PyYAML recurses once per level of nesting
        msg = f"the document is nested more than {MAX_DEPTH} levels deep"
        return LoadResult(None, [make("Y001", name, 1, 1, msg)])


def _load(
    loader: Any, text: str, name: str, expansion: Expansion | None, locator: Locator
) -> LoadResult:
    """Compose, check and build one document; raises the parser's YAMLError."""
    try:
        node = loader.get_single_node()
        if node is None:
            return LoadResult(
                None, [make("Y003", name, 1, 1, "the file is empty: no YAML document")]
            )
        changed = expansion if expansion is not None and expansion.changed() else None
        walked = fastload.walk(node, text, changed, MAX_DEPTH, MAX_DIGITS)
        if walked is not None:  # a plain document: built and indexed in one walk
            document = Document(
                file=name,
                data=walked.data,
                expansion=expansion,
                values=Positions(locator.at, walked.values),
                keys=Positions(locator.at, walked.keys),
                scalars=walked.scalars,
                source=text,
            )
            return LoadResult(document, [])
        problems = check_nodes(node, name, locator)
        if problems:
            return LoadResult(None, problems)
        try:
            try:
                data = yamlbuild.build(node)
            except yamlbuild.Unusual:
                data = loader.construct_document(node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            from omkit_sagemaker.check.yamlerrors import construct_error

            return LoadResult(None, [construct_error(node, name, locator)])
    finally:
        loader.dispose()
    if not isinstance(data, dict):
        kind = _kind(data)
        pos = locator.mark(node.start_mark)
        msg = f"the document must be a mapping (source:, sink:, workflowConfig:), not {kind}"
        return LoadResult(None, [make("Y004", name, pos.line, pos.column, msg)])
    document = Document(
        file=name,
        data=data,
        expansion=expansion,
        values=Positions(locator.at),
        keys=Positions(locator.at),
        source=text,
    )
    from omkit_sagemaker.check.nodeindex import index_nodes

    diagnostics = index_nodes(document, node, locator)
    return LoadResult(document, diagnostics)
