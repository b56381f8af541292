"""Turn JSON-Schema validation errors into plain, positioned, secret-free diagnostics.

jsonschema reports what failed in schema terms (``'Sagemaker' is not one of ['SageMaker']``,
with the whole offending instance). Users need where it is, in words, with the likely fix, and
never a secret's value. A failing ``oneOf`` is narrowed to the one branch the user meant.
"""

from __future__ import annotations

import datetime
import difflib
import re
from collections.abc import Collection, Iterable, Sequence
from typing import Any, Protocol

import yaml

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path, make
from omkit_sagemaker.base.masking import describe, excerpt, is_secret, kind
from omkit_sagemaker.check import yamlcompat
from omkit_sagemaker.check.envvars import Expansion
from omkit_sagemaker.check.fix.model import Fix, Fixer, data_path, value_fix
from omkit_sagemaker.check.loader import DataPath, Document, Position
from omkit_sagemaker.spec.schema import resolve


class Failure(Protocol):
    """What the explainer reads of one schema error: a ``jsonschema.ValidationError``, or the
    :class:`~omkit_sagemaker.check.schemaerrors.SchemaError` that describes it alike."""

    @property
    def validator(self) -> Any: ...
    @property
    def validator_value(self) -> Any: ...
    @property
    def instance(self) -> Any: ...
    @property
    def schema(self) -> Any: ...
    @property
    def context(self) -> Any: ...
    @property
    def absolute_path(self) -> Sequence[str | int]: ...
    @property
    def relative_path(self) -> Sequence[str | int]: ...
    @property
    def relative_schema_path(self) -> Sequence[str | int]: ...


_TYPE_NAMES = {
    "string": "text (a string)",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "object": "a mapping of keys to values",
    "array": "a list",
    "null": "null",
}
_RANGE = {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength",
          "maxLength", "minItems", "maxItems", "minProperties", "maxProperties"}  # fmt: skip
_ENV_REF = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


def explain(
    errors: Iterable[Failure], document: Document, secret_keys: Collection[str]
) -> list[Diagnostic]:
    """One diagnostic per problem, deduplicated and sorted by position."""
    found: dict[tuple[int, int, str, str], Diagnostic] = {}
    errors = list(errors)
    # A rule that names the exact form a value must take (an if/then keyed on a sibling, such as
    # securityConfig by authProvider) beats guessing the branch of a oneOf at the same place.
    specific = [tuple(e.absolute_path) for e in errors if e.validator not in ("oneOf", "anyOf")]
    for error in errors:
        if error.validator in ("oneOf", "anyOf"):
            where = tuple(error.absolute_path)
            if any(p[: len(where)] == where for p in specific):
                continue
        for leaf in _leaves(error):
            for diag in _translate(leaf, document, secret_keys):
                found.setdefault((diag.line, diag.column, diag.code, diag.message), diag)
    # A value of the wrong type needs no second message saying it is also not an allowed value.
    wrong_type = {d.path for d in found.values() if d.code == "S003"}
    kept = [d for d in found.values() if d.code == "S003" or d.path not in wrong_type]
    return sorted(kept, key=Diagnostic.sort_key)


def _leaves(error: Failure) -> list[Failure]:
    """Replace a failing oneOf/anyOf by the errors of the branch the user most likely meant."""
    if error.validator not in ("oneOf", "anyOf") or not error.context:
        return [error]
    branches: dict[int, list[Failure]] = {}
    for sub in error.context:
        branches.setdefault(int(sub.relative_schema_path[0]), []).append(sub)
    best = min(branches.values(), key=lambda errs: _branch_score(errs, error.instance))
    return [leaf for sub in best for leaf in _leaves(sub)]


def _branch_score(errors: Sequence[Failure], instance: Any) -> tuple[int, int, int, int]:
    """Lower is a better guess: right kind of value, right ``type`` key, few unknown keys."""
    wrong_kind = discriminator = unknown = 0
    for err in errors:
        rel = list(err.relative_path)
        if not rel and err.validator == "type":
            wrong_kind = 1
        elif rel == ["type"] and err.validator in ("enum", "const"):
            discriminator = 1
        elif not rel and err.validator == "additionalProperties" and isinstance(instance, dict):
            unknown += len(_extra_keys(err))
    return (wrong_kind, discriminator, unknown, len(errors))


