"""End-to-end tests of ``omkit fix`` and of the baseline options of ``omkit validate``: the real
entry point in a subprocess, asserting what the user sees (message, exit code, file content)."""

from __future__ import annotations

import json
import os
from pathlib import Path

from test_cli import GOOD, assert_no_traceback, omkit, write

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
