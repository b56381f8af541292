"""Rules about ``# omkit: disable=...`` comments (R021, R022): a code that does not exist, and
a code that cannot be turned off because ``metadata ingest`` rejects the file anyway."""

from __future__ import annotations

import re
from collections.abc import Iterator

from omkit_sagemaker.base.diagnostics import CODES, Severity, can_silence
from omkit_sagemaker.check import directives
from omkit_sagemaker.check.loader import Document, Position
from omkit_sagemaker.check.rules.rulebook import RULES, Finding, rule
from omkit_sagemaker.check.versions import Version


def _close(code: str) -> str | None:
    """The known code ``code`` is most likely a typo of (see :func:`directives.closest_code`)."""
    return directives.closest_code(code, set(CODES) | set(RULES))


@rule(
    "R021",
    "unknown-code-in-comment",
    Severity.WARNING,
    "an # omkit: disable comment names a code omkit does not have, or an # omkit comment is "
    "not a disable= directive (disabel=R001), or stands on a line of its own inside the YAML, "
    "so it turns nothing off",
    hint="write # omkit: disable= and codes that omkit rules lists, such as R011",
    bad="""
        # omkit: disable=R0111
        source:
          type: SageMaker
        """,
    good="""
        # omkit: disable=R011
        source:
          type: SageMaker
        """,
)
def _unknown_code(document: Document, target: Version) -> Iterator[Finding]:
    for named in directives.parse(document.source):
        if named.code in CODES or named.code in RULES:
            continue
        guess = _close(named.code)
        yield Finding(
            (),
            f"'{named.code}' in this # omkit: disable comment is not an omkit code",
            hint=f"did you mean {guess}?" if guess else None,
            position=Position(named.line, named.column),
        )
    yield from _stray(document)
    lines = document.source.lstrip("\ufeff").splitlines()
    for named in directives.misspelt(document.source):
        word = named.code
        if word == "disable":  # the colon or the = is missing
            message = "this # omkit comment is not written as # omkit: disable=CODE"
        else:
            message = f"'{word}' in this # omkit: comment is not an omkit directive"
        rest = lines[named.line - 1][named.column - 1 :].split(word, 1)[-1]
        codes = _CODES.match(rest)
        named_codes = ",".join(c for c in re.split(r"[\s,]+", codes.group(1)) if c) if codes else ""
        yield Finding(
            (),
            f"{message}, so it turns nothing off",
            hint=f"did you mean # omkit: disable={named_codes or 'CODE'}?",
            position=Position(named.line, named.column),
        )


def _stray(document: Document) -> Iterator[Finding]:
    """A directive on a line of its own after the YAML began: it covers no line and not the
    file (only a directive before the first YAML line does)."""
    for named in directives.stray(document.source):
        yield Finding(
            (),
            "this # omkit: disable comment stands on a line of its own inside the YAML, so it "
            "turns nothing off",
            hint="put it at the end of the line it is about, or above the first YAML line to "
            "turn the code off for the whole file",
            position=Position(named.line, named.column),
        )


#: What follows a misspelt directive's word: ``=R001, R011`` or `` R001``.
_CODES = re.compile(r"\s*[=:]?\s*([A-Za-z][0-9A-Za-z]*(?:[\s,]+[A-Za-z][0-9A-Za-z]*)*)")


@rule(
    "R022",
    "code-cannot-be-disabled",
    Severity.WARNING,
    "an # omkit: disable comment names a schema or YAML code that stays on, because metadata "
    "ingest rejects a file with that problem",
    hint="fix the problem instead: only R codes, Y005 and Y009 can be turned off",
    bad="""
        source:
          type: Sagemaker  # omkit: disable=S004
        """,
    good="""
        source:
          type: SageMaker
        """,
)
def _cannot_disable(document: Document, target: Version) -> Iterator[Finding]:
    for named in directives.parse(document.source):
        if named.code in CODES and not can_silence(named.code):
            yield Finding(
                (),
                f"{named.code} cannot be turned off: metadata ingest rejects a file with this "
                "problem, so the comment is ignored",
                position=Position(named.line, named.column),
            )
