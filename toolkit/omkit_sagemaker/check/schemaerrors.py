"""The schema errors of a document, found the way jsonschema's ``Draft7Validator`` finds them,
with the standard library alone.

jsonschema (with referencing, attrs and rpds) costs ~70 ms to import, more than the whole check
of a file; a file with a problem should not pay that to be explained. :func:`iter_errors` walks
the same schemas (``spec/`` for the target release, ``$ref`` resolved by
:func:`omkit_sagemaker.spec.schema.ref_resolver`, the formats of
:mod:`omkit_sagemaker.base.formats`) keyword by keyword in jsonschema's order, and yields
:class:`SchemaError` records carrying what
:mod:`.explain` reads from a ``jsonschema.ValidationError``: the failed keyword and its value,
the instance, the schema node, the paths and, for ``anyOf``/``oneOf``, the errors of every
branch. Only the draft-07 keywords the fast checker compiles are known (see
:mod:`omkit_sagemaker.spec.checkgen`); any other validating keyword raises
:class:`UnsupportedSchema`, and the caller asks jsonschema instead. jsonschema stays the
reference: ``tests/check/test_schemaerrors.py`` holds the two to the same diagnostics.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import cache
from typing import Any

from omkit_sagemaker.base import formats
from omkit_sagemaker.spec import schema as schemas

Schema = dict[str, Any]
_UNSET: Any = object()
_Lookup = Callable[[Schema, str], "Schema | None"]

#: Draft-07 keywords that validate something and that this module does not implement.
_UNSUPPORTED = frozenset(
    {
        "additionalItems", "contains", "dependencies", "exclusiveMaximum", "exclusiveMinimum",
        "maxProperties", "minProperties", "multipleOf", "propertyNames", "uniqueItems",
    }
)  # fmt: skip


class UnsupportedSchema(Exception):
    """A schema uses a keyword that only jsonschema checks."""


class SchemaError:
    """One failed keyword, as a ``jsonschema.exceptions.ValidationError`` describes it."""

    __slots__ = ("context", "instance", "parent", "path", "schema", "schema_path", "validator",
                 "validator_value")  # fmt: skip

    def __init__(self, context: list[SchemaError] | None = None) -> None:
        self.validator: Any = _UNSET
        self.validator_value: Any = _UNSET
        self.instance: Any = _UNSET
        self.schema: Any = _UNSET
        #: Relative to the parent error (or the document), outermost first.
        self.path: list[str | int] = []
        self.schema_path: list[str | int] = []
        self.context: list[SchemaError] = context or []
        self.parent: SchemaError | None = None
        for error in self.context:
            error.parent = self

    def _set(self, validator: Any, value: Any, instance: Any, schema: Any) -> None:
        if self.validator is _UNSET:
            self.validator = validator
        if self.validator_value is _UNSET:
            self.validator_value = value
        if self.instance is _UNSET:
            self.instance = instance
        if self.schema is _UNSET:
            self.schema = schema

    @property
    def relative_path(self) -> list[str | int]:
        return self.path

    @property
    def relative_schema_path(self) -> list[str | int]:
        return self.schema_path

    @property
    def absolute_path(self) -> list[str | int]:
        """The path from the document's root."""
        if self.parent is None:
            return list(self.path)
        return [*self.parent.absolute_path, *self.path]

    def __repr__(self) -> str:
        return f"<SchemaError {self.validator!r} at {self.absolute_path!r}>"


def _is_type(instance: Any, name: str) -> bool:
    """jsonschema's draft-07 type checker."""
    if name == "string":
        return isinstance(instance, str)
    if name == "object":
        return isinstance(instance, dict)
    if name == "array":
        return isinstance(instance, list)
    if name == "boolean":
        return isinstance(instance, bool)
    if name == "null":
        return instance is None
    if isinstance(instance, bool):
        return False
    if name == "integer":
        return isinstance(instance, int) or (isinstance(instance, float) and instance.is_integer())
    if name == "number":
        return isinstance(instance, (int, float))
    raise UnsupportedSchema(f"unknown type {name!r}")


