"""The first hour, second pass: hints that lead somewhere, and what a new user sees, through the
real ``omkit`` entry point (validate, rules, codegen, run, init) and the Python API."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

from test_cli_first_run import omkit
from test_cli_run import env_for

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import SAMPLE_ENV, TEMPLATE, config_text

REPO = Path(__file__).resolve().parents[2]


def template_with(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """templates/sagemaker.yaml as sm.yaml in ``tmp_path``, with each (old, new) replaced once."""
    text = TEMPLATE.read_text(encoding="utf-8")
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    path = tmp_path / "sm.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# ---- hints that lead somewhere (point 7) --------------------------------------------------------


def test_the_endpoint_hint_names_the_region_of_an_availability_zone(tmp_path: Path) -> None:
    """R008's URL is built from the region of ``awsRegion: us-east-2a``, not from the zone."""
    template_with(
        tmp_path,
        ("awsRegion: us-east-2", "awsRegion: us-east-2a"),
        ("# endPointURL: https://", "endPointURL: https://athena.us-east-2.amazonaws.com # "),
    )
    proc = omkit("validate", "--no-env", "sm.yaml", cwd=tmp_path)
    assert proc.returncode == 1
    hints = re.findall(r"R008 .*\(hint: (.*)\)$", proc.stdout, re.M)
    assert hints == ["use https://api.sagemaker.us-east-2.amazonaws.com, or leave endPointURL out"]
    assert "us-east-2a.amazonaws.com" not in proc.stdout


def readme_emulator_block() -> str:
    """The ``awsConfig`` the README shows as validating, testing and running against moto."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    after = readme[readme.index("- Against an AWS emulator") :]
    return after.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_the_readme_emulator_keys_pass_strict_validation(tmp_path: Path) -> None:
    """The README's emulator example, dummy keys ``testing`` on a loopback endpoint, is clean
    even with --strict: R001 knows an emulator's keys are no secret, as R002, R009, R010 do."""
    block = readme_emulator_block()
    assert "awsSecretAccessKey: testing" in block
    lines = [line for line in block.splitlines()[1:] if line.strip()]
    aws = {k.strip(): v.strip() for k, v in (line.split(":", 1) for line in lines)}
    template_with(
        tmp_path,
        ("awsRegion: us-east-2", f"awsRegion: {aws['awsRegion']}"),
        ("awsAccessKeyId: ${AWS_ACCESS_KEY_ID}", f"awsAccessKeyId: {aws['awsAccessKeyId']}"),
        (
            "awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}",
            f"awsSecretAccessKey: {aws['awsSecretAccessKey']}",
        ),
        ("# endPointURL: https://", f"endPointURL: {aws['endPointURL']} # "),
    )
    env = {"OPENMETADATA_JWT_TOKEN": SAMPLE_ENV["OPENMETADATA_JWT_TOKEN"]}
    proc = omkit("validate", "--strict", "sm.yaml", cwd=tmp_path, env=env)
    assert (proc.returncode, proc.stdout) == (0, "1 file checked: no problems\n")
    # The same secret against AWS itself is still reported.
    real = tmp_path / "sm.yaml"
    real.write_text(
        real.read_text(encoding="utf-8").replace(aws["endPointURL"], "https://api.sagemaker.x"),
        encoding="utf-8",
    )
    assert " R001 awsSecretAccessKey" in omkit("validate", "sm.yaml", cwd=tmp_path, env=env).stdout


