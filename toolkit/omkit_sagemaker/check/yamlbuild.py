"""Build a composed YAML document into data faster than PyYAML's constructor, with the same result.

PyYAML (libyaml included) builds every value through ``SafeConstructor``, a generator per mapping
and a tag lookup per scalar, in pure Python. A workflow config is plain mappings, lists and text,
and for text the value is the scalar's own string. :func:`build` takes that shortcut for plain
``!!map``/``!!seq``/``!!str`` nodes and asks ``SafeConstructor`` for every other scalar (numbers,
booleans, dates, null), so the values are those ``yaml.safe_load`` gives. Anything else (merge
keys, aliases, other tags, keys that are not scalars, a value that cannot be built) raises
:class:`Unusual`, and the caller lets PyYAML's constructor build the document (and report its
errors) as before.
"""

from __future__ import annotations

from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

STR_TAG = "tag:yaml.org,2002:str"
_MAP_TAG = "tag:yaml.org,2002:map"
_SEQ_TAG = "tag:yaml.org,2002:seq"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class Unusual(Exception):
    """The document needs PyYAML's own constructor."""


def key_of(node: Node, constructor: SafeConstructor, deep: bool = False) -> Any:
    """What ``constructor.construct_object(node)`` gives for a mapping key, without its
    dispatch when the key is plain text."""
    if node.tag == STR_TAG and isinstance(node, ScalarNode):
        return node.value
    return constructor.construct_object(node, deep=deep)


def build(root: Node) -> Any:
    """The data ``SafeConstructor().construct_document(root)`` builds; raises :class:`Unusual`."""
    scalars = SafeConstructor()
    seen: set[int] = set()

    def value(node: Node) -> Any:
        if id(node) in seen:  # an alias: PyYAML shares the object, let it do so
            raise Unusual
        seen.add(id(node))
        if isinstance(node, ScalarNode):
            if node.tag == STR_TAG:
                return node.value
            try:
                return scalars.construct_object(node)
            except Exception:  # PyYAML's own constructor reports it
                raise Unusual from None
        if isinstance(node, SequenceNode) and node.tag == _SEQ_TAG:
            return [value(child) for child in node.value]
        if not (isinstance(node, MappingNode) and node.tag == _MAP_TAG):
            raise Unusual
        out: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or not isinstance(key_node, ScalarNode):
                raise Unusual
            key = value(key_node)
            try:
                hash(key)
            except TypeError:
                raise Unusual from None
            out[key] = value(value_node)
        return out

    try:
        return value(root)
    except RecursionError:
        raise Unusual from None
