"""Showing a fix without its secrets: the diff of ``omkit fix --diff`` and every line it prints.

A value is masked by what it is as the runner reads it, not by how its key is spelt where it
is written: a scalar is a secret when it is reached (through aliases and merge keys too) under
a key that names a secret in any spelling (:func:`~omkit_sagemaker.base.masking.is_secret_key`:
``jwttoken``, ``AWSSESSIONTOKEN``, ``awsSecretAccesKey``), before or after the fix, or when it
looks like one (a JWT, ``user:password@host``). Its token is masked where it is written (an
anchor's value where the anchor is), and its text wherever else it occurs (a copy in a
comment); every URL's userinfo is masked everywhere. Diff and context lines alike.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.base.masking import MASK as MASK
from omkit_sagemaker.base.masking import is_secret_key, looks_secret, mask_text
from omkit_sagemaker.check.fix import spans as spanning
from omkit_sagemaker.check.generated.fastcheck import SECRET_KEYS
from omkit_sagemaker.check.rules.reading import is_env_reference

if TYPE_CHECKING:
    from omkit_sagemaker.check.fix.apply import FileFix

_MERGE = "tag:yaml.org,2002:merge"


def _secret_scalars(text: str) -> list[Any]:
    """The scalar nodes of ``text`` that hold a secret (see the module doc), each once."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    root = spanning.compose(text)
    found: dict[int, Any] = {}
    seen: set[tuple[int, bool]] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, secret = stack.pop()
        if node is None or (id(node), secret) in seen:
            continue
        seen.add((id(node), secret))
        if isinstance(node, ScalarNode):
            value = str(node.value)
            if (secret or looks_secret(value)) and value.strip() and not is_env_reference(value):
                found[id(node)] = node
        elif isinstance(node, SequenceNode):
            stack.extend((child, secret) for child in node.value)
        elif isinstance(node, MappingNode):
            for key, value in node.value:
                if isinstance(key, ScalarNode) and key.tag == _MERGE:
                    stack.append((value, secret))  # the merged keys land here
                    continue
                name = str(key.value) if isinstance(key, ScalarNode) else ""
                stack.append((key, False))
                stack.append((value, secret or is_secret_key(name, SECRET_KEYS)))
    return list(found.values())


def secret_values(*texts: str) -> set[str]:
    """The secret values (see the module doc) of each of ``texts``, as read."""
    out: set[str] = set()
    for text in texts:
        try:
            out.update(str(node.value) for node in _secret_scalars(text))
        except spanning.Unreadable:
            continue
    return out


def masked(text: str, secrets: set[str]) -> str:
    """``text`` with its secrets' tokens, the text of ``secrets`` (values known to be secret)
    anywhere, every JWT and every URL's userinfo replaced by :data:`MASK`."""
    try:
        nodes = _secret_scalars(text)
    except spanning.Unreadable:
        nodes = []
    edits = [(n.start_mark.index, n.end_mark.index, MASK) for n in nodes]
    edits.sort()
    kept: list[tuple[int, int, str]] = []
    for edit in edits:  # an alias is the node it names: one span, once
        if not kept or edit[0] >= kept[-1][1]:
            kept.append(edit)
    return mask_text(spanning.splice(text, kept), secrets | {str(n.value) for n in nodes})


def diff(result: FileFix) -> str:
    """The unified diff of the fix, with every secret masked (see the module doc)."""
    secrets = secret_values(result.old_text, result.new_text)
    old = masked(result.old_text, secrets).splitlines(keepends=True)
    new = masked(result.new_text, secrets).splitlines(keepends=True)
    label = result.file.lstrip("/")
    lines = difflib.unified_diff(old, new, f"a/{label}", f"b/{label}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)
