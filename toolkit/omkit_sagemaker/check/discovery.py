"""Which files a check reads: arguments to files, workflow configs told apart by their content,
and reading a file safely (regular files only, up to :data:`MAX_BYTES`; ``-`` is standard input).

A directory is searched for ``*.yaml`` / ``*.yml`` files (hidden folders skipped), and only
those whose content is a SageMaker workflow config are kept (:func:`is_workflow`): a
``docker-compose.yml``, a conda recipe or another connector's workflow (``source.type: mysql``)
beside the configs is not one, and is skipped and counted. A file named on the command line is
always checked, unless ``only_workflows`` asks for the same test (what the pre-commit hook does,
since pre-commit passes every staged YAML file).
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Iterator, Sequence
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
_TOP_KEY = re.compile(r"""^["']?(source|workflowConfig)["']?[ \t]*:(.*)$""", re.MULTILINE)
#: A ``key:`` line inside a block mapping: its indent, its key, what follows the colon.
_KEY_LINE = re.compile(r"""^([ \t]*)(["']?)([^\s"'#:][^"':]*)\2[ \t]*:(?:[ \t]+(.*)|[ \t]*)$""")
#: Keys of ``source`` that only an OpenMetadata workflow has (a conda recipe's has ``url``...).
_WORKFLOW_SOURCE_KEYS = frozenset({"serviceName", "serviceConnection", "sourceConfig"})
#: The connector key, as the runner compares it (it lower-cases ``source.type``).
_CONNECTOR = "sagemaker"


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
    """True when the text is a SageMaker workflow config: it has a top-level ``source`` or
    ``workflowConfig`` key, and its ``source.type`` is ``sagemaker`` in any letter case (the
    runner lower-cases it; a near miss such as ``sagemkaer`` counts, so that the typo is
    reported rather than the file skipped). When there is no ``source.type`` to tell (none
    written, an ``${ENV}`` reference, an alias), the file is one when it has the shape of an
    OpenMetadata workflow: a ``workflowConfig``, or a ``source`` with ``serviceName``,
    ``serviceConnection`` or ``sourceConfig`` (a conda recipe's ``source`` has none of them).

    Reads the text line by line, without a YAML parser (a pre-commit hook runs it on every
    staged file); only a ``source`` written in flow style (``source: {...}``) is parsed."""
    text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
    source = next((m for m in _TOP_KEY.finditer(text) if m.group(1) == "source"), None)
    if source is None:  # a workflowConfig alone: nothing says it is another connector's
        return _TOP_KEY.search(text) is not None
    kind, children = _source_type(text, source)
    if kind is not None:
        return _is_connector(kind)
    if "type" in children:  # written, but not as a word: the check says what is wrong
        return True
    if children & _WORKFLOW_SOURCE_KEYS:
        return True
    return any(m.group(1) == "workflowConfig" for m in _TOP_KEY.finditer(text))


def _source_type(text: str, source: re.Match[str]) -> tuple[str | None, set[str]]:
    """``source.type`` when it is written as a plain or quoted word (else None), and the keys
    written directly under ``source`` (``type`` among them when it is written at all)."""
    rest = _strip_comment(source.group(2)).strip()
    for prefix in ("&", "!"):  # an anchor or a tag before a block mapping
        if rest.startswith(prefix) and " " not in rest:
            rest = ""
    if rest.startswith("{"):
        return _flow_source_type(text)
    if rest:
        return None, {"type"}  # a scalar, an alias: nothing to tell, so keep it
    children: set[str] = set()
    kind: str | None = None
    indent: int | None = None
    for body in _lines_after(text, source.end()):
        stripped = body.strip()
        if not stripped or stripped.startswith("#"):
            continue
        here = len(body) - len(body.lstrip(" \t"))  # a tab is an error the check reports
        if here == 0:
            break  # the next top-level key, or the end of the document
        indent = here if indent is None else indent
        found = _KEY_LINE.match(body) if here == indent else None
        if found is None:
            continue
        key = found.group(3).strip()
        children.add(key)
        if key == "type":
            kind = _word(found.group(4) or "")
            if kind is not None:
                break  # the type decides: the other keys do not matter
    return kind, children


def _lines_after(text: str, start: int) -> Iterator[str]:
    """The lines of ``text`` after the one holding ``start``, one at a time (the scan stops at
    the next top-level key: the rest of the file is never split)."""
    at = text.find("\n", start)
    while at >= 0:
        end = text.find("\n", at + 1)
        yield text[at + 1 : end if end >= 0 else len(text)].rstrip("\r")
        at = end


def _flow_source_type(text: str) -> tuple[str | None, set[str]]:
    """:func:`_source_type` for ``source: {...}``: parsed (rare, so the cost is fine)."""
    import yaml

    try:
        data = yaml.safe_load(text)
    except (yaml.YAMLError, ValueError, RecursionError):
        return None, {"type"}  # unreadable: keep it, so that the check says why
    source = data.get("source") if isinstance(data, dict) else None
    if not isinstance(source, dict):
        return None, set()
    kind = source.get("type")
    named = {str(k) for k in source}
    return (kind if isinstance(kind, str) and "$" not in kind else None), named


def _strip_comment(value: str) -> str:
    """``value`` without a trailing `` # comment`` (outside quotes)."""
    if value.startswith("#"):
        return ""
    quote = ""
    for i, char in enumerate(value):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and value[i - 1] in " \t":
            return value[:i]
    return value


def _word(value: str) -> str | None:
    """The scalar ``value`` (what follows ``type:``) as a string, or None when it is not a
    plain or quoted word: empty, an alias, a block, an ``${ENV}`` reference."""
    value = _strip_comment(value).strip()
    if value.startswith(("&", "!")) and " " in value:  # an anchor or tag, then the word
        value = value.split(None, 1)[1]
    if value[:1] in ("'", '"') and len(value) >= 2 and value[-1] == value[0]:
        value = value[1:-1]
    elif not value or value[0] in "*&!|>[{@`%":
        return None
    return None if "$" in value or not value else value


def _is_connector(kind: str) -> bool:
    """True when ``kind`` is the SageMaker connector key, or a near miss of it (at most two
    letters off), which validate then reports rather than skipping the file."""
    word = kind.strip().lower()
    if word == _CONNECTOR:
        return True
    if abs(len(word) - len(_CONNECTOR)) > 2:
        return False
    previous = list(range(len(_CONNECTOR) + 1))
    for i, a in enumerate(word, 1):
        current = [i]
        for j, b in enumerate(_CONNECTOR, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a != b)))
        previous = current
    return previous[-1] <= 2


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
