"""A loaded config: its data, and where each key and value sits in the file as written.

:mod:`.loader` builds these from a file's text; every check reads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from typing import Any

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.base.records import MutableRecord, Record
from omkit_sagemaker.check.envvars import Expansion

PathPart = str | int
DataPath = tuple[PathPart, ...]


class Position(Record):
    """A 1-based line and column in the file as written."""

    __slots__ = ("line", "column")  # noqa: RUF023 - in field order, for repr

    line: int
    column: int

    def __init__(self, line: int, column: int) -> None:
        self.line = line
        self.column = column


class Scalar(Record):
    """How a scalar value was written: its source text and whether it was a plain (unquoted) one."""

    __slots__ = ("text", "plain", "written", "from_env")  # noqa: RUF023 - in field order, for repr

    text: str
    plain: bool
    #: The scalar exactly as written in the file, before ``$VAR`` expansion (quotes included).
    written: str
    #: True when part of the value came from an environment variable: never show it then.
    from_env: bool

    def __init__(self, text: str, plain: bool, written: str = "", from_env: bool = False) -> None:
        self.text = text
        self.plain = plain
        self.written = written
        self.from_env = from_env


class Positions(Mapping[DataPath, Position]):
    """Positions by data path, kept as offsets and turned into line and column on demand.

    Most files have no problem, and then no position is ever needed.
    """

    def __init__(
        self,
        locate: Callable[[int], Position] | None = None,
        offsets: dict[DataPath, int] | None = None,
    ) -> None:
        self._offsets: dict[DataPath, int] = {} if offsets is None else offsets
        self._locate = locate or (lambda offset: Position(1, offset + 1))

    def __getitem__(self, path: DataPath) -> Position:
        return self._locate(self._offsets[path])

    def __contains__(self, path: object) -> bool:
        return path in self._offsets

    def __iter__(self) -> Iterator[DataPath]:
        return iter(self._offsets)

    def __len__(self) -> int:
        return len(self._offsets)

    def record(self, path: DataPath, offset: int) -> None:
        """Remember that ``path`` starts at ``offset`` of the parsed text."""
        self._offsets[path] = offset


class Document(MutableRecord):
    """A loaded config: the data, and where each part of it sits in the file."""

    __slots__ = (  # noqa: RUF023 - in field order, for repr
        "file",
        "data",
        "expansion",
        "values",
        "keys",
        "scalars",
        "source",
    )

    file: str
    data: dict[str, Any]
    expansion: Expansion | None
    values: Positions
    keys: Positions
    scalars: dict[DataPath, Scalar]
    #: The file's text as written (before ``$VAR`` expansion, without a byte-order mark).
    source: str

    def __init__(
        self,
        file: str,
        data: dict[str, Any],
        expansion: Expansion | None = None,
        values: Positions | None = None,
        keys: Positions | None = None,
        scalars: dict[DataPath, Scalar] | None = None,
        source: str = "",
    ) -> None:
        self.file = file
        self.data = data
        self.expansion = expansion
        self.values = Positions() if values is None else values
        self.keys = Positions() if keys is None else keys
        self.scalars = {} if scalars is None else scalars
        self.source = source

    def position(self, path: DataPath) -> Position:
        """Where the value at ``path`` starts; for a missing path, its nearest present ancestor."""
        for i in range(len(path), -1, -1):
            pos = self.values.get(path[:i])
            if pos is not None:
                return pos
        return Position(1, 1)

    def value_at(self, path: DataPath) -> Any:
        """The loaded value at ``path`` (which must exist)."""
        value: Any = self.data
        for part in path:
            value = value[part]
        return value

    def key_position(self, path: DataPath) -> Position:
        """Where the key naming ``path`` is written (falls back to the value's position)."""
        return self.keys.get(path) or self.position(path)


class LoadResult(MutableRecord):
    """The document (None when the file could not be read) and the problems met reading it."""

    __slots__ = ("document", "diagnostics")  # noqa: RUF023 - in field order, for repr

    document: Document | None
    diagnostics: list[Diagnostic]

    def __init__(self, document: Document | None, diagnostics: list[Diagnostic]) -> None:
        self.document = document
        self.diagnostics = diagnostics
