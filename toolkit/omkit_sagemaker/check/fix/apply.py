"""Apply the fixes of one file: find them, splice them into the text, prove the result.

Each fix replaces one key or value token, or removes a key's lines (:mod:`.spans`), and nothing
else of the file changes: comments, blank lines, quote style, key order and line endings stay
as written. The new text must then parse, read back to the old data with only the fixed values
changed, and have fewer problems (none new); otherwise the fix is left out. Fixes are found on
the file as written (no environment expansion: a ``${NAME}`` is never replaced by what it
expands to); what is left afterwards is counted as ``omkit validate`` counts it, with the
environment expanded unless asked not to. Unsafe fixes (``Fix.safe`` false: a literal secret
replaced by ``${NAME}``) are made only when asked. :func:`write` puts the result in place
through the safe writer (:mod:`omkit_sagemaker.base.safewrite`); :mod:`.mask` shows it as a
diff without secrets.
"""

from __future__ import annotations

import copy
import os
import stat
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from omkit_sagemaker.base import safewrite
from omkit_sagemaker.base.diagnostics import Diagnostic, json_path
from omkit_sagemaker.check import explain, releasemap, versions
from omkit_sagemaker.check.fix import spans as spanning
from omkit_sagemaker.check.fix.mask import MASK as MASK
from omkit_sagemaker.check.fix.mask import diff as diff
from omkit_sagemaker.check.fix.model import Fix, Fixer
from omkit_sagemaker.check.fix.variables import How as How
from omkit_sagemaker.check.fix.variables import named, told
from omkit_sagemaker.check.loader import DataPath, Document
from omkit_sagemaker.check.rules import RULES
from omkit_sagemaker.check.settings import Settings, SettingsError, load_settings
from omkit_sagemaker.check.validate import check_source, check_text


def fixer_for(code: str, *, migrate: bool = False) -> Fixer | None:
    """The fixer declared for ``code``: by its rule, or by the schema explainer for S codes.
    S010 (another release's key or value) is fixed only when ``migrate``: when the user named
    the target release, not for a file that may be meant for another release."""
    if code in RULES:
        return RULES[code].fix
    if code == versions.CODE:
        return releasemap.fix_version if migrate else None
    return explain.FIXERS.get(code)


@dataclass
class FileFix:
    """What fixing one file found, did and would write."""

    file: str
    #: The fixes applied, each with the diagnostic it fixes.
    applied: list[tuple[Diagnostic, Fix]] = field(default_factory=list)
    #: Fixes found but left out, with the reason.
    skipped: list[tuple[Diagnostic, Fix, str]] = field(default_factory=list)
    #: Unsafe fixes found but not made (``How.unsafe`` was not asked).
    unsafe: list[tuple[Diagnostic, Fix]] = field(default_factory=list)
    #: Problems before and after (after: with the applied fixes), the file as written.
    before: list[Diagnostic] = field(default_factory=list)
    after: list[Diagnostic] = field(default_factory=list)
    #: What ``omkit validate`` reports for the file once written, and if it is not written
    #: (set by :func:`plan`, with its ``environ``).
    left: list[Diagnostic] = field(default_factory=list)
    left_unwritten: list[Diagnostic] = field(default_factory=list)
    old_text: str = ""
    new_text: str = ""
    #: Why nothing can be written (``file:line:col: ...`` lines), if so.
    errors: list[str] = field(default_factory=list)
    #: The file's bytes as read, to notice a change made while fixing.
    raw: bytes = b""

    @property
    def changed(self) -> bool:
        return not self.errors and self.new_text != self.old_text

    def data(self) -> bytes:
        """The bytes to write: the new text, with the byte-order mark the file had."""
        bom = "\ufeff" if self.raw.startswith(b"\xef\xbb\xbf") else ""
        return (bom + self.new_text).encode("utf-8")


def _expected(data: Any, fixes: Iterable[Fix]) -> Any:
    """``data`` with ``fixes`` made on the data itself: what the fixed text must read back as.

    Values are set and keys removed first, then keys renamed from the deepest up: a fix below
    a renamed key names its place by the old name. None when a fix's place is not in ``data``
    (the text then cannot read back right)."""
    out = copy.deepcopy(data)
    ordered = sorted(fixes, key=lambda f: (f.kind == "key", -len(f.path)))
    try:
        for fix in ordered:
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
    except (KeyError, IndexError, TypeError, AttributeError, yaml.YAMLError):
        return None
    return out


