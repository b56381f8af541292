"""Read a config file into data typed exactly as ``metadata ingest`` types it, with positions.

The upstream runner reads its YAML with PyYAML's ``safe_load`` (YAML 1.1), after expanding
environment variables in the raw text. omkit does the same, through libyaml when it is available,
and additionally keeps the line and column of every key and value, so that every later check can
point at the exact place in the file as the user wrote it. Problems that make the file unreadable,
or that PyYAML would silently paper over (duplicate keys, alias bombs), become diagnostics here.
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path, make
from omkit_sagemaker.base.masking import kind as _kind
from omkit_sagemaker.base.records import MutableRecord
from omkit_sagemaker.check import fastload, yamlbuild
from omkit_sagemaker.check.document import DataPath as DataPath
from omkit_sagemaker.check.document import Document as Document
from omkit_sagemaker.check.document import LoadResult as LoadResult
from omkit_sagemaker.check.document import PathPart as PathPart
from omkit_sagemaker.check.document import Position as Position
from omkit_sagemaker.check.document import Positions as Positions
from omkit_sagemaker.check.document import Scalar as Scalar
from omkit_sagemaker.check.envvars import Expansion, expand

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

#: A document whose aliases expand to more nodes than this is refused (billion laughs).
MAX_NODES = 100_000


_MERGE_TAG = "tag:yaml.org,2002:merge"
_INT_TAG = "tag:yaml.org,2002:int"
#: Longer files are refused before they are parsed (see Y012).
MAX_LINES = 20_000
#: Longer numbers are refused: Python will not print an integer past 4,300 decimal digits, and a
#: thousand hexadecimal digits stay well below that.
MAX_DIGITS = 1000
#: Deeper nesting is refused: no config needs it, and recursive code downstream would fail.
MAX_DEPTH = 100
#: Where libyaml and PyYAML's pure-Python loader may disagree: tabs anywhere, and a tag, anchor,
#: alias, block scalar, directive or reserved indicator (these characters) at the start of a
#: token (at the start of a line, or after one of :data:`_TOKEN_BEFORE`) outside a whole-line
#: comment.
_INDICATORS = "!&*|>%@`"
_TOKEN_BEFORE = " []{},\n"
_LINE_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
#: Tags whose values are not plain mappings, lists or scalars; the runner cannot use them.
_UNSUPPORTED_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("omap", "pairs", "set")}


class _Locator:
    """Turns offsets in the parsed (expanded) text into positions in the original text."""

    def __init__(self, original: str, expansion: Expansion | None) -> None:
        self._original = original
        self._expansion = expansion
        self._starts: list[int] | None = None  # found on first use: a valid file needs none

    @property
    def _line_starts(self) -> list[int]:
        if self._starts is None:  # PyYAML ends a line at CR LF, CR, LF, NEL, LS or PS
            self._starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self._original)]
        return self._starts

    def _offset(self, index: int) -> int:
        return self._expansion.original_offset(index) if self._expansion is not None else index

    def written(self, node: Node) -> str:
        """The original text of ``node`` (as in the file, before expansion)."""
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        return self._original[self._offset(start) : self._offset(end)]

    def expanded(self, node: Node) -> bool:
        """True when the text of ``node`` holds anything a ``$VAR`` expanded to."""
        start, end = int(node.start_mark.index), int(node.end_mark.index)
        return self._expansion is not None and self._expansion.overlaps(start, end)

    def from_environment(self, mark: Any) -> bool:
        """True when ``mark`` lies inside text that a ``$VAR`` expanded to."""
        return self._expansion is not None and self._expansion.substituted(int(mark.index))

    def at(self, index: int) -> Position:
        index = self._offset(index)
        line = bisect_right(self._line_starts, index) - 1
        return Position(line + 1, index - self._line_starts[line] + 1)

    def mark(self, mark: Any) -> Position:
        return self.at(int(mark.index))


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
    locator = _Locator(text, expansion)
    if _FAST is not None and "\t" not in parsed and not _diverges(parsed):
        try:
            return _load(_FAST(parsed), text, name, expansion, locator)
        except yaml.YAMLError:
            pass  # let the runner's own loader report it
    try:
        return _load(yaml.SafeLoader(parsed), text, name, expansion, locator)
    except yaml.YAMLError as exc:
        return LoadResult(None, [_yaml_error(exc, name, locator, parsed)])
    except RecursionError:  # PyYAML recurses once per level of nesting
        msg = f"the document is nested more than {MAX_DEPTH} levels deep"
        return LoadResult(None, [make("Y001", name, 1, 1, msg)])


def _load(
    loader: Any, text: str, name: str, expansion: Expansion | None, locator: _Locator
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
        problems = _check_nodes(node, name, locator)
        if problems:
            return LoadResult(None, problems)
        try:
            try:
                data = yamlbuild.build(node)
            except yamlbuild.Unusual:
                data = loader.construct_document(node)
        except (yaml.YAMLError, ValueError, TypeError, OverflowError):
            return LoadResult(None, [_construct_error(node, name, locator)])
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
    diagnostics = _index(document, node, locator)
    return LoadResult(document, diagnostics)


def _yaml_error(exc: yaml.YAMLError, name: str, locator: _Locator, parsed: str) -> Diagnostic:
    if isinstance(exc, yaml.reader.ReaderError):
        pos = locator.at(exc.position)
        char = (
            exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "?")
        )
        msg = f"the file contains the control character #x{char:04x}, which YAML does not allow"
        return make("Y001", name, pos.line, pos.column, msg, hint="delete it")
    problem_mark = getattr(exc, "problem_mark", None)
    context_mark = getattr(exc, "context_mark", None)
    mark = problem_mark or context_mark
    if (
        problem_mark is not None
        and context_mark is not None
        and int(problem_mark.index) >= len(parsed.rstrip())
    ):  # "found unexpected end of stream": the opening quote or bracket is the place to look
        mark = context_mark
    problem = str(getattr(exc, "problem", None) or exc).strip()
    context = str(getattr(exc, "context", None) or "").strip()
    pos = locator.mark(mark) if mark is not None else Position(1, 1)
    if mark is not None and locator.from_environment(mark):
        msg = "the value of an environment variable breaks the YAML here"
        hint = "quote the ${VAR} reference, or fix the variable's value"
        return make("Y001", name, pos.line, pos.column, msg, hint=hint)
    if "duplicate anchor" in context and context_mark is not None and problem_mark is not None:
        pos = locator.mark(problem_mark)
        first = locator.mark(context_mark).line
        msg = f"this anchor name is already defined on line {first}"
        return make("Y001", name, pos.line, pos.column, msg, hint="rename one of the anchors")
    index = int(mark.index) if mark is not None else -1
    if 0 <= index < len(parsed) and parsed[index] == "\t":
        msg = "a tab character is used for indentation; YAML allows only spaces there"
        return make("Y006", name, pos.line, pos.column, msg, hint="replace the tab with spaces")
    if "single document" in problem + context:
        msg = "the file holds more than one YAML document; metadata ingest reads exactly one"
        return make("Y010", name, pos.line, pos.column, msg, hint="remove the '---' separator")
    msg = f"invalid YAML: {problem}" + (f" ({context})" if context else "")
    return make("Y001", name, pos.line, pos.column, msg)


def _construct_error(root: Node, name: str, locator: _Locator) -> Diagnostic:
    """Find the value that could not be built (say, ``2024-13-40`` or an unknown tag).

    The message never quotes the value itself: it may be a secret, or come from the environment.
    """
    nodes = [n for n in _walk_unique(root).nodes if n.tag != _MERGE_TAG]
    ordered: list[Node] = [n for n in nodes if isinstance(n, ScalarNode)]
    ordered += [n for n in nodes if not isinstance(n, ScalarNode)]
    for node in ordered:
        try:
            SafeConstructor().construct_object(node, deep=True)
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None) or node.start_mark
            pos = locator.mark(mark)
            if "unhashable" in str(getattr(err, "problem", "")):
                msg = "a mapping key is a list or a mapping; metadata ingest cannot read it"
                return make("Y008", name, pos.line, pos.column, msg, hint="write the key as text")
            if node.tag.startswith("tag:yaml.org,2002:") or locator.from_environment(mark):
                msg = "this value cannot be read by YAML's safe loader, which metadata ingest uses"
            else:
                msg = f"the tag '{node.tag[:60]}' is not one YAML's safe loader can read"
            return make("Y001", name, pos.line, pos.column, msg, hint="remove the tag")
        except (ValueError, TypeError, OverflowError):
            pos = locator.mark(node.start_mark)
            kind = node.tag.rsplit(":", 1)[-1]
            looks = "a date" if kind == "timestamp" else f"a {kind}"
            msg = f"this value looks like {looks} but is not a valid one"
            return make("Y001", name, pos.line, pos.column, msg, hint="quote it to make it text")
    return make("Y001", name, 1, 1, "the document cannot be read by YAML's safe loader")


class _Graph(MutableRecord):
    """The distinct nodes of a document in document order, and what walking them showed."""

    __slots__ = ("nodes", "shared", "too_deep")

    nodes: list[Node]
    shared: bool  # some node is reached twice: the document uses aliases
    too_deep: Node | None  # first node found deeper than MAX_DEPTH (exact when not shared)

    def __init__(self, nodes: list[Node], shared: bool, too_deep: Node | None) -> None:
        self.nodes = nodes
        self.shared = shared
        self.too_deep = too_deep


def _walk_unique(root: Node) -> _Graph:
    """Every node once, in document order (aliases are not followed twice)."""
    seen: set[int] = set()
    out: list[Node] = []
    shared = False
    too_deep: Node | None = None
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if id(node) in seen:
            shared = True
            continue
        seen.add(id(node))
        out.append(node)
        if depth > MAX_DEPTH and too_deep is None:
            too_deep = node
        if isinstance(node, MappingNode):
            for key, value in reversed(node.value):
                stack.extend(((value, depth + 1), (key, depth + 1)))
        elif isinstance(node, SequenceNode):
            stack.extend((child, depth + 1) for child in reversed(node.value))
    return _Graph(out, shared, too_deep)


def _check_nodes(root: Node, name: str, locator: _Locator) -> list[Diagnostic]:
    """Alias-bomb and duplicate-key checks on the raw node graph, before anything is built."""
    graph = _walk_unique(root)
    nodes = graph.nodes
    limit = MAX_NODES + len(nodes)  # aliases may add up to MAX_NODES values
    total = len(nodes)
    if graph.shared:  # only aliases can make a bomb, a cycle or a deeper path than walked
        try:
            total = _expanded_size(root, limit)
        except _Cycle as cycle:
            pos = locator.mark(cycle.node.start_mark)
            msg = "an alias refers to the collection that contains it, so the value never ends"
            return [make("Y007", name, pos.line, pos.column, msg, hint="remove the *alias")]
    deepest = _deepest(root) if graph.shared else graph.too_deep
    if deepest is not None:
        pos = locator.mark(deepest.start_mark)
        msg = f"the document is nested more than {MAX_DEPTH} levels deep"
        return [make("Y001", name, pos.line, pos.column, msg)]
    if total > limit:
        culprit = _first_shared(nodes) or root
        pos = locator.mark(culprit.start_mark)
        msg = (
            f"aliases expand this document to more than {MAX_NODES:,} values "
            "(a 'billion laughs' pattern); refusing to read it"
        )
        return [make("Y007", name, pos.line, pos.column, msg, hint="remove the nested *aliases")]
    problems: list[Diagnostic] = []
    keys = SafeConstructor()
    for node in nodes:
        if node.tag in _UNSUPPORTED_TAGS:
            pos = locator.mark(node.start_mark)
            tag = node.tag.rsplit(":", 1)[-1]
            msg = f"a !!{tag} value cannot be used in a workflow config; write a mapping or list"
            problems.append(make("Y001", name, pos.line, pos.column, msg, hint="remove the tag"))
        elif node.tag == _INT_TAG and len(node.value) > MAX_DIGITS:
            pos = locator.mark(node.start_mark)
            msg = f"this number has more than {MAX_DIGITS:,} digits"
            problems.append(make("Y001", name, pos.line, pos.column, msg, hint="quote it"))
        if not isinstance(node, MappingNode):
            continue
        seen: dict[Any, Node] = {}
        for key_node, _ in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                continue
            try:
                key = yamlbuild.key_of(key_node, keys)
            except (yaml.YAMLError, ValueError, TypeError, OverflowError):
                continue
            first = seen.get(key)
            if first is None:
                seen[key] = key_node
                continue
            pos = locator.mark(key_node.start_mark)
            first_line = locator.mark(first.start_mark).line
            msg = (
                f"duplicate key '{key_node.value[:40]}' (first written on line {first_line}); "
                "metadata ingest would silently keep only this last one"
            )
            problems.append(
                make("Y005", name, pos.line, pos.column, msg, hint="remove one of them")
            )
    return problems


class _Cycle(Exception):
    def __init__(self, node: Node) -> None:
        super().__init__()
        self.node = node


def _children(node: Node) -> list[Node]:
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, SequenceNode):
        return list(node.value)
    return []


def _expanded_size(root: Node, limit: int) -> int:
    """How many nodes the document has once every alias is expanded (capped past the limit).

    Linear in the number of distinct nodes: each node's size is computed once, after its children.
    """
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        if id(node) in size:
            continue
        children = _children(node)
        if children_done:
            open_.discard(id(node))
            size[id(node)] = min(1 + sum(size[id(c)] for c in children), limit + 1)
            continue
        if id(node) in open_:
            raise _Cycle(node)
        open_.add(id(node))
        stack.append((node, True))
        for child in children:
            if id(child) in open_:
                raise _Cycle(child)
            if id(child) not in size:
                stack.append((child, False))
    return size[id(root)]


def _deepest(root: Node) -> Node | None:
    """The first node found deeper than :data:`MAX_DEPTH`, if any (aliases are not followed
    twice; a graph without cycles, as :func:`_expanded_size` has checked)."""
    depth: dict[int, int] = {id(root): 1}
    stack = [root]
    while stack:
        node = stack.pop()
        level = depth[id(node)]
        if level > MAX_DEPTH:
            return node
        for child in _children(node):
            if depth.get(id(child), 0) < level + 1:
                depth[id(child)] = level + 1
                stack.append(child)
    return None


def _first_shared(nodes: list[Node]) -> Node | None:
    """The first collection node that is referenced more than once (an anchored one)."""
    refs: dict[int, int] = {}
    for node in nodes:
        children: list[Node] = []
        if isinstance(node, MappingNode):
            children = [v for _, v in node.value]
        elif isinstance(node, SequenceNode):
            children = list(node.value)
        for child in children:
            refs[id(child)] = refs.get(id(child), 0) + 1
    for node in nodes:
        if refs.get(id(node), 0) > 1 and isinstance(node, (MappingNode, SequenceNode)):
            return node
    return None


def _index(document: Document, root: Node, locator: _Locator) -> list[Diagnostic]:
    """Record positions and source text of every value; flag keys that are not strings."""
    problems: list[Diagnostic] = []
    keys = SafeConstructor()
    stack: list[tuple[Node, DataPath]] = [(root, ())]
    document.values.record((), root.start_mark.index)
    while stack:
        node, path = stack.pop()
        if isinstance(node, ScalarNode):
            plain = not node.style  # libyaml: '' = plain
            from_env = locator.expanded(node)
            document.scalars[path] = Scalar(node.value, plain, locator.written(node), from_env)
            continue
        if isinstance(node, SequenceNode):
            for i, child in enumerate(node.value):
                item = (*path, i)
                document.values.record(item, child.start_mark.index)
                stack.append((child, item))
            continue
        if not isinstance(node, MappingNode):
            continue
        pairs: dict[Any, tuple[Node, Node]] = {}
        for key_node, value_node in node.value:  # merged pairs come first, own pairs override
            key = yamlbuild.key_of(key_node, keys, deep=True)
            try:
                pairs.pop(key, None)
                pairs[key] = (key_node, value_node)
            except TypeError:  # an unhashable key; PyYAML refused it already
                continue
        for key, (key_node, value_node) in pairs.items():
            if not isinstance(key, str):
                pos = locator.mark(key_node.start_mark)
                text = key_node.value if isinstance(key_node, ScalarNode) else "?"
                msg = (
                    f"the key '{str(text)[:40]}' is read as {_kind(key)} by YAML 1.1, "
                    "not as text; metadata ingest cannot use it"
                )
                hint = f"quote it: '{str(text)[:40]}':"
                problems.append(
                    make(
                        "Y008",
                        document.file,
                        pos.line,
                        pos.column,
                        msg,
                        path=json_path(path),
                        hint=hint,
                    )
                )
                continue
            child_path = (*path, key)
            document.keys.record(child_path, key_node.start_mark.index)
            document.values.record(child_path, value_node.start_mark.index)
            stack.append((value_node, child_path))
    return problems
