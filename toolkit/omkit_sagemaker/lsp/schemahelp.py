"""Hover and completion from ``spec/``: what an option is, and which keys and values fit where
the cursor is.

Both work on the buffer's lines, not on the parsed document: while a key is half typed the YAML
does not parse. The data path at the cursor is found from indentation (block mappings and
``- `` list items, as configs are written); flow style (``{a: b}``) is not followed. Hover shows
an option's description, type, default, allowed values and the OpenMetadata releases that have
it, never a value from the buffer, so a secret is never shown.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from omkit_sagemaker.check import releasemap, versions
from omkit_sagemaker.check.loader import DataPath
from omkit_sagemaker.check.versions import KNOWN, Version, Window, format_version
from omkit_sagemaker.lsp.positions import Lines, to_units

_ITEM = re.compile(r"-(?=[ \t]|$)[ \t]*")
_KEY = re.compile(
    r"""(?:"(?P<dq>[^"\\]*)"|'(?P<sq>[^']*)'"""  # a quoted key
    r"""|(?P<plain>[^\s#'"\[\]{},:?-][^#:]*?|-[^\s#:][^#:]*?))"""  # a plain one
    r"""[ \t]*:(?=[ \t]|$)"""
)


@dataclass(frozen=True)
class Line:
    """One line of YAML as this module reads it."""

    #: Indentation (in code points) of each ``- `` list item marker on the line.
    items: tuple[int, ...]
    #: Where the content after the markers starts.
    indent: int
    key: str | None = None
    key_end: int = 0  # the index just after the key token (before its colon)
    #: The text after ``key:`` (without a comment); None when there is no key.
    value: str | None = None
    value_start: int = 0


def parse_line(text: str) -> Line | None:
    """The list markers and key of one line; None for a blank, comment or directive line."""
    stripped = text.lstrip(" ")
    if not stripped or stripped.startswith(("#", "---", "...", "%")):
        return None
    pos = len(text) - len(stripped)
    items: list[int] = []
    while match := _ITEM.match(text, pos):
        items.append(pos)
        pos = match.end()
    key = _KEY.match(text, pos)
    if key is None:
        return Line(tuple(items), pos)
    name = next(g for g in (key.group("dq"), key.group("sq"), key.group("plain")) if g is not None)
    rest = text[key.end() :]
    comment = re.search(r"(?:^|[ \t])#", rest)
    value = rest[: comment.start()] if comment else rest
    start = key.end() + len(value) - len(value.lstrip())
    key_end = len(text[: key.end() - 1].rstrip())
    return Line(tuple(items), pos, name, key_end, value.strip(), start)


def _parents(lines: Lines, number: int, indent: int) -> DataPath:
    """The data path of the mapping that holds content at ``indent`` on line ``number``.

    A list item stands for index 0: the schemas describe every item alike."""
    path: list[str | int] = []
    limit = indent
    item_at: int | None = None  # indentation of the last list item taken, if it was the last
    for above in range(number - 1, -1, -1):
        if limit == 0 and item_at is None:
            break
        line = parse_line(lines.line(above))
        if line is None:
            continue
        entries: list[tuple[int, str | int]] = [(i, 0) for i in line.items]
        if line.key is not None:
            entries.append((line.indent, line.key if not line.value else ""))
        for at, part in reversed(entries):
            if isinstance(part, int):
                if at < limit and at != item_at:
                    path.insert(0, part)
                    limit = item_at = at
                continue
            if at < limit or (at == limit and item_at == at):
                if part == "":
                    return tuple(path)  # under a key that has a value: nothing to describe
                path.insert(0, part)
                limit, item_at = at, None
    return tuple(path)


@dataclass(frozen=True)
class Context:
    """Where the cursor is: on (or typing) a key of mapping ``parent``, or on its value."""

    parent: DataPath
    key: str | None
    on_value: bool
    #: Code-point span of the key or value token the cursor is in (for hover ranges, and what
    #: completion replaces).
    start: int
    end: int


def context_at(lines: Lines, position: types.Position) -> Context:
    """The context of an LSP position in the buffer."""
    text = lines.line(position.line)
    column = lines.index(position)
    line = parse_line(text)
    if line is None:  # a blank line: a new key at the cursor's indentation
        return Context(_parents(lines, position.line, column), None, False, column, column)
    if line.items:
        parent = (*_parents(lines, position.line, line.items[0]), *(0 for _ in line.items))
    else:
        parent = _parents(lines, position.line, line.indent)
    if line.key is not None and column > line.key_end:
        end = line.value_start + len(line.value or "")
        return Context(parent, line.key, True, line.value_start, max(end, line.value_start))
    word = re.match(r"[^\s:#]*", text[line.indent :])
    end = line.indent + (len(word.group()) if word else 0)
    return Context(parent, line.key or text[line.indent : end] or None, False, line.indent, end)


# --- what the schemas say ---------------------------------------------------------------------


def releases(spans: list[Window]) -> str:
    """The known releases some span accepts, as runs: ``1.1-1.13, 2.0``."""
    have = [v for v in KNOWN if any(versions.accepts(s, v) for s in spans)]
    if not have:
        return "none"
    runs: list[list[Version]] = []
    for version in have:
        if runs and KNOWN.index(version) == KNOWN.index(runs[-1][-1]) + 1:
            runs[-1].append(version)
        else:
            runs.append([version])
    return ", ".join(
        format_version(r[0]) if len(r) == 1 else f"{format_version(r[0])}-{format_version(r[-1])}"
        for r in runs
    )


