"""Apply the fixes of one file: find them, splice them into the text, prove the result, write it.

The text is composed with ruamel.yaml (the round-trip library omkit writes YAML with) to find
the exact span of every key and value; each fix replaces one key or value token, or removes a
key's lines, and nothing else of the file changes: comments, blank lines, quote style, key
order and line endings stay as written. The new text must then parse, read back to the old data
with only the fixed values changed, and have fewer problems (none new); otherwise nothing is
written. Writing is atomic (a temporary file in the same folder, then ``os.replace``) and keeps
the file's mode.
"""

from __future__ import annotations

import copy
import difflib
import os
import stat
import tempfile
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path
from omkit_sagemaker.base.masking import is_secret
from omkit_sagemaker.check import explain, versions
from omkit_sagemaker.check.fix.model import Fix, Fixer, string_token
from omkit_sagemaker.check.loader import DataPath, Document, load_bytes
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.rules.reading import _is_env_reference
from omkit_sagemaker.check.settings import Settings, SettingsError, load_settings
from omkit_sagemaker.check.validate import check_text
from omkit_sagemaker.spec import schema

#: Shown in a diff instead of a secret's value.
MASK = "********"


def fixer_for(code: str, *, migrate: bool = False) -> Fixer | None:
    """The fixer declared for ``code``: by its rule, or by the schema explainer for S codes.
    S010 (another release's key or value) is fixed only when ``migrate``: when the user named
    the target release, not for a file that may be meant for another release."""
    if code in RULES:
        return RULES[code].fix
    if code == versions.CODE:
        return versions.fix_version if migrate else None
    return explain.FIXERS.get(code)


@dataclass
class FileFix:
    """What fixing one file found, did and would write."""

    file: str
    #: The fixes applied, each with the diagnostic it fixes.
    applied: list[tuple[Diagnostic, Fix]] = field(default_factory=list)
    #: Fixes found but left out, with the reason.
    skipped: list[tuple[Diagnostic, Fix, str]] = field(default_factory=list)
    #: Problems before and after (after: with the applied fixes).
    before: list[Diagnostic] = field(default_factory=list)
    after: list[Diagnostic] = field(default_factory=list)
    old_text: str = ""
    new_text: str = ""
    #: Why nothing can be written (``file:line:col: ...`` lines), if so.
    errors: list[str] = field(default_factory=list)
    #: The file's bytes as read, to notice a change made while fixing.
    raw: bytes = b""

    @property
    def changed(self) -> bool:
        return not self.errors and self.new_text != self.old_text


@dataclass(frozen=True)
class _Span:
    key_start: int
    key_end: int
    value_start: int
    value_end: int
    block: bool  # the key sits in a block mapping (not {flow: style})
    siblings: int  # keys in the same mapping


class _Unreadable(Exception):
    pass


