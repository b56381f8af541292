"""Version-aware validation: the schemas of one OpenMetadata release, derived from ``spec/``.

``spec/`` describes every key a SageMaker config has had in any release, with the release facts as
annotations beside them (never as code):

* ``x-omkit-since: "1.2"`` on a property or a composed branch: accepted from release 1.2 on;
* ``x-omkit-until: "1.3"``: accepted before release 1.3 only (removed in 1.3);
* ``x-omkit-enum-since`` / ``x-omkit-enum-until`` beside an ``enum``: the same per enum value.

:func:`spec_for` drops whatever the target release does not accept (so for the default target 1.1
the schemas are exactly as strict as the 1.1 ones), and :func:`explain_versions` turns "unknown
key" and "not one of the allowed values" into "exists from OpenMetadata 1.2; your target is 1.1"
when the key or value belongs to another release.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path
from omkit_sagemaker.base.masking import describe, is_secret
from omkit_sagemaker.check.fix.model import Fix, data_path, string_token, written_value
from omkit_sagemaker.check.loader import DataPath, Document
from omkit_sagemaker.spec import schema

if TYPE_CHECKING:  # imported when needed: only files with problems pay for jsonschema
    from jsonschema import Draft7Validator

#: A release as (major, minor).
Version = tuple[int, int]

#: The release the v1.1 SageMaker connector page documents; the default target.
DEFAULT_TARGET: Version = (1, 1)
#: Releases omkit knows the SageMaker config shape of (see the version facts in ``spec/``).
KNOWN: tuple[Version, ...] = (*((1, minor) for minor in range(1, 14)), (2, 0))

SINCE = "x-omkit-since"
UNTIL = "x-omkit-until"
ENUM_SINCE = "x-omkit-enum-since"
ENUM_UNTIL = "x-omkit-enum-until"
#: On a removed property: the key that took its place (``omkit fix --target-version`` renames).
REPLACED_BY = "x-omkit-replaced-by"
#: Beside an ``enum``: the value that took the place of a removed one, per value.
ENUM_REPLACED_BY = "x-omkit-enum-replaced-by"

#: The code of a key or value that exists only in other releases than the target.
CODE = "S010"

_VERSION = re.compile(r"(\d+)\.(\d+)((?:\.\d+){0,2})")
_MAPS = ("properties", "patternProperties", "definitions", "dependencies")
_LISTS = ("allOf", "anyOf", "oneOf")
_ONE = ("additionalProperties", "items", "not", "if", "then", "else", "contains", "propertyNames")

Schema = dict[str, Any]
#: Releases a schema part is accepted in: from ``since`` (inclusive) to ``until`` (exclusive).
Window = tuple[Version | None, Version | None]


def parse_version(text: str) -> Version:
    """``"1.3"`` -> ``(1, 3)``; ValueError for anything omkit does not know, and for a patch
    release (``1.3.4``), which would look accepted while only 1.3 is checked."""
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"'{text}' is not a release number such as 1.1 or 1.7")
    version = (int(match.group(1)), int(match.group(2)))
    known = ", ".join(format_version(v) for v in KNOWN)
    if version not in KNOWN:
        raise ValueError(f"omkit does not know OpenMetadata {format_version(version)}; use {known}")
    if match.group(3):  # a patch release: the schemas change only between minor releases
        raise ValueError(
            f"omkit does not know OpenMetadata {text.strip()}: it checks releases, not patch "
            f"releases; write {format_version(version)} (one of {known})"
        )
    return version


def format_version(version: Version) -> str:
    return f"{version[0]}.{version[1]}"


def _version(value: object) -> Version | None:
    if not isinstance(value, str):
        return None
    match = _VERSION.fullmatch(value)
    return (int(match.group(1)), int(match.group(2))) if match else None


def window(node: object) -> Window:
    """The releases a schema node is accepted in, from its own annotations."""
    if not isinstance(node, dict):
        return (None, None)
    return (_version(node.get(SINCE)), _version(node.get(UNTIL)))


def _enum_window(node: Schema, value: object) -> Window:
    if not isinstance(value, str):
        return (None, None)
    since = node.get(ENUM_SINCE)
    until = node.get(ENUM_UNTIL)
    return (
        _version(since.get(value)) if isinstance(since, dict) else None,
        _version(until.get(value)) if isinstance(until, dict) else None,
    )


def _contains(span: Window, target: Version) -> bool:
    since, until = span
    return (since is None or since <= target) and (until is None or target < until)


def _intersect(a: Window, b: Window) -> Window:
    since = max((v for v in (a[0], b[0]) if v is not None), default=None)
    until = min((v for v in (a[1], b[1]) if v is not None), default=None)
    return (since, until)


# --- the schemas of one release -------------------------------------------------------------


def _filter(node: Any, target: Version) -> Any:
    """``node`` without what ``target`` does not accept; unchanged parts keep their identity."""
    if isinstance(node, list):
        items = [_filter(item, target) for item in node]
        same = all(a is b for a, b in zip(items, node, strict=True))
        return node if same else items
    if not isinstance(node, dict):
        return node
    out: Schema = {}
    changed = False
    dropped: set[str] = set()
    for key, value in node.items():
        new: Any = value
        if key in _MAPS and isinstance(value, dict):
            kept = {k: v for k, v in value.items() if _contains(window(v), target)}
            if key == "properties":
                dropped.update(k for k in value if k not in kept)
            new = {k: _filter(v, target) for k, v in kept.items()}
            if len(kept) == len(value) and all(new[k] is value[k] for k in kept):
                new = value
        elif key in _LISTS and isinstance(value, list):
            kept_items = [v for v in value if _contains(window(v), target)]
            new = [_filter(v, target) for v in kept_items]
            if len(kept_items) == len(value) and all(
                a is b for a, b in zip(new, value, strict=True)
            ):
                new = value
            elif not new:
                changed = True
                continue
        elif key == "enum" and isinstance(value, list):
            new = [v for v in value if _contains(_enum_window(node, v), target)]
            if len(new) == len(value):
                new = value
        elif key in _ONE:
            new = _filter(value, target)
        changed = changed or new is not value
        out[key] = new
    if dropped and isinstance(out.get("required"), list):
        out["required"] = [k for k in out["required"] if k not in dropped]
        changed = True
    return out if changed else node


@cache
def spec_for(target: Version = DEFAULT_TARGET) -> dict[str, Schema]:
    """Every schema of ``spec/`` as release ``target`` accepts it (same keys as load_spec)."""
    return filter_spec(schema.load_spec(), target)


def filter_spec(spec: dict[str, Schema], target: Version) -> dict[str, Schema]:
    """The schemas of ``spec`` as release ``target`` accepts them."""
    return {rel: _filter(doc, target) for rel, doc in spec.items()}


@cache
def validator(target: Version = DEFAULT_TARGET) -> Draft7Validator:
    """The workflow validator for release ``target``."""
    from jsonschema import Draft7Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    specs = spec_for(target)
    resources = [
        (doc["$id"], Resource.from_contents(doc, default_specification=DRAFT7))
        for doc in specs.values()
    ]
    registry: Registry[Any] = Registry().with_resources(resources)
    return Draft7Validator(
        specs[schema.WORKFLOW], registry=registry, format_checker=schema.format_checker()
    )


# --- where a key or value belongs in the schemas of all releases ------------------------------

_Candidate = tuple[Schema, None, Window]  # schema node, (unused), releases on the way to it


def _expand(node: Schema, resolver: None, span: Window) -> Iterator[_Candidate]:
    """``node`` and every schema it is combined with ($ref, allOf/anyOf/oneOf, if/then/else)."""
    stack: list[tuple[Schema, None, Window, int]] = [(node, resolver, span, 0)]
    while stack:
        current, res, sp, depth = stack.pop()
        sp = _intersect(sp, window(current))
        yield current, res, sp
        if depth > 30:
            continue
        ref = current.get("$ref")
        if isinstance(ref, str):
            target = schema.find_ref(current, ref)  # the standard library: no referencing
            if target is not None:
                stack.append((target, res, sp, depth + 1))
        for key in _LISTS:
            for item in current.get(key, []) if isinstance(current.get(key), list) else []:
                if isinstance(item, dict):
                    stack.append((item, res, sp, depth + 1))
        for key in ("then", "else"):
            if isinstance(current.get(key), dict):
                stack.append((current[key], res, sp, depth + 1))


def _candidates(path: DataPath) -> list[_Candidate]:
    """Every schema node of any release that can describe the value at ``path``."""
    root = schema.load_spec()[schema.WORKFLOW]
    found: list[_Candidate] = [(root, None, (None, None))]
    for part in path:
        step: list[_Candidate] = []
        for node, res, span in found:
            for sub, sub_res, sub_span in _expand(node, res, span):
                child: object = None
                if isinstance(part, str) and isinstance(sub.get("properties"), dict):
                    child = sub["properties"].get(part)
                elif isinstance(part, int):
                    child = sub.get("items")
                if isinstance(child, dict):
                    step.append((child, sub_res, sub_span))
        found = step
    return [c for node, res, span in found for c in _expand(node, res, span)]


def candidates(path: DataPath) -> list[tuple[Schema, Window]]:
    """Every schema node of any release that can describe the value at ``path`` (the property
    itself, then what it refers to and is combined with), each with the releases that accept
    it on the way there: what an editor shows on hover and offers to complete."""
    return [(node, span) for node, _, span in _candidates(path)]


def accepts(span: Window, target: Version) -> bool:
    """True when the releases ``span`` include ``target``."""
    return _contains(span, target)


def _verdict(spans: list[Window], target: Version) -> tuple[str, Version] | None:
    """``("since", v)`` or ``("until", v)`` when no span holds ``target``; None otherwise."""
    if not spans or any(_contains(s, target) for s in spans):
        return None
    later = [s[0] for s in spans if s[0] is not None and target < s[0]]
    if later:
        return ("since", min(later))
    removed = [s[1] for s in spans if s[1] is not None and s[1] <= target]
    return ("until", max(removed)) if removed else None


def key_verdict(parent: DataPath, key: str, target: Version) -> tuple[str, Version] | None:
    """Why ``key`` is unknown below ``parent`` for ``target``, if another release knows it."""
    spans = [
        _intersect(span, window(node["properties"][key]))
        for node, _, span in _candidates(parent)
        if isinstance(node.get("properties"), dict) and key in node["properties"]
    ]
    return _verdict(spans, target)


def value_verdict(path: DataPath, value: object, target: Version) -> tuple[str, Version] | None:
    """Why ``value`` is not allowed at ``path`` for ``target``, if another release allows it."""
    spans = [
        _intersect(span, _enum_window(node, value))
        for node, _, span in _candidates(path)
        if isinstance(node.get("enum"), list) and value in node["enum"]
    ]
    return _verdict(spans, target)


def allowed_values(path: DataPath, target: Version) -> list[str]:
    """The enum values ``target`` accepts at ``path`` (in schema order, without repeats)."""
    out: dict[str, None] = {}
    for node, _, span in _candidates(path):
        if _contains(span, target) and isinstance(node.get("enum"), list):
            for value in node["enum"]:
                if _contains(_enum_window(node, value), target):
                    out.setdefault(str(value), None)
    return list(out)


def explain_versions(
    diagnostics: list[Diagnostic], document: Document, target: Version
) -> list[Diagnostic]:
    """Rewrite S001/S004 diagnostics about keys and values of other releases as S010."""
    relevant = [d for d in diagnostics if d.code in ("S001", "S004")]
    if not relevant:
        return diagnostics
    paths = {json_path(p): p for p in document.values}
    secrets = schema.secret_keys()
    aimed = format_version(target)
    out: list[Diagnostic] = []
    for diag in diagnostics:
        path = paths.get(diag.path) if diag.code in ("S001", "S004") else None
        if not path:
            out.append(diag)
            continue
        if diag.code == "S001" and isinstance(path[-1], str):
            verdict = key_verdict(path[:-1], path[-1], target)
            subject = f"'{path[-1]}'"
            hint_what = "remove it"
        else:
            value = document.value_at(path)
            verdict = value_verdict(path, value, target)
            shown = describe(value, secret=is_secret(path, secrets))
            subject = f"{_name(path)} value {shown}"
            allowed = allowed_values(path, target)
            listed = ", ".join(f"'{a}'" for a in allowed)
            hint_what = f"use one of {listed}" if len(allowed) > 1 else f"use {listed}"
            hint_what = hint_what if allowed else "remove it"
        if verdict is None:
            out.append(diag)
            continue
        kind, release = verdict
        rel = format_version(release)
        if kind == "since":
            message = f"{subject} exists from OpenMetadata {rel}; your target is {aimed}"
            hint = (
                f"{hint_what}; or, if your server runs OpenMetadata {rel} or later, validate "
                f"with --target-version {rel} (or set target-version in [tool.omkit])"
            )
        else:
            message = f"{subject} was removed in OpenMetadata {rel}; your target is {aimed}"
            hint = f"{hint_what}; it is accepted only by releases before {rel}"
        out.append(diag.replace(code=CODE, message=message, hint=hint))
    return out


def _name(path: DataPath) -> str:
    parts = list(path)
    tail = ""
    while parts and isinstance(parts[-1], int):
        tail = f"[{parts.pop()}]" + tail
    return (str(parts[-1]) if parts else "the document") + tail


# --- migrating a config to the target release (omkit fix --target-version) -------------------


def key_replacement(parent: DataPath, key: str, target: Version) -> str | None:
    """The key that took the place of ``key`` below ``parent``, if ``target`` accepts it."""
    for node, _, _ in _candidates(parent):
        props = node.get("properties")
        prop = props.get(key) if isinstance(props, dict) else None
        new = prop.get(REPLACED_BY) if isinstance(prop, dict) else None
        known = isinstance(new, str) and any(
            new in (n.get("properties") or {}) for n, _, _ in _candidates(parent)
        )
        if isinstance(new, str) and known and key_verdict(parent, new, target) is None:
            return new
    return None


def value_replacement(path: DataPath, value: object, target: Version) -> str | None:
    """The value that took the place of ``value`` at ``path``, if ``target`` accepts it."""
    for node, _, _ in _candidates(path):
        table = node.get(ENUM_REPLACED_BY)
        new = table.get(value) if isinstance(table, dict) and isinstance(value, str) else None
        if isinstance(new, str) and new in allowed_values(path, target):
            return new
    return None


def fix_version(diagnostic: Diagnostic, document: Document, target: Version) -> Fix | None:
    """S010: rename a key or value to the one that replaced it in ``target``, or remove a key
    that ``target`` does not know (added later, or removed without a replacement)."""
    path = data_path(document, diagnostic)
    if path is None or diagnostic.code != CODE:
        return None
    aimed = format_version(target)
    key = path[-1]
    verdict = key_verdict(path[:-1], key, target) if isinstance(key, str) else None
    if isinstance(key, str) and verdict is not None:
        kind, release = verdict
        parent = document.value_at(path[:-1])
        new = key_replacement(path[:-1], key, target) if kind == "until" else None
        if new is not None and isinstance(parent, dict) and new not in parent:
            return Fix(
                code=CODE,
                path=path,
                kind="key",
                old=key,
                new=new,
                explanation=f"renamed {key} to {new}: OpenMetadata {format_version(release)} "
                f"replaced it (target {aimed})",
            )
        why = (
            f"it exists from OpenMetadata {format_version(release)}"
            if kind == "since"
            else f"OpenMetadata {format_version(release)} removed it"
        )
        return Fix(
            code=CODE,
            path=path,
            kind="remove",
            old=key,
            new="",
            explanation=f"removed {key}: {why}, and the target is {aimed}",
            secret=is_secret(path, schema.secret_keys()),
        )
    value = document.value_at(path)
    new_value = value_replacement(path, value, target)
    old = written_value(document, path)
    if new_value is None or old is None or not isinstance(value, str):
        return None
    return Fix(
        code=CODE,
        path=path,
        kind="value",
        old=old,
        new=string_token(old, new_value),
        explanation=f"{_name(path)} {value} is called {new_value} from the release that "
        f"removed it (target {aimed})",
    )
