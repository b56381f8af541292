"""Where each key and value of a YAML text is, and replacing those tokens without touching the
rest: comments, blank lines, quote style, key order and line endings stay as written.

The text is composed with ruamel.yaml (the round-trip library omkit writes YAML with), which
gives the exact span of every key and value token.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import yaml

from omkit_sagemaker.check.fix.model import Fix, string_token
from omkit_sagemaker.check.loader import DataPath


@dataclass(frozen=True)
class Span:
    """Where one key and its value are in the text (offsets)."""

    key_start: int
    key_end: int
    value_start: int
    value_end: int
    block: bool  # the key sits in a block mapping (not {flow: style})
    siblings: int  # keys in the same mapping


class Unreadable(Exception):
    """ruamel.yaml cannot compose the text; the message says why, in one line."""


def compose(text: str) -> Any:
    """The ruamel.yaml node tree of ``text`` (raises :class:`Unreadable`)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        with warnings.catch_warnings():  # a reused anchor: the checks report it
            warnings.simplefilter("ignore")
            return YAML(typ="rt").compose(text)
    except (YAMLError, ValueError, RecursionError) as exc:
        raise Unreadable(str(exc).splitlines()[0] if str(exc) else "unreadable") from None


def spans(text: str) -> dict[DataPath, Span]:
    """Every key/value of ``text`` reached exactly once (not through an alias or merge key)."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    root = compose(text)
    out: dict[DataPath, Span] = {}
    seen: set[int] = set()
    stack: list[tuple[Any, DataPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((child, (*path, i)) for i, child in enumerate(node.value))
        elif isinstance(node, MappingNode):
            pairs = [(k, v) for k, v in node.value if isinstance(k, ScalarNode)]
            if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in pairs):
                continue  # merged keys: where a value comes from is not one place
            for key, value in pairs:
                child = (*path, str(key.value))
                out[child] = Span(
                    key.start_mark.index,
                    key.end_mark.index,
                    value.start_mark.index,
                    value.end_mark.index,
                    not node.flow_style,
                    len(pairs),
                )
                stack.append((value, child))
    # A value reached twice (an anchor with aliases) is recorded at its first place only; a fix
    # there changes every alias too, which the read-back check of the fixed text refuses.
    return out


def line_start(text: str, index: int) -> int:
    """The offset of the start of the line holding ``index``."""
    return text.rfind("\n", 0, index) + 1


def edit(text: str, fix: Fix, span: Span | None) -> tuple[int, int, str] | str:
    """The (start, end, replacement) of one fix in ``text``, or why it cannot be made."""
    if span is None:
        return "its place comes from an alias or a merge key, or is not in the file"
    if fix.kind == "value":
        if text[span.value_start : span.value_end] != fix.old:
            return "the value is not written as one scalar on one line"
        return (span.value_start, span.value_end, fix.new)
    if fix.kind == "key":
        token = text[span.key_start : span.key_end]
        try:
            same = "\n" not in token and yaml.safe_load(token) == fix.old
        except yaml.YAMLError:
            same = False
        if not same:
            return "the key is not written as one plain or quoted word"
        return (span.key_start, span.key_end, string_token(token, fix.new))
    start = line_start(text, span.key_start)
    if not span.block or text[start : span.key_start].strip():
        return "the key does not start its own line"
    if span.siblings < 2:
        return "removing the only key would leave its mapping empty"
    end = span.value_end
    if text[line_start(text, end) : end].strip():
        newline = text.find("\n", end)
        end = len(text) if newline < 0 else newline + 1
    else:
        end = line_start(text, end)
    return (start, end, "")


def splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    """``text`` with each ``(start, end, new)`` replacement made (they must not overlap)."""
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text