def _spans(text: str) -> dict[DataPath, _Span]:
    """Every key/value of ``text`` reached exactly once (not through an alias or merge key)."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:
        root = YAML(typ="rt").compose(text)
    except (YAMLError, ValueError) as exc:
        raise _Unreadable(str(exc).splitlines()[0] if str(exc) else "unreadable") from None
    out: dict[DataPath, _Span] = {}
    seen: set[int] = set()
    stack: list[tuple[Any, DataPath]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, SequenceNode):
            stack.extend((child, (*path, i)) for i, child in enumerate(node.value))
        elif isinstance(node, MappingNode):
            pairs = [(k, v) for k, v in node.value if isinstance(k, ScalarNode)]
            if any(k.tag == "tag:yaml.org,2002:merge" for k, _ in pairs):
                continue  # merged keys: where a value comes from is not one place
            for key, value in pairs:
                child = (*path, str(key.value))
                out[child] = _Span(
                    key.start_mark.index,
                    key.end_mark.index,
                    value.start_mark.index,
                    value.end_mark.index,
                    not node.flow_style,
                    len(pairs),
                )
                stack.append((value, child))
    # A value reached twice (an anchor with aliases) is recorded at its first place only; a fix
    # there changes every alias too, which the read-back check of the fixed text refuses.
    return out


def _line_start(text: str, index: int) -> int:
    return text.rfind("\n", 0, index) + 1


def _edit(text: str, fix: Fix, span: _Span | None) -> tuple[int, int, str] | str:
    """The (start, end, replacement) of one fix in ``text``, or why it cannot be made."""
    if span is None:
        return "its place comes from an alias or a merge key, or is not in the file"
    if fix.kind == "value":
        if text[span.value_start : span.value_end] != fix.old:
            return "the value is not written as one scalar on one line"
        return (span.value_start, span.value_end, fix.new)
    if fix.kind == "key":
        token = text[span.key_start : span.key_end]
        if "\n" in token or yaml.safe_load(token) != fix.old:
            return "the key is not written as one plain or quoted word"
        return (span.key_start, span.key_end, string_token(token, fix.new))
    start = _line_start(text, span.key_start)
    if not span.block or text[start : span.key_start].strip():
        return "the key does not start its own line"
    if span.siblings < 2:
        return "removing the only key would leave its mapping empty"
    end = span.value_end
    if text[_line_start(text, end) : end].strip():
        newline = text.find("\n", end)
        end = len(text) if newline < 0 else newline + 1
    else:
        end = _line_start(text, end)
    return (start, end, "")


def _expected(data: Any, fixes: Iterable[Fix]) -> Any:
    """``data`` with ``fixes`` made on the data itself: what the fixed text must read back as."""
    out = copy.deepcopy(data)
    for fix in fixes:
        parent = out
        for part in fix.path[:-1]:
            parent = parent[part]
        last = fix.path[-1]
        if fix.kind == "value":
            parent[last] = yaml.safe_load(fix.new)
        elif fix.kind == "remove":
            del parent[last]
        else:
            items = [(fix.new if k == last else k, v) for k, v in parent.items()]
            parent.clear()
            parent.update(items)
    return out


def _splice(text: str, edits: list[tuple[int, int, str]]) -> str:
    for start, end, new in sorted(edits, reverse=True):
        text = text[:start] + new + text[end:]
    return text


def plan(path: str | Path, *, target: str | None = None) -> FileFix:
    """Find and check the fixes of one file (writes nothing; see :func:`write`).

    ``target`` (``"1.4"``) validates for that release and so adds its migration fixes."""
    name = str(path)
    result = FileFix(name)
    file = Path(path)
    try:
        mode = os.lstat(file).st_mode
        if not stat.S_ISREG(mode):
            what = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
            result.errors.append(f"{name}:1:1: {what}; omkit fix only writes regular files")
            return result
        result.raw = file.read_bytes()
        settings = load_settings(file.parent)
    except OSError as exc:
        result.errors.append(f"{name}:1:1: cannot read the file: {exc.strerror or exc}")
        return result
    except SettingsError as exc:
        result.errors.append(f"{name}:1:1: {exc}")
        return result
    if target is not None:
        settings = settings.replace(target=versions.parse_version(target))
    try:
        text = result.raw.decode("utf-8")
    except UnicodeDecodeError:
        result.errors += [_line(d) for d in load_bytes(result.raw, name).diagnostics]
        return result
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    found = plan_text(text[len(bom) :], name, settings, migrate=target is not None)
    found.raw = result.raw
    return found


def plan_text(body: str, name: str, settings: Settings, *, migrate: bool = False) -> FileFix:
    """The fixes of one file's text ``body`` (no byte-order mark), reported as ``name`` (an
    editor's buffer, say): :func:`plan` without the file. ``migrate``: also the S010 fixes."""
    result = FileFix(name)
    document, result.before = check_text(body, name, environ=None, settings=settings)
    result.old_text = result.new_text = body
    if document is None:
        result.errors += [_line(d) for d in result.before] or [f"{name}:1:1: cannot read it"]
        return result
    result.after = result.before
    current = _one_pass(
        FileFix(name, before=result.before, old_text=body), document, settings, migrate
    )
    result.errors, result.skipped = current.errors, current.skipped
    for _ in range(4):  # a renamed key's value is checked for the first time: fix it too
        if current.errors or not current.applied:
            break
        result.applied += current.applied
        result.new_text, result.after = current.new_text, current.after
        document, _ = check_text(current.new_text, name, environ=None, settings=settings)
        if document is None:
            break
        current = _one_pass(
            FileFix(name, before=current.after, old_text=current.new_text),
            document,
            settings,
            migrate,
        )
        result.skipped = current.skipped
    return result


