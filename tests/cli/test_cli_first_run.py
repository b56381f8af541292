"""What a new user meets in the first hour, through the real ``omkit`` entry point: unset
variables, emulator keys, ``--disable``, suppression comments, empty runs, standard input, and a
pre-commit-style run over a folder that holds more than configs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, SAMPLE_ENV, TEMPLATE, config_text

OMKIT = shutil.which("omkit", path=str(Path(sys.executable).parent)) or "omkit"


def omkit(
    *args: str, cwd: Path, env: dict[str, str] | None = None, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "OMKIT_", "OPENMETADATA_"))
        and k not in ("SM_SECRET", "OM_JWT")
    }
    proc = subprocess.run(
        [OMKIT, *args],
        cwd=cwd,
        env={**base, "AWS_EC2_METADATA_DISABLED": "true", "NO_COLOR": "1", **(env or {})},
        input=stdin,
        stdin=None if stdin is not None else subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in proc.stdout + proc.stderr
    return proc


def test_validate_reports_each_unset_variable_with_its_line(tmp_path: Path) -> None:
    shutil.copyfile(TEMPLATE, tmp_path / "sm.yaml")
    env = {k: v for k, v in SAMPLE_ENV.items() if k != "OPENMETADATA_JWT_TOKEN"}
    proc = omkit("validate", "sm.yaml", cwd=tmp_path, env=env)
    assert proc.returncode == 0  # the runner takes the literal token; only the run fails
    line = (
        TEMPLATE.read_text(encoding="utf-8")
        .splitlines()
        .index("      jwtToken: ${OPENMETADATA_JWT_TOKEN}")
    )
    assert proc.stdout.splitlines() == [
        f"sm.yaml:{line + 1}:17: warning R020 jwtToken: the environment variable "
        "OPENMETADATA_JWT_TOKEN is not set, so metadata ingest keeps "
        "'${OPENMETADATA_JWT_TOKEN}' as literal text and the run uses it as written and fails "
        "later (hint: set it before the run (export OPENMETADATA_JWT_TOKEN=...); --no-env "
        "checks the file as written)",
        "1 file checked: 0 errors, 1 warning",
    ]
    assert omkit("validate", "--no-env", "sm.yaml", cwd=tmp_path).returncode == 0
    assert omkit("validate", "sm.yaml", cwd=tmp_path, env=SAMPLE_ENV).returncode == 0


def test_run_stops_on_an_unset_variable_before_any_call(
    tmp_path: Path, moto: MotoServer, om_server: OMServer
) -> None:
    (tmp_path / "sm.yaml").write_text(config_text(om_server.url, moto.endpoint), encoding="utf-8")
    proc = omkit("run", "sm.yaml", cwd=tmp_path, env={"SM_SECRET": AWS_SECRET})
    assert proc.returncode == 1
    assert "the environment variable OM_JWT is not set" in proc.stdout + proc.stderr
    assert om_server.requests == []


def test_dummy_keys_run_against_an_emulator(
    tmp_path: Path, moto: MotoServer, om_server: OMServer
) -> None:
    create_model(moto, "churn", Image="img/churn:1")
    text = config_text(om_server.url, moto.endpoint).replace(
        "awsSecretAccessKey: ${SM_SECRET}", "awsSecretAccessKey: testing  # omkit: disable=R001"
    )
    text = text.replace(text.split("awsAccessKeyId: ")[1].split("\n")[0], "testing")
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    assert omkit("validate", "sm.yaml", cwd=tmp_path, env={"OM_JWT": om_server.token}).stdout == (
        "1 file checked: no problems\n"
    )
    proc = omkit("run", "sm.yaml", cwd=tmp_path, env={"OM_JWT": om_server.token})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(r.method == "PUT" and r.path.endswith("/mlmodels") for r in om_server.requests)


def test_disable_on_the_command_line_and_its_limits(tmp_path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8").replace(
        "awsAccessKeyId: ${AWS_ACCESS_KEY_ID}", "awsAccessKeyId: ingestion-user"
    )
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    failing = omkit("validate", "sm.yaml", cwd=tmp_path, env=SAMPLE_ENV)
    assert failing.returncode == 1
    assert " error R009 " in failing.stdout
    passing = omkit("validate", "--disable", "R009,R011", "sm.yaml", cwd=tmp_path, env=SAMPLE_ENV)
    assert passing.returncode == 0, passing.stdout
    refused = omkit("validate", "--disable", "S001", "sm.yaml", cwd=tmp_path)
    assert refused.returncode == 2
    assert refused.stderr == (
        "omkit: error: --disable: S001 cannot be turned off: metadata ingest rejects a file "
        "with this problem\n"
    )
    unknown = omkit("run", "--disable", "R0O9", "sm.yaml", cwd=tmp_path)
    assert (unknown.returncode, unknown.stdout) == (2, "")
    assert "'R0O9' is not an omkit code" in unknown.stderr


def test_suppression_comments_are_checked(tmp_path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8").replace(
        "type: SageMaker", "type: Sagemaker  # omkit: disable=S004,R0099", 1
    )
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    proc = omkit("validate", "--format", "json", "sm.yaml", cwd=tmp_path, env=SAMPLE_ENV)
    assert proc.returncode == 1
    found = {(d["code"], d["severity"]) for d in json.loads(proc.stdout)["diagnostics"]}
    assert found == {("S004", "error"), ("R021", "warning"), ("R022", "warning")}


def test_a_folder_of_mixed_yaml_and_an_empty_folder(tmp_path: Path) -> None:
    configs = tmp_path / "ingestion"
    configs.mkdir()
    shutil.copyfile(TEMPLATE, configs / "sm.yaml")
    (configs / "docker-compose.yml").write_text("services:\n  moto: {}\n", encoding="utf-8")
    proc = omkit("validate", "--no-env", "ingestion", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == [
        "1 file checked: no problems",
        "1 YAML file skipped: not OpenMetadata workflow configs",
    ]
    (tmp_path / "empty").mkdir()
    empty = omkit("validate", "empty", cwd=tmp_path)
    assert (empty.returncode, empty.stdout) == (2, "")
    assert empty.stderr == "omkit: error: no workflow config to check in empty\n"
    blank = omkit("validate", "", cwd=tmp_path)
    assert blank.returncode == 2
    hook = omkit("validate", "--only-workflows", "ingestion/docker-compose.yml", cwd=tmp_path)
    assert hook.returncode == 0  # what pre-commit passes, all skipped: nothing to fail
    named = omkit("validate", "ingestion/docker-compose.yml", cwd=tmp_path)
    assert named.returncode == 1  # named without the option: always checked
    assert "S002" in named.stdout


def test_standard_input(tmp_path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8").replace("type: SageMaker", "type: Sagemaker", 1)
    proc = omkit(
        "validate", "--no-env", "-", "--stdin-filename", "configs/sm.yaml", cwd=tmp_path, stdin=text
    )
    assert proc.returncode == 1
    assert proc.stdout.startswith("configs/sm.yaml:")
    assert " error S004 type must be 'SageMaker'" in proc.stdout


def test_devices_are_refused(tmp_path: Path) -> None:
    proc = omkit("validate", "/dev/zero", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == (
        "omkit: error: /dev/zero: not a regular file (a device, pipe or socket); use - to read "
        "standard input\n"
    )


def test_a_password_in_hostport_is_never_printed(
    tmp_path: Path, moto: MotoServer, om_server: OMServer
) -> None:
    url = om_server.url.replace("http://", "http://admin:Pw-In-Url-4471@")
    (tmp_path / "sm.yaml").write_text(config_text(url, moto.endpoint), encoding="utf-8")
    env = {"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token}
    runs = {
        "validate": omkit("validate", "sm.yaml", cwd=tmp_path, env=env),
        "test-connection": omkit("test-connection", "sm.yaml", cwd=tmp_path, env=env),
        "run": omkit("run", "sm.yaml", "--timeout", "5", cwd=tmp_path, env=env),
        "dry-run": omkit("run", "--dry-run", "sm.yaml", cwd=tmp_path, env=env),
        "json": omkit("run", "--format", "json", "sm.yaml", cwd=tmp_path, env=env),
    }
    for name, proc in runs.items():
        assert "Pw-In-Url-4471" not in proc.stdout + proc.stderr, name
    assert " warning R023 hostPort holds a user name and password" in runs["validate"].stdout
    assert "***@" in runs["test-connection"].stdout


def test_sarif_names_and_links_each_rule(tmp_path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8").replace(
        "hostPort: http://localhost:8585/api", "hostPort: http://localhost:8585", 1
    )
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    proc = omkit("validate", "--no-env", "--format", "sarif", "sm.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    (rule,) = json.loads(proc.stdout)["runs"][0]["tool"]["driver"]["rules"]
    assert rule["id"] == "R012"
    assert rule["name"] == "hostport-api"
    assert rule["fullDescription"]["text"].startswith("hostPort does not end in /api")
    assert rule["helpUri"].endswith("/docs/rules.md#r012-hostport-api")


def test_a_null_that_validate_accepts_runs(
    tmp_path: Path, moto: MotoServer, om_server: OMServer
) -> None:
    """``metadata ingest`` reads ``null`` for an optional key as the key left out: a config
    ``validate`` accepts (R030 warns) runs under ``omkit run`` and ``test-connection`` too."""
    create_model(moto, "churn", Image="img/churn:1")
    region = "        awsRegion: us-east-1\n"
    text = config_text(om_server.url, moto.endpoint).replace(
        region, region + "        profileName: null\n"
    )
    assert "profileName: null" in text
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    env = {"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token}
    checked = omkit("validate", "sm.yaml", cwd=tmp_path, env=env)
    assert checked.returncode == 0
    assert "R030" in checked.stdout
    proc = omkit("run", "sm.yaml", cwd=tmp_path, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert any(r.method == "PUT" and r.path.endswith("/mlmodels") for r in om_server.requests)
    tested = omkit("test-connection", "sm.yaml", cwd=tmp_path, env=env)
    assert "profileName" not in tested.stdout + tested.stderr