def test_a_misspelt_directive_is_reported_with_what_was_meant(tmp_path: Path) -> None:
    """``# omkit: disabel=R011`` used to be ignored without a word, and ``disable=R01``
    suggested R021 rather than R001."""
    template_with(
        tmp_path,
        ("awsRegion: us-east-2", "awsRegion: us-east-2  # omkit: disabel=R011"),
        ("type: SageMaker", "type: SageMaker  # omkit: disable=R01"),
    )
    proc = omkit("validate", "--no-env", "--format", "json", "sm.yaml", cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout  # warnings only
    found = [(d["code"], d["message"], d["hint"]) for d in json.loads(proc.stdout)["diagnostics"]]
    assert found == [
        (
            "R021",
            "'R01' in this # omkit: disable comment is not an omkit code",
            "did you mean R001?",
        ),
        (
            "R021",
            "'disabel' in this # omkit: comment is not an omkit directive, so it turns nothing off",
            "did you mean # omkit: disable=R011?",
        ),
    ]
    assert omkit("validate", "--no-env", "--strict", "sm.yaml", cwd=tmp_path).returncode == 1
    typo = omkit("validate", "--no-env", "--disable", "R01", "sm.yaml", cwd=tmp_path)
    assert (typo.returncode, typo.stdout) == (2, "")
    assert typo.stderr == (
        "omkit: error: --disable: 'R01' is not an omkit code (omkit rules lists them); "
        "did you mean R001?\n"
    )


def test_init_names_the_region_of_an_availability_zone(tmp_path: Path) -> None:
    proc = omkit("init", "sagemaker", "--no-input", "--region", "eu-west-1a", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr == (
        "omkit: error: region 'eu-west-1a' is an availability zone, not a region: its region is "
        "eu-west-1\n"
    )


# ---- small things, each seen (point 8) --------------------------------------------------------


def test_a_patch_release_is_not_a_target_version(tmp_path: Path) -> None:
    shutil.copyfile(TEMPLATE, tmp_path / "sm.yaml")
    proc = omkit("validate", "--no-env", "--target-version", "1.2.3", "sm.yaml", cwd=tmp_path)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert "does not know OpenMetadata 1.2.3: it checks releases, not patch" in proc.stderr
    assert "write 1.2 (one of" in proc.stderr
    assert "1.1, 1.2, 1.3" in proc.stderr
    assert omkit("validate", "--no-env", "--target-version", "1.2", "sm.yaml", cwd=tmp_path).stdout


def test_every_code_has_a_name() -> None:
    proc = omkit("rules", "--format", "json", cwd=REPO)
    assert proc.returncode == 0
    rules = json.loads(proc.stdout)
    names = [r["name"] for r in rules]
    assert all(re.fullmatch(r"[a-z0-9]+(?:[-.][a-z0-9]+)*", n) for n in names), names
    assert len(set(names)) == len(names) == len({r["code"] for r in rules})


def test_codegen_help_and_check_with_an_output_folder(tmp_path: Path) -> None:
    """The help names files that exist; ``--check --output DIR`` compares the fast checker
    beside DIR, not the installed one."""
    helped = omkit("codegen", "--help", cwd=REPO, env={"COLUMNS": "200"})
    assert "toolkit/models" not in helped.stdout
    assert "toolkit/fastcheck.py" not in helped.stdout
    assert "omkit_sagemaker/check/generated/fastcheck.py" in helped.stdout
    models = tmp_path / "gen" / "models"
    written = omkit("codegen", "--output", str(models), cwd=tmp_path)
    assert written.returncode == 0, written.stderr
    fast = tmp_path / "gen" / "fastcheck.py"
    assert fast.is_file()
    assert omkit("codegen", "--check", "--output", str(models), cwd=tmp_path).returncode == 0
    fast.write_text(fast.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    stale = omkit("codegen", "--check", "--output", str(models), cwd=tmp_path)
    assert stale.returncode == 1
    assert "fastcheck.py" in stale.stderr
    assert "+# edited" not in stale.stdout  # the diff removes the edit
    assert "-# edited" in stale.stdout


def test_a_dry_run_says_what_it_would_do(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    """Nothing is written, so nothing is "created" or "soft-deleted", and the run does not
    "finish successfully"; the listed count comes before the models; a moto error is one
    sentence, without the emulator's objects."""
    for name in ("a", "b", "c", "d", "e"):
        create_model(moto, name, Image=f"img/{name}:1")
    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "gone")
    (tmp_path / "sm.yaml").write_text(
        config_text(om_server.url, moto.endpoint, logger_level="DEBUG"), encoding="utf-8"
    )
    proc = omkit("run", "sm.yaml", "--dry-run", "--no-tags", cwd=tmp_path, env=env_for(om_server))
    assert proc.returncode == 0, proc.stderr
    summary = proc.stdout[proc.stdout.index("Summary:") :].splitlines()
    assert summary[1].split() == [
        "Processed",
        "5",
        "(would",
        "create",
        "5,",
        "would",
        "update",
        "0)",
    ]
    assert summary[-4].split()[:3] == ["Would", "soft-delete", "1"]
    assert summary[-1] == "Dry run finished: nothing written"
    assert "Finished successfully" not in proc.stdout
    assert "created" not in proc.stdout
    err = proc.stderr
    assert err.index("5 models listed in SageMaker") < err.index(" DescribeModel POST"), err
    searched = next(line for line in err.splitlines() if "Search on Model failed" in line)
    assert "dict_values" not in err
    assert "moto" not in searched
    assert searched.startswith(
        "omkit: info: Search on Model failed: ValidationException: 1 validation error detected: "
    )


def test_the_python_api_names_a_text_and_prints_nothing(tmp_path: Path) -> None:
    """A YAML text has no path: its problems are at ``<yaml>:line:column``; and the library
    writes nothing to stderr (the result says that nothing was run)."""
    text = TEMPLATE.read_text(encoding="utf-8").replace("awsRegion:", "awsRegon:")
    probe = (
        "import sys, omkit_sagemaker\n"
        "result = omkit_sagemaker.run(sys.stdin.read(), environ=None)\n"
        "print(result.fatal)\n"
        "print(*(f'{p.file}:{p.line}:{p.column} {p.code}' for p in result.config_errors))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", probe],
        input=text,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    fatal, problems = proc.stdout.splitlines()
    assert fatal == "the config has 2 errors; nothing was run"
    assert problems.split() == ["<yaml>:19:7", "S002", "<yaml>:21:9", "S001"]