def _equal(one: Any, two: Any) -> bool:
    """JSON equality as jsonschema sees it: ``true`` is not ``1``, but ``1`` is ``1.0``."""
    if one is two:
        return True
    if isinstance(one, str) or isinstance(two, str):
        return bool(one == two)
    if isinstance(one, list) and isinstance(two, list):
        return len(one) == len(two) and all(_equal(a, b) for a, b in zip(one, two, strict=True))
    if isinstance(one, dict) and isinstance(two, dict):
        return one.keys() == two.keys() and all(_equal(one[k], two[k]) for k in one)
    if isinstance(one, bool) or isinstance(two, bool):
        return isinstance(one, bool) and isinstance(two, bool) and one == two
    return bool(one == two)


class _Walker:
    def __init__(self, lookup: _Lookup) -> None:
        self._lookup = lookup

    def errors(self, instance: Any, node: Any) -> Iterator[SchemaError]:
        """Every error of ``instance`` against ``node``, as jsonschema's ``descend`` yields them."""
        if node is True:
            return
        if node is False:
            error = SchemaError()
            error._set(None, None, instance, node)
            yield error
            return
        ref = node.get("$ref")
        items = [("$ref", ref)] if ref is not None else node.items()
        for keyword, value in items:
            check = _KEYWORDS.get(keyword)
            if check is None:
                if keyword in _UNSUPPORTED:
                    raise UnsupportedSchema(keyword)
                continue
            for error in check(self, value, instance, node):
                error._set(keyword, value, instance, node)
                if keyword not in ("if", "$ref"):
                    error.schema_path.insert(0, keyword)
                yield error

    def descend(
        self,
        instance: Any,
        node: Any,
        path: str | int | None = None,
        schema_path: str | int | None = None,
    ) -> Iterator[SchemaError]:
        if node is False:  # as jsonschema does: this error gets neither path
            yield from self.errors(instance, node)
            return
        for error in self.errors(instance, node):
            if path is not None:
                error.path.insert(0, path)
            if schema_path is not None:
                error.schema_path.insert(0, schema_path)
            yield error

    def is_valid(self, instance: Any, node: Any) -> bool:
        return next(self.errors(instance, node), None) is None

    def ref(self, ref: str, instance: Any, node: Schema) -> Iterator[SchemaError]:
        target = self._lookup(node, ref)
        if target is None:
            raise UnsupportedSchema(f"cannot resolve $ref {ref!r}")
        yield from self.descend(instance, target)


_Check = Callable[[_Walker, Any, Any, Schema], Iterator[SchemaError]]


