"""Small value classes without dataclasses (omkit_sagemaker.base.records): equality, hashing,
``repr`` and ``replace`` computed from the ``__slots__`` in order, as a frozen dataclass has them,
never equal across classes, and a mutable record not hashable."""

from __future__ import annotations

import pytest
from omkit_sagemaker.base.records import MutableRecord, Record


class Point(Record):
    __slots__ = ("x", "y")

    def __init__(self, x: int, y: int = 0) -> None:
        self.x = x
        self.y = y


class Other(Record):
    __slots__ = ("x", "y")

    def __init__(self, x: int, y: int = 0) -> None:
        self.x = x
        self.y = y


class Counter(MutableRecord):
    __slots__ = ("count",)

    def __init__(self, count: int) -> None:
        self.count = count


def test_records_with_equal_fields_are_equal_and_hash_alike() -> None:
    assert Point(1, 2) == Point(1, 2)
    assert Point(1, 2) != Point(2, 1)
    assert len({Point(1, 2), Point(1, 2), Point(2, 1)}) == 2
    assert Point(1, 2) != Other(1, 2)  # another class, even with the same fields


def test_repr_and_replace_follow_the_fields_in_order() -> None:
    assert repr(Point(1, 2)) == "Point(x=1, y=2)"
    moved = Point(1, 2).replace(y=5)
    assert moved == Point(1, 5)
    assert type(moved) is Point
    with pytest.raises(TypeError):
        Point(1).replace(z=3)


def test_a_mutable_record_changes_and_is_not_hashable() -> None:
    counter = Counter(1)
    counter.count += 1
    assert counter == Counter(2)
    with pytest.raises(TypeError, match="unhashable"):
        hash(counter)
