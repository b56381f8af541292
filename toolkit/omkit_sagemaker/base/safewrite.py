"""Writing a file safely: never over something that is not a regular file, never over a file
the program reads, never half-written, and with the mode the file had.

Used by the ``file`` sink of ``omkit run``, by ``omkit init --force`` and by ``omkit fix``.

* :func:`check_target` refuses a target that exists and is not a regular file (a directory, a
  device such as ``/dev/full``, a FIFO, a socket), that is one of the files the program reads
  (the config itself, a token file, ...), or whose folder does not exist or cannot be written.
  A symbolic link is followed: a link to a regular file is written *through* (the file it points
  to gets the new content and the link stays a link); a link to anything else is refused.
* :class:`AtomicFile` writes to a temporary file next to the real target and renames it over the
  target only on :meth:`AtomicFile.commit`; :meth:`AtomicFile.discard` (or an interrupted run)
  leaves the old file as it was. An existing file keeps its permission bits (0600 stays 0600)
  and, where the process may set them, its owner and group.
* An existing file with more than one hard link is written *through* (its content replaced in
  place): a rename would give this name a new file and leave the other names on the old one.
  So is a file whose owner the process cannot give the new file.
* :func:`replace_bytes` replaces a file only if it still holds what the caller read
  (``omkit fix``): it refuses a read-only file, and compares the file once more just before
  the rename, and once after it through the old file (an editor saving in place writes into
  it): a change made meanwhile raises :class:`ConcurrentChange` and leaves the other writer's
  content in place.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

__all__ = [
    "AtomicFile",
    "ConcurrentChange",
    "UnsafeTarget",
    "check_target",
    "replace_bytes",
    "write_text",
]


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


class ConcurrentChange(UnsafeTarget):
    """The file changed after it was read: it is left as the other writer made it."""

    def __init__(self, shown: str) -> None:
        super().__init__(
            shown, "it changed while omkit was working on it; left as it is now (run again)"
        )


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
            self.existing: os.stat_result | None = os.stat(self.target)
            mode = stat.S_IMODE(self.existing.st_mode)
        except FileNotFoundError:
            self.existing = None
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
            if self.existing is not None and not _adopt(self.tmp, self.existing):
                _write_through(self.target, self.tmp.read_bytes(), None)
                if stat.S_IMODE(self.existing.st_mode) != self.mode:
                    os.chmod(self.target, self.mode)  # private: never wider than asked
            else:
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


def _adopt(tmp: str | Path, info: os.stat_result) -> bool:
    """Give ``tmp`` the owner and group of the file ``info`` describes; False when it must
    not be renamed over that file: the file has other hard links, or its owner cannot be
    given (the caller then writes through)."""
    if info.st_nlink > 1:
        return False
    if (info.st_uid, info.st_gid) != (os.getuid(), os.getgid()):
        try:
            os.chown(tmp, info.st_uid, info.st_gid)
        except OSError:
            return False
    return True


def _write_through(target: Path, data: bytes, expected: bytes | None) -> None:
    """Replace the content of ``target`` in place (its inode, owner, links stay), after one
    last check that it still holds ``expected`` (None: no check)."""
    with open(target, "r+b") as handle:
        if expected is not None and handle.read(len(expected) + 1) != expected:
            raise ConcurrentChange(str(target))
        handle.seek(0)
        handle.write(data)
        handle.truncate()
        handle.flush()
        os.fsync(handle.fileno())


def _read_at(fd: int, limit: int) -> bytes:
    """The content of the open file ``fd`` from its start, up to ``limit`` bytes."""
    chunks: list[bytes] = []
    offset = 0
    while offset < limit:
        chunk = os.pread(fd, limit - offset, offset)
        if not chunk:
            break
        chunks.append(chunk)
        offset += len(chunk)
    return b"".join(chunks)


def _same_state(fd: int, target: Path, seen: os.stat_result, expected: bytes) -> bool:
    """True when ``target`` is still the file open as ``fd``, unchanged since ``seen``, and
    holds ``expected``."""
    try:
        now = os.stat(target)
    except OSError:
        return False
    if not _same(now, seen) or (now.st_mtime_ns, now.st_size) != (seen.st_mtime_ns, seen.st_size):
        return False
    return _read_at(fd, len(expected) + 1) == expected


def _settled(fd: int) -> bytes:
    """What the open file ``fd`` holds once another writer is done with it (unchanged for a
    tenth of a second, waiting at most two seconds)."""
    last = _read_at(fd, 64 * 1024 * 1024)
    deadline = time.monotonic() + 2.0
    while time.monotonic() < deadline:
        time.sleep(0.1)
        now = _read_at(fd, 64 * 1024 * 1024)
        if now == last:
            break
        last = now
    return last


def replace_bytes(path: str | Path, data: bytes, *, expected: bytes) -> None:
    """Replace the content of the existing regular file ``path`` with ``data``, only if it
    still holds ``expected`` (what the caller read and worked from); see the module doc.

    Raises :class:`UnsafeTarget` (not a regular file, read-only, folder not writable),
    :class:`ConcurrentChange` (it changed meanwhile; it then holds the other writer's
    content), or ``OSError``."""
    target = Path(path)
    shown = str(path)
    if os.path.islink(target):
        raise UnsafeTarget(shown, ": omkit replaces only a regular file", kind="a symbolic link")
    check_target(target)
    fd = os.open(target, os.O_RDONLY)
    try:
        info = os.fstat(fd)
        if stat.S_IMODE(info.st_mode) & 0o222 == 0 or not os.access(target, os.W_OK):
            mode = f"{stat.S_IMODE(info.st_mode):04o}"
            raise UnsafeTarget(shown, f"the file is read-only (mode {mode}); left as it is")
        if _read_at(fd, len(expected) + 1) != expected:
            raise ConcurrentChange(shown)
        if info.st_nlink > 1:
            _write_through(target, data, expected)
            return
        _replace(target, fd, info, data, expected)
    finally:
        os.close(fd)


def _replace(target: Path, fd: int, info: os.stat_result, data: bytes, expected: bytes) -> None:
    """:func:`replace_bytes` by a rename, checked just before it and through ``fd`` after."""
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        if not _adopt(tmp, info):
            os.unlink(tmp)
            _write_through(target, data, expected)
            return
        if not _same_state(fd, target, info, expected):
            raise ConcurrentChange(str(target))
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    # An editor that opened the file before the rename writes into the old file: put what it
    # wrote back in place, so that its save is not lost, and say so.
    after = os.fstat(fd)
    unchanged = (after.st_mtime_ns, after.st_size) == (info.st_mtime_ns, info.st_size)
    if unchanged and _read_at(fd, len(expected) + 1) == expected:
        return
    theirs = _settled(fd)
    handle, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    with os.fdopen(handle, "wb") as out:
        out.write(theirs)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(tmp, stat.S_IMODE(info.st_mode))
    _adopt(tmp, info)
    os.replace(tmp, target)
    raise ConcurrentChange(str(target))
