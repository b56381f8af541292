"""End-to-end tests of ``omkit validate``: the real entry point, in a subprocess, as a user runs it.

Exit codes: 0 no errors (warnings allowed unless --strict), 1 errors, 2 usage problems. Whatever
the input, omkit must never print a traceback nor any secret's value, in any output format.
Many files go through one subprocess call wherever possible, to keep the module fast.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from testing.samples import FIXED_ENV, SAMPLE_ENV

CORPUS = Path(__file__).parents[1] / "corpus"
FORMATS = ("text", "json", "sarif", "github")
#: The variable the corpus's yaml11-booleans.yaml references.
CORPUS_ENV = {"OMKIT_TEST_JWT": FIXED_ENV["OMKIT_TEST_JWT"]}
ANSI = re.compile(r"\x1b\[")

#: The v1.1.x SageMaker connector page's sample with its workflowConfig partial, as published.
CONNECTOR_PAGE_SAMPLE = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: Sagemaker
      awsConfig:
        awsAccessKeyId: KEY
        awsSecretAccessKey: SECRET
        # awsSessionToken: TOKEN
        awsRegion: us-east-2
        # endPointURL: https://athena.us-east-2.amazonaws.com/custom
        # profileName: profile
        # assumeRoleArn: "arn:partition:service:region:account:resource"
        # assumeRoleSessionName: session
        # assumeRoleSourceIdentity: identity
  sourceConfig:
    config:
      type: MlModelMetadata
      # markDeletedMlModels: true
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  loggerLevel: INFO  # DEBUG, INFO, WARNING or ERROR
  openMetadataServerConfig:
    hostPort: "http://localhost:8585/api"
    authProvider: openmetadata
    securityConfig:
      jwtToken: "{bot_jwt_token}"
    ## If SSL, fill the following
    # verifySSL: validate  # or ignore
    # sslConfig:
    #   certificatePath: /local/path/to/certificate
"""
FIXED_SAMPLE = CONNECTOR_PAGE_SAMPLE.replace("type: Sagemaker", "type: SageMaker")
#: The corrected sample with environment references instead of the page's placeholders
#: (KEY, SECRET, {bot_jwt_token}), which omkit's rules report as errors (R002): a clean config.
GOOD = (
    FIXED_SAMPLE.replace("awsAccessKeyId: KEY", "awsAccessKeyId: ${AWS_ACCESS_KEY_ID}")
    .replace("awsSecretAccessKey: SECRET", "awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}")
    .replace('jwtToken: "{bot_jwt_token}"', "jwtToken: ${OPENMETADATA_JWT_TOKEN}")
)
#: GOOD with the page's one schema error: exactly one diagnostic, S004 at 6:13.
BAD = GOOD.replace("type: SageMaker", "type: Sagemaker")


@dataclass(frozen=True)
class Run:
    """What one omkit process did."""

    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


#: As a value in ``omkit(env=...)``: remove the variable.
UNSET = "\0unset"
_UNSET = ("NO_COLOR", "FORCE_COLOR", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")


def _clean_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment of an omkit run: none of the developer's AWS or omkit variables, but
    the sample values of the variables the samples and the template reference (R020 reports
    unset ones; the tests of that set ``extra`` to remove them)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("OMKIT_") and k not in _UNSET}
    env.pop("OPENMETADATA_JWT_TOKEN", None)
    env["PYTHONIOENCODING"] = "utf-8"
    env.update(SAMPLE_ENV)
    env.update(extra or {})
    return {k: v for k, v in env.items() if v != UNSET}


def omkit(
    *args: str | Path,
    cwd: Path | None = None,
    env: Mapping[str, str] | None = None,
    command: list[str] | None = None,
) -> Run:
    """Run omkit (``python -m omkit_sagemaker`` unless ``command`` says otherwise), output piped."""
    argv = [*(command or [sys.executable, "-m", "omkit_sagemaker"]), *(str(a) for a in args)]
    proc = subprocess.run(
        argv, capture_output=True, cwd=cwd, env=_clean_env(env), timeout=120, check=False
    )
    return Run(
        proc.returncode,
        proc.stdout.decode("utf-8", errors="replace"),
        proc.stderr.decode("utf-8", errors="replace"),
    )


