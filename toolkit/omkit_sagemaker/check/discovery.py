"""Which files a check reads: arguments to files, workflow configs told apart by their content,
and reading a file safely (regular files only, up to :data:`MAX_BYTES`; ``-`` is standard input).

A directory is searched for ``*.yaml`` / ``*.yml`` files (hidden folders skipped), and only
those whose content is an OpenMetadata workflow config (a top-level ``source:`` or
``workflowConfig:`` key) are kept: a ``docker-compose.yml`` beside the configs is not one. A file
named on the command line is always checked, unless ``only_workflows`` asks for the same test
(what the pre-commit hook does, since pre-commit passes every staged YAML file).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Sequence
from pathlib import Path

from omkit_sagemaker.base.records import MutableRecord

#: What a directory argument expands to.
CONFIG_SUFFIXES = (".yaml", ".yml")
#: The largest file omkit reads: a config is a few kilobytes.
MAX_BYTES = 4 * 1024 * 1024
#: The name that stands for standard input.
STDIN = "-"
#: How many bytes of a file decide whether it is a workflow config.
_SNIFF_BYTES = 64 * 1024
_TOP_KEY = re.compile(rb"""^["']?(?:source|workflowConfig)["']?[ \t]*:""", re.MULTILINE)


class UsageError(Exception):
    """A path argument that does not exist or cannot be checked."""


def shown(path: str | Path) -> str:
    """``path`` for a message: a path of thousands of characters is cut in the middle."""
    text = str(path)
    return text if len(text) <= 120 else f"{text[:60]}…{text[-40:]}"


def missing(path: str | Path) -> str:
    """The one wording of a missing file, for every command."""
    return f"{shown(path)}: no such file or directory"


class Found(MutableRecord):
    """The files to check, and the YAML files passed over because they are not configs."""

    __slots__ = ("files", "skipped")

    files: list[Path]
    skipped: list[Path]

    def __init__(self, files: list[Path] | None = None, skipped: list[Path] | None = None) -> None:
        self.files = [] if files is None else files
        self.skipped = [] if skipped is None else skipped


def check_readable(path: Path) -> None:
    """Raise :class:`UsageError` unless ``path`` is a regular file omkit may read in full."""
    _stat_readable(path)


def _stat_readable(path: Path) -> os.stat_result:
    """The status of ``path``, or :class:`UsageError` (see :func:`check_readable`)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UsageError(missing(path)) from None
    except OSError as exc:
        raise UsageError(f"{shown(path)}: cannot read it: {exc.strerror or exc}") from None
    _check_status(path, info)
    return info


def _check_status(path: Path, info: os.stat_result) -> None:
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(
            f"{shown(path)}: not a regular file (a device, pipe or socket); "
            "use - to read standard input"
        )
    if info.st_size > MAX_BYTES:
        raise UsageError(
            f"{shown(path)}: {info.st_size:,} bytes is more than omkit reads "
            f"({MAX_BYTES // (1024 * 1024)} MiB; a config is a few kilobytes)"
        )


def read_bounded(path: Path) -> bytes:
    """The bytes of the regular file ``path``, never more than :data:`MAX_BYTES` (raises
    :class:`UsageError` otherwise; ``OSError`` for a read that fails).

    The file is read with ``os.read`` in a size it has just been seen to have (plus one byte, to
    see the end): a buffered ``read(MAX_BYTES + 1)`` allocates 4 MiB per file, which cost more
    than the rest of the reading.
    """
    info = _stat_readable(path)
    fd = os.open(path, os.O_RDONLY)
    try:
        chunks: list[bytes] = []
        total, want = 0, info.st_size + 1
        while total <= MAX_BYTES:  # it may have grown since it was seen
            chunk = os.read(fd, want)
            if not chunk:
                break
            chunks.append(chunk)
            total += len(chunk)
            want = MAX_BYTES + 1 - total
    finally:
        os.close(fd)
    data = chunks[0] if len(chunks) == 1 else b"".join(chunks)
    if len(data) > MAX_BYTES:  # it grew after the check
        raise UsageError(f"{path}: more than {MAX_BYTES // (1024 * 1024)} MiB; not a config")
    return data


#: The errors of ``stat`` for which ``Path.exists()`` and ``Path.is_dir()`` answer False.
_ABSENT = frozenset({errno.ENOENT, errno.ENOTDIR, errno.EBADF, errno.ELOOP})


def _status(path: Path, name: str | Path) -> os.stat_result | None:
    """What ``stat`` says of ``path`` (following a symbolic link), or None where
    ``Path.exists()`` would say it does not exist; raises :class:`UsageError` for another
    error, naming the argument ``name``. One ``lstat`` for a file that is not a link, where
    ``is_dir()``, ``lexists()`` and ``exists()`` asked three times."""
    try:
        info = os.lstat(path)
        if stat.S_ISLNK(info.st_mode):
            info = os.stat(path)
    except OSError as exc:
        if exc.errno in _ABSENT:
            return None
        raise UsageError(f"{shown(name)}: cannot read it: {exc.strerror or exc}") from None
    except ValueError:  # a NUL character in the name
        return None
    return info


class _Identities:
    """The resolved path of each file, to check a file named twice only once.

    ``Path.resolve()`` looks up every component of the path and then the file again. A file
    that is not a symbolic link resolves to its resolved folder plus its name, so each folder
    is resolved once.
    """

    def __init__(self) -> None:
        self._folders: dict[str, str] = {}

    def of(self, item: Path) -> str:
        try:
            is_link = stat.S_ISLNK(os.lstat(item).st_mode)
        except (OSError, ValueError):
            is_link = True  # let resolve() decide, as before
        if is_link or item.name in ("", ".", ".."):
            return str(item.resolve())
        folder = str(item.parent)
        real = self._folders.get(folder)
        if real is None:
            real = self._folders[folder] = str(item.parent.resolve())
        return os.path.join(real, item.name)


def is_workflow(data: bytes) -> bool:
    """True when the text holds a top-level ``source`` or ``workflowConfig`` key."""
    return _TOP_KEY.search(data.removeprefix(b"\xef\xbb\xbf")) is not None


def _sniff(path: Path) -> bool:
    try:
        with path.open("rb") as handle:
            return is_workflow(handle.read(_SNIFF_BYTES))
    except OSError:
        return True  # unreadable: keep it, so that the check reports why


def collect(targets: Sequence[str | Path], *, only_workflows: bool = False) -> Found:
    """Expand the arguments (see the module docstring). Raises :class:`UsageError` for a path
    that does not exist, an empty path, or a named file that is not a regular file."""
    found = Found()
    seen: set[str] = set()  # resolved paths: a file named twice is checked once
    identities = _Identities()
    for target in targets:
        if str(target) == "":
            raise UsageError("an empty path was given; name a config file or a directory")
        if str(target) == STDIN:
            found.files.append(Path(STDIN))
            continue
        path = Path(target)
        info = _status(path, target)
        if info is not None and stat.S_ISDIR(info.st_mode):
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in CONFIG_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.is_file()
            )
            sniff = True
        elif info is not None:
            _check_status(path, info)
            candidates, sniff = [path], only_workflows
        else:
            raise UsageError(missing(target))
        for item in candidates:
            key = identities.of(item)
            if key in seen:
                continue
            seen.add(key)
            if sniff and not _sniff(item):
                found.skipped.append(item)
            else:
                found.files.append(item)
    return found
