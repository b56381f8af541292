"""What the generated models in :mod:`omkit_sagemaker.spec.models` are built on.

The models are plain dataclasses written by ``omkit codegen`` (see
:mod:`omkit_sagemaker.spec.codegen`). This
module holds the hand-written part they share: the :class:`Secret` type for ``format: password``
values, the :class:`Model` base that remembers which keys a document gave, and the small checks
that turn a loaded document into typed values. It imports nothing outside the standard library,
so the models stay cheap to import and never pull in pydantic, boto3 or botocore.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Mapping
from dataclasses import MISSING, dataclass, field, fields
from enum import Enum
from typing import Any, ClassVar, TypeVar

from omkit_sagemaker.base.masking import kind as _kind

#: What a secret looks like wherever it is shown: ``str()``, ``repr()`` and masked dumps.
MASK = "**********"

E = TypeVar("E", bound=Enum)
T = TypeVar("T")


class Secret:
    """A secret string (a ``format: password`` value) that never shows itself by accident.

    ``str()``, ``repr()``, f-strings and ``Model.to_dict()`` give ``**********``; the code that
    needs the value (the AWS client, the HTTP client) asks for it with :meth:`get_secret_value`.
    """

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):
            raise TypeError(f"a Secret holds a string, not {type(value).__name__}")
        self._value = value

    def get_secret_value(self) -> str:
        """The real value."""
        return self._value

    def __str__(self) -> str:
        return MASK

    def __repr__(self) -> str:
        return f"Secret('{MASK}')"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Secret):
            return self._value == other._value
        return NotImplemented

    def __hash__(self) -> int:
        return hash((Secret, self._value))

    def __bool__(self) -> bool:
        return bool(self._value)


class ModelError(ValueError):
    """A document that does not fit the model: a wrong type, an unknown or a missing key."""

    def __init__(self, path: str, message: str) -> None:
        self.path = path
        super().__init__(f"{path or 'the document'}: {message}")


@dataclass(frozen=True, slots=True)
class DumpOptions:
    """How ``to_dict`` writes a model: real secret values or masks, defaults or not."""

    reveal_secrets: bool = False
    include_defaults: bool = False

    def secret(self, value: Secret) -> str:
        """A secret as ``to_dict`` writes it: the real value only when asked to reveal it."""
        return value.get_secret_value() if self.reveal_secrets else MASK


@dataclass(kw_only=True, slots=True)
class Model:
    """Base of every generated object model.

    ``_set_fields`` holds the keys the document gave to ``from_dict``. ``to_dict`` writes those
    back, plus every field whose value differs from its schema default, so that a model built
    from a document dumps back to that very document, and one built in code dumps what was set.
    """

    #: False for an object schema with ``additionalProperties: false`` (every generated model).
    _open: ClassVar[bool] = False

    _set_fields: frozenset[str] = field(
        default_factory=frozenset, init=False, repr=False, compare=False
    )

    def to_dict(
        self, *, reveal_secrets: bool = False, include_defaults: bool = False
    ) -> dict[str, Any]:
        """The model as a plain document (dicts, lists, strings, numbers, booleans).

        Fields the document left out and that still hold their default are left out, so a model
        built with ``from_dict`` gives that document back. Secrets are written as ``**********``
        unless ``reveal_secrets`` is true (use it to write a config file).
        ``include_defaults`` also writes the schema default of every field left out, inside
        every object that is present.
        """
        return self._dump(DumpOptions(reveal_secrets, include_defaults))

    def _dump(self, options: DumpOptions) -> dict[str, Any]:
        raise NotImplementedError  # written by omkit codegen in every model

    def _keep(self, name: str, default: object, options: DumpOptions) -> bool:
        """Whether ``to_dict`` writes the field ``name`` whose schema default is ``default``."""
        if options.include_defaults or name in self._set_fields:
            return True
        return bool(getattr(self, name) != default)


_KEYS: dict[type[Model], frozenset[str] | None] = {}
_REQUIRED: dict[type[Model], tuple[str, ...]] = {}


def keys_of(kind: type[Model]) -> frozenset[str] | None:
    """The keys a document may give to ``kind`` (None: any key)."""
    if kind not in _KEYS:
        _KEYS[kind] = None if kind._open else frozenset(f.name for f in fields(kind) if f.init)
    return _KEYS[kind]


def required_of(kind: type[Model]) -> tuple[str, ...]:
    """The keys a document must give to ``kind``: the fields without a default."""
    if kind not in _REQUIRED:
        _REQUIRED[kind] = tuple(
            f.name
            for f in fields(kind)
            if f.init and f.default is MISSING and f.default_factory is MISSING
        )
    return _REQUIRED[kind]


def at(path: str, key: str) -> str:
    """The path of ``key`` inside the mapping at ``path`` (``source.serviceName``)."""
    return f"{path}.{key}" if path else key


def as_object(
    value: object, path: str, keys: frozenset[str] | None, required: tuple[str, ...] = ()
) -> Mapping[str, Any]:
    """``value`` as a mapping; with ``keys`` (``additionalProperties: false``) no other key."""
    if not isinstance(value, Mapping):
        raise ModelError(path, f"expected a mapping, got {_kind(value)}")
    for key in value:
        if not isinstance(key, str):
            raise ModelError(path, f"keys must be strings, got {_kind(key)}")
        if keys is not None and key not in keys:
            raise ModelError(at(path, key), "unknown key")
    for key in required:
        if key not in value:
            raise ModelError(at(path, key), "missing required key")
    return value


def as_str(value: object, path: str) -> str:
    """``value``, which must be a string."""
    if not isinstance(value, str):
        raise ModelError(path, f"expected a string, got {_kind(value)}")
    return value


def as_secret(value: object, path: str) -> Secret:
    """``value``, which must be a string, wrapped as a :class:`Secret`."""
    if isinstance(value, Secret):
        return value
    if not isinstance(value, str):  # never show the value itself
        raise ModelError(path, f"expected a string, got {_kind(value)}")
    return Secret(value)


#: Text that metadata ingest's parsers (pydantic 1 and 2, lax) read as a boolean.
_BOOLEAN_WORDS = {
    **dict.fromkeys(("true", "yes", "on", "t", "y", "1"), True),
    **dict.fromkeys(("false", "no", "off", "f", "n", "0"), False),
}
_WHOLE = re.compile(r"[+-]?\d+\Z")


def as_bool(value: object, path: str) -> bool:
    """``value`` as a boolean, converted as metadata ingest converts it (``'true'``, ``'yes'``,
    ``0``/``1``: omkit validate's R030) so that omkit runs what the runner runs."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _BOOLEAN_WORDS:
        return _BOOLEAN_WORDS[value.lower()]
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise ModelError(path, f"expected a boolean, got {_kind(value)}")


def as_int(value: object, path: str) -> int:
    """``value`` as an integer, converted as metadata ingest converts it (``'1000'``, ``2.0``,
    a boolean: omkit validate's R030)."""
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str) and _WHOLE.match(value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ModelError(path, f"expected an integer, got {_kind(value)}")


def as_float(value: object, path: str) -> float:
    """``value`` as a number, converted as metadata ingest converts it (``'1.5'``, a boolean)."""
    if isinstance(value, (int, float)):
        return value if not isinstance(value, bool) else int(value)
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            number = float("nan")
        if number == number and abs(number) != float("inf"):
            return number
    raise ModelError(path, f"expected a number, got {_kind(value)}")


def as_list(value: object, path: str) -> list[Any]:
    """``value``, which must be a list."""
    if not isinstance(value, list):
        raise ModelError(path, f"expected a list, got {_kind(value)}")
    return value


def as_str_list(value: object, path: str) -> list[str]:
    """``value``, which must be a list of strings (copied)."""
    return [as_str(item, f"{path}[{i}]") for i, item in enumerate(as_list(value, path))]


def as_str_map(value: object, path: str) -> dict[str, str]:
    """``value``, which must map strings to strings (copied)."""
    return {k: as_str(v, at(path, k)) for k, v in as_object(value, path, None).items()}


def as_any_map(value: object, path: str) -> dict[str, Any]:
    """``value``, a free-form mapping (deep-copied)."""
    return copy.deepcopy(dict(as_object(value, path, None)))


def as_enum(kind: type[E], value: object, path: str) -> E:
    """``value``, one of the values of the string enum ``kind``."""
    if isinstance(value, kind):
        return value
    try:
        return kind(as_str(value, path))
    except ValueError:
        allowed = ", ".join(repr(m.value) for m in kind)
        raise ModelError(path, f"{value!r} is not one of {allowed}") from None


def choose_branch(value: Mapping[str, Any], path: str, kinds: tuple[type[Model], ...]) -> int:
    """The index of the one ``oneOf`` branch whose keys fit ``value``: every required key of the
    branch is given, and no key it does not know."""
    keys = set(value)
    fits = []
    for i, kind in enumerate(kinds):
        allowed = keys_of(kind)
        if set(required_of(kind)) <= keys and (allowed is None or keys <= allowed):
            fits.append(i)
    if len(fits) != 1:
        names = ", ".join(kind.__name__ for kind in kinds)
        how = "none" if not fits else "more than one"
        raise ModelError(path, f"the keys {sorted(keys)} fit {how} of {names}")
    return fits[0]


def as_list_of(value: object, path: str, parse: Callable[[object, str], T]) -> list[T]:
    """``value``, a list whose items ``parse`` turns into typed values."""
    return [parse(item, f"{path}[{i}]") for i, item in enumerate(as_list(value, path))]


def as_map_of(value: object, path: str, parse: Callable[[object, str], T]) -> dict[str, T]:
    """``value``, a mapping whose values ``parse`` turns into typed values."""
    return {k: parse(v, at(path, k)) for k, v in as_object(value, path, None).items()}


def as_any(value: object, path: str) -> Any:
    """``value`` of a schema that allows anything (deep-copied)."""
    del path
    return copy.deepcopy(value)


def dump_any(value: object) -> Any:
    """A free-form value as ``to_dict`` writes it: a deep copy."""
    return copy.deepcopy(value)


def without_nulls(data: object) -> object:
    """``data`` as ``metadata ingest`` reads it: a key whose value is ``null`` counts as left
    out (its models read ``None`` as unset), at every depth. A required key given ``null`` is
    then missing, which ``omkit validate`` reports before a run builds a model."""
    if isinstance(data, Mapping):
        return {k: without_nulls(v) for k, v in data.items() if v is not None}
    if isinstance(data, list):
        return [without_nulls(v) for v in data]
    return data
