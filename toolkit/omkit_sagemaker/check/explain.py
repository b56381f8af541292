"""Turn JSON-Schema validation errors into plain, positioned, secret-free diagnostics.

jsonschema reports what failed in schema terms (``'Sagemaker' is not one of ['SageMaker']``,
with the whole offending instance). Users need where it is, in words, with the likely fix, and
never a secret's value. A failing ``oneOf`` is narrowed to the one branch the user meant.
Each failed keyword has its own sayer (:data:`_SAYERS`); the words and hints they use are in
:mod:`.schemawords`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any, Protocol

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path, make
from omkit_sagemaker.base.masking import describe, excerpt, is_secret, kind
from omkit_sagemaker.check.fix.model import Fix, Fixer, data_path, value_fix
from omkit_sagemaker.check.loader import DataPath, Document, Position
from omkit_sagemaker.check.schemawords import (
    RANGE,
    TYPE_NAMES,
    certain,
    env_hint,
    fill_hint,
    format_message,
    name_of,
    range_message,
    suggest,
    type_hint,
    unquoted,
    where,
    yaml_note,
)
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


class _Failed:
    """One schema failure and what every message about it needs: where, what, and how to
    show the value (a secret or a value from the environment is never shown)."""

    __slots__ = ("document", "error", "instance", "path", "rule", "schema", "secret")

    def __init__(self, error: Failure, document: Document, secret_keys: Collection[str]) -> None:
        self.error = error
        self.document = document
        self.path: DataPath = tuple(error.absolute_path)
        self.schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
        self.secret = is_secret(self.path, secret_keys) or self.schema.get("format") == "password"
        self.rule: Any = error.validator_value
        self.instance: Any = error.instance

    def at(
        self,
        pos: Position,
        code: str,
        msg: str,
        hint: str | None = None,
        path: DataPath | None = None,
    ) -> Diagnostic:
        where = self.path if path is None else path
        return make(
            code, self.document.file, pos.line, pos.column, msg, path=json_path(where), hint=hint
        )

    @property
    def pos(self) -> Position:
        return self.document.position(self.path)

    @property
    def name(self) -> str:
        return name_of(self.path)

    @property
    def from_env(self) -> bool:
        scalar = self.document.scalars.get(self.path)
        return scalar is not None and scalar.from_env

    @property
    def shown(self) -> str:
        """The value as a message may show it."""
        scalar = self.document.scalars.get(self.path)
        if scalar is not None and scalar.from_env:
            return f"the value of {excerpt(scalar.written)}"
        return describe(self.instance, secret=self.secret)

    @property
    def env_hint(self) -> str | None:
        return env_hint(self.path, self.document)


def _allowed_hint(allowed: list[str]) -> str:
    return "allowed here: " + ", ".join(allowed) if allowed else "no keys are allowed here"


def _say_unknown_keys(f: _Failed) -> list[Diagnostic]:
    """S001: each unknown key at the key, with a did-you-mean when there is one."""
    allowed = sorted(f.schema.get("properties", {}))
    out = []
    extra = _extra_keys(f.error)
    if len(extra) > MAX_UNKNOWN_KEYS:  # one line for the rest, at the first of them
        rest = extra[MAX_UNKNOWN_KEYS:]
        first = (*f.path, rest[0])
        msg = f"and {len(rest):,} more unknown keys {where(f.path)}, from {excerpt(rest[0])}"
        out.append(f.at(f.document.key_position(first), "S001", msg, _allowed_hint(allowed), first))
        extra = extra[:MAX_UNKNOWN_KEYS]
    for key in extra:
        guess = suggest(str(key), allowed)
        sure = certain(str(key), allowed)
        msg = f"unknown key '{key}' {where(f.path)}"
        if guess:
            msg += f"; did you mean '{guess}'?"
            hint = None
        else:
            hint = _allowed_hint(allowed)
        key_path = (*f.path, key)
        diag = f.at(f.document.key_position(key_path), "S001", msg, hint, key_path)
        if sure is not None and sure not in f.instance:
            diag = diag.replace(suggestion=sure)
        out.append(diag)
    return out


def _say_missing_keys(f: _Failed) -> list[Diagnostic]:
    """S002: each missing required key, at the mapping that lacks it."""
    out = []
    props = f.schema.get("properties", {})
    for key in f.rule:
        if key in f.instance:
            continue
        pos = f.document.key_position(f.path) if f.path else Position(1, 1)
        msg = f"missing required key '{key}' {where(f.path)}"
        prop = resolve(f.schema, props.get(key, {}))
        out.append(f.at(pos, "S002", msg, fill_hint(key, prop), (*f.path, key)))
    return out


def _say_type(f: _Failed) -> list[Diagnostic]:
    expected = f.rule
    types: list[str] = expected if isinstance(expected, list) else [expected]
    wanted = " or ".join(TYPE_NAMES.get(t, t) for t in types)
    msg = f"{f.name} must be {wanted}, not {kind(f.instance)}"
    diag = f.at(
        f.pos,
        "S003",
        msg + yaml_note(f.path, f.document, f.secret),
        type_hint(f.path, f.document, expected),
    )
    return [diag.replace(suggestion=unquoted(f.path, f.document, types, f.secret))]


def _say_not_allowed(f: _Failed) -> list[Diagnostic]:
    """S004 for ``enum`` and ``const``: the allowed values, and a guess when it is safe."""
    allowed = f.rule if f.error.validator == "enum" else [f.rule]
    listed = ", ".join(describe(a) for a in allowed)
    msg = f"{f.name} must be {'one of ' if len(allowed) > 1 else ''}{listed}, not {f.shown}"
    guess = None
    if not (f.secret or f.from_env):
        guess = suggest(str(f.instance), [str(a) for a in allowed])
    if guess is not None:
        msg += f"; did you mean '{guess}'?"
    diag = f.at(f.pos, "S004", msg, f.env_hint)
    if guess is not None and isinstance(f.instance, str) and guess.lower() == f.instance.lower():
        diag = diag.replace(suggestion=guess)  # only the letter case differs: certain
    return [diag]


def _say_pattern(f: _Failed) -> list[Diagnostic]:
    wanted = f.schema.get("x-pattern-description") or f"text matching {excerpt(str(f.rule), 60)}"
    return [f.at(f.pos, "S005", f"{f.name} must be {wanted}, not {f.shown}", f.env_hint)]


def _say_format(f: _Failed) -> list[Diagnostic]:
    msg = format_message(f.name, str(f.rule), f.instance, f.shown)
    return [f.at(f.pos, "S006", msg, f.env_hint)]


def _say_range(f: _Failed) -> list[Diagnostic]:
    return [f.at(f.pos, "S007", range_message(f.name, str(f.error.validator), f.rule))]


def _say_ambiguous(f: _Failed) -> list[Diagnostic]:
    msg = f"{f.name} matches more than one of the allowed forms; remove the keys of all but one"
    return [f.at(f.pos, "S008", msg)]


def _say_other(f: _Failed) -> list[Diagnostic]:
    return [f.at(f.pos, "S009", f"{f.name} breaks the schema rule '{f.error.validator}'")]


_Sayer = Callable[[_Failed], list[Diagnostic]]
#: Keywords about the keys of a mapping, said only when the value is a mapping.
_MAPPING_SAYERS: dict[str, _Sayer] = {
    "additionalProperties": _say_unknown_keys,
    "required": _say_missing_keys,
}
#: Every other keyword's sayer; a keyword not here is S009.
_SAYERS: dict[str, _Sayer] = {
    "type": _say_type,
    "enum": _say_not_allowed,
    "const": _say_not_allowed,
    "pattern": _say_pattern,
    "format": _say_format,
    **dict.fromkeys(RANGE, _say_range),
    "oneOf": _say_ambiguous,
    "anyOf": _say_ambiguous,
}


def _translate(
    error: Failure, document: Document, secret_keys: Collection[str]
) -> list[Diagnostic]:
    failed = _Failed(error, document, secret_keys)
    validator = str(error.validator)
    say = _MAPPING_SAYERS.get(validator) if isinstance(failed.instance, dict) else None
    return (say or _SAYERS.get(validator, _say_other))(failed)


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
        f"{name_of(path)} is written {diagnostic.suggestion}, in the letter case the schema uses",
    )


#: The fixes the explainer declares for its codes, as the rules do with ``@rule(fix=...)``.
#: (A quoted boolean or number is no S003 any more: the runner converts it, and R030 fixes it.)
FIXERS: dict[str, Fixer] = {"S001": _fix_key, "S004": _fix_case}
