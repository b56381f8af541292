"""Rules about ``# omkit: disable=...`` comments (R021, R022): a code that does not exist, and
a code that cannot be turned off because ``metadata ingest`` rejects the file anyway."""

from __future__ import annotations

from collections.abc import Iterator

from omkit_sagemaker.base.diagnostics import CODES, Severity, can_silence
from omkit_sagemaker.check import directives
from omkit_sagemaker.check.loader import Document, Position
from omkit_sagemaker.check.rules.registry import RULES, Finding, rule
from omkit_sagemaker.check.versions import Version


def _close(code: str) -> str | None:
    """The known code ``code`` is most likely a typo of (same letter, one digit off), or None."""
    import difflib

    known = sorted(set(CODES) | set(RULES))
    match = difflib.get_close_matches(code, known, n=1, cutoff=0.7)
    return match[0] if match else None


@rule(
    "R021",
    "unknown-code-in-comment",
    Severity.WARNING,
    "an # omkit: disable comment names a code omkit does not have, so it turns nothing off",
    hint="write a code that omkit rules lists, such as R011",
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