def assert_no_traceback(run: Run) -> None:
    assert "Traceback" not in run.both, run.err
    assert "internal error" not in run.err, run.err
    assert run.code in (0, 1, 2), (run.code, run.err)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# -- the connector page's sample -----------------------------------------------------------------


def test_connector_page_sample_as_published(tmp_path: Path) -> None:
    write(tmp_path / "sagemaker.yaml", CONNECTOR_PAGE_SAMPLE)
    lines = CONNECTOR_PAGE_SAMPLE.splitlines()
    line = next(n for n, text in enumerate(lines, 1) if text.strip() == "type: Sagemaker")
    column = lines[line - 1].index("Sagemaker") + 1
    assert (line, column) == (6, 13)

    run = omkit("validate", "sagemaker.yaml", cwd=tmp_path)
    assert run.code == 1, run
    assert run.err == ""
    pattern = rf"^sagemaker\.yaml:{line}:{column}: error S004 .*did you mean 'SageMaker'\?$"
    assert re.search(pattern, run.out, re.MULTILINE), run.out


def test_connector_page_sample_with_sagemaker(tmp_path: Path) -> None:
    write(tmp_path / "sagemaker.yaml", FIXED_SAMPLE)
    run = omkit("validate", "--format", "json", "sagemaker.yaml", cwd=tmp_path)
    report: Any = json.loads(run.out)
    # No schema problem is left; what remains are the page's placeholders (lint rule R002).
    found = {(d["code"], d["line"], d["column"]) for d in report["diagnostics"]}
    assert found == {("R002", 8, 25), ("R002", 9, 29), ("R002", 30, 17)}
    write(tmp_path / ".omkit.toml", 'disable = ["R002"]\n')
    run = omkit("validate", "sagemaker.yaml", cwd=tmp_path)
    assert (run.code, run.out, run.err) == (0, "1 file checked: no problems\n", "")
    write(tmp_path / "clean.yaml", GOOD)
    (tmp_path / ".omkit.toml").unlink()
    run = omkit("validate", "clean.yaml", cwd=tmp_path)
    assert (run.code, run.out, run.err) == (0, "1 file checked: no problems\n", "")


def test_console_script(tmp_path: Path) -> None:
    script = shutil.which("omkit", path=str(Path(sys.executable).parent))
    if script is None:
        pytest.skip("no omkit script next to the interpreter")
    write(tmp_path / "good.yaml", GOOD)
    write(tmp_path / "bad.yaml", BAD)
    run = omkit("validate", "good.yaml", "bad.yaml", cwd=tmp_path, command=[script])
    assert (run.code, run.err) == (1, "")
    assert run.out.startswith("bad.yaml:6:13: error S004 ")
    assert run.out.endswith("2 files checked: 1 error, 0 warnings\n")


# -- output formats ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def format_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Run]:
    """Each format on (bad.yaml + good.yaml) and on good.yaml alone: one process each."""
    folder = tmp_path_factory.mktemp("formats")
    write(folder / "bad.yaml", BAD)
    write(folder / "good.yaml", GOOD)
    runs: dict[tuple[str, str], Run] = {}
    for fmt in FORMATS:
        runs[fmt, "both"] = omkit("validate", "--format", fmt, "bad.yaml", "good.yaml", cwd=folder)
        runs[fmt, "good"] = omkit("validate", "-f", fmt, "good.yaml", cwd=folder)
    return runs


@pytest.mark.parametrize("fmt", FORMATS)
def test_format_exit_codes(format_runs: dict[tuple[str, str], Run], fmt: str) -> None:
    both, good = format_runs[fmt, "both"], format_runs[fmt, "good"]
    assert (both.code, both.err) == (1, "")
    assert (good.code, good.err) == (0, "")
    assert both.out.endswith("\n")
    assert good.out.endswith("\n")


def test_format_text(format_runs: dict[tuple[str, str], Run]) -> None:
    lines = format_runs["text", "both"].out.splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("bad.yaml:6:13: error S004 ")
    assert lines[0].endswith("did you mean 'SageMaker'?")
    assert lines[1] == "2 files checked: 1 error, 0 warnings"
    assert format_runs["text", "good"].out == "1 file checked: no problems\n"


