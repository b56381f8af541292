"""Values of the wrong type that ``metadata ingest`` converts and ingests anyway (R030).

The runner's workflow parser (pydantic 1 in 1.1, pydantic 2 in 2.0, both in their lax mode)
reads ``'true'``, ``'yes'`` and ``0``/``1`` as booleans, ``'1000'`` as a number, ``null`` for a
key it does not require as the key left out, and 1.1 also truncates ``1.5`` where it wants a whole
number, writes a number as text where it wants text, and reads ``config: []`` as ``{}``. The
official runners were run on every such file (tests/differential): they start and ingest. So
these are not schema errors (S003 claims the runner rejects the file; ``check.validate`` drops
it there whether R030 is on or not) but this warning: the file works, and says something other
than it means.

Only files the fast checker finds invalid are looked at; the schema errors of a file are found
again here (the standard-library walker of :mod:`omkit_sagemaker.check.schemaerrors`), and a
value counts when the file, with the runner's conversion applied, has no error left there.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.base.masking import describe, is_secret
from omkit_sagemaker.check.generated import fastcheck
from omkit_sagemaker.check.loader import DataPath, Document
from omkit_sagemaker.check.rules.rulebook import Finding, rule
from omkit_sagemaker.check.versions import DEFAULT_TARGET, Version

if TYPE_CHECKING:
    from omkit_sagemaker.check.fix.model import Fix

_BOOLEAN_TEXT = {
    **dict.fromkeys(("true", "yes", "on", "t", "y", "1"), True),
    **dict.fromkeys(("false", "no", "off", "f", "n", "0"), False),
}
_WHOLE = re.compile(r"[+-]?\d+\Z")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\Z")
_DROP: Any = object()  # the converted value of a null: the key left out


#: Keys whose value the runner reads (``.value``) as it starts: a null there stops it.
_READ_AT_START = frozenset(
    {"authProvider", "verifySSL", "secretsManagerProvider", "secretsManagerLoader", "loggerLevel"}
)


def _converted(value: Any, wanted: str, target: Version, key: object) -> Any:
    """What the runner's parser makes of ``value`` (the value of ``key``) where the schema wants
    ``wanted``, or None when it refuses it (``_DROP`` for a null: the key counts as left out)."""
    legacy = target < (2, 0)  # pydantic 1 converts more
    if value is None:
        read = key in _READ_AT_START and (legacy or key != "authProvider")  # 2.0 checks it first
        return None if read else _DROP
    if wanted in ("integer", "number") and isinstance(value, bool):
        return int(value)
    if wanted == "boolean":
        if isinstance(value, str):
            return _BOOLEAN_TEXT.get(value.lower())
        if isinstance(value, int) and not isinstance(value, bool) and value in (0, 1):
            return bool(value)
    elif wanted in ("integer", "number"):
        if isinstance(value, str):
            if _WHOLE.match(value):
                return int(value)
            return float(value) if wanted == "number" and _NUMBER.match(value) else None
        if isinstance(value, float) and wanted == "integer":
            return int(value) if value.is_integer() or legacy else None
    elif wanted == "string" and legacy and isinstance(value, int | float) and key != "type":
        return str(value)
    elif wanted == "object" and legacy and value in ([], "") and key == "config":
        return {}  # pydantic 1 makes a dict of any empty sequence
    return None


def _type_failures(errors: list[Any]) -> Iterator[Any]:
    for error in errors:
        if error.validator == "type":
            yield error
        yield from _type_failures(error.context)


def _set(data: Any, path: DataPath, value: Any) -> None:
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    if value is _DROP:
        if isinstance(parent, dict):
            del parent[path[-1]]
        return
    parent[path[-1]] = value


def _touches(error: Any, path: DataPath) -> bool:
    """True when ``error`` (or one of its branches) is about ``path`` or a key it left out."""
    where = tuple(error.absolute_path)
    if where[: len(path)] == path:
        return True
    if error.validator == "required" and where == path[:-1] and path[-1] in error.validator_value:
        return True
    return any(_touches(sub, path) for sub in error.context)


def converted_values(document: Document, target: Version) -> list[tuple[DataPath, Any]]:
    """Each (path, converted value) of a value the runner converts, as described above."""
    data = document.data
    if target == DEFAULT_TARGET and fastcheck.is_valid(data):
        return []
    from omkit_sagemaker.check import schemaerrors

    try:
        errors = schemaerrors.iter_errors(data, target)
    except schemaerrors.UnsupportedSchema:
        return []
    found: dict[DataPath, Any] = {}
    for error in _type_failures(errors):
        path: DataPath = tuple(error.absolute_path)
        wanted = error.validator_value
        for kind in wanted if isinstance(wanted, list) else [wanted]:
            value = _converted(error.instance, kind, target, path[-1] if path else None)
            if value is not None and path:
                found.setdefault(path, value)
                break
    if not found:
        return []
    fixed = copy.deepcopy(data)
    for path, value in found.items():
        _set(fixed, path, value)
    left = schemaerrors.iter_errors(fixed, target)
    return [(p, v) for p, v in found.items() if not any(_touches(e, p) for e in left)]


def _fix_converted(diagnostic: Diagnostic, document: Document, target: Version) -> Fix | None:
    """R030 on a quoted boolean or number, or 0/1 for a boolean: write the value the runner
    reads, as YAML reads it (``'true'`` -> ``true``); a null, a fraction or text is left alone."""
    from omkit_sagemaker.check.fix.model import Fix, data_path, written_value

    path = data_path(document, diagnostic)
    old = written_value(document, path) if path is not None else None
    if path is None or old is None:
        return None
    value = dict(converted_values(document, target)).get(path)
    written = _at(document.data, path)
    certain = isinstance(written, str) or (isinstance(value, bool) and written in (0, 1))
    if not certain or value is None or value is _DROP or not isinstance(value, bool | int | float):
        return None
    new = ("true" if value else "false") if isinstance(value, bool) else repr(value)
    return Fix(
        code=diagnostic.code,
        path=path,
        kind="value",
        old=old,
        new=new,
        explanation=f"{path[-1]} is now {new}, as metadata ingest reads it",
    )


@rule(
    "R030",
    "converted-value",
    Severity.WARNING,
    "a value has another type than the schema's, and metadata ingest converts it and runs: a "
    "quoted boolean or number, 0 or 1 for a boolean, null for a key it does not require (and in "
    "1.1 a fraction for a whole number, a number for text, [] for a mapping)",
    hint="write the value in the type the schema gives (true, 1000), or leave the key out",
    bad="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              markDeletedMlModels: 'true'
        """,
    good="""
        source:
          sourceConfig:
            config:
              type: MlModelMetadata
              markDeletedMlModels: true
        """,
    fix=_fix_converted,
)
def _converted_value(document: Document, target: Version) -> Iterator[Finding]:
    for path, value in converted_values(document, target):
        key = next((p for p in reversed(path) if isinstance(p, str)), "the value")
        if value is _DROP:
            message = f"{key} is null; metadata ingest reads it as if the key were left out"
        else:
            secret = is_secret(path, fastcheck.SECRET_KEYS)
            written = describe(_at(document.data, path), secret=secret)
            meant = describe(value, secret=secret)
            message = f"{key} is {written}; metadata ingest converts it to {meant} and runs"
        yield Finding(path, message)


def _at(data: Any, path: DataPath) -> Any:
    for part in path:
        data = data[part]
    return data
