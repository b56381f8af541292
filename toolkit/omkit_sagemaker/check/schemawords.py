"""The words of the schema explainer (:mod:`.explain`): how a value is named, what a type or a
range is called, the did-you-mean guesses, and the hints (quote it, remove the quotes, the
``$VAR`` that is not set). Never a secret's value: a secret is described, not quoted.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Iterable
from typing import Any

import yaml

from omkit_sagemaker.base.masking import describe, excerpt
from omkit_sagemaker.check import yamlcompat
from omkit_sagemaker.check.envvars import Expansion
from omkit_sagemaker.check.loader import DataPath, Document

TYPE_NAMES = {
    "string": "text (a string)",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "object": "a mapping of keys to values",
    "array": "a list",
    "null": "null",
}
RANGE = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
          "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}  # fmt: skip
_ENV_REF = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


def certain(word: str, choices: Iterable[str]) -> str | None:
    """The one choice ``word`` surely means: the same but for letter case, or the only close
    match; None when there is none or more than one."""
    options = [c for c in choices if isinstance(c, str)]
    same = [o for o in options if o.lower() == word.lower()]
    if same:
        return same[0] if len(same) == 1 else None
    close = difflib.get_close_matches(word, options, n=2, cutoff=0.6)
    return close[0] if len(close) == 1 else None


def suggest(word: str, choices: Iterable[str]) -> str | None:
    options = [c for c in choices if isinstance(c, str)]
    for option in options:
        if option.lower() == word.lower():
            return option
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def name_of(path: DataPath) -> str:
    """How a message names the value at ``path``: its key, with any list index after it."""
    if not path:
        return "the document"
    tail = ""
    parts = list(path)
    while parts and isinstance(parts[-1], int):
        tail = f"[{parts.pop()}]" + tail
    return (str(parts[-1]) if parts else "the document") + tail


def where(path: DataPath) -> str:
    return "at the top level" if not path else f"in {name_of(path)}"


def unquoted(path: DataPath, document: Document, types: list[str], secret: bool) -> str | None:
    """The quoted scalar without its quotes, when YAML 1.1 and 1.2 then both read it as one of
    ``types`` (``"true"`` for a boolean, ``"8585"`` for a number)."""
    scalar = document.scalars.get(path)
    if scalar is None or scalar.plain or scalar.from_env or secret:
        return None
    text = scalar.text
    try:
        value = yaml.safe_load(text) if text and text == text.strip() else None
    except yaml.YAMLError:
        return None
    if isinstance(value, bool):
        wanted = "boolean" in types
    elif isinstance(value, int):
        wanted = "integer" in types or "number" in types
    elif isinstance(value, float):
        wanted = "number" in types and value == value and abs(value) != float("inf")
    else:
        return None
    return text if wanted and yamlcompat.same_reading(value, text) else None


def fill_hint(key: str, prop: dict[str, Any]) -> str | None:
    values = prop.get("enum")
    if isinstance(values, list) and len(values) == 1:
        return f"add '{key}: {values[0]}'"
    if "const" in prop:
        return f"add '{key}: {prop['const']}'"
    return None


def _scalar_text(path: DataPath, document: Document) -> tuple[str, bool] | None:
    scalar = document.scalars.get(path)
    return (scalar.text, scalar.plain) if scalar is not None else None


def yaml_note(path: DataPath, document: Document, secret: bool) -> str:
    """Explain a number/boolean/date the user may have meant as text."""
    scalar = document.scalars.get(path)
    if scalar is None or secret or scalar.from_env or not scalar.plain:
        return ""
    value = document.value_at(path)
    if isinstance(value, str) or value is None:
        return ""
    if not isinstance(value, (datetime.date, datetime.datetime)) and yamlcompat.same_reading(
        value, scalar.text
    ):
        return ""  # YAML 1.2 reads it alike: nothing surprising to explain
    return f" (YAML 1.1 reads {excerpt(scalar.text)} as {describe(value)})"


def type_hint(path: DataPath, document: Document, expected: object) -> str | None:
    src = _scalar_text(path, document)
    env = env_hint(path, document)
    if env:
        return env
    if src is None:
        return None
    text, plain = src
    expected_list = expected if isinstance(expected, list) else [expected]
    if plain and text == "" and "string" in expected_list:
        return "write a value after the colon, or remove the key"
    if plain and "string" in expected_list:
        return "put the value in quotes to make it text"
    if not plain and any(t in expected_list for t in ("boolean", "integer", "number")):
        return "remove the quotes"
    return None


def env_hint(path: DataPath, document: Document) -> str | None:
    """Say so when the value still holds a ``$VAR`` because that variable is not set."""
    src = _scalar_text(path, document)
    expansion: Expansion | None = document.expansion
    if src is None:
        return None
    names = []
    for match in _ENV_REF.finditer(src[0]):
        name = match.group(1).strip("{}")
        if expansion is None or name in expansion.unset_names():
            names.append(name)
    if not names:
        return None
    listed = ", ".join(names)
    verb = "is" if len(names) == 1 else "are"
    state = "not set" if expansion is not None else "not expanded (--no-env)"
    return f"the environment variable {listed} {verb} {state}, so the text stays as written"


def format_message(name: str, fmt: str, value: object, shown: str) -> str:
    if fmt == "uri":
        example = "'http://localhost:8585/api'"
        return f"{name} must be a URL with a scheme and a host, such as {example}, not {shown}"
    if fmt == "regex":
        try:
            re.compile(str(value))
        except re.error as exc:
            return f"{name} is not a valid regular expression: {exc.msg} at position {exc.pos}"
        return f"{name} is not a valid regular expression"
    if fmt == "uuid":
        return f"{name} must be a UUID such as '123e4567-e89b-12d3-a456-426614174000', not {shown}"
    return f"{name} must be in the '{fmt}' format, not {shown}"


def range_message(name: str, validator: str, limit: object) -> str:
    words = {
        "minimum": f"at least {limit}",
        "maximum": f"at most {limit}",
        "exclusiveMinimum": f"greater than {limit}",
        "exclusiveMaximum": f"less than {limit}",
        "minLength": f"at least {limit} characters long",
        "maxLength": f"at most {limit} characters long",
        "minItems": f"a list of at least {limit} items",
        "maxItems": f"a list of at most {limit} items",
        "minProperties": f"a mapping with at least {limit} keys",
        "maxProperties": f"a mapping with at most {limit} keys",
    }
    return f"{name} must be {words[validator]}"
