"""End-to-end tests of ``omkit fix`` and of the baseline options of ``omkit validate``: the real
entry point in a subprocess, asserting what the user sees (message, exit code, file content)."""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path

import pytest
from test_cli import (
    CONNECTOR_PAGE_SAMPLE,
    FIXED_SAMPLE,
    GOOD,
    assert_no_traceback,
    omkit,
    write,
)

SECRET = "4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t"
BROKEN = (
    GOOD.replace("type: SageMaker", "type: Sagemaker")
    .replace("awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}", f"awsSecretAccessKey: {SECRET}")
    .replace("awsRegion: us-east-2", "awsRegon: us-east-2a")
    .replace("loggerLevel: INFO", "loggerLevel: info")
    .replace('hostPort: "http://localhost:8585/api"', 'hostPort: "http://localhost:8585"')
)


def test_fix_writes_the_certain_fixes_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path / "sagemaker.yaml", BROKEN)
    path.chmod(0o600)
    run = omkit("fix", "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 0, run
    assert path.read_text(encoding="utf-8") == GOOD  # every comment and quote as it was
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert "sagemaker.yaml:6:13: fixed S004: type is written SageMaker" in run.out
    assert "set AWS_SECRET_ACCESS_KEY to it before running metadata ingest" in run.out
    assert "fixed S001: renamed the key awsRegon to awsRegion" in run.out
    assert "fixed R004: awsRegion us-east-2a is a zone of the region us-east-2" in run.out
    assert run.out.endswith("1 file checked: fixed 6 problems in 1 file, 0 errors left\n")
    assert SECRET not in run.both
    again = omkit("validate", "sagemaker.yaml", cwd=tmp_path)
    assert (again.code, again.out) == (0, "1 file checked: no problems\n")


def test_fix_diff_writes_nothing_masks_secrets_and_fails_for_ci(tmp_path: Path) -> None:
    path = write(tmp_path / "sagemaker.yaml", BROKEN)
    run = omkit("fix", "--diff", "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 1
    assert path.read_text(encoding="utf-8") == BROKEN
    assert run.out.startswith("--- a/sagemaker.yaml\n+++ b/sagemaker.yaml\n")
    assert "-      type: Sagemaker\n+      type: SageMaker\n" in run.out
    assert "-        awsSecretAccessKey: ********\n" in run.out
    assert SECRET not in run.both
    assert "would fix 6 problems in 1 file" in run.err
    clean = write(tmp_path / "clean.yaml", GOOD)
    run = omkit("fix", "--diff", clean, cwd=tmp_path)
    assert (run.code, run.out) == (0, "")


def test_fix_refuses_bad_input_with_one_line_each(tmp_path: Path) -> None:
    write(tmp_path / "broken.yaml", "source:\n  type: [\n")
    os.symlink(write(tmp_path / "real.yaml", BROKEN), tmp_path / "link.yaml")
    run = omkit("fix", "broken.yaml", "link.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 1
    lines = run.err.splitlines()
    assert lines[0].startswith("broken.yaml:3:1: Y001 invalid YAML")
    assert lines[1] == "link.yaml:1:1: a symbolic link; omkit fix only writes regular files"
    assert (tmp_path / "real.yaml").read_text(encoding="utf-8") == BROKEN
    missing = omkit("fix", "nowhere.yaml", cwd=tmp_path)
    assert (missing.code, missing.err) == (
        2,
        "omkit: error: nowhere.yaml: no such file or directory\n",
    )
    bad = omkit("fix", "--target-version", "9.9", "real.yaml", cwd=tmp_path)
    assert bad.code == 2
    assert bad.err.startswith(
        "omkit: error: --target-version: omkit does not know OpenMetadata 9.9"
    )


def test_fix_target_version_migrates_and_explains(tmp_path: Path) -> None:
    old = GOOD.replace(
        "    authProvider: openmetadata\n",
        "    authProvider: openmetadata\n    secretsManagerProvider: noop\n",
    )
    path = write(tmp_path / "sagemaker.yaml", old)
    run = omkit("fix", "--target-version", "1.4", "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 0, run
    assert "secretsManagerProvider: db\n" in path.read_text(encoding="utf-8")
    assert "fixed S010: secretsManagerProvider noop is called db" in run.out
    assert "validate with --target-version 1.4" in run.out
    check = omkit("validate", "--target-version", "1.4", "sagemaker.yaml", cwd=tmp_path)
    assert check.code == 0, check


def test_baseline_reports_only_new_problems_and_shrinks(tmp_path: Path) -> None:
    path = write(tmp_path / "sagemaker.yaml", GOOD.replace("type: SageMaker", "type: Sagemaker"))
    run = omkit(
        "validate", "--write-baseline", ".omkit-baseline.json", "sagemaker.yaml", cwd=tmp_path
    )
    assert_no_traceback(run)
    assert run.code == 0
    assert run.out.endswith("wrote .omkit-baseline.json: 1 entry (1 new, 0 fixed and removed)\n")
    entries = json.loads((tmp_path / ".omkit-baseline.json").read_text())["entries"]
    assert [(e["file"], e["path"], e["code"]) for e in entries] == [
        ("sagemaker.yaml", "$.source.serviceConnection.config.type", "S004")
    ]
    # Lines added above the known problem, and a new problem below it.
    text = "# moved down\n\n" + path.read_text(encoding="utf-8").replace("INFO", "info")
    path.write_text(text, encoding="utf-8")
    run = omkit("validate", "--baseline", ".omkit-baseline.json", "sagemaker.yaml", cwd=tmp_path)
    assert run.code == 1
    assert "S004 loggerLevel" in run.out
    assert "S004 type" not in run.out
    assert run.out.endswith("1 known problem in .omkit-baseline.json not shown\n")
    # The known problem is fixed: reported as such, and --write-baseline drops it.
    path.write_text(text.replace("Sagemaker", "SageMaker").replace("info", "INFO"))
    run = omkit("validate", "--baseline", ".omkit-baseline.json", "sagemaker.yaml", cwd=tmp_path)
    assert run.code == 0
    assert "1 baseline entry fixed (run omkit validate --write-baseline" in run.out
    run = omkit(
        "validate", "--write-baseline", ".omkit-baseline.json", "sagemaker.yaml", cwd=tmp_path
    )
    assert "0 entries (0 new, 1 fixed and removed)" in run.out
    json_run = omkit(
        "validate", "-f", "json", "--baseline", ".omkit-baseline.json", path, cwd=tmp_path
    )
    assert json.loads(json_run.out)["summary"]["valid"] is True
    broken = write(tmp_path / "broken.json", "{")
    run = omkit("validate", "--baseline", broken, "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 2
    assert run.err.startswith(f"omkit: error: {broken}:1:2: not JSON: ")
    assert run.err.count("\n") == 1


# --- every fixable rule, end to end ------------------------------------------------------------

#: One broken variant of GOOD per fixable rule: (code, text, extra options of fix and validate).
FIXABLE_CASES: list[tuple[str, str, tuple[str, ...]]] = [
    ("S001", GOOD.replace("awsRegion: us-east-2", "awsRegon: us-east-2"), ()),
    (
        "R030",
        GOOD.replace("# markDeletedMlModels: true", "markDeletedMlModels: 'true'"),
        (),
    ),
    ("S004", GOOD.replace("type: SageMaker", "type: Sagemaker"), ()),
    (
        "S010",
        GOOD.replace(
            "    authProvider: openmetadata\n",
            "    authProvider: openmetadata\n    secretsManagerProvider: noop\n",
        ),
        ("--target-version", "1.4"),
    ),
    ("R001", GOOD.replace("${AWS_SECRET_ACCESS_KEY}", SECRET), ()),
    ("R003", GOOD.replace("awsRegion: us-east-2", "awsRegion: US-EAST-2"), ()),
    ("R004", GOOD.replace("awsRegion: us-east-2", "awsRegion: us-east-2a"), ()),
    ("R012", GOOD.replace('"http://localhost:8585/api"', '"http://localhost:8585"'), ()),
    ("R014", GOOD.replace("loggerLevel: INFO", "loggerLevel: WARNING"), ()),
]


def _problems(run_dir: Path, options: tuple[str, ...]) -> list[str]:
    """The codes ``omkit validate -f json`` reports for sagemaker.yaml, in order."""
    run = omkit("validate", "-f", "json", *options, "sagemaker.yaml", cwd=run_dir)
    assert_no_traceback(run)
    report = json.loads(run.out)
    return [d["code"] for d in report["diagnostics"]]


def test_the_cases_cover_every_fixable_rule() -> None:
    run = omkit("rules", "--format", "json", cwd=Path.cwd())
    fixable = {item["code"] for item in json.loads(run.out) if item["fixable"]}
    assert fixable == {code for code, _, _ in FIXABLE_CASES}


@pytest.mark.parametrize(
    ("code", "text", "options"), FIXABLE_CASES, ids=[c[0] for c in FIXABLE_CASES]
)
def test_diff_then_fix_removes_exactly_that_problem(
    tmp_path: Path, code: str, text: str, options: tuple[str, ...]
) -> None:
    path = write(tmp_path / "sagemaker.yaml", text)
    before = _problems(tmp_path, options)
    assert code in before
    shown = omkit("fix", "--diff", *options, "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(shown)
    assert shown.code == 1, shown
    assert shown.out.startswith("--- a/sagemaker.yaml\n+++ b/sagemaker.yaml\n")
    assert f"would fix {code}" in shown.err
    assert path.read_text(encoding="utf-8") == text  # --diff writes nothing
    fixed = omkit("fix", *options, "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(fixed)
    assert fixed.code == 0, fixed
    assert f"fixed {code}" in fixed.out
    after = _problems(tmp_path, options)
    assert before.count(code) - after.count(code) == 1
    # Nothing new; a renamed key may also settle the "missing required key" it caused (S002).
    assert not Counter(after) - Counter(before)
    assert len(after) < len(before)
    assert SECRET not in shown.both + fixed.both


def test_the_connector_pages_sample_comes_out_valid_but_for_its_placeholders(
    tmp_path: Path,
) -> None:
    """The published sample has the wrong letter case in ``type`` and three placeholders
    (KEY, SECRET, {bot_jwt_token}) that only a human can replace: fix leaves exactly those."""
    path = write(tmp_path / "sagemaker.yaml", CONNECTOR_PAGE_SAMPLE)
    assert _problems(tmp_path, ("--no-env",)) == ["S004", "R002", "R002", "R002"]
    shown = omkit("fix", "--diff", "sagemaker.yaml", cwd=tmp_path)
    assert shown.code == 1
    assert "-      type: Sagemaker\n+      type: SageMaker\n" in shown.out
    assert "SECRET" not in shown.out  # a secret's value is masked even when it is a placeholder
    run = omkit("fix", "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 1  # the placeholders are still errors
    assert run.out.endswith("fixed 1 problem in 1 file, 3 errors left (run omkit validate)\n")
    assert path.read_text(encoding="utf-8") == FIXED_SAMPLE  # comments and layout as published
    assert _problems(tmp_path, ("--no-env",)) == ["R002", "R002", "R002"]
