"""End to end: the baseline options of ``omkit validate`` through the real entry point, asserting
what the user sees (the summary's sentence, the exit code, the baseline file, what is left
untouched)."""

from __future__ import annotations

import json
import os
import re
import shlex
from pathlib import Path

import pytest
import yaml
from test_cli import GOOD, UNSET, assert_no_traceback, omkit, write

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: The template references these; unset, ``omkit validate`` without --no-env reports R020.
NO_VARIABLES = dict.fromkeys(
    ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "OPENMETADATA_JWT_TOKEN"), UNSET
)
#: GOOD with one problem that may be baselined (R003: an unknown region).
UNKNOWN_REGION = GOOD.replace("awsRegion: us-east-2", "awsRegion: us-east-9")


def test_baseline_reports_only_new_problems_and_shrinks(tmp_path: Path) -> None:
    path = write(tmp_path / "sagemaker.yaml", UNKNOWN_REGION)
    run = omkit(
        "validate", "--write-baseline", ".omkit-baseline.json", "sagemaker.yaml", cwd=tmp_path
    )
    assert_no_traceback(run)
    assert run.code == 0
    assert run.out.endswith("wrote .omkit-baseline.json: 1 entry (1 new, 0 fixed and removed)\n")
    entries = json.loads((tmp_path / ".omkit-baseline.json").read_text())["entries"]
    assert [(e["file"], e["path"], e["code"]) for e in entries] == [
        ("sagemaker.yaml", "$.source.serviceConnection.config.awsConfig.awsRegion", "R003")
    ]
    # Lines added above the known problem, and a new problem below it.
    text = "# moved down\n\n" + path.read_text(encoding="utf-8").replace("INFO", "info")
    path.write_text(text, encoding="utf-8")
    run = omkit("validate", "--baseline", ".omkit-baseline.json", "sagemaker.yaml", cwd=tmp_path)
    assert run.code == 1
    assert "S004 loggerLevel" in run.out
    assert "R003" not in run.out
    assert run.out.endswith("1 known problem in .omkit-baseline.json not shown\n")
    # The known problem is fixed: reported as such, and --write-baseline drops it.
    path.write_text(text.replace("us-east-9", "us-east-2").replace("info", "INFO"))
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


