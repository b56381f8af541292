"""The rule registry: :func:`rule` registers a check under its ``R`` code, :func:`run` turns
its :class:`Finding` records into diagnostics placed at the value or key they name."""

from __future__ import annotations

import re
import textwrap
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from omkit_sagemaker.base.diagnostics import CODES, Diagnostic, Severity, json_path, make
from omkit_sagemaker.base.records import Record
from omkit_sagemaker.check.loader import DataPath, Document, Position
from omkit_sagemaker.check.rules import reading
from omkit_sagemaker.check.versions import DEFAULT_TARGET, Version

if TYPE_CHECKING:  # the fix model (and what it imports) is for omkit fix, not validate
    from omkit_sagemaker.check.fix.model import Fixer


class Finding(Record):
    """What a rule found: where (a data path, at its value or its key) and what to say."""

    __slots__ = (  # noqa: RUF023 - in field order, for repr
        "path",
        "message",
        "hint",
        "at_key",
        "position",
        "severity",
    )

    path: DataPath
    message: str
    hint: str | None  # None: the rule's own hint
    at_key: bool
    position: Position | None  # a more precise place than the value's start
    severity: Severity | None  # None: the rule's own severity

    def __init__(
        self,
        path: DataPath,
        message: str,
        hint: str | None = None,
        at_key: bool = False,
        position: Position | None = None,
        severity: Severity | None = None,
    ) -> None:
        self.path = path
        self.message = message
        self.hint = hint
        self.at_key = at_key
        self.position = position
        self.severity = severity


Check = Callable[[Document, Version], Iterable[Finding]]


class Rule(Record):
    """A registered rule with its catalogue entry and documented examples."""

    __slots__ = (  # noqa: RUF023 - in field order, for repr
        "code",
        "name",
        "severity",
        "summary",
        "hint",
        "bad",
        "good",
        "check",
        "replaces",
        "fix",
    )

    code: str
    name: str
    severity: Severity
    summary: str
    hint: str
    bad: str
    good: str
    check: Check
    #: Schema codes this rule's diagnostic replaces at the same path (it says the same, better).
    replaces: frozenset[str]
    #: How ``omkit fix`` fixes what the rule finds, when the fix is certain (None: not fixable).
    fix: Fixer | None

    def __init__(
        self,
        code: str,
        name: str,
        severity: Severity,
        summary: str,
        hint: str,
        bad: str,
        good: str,
        check: Check,
        replaces: frozenset[str] = frozenset(),
        fix: Fixer | None = None,
    ) -> None:
        self.code = code
        self.name = name
        self.severity = severity
        self.summary = summary
        self.hint = hint
        self.bad = bad
        self.good = good
        self.check = check
        self.replaces = replaces
        self.fix = fix


#: Every rule, by code, in code order.
RULES: dict[str, Rule] = {}

_CODE = re.compile(r"R\d{3}")


def rule(
    code: str,
    name: str,
    severity: Severity,
    summary: str,
    *,
    hint: str,
    bad: str,
    good: str,
    replaces: Iterable[str] = (),
    fix: Fixer | None = None,
) -> Callable[[Check], Check]:
    """Register a rule function under ``code`` (``R`` + 3 digits, never reused); ``fix``
    computes the certain fix of one of its diagnostics (see :mod:`omkit_sagemaker.check.fix`)."""

    def register(check: Check) -> Check:
        if not _CODE.fullmatch(code) or code in RULES or code in CODES:
            raise ValueError(f"bad or duplicate rule code {code}")
        RULES[code] = Rule(
            code=code,
            name=name,
            severity=severity,
            summary=summary,
            hint=hint,
            bad=textwrap.dedent(bad).strip("\n") + "\n",
            good=textwrap.dedent(good).strip("\n") + "\n",
            check=check,
            replaces=frozenset(replaces),
            fix=fix,
        )
        return check

    return register


def run(
    document: Document,
    target: Version = DEFAULT_TARGET,
    *,
    disabled: Iterable[str] = (),
) -> list[Diagnostic]:
    """The diagnostics of every rule not in ``disabled`` for ``document``."""
    skip = set(disabled)
    out: list[Diagnostic] = []
    token = reading.SHARED_READS.set((document, {}))  # what several rules read is read once
    try:
        for entry in RULES.values():
            if entry.code in skip:
                continue
            for found in entry.check(document, target):
                pos = found.position or (
                    document.key_position(found.path)
                    if found.at_key
                    else document.position(found.path)
                )
                out.append(
                    make(
                        entry.code,
                        document.file,
                        pos.line,
                        pos.column,
                        found.message,
                        path=json_path(found.path),
                        hint=found.hint or entry.hint,
                        severity=found.severity or entry.severity,
                    )
                )
    finally:
        reading.SHARED_READS.reset(token)
    return out
