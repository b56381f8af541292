"""A baseline: the problems a project has today, so that ``omkit validate`` reports only new ones.

``omkit validate --no-env --write-baseline .omkit-baseline.json`` records every problem found
that may be turned off (the codes ``--disable`` accepts: a problem ``metadata ingest`` rejects the
file for is never recorded, so a baseline never hides it); ``omkit validate --no-env --baseline
.omkit-baseline.json`` then leaves those out and reports the rest.

Entries are keyed on the file (relative to the baseline's folder), the data path, the code and a
fingerprint of what the problem says (a hash of its message, line numbers left out), never on
line numbers, so they survive edits above them but not a change of the problem itself (a region
changed from one unknown value to another is a new problem). The same key may be recorded more
than once (it then hides that many problems). An entry that no longer occurs in a file checked is
reported as fixed, and the next ``--write-baseline`` drops it: the baseline only shrinks unless
asked to record new problems. ``--baseline`` alone never writes (a pre-commit hook must not
change files); ``--write-baseline`` keeps the entries of files it did not check, leaves the file
untouched when nothing changed, and writes through :mod:`omkit_sagemaker.base.safewrite`.

A baseline file is read only when it is a regular file of at most :data:`MAX_BYTES`; a file of
the first format (entries without fingerprints) is refused with the command that rewrites it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omkit_sagemaker.base.diagnostics import Diagnostic, can_silence, has_errors
from omkit_sagemaker.base.masking import mask_userinfo

#: The version of the baseline file's format (1: entries without a fingerprint).
FORMAT_VERSION = 2
#: The largest baseline file read (about 50,000 entries).
MAX_BYTES = 16 * 1024 * 1024

Key = tuple[str, str, str, str]  # file, data path, code, fingerprint
_LINE_NUMBER = re.compile(r"\bline \d+")


class BaselineError(Exception):
    """A baseline file that cannot be read; the message is one ``file:line:col: ...`` line."""


class OlderBaseline(BaselineError):
    """A baseline of the first format; :attr:`files` are the files its entries name."""

    def __init__(self, message: str, files: list[str]) -> None:
        super().__init__(message)
        self.files = files


def fingerprint(diag: Diagnostic) -> str:
    """What ``diag`` says, as 16 hex digits: the hash of its code and message, with line numbers
    and a URL's ``user:password@`` left out (messages never hold a secret's value)."""
    said = _LINE_NUMBER.sub("line N", mask_userinfo(diag.message))
    return hashlib.sha256(f"{diag.code}\0{said}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class BaselineEntry:
    """One recorded problem: where (file and data path), what (code and fingerprint), and the
    message for people reading the file."""

    file: str
    path: str
    code: str
    fingerprint: str
    message: str = ""

    @property
    def key(self) -> Key:
        return (self.file, self.path, self.code, self.fingerprint)


@dataclass
class Filtered:
    """What is left once the baseline's problems are taken out."""

    diagnostics: list[Diagnostic]
    known: int = 0
    fixed: list[BaselineEntry] = field(default_factory=list)

    def note(self, baseline: str, command: str | None = None) -> str:
        """The summary's baseline sentence ("" when the baseline hid and missed nothing);
        ``command`` is the exact command that drops the fixed entries."""
        parts = []
        if self.known:
            parts.append(f"{_n(self.known, 'known problem')} in {baseline} not shown")
        if self.fixed:
            shrink = command or f"omkit validate --write-baseline {baseline}"
            parts.append(
                f"{_n(len(self.fixed), 'baseline entry', 'baseline entries')} fixed "
                f"(run {shrink} to shrink it)"
            )
        return "; ".join(parts)


@dataclass
class Recorded:
    """What ``--write-baseline`` did (a sentence) and the problems it could not record."""

    message: str
    left: list[Diagnostic] = field(default_factory=list)

    def failed(self, *, strict: bool = False) -> bool:
        """True when a problem that cannot be recorded is an error (the check still fails)."""
        return has_errors(self.left, strict=strict)


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def _file_key(file: str, root: Path) -> str:
    """``file`` relative to ``root`` in ``/`` form (absolute when it lies outside)."""
    full = Path(os.path.abspath(file))
    try:
        return full.relative_to(Path(os.path.abspath(root))).as_posix()
    except ValueError:
        return full.as_posix()


