"""Unset ``${NAME}`` references through the real ``omkit`` entry point (issue 23/26): R020 is an
error where ``metadata ingest``'s parser rejects the literal text, a warning where only the run
fails later; ``omkit init`` then ``omkit validate`` passes on a machine without the variables;
``run`` and ``test-connection`` still stop on every unset reference before any network call, and
do not offer ``--no-env``, which they lack."""

from __future__ import annotations

from pathlib import Path

from test_cli_first_run import omkit

from testing.awsfixtures import MotoServer
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


def test_init_then_validate_passes_without_the_variables(tmp_path: Path) -> None:
    made = omkit("init", "sagemaker", "-o", "sm.yaml", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "omkit validate sm.yaml" in made.stdout + made.stderr
    proc = omkit("validate", "sm.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout
    assert proc.stdout.count("warning R020") == 3
    assert proc.stdout.splitlines()[-1] == "1 file checked: 0 errors, 3 warnings"


def test_an_unset_boolean_or_number_is_an_error(tmp_path: Path) -> None:
    text = config_text("http://127.0.0.1:8585/api", "http://127.0.0.1:5000").replace(
        "      type: MlModelMetadata\n",
        "      type: MlModelMetadata\n      markDeletedMlModels: ${OMKIT_FLAG}\n",
    )
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    env = {"SM_SECRET": AWS_SECRET, "OM_JWT": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}
    proc = omkit("validate", "sm.yaml", cwd=tmp_path, env=env)
    assert proc.returncode == 1
    (line,) = [ln for ln in proc.stdout.splitlines() if "R020" in ln]
    assert "error R020 markDeletedMlModels: the environment variable OMKIT_FLAG is not set" in line
    assert "parser rejects it" in line
    assert (
        omkit("validate", "sm.yaml", cwd=tmp_path, env={**env, "OMKIT_FLAG": "false"}).returncode
        == 0
    )


def test_an_empty_reference_is_named_as_such(tmp_path: Path) -> None:
    text = config_text("http://127.0.0.1:8585/api", "http://127.0.0.1:5000").replace(
        "      type: MlModelMetadata\n",
        "      type: MlModelMetadata\n      markDeletedMlModels: ${}\n",
    )
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    env = {"SM_SECRET": AWS_SECRET, "OM_JWT": "eyJhbGciOiJIUzI1NiJ9.e30.c2ln"}
    proc = omkit("validate", "sm.yaml", cwd=tmp_path, env=env)
    assert proc.returncode == 1
    assert "'${}' names no variable" in proc.stdout
    assert "environment variable  is" not in proc.stdout


def test_run_and_test_connection_stop_on_an_unset_secret_without_offering_no_env(
    tmp_path: Path, moto: MotoServer, om_server: OMServer
) -> None:
    (tmp_path / "sm.yaml").write_text(config_text(om_server.url, moto.endpoint), encoding="utf-8")
    assert omkit("validate", "sm.yaml", cwd=tmp_path, env={"SM_SECRET": AWS_SECRET}).returncode == 0
    for command in ("run", "test-connection"):
        proc = omkit(command, "sm.yaml", cwd=tmp_path, env={"SM_SECRET": AWS_SECRET})
        out = proc.stdout + proc.stderr
        assert proc.returncode == 1, (command, out)
        assert "the environment variable OM_JWT is not set" in out
        assert "--no-env" not in out, (command, out)
    assert om_server.requests == []
