"""One environment variable per secret across the files of one ``omkit fix`` run
(omkit_sagemaker.check.fix.secretnames): two files with two different literal secrets, or a
variable another file already reads, get names of their own from their file names; files with
the same secret share the key's variable."""

from __future__ import annotations

from pathlib import Path

from omkit_sagemaker.check.fix.secretnames import plan_files

from testing.samples import SAGEMAKER_SAMPLE

ENV = {"AWS_ACCESS_KEY_ID": "AKIAZZZZTESTKEY12345", "OM_JWT": "eyJ.x.y"}


def config(folder: Path, name: str, secret: str | None) -> Path:
    value = secret if secret is not None else "${AWS_SECRET_ACCESS_KEY}"
    path = folder / name
    path.write_text(SAGEMAKER_SAMPLE.replace("${AWS_SECRET_ACCESS_KEY}", value), encoding="utf-8")
    return path


def variables(files: list[Path], *, unsafe: bool = True) -> dict[str, list[str | None]]:
    plans = plan_files(files, unsafe=unsafe, environ=ENV)
    return {Path(p.file).name: [fix.variable for _, fix in p.applied if fix.secret] for p in plans}


def test_two_files_with_two_secrets_get_a_variable_each_named_after_the_file(
    tmp_path: Path,
) -> None:
    files = [
        config(tmp_path, "prod.yaml", "pr0d-s3cr3t-value"),
        config(tmp_path, "dev.yaml", "d3v-s3cr3t-value"),
    ]
    assert variables(files) == {
        "prod.yaml": ["PROD_AWS_SECRET_ACCESS_KEY"],
        "dev.yaml": ["DEV_AWS_SECRET_ACCESS_KEY"],
    }
    new = {Path(p.file).name: p.new_text for p in plan_files(files, unsafe=True, environ=ENV)}
    assert "awsSecretAccessKey: ${PROD_AWS_SECRET_ACCESS_KEY}" in new["prod.yaml"]
    assert "pr0d-s3cr3t-value" not in new["prod.yaml"]


def test_files_with_the_same_secret_share_the_key_s_variable(tmp_path: Path) -> None:
    files = [
        config(tmp_path, "a.yaml", "same-s3cr3t-value"),
        config(tmp_path, "b.yaml", "same-s3cr3t-value"),
    ]
    assert variables(files) == {
        "a.yaml": ["AWS_SECRET_ACCESS_KEY"],
        "b.yaml": ["AWS_SECRET_ACCESS_KEY"],
    }


def test_a_variable_another_file_reads_already_is_not_given_to_a_new_secret(
    tmp_path: Path,
) -> None:
    files = [config(tmp_path, "new.yaml", "n3w-s3cr3t-value"), config(tmp_path, "old.yaml", None)]
    assert variables(files) == {"new.yaml": ["NEW_AWS_SECRET_ACCESS_KEY"], "old.yaml": []}


def test_without_unsafe_fixes_no_secret_is_replaced(tmp_path: Path) -> None:
    files = [
        config(tmp_path, "prod.yaml", "pr0d-s3cr3t-value"),
        config(tmp_path, "dev.yaml", "d3v-s3cr3t-value"),
    ]
    assert variables(files, unsafe=False) == {"prod.yaml": [], "dev.yaml": []}
