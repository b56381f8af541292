"""Values that YAML 1.1 (PyYAML, used by ``metadata ingest``) and YAML 1.2 read differently.

Editors, linters and most other YAML tools follow YAML 1.2, where ``yes`` is a string and
``0123`` is 123; the runner follows YAML 1.1, where ``yes`` is ``true`` and ``0123`` is 83.
A plain (unquoted) scalar that the two read differently gets a warning on its line.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path, make
from omkit_sagemaker.base.masking import describe, excerpt, is_secret
from omkit_sagemaker.check.loader import Document

_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


#: The first characters of every plain scalar that YAML 1.2 reads as anything but text.
_NOT_TEXT_START = frozenset("~nNtTfF0123456789+-.")


def yaml12_value(text: str) -> object:
    """What a YAML 1.2 core-schema parser makes of a plain scalar."""
    if text and text[0] not in _NOT_TEXT_START:
        return text  # no null, boolean or number starts so: spare the expressions below
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def same_reading(value: object, text: str) -> bool:
    """True when YAML 1.2 reads the plain scalar ``text`` as ``value``, as YAML 1.1 did."""
    return _same(value, yaml12_value(text))


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return type(a) is type(b) and a == b


def check(document: Document, secret_keys: Collection[str]) -> list[Diagnostic]:
    """A Y009 warning for every plain scalar whose YAML 1.1 and 1.2 readings differ."""
    out: list[Diagnostic] = []
    for path, scalar in document.scalars.items():
        if not scalar.plain:
            continue
        value = document.value_at(path)
        other = yaml12_value(scalar.text)
        if _same(value, other):
            continue
        if is_secret(path, secret_keys) or scalar.from_env:
            what = "the secret value" if is_secret(path, secret_keys) else "this value"
            if scalar.from_env:
                what = f"the value of {excerpt(scalar.written)}"
            msg = f"{what} is read differently by metadata ingest (YAML 1.1) and YAML 1.2 tools"
        else:
            msg = (
                f"{describe(scalar.text)} is read as {describe(value)} by metadata ingest "
                f"(YAML 1.1) but as {describe(other)} by YAML 1.2 tools"
            )
        pos = document.position(path)
        hint = _hint(value)
        out.append(
            make("Y009", document.file, pos.line, pos.column, msg, path=json_path(path), hint=hint)
        )
    return out


def _hint(value: object) -> str:
    if isinstance(value, bool):
        return f"write {'true' if value else 'false'} to mean a boolean, or quote the text"
    return "quote it, or write it in a form both versions read alike"
