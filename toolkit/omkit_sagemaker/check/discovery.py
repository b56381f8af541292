"""Which files a check reads: arguments to files, workflow configs told apart by their content,
and reading a file safely (regular files only, up to :data:`MAX_BYTES`; ``-`` is standard input).

A directory is searched for ``*.yaml`` / ``*.yml`` files (hidden folders skipped), and only
those whose content is an OpenMetadata workflow config (a top-level ``source:`` or
``workflowConfig:`` key) are kept: a ``docker-compose.yml`` beside the configs is not one. A file
named on the command line is always checked, unless ``only_workflows`` asks for the same test
(what the pre-commit hook does, since pre-commit passes every staged YAML file).
"""

from __future__ import annotations

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
    try:
        info = path.stat()
    except FileNotFoundError:
        raise UsageError(missing(path)) from None
    except OSError as exc:
        raise UsageError(f"{shown(path)}: cannot read it: {exc.strerror or exc}") from None
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
    :class:`UsageError` otherwise; ``OSError`` for a read that fails)."""
    check_readable(path)
    with path.open("rb") as handle:
        data = handle.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:  # it grew after the check
        raise UsageError(f"{path}: more than {MAX_BYTES // (1024 * 1024)} MiB; not a config")
    return data


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
    seen: set[Path] = set()  # resolved paths: a file named twice is checked once
    for target in targets:
        if str(target) == "":
            raise UsageError("an empty path was given; name a config file or a directory")
        if str(target) == STDIN:
            found.files.append(Path(STDIN))
            continue
        path = Path(target)
        try:
            is_dir = path.is_dir()
            exists = os.path.lexists(path) and path.exists()
        except OSError as exc:  # a name too long for the system, say
            raise UsageError(f"{shown(target)}: cannot read it: {exc.strerror or exc}") from None
        if is_dir:
            candidates = sorted(
                p
                for p in path.rglob("*")
                if p.suffix in CONFIG_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.is_file()
            )
            sniff = True
        elif exists:
            check_readable(path)
            candidates, sniff = [path], only_workflows
        else:
            raise UsageError(missing(target))
        for item in candidates:
            key = item.resolve()
            if key in seen:
                continue
            seen.add(key)
            if sniff and not _sniff(item):
                found.skipped.append(item)
            else:
                found.files.append(item)
    return found
