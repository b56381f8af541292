"""Writing small files for the tests of the checks that read them."""

from __future__ import annotations

from pathlib import Path


def write(path: Path, text: str = "a: 1\n") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
