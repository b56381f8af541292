"""Version-aware validation: the schemas of one OpenMetadata release, derived from ``spec/``.

``spec/`` describes every key a SageMaker config has had in any release, with the release facts as
annotations beside them (never as code):

* ``x-omkit-since: "1.2"`` on a property or a composed branch: accepted from release 1.2 on;
* ``x-omkit-until: "1.3"``: accepted before release 1.3 only (removed in 1.3);
* ``x-omkit-enum-since`` / ``x-omkit-enum-until`` beside an ``enum``: the same per enum value.

:func:`spec_for` drops whatever the target release does not accept (so for the default target 1.1
the schemas are exactly as strict as the 1.1 ones). Where a key or value belongs across all
releases, and the S010 messages and fixes built on that, are in :mod:`.releasemap`.
"""

from __future__ import annotations

import re
from functools import cache
from typing import TYPE_CHECKING, Any

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
LISTS = ("allOf", "anyOf", "oneOf")
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


def enum_window(node: Schema, value: object) -> Window:
    """The releases the enum value ``value`` of ``node`` is accepted in."""
    if not isinstance(value, str):
        return (None, None)
    since = node.get(ENUM_SINCE)
    until = node.get(ENUM_UNTIL)
    return (
        _version(since.get(value)) if isinstance(since, dict) else None,
        _version(until.get(value)) if isinstance(until, dict) else None,
    )


def accepts(span: Window, target: Version) -> bool:
    """True when the releases ``span`` include ``target``."""
    since, until = span
    return (since is None or since <= target) and (until is None or target < until)


def intersect(a: Window, b: Window) -> Window:
    """The releases both ``a`` and ``b`` accept."""
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
            kept = {k: v for k, v in value.items() if accepts(window(v), target)}
            if key == "properties":
                dropped.update(k for k in value if k not in kept)
            new = {k: _filter(v, target) for k, v in kept.items()}
            if len(kept) == len(value) and all(new[k] is value[k] for k in kept):
                new = value
        elif key in LISTS and isinstance(value, list):
            kept_items = [v for v in value if accepts(window(v), target)]
            new = [_filter(v, target) for v in kept_items]
            if len(kept_items) == len(value) and all(
                a is b for a, b in zip(new, value, strict=True)
            ):
                new = value
            elif not new:
                changed = True
                continue
        elif key == "enum" and isinstance(value, list):
            new = [v for v in value if accepts(enum_window(node, v), target)]
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