def plan(
    path: str | Path,
    *,
    target: str | None = None,
    unsafe: bool = False,
    names: Mapping[str, str] | None = None,
    environ: Mapping[str, str] | None = os.environ,
    refuse: str | None = None,
) -> FileFix:
    """Find and check the fixes of one file (writes nothing; see :func:`write`).

    ``target`` (``"1.4"``) validates for that release and so adds its migration fixes;
    ``unsafe`` makes the unsafe fixes too, ``names`` renames the variables they introduce
    (see :class:`How`). ``environ`` (None: no expansion) is what :attr:`FileFix.left` is
    counted with, as ``omkit validate`` would. ``refuse``: the reason this file gets no fix
    (it is only counted)."""
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
        text = None
    if text is not None and refuse is None:
        how = How(migrate=target is not None, unsafe=unsafe, names=names or {})
        found = plan_text(text.removeprefix("\ufeff"), name, settings, how=how)
        found.raw, result = result.raw, found
    result.left = result.left_unwritten = check_source(
        result.raw, name, environ=environ, settings=settings
    )
    if result.changed:
        result.left = check_source(result.data(), name, environ=environ, settings=settings)
    if refuse is not None:
        result.errors.append(f"{name}:1:1: {refuse}")
    elif text is None:
        result.errors += [_line(d) for d in result.left] or [f"{name}:1:1: not UTF-8 text"]
    return result


def plan_text(
    body: str,
    name: str,
    settings: Settings,
    *,
    migrate: bool = False,
    how: How | None = None,
) -> FileFix:
    """The fixes of one file's text ``body`` (no byte-order mark), reported as ``name`` (an
    editor's buffer, say): :func:`plan` without the file. ``migrate``: also the S010 fixes;
    ``how`` (instead): all that a plan may do. Unsafe fixes are made only when ``how`` says."""
    how = how or How(migrate=migrate)
    result = FileFix(name)
    document, result.before = check_text(body, name, environ=None, settings=settings)
    result.old_text = result.new_text = body
    if document is None:
        result.errors += [_line(d) for d in result.before] or [f"{name}:1:1: cannot read it"]
        return result
    result.after = result.before
    claimed: dict[str, str] = {}  # variable -> the secret it stands for, in this file
    first = FileFix(name, before=result.before, old_text=body)
    current = _one_pass(first, document, settings, how, claimed)
    result.errors, result.skipped, result.unsafe = current.errors, current.skipped, current.unsafe
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
            how,
            claimed,
        )
        result.skipped, result.unsafe = current.skipped, current.unsafe
    result.applied = [(d, told(f, result.new_text)) for d, f in result.applied]
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
        spans = spanning.spans(body)
    except spanning.Unreadable:
        return []
    out: list[Edit] = []
    for diag, fix in found:
        made = spanning.edit(body, fix, spans.get(fix.path))
        if isinstance(made, str):
            continue
        one = _attempt(document, [(diag, fix, made)], settings)
        if not isinstance(one, str) and not _gains(before, one[1], [fix]):
            out.append(Edit(diag, told(fix, one[0]), *made))
    return out


def _one_pass(
    result: FileFix, document: Document, settings: Settings, how: How, claimed: dict[str, str]
) -> FileFix:
    """One round of fixes on ``result.old_text``, whose problems are ``result.before``;
    ``claimed``: the variables the file's fixes named so far, and what each stands for."""
    body, name = result.old_text, result.file
    result.new_text, result.after = body, result.before
    found: list[tuple[Diagnostic, Fix]] = []
    seen: set[tuple[DataPath, str]] = set()
    for diag in result.before:
        fixer = fixer_for(diag.code, migrate=how.migrate)
        fix = fixer(diag, document, settings.target) if fixer is not None else None
        if fix is None or (fix.path, fix.kind) in seen:
            continue
        seen.add((fix.path, fix.kind))
        if not fix.safe and not how.unsafe:
            result.unsafe.append((diag, fix))
            continue
        found.append((diag, named(fix, how, claimed)))
    if not found:
        return result
    try:
        spans = spanning.spans(body)
    except spanning.Unreadable as exc:
        result.errors.append(f"{name}:1:1: ruamel.yaml cannot read the file ({exc}); not fixed")
        return result
    edits: list[tuple[Diagnostic, Fix, tuple[int, int, str]]] = []
    for diag, fix in found:
        made = spanning.edit(body, fix, spans.get(fix.path))
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
    new = spanning.splice(body, [e for _, _, e in edits])
    try:
        spanning.spans(new)
    except spanning.Unreadable:
        return "the fixed text would not parse"
    fixed, after = check_text(new, document.file, environ=None, settings=settings)
    if fixed is None:
        return "the fixed text would not parse"
    expected = _expected(document.data, (f for _, f, _ in edits))
    if expected is None or fixed.data != expected:
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


def write(result: FileFix) -> None:
    """Put the fixed text in place of the file through the safe writer: only over the bytes
    :func:`plan` read (a change made meanwhile is left alone), keeping the file's owner, mode
    and hard links. Raises :class:`~omkit_sagemaker.base.safewrite.UnsafeTarget` (a
    ``ValueError``; :class:`~omkit_sagemaker.base.safewrite.ConcurrentChange` for a change
    made meanwhile) or ``OSError``."""
    safewrite.replace_bytes(result.file, result.data(), expected=result.raw)
