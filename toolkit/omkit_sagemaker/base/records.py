"""Small value classes without :mod:`dataclasses`, for what ``omkit validate`` builds: the
diagnostics, the loaded document, the settings.

``@dataclass`` writes each class's methods as source text and compiles it when the module is
imported: about a millisecond per class, and importing dataclasses brings inspect, ast and dis.
That was a fifth of a cold ``omkit validate``. The classes on its path write their ``__init__``
by hand and get equality, hashing and ``repr`` from :class:`Record`, computed from their
``__slots__`` in order, as a dataclass computes them from its fields.
"""

from __future__ import annotations

from typing import Any, TypeVar

_R = TypeVar("_R", bound="Record")


class Record:
    """Equal to another instance of the same class with equal fields; hashed and shown by
    them (``Name(field=value, ...)``), like a frozen dataclass."""

    __slots__: tuple[str, ...] = ()

    def _fields(self) -> tuple[Any, ...]:
        return tuple([getattr(self, name) for name in self.__slots__])

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        assert isinstance(other, Record)
        return self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{type(self).__qualname__}({shown})"

    def replace(self: _R, **changes: Any) -> _R:
        """A copy with ``changes`` (field=value), as ``dataclasses.replace`` makes one."""
        values = {name: getattr(self, name) for name in self.__slots__}
        values.update(changes)
        build: Any = type(self)
        copy: _R = build(**values)
        return copy


class MutableRecord(Record):
    """A :class:`Record` whose fields change after it is built: not hashable, like a dataclass
    that is not frozen."""

    __slots__ = ()
    __hash__ = None  # type: ignore[assignment]