def _ref(w: _Walker, ref: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    yield from w.ref(ref, instance, node)


def _type(w: _Walker, types: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    names = [types] if isinstance(types, str) else types
    if not any(_is_type(instance, t) for t in names):
        yield SchemaError()


def _properties(w: _Walker, props: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if isinstance(instance, dict):
        for key, sub in props.items():
            if key in instance:
                yield from w.descend(instance[key], sub, path=key, schema_path=key)


def _pattern_properties(
    w: _Walker, patterns: Any, instance: Any, node: Schema
) -> Iterator[SchemaError]:
    if isinstance(instance, dict):
        for pattern, sub in patterns.items():
            for key, value in instance.items():
                if re.search(pattern, key):
                    yield from w.descend(value, sub, path=key, schema_path=pattern)


def _additional(w: _Walker, extra: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if not isinstance(instance, dict):
        return
    props = node.get("properties", {})
    patterns = "|".join(node.get("patternProperties", {}))
    extras = {k for k in instance if k not in props and not (patterns and re.search(patterns, k))}
    if isinstance(extra, dict):
        for key in extras:
            yield from w.descend(instance[key], extra, path=key)
    elif not extra and extras:
        yield SchemaError()


def _required(w: _Walker, required: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if isinstance(instance, dict):
        for key in required:
            if key not in instance:
                yield SchemaError()


def _enum(w: _Walker, values: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if all(not _equal(each, instance) for each in values):
        yield SchemaError()


def _const(w: _Walker, value: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if not _equal(instance, value):
        yield SchemaError()


def _pattern(w: _Walker, pattern: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if isinstance(instance, str) and not re.search(pattern, instance):
        yield SchemaError()


def _format(w: _Walker, name: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    check = formats.CHECKS.get(name)
    if check is not None and not check(instance):
        yield SchemaError()


def _bound(kind: str, fails: Callable[[Any, Any], bool], size: bool) -> _Check:
    def check(w: _Walker, limit: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
        if _is_type(instance, kind) and fails(len(instance) if size else instance, limit):
            yield SchemaError()

    return check


def _items(w: _Walker, items: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if not isinstance(instance, list):
        return
    if isinstance(items, list):
        for (index, item), sub in zip(enumerate(instance), items, strict=False):
            yield from w.descend(item, sub, path=index, schema_path=index)
    else:
        for index, item in enumerate(instance):
            yield from w.descend(item, items, path=index)


def _all_of(w: _Walker, parts: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    for index, sub in enumerate(parts):
        yield from w.descend(instance, sub, schema_path=index)


def _any_of(w: _Walker, parts: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    found: list[SchemaError] = []
    for index, sub in enumerate(parts):
        errors = list(w.descend(instance, sub, schema_path=index))
        if not errors:
            return
        found.extend(errors)
    yield SchemaError(context=found)


def _one_of(w: _Walker, parts: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    branches = enumerate(parts)
    found: list[SchemaError] = []
    for index, sub in branches:
        errors = list(w.descend(instance, sub, schema_path=index))
        if not errors:
            break
        found.extend(errors)
    else:
        yield SchemaError(context=found)
    if any(w.is_valid(instance, other) for _, other in branches):
        yield SchemaError()


def _not(w: _Walker, sub: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if w.is_valid(instance, sub):
        yield SchemaError()


def _if(w: _Walker, sub: Any, instance: Any, node: Schema) -> Iterator[SchemaError]:
    if w.is_valid(instance, sub):
        if "then" in node:
            yield from w.descend(instance, node["then"], schema_path="then")
    elif "else" in node:
        yield from w.descend(instance, node["else"], schema_path="else")


_KEYWORDS: dict[str, _Check] = {
    "$ref": _ref,
    "additionalProperties": _additional,
    "allOf": _all_of,
    "anyOf": _any_of,
    "const": _const,
    "enum": _enum,
    "format": _format,
    "if": _if,
    "items": _items,
    "maxItems": _bound("array", lambda n, limit: n > limit, size=True),
    "maxLength": _bound("string", lambda n, limit: n > limit, size=True),
    "maximum": _bound("number", lambda n, limit: n > limit, size=False),
    "minItems": _bound("array", lambda n, limit: n < limit, size=True),
    "minLength": _bound("string", lambda n, limit: n < limit, size=True),
    "minimum": _bound("number", lambda n, limit: n < limit, size=False),
    "not": _not,
    "oneOf": _one_of,
    "pattern": _pattern,
    "patternProperties": _pattern_properties,
    "properties": _properties,
    "required": _required,
    "type": _type,
}


@cache
def _walker(target: tuple[int, int]) -> tuple[_Walker, Schema]:
    from omkit_sagemaker.check import versions

    spec = versions.spec_for(target)
    return _Walker(schemas.ref_resolver(spec)), spec[schemas.WORKFLOW]


def iter_errors(data: Any, target: tuple[int, int]) -> list[SchemaError]:
    """Every schema error of the workflow document ``data`` for release ``target``, in
    jsonschema's order. Raises :class:`UnsupportedSchema` where only jsonschema can tell."""
    walker, root = _walker(target)
    return list(walker.errors(data, root))
