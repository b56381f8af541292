"""One walk over a composed document that builds what :mod:`.loader` builds, for plain configs.

The loader's reference path walks the composed node graph three times: once for the alias,
depth, tag and duplicate-key checks, once to build the data (:mod:`.yamlbuild`), and once to
index where each key and value sits. A workflow config is nearly always plain: mappings with
text keys, lists and scalars, no aliases, merge keys or explicit tags, no duplicate keys. For
such a document :func:`walk` does all three in a single pass, with the same result: the same
data, the same positions and scalar records, inserted in the same order. At the first thing
that is not plain it gives up (returns None) and the loader takes its reference path, which
also says what is wrong. ``tests/check/test_fastload.py`` holds the two paths to the same
documents.
"""

from __future__ import annotations

from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from omkit_sagemaker.check.document import DataPath, Scalar
from omkit_sagemaker.check.envvars import Expansion

STR_TAG = "tag:yaml.org,2002:str"
MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
INT_TAG = "tag:yaml.org,2002:int"
#: Tags of the scalars YAML 1.1 resolves plain text to, whose values :func:`walk` builds with
#: PyYAML's own constructors (a merge key ``<<`` or a value key ``=`` is not among them).
_SCALAR_TAGS = {
    f"tag:yaml.org,2002:{kind}": SafeConstructor.yaml_constructors[f"tag:yaml.org,2002:{kind}"]
    for kind in ("null", "bool", "int", "float", "timestamp")
}
#: These constructors read nothing but the node (no state of the constructor), so one serves.
_CONSTRUCTOR = SafeConstructor()


class Walked:
    """What :func:`walk` built: the data, the offsets of values and keys, the scalar records."""

    __slots__ = ("data", "keys", "scalars", "values")

    def __init__(
        self,
        data: dict[str, Any],
        values: dict[DataPath, int],
        keys: dict[DataPath, int],
        scalars: dict[DataPath, Scalar],
    ) -> None:
        self.data = data
        self.values = values
        self.keys = keys
        self.scalars = scalars


def walk(
    root: Node, original: str, offset: Expansion | None, max_depth: int, max_digits: int
) -> Walked | None:
    """The data, positions and scalar records of a plain document, or None.

    ``original`` is the file's text as written; ``offset`` maps an offset of the parsed text
    to one of ``original`` and tells which parts of the parsed text came from ``$VAR``
    expansion (None: nothing was expanded, the two texts are the same). A document nested
    deeper than ``max_depth``, or with an integer of more than ``max_digits`` digits, is left
    to the reference path, as everything else it refuses. The order in which
    paths are recorded is that of the loader's reference index: each collection records its
    children's positions when it is taken off a stack, so later siblings are walked first.
    """
    if root.__class__ is not MappingNode or root.tag != MAP_TAG:
        return None
    data: dict[str, Any] = {}
    values: dict[DataPath, int] = {(): root.start_mark.index}
    keys: dict[DataPath, int] = {}
    scalar_nodes: list[tuple[DataPath, Any]] = []
    seen: set[int] = {id(root)}
    # (node, its path, the container to fill, or None for a scalar to record; its depth)
    stack: list[tuple[Any, DataPath, Any, int]] = [(root, (), data, 1)]
    pop, push, add, found = stack.pop, stack.append, seen.add, scalar_nodes.append
    while stack:
        node, path, into, depth = pop()
        if into is None:  # a scalar: its record is made once the walk is through
            found((path, node))
            continue
        children = node.value
        if depth >= max_depth and children:  # a child would be nested too deep
            return None
        depth += 1
        in_mapping = into.__class__ is dict
        for index, item in enumerate(children):
            if in_mapping:
                key_node, child = item
                if key_node.__class__ is not ScalarNode or key_node.tag != STR_TAG:
                    return None
                key = key_node.value
                if key in into or id(key_node) in seen:  # a duplicate key, an alias
                    return None
                add(id(key_node))
                child_path = (*path, key)
                keys[child_path] = key_node.start_mark.index
            else:
                child = item
                child_path = (*path, index)
            if id(child) in seen:  # an alias: the reference path shares the value
                return None
            add(id(child))
            values[child_path] = child.start_mark.index
            value = _child_value(child, max_digits)
            if value is _UNPLAIN:
                return None
            push((child, child_path, None if child.__class__ is ScalarNode else value, depth))
            if in_mapping:
                into[key] = value
            else:
                into.append(value)
    return Walked(data, values, keys, _scalar_records(scalar_nodes, original, offset))


def _child_value(child: Any, max_digits: int) -> Any:
    """What a node becomes in the data: its typed value for a scalar, an empty dict or list to
    fill for a collection, or ``_UNPLAIN`` for what only the reference path may read."""
    kind = child.__class__
    if kind is ScalarNode:
        return child.value if child.tag == STR_TAG else _typed(child, max_digits)
    if kind is MappingNode and child.tag == MAP_TAG:
        return {}
    if kind is SequenceNode and child.tag == SEQ_TAG:
        return []
    return _UNPLAIN


#: What :func:`_typed` returns for a scalar the walk leaves to the reference path.
_UNPLAIN = object()


def _typed(node: Any, max_digits: int) -> Any:
    """The value of a scalar YAML 1.1 resolved to another type than text (a number, a boolean,
    a date, null), built by PyYAML's own constructor; :data:`_UNPLAIN` for an explicit or
    unusual tag, an integer of more than ``max_digits`` digits, or a value that cannot be built
    (the reference path reports those)."""
    tag = node.tag
    build = _SCALAR_TAGS.get(tag)
    if build is None or (tag == INT_TAG and len(node.value) > max_digits):
        return _UNPLAIN
    try:
        return build(_CONSTRUCTOR, node)
    except Exception:
        return _UNPLAIN


def _scalar_records(
    found: list[tuple[DataPath, Any]], original: str, offset: Expansion | None
) -> dict[DataPath, Scalar]:
    """The record of each scalar :func:`walk` found, in the order it found them: the text as
    the file has it and whether ``$VAR`` expansion made any of it."""
    if offset is None:
        return {
            path: Scalar(
                node.value,
                not node.style,
                original[node.start_mark.index : node.end_mark.index],
                False,
            )
            for path, node in found
        }
    at, overlaps = offset.original_offset, offset.overlaps
    records: dict[DataPath, Scalar] = {}
    for path, node in found:
        start, end = node.start_mark.index, node.end_mark.index
        written = original[at(start) : at(end)]
        records[path] = Scalar(node.value, not node.style, written, overlaps(start, end))
    return records
