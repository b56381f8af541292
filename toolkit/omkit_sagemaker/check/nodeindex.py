"""Where every key and value of a document that is not plain sits, for the loader's reference path.

:mod:`.fastload` indexes plain documents while it builds them; for the rest (aliases, merge
keys, tags) :func:`index_nodes` walks the composed nodes once more after the data is built, in
the same order, and flags the keys YAML 1.1 reads as something other than text.
"""

from __future__ import annotations

from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path, make
from omkit_sagemaker.base.masking import kind as _kind
from omkit_sagemaker.check import yamlbuild
from omkit_sagemaker.check.document import DataPath, Document, Scalar
from omkit_sagemaker.check.locator import Locator


def index_nodes(document: Document, root: Node, locator: Locator) -> list[Diagnostic]:
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
