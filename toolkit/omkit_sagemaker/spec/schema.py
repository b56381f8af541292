"""omkit's JSON Schemas: the registry built from ``spec/`` alone, and the workflow validator.

Every cross-file ``$ref`` resolves through a :class:`referencing.Registry` filled from the files
in ``spec/``; nothing is ever fetched from the network. The validator is built once per process.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

if TYPE_CHECKING:  # jsonschema costs ~50 ms to import: only files with problems pay for it
    from jsonschema import Draft7Validator, FormatChecker
    from referencing import Registry

from omkit_sagemaker.base import formats
from omkit_sagemaker.base.resources import spec_dir

#: The schema of a whole workflow file, relative to ``spec/``.
WORKFLOW = "metadataIngestion/workflow.json"

Schema = dict[str, Any]


def spec_files(root: Path | None = None) -> list[Path]:
    """Every schema file under ``spec/``, in a stable order."""
    base = root or spec_dir()
    return sorted(base.rglob("*.json"))


def load_spec(root: Path | None = None) -> dict[str, Schema]:
    """Every schema under ``spec/`` keyed by its path relative to ``spec/`` (``a/b.json``).

    Loaded once per folder: every caller gets the same dicts, so schema nodes can be told apart
    by identity (see :func:`resolve`).
    """
    return _load_spec(root or spec_dir())


@cache
def _load_spec(base: Path) -> dict[str, Schema]:
    out: dict[str, Schema] = {}
    for path in spec_files(base):
        out[path.relative_to(base).as_posix()] = json.loads(path.read_text(encoding="utf-8"))
    return out


@cache
def registry(root: Path | None = None) -> Registry[Any]:
    """A registry holding every schema under ``spec/``, keyed by its ``$id``."""
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT7

    resources = [
        (schema["$id"], Resource.from_contents(schema, default_specification=DRAFT7))
        for schema in load_spec(root).values()
    ]
    return Registry().with_resources(resources)


def format_checker() -> FormatChecker:
    """The formats omkit checks (see :mod:`omkit_sagemaker.base.formats`): ``uri``, ``regex``
    (Python's
    ``re``, as the runner compiles them), ``uuid``, ``ipv4``/``ipv6``. ``password`` only marks
    secrets and checks nothing."""
    from jsonschema import FormatChecker

    checker = FormatChecker(formats=())
    for name, check in formats.CHECKS.items():
        checker.checks(name)(check)
    return checker


@cache
def validator(root: Path | None = None, name: str = WORKFLOW) -> Draft7Validator:
    """The validator for one schema of ``spec/`` (the workflow file by default)."""
    schema = load_spec(root)[name]
    from jsonschema import Draft7Validator

    return Draft7Validator(schema, registry=registry(root), format_checker=format_checker())


def _walk(node: object) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


@cache
def secret_keys(root: Path | None = None) -> frozenset[str]:
    """Names of every property the schemas mark ``format: password``: their values are secrets.
    (``check.generated.fastcheck.SECRET_KEYS`` holds the same names, compiled from ``spec/``.)"""
    return secret_keys_of(load_spec(root))


def secret_keys_of(spec: Mapping[str, Schema]) -> frozenset[str]:
    """:func:`secret_keys` of the schemas ``spec`` (keyed as :func:`load_spec` keys them)."""
    names: set[str] = set()
    for schema in spec.values():
        for node in _walk(schema):
            props = node.get("properties")
            if isinstance(props, dict):
                names.update(k for k, v in props.items() if _is_password(v))
    return frozenset(names)


def _is_password(prop: object) -> bool:
    return isinstance(prop, dict) and prop.get("format") == "password"


def ref_resolver(spec: Mapping[str, Schema]) -> Callable[[Schema, str], Schema | None]:
    """Resolve ``$ref``s between the schemas of ``spec`` by their ``$id``, with the standard
    library alone. The returned function takes the node a ``$ref`` is written in and the ``$ref``
    text, and gives the node it points to (the same object every time), or None when that node
    is not one of ``spec``'s."""
    by_id = {doc["$id"]: doc for doc in spec.values()}
    base_of = {id(node): doc["$id"] for doc in spec.values() for node in _walk(doc)}

    def lookup(context: Schema, ref: str) -> Schema | None:
        base = base_of.get(id(context))
        if base is None:
            return None
        uri, _, fragment = urljoin(base, ref).partition("#")
        node: Any = by_id.get(uri)
        for part in fragment.split("/")[1:]:
            if not isinstance(node, dict):
                return None
            node = node.get(part.replace("~1", "/").replace("~0", "~"))
        return node if isinstance(node, dict) else None

    return lookup


@cache
def _refs(base: Path) -> Callable[[Schema, str], Schema | None]:
    return ref_resolver(_load_spec(base))


def find_ref(context: Schema, ref: str, root: Path | None = None) -> Schema | None:
    """The node of ``spec/`` that ``ref``, written in the node ``context``, points to (None when
    it points nowhere, or ``context`` is not one of ``spec/``'s nodes); no jsonschema import."""
    return _refs(root or spec_dir())(context, ref)


def resolve(context: Schema, node: Schema, root: Path | None = None) -> Schema:
    """Follow ``node``'s ``$ref`` chain; ``context`` is a schema node from the same file.

    A property written as annotations plus ``allOf: [{$ref}]`` (draft-07 ignores keywords beside
    a ``$ref``) resolves to the referenced schema when it has no ``enum``/``const`` of its own.
    A node that is not one of ``spec/``'s (a copy made for another release) is returned as is.
    """
    return _resolve(_refs(root or spec_dir()), context, node)


def _resolve(
    lookup: Callable[[Schema, str], Schema | None], context: Schema, node: Schema
) -> Schema:
    parts = node.get("allOf")
    if "enum" not in node and "const" not in node and isinstance(parts, list) and len(parts) == 1:
        node = parts[0]
    for _ in range(20):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            break
        target = lookup(node, ref) or lookup(context, ref)
        if target is None:
            break
        node = context = target
    return node


@cache
def strict_keys(root: Path | None = None) -> frozenset[str]:
    """Names of every property whose value is a URL (``format: uri``), one of a fixed set of
    values (``enum``/``const``, directly or through ``$ref``), a boolean or a number: a wrong
    text there (such as an unexpanded ``${NAME}``) always fails the runner's parser.
    (``check.generated.fastcheck.STRICT_KEYS`` holds the same names, compiled from ``spec/``.)"""
    return strict_keys_of(load_spec(root))


def strict_keys_of(spec: Mapping[str, Schema]) -> frozenset[str]:
    """:func:`strict_keys` of the schemas ``spec`` (keyed as :func:`load_spec` keys them)."""
    lookup = ref_resolver(spec)
    names: set[str] = set()
    for schema in spec.values():
        for node in _walk(schema):
            props = node.get("properties")
            if not isinstance(props, dict):
                continue
            for key, prop in props.items():
                if not isinstance(prop, dict):
                    continue
                target = _resolve(lookup, node, prop)
                typed = target.get("type") in ("boolean", "integer", "number")
                if typed or target.get("format") == "uri" or "enum" in target or "const" in target:
                    names.add(key)
    return frozenset(names)
