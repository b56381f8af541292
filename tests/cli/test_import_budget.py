"""The import budget of ``omkit validate``: it runs on every commit, so what it imports is part of
its behaviour. A fresh process running the real entry point must not import the CLI framework
(typer, click, rich), jsonschema and its helpers (referencing, attrs, rpds), the AWS SDK, pydantic,
the language server's libraries, or argparse and dataclasses, whether the file is valid or has
problems to explain. A set of module names, not a timing: a regression fails here on any
machine."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from testing.samples import SAMPLE_ENV, TEMPLATE

BANNED = frozenset(
    {
        "boto3", "botocore", "pydantic", "pygls", "lsprotocol", "jsonschema", "referencing",
        "attrs", "rpds", "rich", "ruamel", "typer", "click",
        # The standard library's slow starters: the fast path parses its own arguments, and the
        # classes on the path are base.records classes (a dataclass compiles its methods at
        # import, ~1 ms each, and dataclasses imports inspect, ast and dis).
        "argparse", "dataclasses", "inspect",
    }
)  # fmt: skip

_PROBE = """
import sys
from omkit_sagemaker import cli
sys.argv = ["omkit", *sys.argv[1:]]
try:
    cli.main()
except SystemExit as exc:
    code = exc.code
print("exit:", code)
print("imported:", ",".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


def _validate(path: Path) -> tuple[int, set[str], str]:
    """Exit code, imported top-level packages and output of ``omkit validate PATH``."""
    env = {"PATH": "/usr/bin:/bin", **SAMPLE_ENV}
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, "validate", str(path)],
        capture_output=True, text=True, cwd=path.parent, env=env, check=True,
    )  # fmt: skip
    lines = result.stdout.splitlines()
    code = int(next(x for x in lines if x.startswith("exit: ")).removeprefix("exit: "))
    found = next(x for x in lines if x.startswith("imported: ")).removeprefix("imported: ")
    return code, set(found.split(",")), result.stdout


def test_a_valid_file_is_checked_without_a_heavy_import(tmp_path: Path) -> None:
    path = tmp_path / "sagemaker.yaml"
    path.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    code, imported, out = _validate(path)
    assert code == 0, out
    assert "1 file checked: no problems" in out
    assert "yaml" in imported  # the probe does see what was imported
    assert imported & BANNED == set()


def test_a_file_with_errors_is_explained_without_jsonschema(tmp_path: Path) -> None:
    text = TEMPLATE.read_text(encoding="utf-8")
    for old, new in (
        ("      type: SageMaker\n", "      type: Sagemaker\n"),  # S004, an enum
        ("markDeletedMlModels: true\n", "markDeletedMlModels: maybe\n"),  # S003, a type
        ("hostPort: http://localhost:8585/api\n", "hostPort: localhost:8585\n"),  # S006, a URL
        ("  serviceName: aws_sagemaker\n", "  serviceName: aws_sagemaker\n  serviceNme: x\n"),
    ):
        assert old in text
        text = text.replace(old, new, 1)
    path = tmp_path / "sagemaker.yaml"
    path.write_text(text, encoding="utf-8")
    code, imported, out = _validate(path)
    assert code == 1, out
    for shown in ("S004 type must be 'SageMaker'", "S003 markDeletedMlModels", "S006 hostPort",
                  "S001 unknown key 'serviceNme'"):  # fmt: skip
        assert shown in out
    assert imported & BANNED == set()
