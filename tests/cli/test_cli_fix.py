"""End-to-end tests of ``omkit fix`` and of the baseline options of ``omkit validate``: the real
entry point in a subprocess, asserting what the user sees (message, exit code, file content)."""

from __future__ import annotations

import json
import os
import stat
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
    run = omkit("fix", "--unsafe-fixes", "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 0, run
    assert path.read_text(encoding="utf-8") == GOOD  # every comment and quote as it was
    assert oct(path.stat().st_mode & 0o777) == oct(0o600)
    assert "sagemaker.yaml:6:13: fixed S004: type is written SageMaker" in run.out
    assert "set AWS_SECRET_ACCESS_KEY to the old value (not shown here)" in run.out
    assert "fixed S001: renamed the key awsRegon to awsRegion" in run.out
    assert "fixed R004: awsRegion us-east-2a is a zone of the region us-east-2" in run.out
    assert run.out.endswith("1 file checked: fixed 6 problems in 1 file, 0 errors left\n")
    assert SECRET not in run.both
    again = omkit("validate", "sagemaker.yaml", cwd=tmp_path)
    assert (again.code, again.out) == (0, "1 file checked: no problems\n")


def test_fix_diff_writes_nothing_masks_secrets_and_fails_for_ci(tmp_path: Path) -> None:
    path = write(tmp_path / "sagemaker.yaml", BROKEN)
    run = omkit("fix", "--diff", "--unsafe-fixes", "sagemaker.yaml", cwd=tmp_path)
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
    # The secret fix is unsafe (the literal leaves the file): made only when asked.
    fixing = (*options, "--unsafe-fixes") if code == "R001" else options
    shown = omkit("fix", "--diff", *fixing, "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(shown)
    assert shown.code == 1, shown
    assert shown.out.startswith("--- a/sagemaker.yaml\n+++ b/sagemaker.yaml\n")
    assert f"would fix {code}" in shown.err
    assert path.read_text(encoding="utf-8") == text  # --diff writes nothing
    fixed = omkit("fix", *fixing, "sagemaker.yaml", cwd=tmp_path)
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


# --- nothing lost, nothing leaked (issue 25), and the same count as validate (issue 26) ---------

#: Other OpenMetadata connectors' workflows and a conda recipe, as found beside SageMaker configs.
MYSQL = """\
source:
  type: mysql
  serviceName: local_mysql
  serviceConnection:
    config:
      type: Mysql
      username: openmetadata_user
      authType:
        password: openmetadata_password
      hostPort: localhost:3306
  sourceConfig:
    config:
      type: DatabaseMetadata
      markDeletedTables: true
      schemaFilterPattern:
        includes: [users]
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: ${OPENMETADATA_JWT_TOKEN}
"""
GLUE = f"""\
source: {{type: Glue, serviceName: local_glue, serviceConnection: {{config: {{type: Glue,
  awsConfig: {{awsRegion: us-east-2, awsSecretAccessKey: {SECRET}}}}}}},
  sourceConfig: {{config: {{type: DatabaseMetadata}}}}}}
workflowConfig:
  openMetadataServerConfig: {{hostPort: "http://localhost:8585/api", authProvider: openmetadata}}
"""
CONDA_RECIPE = """\
package:
  name: omkit-sagemaker
  version: "1.0"
source:
  url: https://example.com/omkit.tar.gz
  sha256: 0123abcd
requirments:
  host: [python, pip]
"""


def test_fix_and_validate_leave_other_connectors_and_other_yaml_alone(tmp_path: Path) -> None:
    others = {
        "mysql.yaml": MYSQL,
        "glue.yaml": GLUE,
        "recipe/meta.yaml": CONDA_RECIPE,
        "upper.yaml": MYSQL.replace("type: mysql", "type: 'MYSQL'  # the runner lower-cases"),
    }
    for name, text in others.items():
        write(tmp_path / name, text)
    upper = GOOD.replace("type: sagemaker", "type: SageMaker")  # as the runner compares: ours
    ours = write(tmp_path / "sagemaker.yaml", upper)
    write(tmp_path / "typo.yaml", BROKEN.replace("type: sagemaker", "type: sagemkaer"))
    run = omkit("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert_no_traceback(run)
    for name, text in others.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text, name
    assert "mysql" not in run.both
    assert "meta.yaml" not in run.both
    assert run.out.endswith("; 4 YAML files skipped: not SageMaker workflow configs\n"), run.out
    assert ours.read_text(encoding="utf-8") == upper  # checked, and clean
    assert "typo.yaml:6:13: fixed S004" in run.out  # a near miss of sagemaker is not skipped
    check = omkit("validate", ".", cwd=tmp_path)
    assert {line.split(":")[0] for line in check.out.splitlines()[:-2]} == {"typo.yaml"}
    assert "4 YAML files skipped" in check.out
    named = omkit("fix", "mysql.yaml", cwd=tmp_path)
    assert named.code == 1
    assert named.err.startswith("mysql.yaml:1:1: not a SageMaker workflow config")
    assert (tmp_path / "mysql.yaml").read_text(encoding="utf-8") == MYSQL


def test_a_literal_secret_stays_unless_asked_and_then_each_file_gets_its_own_variable(
    tmp_path: Path,
) -> None:
    other = "Kx81mQ2vN0pLr7sT4yW9zB3cD6fG1hJ5aE8iU2oY"
    texts = {
        "prod.yaml": GOOD.replace("${AWS_SECRET_ACCESS_KEY}", SECRET),
        "dev.yaml": GOOD.replace("${AWS_SECRET_ACCESS_KEY}", other).replace(
            "# awsSessionToken: TOKEN", f"# old key: {other}"
        ),
    }
    for name, text in texts.items():
        write(tmp_path / name, text)
    kept = omkit("fix", ".", cwd=tmp_path)
    assert_no_traceback(kept)
    assert kept.code == 0, kept  # R001 is a warning, and validate passes too
    for name, text in texts.items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text  # nothing lost
    assert "dev.yaml:9:29: not fixed R001 (an unsafe fix: replacing it removes the secret" in (
        kept.out
    )
    assert kept.out.endswith("; 2 unsafe fixes not made (--unsafe-fixes makes them)\n")
    run = omkit("fix", "--unsafe-fixes", ".", cwd=tmp_path)
    assert_no_traceback(run)
    prod = (tmp_path / "prod.yaml").read_text(encoding="utf-8")
    dev = (tmp_path / "dev.yaml").read_text(encoding="utf-8")
    assert "awsSecretAccessKey: ${PROD_AWS_SECRET_ACCESS_KEY}\n" in prod
    assert "awsSecretAccessKey: ${DEV_AWS_SECRET_ACCESS_KEY}\n" in dev
    assert "set PROD_AWS_SECRET_ACCESS_KEY to the old value (not shown here)" in run.out
    assert "the old value is no longer in the file" in run.out  # prod: true
    # dev keeps a copy in a comment: never claimed gone, and never printed.
    assert "dev.yaml:9:29: fixed R001: awsSecretAccessKey now reads " in run.out
    assert "a copy of the secret is still in the file on line 10" in run.out
    assert SECRET not in run.both
    assert other not in run.both
    # The two new variables are not set here: a warning (R020: the runner would take the
    # literal text and fail later), counted by fix as validate counts it.
    assert run.code == 0
    assert run.out.endswith("fixed 2 problems in 2 files, 0 errors left\n")
    checked = omkit("validate", ".", cwd=tmp_path)
    assert checked.code == 0
    assert checked.out.count("warning R020") == 2


#: Secrets under keys spelt otherwise, through a merge key, and as a URL's userinfo.
SPELLINGS = [
    "jwttoken",
    "AwsSecretAccessKey",
    "awsSecretAccesKey",
    "AWSSESSIONTOKEN",
]


def test_fix_diff_never_prints_a_secret_under_any_spelling(tmp_path: Path) -> None:
    secrets = [f"Zq{i}secretvalue{i}x7Lm2Np4Rt6Vw8Yz" for i in range(len(SPELLINGS) + 2)]
    text = BROKEN.replace(f"awsSecretAccessKey: {SECRET}", "<<: *creds")
    text = "shared: &creds\n  awsSecretAccessKey: " + secrets[-1] + "\n" + text
    extra = "".join(
        f"        {key}: {value}\n" for key, value in zip(SPELLINGS, secrets, strict=False)
    )
    text = text.replace("        awsAccessKeyId:", extra + "        awsAccessKeyId:")
    text = text.replace(
        '"http://localhost:8585"', f'"http://admin:{secrets[-2]}@localhost:8585"'
    ).replace("hostPort:", "hostport:")
    write(tmp_path / "sagemaker.yaml", text)
    for options in ((), ("--unsafe-fixes",)):
        run = omkit("fix", "--diff", *options, "sagemaker.yaml", cwd=tmp_path)
        assert_no_traceback(run)
        assert run.out.startswith("--- a/sagemaker.yaml"), run
        for secret in secrets:
            assert secret not in run.both, (secret, run.both)
        assert "********" in run.out
        assert "***@localhost" in run.out


def test_a_misspelt_parent_holding_a_literal_secret_is_fixed_without_a_crash(
    tmp_path: Path,
) -> None:
    text = GOOD.replace("    config:\n      type: SageMaker", "    configs:\n      type: SageMaker")
    text = text.replace("${AWS_SECRET_ACCESS_KEY}", SECRET)
    path = write(tmp_path / "sagemaker.yaml", text)
    run = omkit("fix", "--unsafe-fixes", "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert "fixed S001: renamed the key configs to config" in run.out
    assert "fixed R001: awsSecretAccessKey now reads ${AWS_SECRET_ACCESS_KEY}" in run.out
    assert path.read_text(encoding="utf-8") == GOOD
    assert run.code == 0, run


def test_fix_counts_what_is_left_as_validate_does(tmp_path: Path) -> None:
    # An unset variable where the runner's parser rejects the literal text (a URL): R020 error.
    text = GOOD.replace('hostPort: "http://localhost:8585/api"', "hostPort: ${OMKIT_FIX_UNSET_URL}")
    assert "${OMKIT_FIX_UNSET_URL}" in text
    write(tmp_path / "sagemaker.yaml", text.replace("type: SageMaker", "type: Sagemaker"))
    run = omkit("fix", "sagemaker.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.out.endswith("fixed 1 problem in 1 file, 1 error left (run omkit validate)\n")
    assert run.code == 1
    assert omkit("validate", "sagemaker.yaml", cwd=tmp_path).code == 1  # R020
    # Set where the check runs, the variable makes both pass; as written (--no-env), the
    # literal reference is no URL, for both.
    url = {"OMKIT_FIX_UNSET_URL": "http://localhost:8585/api"}
    assert omkit("fix", "sagemaker.yaml", cwd=tmp_path, env=url).code == 0
    assert omkit("validate", "sagemaker.yaml", cwd=tmp_path, env=url).code == 0
    assert omkit("fix", "--no-env", "sagemaker.yaml", cwd=tmp_path).code == 1
    assert omkit("validate", "--no-env", "sagemaker.yaml", cwd=tmp_path).code == 1
    write(tmp_path / "tab.yaml", "source:\n\ttype: sagemaker\n")
    tab = omkit("fix", "tab.yaml", cwd=tmp_path)
    assert tab.err == (
        "tab.yaml:2:1: Y006 a tab character is used for indentation; YAML allows only spaces "
        "there\n"
    )
    assert tab.out.endswith("1 error left (run omkit validate); 1 file not fixed\n")
    assert tab.code == 1


def test_a_write_that_cannot_be_made_prints_no_fixed_line_and_keeps_the_file(
    tmp_path: Path,
) -> None:
    broken = GOOD.replace("type: SageMaker", "type: Sagemaker")
    locked = write(tmp_path / "locked.yaml", broken)
    locked.chmod(0o444)
    run = omkit("fix", "locked.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 1
    assert "fixed S004" not in run.out
    assert (
        run.err
        == "locked.yaml:1:1: not written: the file is read-only (mode 0444); left as it is\n"
    )
    assert run.out.endswith(
        "0 problems in 0 files, 1 error left (run omkit validate); 1 file not fixed\n"
    )
    assert locked.read_text(encoding="utf-8") == broken
    assert stat.S_IMODE(locked.stat().st_mode) == 0o444


def test_fix_keeps_hard_links_and_the_owner(tmp_path: Path) -> None:
    broken = GOOD.replace("type: SageMaker", "type: Sagemaker")
    path = write(tmp_path / "sagemaker.yaml", broken)
    os.link(path, tmp_path / "also.yml.bak")
    inode = path.stat().st_ino
    if os.geteuid() == 0:
        os.chown(path, 4321, 4321)
    run = omkit("fix", "sagemaker.yaml", cwd=tmp_path)
    assert run.code == 0, run
    assert path.stat().st_ino == inode
    assert path.stat().st_nlink == 2
    assert (tmp_path / "also.yml.bak").read_text(encoding="utf-8") == GOOD
    if os.geteuid() == 0:
        assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4321)
    os.unlink(tmp_path / "also.yml.bak")  # one link: replaced by a rename, owner still kept
    path.write_text(broken, encoding="utf-8")
    assert omkit("fix", "sagemaker.yaml", cwd=tmp_path).code == 0
    assert path.read_text(encoding="utf-8") == GOOD
    if os.geteuid() == 0:
        assert (path.stat().st_uid, path.stat().st_gid) == (4321, 4321)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sagemaker.yaml"]
