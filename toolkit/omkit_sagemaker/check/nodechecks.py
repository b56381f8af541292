"""Checks on the composed node graph of a document that is not plain, before anything is built.

A YAML document may share nodes through aliases; that can make a value that never ends (an
alias inside the collection it names), one that grows past any bound (a "billion laughs"), or
a nesting deeper than anything downstream can recurse through. :func:`check_nodes` finds these,
and the duplicate keys, unusable tags and endless numbers PyYAML would quietly accept, and
says each as a diagnostic. The limits are here; :mod:`.loader` and :mod:`.fastload` use them.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from omkit_sagemaker.base.diagnostics import Diagnostic, make
from omkit_sagemaker.base.records import MutableRecord
from omkit_sagemaker.check import yamlbuild
from omkit_sagemaker.check.locator import Locator

#: A document whose aliases expand to more nodes than this is refused (billion laughs).
MAX_NODES = 100_000
#: Longer numbers are refused: Python will not print an integer past 4,300 decimal digits, and a
#: thousand hexadecimal digits stay well below that.
MAX_DIGITS = 1000
#: Deeper nesting is refused: no config needs it, and recursive code downstream would fail.
MAX_DEPTH = 100

MERGE_TAG = "tag:yaml.org,2002:merge"
INT_TAG = "tag:yaml.org,2002:int"
#: Tags whose values are not plain mappings, lists or scalars; the runner cannot use them.
UNSUPPORTED_TAGS = {f"tag:yaml.org,2002:{t}" for t in ("omap", "pairs", "set")}


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


def walk_unique(root: Node) -> _Graph:
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


def check_nodes(root: Node, name: str, locator: Locator) -> list[Diagnostic]:
    """Alias-bomb and duplicate-key checks on the raw node graph, before anything is built."""
    graph = walk_unique(root)
    refused = _shape_problem(root, graph, name, locator)
    if refused is not None:
        return [refused]
    problems: list[Diagnostic] = []
    keys = SafeConstructor()
    for node in graph.nodes:
        if node.tag in UNSUPPORTED_TAGS:
            pos = locator.mark(node.start_mark)
            tag = node.tag.rsplit(":", 1)[-1]
            msg = f"a !!{tag} value cannot be used in a workflow config; write a mapping or list"
            problems.append(make("Y001", name, pos.line, pos.column, msg, hint="remove the tag"))
        elif node.tag == INT_TAG and len(node.value) > MAX_DIGITS:
            pos = locator.mark(node.start_mark)
            msg = f"this number has more than {MAX_DIGITS:,} digits"
            problems.append(make("Y001", name, pos.line, pos.column, msg, hint="quote it"))
        if isinstance(node, MappingNode):
            problems += _duplicate_keys(node, keys, name, locator)
    return problems


def _shape_problem(root: Node, graph: _Graph, name: str, locator: Locator) -> Diagnostic | None:
    """The one problem that stops the reading of the whole document: an alias cycle, nesting
    deeper than ``MAX_DEPTH``, or aliases expanding past ``MAX_NODES`` values."""
    nodes = graph.nodes
    limit = MAX_NODES + len(nodes)  # aliases may add up to MAX_NODES values
    total = len(nodes)
    if graph.shared:  # only aliases can make a bomb, a cycle or a deeper path than walked
        try:
            total = _expanded_size(root, limit)
        except _Cycle as cycle:
            pos = locator.mark(cycle.node.start_mark)
            msg = "an alias refers to the collection that contains it, so the value never ends"
            return make("Y007", name, pos.line, pos.column, msg, hint="remove the *alias")
    deepest = _deepest(root) if graph.shared else graph.too_deep
    if deepest is not None:
        pos = locator.mark(deepest.start_mark)
        msg = f"the document is nested more than {MAX_DEPTH} levels deep"
        return make("Y001", name, pos.line, pos.column, msg)
    if total > limit:
        culprit = _first_shared(nodes) or root
        pos = locator.mark(culprit.start_mark)
        msg = (
            f"aliases expand this document to more than {MAX_NODES:,} values "
            "(a 'billion laughs' pattern); refusing to read it"
        )
        return make("Y007", name, pos.line, pos.column, msg, hint="remove the nested *aliases")
    return None


def _duplicate_keys(
    node: MappingNode, keys: SafeConstructor, name: str, locator: Locator
) -> list[Diagnostic]:
    """Y005 for each key of ``node`` written again (as the runner's loader reads keys)."""
    problems: list[Diagnostic] = []
    seen: dict[Any, Node] = {}
    for key_node, _ in node.value:
        if key_node.tag == MERGE_TAG or not isinstance(key_node, ScalarNode):
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
        problems.append(make("Y005", name, pos.line, pos.column, msg, hint="remove one of them"))
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
