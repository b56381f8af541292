"""A loaded config (omkit_sagemaker.check.document), as the loader builds it from a file: where
each key and value is written (a missing path is placed at its nearest present ancestor, a key
falls back to its value), the values by path, and each scalar as written before ``$VAR``
expansion."""

from __future__ import annotations

from omkit_sagemaker.check.document import Document, Position, Positions, Scalar
from omkit_sagemaker.check.loader import load_text

TEXT = (
    "source:\n"
    "  type: SageMaker\n"
    "  serviceName: '${SERVICE}'\n"
    "  sourceConfig:\n"
    "    config:\n"
    "      includes: [a, b]\n"
)


def load() -> Document:
    loaded = load_text(TEXT, "sm.yaml", environ={"SERVICE": "ml"})
    assert loaded.document is not None
    return loaded.document


def test_each_key_and_value_is_where_it_is_written() -> None:
    document = load()
    assert document.position(("source", "type")) == Position(2, 9)
    assert document.key_position(("source", "type")) == Position(2, 3)
    assert document.position(("source", "sourceConfig", "config", "includes", 1)) == Position(6, 21)


def test_a_missing_path_is_placed_at_its_nearest_present_ancestor() -> None:
    document = load()
    nearest = document.position(("source", "sourceConfig", "config"))
    assert document.position(("source", "sourceConfig", "config", "excludes", 0)) == nearest
    assert document.key_position(("source", "sourceConfig", "config", "excludes")) == nearest
    assert Document("empty.yaml", {}).position(("a",)) == Position(1, 1)


def test_values_and_scalars_as_read_and_as_written() -> None:
    document = load()
    assert document.value_at(("source", "sourceConfig", "config", "includes")) == ["a", "b"]
    assert document.value_at(("source", "serviceName")) == "ml"
    scalar = document.scalars[("source", "serviceName")]
    assert (scalar.written, scalar.plain, scalar.from_env) == ("'${SERVICE}'", False, True)
    assert document.scalars[("source", "type")] == Scalar("SageMaker", True, "SageMaker", False)
    assert document.source == TEXT
    assert document.file == "sm.yaml"


def test_positions_are_kept_as_offsets_and_located_on_demand() -> None:
    asked: list[int] = []

    def locate(offset: int) -> Position:
        asked.append(offset)
        return Position(1 + offset // 10, 1 + offset % 10)

    positions = Positions(locate)
    positions.record(("a",), 0)
    positions.record(("a", "b"), 23)
    assert asked == []  # nothing located until asked
    assert (("a", "b") in positions, ("c",) in positions, len(positions)) == (True, False, 2)
    assert positions[("a", "b")] == Position(3, 4)
    assert list(positions) == [("a",), ("a", "b")]
    assert asked == [23]
    assert Positions().get(("x",)) is None
