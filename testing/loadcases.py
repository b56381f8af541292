"""Loading helpers of the tests of ``check/loader.py`` and its parts (``nodechecks``,
``nodeindex``, ``yamlerrors``, ``locator``): a load with exactly the given environment, its
document or its single diagnostic, and the position of a piece of text."""

from __future__ import annotations

from collections.abc import Mapping

from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.check.loader import Document, LoadResult, Position, load_text

FILE = "cfg.yaml"


def load(text: str, env: Mapping[str, str] | None = None) -> LoadResult:
    """Load with exactly ``env`` as the environment (an empty one by default)."""
    return load_text(text, FILE, environ={} if env is None else env)


def document(text: str, env: Mapping[str, str] | None = None) -> Document:
    result = load(text, env)
    assert result.document is not None, result.diagnostics
    return result.document


def at(text: str, needle: str, nth: int = 0) -> Position:
    """1-based line and column of the ``nth`` occurrence of ``needle`` in ``text``."""
    index = -1
    for _ in range(nth + 1):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return Position(line, index - (text.rfind("\n", 0, index) + 1) + 1)


def only(result: LoadResult) -> tuple[str, int, int, str]:
    """The single diagnostic of a failed load, as (code, line, column, message)."""
    assert result.document is None
    assert len(result.diagnostics) == 1, result.diagnostics
    d = result.diagnostics[0]
    assert d.severity is Severity.ERROR
    return d.code, d.line, d.column, d.message