def _key(diag: Diagnostic, root: Path) -> Key:
    return (_file_key(diag.file, root), diag.path, diag.code, fingerprint(diag))


def entries(diagnostics: Iterable[Diagnostic], root: Path) -> list[BaselineEntry]:
    """Baseline entries for the ``diagnostics`` that may be baselined (their code may be turned
    off), files relative to ``root``, in a stable order."""
    found = [
        BaselineEntry(*_key(d, root), mask_userinfo(d.message))
        for d in diagnostics
        if can_silence(d.code)
    ]
    return sorted(found, key=lambda e: (*e.key, e.message))


def _read_bytes(path: Path) -> bytes:
    """The bytes of ``path`` when it is a regular file of at most :data:`MAX_BYTES`; a device,
    a named pipe or a larger file is refused before anything is read."""
    try:
        seen = os.stat(path)
        if not stat.S_ISREG(seen.st_mode):
            raise BaselineError(
                f"{path}:1:1: not a regular file (a device, pipe or socket); "
                "a baseline is a JSON file"
            )
        if seen.st_size > MAX_BYTES:
            raise BaselineError(
                f"{path}:1:1: {seen.st_size:,} bytes is more than a baseline omkit reads "
                f"({MAX_BYTES // (1024 * 1024)} MiB)"
            )
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        try:  # the file it opened, which may not be the one it looked at
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise BaselineError(f"{path}:1:1: not a regular file; a baseline is a JSON file")
            data = os.read(fd, MAX_BYTES + 1)
        finally:
            os.close(fd)
    except FileNotFoundError:
        raise BaselineError(f"{path}:1:1: no such baseline file") from None
    except OSError as exc:
        raise BaselineError(f"{path}:1:1: cannot read the baseline: {exc.strerror}") from None
    if len(data) > MAX_BYTES:
        raise BaselineError(f"{path}:1:1: more than {MAX_BYTES // (1024 * 1024)} MiB; not read")
    return data


def _parse(path: Path) -> Any:
    try:
        text = _read_bytes(path).decode("utf-8")
    except UnicodeDecodeError:
        raise BaselineError(f"{path}:1:1: cannot read the baseline: not UTF-8 text") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise BaselineError(f"{path}:{exc.lineno}:{exc.colno}: not JSON: {exc.msg}") from None
    except RecursionError:
        raise BaselineError(f"{path}:1:1: nested too deep to be an omkit baseline") from None


def read(path: Path, *, rewrite: str | None = None) -> list[BaselineEntry]:
    """The entries of a baseline file; raises :class:`BaselineError`. ``rewrite``: the command
    that writes it again, named when the file is of the first format."""
    data = _parse(path)
    items = data.get("entries") if isinstance(data, dict) else None
    if isinstance(items, list) and data.get("version") == 1:
        again = rewrite or f"omkit validate --no-env --write-baseline {path} PATH..."
        raise OlderBaseline(
            f"{path}:1:1: a baseline of an older omkit, whose entries do not record what each "
            f"problem says; write it again, over every config it covers, with: {again}",
            [i["file"] for i in items if isinstance(i, dict) and isinstance(i.get("file"), str)],
        )
    if not isinstance(items, list) or data.get("version") != FORMAT_VERSION:
        raise BaselineError(
            f"{path}:1:1: not an omkit baseline (version {FORMAT_VERSION} with an entries list); "
            "write one with omkit validate --write-baseline"
        )
    out = []
    for number, item in enumerate(items):
        if not isinstance(item, dict) or not all(
            isinstance(item.get(k), str) for k in ("file", "path", "code", "fingerprint")
        ):
            raise BaselineError(
                f"{path}:1:1: entry {number} needs file, path, code and fingerprint as text"
            )
        if not can_silence(item["code"]):
            raise BaselineError(
                f"{path}:1:1: entry {number}: {item['code']} cannot be baselined: metadata "
                "ingest rejects a file with this problem"
            )
        message = item.get("message")
        out.append(
            BaselineEntry(
                item["file"],
                item["path"],
                item["code"],
                item["fingerprint"],
                str(message) if message else "",
            )
        )
    return out