def test_format_json(format_runs: dict[tuple[str, str], Run]) -> None:
    report: Any = json.loads(format_runs["json", "both"].out)
    assert report["summary"] == {"files": 2, "errors": 1, "warnings": 0, "valid": False}
    per_file = {f["file"]: (f["valid"], f["errors"], f["warnings"]) for f in report["files"]}
    assert per_file == {"bad.yaml": (False, 1, 0), "good.yaml": (True, 0, 0)}
    [diag] = report["diagnostics"]
    assert (diag["file"], diag["line"], diag["column"]) == ("bad.yaml", 6, 13)
    assert (diag["code"], diag["severity"]) == ("S004", "error")
    assert diag["path"] == "$.source.serviceConnection.config.type"
    assert diag["message"].endswith("did you mean 'SageMaker'?")

    valid: Any = json.loads(format_runs["json", "good"].out)
    assert valid["summary"] == {"files": 1, "errors": 0, "warnings": 0, "valid": True}
    assert valid["diagnostics"] == []


def test_format_sarif(format_runs: dict[tuple[str, str], Run]) -> None:
    log: Any = json.loads(format_runs["sarif", "both"].out)
    assert log["version"] == "2.1.0"
    [sarif_run] = log["runs"]
    assert sarif_run["tool"]["driver"]["name"] == "omkit"
    [result] = sarif_run["results"]
    assert (result["ruleId"], result["level"]) == ("S004", "error")
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uri"] == "bad.yaml"
    assert location["region"] == {"startLine": 6, "startColumn": 13}
    assert {a["location"]["uri"] for a in sarif_run["artifacts"]} == {"bad.yaml", "good.yaml"}

    valid: Any = json.loads(format_runs["sarif", "good"].out)
    assert valid["runs"][0]["results"] == []


def test_format_github(format_runs: dict[tuple[str, str], Run]) -> None:
    commands = [line for line in format_runs["github", "both"].out.splitlines() if line[:2] == "::"]
    assert len(commands) == 1
    assert commands[0].startswith("::error file=bad.yaml,line=6,col=13,title=omkit S004::")
    good = format_runs["github", "good"].out.splitlines()
    assert not [line for line in good if line.startswith("::")]


@pytest.fixture
def warnings_only(tmp_path: Path) -> Path:  # with CORPUS_ENV
    """A copy of the corpus file with five YAML 1.1 warnings and no error."""
    path = tmp_path / "yaml11.yaml"
    shutil.copyfile(CORPUS / "valid/yaml11-booleans.yaml", path)
    return path


def test_warnings_in_github_format_are_warning_commands(warnings_only: Path) -> None:
    run = omkit("validate", "-f", "github", warnings_only, env=CORPUS_ENV)
    assert run.code == 0
    commands = [line for line in run.out.splitlines() if line.startswith("::")]
    assert len(commands) == 5
    assert all(line.startswith("::warning file=") for line in commands)


# -- options -------------------------------------------------------------------------------------


def test_strict_fails_on_warnings(warnings_only: Path) -> None:
    lenient = omkit("validate", warnings_only, env=CORPUS_ENV)
    strict = omkit("validate", "--strict", warnings_only, env=CORPUS_ENV)
    assert lenient.code == 0
    assert strict.code == 1
    assert lenient.out == strict.out
    assert "warning Y009" in lenient.out
    assert lenient.out.splitlines()[-1] == "1 file checked: 0 errors, 5 warnings"


def test_no_env_leaves_references_unexpanded(tmp_path: Path) -> None:
    text = GOOD.replace("loggerLevel: INFO", "loggerLevel: ${OMKIT_CLI_LEVEL}")
    write(tmp_path / "env.yaml", text)
    expanded = omkit("validate", "env.yaml", cwd=tmp_path, env={"OMKIT_CLI_LEVEL": "WARNING"})
    literal = omkit(
        "validate", "--no-env", "env.yaml", cwd=tmp_path, env={"OMKIT_CLI_LEVEL": "WARNING"}
    )
    assert expanded.code == literal.code == 1
    assert "'WARNING'" in expanded.out  # S004, or the logger-warning rule that replaces it
    assert "${OMKIT_CLI_LEVEL}" not in expanded.out
    assert "not '${OMKIT_CLI_LEVEL}'" in literal.out
    assert "OMKIT_CLI_LEVEL is not expanded (--no-env)" in literal.out
    assert "WARNING'" not in literal.out
    # The problem is where ${...} is written either way.
    assert expanded.out.startswith("env.yaml:25:16: error ")
    assert literal.out.startswith("env.yaml:25:16: error S004 ")
    fine = omkit("validate", "env.yaml", cwd=tmp_path, env={"OMKIT_CLI_LEVEL": "DEBUG"})
    assert fine.code == 0


