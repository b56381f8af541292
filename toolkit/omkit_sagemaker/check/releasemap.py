"""Where a key or value belongs in the schemas of all releases, and what follows from it.

:func:`candidates` finds every schema node of any release that can describe the value at a
path, with the releases that accept it on the way (what an editor shows on hover and offers to
complete); :func:`explain_versions` turns "unknown key" and "not one of the allowed values" into
"exists from OpenMetadata 1.2; your target is 1.1" (S010) when the key or value belongs to
another release, and :func:`fix_version` migrates it (``omkit fix --target-version``). The
schemas of one release and the version annotations are in :mod:`.versions`.
"""

from __future__ import annotations

from collections.abc import Iterator

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path
from omkit_sagemaker.base.masking import describe, is_secret
from omkit_sagemaker.check.fix.model import Fix, data_path, string_token, written_value
from omkit_sagemaker.check.loader import DataPath, Document
from omkit_sagemaker.check.schemawords import name_of
from omkit_sagemaker.check.versions import (
    CODE,
    ENUM_REPLACED_BY,
    LISTS,
    REPLACED_BY,
    Schema,
    Version,
    Window,
    accepts,
    enum_window,
    format_version,
    intersect,
    window,
)
from omkit_sagemaker.spec import schema

_Candidate = tuple[Schema, None, Window]  # schema node, (unused), releases on the way to it


def _expand(node: Schema, resolver: None, span: Window) -> Iterator[_Candidate]:
    """``node`` and every schema it is combined with ($ref, allOf/anyOf/oneOf, if/then/else)."""
    stack: list[tuple[Schema, None, Window, int]] = [(node, resolver, span, 0)]
    while stack:
        current, res, sp, depth = stack.pop()
        sp = intersect(sp, window(current))
        yield current, res, sp
        if depth > 30:
            continue
        ref = current.get("$ref")
        if isinstance(ref, str):
            target = schema.find_ref(current, ref)  # the standard library: no referencing
            if target is not None:
                stack.append((target, res, sp, depth + 1))
        for key in LISTS:
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


def _verdict(spans: list[Window], target: Version) -> tuple[str, Version] | None:
    """``("since", v)`` or ``("until", v)`` when no span holds ``target``; None otherwise."""
    if not spans or any(accepts(s, target) for s in spans):
        return None
    later = [s[0] for s in spans if s[0] is not None and target < s[0]]
    if later:
        return ("since", min(later))
    removed = [s[1] for s in spans if s[1] is not None and s[1] <= target]
    return ("until", max(removed)) if removed else None


def key_verdict(parent: DataPath, key: str, target: Version) -> tuple[str, Version] | None:
    """Why ``key`` is unknown below ``parent`` for ``target``, if another release knows it."""
    spans = [
        intersect(span, window(node["properties"][key]))
        for node, _, span in _candidates(parent)
        if isinstance(node.get("properties"), dict) and key in node["properties"]
    ]
    return _verdict(spans, target)


def value_verdict(path: DataPath, value: object, target: Version) -> tuple[str, Version] | None:
    """Why ``value`` is not allowed at ``path`` for ``target``, if another release allows it."""
    spans = [
        intersect(span, enum_window(node, value))
        for node, _, span in _candidates(path)
        if isinstance(node.get("enum"), list) and value in node["enum"]
    ]
    return _verdict(spans, target)


def allowed_values(path: DataPath, target: Version) -> list[str]:
    """The enum values ``target`` accepts at ``path`` (in schema order, without repeats)."""
    out: dict[str, None] = {}
    for node, _, span in _candidates(path):
        if accepts(span, target) and isinstance(node.get("enum"), list):
            for value in node["enum"]:
                if accepts(enum_window(node, value), target):
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
            subject = f"{name_of(path)} value {shown}"
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
        explanation=f"{name_of(path)} {value} is called {new_value} from the release that "
        f"removed it (target {aimed})",
    )
