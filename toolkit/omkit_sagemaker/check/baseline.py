"""A baseline: the problems a project has today, so that ``omkit validate`` reports only new ones.

``omkit validate --write-baseline .omkit-baseline.json`` records every problem found;
``omkit validate --baseline .omkit-baseline.json`` then leaves those out and reports the rest.
Entries are keyed on the file (relative to the baseline's folder), the data path and the code,
never on line numbers, so they survive edits above them; the same key may be recorded more than
once (it then hides that many problems). An entry that no longer occurs in a file checked is
reported as fixed, and the next ``--write-baseline`` drops it: the baseline only shrinks unless
asked to record new problems. ``--baseline`` alone never writes (a pre-commit hook must not
change files); ``--write-baseline`` keeps the entries of files it did not check, and leaves the
file untouched when nothing changed.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omkit_sagemaker.base.diagnostics import Diagnostic

#: The version of the baseline file's format.
FORMAT_VERSION = 1

Key = tuple[str, str, str]  # file, data path, code


class BaselineError(Exception):
    """A baseline file that cannot be read; the message is one ``file:line:col: ...`` line."""


@dataclass(frozen=True)
class Entry:
    """One recorded problem: where (file and data path) and what (code; message for people)."""

    file: str
    path: str
    code: str
    message: str = ""

    @property
    def key(self) -> Key:
        return (self.file, self.path, self.code)


@dataclass
class Filtered:
    """What is left once the baseline's problems are taken out."""

    diagnostics: list[Diagnostic]
    known: int = 0
    fixed: list[Entry] = field(default_factory=list)

    def note(self, baseline: str) -> str:
        """The summary's baseline sentence ("" when the baseline hid and missed nothing)."""
        parts = []
        if self.known:
            parts.append(f"{_n(self.known, 'known problem')} in {baseline} not shown")
        if self.fixed:
            parts.append(
                f"{_n(len(self.fixed), 'baseline entry', 'baseline entries')} fixed "
                f"(run omkit validate --write-baseline {baseline} to shrink it)"
            )
        return "; ".join(parts)


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _file_key(file: str, root: Path) -> str:
    """``file`` relative to ``root`` in ``/`` form (absolute when it lies outside)."""
    full = Path(os.path.abspath(file))
    try:
        return full.relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        return full.as_posix()


def entries(diagnostics: Iterable[Diagnostic], root: Path) -> list[Entry]:
    """Baseline entries for ``diagnostics``, files relative to ``root``, in a stable order."""
    found = [Entry(_file_key(d.file, root), d.path, d.code, d.message) for d in diagnostics]
    return sorted(found, key=lambda e: (*e.key, e.message))


def read(path: Path) -> list[Entry]:
    """The entries of a baseline file; raises :class:`BaselineError`."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BaselineError(f"{path}:1:1: no such baseline file") from None
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise BaselineError(f"{path}:1:1: cannot read the baseline: {reason}") from None
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    items = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(items, list) or data.get("version") != FORMAT_VERSION:
        raise BaselineError(
            f"{path}:1:1: not an omkit baseline (version {FORMAT_VERSION} with an entries list); "
            "write one with omkit validate --write-baseline"
        )
    out = []
    for number, item in enumerate(items):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("file", "path", "code")
        ):
            raise BaselineError(f"{path}:1:1: entry {number} needs file, path and code as text")
        message = item.get("message")
        out.append(Entry(item["file"], item["path"], item["code"], str(message) if message else ""))
    return out


def render(found: Sequence[Entry]) -> str:
    """The baseline file's text for ``found``."""
    items = [{"file": e.file, "path": e.path, "code": e.code, "message": e.message} for e in found]
    return json.dumps({"version": FORMAT_VERSION, "entries": items}, indent=2) + "\n"


def apply(
    diagnostics: Sequence[Diagnostic], files: Sequence[str], baseline: Sequence[Entry], root: Path
) -> Filtered:
    """Take the baseline's problems out of ``diagnostics``; entries of ``files`` (the files
    checked) that match nothing are the fixed ones."""
    left = Counter(e.key for e in baseline)
    kept: list[Diagnostic] = []
    known = 0
    for diag in diagnostics:
        key = (_file_key(diag.file, root), diag.path, diag.code)
        if left[key] > 0:
            left[key] -= 1
            known += 1
        else:
            kept.append(diag)
    checked = {_file_key(f, root) for f in files}
    fixed = []
    for entry in baseline:
        if entry.file in checked and left[entry.key] > 0:
            left[entry.key] -= 1
            fixed.append(entry)
    return Filtered(kept, known, fixed)


def filter_result(diagnostics: Sequence[Diagnostic], files: Sequence[str], path: Path) -> Filtered:
    """``omkit validate --baseline PATH``: the problems not in the baseline, and what it hid."""
    return apply(diagnostics, files, read(path), path.parent)


def record(diagnostics: Sequence[Diagnostic], files: Sequence[str], path: Path) -> str:
    """``omkit validate --write-baseline PATH``: record today's problems (keeping the entries of
    files not checked now); returns what was done, as a sentence. Writes only on a change."""
    root = path.parent
    old = read(path) if path.exists() else []
    checked = {_file_key(f, root) for f in files}
    kept = [e for e in old if e.file not in checked]
    new = sorted([*kept, *entries(diagnostics, root)], key=lambda e: (*e.key, e.message))
    before, after = Counter(e.key for e in old), Counter(e.key for e in new)
    added, removed = sum((after - before).values()), sum((before - after).values())
    text = render(new)
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return f"{path}: up to date ({_n(len(new), 'entry', 'entries')})"
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)
    return (
        f"wrote {path}: {_n(len(new), 'entry', 'entries')} "
        f"({added} new, {removed} fixed and removed)"
    )