def test_a_problem_metadata_ingest_rejects_is_never_baselined(tmp_path: Path) -> None:
    write(tmp_path / "sagemaker.yaml", GOOD.replace("type: SageMaker", "type: Sagemaker"))
    run = omkit("validate", "--write-baseline", "b.json", "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 1  # the file still fails: nothing hides its S004
    assert "1 problem not recorded: metadata ingest rejects a file with it" in run.out
    assert json.loads((tmp_path / "b.json").read_text())["entries"] == []
    run = omkit("validate", "--baseline", "b.json", "sagemaker.yaml", cwd=tmp_path)
    assert run.code == 1
    assert "error S004 type must be 'SageMaker'" in run.out
    # A baseline written by hand (or by an older omkit) with an S entry is refused.
    entry = {"file": "sagemaker.yaml", "path": "$.source.type", "code": "S004"}
    forged = {"version": 2, "entries": [{**entry, "fingerprint": "0" * 16}]}
    write(tmp_path / "b.json", json.dumps(forged))
    run = omkit("validate", "--baseline", "b.json", "sagemaker.yaml", cwd=tmp_path)
    assert (run.code, run.out) == (2, "")
    assert run.err == (
        "omkit: error: b.json:1:1: entry 0: S004 cannot be baselined: metadata ingest rejects "
        "a file with this problem\n"
    )


def test_a_changed_value_under_a_recorded_key_is_a_new_problem(tmp_path: Path) -> None:
    path = write(tmp_path / "sagemaker.yaml", UNKNOWN_REGION)
    omkit("validate", "--write-baseline", "b.json", "sagemaker.yaml", cwd=tmp_path)
    path.write_text(UNKNOWN_REGION.replace("us-east-9", "eu-west-9"), encoding="utf-8")
    run = omkit("validate", "--baseline", "b.json", "sagemaker.yaml", cwd=tmp_path)
    assert run.code == 1
    assert "R003 awsRegion 'eu-west-9'" in run.out
    assert "1 baseline entry fixed" in run.out
    assert "known problem" not in run.out


def test_a_baseline_of_the_first_format_is_refused_with_the_command_to_rewrite_it(
    tmp_path: Path,
) -> None:
    write(tmp_path / "sagemaker.yaml", UNKNOWN_REGION)
    entry = {"file": "sagemaker.yaml", "path": "$.x", "code": "R003", "message": "m"}
    other = {**entry, "file": "other.yaml"}
    write(tmp_path / "b.json", json.dumps({"version": 1, "entries": [entry, other]}))
    run = omkit("validate", "--no-env", "--baseline", "b.json", "sagemaker.yaml", cwd=tmp_path)
    assert (run.code, run.out) == (2, "")
    assert run.err.endswith(
        "write it again, over every config it covers, with: "
        "omkit validate --no-env --write-baseline b.json sagemaker.yaml\n"
    )
    run = omkit(
        "validate", "--no-env", "--write-baseline", "b.json", "sagemaker.yaml", cwd=tmp_path
    )
    assert run.code == 0
    assert run.out.endswith(
        "wrote b.json: 1 entry (replaced the older baseline; "
        "1 entry of files not checked now dropped)\n"
    )
    assert json.loads((tmp_path / "b.json").read_text())["version"] == 2


def test_write_baseline_never_writes_through_a_planted_temporary_link(tmp_path: Path) -> None:
    write(tmp_path / "sagemaker.yaml", UNKNOWN_REGION)
    victim = write(tmp_path / "elsewhere" / "victim.txt", "keep me\n")
    (tmp_path / ".omkit-baseline.json.tmp").symlink_to(victim)
    run = omkit(
        "validate", "--write-baseline", ".omkit-baseline.json", "sagemaker.yaml", cwd=tmp_path
    )
    assert_no_traceback(run)
    assert run.code == 0
    assert victim.read_text(encoding="utf-8") == "keep me\n"
    baseline = tmp_path / ".omkit-baseline.json"
    assert not baseline.is_symlink()
    assert json.loads(baseline.read_text(encoding="utf-8"))["version"] == 2
    # Nor over a config it checks.
    config = tmp_path / "sagemaker.yaml"
    run = omkit("validate", "--write-baseline", config, config, cwd=tmp_path)
    assert run.code == 2
    assert "a file this command reads" in run.err
    assert config.read_text(encoding="utf-8") == UNKNOWN_REGION


@pytest.mark.parametrize("option", ["--baseline", "--write-baseline"])
@pytest.mark.parametrize("kind", ["/dev/zero", "/dev/urandom", "fifo", "huge", "deep"])
def test_a_baseline_that_is_not_a_small_regular_file_is_refused_before_reading(
    tmp_path: Path, option: str, kind: str
) -> None:
    write(tmp_path / "sagemaker.yaml", UNKNOWN_REGION)
    target = Path(kind)
    if kind == "fifo":
        target = tmp_path / "fifo.json"
        os.mkfifo(target)
    elif kind == "huge":
        target = tmp_path / "huge.json"
        with target.open("wb") as out:
            out.truncate(17 * 1024 * 1024)
    elif kind == "deep":
        target = write(tmp_path / "deep.json", "[" * 100_000 + "]" * 100_000)
    run = omkit("validate", option, target, "sagemaker.yaml", cwd=tmp_path)  # 120 s timeout
    assert_no_traceback(run)
    assert (run.code, run.err.count("\n")) == (2, 1), run
    assert run.err.startswith(f"omkit: error: {target}:1:1: ")
    expected = {"huge": "more than a baseline", "deep": "nested too deep"}
    unsafe = "cannot write the baseline: it is a " if option == "--write-baseline" else ""
    assert expected.get(kind, unsafe or "not a regular file") in run.err


def _readme_recipe() -> tuple[list[str], list[str]]:
    """The README's commands to adopt the hook with a baseline: the recording command, and the
    ``args`` to add to the hook."""
    words = " ".join(README.split())
    found = re.search(r"record them once with `(omkit validate [^`]*)`", words)
    args = re.search(r"and add `args: (\[[^`]*\])` to the hook", words)
    assert found, "the README's baseline recipe moved"
    assert args, "the README's hook arguments moved"
    return shlex.split(found.group(1)), list(yaml.safe_load(args.group(1)))


def _as_run(words: list[str]) -> list[str]:
    assert words[:2] == ["omkit", "validate"]
    return words[1:]


def test_the_readme_recipe_gives_the_baseline_the_hook_uses_in_silence(tmp_path: Path) -> None:
    recipe, hook_args = _readme_recipe()
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    entry = shlex.split(hook["entry"])
    staged = "ingestion/sagemaker.yaml"
    config = write(tmp_path / staged, UNKNOWN_REGION)
    write(tmp_path / "ingestion" / "docker-compose.yml", "services: {}\n")
    # Recorded where the variables are not set (a developer's shell), as the README says.
    run = omkit(*_as_run(recipe), cwd=tmp_path, env=NO_VARIABLES)
    assert_no_traceback(run)
    assert run.code == 0, run
    commit = [*_as_run(entry), *hook_args, staged]
    run = omkit(*commit, cwd=tmp_path, env=NO_VARIABLES)
    assert run.code == 0, run
    assert "fixed" not in run.both
    assert run.out.endswith("1 known problem in .omkit-baseline.json not shown\n")
    # The problem is fixed: the advice is the exact command, and following it brings silence.
    config.write_text(GOOD, encoding="utf-8")
    run = omkit(*commit, cwd=tmp_path, env=NO_VARIABLES)
    advice = re.search(r"1 baseline entry fixed \(run (.*) to shrink it\)", run.out)
    assert advice, run
    shrink = omkit(*_as_run(shlex.split(advice.group(1))), cwd=tmp_path, env=NO_VARIABLES)
    assert shrink.code == 0, shrink
    assert "0 entries (0 new, 1 fixed and removed)" in shrink.out
    run = omkit(*commit, cwd=tmp_path, env=NO_VARIABLES)
    assert (run.code, run.out, run.err) == (0, "1 file checked: no problems\n", "")