@dataclass(frozen=True)
class Edit:
    """One fix as a replacement of ``text[start:end]`` by ``new`` in the text it was found in."""

    diagnostic: Diagnostic
    fix: Fix
    start: int
    end: int
    new: str


def text_edits(
    document: Document,
    before: list[Diagnostic],
    settings: Settings,
    *,
    only: list[Diagnostic] | None = None,
) -> list[Edit]:
    """The fix of each problem of ``before`` (every problem found in ``document``; ``only``:
    just these of them) that is sure on its own: it parses, reads back to the same data but the
    fixed value, and brings no new problem (what an editor offers as a quick fix)."""
    found: list[tuple[Diagnostic, Fix]] = []
    for diag in before if only is None else only:
        fixer = fixer_for(diag.code)
        fix = fixer(diag, document, settings.target) if fixer is not None else None
        if fix is not None:
            found.append((diag, fix))
    if not found:
        return []
    body = document.source
    try:
        spans = _spans(body)
    except _Unreadable:
        return []
    out: list[Edit] = []
    for diag, fix in found:
        made = _edit(body, fix, spans.get(fix.path))
        if isinstance(made, str):
            continue
        one = _attempt(document, [(diag, fix, made)], settings)
        if not isinstance(one, str) and not _gains(before, one[1], [fix]):
            out.append(Edit(diag, fix, *made))
    return out


def _one_pass(result: FileFix, document: Document, settings: Settings, migrate: bool) -> FileFix:
    """One round of fixes on ``result.old_text``, whose problems are ``result.before``."""
    body, name = result.old_text, result.file
    result.new_text, result.after = body, result.before
    found: list[tuple[Diagnostic, Fix]] = []
    seen: set[tuple[DataPath, str]] = set()
    for diag in result.before:
        fixer = fixer_for(diag.code, migrate=migrate)
        fix = fixer(diag, document, settings.target) if fixer is not None else None
        if fix is not None and (fix.path, fix.kind) not in seen:
            seen.add((fix.path, fix.kind))
            found.append((diag, fix))
    if not found:
        return result
    try:
        spans = _spans(body)
    except _Unreadable as exc:
        result.errors.append(f"{name}:1:1: ruamel.yaml cannot read the file ({exc}); not fixed")
        return result
    edits: list[tuple[Diagnostic, Fix, tuple[int, int, str]]] = []
    for diag, fix in found:
        made = _edit(body, fix, spans.get(fix.path))
        overlaps = not isinstance(made, str) and any(
            made[0] < e[1] and e[0] < made[1] for _, _, e in edits
        )
        if isinstance(made, str) or overlaps:
            result.skipped.append((diag, fix, made if isinstance(made, str) else "overlaps"))
        else:
            edits.append((diag, fix, made))
    if edits:
        _choose(result, document, edits, settings)
    return result


def _attempt(
    document: Document, edits: list[tuple[Diagnostic, Fix, tuple[int, int, str]]], settings: Any
) -> tuple[str, list[Diagnostic]] | str:
    """The new text and its problems with ``edits`` made, or why they cannot be."""
    body = document.source
    new = _splice(body, [e for _, _, e in edits])
    try:
        _spans(new)
    except _Unreadable:
        return "the fixed text would not parse"
    fixed, after = check_text(new, document.file, environ=None, settings=settings)
    if fixed is None:
        return "the fixed text would not parse"
    if fixed.data != _expected(document.data, (f for _, f, _ in edits)):
        return "the fixed text would not read back as the same data"
    return new, after


