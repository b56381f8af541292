"""The record of one problem found in a config file, and the catalogue of problem codes.

Every check in omkit (the YAML loader, the schema check, the lint rules) produces
:class:`Diagnostic` records; reporters only ever see these records, never the checks.
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import Enum

from omkit_sagemaker.base.records import Record


class Severity(str, Enum):
    """How bad a problem is: errors fail validation, warnings only with ``--strict``."""

    ERROR = "error"
    WARNING = "warning"


class Code(Record):
    """A stable problem code with its default severity and a one-line summary."""

    __slots__ = ("code", "severity", "summary")

    code: str
    severity: Severity
    summary: str

    def __init__(self, code: str, severity: Severity, summary: str) -> None:
        self.code = code
        self.severity = severity
        self.summary = summary


def _catalogue(*codes: Code) -> dict[str, Code]:
    return {c.code: c for c in codes}


#: Every code the loader and the schema check can emit. Codes never change meaning once released.
CODES: dict[str, Code] = _catalogue(
    # Reading the file (Y = YAML).
    Code("Y001", Severity.ERROR, "the file is not valid YAML"),
    Code("Y002", Severity.ERROR, "the file is not UTF-8 text"),
    Code("Y003", Severity.ERROR, "the file is empty"),
    Code("Y004", Severity.ERROR, "the document root is not a mapping"),
    Code("Y005", Severity.ERROR, "a key appears twice in the same mapping"),
    Code("Y006", Severity.ERROR, "a tab character is used for indentation"),
    Code("Y007", Severity.ERROR, "aliases expand the document beyond the size limit"),
    Code("Y008", Severity.ERROR, "a mapping key is not a string"),
    Code(
        "Y009",
        Severity.WARNING,
        "YAML 1.1 (used by metadata ingest) and YAML 1.2 read a value differently",
    ),
    Code("Y010", Severity.ERROR, "the file holds more than one YAML document"),
    Code("Y011", Severity.ERROR, "the file cannot be read"),
    Code("Y012", Severity.ERROR, "the file has more lines than any config needs"),
    # Checking against the schemas in spec/ (S = schema).
    Code("S001", Severity.ERROR, "unknown key"),
    Code("S002", Severity.ERROR, "a required key is missing"),
    Code("S003", Severity.ERROR, "a value has the wrong type"),
    Code("S004", Severity.ERROR, "a value is not one of the allowed values"),
    Code("S005", Severity.ERROR, "a value does not match the required pattern"),
    Code("S006", Severity.ERROR, "a value is not in the required format"),
    Code("S007", Severity.ERROR, "a value is out of range or of the wrong length"),
    Code("S008", Severity.ERROR, "a value does not match any allowed form"),
    Code("S009", Severity.ERROR, "a value breaks a schema rule"),
    Code(
        "S010", Severity.ERROR, "a key or value is not accepted by the target OpenMetadata release"
    ),
)


#: Reading codes the runner survives (PyYAML keeps the last of two equal keys; a value YAML 1.1
#: and 1.2 read differently still loads): with every ``R`` rule, the only codes that can be
#: silenced.
SILENCEABLE_READING = frozenset({"Y005", "Y009"})


def can_silence(code: str) -> bool:
    """True when ``code`` may be disabled or made a warning.

    A schema (``S``) or reading (``Y``) problem makes ``metadata ingest`` reject the file, so it
    stays on whatever a comment, a setting or the command line says; lint rules (``R``) and the
    reading codes of :data:`SILENCEABLE_READING` describe files the runner still runs.
    """
    return code.startswith("R") or code in SILENCEABLE_READING


class Diagnostic(Record):
    """One problem in one file, at a 1-based line and column.

    ``path`` is where the problem is in the data, as a JSONPath (``$.source.type``).
    ``message`` and ``hint`` are plain sentences that never contain a secret's value.
    """

    __slots__ = (  # noqa: RUF023 - in field order, for repr
        "file",
        "line",
        "column",
        "severity",
        "code",
        "message",
        "path",
        "hint",
        "suggestion",
    )

    file: str
    line: int
    column: int
    severity: Severity
    code: str
    message: str
    path: str
    hint: str | None
    #: The one replacement the check is certain of (the key for S001, the value's text for the
    #: others), for ``omkit fix``; None when there is no single sure answer.
    suggestion: str | None

    def __init__(
        self,
        file: str,
        line: int,
        column: int,
        severity: Severity,
        code: str,
        message: str,
        path: str = "$",
        hint: str | None = None,
        suggestion: str | None = None,
    ) -> None:
        self.file = file
        self.line = line
        self.column = column
        self.severity = severity
        self.code = code
        self.message = message
        self.path = path
        self.hint = hint
        self.suggestion = suggestion

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line, self.column, self.code, self.message)


def make(
    code: str,
    file: str,
    line: int,
    column: int,
    message: str,
    *,
    path: str = "$",
    hint: str | None = None,
    severity: Severity | None = None,
    suggestion: str | None = None,
) -> Diagnostic:
    """Build a diagnostic with the catalogue's default severity for ``code``."""
    return Diagnostic(
        file=file,
        line=line,
        column=column,
        severity=severity or CODES[code].severity,
        code=code,
        message=message,
        path=path,
        hint=hint,
        suggestion=suggestion,
    )


def has_errors(diagnostics: Iterable[Diagnostic], *, strict: bool = False) -> bool:
    """True when the diagnostics fail validation (warnings count too when ``strict``)."""
    return any(d.severity is Severity.ERROR or strict for d in diagnostics)


def json_path(parts: Iterable[str | int]) -> str:
    """Render data path parts as a JSONPath: ``("a", 0, "b")`` -> ``$.a[0].b``."""
    out = "$"
    for part in parts:
        if isinstance(part, int) and not isinstance(part, bool):
            out += f"[{part}]"
        elif not isinstance(part, str):
            out += f"[{part!r}]"
        elif part.isidentifier():
            out += f".{part}"
        else:
            escaped = part.replace("\\", "\\\\").replace("'", "\\'")
            out += f"['{escaped}']"
    return out
