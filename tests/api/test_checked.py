"""What ``omkit_sagemaker.validate`` returns (omkit_sagemaker.api.checked): each problem as the
``file:line:column: severity code message (hint: ...)`` line ``omkit validate`` prints, the
counts of errors and warnings, and ``ok`` only without errors and without a usage error."""

from __future__ import annotations

from omkit_sagemaker.api.checked import ConfigProblem, ValidationResult
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity

ERROR = Diagnostic(
    "sm.yaml",
    3,
    9,
    Severity.ERROR,
    "S004",
    "type is 'Sagemaker'",
    "$.source.type",
    hint="write SageMaker",
)
WARNING = Diagnostic("sm.yaml", 5, 1, Severity.WARNING, "R001", "a secret is written", "$.a")


def test_a_problem_reads_as_the_line_omkit_validate_prints() -> None:
    assert (
        str(ConfigProblem.of(ERROR))
        == "sm.yaml:3:9: error S004 type is 'Sagemaker' (hint: write SageMaker)"
    )
    assert str(ConfigProblem.of(WARNING)) == "sm.yaml:5:1: warning R001 a secret is written"
    assert ConfigProblem.of(ERROR) == ConfigProblem(
        "sm.yaml", 3, 9, "S004", "error", "type is 'Sagemaker'", "write SageMaker"
    )


def test_ok_means_no_error_and_no_usage_error() -> None:
    warned = ValidationResult(["sm.yaml"], [WARNING])
    assert (warned.ok, warned.errors, warned.warnings) == (True, 0, 1)
    failed = ValidationResult(["sm.yaml"], [WARNING, ERROR])
    assert (failed.ok, failed.errors, failed.warnings) == (False, 1, 1)
    assert [p.code for p in failed.problems] == ["R001", "S004"]
    misused = ValidationResult(usage_error="no such file: nope.yaml")
    assert not misused.ok
    assert (misused.files, misused.skipped) == ([], [])