def test_directory_arguments_expand_recursively(tmp_path: Path) -> None:
    tree = tmp_path / "configs"
    write(tree / "a.yaml", GOOD)
    write(tree / "b.yml", GOOD)
    write(tree / "sub" / "deeper" / "c.yaml", BAD)
    write(tree / "x.yaml" / "d.yml", GOOD)  # a directory named like a config file
    write(tree / "notes.txt", "source: [unclosed\n")
    write(tree / "README.md", "# not a config\n")
    write(tree / "sagemaker.yaml.bak", "source: [unclosed\n")
    write(tree / ".hidden" / "e.yaml", "source: [unclosed\n")

    run = omkit("validate", "--format", "json", "configs", cwd=tmp_path)
    assert (run.code, run.err) == (1, "")
    report: Any = json.loads(run.out)
    checked = {f["file"]: f["errors"] for f in report["files"]}
    assert checked == {
        "configs/a.yaml": 0,
        "configs/b.yml": 0,
        "configs/sub/deeper/c.yaml": 1,
        "configs/x.yaml/d.yml": 0,
    }

    only_dir = omkit("validate", "configs/x.yaml", cwd=tmp_path)
    assert (only_dir.code, only_dir.out) == (0, "1 file checked: no problems\n")


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    write(tmp_path / "good.yaml", GOOD)
    for args in (["missing.yaml"], ["good.yaml", "missing.yaml"]):
        run = omkit("validate", *args, cwd=tmp_path)
        assert run.code == 2
        assert run.out == ""
        assert len(run.err.splitlines()) == 1, run.err
        assert "missing.yaml" in run.err
        assert_no_traceback(run)


@pytest.mark.parametrize(
    "args",
    [
        ["validate", "--frobnicate", "good.yaml"],
        ["validate", "--format", "xml", "good.yaml"],
        ["validate", "--target-version", "9.9", "good.yaml"],
        ["validate"],
        ["no-such-command"],
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str]) -> None:
    write(tmp_path / "good.yaml", GOOD)
    run = omkit(*args, cwd=tmp_path)
    assert run.code == 2, run
    assert_no_traceback(run)


# -- secrets never appear ------------------------------------------------------------------------

_AWS = "      awsConfig:\n        awsRegion: us-east-2\n"
_SERVER = (
    "    authProvider: openmetadata\n    securityConfig:\n      jwtToken: ${OMKIT_CLI_GOOD_JWT}\n"
)


def secret_config(aws: str = _AWS, server: str = _SERVER, connection: str = "") -> str:
    """The fixed sample with its awsConfig block, connection extras and server auth replaced."""
    return (
        "source:\n  type: sagemaker\n  serviceName: local_sagemaker\n  serviceConnection:\n"
        "    config:\n      type: SageMaker\n"
        + aws
        + connection
        + "  sourceConfig:\n    config:\n      type: MlModelMetadata\n"
        "sink:\n  type: metadata-rest\n  config: {}\n"
        "workflowConfig:\n  openMetadataServerConfig:\n    hostPort: http://localhost:8585/api\n"
        + server
    )


def _aws(*lines: str) -> str:
    return "      awsConfig:\n        awsRegion: us-east-2\n" + "".join(
        f"        {line}\n" for line in lines
    )


def _auth(provider: str, *lines: str) -> str:
    body = "".join(f"      {line}\n" for line in lines)
    return f"    authProvider: {provider}\n    securityConfig:\n{body}"


def _jwt(n: int) -> str:
    return f"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib3Qtb{n:03d}In0.c2lnbmF0dXJlX3NlY3JldA{n:03d}"


@dataclass(frozen=True)
class SecretCase:
    name: str
    text: str
    secrets: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()


PEM = (
    "-----BEGIN PRIVATE KEY-----\n"
    "MIIEvSuperSecretPemBody0123456789abcdef\n"
    "-----END PRIVATE KEY-----"
)