def _gains(before: list[Diagnostic], after: list[Diagnostic], fixes: list[Fix]) -> list[Diagnostic]:
    """Problems ``after`` has that ``before`` had not (or all, if fewer than one per fix went).

    What a renamed key holds was never checked under its unknown name: its problems are not
    new ones, as long as the file still has at least one problem fewer per fix."""
    old = Counter((d.code, d.path) for d in before)
    renamed = [json_path((*f.path[:-1], f.new)) for f in fixes if f.kind == "key"]
    new: list[Diagnostic] = []
    for diag in after:
        if any(diag.path == p or diag.path.startswith((p + ".", p + "[")) for p in renamed):
            continue
        if old[diag.code, diag.path] > 0:
            old[diag.code, diag.path] -= 1
        else:
            new.append(diag)
    return new or ([] if len(after) <= len(before) - len(fixes) else list(after))


def _choose(
    result: FileFix,
    document: Document,
    edits: list[tuple[Diagnostic, Fix, tuple[int, int, str]]],
    settings: Any,
) -> None:
    """Keep the edits that together parse, read back right and bring no new problem."""
    result.after = result.before
    attempt = _attempt(document, edits, settings)
    if isinstance(attempt, str) or _gains(result.before, attempt[1], [f for _, f, _ in edits]):
        # Together they fail: keep those that pass on their own, if together they still do.
        alone = []
        for edit in edits:
            one = _attempt(document, [edit], settings)
            if isinstance(one, str):
                result.skipped.append((edit[0], edit[1], one))
            elif gained := _gains(result.before, one[1], [edit[1]]):
                why = f"it would bring up {gained[0].code} ({gained[0].message})"
                result.skipped.append((edit[0], edit[1], why))
            else:
                alone.append(edit)
        edits = alone
        if not edits:
            return
        attempt = _attempt(document, edits, settings)
        if isinstance(attempt, str) or _gains(result.before, attempt[1], [f for _, f, _ in edits]):
            result.errors.append(
                f"{result.file}:1:1: the fixes together would add problems; nothing written"
            )
            return
    result.new_text, result.after = attempt
    result.applied = [(d, f) for d, f, _ in edits]


def _line(diag: Diagnostic) -> str:
    return f"{diag.file}:{diag.line}:{diag.column}: {diag.code} {diag.message}"


def _masked(text: str) -> str:
    """``text`` with the value of every secret replaced by :data:`MASK`."""
    try:
        spans = _spans(text)
    except _Unreadable:
        return text
    secrets = schema.secret_keys()
    edits = []
    for path, span in spans.items():
        token = text[span.value_start : span.value_end]
        if is_secret(path, secrets) and token.strip() and not _is_env_reference(token):
            edits.append((span.value_start, span.value_end, MASK))
    return _splice(text, edits)


def diff(result: FileFix) -> str:
    """The unified diff of the fix, with secrets' values masked."""
    old = _masked(result.old_text).splitlines(keepends=True)
    new = _masked(result.new_text).splitlines(keepends=True)
    label = result.file.lstrip("/")
    lines = difflib.unified_diff(old, new, f"a/{label}", f"b/{label}")
    return "".join(line if line.endswith("\n") else line + "\n" for line in lines)


def write(result: FileFix) -> None:
    """Write the fixed text atomically over the file, keeping its mode.

    Raises OSError, or ValueError when the file changed since :func:`plan` read it."""
    file = Path(result.file)
    info = os.lstat(file)
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("it is no longer a regular file")
    if file.read_bytes() != result.raw:
        raise ValueError("it changed while omkit fix was working on it")
    bom = "\ufeff" if result.raw.startswith(b"\xef\xbb\xbf") else ""
    data = (bom + result.new_text).encode("utf-8")
    fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".omkit-fix")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, stat.S_IMODE(info.st_mode))
        os.replace(tmp, file)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
