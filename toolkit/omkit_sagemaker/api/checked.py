"""What :func:`omkit_sagemaker.validate` returns, and a config's problems as the run results show
them. Both are on ``omkit validate``'s path, so they are :mod:`~omkit_sagemaker.base.records`
classes, not dataclasses (see there why)."""

from __future__ import annotations

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.base.records import MutableRecord, Record


class ConfigProblem(Record):
    """One problem ``omkit validate`` found in a config: ``file:line:column: code message``."""

    __slots__ = ("file", "line", "column", "code", "severity", "message", "hint")  # noqa: RUF023

    file: str
    line: int
    column: int
    code: str
    severity: str
    message: str
    hint: str | None

    def __init__(
        self,
        file: str,
        line: int,
        column: int,
        code: str,
        severity: str,
        message: str,
        hint: str | None = None,
    ) -> None:
        self.file, self.line, self.column = file, line, column
        self.code, self.severity, self.message, self.hint = code, severity, message, hint

    @classmethod
    def of(cls, d: Diagnostic) -> ConfigProblem:
        return cls(d.file, d.line, d.column, d.code, d.severity.value, d.message, d.hint)

    def __str__(self) -> str:
        hint = f" (hint: {self.hint})" if self.hint else ""
        return (
            f"{self.file}:{self.line}:{self.column}: {self.severity} {self.code} "
            f"{self.message}{hint}"
        )


class ValidationResult(MutableRecord):
    """The outcome of :func:`omkit_sagemaker.validate`: the files checked and every problem
    found (``omkit validate``'s diagnostics). ``usage_error`` is set (and nothing checked)
    for a path that does not exist, a directory without configs, a bad option value."""

    __slots__ = ("files", "diagnostics", "skipped", "usage_error")  # noqa: RUF023

    files: list[str]
    diagnostics: list[Diagnostic]
    #: YAML files passed over because they are not workflow configs.
    skipped: list[str]
    usage_error: str | None

    def __init__(
        self,
        files: list[str] | None = None,
        diagnostics: list[Diagnostic] | None = None,
        skipped: list[str] | None = None,
        usage_error: str | None = None,
    ) -> None:
        self.files = [] if files is None else files
        self.diagnostics = [] if diagnostics is None else diagnostics
        self.skipped = [] if skipped is None else skipped
        self.usage_error = usage_error

    @property
    def problems(self) -> list[ConfigProblem]:
        return [ConfigProblem.of(d) for d in self.diagnostics]

    @property
    def errors(self) -> int:
        return sum(d.severity is Severity.ERROR for d in self.diagnostics)

    @property
    def warnings(self) -> int:
        return sum(d.severity is Severity.WARNING for d in self.diagnostics)

    @property
    def ok(self) -> bool:
        """True when the configs have no error (warnings allowed) and the arguments were fine."""
        return self.usage_error is None and self.errors == 0
