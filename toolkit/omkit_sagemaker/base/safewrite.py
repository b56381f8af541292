"""Writing a file safely: never over something that is not a regular file, never over a file
the program reads, never half-written, and with the mode the file had.

Used by the ``file`` sink of ``omkit run`` and by ``omkit init --force``.

* :func:`check_target` refuses a target that exists and is not a regular file (a directory, a
  device such as ``/dev/full``, a FIFO, a socket), that is one of the files the program reads
  (the config itself, a token file, ...), or whose folder does not exist or cannot be written.
  A symbolic link is followed: a link to a regular file is written *through* (the file it points
  to gets the new content and the link stays a link); a link to anything else is refused.
* :class:`AtomicFile` writes to a temporary file next to the real target and renames it over the
  target only on :meth:`AtomicFile.commit`; :meth:`AtomicFile.discard` (or an interrupted run)
  leaves the old file as it was. An existing file keeps its permission bits (0600 stays 0600).
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

__all__ = ["AtomicFile", "UnsafeTarget", "check_target", "write_text"]


class UnsafeTarget(ValueError):
    """The target cannot be written safely; the message says why, in one line, and
    :attr:`reason` says it without naming the target (for "cannot write X: <reason>")."""

    def __init__(self, shown: str, reason: str, *, kind: str | None = None) -> None:
        """``shown``: the target as given; ``reason``: what is wrong; ``kind``: what the
        target is, when that is the problem (the message then reads "X is <kind>")."""
        if kind is not None:
            super().__init__(f"{shown} is {kind}{reason}")
            self.reason = f"it is {kind}{reason}"
        else:
            super().__init__(f"{shown}: {reason}")
            self.reason = reason


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def _same(a: os.stat_result, b: os.stat_result) -> bool:
    return (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino)


def check_target(path: str | Path, *, reads: Iterable[str | Path] = ()) -> Path:
    """The real path to write for ``path`` (symbolic links resolved), after checking that it is
    safe to replace; raises :class:`UnsafeTarget` otherwise (see the module doc). ``reads`` are
    the files the program reads: the target may be none of them."""
    shown = str(path)
    real = Path(os.path.realpath(path))
    try:
        found: os.stat_result | None = os.stat(real)
    except FileNotFoundError:
        found = None
    except OSError as exc:
        raise UnsafeTarget(shown, f"cannot be read ({exc.strerror or exc})") from None
    if found is not None:
        if not stat.S_ISREG(found.st_mode):
            via = f" (through the link to {real})" if os.path.islink(path) else ""
            only = ": omkit writes only to a regular file or a new one"
            raise UnsafeTarget(shown, only, kind=f"{_kind(found.st_mode)}{via}")
        for other in reads:
            try:
                same = _same(found, os.stat(other))
            except (OSError, ValueError):  # missing, or not a usable path
                continue
            if same:
                also = f" ({other})" if str(other) != shown else ""
                reason = f"{also}: choose another file"
                raise UnsafeTarget(shown, reason, kind="a file this command reads")
    folder = real.parent
    if not folder.is_dir():
        raise UnsafeTarget(shown, f"the folder {folder} does not exist")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise UnsafeTarget(shown, f"the folder {folder} is not writable")
    return real


def _default_mode() -> int:
    mask = os.umask(0o077)
    os.umask(mask)
    return 0o666 & ~mask


class AtomicFile:
    """A text file written in the target's folder and renamed over it on :meth:`commit`.

    ``path`` is checked with :func:`check_target` (``reads`` as there) when the file is opened.
    The mode is the existing file's, else the usual mode under the umask; ``private`` makes it
    at most 0600 (for a file holding a secret).
    """

    def __init__(
        self, path: str | Path, *, reads: Iterable[str | Path] = (), private: bool = False
    ) -> None:
        self.shown = Path(path)
        self.target = check_target(path, reads=reads)
        try:
            mode = stat.S_IMODE(os.stat(self.target).st_mode)
        except FileNotFoundError:
            mode = _default_mode()
        self.mode = mode & 0o600 if private else mode
        fd, tmp = tempfile.mkstemp(
            prefix=f".{self.target.name}.", suffix=".tmp", dir=self.target.parent
        )
        self.tmp: Path | None = Path(tmp)
        self.out: TextIO = os.fdopen(fd, "w", encoding="utf-8", newline="\n")

    def commit(self) -> None:
        """Flush to disk and put the file in place (the target is checked once more first)."""
        if self.tmp is None:
            return
        try:
            self.out.flush()
            os.fsync(self.out.fileno())
            self.out.close()
            os.chmod(self.tmp, self.mode)
            check_target(self.target)  # nothing else took its place meanwhile
            os.replace(self.tmp, self.target)
            self.tmp = None
        finally:
            self.discard()

    def discard(self) -> None:
        """Drop what was written; the target stays as it was. Safe to call more than once."""
        with contextlib.suppress(OSError):
            self.out.close()
        if self.tmp is not None:
            with contextlib.suppress(OSError):
                self.tmp.unlink()
            self.tmp = None


def write_text(
    path: str | Path, text: str, *, reads: Iterable[str | Path] = (), private: bool = False
) -> None:
    """Write ``text`` to ``path`` with :class:`AtomicFile` (all or nothing)."""
    handle = AtomicFile(path, reads=reads, private=private)
    try:
        handle.out.write(text)
        handle.commit()
    except BaseException:
        handle.discard()
        raise
