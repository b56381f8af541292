"""The template text and the two passes that fill it: the text pass that comments options in
and out (:func:`toggle`), and the ruamel.yaml round trip that sets values (:func:`fill`)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.base.resources import templates_dir
from omkit_sagemaker.scaffold.options import SAGEMAKER, KeyPath, ScaffoldError, Value

if TYPE_CHECKING:
    from ruamel.yaml import YAML


# --------------------------------------------------------------------------- templates


def connectors() -> list[str]:
    """The connectors that have a template, sorted."""
    return sorted(p.stem for p in templates_dir().glob("*.yaml") if p.is_file())


def template_path(connector: str) -> Path:
    """The template file of ``connector``; :class:`ScaffoldError` when there is none."""
    if connector not in connectors():
        known = ", ".join(connectors()) or "none"
        raise ScaffoldError(f"no template for connector '{connector}' (templates: {known})")
    return templates_dir() / f"{connector}.yaml"


def template_text(connector: str = SAGEMAKER) -> str:
    """The template of ``connector`` as text."""
    return template_path(connector).read_text(encoding="utf-8")


def template_value(path: KeyPath, connector: str = SAGEMAKER) -> Any:
    """The value the template has at ``path`` (active keys only), or None."""
    import yaml

    node: Any = yaml.safe_load(template_text(connector))
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


# --------------------------------------------------------------------------- text pass

#: A YAML block-mapping key at the start of a line's content (``key:`` then a space or the end).
_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*):(?=\s|$)")


@dataclass(frozen=True)
class _Line:
    """One template line as the text pass sees it."""

    kind: str  # "key", "item" (a sequence entry), "other" (a value line), "prose", "blank"
    commented: bool  # the content is a commented-out option (not prose)
    depth: int  # indentation of the content, as if it were not commented out
    hash_col: int  # column of the commenting "#", -1 for active lines
    path: KeyPath = ()


def _scan(lines: Sequence[str]) -> list[_Line]:
    """Classify every line and give each key (active or commented out) its full path."""
    out: list[_Line] = []
    stack: list[tuple[int, str]] = []
    for text in lines:
        stripped = text.lstrip(" ")
        if not stripped.strip():
            out.append(_Line("blank", False, 0, -1))
            continue
        indent = len(text) - len(stripped)
        commented = stripped.startswith("#")
        hash_col = -1
        if commented:
            rest = stripped[1:]
            if rest and not rest.startswith(" "):
                out.append(_Line("prose", False, indent, indent))
                continue
            hash_col = indent
            body = rest[1:]
            content = body.lstrip(" ")
            depth = indent + len(body) - len(content)
        else:
            content, depth = stripped, indent
        match = _KEY.match(content)
        if match:
            while stack and stack[-1][0] >= depth:
                stack.pop()
            stack.append((depth, match.group(1)))
            path = tuple(key for _, key in stack)
            out.append(_Line("key", commented, depth, hash_col, path))
        elif content.startswith("- ") or content == "-":
            out.append(_Line("item", commented, depth, hash_col))
        elif commented:
            out.append(_Line("prose", False, depth, hash_col))
        else:
            out.append(_Line("other", False, depth, -1))
    return [_as_prose(line, out, i) for i, line in enumerate(out)]


def _as_prose(line: _Line, scanned: Sequence[_Line], index: int) -> _Line:
    """A commented ``- item`` is part of an option only inside a commented key's block."""
    if line.kind != "item" or not line.commented:
        return line
    for prev in reversed(scanned[:index]):
        if prev.kind == "blank" or prev.hash_col != line.hash_col:
            break
        if prev.kind == "key" and prev.depth < line.depth:
            return line
    return _Line("prose", False, line.depth, line.hash_col)


def key_paths(text: str) -> dict[KeyPath, bool]:
    """Every key path written in a template, mapped to True when active, False when commented."""
    out: dict[KeyPath, bool] = {}
    for line in _scan(text.splitlines()):
        if line.kind == "key":
            out.setdefault(line.path, not line.commented)
    return out


def _find(scanned: Sequence[_Line], path: KeyPath) -> int | None:
    for i, line in enumerate(scanned):
        if line.kind == "key" and line.path == path:
            return i
    return None


def _block(scanned: Sequence[_Line], start: int) -> range:
    """The key line at ``start`` and the lines of its value (its deeper lines in the same state)."""
    head = scanned[start]
    end = start + 1
    while end < len(scanned):
        line = scanned[end]
        if line.kind == "blank":
            break
        if head.commented:
            inside = line.hash_col == head.hash_col and (line.commented or line.kind == "prose")
        else:
            inside = line.hash_col > head.depth if line.hash_col >= 0 else True
        if not inside or line.depth <= head.depth:
            break
        end += 1
    return range(start, end)


def _uncomment(lines: list[str], scanned: Sequence[_Line], start: int) -> None:
    col = scanned[start].hash_col
    for i in _block(scanned, start):
        text = lines[i]
        if text[col : col + 2] == "# ":
            lines[i] = text[:col] + text[col + 2 :]
        elif text[col:] == "#":
            lines[i] = text[:col].rstrip()
        else:  # pragma: no cover - _scan only gives commented lines this shape
            raise ScaffoldError(f"template line {i + 1} cannot be uncommented")