def render(found: Sequence[BaselineEntry]) -> str:
    """The baseline file's text for ``found``."""
    items = [
        {
            "file": e.file,
            "path": e.path,
            "code": e.code,
            "fingerprint": e.fingerprint,
            "message": e.message,
        }
        for e in found
    ]
    return json.dumps({"version": FORMAT_VERSION, "entries": items}, indent=2) + "\n"


def apply(
    diagnostics: Sequence[Diagnostic],
    files: Sequence[str],
    baseline: Sequence[BaselineEntry],
    root: Path,
) -> Filtered:
    """Take the baseline's problems out of ``diagnostics``; entries of ``files`` (the files
    checked) that match nothing are the fixed ones. A problem that may not be turned off is
    never taken out."""
    left = Counter(e.key for e in baseline if can_silence(e.code))
    kept: list[Diagnostic] = []
    known = 0
    for diag in diagnostics:
        key = _key(diag, root)
        if can_silence(diag.code) and left[key] > 0:
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


def filter_result(
    diagnostics: Sequence[Diagnostic],
    files: Sequence[str],
    path: Path,
    *,
    rewrite: str | None = None,
) -> Filtered:
    """``omkit validate --baseline PATH``: the problems not in the baseline, and what it hid
    (``rewrite`` as for :func:`read`)."""
    return apply(diagnostics, files, read(path, rewrite=rewrite), path.parent)


def record(diagnostics: Sequence[Diagnostic], files: Sequence[str], path: Path) -> Recorded:
    """``omkit validate --write-baseline PATH``: record today's problems (keeping the entries of
    files not checked now; a file of the first format is replaced whole). Writes only on a
    change, never over a device, a pipe or one of ``files``."""
    from omkit_sagemaker.base import safewrite

    try:  # before anything is read: a device, a pipe, a config checked now
        safewrite.check_target(path, reads=files)
    except safewrite.UnsafeTarget as exc:
        raise BaselineError(f"{path}:1:1: cannot write the baseline: {exc.reason}") from None
    root = path.parent
    old: list[BaselineEntry] = []
    replaced: list[str] | None = None  # the files of an older baseline's entries
    existed = os.path.lexists(path)
    if existed:
        try:
            old = read(path)
        except OlderBaseline as exc:
            replaced = exc.files
    checked = {_file_key(f, root) for f in files}
    kept = [e for e in old if e.file not in checked]
    new = sorted([*kept, *entries(diagnostics, root)], key=lambda e: (*e.key, e.message))
    left = [d for d in diagnostics if not can_silence(d.code)]
    before, after = Counter(e.key for e in old), Counter(e.key for e in new)
    added, removed = sum((after - before).values()), sum((before - after).values())
    text = render(new)
    if existed and replaced is None and render(old) == text:
        message = f"{path}: up to date ({_n(len(new), 'entry', 'entries')})"
    else:
        try:
            safewrite.write_text(path, text, reads=files)
        except safewrite.UnsafeTarget as exc:
            raise BaselineError(f"{path}:1:1: cannot write the baseline: {exc.reason}") from None
        if replaced is None:
            done = f"{added} new, {removed} fixed and removed"
        else:
            dropped = sum(1 for f in replaced if f not in checked)
            done = "replaced the older baseline" + (
                f"; {_n(dropped, 'entry', 'entries')} of files not checked now dropped"
                if dropped
                else ""
            )
        message = f"wrote {path}: {_n(len(new), 'entry', 'entries')} ({done})"
    if left:
        message += (
            f"; {_n(len(left), 'problem')} not recorded: metadata ingest rejects a file with "
            "it, so no baseline hides it"
        )
    return Recorded(message, left)