SECRET_CASES = [
    SecretCase(
        "key-as-list",
        secret_config(_aws("awsSecretAccessKey: [SuperSecret-Value-101]")),
        ("SuperSecret-Value-101",),
    ),
    SecretCase(
        "key-as-mapping",
        secret_config(_aws("awsSecretAccessKey: {SuperSecret-Value-102: x}")),
        ("SuperSecret-Value-102",),
    ),
    SecretCase(
        "key-yaml11-octal",
        secret_config(_aws("awsSecretAccessKey: 0777123456")),
        ("0777123456", "777123456", str(int("777123456", 8))),
    ),
    SecretCase(
        "key-yaml11-underscores",
        secret_config(_aws("awsSecretAccessKey: 1_234_567_890_123")),
        ("1_234_567_890_123", "1234567890123"),
    ),
    SecretCase(
        "key-yaml12-octal-warning",
        secret_config(_aws("awsSecretAccessKey: 0o7771234567")),
        ("0o7771234567", "7771234567", str(int("7771234567", 8))),
    ),
    SecretCase(
        "key-yes",
        secret_config(_aws("awsSecretAccessKey: yes", "awsSessionToken: SuperSecret-Value-106")),
        ("SuperSecret-Value-106",),
    ),
    SecretCase(
        "token-misplaced",
        secret_config(connection="      awsSessionToken: SuperSecret-Token-107\n"),
        ("SuperSecret-Token-107",),
    ),
    SecretCase(
        "token-misplaced-env",
        secret_config(connection="      awsSessionToken: ${OMKIT_CLI_TOKEN_108}\n"),
        ("SuperSecret-Token-108",),
        env=(("OMKIT_CLI_TOKEN_108", "SuperSecret-Token-108"),),
    ),
    SecretCase(
        "unknown-key-beside-secret",
        secret_config(
            _aws(
                "awsSecretAccessKey: SuperSecret-Value-109",
                "awsSecretKey: SuperSecret-Value-109b",
                "awsSecretAcessKey: 0777654321",
            )
        ),
        ("SuperSecret-Value-109", "0777654321", str(int("777654321", 8))),
    ),
    SecretCase(
        "duplicate-secret-key",
        secret_config(
            _aws(
                "awsSecretAccessKey: SuperSecret-Value-110a",
                "awsSecretAccessKey: SuperSecret-Value-110b",
            )
        ),
        ("SuperSecret-Value-110",),
    ),
    SecretCase(
        "jwt-for-google",
        secret_config(server=_auth("google", f"jwtToken: {_jwt(111)}")),
        (_jwt(111),),
    ),
    SecretCase(
        "jwt-misplaced-env",
        secret_config(server="    authProvider: no-auth\n    jwtToken: ${OMKIT_CLI_JWT_112}\n"),
        (_jwt(112),),
        env=(("OMKIT_CLI_JWT_112", _jwt(112)),),
    ),
    SecretCase(
        "jwt-env-list",
        secret_config(server=_auth("openmetadata", "jwtToken: ${OMKIT_CLI_JWT_113}")),
        (_jwt(113),),
        env=(("OMKIT_CLI_JWT_113", f"[{_jwt(113)}]"),),
    ),
    SecretCase(
        "jwt-with-unknown-key",
        secret_config(server=_auth("openmetadata", f"jwtToken: {_jwt(114)}", "jwt: 0777000114")),
        (_jwt(114), "0777000114"),
    ),
    SecretCase(
        "jwt-without-provider",
        secret_config(server=_auth("basic", f"jwtToken: {_jwt(115)}", "token: 115")),
        (_jwt(115),),
    ),
    SecretCase(
        "auth0-secret-octal",
        secret_config(
            server=_auth(
                "auth0", "clientId: ingestion", "secretKey: 0777000116", "domain: x.auth0.com"
            )
        ),
        ("0777000116", str(int("777000116", 8))),
    ),
    SecretCase(
        "oidc-secret-env-and-wrong-key",
        secret_config(
            server=_auth(
                "custom-oidc",
                "clientId: ingestion",
                "secretKey: ${OMKIT_CLI_OIDC_117}",
                "clientSecret: ${OMKIT_CLI_OIDC_117}",
                "tokenEndpoint: idp.example.com/token",
            )
        ),
        ("SuperSecret-Oidc-117",),
        env=(("OMKIT_CLI_OIDC_117", "SuperSecret-Oidc-117"),),
    ),
    SecretCase(
        "azure-secret-as-list",
        secret_config(
            server=_auth(
                "azure",
                "clientSecret: [SuperSecret-Azure-118]",
                "authority: https://login.microsoftonline.com/x",
                "clientId: app",
            )
        ),
        ("SuperSecret-Azure-118",),
    ),
    SecretCase(
        "okta-private-key-multiline-env",
        secret_config(
            server=_auth(
                "okta",
                "clientId: app",
                "orgURL: https://example.okta.com",
                "privateKey: ${OMKIT_CLI_PEM_119}",
                "email: bot@example.com",
            )
        ),
        ("MIIEvSuperSecretPemBody0123456789abcdef",),
        env=(("OMKIT_CLI_PEM_119", PEM),),
    ),
    SecretCase(
        "google-secret-key-number",
        secret_config(server=_auth("google", "secretKey: 0777000120", "aud: x")),
        ("0777000120", str(int("777000120", 8))),
    ),
    SecretCase(
        "secret-in-merged-anchor",
        secret_config(
            _aws("<<: &creds {awsSecretAccessKey: [SuperSecret-Merge-121]}"),
            connection="      extra: *creds\n",
        ),
        ("SuperSecret-Merge-121",),
    ),
    SecretCase(
        "env-secret-with-colon",
        secret_config(_aws("awsSecretAccessKey: ${OMKIT_CLI_SECRET_122}")),
        ("SuperSecret: Colon-122",),
        env=(("OMKIT_CLI_SECRET_122", "SuperSecret: Colon-122"),),
    ),
    SecretCase(
        "env-secret-alias",
        secret_config(_aws("awsSecretAccessKey: ${OMKIT_CLI_SECRET_123}")),
        ("SuperSecretAlias123",),
        env=(("OMKIT_CLI_SECRET_123", "*SuperSecretAlias123"),),
    ),
    SecretCase(
        "env-secret-anchor",
        secret_config(_aws("awsSecretAccessKey: ${OMKIT_CLI_SECRET_124}")),
        ("SuperSecretAnchor124",),
        env=(("OMKIT_CLI_SECRET_124", "&SuperSecretAnchor124"),),
    ),
    SecretCase(
        "env-secret-flow-mapping",
        secret_config(_aws("awsSecretAccessKey: ${OMKIT_CLI_SECRET_125}")),
        ("SuperSecretFlow125",),
        env=(("OMKIT_CLI_SECRET_125", "{SuperSecretFlow125: 1}"),),
    ),
    SecretCase(
        "env-secret-open-quote",
        secret_config(_aws("awsSessionToken: ${OMKIT_CLI_SECRET_126}")),
        ("SuperSecretQuote126",),
        env=(("OMKIT_CLI_SECRET_126", '"SuperSecretQuote126'),),
    ),
    SecretCase(
        "env-secret-control-character",
        secret_config(_aws("awsSecretAccessKey: ${OMKIT_CLI_SECRET_127}")),
        ("SuperSecret-Ctl127",),
        env=(("OMKIT_CLI_SECRET_127", "SuperSecret-Ctl127\x07"),),
    ),
    SecretCase(
        "env-secret-tag",
        secret_config(_aws("awsSecretAccessKey: ${OMKIT_CLI_SECRET_128}")),
        ("SuperSecretTag128",),
        env=(("OMKIT_CLI_SECRET_128", "!SuperSecretTag128"),),
    ),
    SecretCase(
        "secret-impossible-date",
        secret_config(_aws("awsSessionToken: 2031-02-31")),
        ("2031-02-31",),
    ),
    SecretCase(
        "secret-int-tag",
        secret_config(_aws("awsSecretAccessKey: !!int SuperSecretIntTag130")),
        ("SuperSecretIntTag130",),
    ),
]
SECRET_ENV: dict[str, str] = {
    "OMKIT_CLI_GOOD_JWT": _jwt(100),
    **{k: v for case in SECRET_CASES for k, v in case.env},
}