@dataclass(frozen=True)
class Option:
    """What the schemas of all releases say about the value at one data path."""

    description: str
    types: tuple[str, ...]
    default: Any
    values: tuple[str, ...]
    secret: bool
    spans: tuple[Window, ...]

    def markdown(self, name: str) -> str:
        kind = " | ".join(self.types) or "any"
        out = [f"**{name}**: `{kind}`" + (" (secret)" if self.secret else "")]
        if self.description:
            out.append(self.description)
        if self.values:
            out.append("One of: " + ", ".join(f"`{v}`" for v in self.values))
        if self.default is not None and not self.secret:
            out.append(f"Default: `{json.dumps(self.default)}`")
        if self.secret:
            out.append("A secret: write `${VARIABLE}` and keep the value in the environment.")
        out.append(f"OpenMetadata releases: {releases(list(self.spans))}")
        return "\n\n".join(out)


def option(path: DataPath) -> Option | None:
    """What the schemas say about ``path``; None when no release knows it."""
    found = releasemap.candidates(path)
    if not found:
        return None
    description = ""
    kinds: dict[str, None] = {}
    values: dict[str, None] = {}
    default: Any = None
    secret = False
    for node, _ in found:
        description = description or str(node.get("description") or "")
        kind = node.get("type")
        for k in kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []:
            kinds.setdefault(k, None)
        for v in node.get("enum", []) if isinstance(node.get("enum"), list) else []:
            values.setdefault(str(v), None)
        if default is None and "default" in node:
            default = node["default"]
        secret = secret or node.get("format") == "password"
    spans = tuple(dict.fromkeys(span for _, span in found))
    return Option(description, tuple(kinds), default, tuple(values), secret, spans)


def child_keys(parent: DataPath) -> list[str]:
    """Every key any release accepts under ``parent``, in schema order."""
    out: dict[str, None] = {}
    for node, _ in releasemap.candidates(parent):
        props = node.get("properties")
        if isinstance(props, dict):
            out.update(dict.fromkeys(props))
    return list(out)


def hover(lines: Lines, position: types.Position) -> types.Hover | None:
    """The description of the key (or the key of the value) under the cursor."""
    where = context_at(lines, position)
    if where.key is None:
        return None
    found = option((*where.parent, where.key))
    if found is None:
        return None
    text = lines.line(position.line)
    line = parse_line(text)
    start = line.indent if line is not None else where.start
    end = line.key_end if line is not None and line.key is not None else where.end
    span = types.Range(
        types.Position(position.line, to_units(text, start, lines.encoding)),
        types.Position(position.line, to_units(text, end, lines.encoding)),
    )
    return types.Hover(
        contents=types.MarkupContent(
            kind=types.MarkupKind.Markdown, value=found.markdown(where.key)
        ),
        range=span,
    )


def _siblings(lines: Lines, number: int, indent: int) -> set[str]:
    """The keys already written in the mapping that line ``number`` belongs to."""
    out: set[str] = set()
    for step in (-1, 1):
        at = number + step if step == 1 else number
        while 0 <= at < len(lines.lines):
            line = parse_line(lines.line(at))
            if line is not None:
                if line.key is not None and line.indent == indent and at != number:
                    out.add(line.key)
                if min((*line.items, line.indent)) < indent:
                    break
            at += step
    return out


def completion(lines: Lines, position: types.Position, target: Version) -> types.CompletionList:
    """The keys the target release accepts where the cursor is (less those already there), or
    the allowed values of the key whose value the cursor is on."""
    where = context_at(lines, position)
    text = lines.line(position.line)
    edit_range = types.Range(
        types.Position(position.line, to_units(text, where.start, lines.encoding)),
        types.Position(position.line, to_units(text, where.end, lines.encoding)),
    )
    items: list[types.CompletionItem] = []
    if where.on_value and where.key is not None:
        found = option((*where.parent, where.key))
        values = list(found.values) if found else []
        allowed = set(releasemap.allowed_values((*where.parent, where.key), target))
        if found and "boolean" in found.types:
            values += ["true", "false"]
        for value in values:
            if allowed and value not in allowed and value not in ("true", "false"):
                continue
            items.append(
                types.CompletionItem(
                    label=value,
                    kind=types.CompletionItemKind.EnumMember,
                    text_edit=types.TextEdit(range=edit_range, new_text=value),
                )
            )
        return types.CompletionList(is_incomplete=False, items=items)
    have = _siblings(lines, position.line, where.start)
    for key in child_keys(where.parent):
        about = option((*where.parent, key))
        if (
            key in have
            or about is None
            or not any(versions.accepts(s, target) for s in about.spans)
        ):
            continue
        items.append(
            types.CompletionItem(
                label=key,
                kind=types.CompletionItemKind.Property,
                detail=" | ".join(about.types) if about else None,
                documentation=types.MarkupContent(
                    kind=types.MarkupKind.Markdown, value=about.markdown(key)
                )
                if about
                else None,
                text_edit=types.TextEdit(range=edit_range, new_text=f"{key}: "),
            )
        )
    return types.CompletionList(is_incomplete=False, items=items)