def _extra_keys(error: Failure) -> list[str]:
    schema = error.schema if isinstance(error.schema, dict) else {}
    allowed = set(schema.get("properties", {}))
    patterns = [re.compile(p) for p in schema.get("patternProperties", {})]
    instance: Any = error.instance
    return [
        key
        for key in instance
        if isinstance(key, str)  # other keys are the loader's Y008
        and key not in allowed
        and not any(p.search(key) for p in patterns)
    ]


#: Unknown keys reported one by one in a mapping; the rest are counted in one more line.
MAX_UNKNOWN_KEYS = 20


def _certain(word: str, choices: Iterable[str]) -> str | None:
    """The one choice ``word`` surely means: the same but for letter case, or the only close
    match; None when there is none or more than one."""
    options = [c for c in choices if isinstance(c, str)]
    same = [o for o in options if o.lower() == word.lower()]
    if same:
        return same[0] if len(same) == 1 else None
    close = difflib.get_close_matches(word, options, n=2, cutoff=0.6)
    return close[0] if len(close) == 1 else None


def _suggest(word: str, choices: Iterable[str]) -> str | None:
    options = [c for c in choices if isinstance(c, str)]
    for option in options:
        if option.lower() == word.lower():
            return option
    close = difflib.get_close_matches(word, options, n=1, cutoff=0.6)
    return close[0] if close else None


def _name(path: DataPath) -> str:
    """How a message names the value at ``path``: its key, with any list index after it."""
    if not path:
        return "the document"
    tail = ""
    parts = list(path)
    while parts and isinstance(parts[-1], int):
        tail = f"[{parts.pop()}]" + tail
    return (str(parts[-1]) if parts else "the document") + tail


def _where(path: DataPath) -> str:
    return "at the top level" if not path else f"in {_name(path)}"


def _translate(
    error: Failure, document: Document, secret_keys: Collection[str]
) -> list[Diagnostic]:
    path: DataPath = tuple(error.absolute_path)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    secret = is_secret(path, secret_keys) or schema.get("format") == "password"
    validator = str(error.validator)
    rule: Any = error.validator_value
    instance: Any = error.instance
    file = document.file

    def at(
        pos: Position, code: str, msg: str, hint: str | None = None, p: DataPath = path
    ) -> Diagnostic:
        return make(code, file, pos.line, pos.column, msg, path=json_path(p), hint=hint)

    if validator == "additionalProperties" and isinstance(instance, dict):
        allowed = sorted(schema.get("properties", {}))
        out = []
        extra = _extra_keys(error)
        if len(extra) > MAX_UNKNOWN_KEYS:  # one line for the rest, at the first of them
            rest = extra[MAX_UNKNOWN_KEYS:]
            first = (*path, rest[0])
            msg = f"and {len(rest):,} more unknown keys {_where(path)}, from {excerpt(rest[0])}"
            rest_hint = (
                "allowed here: " + ", ".join(allowed) if allowed else "no keys are allowed here"
            )
            out.append(at(document.key_position(first), "S001", msg, rest_hint, first))
            extra = extra[:MAX_UNKNOWN_KEYS]
        for key in extra:
            guess = _suggest(str(key), allowed)
            sure = _certain(str(key), allowed)
            msg = f"unknown key '{key}' {_where(path)}"
            if guess:
                msg += f"; did you mean '{guess}'?"
                hint = None
            else:
                hint = (
                    "allowed here: " + ", ".join(allowed) if allowed else "no keys are allowed here"
                )
            diag = at(document.key_position((*path, key)), "S001", msg, hint, (*path, key))
            if sure is not None and sure not in instance:
                diag = diag.replace(suggestion=sure)
            out.append(diag)
        return out

    if validator == "required" and isinstance(instance, dict):
        out = []
        props = schema.get("properties", {})
        for key in rule:
            if key in instance:
                continue
            pos = document.key_position(path) if path else Position(1, 1)
            msg = f"missing required key '{key}' {_where(path)}"
            prop = resolve(schema, props.get(key, {}))
            out.append(at(pos, "S002", msg, _fill_hint(key, prop), (*path, key)))
        return out

    pos = document.position(path)
    name = _name(path)
    scalar = document.scalars.get(path)
    from_env = scalar is not None and scalar.from_env
    if scalar is not None and scalar.from_env:
        shown = f"the value of {excerpt(scalar.written)}"
    else:
        shown = describe(instance, secret=secret)

    if validator == "type":
        expected = rule
        types: list[str] = expected if isinstance(expected, list) else [expected]
        wanted = " or ".join(_TYPE_NAMES.get(t, t) for t in types)
        msg = f"{name} must be {wanted}, not {kind(instance)}"
        diag = at(
            pos,
            "S003",
            msg + _yaml_note(path, document, secret),
            _type_hint(path, document, expected),
        )
        return [diag.replace(suggestion=_unquoted(path, document, types, secret))]

    if validator in ("enum", "const"):
        allowed = rule if validator == "enum" else [rule]
        listed = ", ".join(describe(a) for a in allowed)
        msg = f"{name} must be {'one of ' if len(allowed) > 1 else ''}{listed}, not {shown}"
        guess = None if secret or from_env else _suggest(str(instance), [str(a) for a in allowed])
        if guess is not None:
            msg += f"; did you mean '{guess}'?"
        diag = at(pos, "S004", msg, _env_hint(path, document))
        if guess is not None and isinstance(instance, str) and guess.lower() == instance.lower():
            diag = diag.replace(suggestion=guess)  # only the letter case differs: certain
        return [diag]

    if validator == "pattern":
        wanted = schema.get("x-pattern-description") or f"text matching {excerpt(str(rule), 60)}"
        return [at(pos, "S005", f"{name} must be {wanted}, not {shown}", _env_hint(path, document))]

    if validator == "format":
        return [
            at(
                pos,
                "S006",
                _format_message(name, str(rule), instance, shown),
                _env_hint(path, document),
            )
        ]

    if validator in _RANGE:
        return [at(pos, "S007", _range_message(name, validator, rule))]

    if validator in ("oneOf", "anyOf"):
        msg = f"{name} matches more than one of the allowed forms; remove the keys of all but one"
        return [at(pos, "S008", msg)]

    return [at(pos, "S009", f"{name} breaks the schema rule '{validator}'")]


