"""Turning codes off (omkit_sagemaker.check.suppress): comments turn codes off on their line or for
the whole file, the project settings turn codes off or change their severity, but a problem that
makes ``metadata ingest`` reject the file always stays on; a rule that says better what a schema
code says replaces it at the same place."""

from __future__ import annotations

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check.settings import Settings
from omkit_sagemaker.check.suppress import Suppressions, apply, parse

TEXT = (
    "# omkit: disable=R011\n"
    "source:\n"
    "  type: Sagemaker  # omkit: disable=S004, R002\n"
    "  serviceName: ml  # omkit: disable=R015\n"
)


def diag(
    code: str, line: int, severity: Severity = Severity.WARNING, path: str = "$.source"
) -> Diagnostic:
    return Diagnostic("sm.yaml", line, 3, severity, code, f"{code} message", path)


def test_comments_cover_their_line_or_the_whole_file() -> None:
    found = parse(TEXT)
    assert found == Suppressions(
        frozenset({"R011"}), {3: frozenset({"S004", "R002"}), 4: frozenset({"R015"})}
    )
    assert found.covers(diag("R011", 4))
    assert found.covers(diag("R002", 3))
    assert not found.covers(diag("R002", 4))  # another line
    assert not found.covers(diag("S004", 3))  # the runner rejects the file: always on


def test_settings_turn_codes_off_and_change_severity_but_never_of_a_blocking_code() -> None:
    settings = Settings(
        disable=frozenset({"R013", "S004"}),
        severity={"R001": Severity.ERROR, "S004": Severity.WARNING},
    )
    kept = apply(
        [
            diag("R013", 2),
            diag("R001", 2),
            diag("S004", 3, Severity.ERROR),
            diag("R002", 3),
            diag("R015", 2),
        ],
        TEXT,
        settings,
    )
    assert [(d.code, d.severity) for d in kept] == [
        ("R001", Severity.ERROR),
        ("S004", Severity.ERROR),
        ("R015", Severity.WARNING),  # its comment is on line 4
    ]


def test_a_rule_replaces_the_schema_code_it_explains_at_the_same_path_only() -> None:
    unset = diag("R020", 2, Severity.ERROR, "$.source.serviceName")
    schema_same = diag("S003", 2, Severity.ERROR, "$.source.serviceName")
    schema_other = diag("S003", 3, Severity.ERROR, "$.source.type")
    kept = apply([schema_same, unset, schema_other], "source: {}\n", Settings())
    assert kept == [unset, schema_other]