@pytest.fixture(scope="module")
def secret_outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Run]:
    """Every secret case checked in one process per format (plus one without expansion)."""
    folder = tmp_path_factory.mktemp("secrets")
    for case in SECRET_CASES:
        write(folder / f"{case.name}.yaml", case.text)
    runs = {
        fmt: omkit("validate", "--format", fmt, ".", cwd=folder, env=SECRET_ENV) for fmt in FORMATS
    }
    runs["no-env"] = omkit("validate", "--no-env", ".", cwd=folder, env=SECRET_ENV)
    return runs


def test_secret_cases_all_have_problems(secret_outputs: dict[str, Run]) -> None:
    for run in secret_outputs.values():
        assert run.code == 1
        assert_no_traceback(run)
    report: Any = json.loads(secret_outputs["json"].out)
    counted = {f["file"]: f["errors"] + f["warnings"] for f in report["files"]}
    assert set(counted) == {f"{case.name}.yaml" for case in SECRET_CASES}
    assert all(counted.values()), counted  # every case is a file with a diagnostic


@pytest.mark.parametrize("case", SECRET_CASES, ids=[case.name for case in SECRET_CASES])
def test_secrets_never_appear(secret_outputs: dict[str, Run], case: SecretCase) -> None:
    for fmt, run in secret_outputs.items():
        for secret in case.secrets:
            assert secret not in run.both, f"{secret!r} shown in {fmt} output"