def _comment_out(lines: list[str], scanned: Sequence[_Line], start: int) -> None:
    col = scanned[start].depth
    for i in _block(scanned, start):
        lines[i] = lines[i][:col] + "# " + lines[i][col:]


def _activate(lines: list[str], path: KeyPath, keep: Iterable[KeyPath]) -> None:
    """Make the key at ``path`` active, uncommenting its outermost commented ancestor's block and
    commenting out again every key of that block that is not on the way to a path in ``keep``."""
    scanned = _scan(lines)
    target = _find(scanned, path)
    if target is None and _is_empty_mapping(lines, scanned, path[:-1]):
        return  # a new key of an empty mapping ({}): the round trip adds it
    if target is None:
        raise ScaffoldError(f"the template has no key {'.'.join(path)}")
    if not scanned[target].commented:
        return
    top = target
    for n in range(1, len(path)):
        found = _find(scanned, path[:n])
        if found is not None and scanned[found].commented:
            top = found
            break
    root = scanned[top].path
    _uncomment(lines, scanned, top)
    wanted = [k for k in keep if k[: len(root)] == root]
    done = False
    while not done:
        done = True
        scanned = _scan(lines)
        for i, line in enumerate(scanned):
            if line.kind != "key" or line.commented or len(line.path) <= len(root):
                continue
            if line.path[: len(root)] != root:
                continue
            related = any(
                w[: len(line.path)] == line.path or line.path[: len(w)] == w for w in wanted
            )
            if not related:
                _comment_out(lines, scanned, i)
                done = False
                break


def _is_empty_mapping(lines: Sequence[str], scanned: Sequence[_Line], path: KeyPath) -> bool:
    """True when ``path`` is an active key whose value is an empty mapping: ``key: {}``."""
    found = _find(scanned, path) if path else None
    return (
        found is not None
        and not scanned[found].commented
        and lines[found].split("#", 1)[0].rstrip().endswith(": {}")
    )


def _deactivate(lines: list[str], path: KeyPath) -> None:
    scanned = _scan(lines)
    found = _find(scanned, path)
    if found is None:
        raise ScaffoldError(f"the template has no key {'.'.join(path)}")
    if not scanned[found].commented:
        _comment_out(lines, scanned, found)


def toggle(text: str, active: Iterable[KeyPath], inactive: Iterable[KeyPath]) -> str:
    """The template text with the keys in ``active`` uncommented (ancestors first) and those in
    ``inactive`` commented out. Comments, blank lines and everything else stay as they are."""
    wanted = sorted(set(active), key=len)
    lines = text.splitlines()
    for path in wanted:
        _activate(lines, path, wanted)
    for path in inactive:
        if path not in wanted:
            _deactivate(lines, path)
    return "\n".join(lines) + ("\n" if text.endswith("\n") else "")


# --------------------------------------------------------------------------- round trip


def _round_trip() -> YAML:
    from ruamel.yaml import YAML

    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never fold a long value onto a second line
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _needs_quotes(text: str) -> bool:
    """True when ``text`` written plain would not read back as that same string, under YAML 1.1
    (PyYAML, ``metadata ingest``) or YAML 1.2 (ruamel, editors): ``yes``, ``0123``, ``a # b``..."""
    import yaml

    from omkit_sagemaker.check.yamlcompat import yaml12_value

    try:
        read = yaml.safe_load(text)
    except yaml.YAMLError:
        return True
    return read != text or yaml12_value(text) != text


def _scalar(value: str) -> Any:
    from ruamel.yaml.scalarstring import SingleQuotedScalarString

    return SingleQuotedScalarString(value) if _needs_quotes(value) else value


def _set(data: Any, path: KeyPath, value: str | bool | tuple[str, ...]) -> None:
    from ruamel.yaml.comments import CommentedSeq

    node = data
    for part in path[:-1]:
        node = node[part]
    key = path[-1]
    if isinstance(value, tuple):
        old = node.get(key)
        new = CommentedSeq([_scalar(v) for v in value])
        if isinstance(old, CommentedSeq):
            # Comments after the last entry (the next option's explanation) move to the new last.
            trailing = old.ca.items.get(len(old) - 1)
            if trailing is not None and new:
                new.ca.items[len(new) - 1] = trailing
            new.ca.comment = old.ca.comment
        node[key] = new
    elif isinstance(value, bool):
        node[key] = value
    else:
        node[key] = _scalar(value)


def fill(text: str, active: Mapping[KeyPath, Value], inactive: Iterable[KeyPath] = ()) -> str:
    """Toggle keys in the template ``text`` (see :func:`toggle`) and set the non-None values."""
    toggled = toggle(text, active, inactive)
    values = {p: v for p, v in active.items() if v is not None}
    if not values:
        return toggled
    yaml = _round_trip()
    data = yaml.load(toggled)
    for path, value in values.items():
        _set(data, path, value)
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()