def _unquoted(path: DataPath, document: Document, types: list[str], secret: bool) -> str | None:
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


def _fill_hint(key: str, prop: dict[str, Any]) -> str | None:
    values = prop.get("enum")
    if isinstance(values, list) and len(values) == 1:
        return f"add '{key}: {values[0]}'"
    if "const" in prop:
        return f"add '{key}: {prop['const']}'"
    return None


def _scalar_text(path: DataPath, document: Document) -> tuple[str, bool] | None:
    scalar = document.scalars.get(path)
    return (scalar.text, scalar.plain) if scalar is not None else None


def _yaml_note(path: DataPath, document: Document, secret: bool) -> str:
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


def _type_hint(path: DataPath, document: Document, expected: object) -> str | None:
    src = _scalar_text(path, document)
    env = _env_hint(path, document)
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


def _env_hint(path: DataPath, document: Document) -> str | None:
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


def _format_message(name: str, fmt: str, value: object, shown: str) -> str:
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


def _range_message(name: str, validator: str, limit: object) -> str:
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


# --- the fixes of S codes (omkit fix) ---------------------------------------------------------


def _fix_key(diagnostic: Diagnostic, document: Document, target: tuple[int, int]) -> Fix | None:
    """S001 with one sure did-you-mean: rename the key."""
    path = data_path(document, diagnostic)
    if path is None or diagnostic.suggestion is None or not isinstance(path[-1], str):
        return None
    return Fix(
        code=diagnostic.code,
        path=path,
        kind="key",
        old=path[-1],
        new=diagnostic.suggestion,
        explanation=f"renamed the key {path[-1]} to {diagnostic.suggestion}",
    )


def _fix_case(diagnostic: Diagnostic, document: Document, target: tuple[int, int]) -> Fix | None:
    """S004 on an allowed value in the wrong letter case: write it as the schema does."""
    path = data_path(document, diagnostic)
    if path is None or diagnostic.suggestion is None:
        return None
    return value_fix(
        diagnostic,
        document,
        diagnostic.suggestion,
        f"{_name(path)} is written {diagnostic.suggestion}, in the letter case the schema uses",
    )


#: The fixes the explainer declares for its codes, as the rules do with ``@rule(fix=...)``.
#: (A quoted boolean or number is no S003 any more: the runner converts it, and R030 fixes it.)
FIXERS: dict[str, Fixer] = {"S001": _fix_key, "S004": _fix_case}