# -- never a traceback ---------------------------------------------------------------------------


def _hostile_files(folder: Path) -> list[Path]:
    rng = random.Random(20240501)
    yaml_chars = "abc: -[]{},#&*!|>'\"%@`?\n\t \\"
    files: dict[str, bytes | str] = {
        "random-bytes-1.yaml": bytes(rng.randrange(256) for _ in range(4096)),
        "random-bytes-2.yml": bytes(rng.randrange(256) for _ in range(64)),
        "random-yaml-chars.yaml": "".join(rng.choice(yaml_chars) for _ in range(4096)),
        "random-unicode.yaml": "".join(chr(rng.randrange(0x20, 0x3000)) for _ in range(4096)),
        "deep-lists.yaml": "[" * 10_000 + "]" * 10_000 + "\n",
        "deep-lists-in-sink.yaml": "sink:\n  type: x\n  config:\n    a: "
        + "[" * 10_000
        + "]" * 10_000
        + "\n",
        "deep-mappings.yaml": "source: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
        "deep-block-mappings.yaml": "".join(" " * i + "a:\n" for i in range(1_200)),
        "five-mb-comments.yaml": ("# " + "x" * 1_000 + "\n") * 5_200 + GOOD,
        "five-mb-value.yaml": GOOD + "ingestionPipelineFQN: " + "a" * 5_000_000 + "\n",
        "binary.yaml": b"\x89PNG\r\n\x1a\n" + b"\x00" * 64 + bytes(range(256)),
        "utf16.yaml": FIXED_SAMPLE.encode("utf-16"),
        "nul-byte.yaml": b"source:\n  type: sage\x00maker\n",
        "python-tags.yaml": "source: !!python/object:os.system {}\n"
        "sink: !!python/name:os.system ''\n"
        "workflowConfig: !!python/object/new:subprocess.Popen [[ls]]\n",
        "python-tag-in-free-config.yaml": GOOD.replace(
            "config: {}", "config: !!python/object/apply:os.system [ls]"
        ),
        "only-bom.yaml": b"\xef\xbb\xbf",
        "whitespace-only.yaml": "   \n\n  \r\n",
        "tab-only.yaml": "\t\n",
        "unhashable-keys.yaml": "? [a, b]\n: c\n",
        "bool-and-int-keys.yaml": GOOD + "on: push\n1: one\n",
        "huge-int.yaml": GOOD.replace(
            "authProvider", "limitRecords: " + "9" * 5_000 + "\n    authProvider"
        ),
        "yaml-2-directive.yaml": "%YAML 2.0\n---\nsource: {}\n",
        "unknown-tag-handle.yaml": "source: !e!foo bar\n",
        "bad-merge.yaml": "source:\n  <<: 5\n",
        "c1-control.yaml": "source: \x85\x9f\n",
        "long-key.yaml": "source:\n  " + "k" * 100_000 + ": 1\n",
        "alias-bomb.yaml": (CORPUS / "invalid/billion-laughs.yaml").read_text(),
        "recursive-alias.yaml": "a: &a [*a]\n",
        "escape-sequences.yaml": 'source:\n  "\\x1b[2J\\x1b[31m": 1\n'
        '  type: "\\x1b]0;pwned\\x07"\n',
        "newline\nin name.yaml": "source: [\n",
    }
    for name, content in files.items():
        path = folder / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    (folder / "x.yaml").mkdir()
    write(folder / "x.yaml" / "inside.yaml", "workflowConfig: {}\n")
    return sorted(folder.iterdir())


def test_hostile_inputs_never_give_a_traceback(tmp_path: Path) -> None:
    folder = tmp_path / "hostile"
    folder.mkdir()
    paths = _hostile_files(folder)
    too_big = [p for p in paths if p.name.startswith("five-mb")]
    paths = [p for p in paths if p not in too_big]
    for path in too_big:  # refused before reading: a config is kilobytes
        run = omkit("validate", path, cwd=tmp_path)
        assert_no_traceback(run)
        assert run.code == 2
        assert run.err.endswith(
            "bytes is more than omkit reads (4 MiB; a config is a few kilobytes)\n"
        )
    for fmt in ("text", "json"):
        run = omkit("validate", "--format", fmt, *paths, cwd=tmp_path)
        assert_no_traceback(run)
        assert run.code == 1
    report: Any = json.loads(run.out)
    checked = {Path(f["file"]).name for f in report["files"]}
    expected = {p.name for p in paths if p.is_file()} | {"inside.yaml"}
    assert checked == expected


@pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() == 0, reason="root can read any file"
)
def test_unreadable_file(tmp_path: Path) -> None:
    path = write(tmp_path / "secret.yaml", GOOD)
    path.chmod(0)
    try:
        run = omkit("validate", "secret.yaml", cwd=tmp_path)
    finally:
        path.chmod(0o600)
    assert_no_traceback(run)
    assert run.code == 1
    assert "Y011" in run.out


CRASHERS = {
    "null-key": "~: x\n" + GOOD,
    "date-key": GOOD + "2024-01-01: x\n",
    "float-key": GOOD.replace("  config: {}", "  config: {}\n  1.5: x"),
    "omap-tag": GOOD.replace("config: {}", "config: !!omap [a: 1]"),
    "set-tag": GOOD.replace("config: {}", "config: !!set {a, b}"),
    "merge-key-and-impossible-date": GOOD.replace("  config: {}", "  config:\n    <<: {a: 1}")
    + "pipelineRunId: 2024-02-30\n",
}


@pytest.mark.parametrize("name", list(CRASHERS))
def test_inputs_that_crash_the_checker(tmp_path: Path, name: str) -> None:
    write(tmp_path / f"{name}.yaml", CRASHERS[name])
    run = omkit("validate", f"{name}.yaml", cwd=tmp_path)
    assert_no_traceback(run)
    assert run.code == 1


# -- colour --------------------------------------------------------------------------------------


def test_piped_output_has_no_ansi_escapes(tmp_path: Path) -> None:
    write(tmp_path / "bad.yaml", BAD)
    cases: list[tuple[str, dict[str, str]]] = [("text", {})]
    cases += [(fmt, {"NO_COLOR": "1", "FORCE_COLOR": "1"}) for fmt in FORMATS]
    for fmt, env in cases:
        run = omkit("validate", "-f", fmt, "bad.yaml", cwd=tmp_path, env=env)
        assert run.code == 1
        assert not ANSI.search(run.both), (env, fmt)
    forced = omkit("validate", "bad.yaml", cwd=tmp_path, env={"FORCE_COLOR": "1"})
    assert ANSI.search(forced.out)  # the check above can see colour when there is some


@pytest.mark.parametrize(
    "fmt",
    [
        "text",
        "json",
        "sarif",
        "github",
    ],
)
def test_escape_sequences_from_the_file_are_not_replayed(tmp_path: Path, fmt: str) -> None:
    text = GOOD.replace("  config: {}", '  config: {}\n  "\\e[31mred\\e]0;title\\a": 1')
    write(tmp_path / "escapes.yaml", text)
    run = omkit("validate", "-f", fmt, "escapes.yaml", cwd=tmp_path, env={"NO_COLOR": "1"})
    assert run.code == 1
    assert "\x1b" not in run.both
    assert "\x07" not in run.both
