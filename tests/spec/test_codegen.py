"""``omkit codegen``: the committed models in toolkit/omkit_sagemaker/spec/models are exactly what
spec/ generates.

This is the drift check CI runs (through pytest): a schema change without ``omkit codegen`` fails
here, and a drifted copy of spec/ makes ``omkit codegen --check`` fail and show the difference.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from omkit_sagemaker.spec import codegen

REPO = Path(__file__).resolve().parents[2]
SPEC = REPO / "spec"
MODELS = REPO / "toolkit" / "omkit_sagemaker" / "spec" / "models"
OMKIT = str(Path(sys.executable).with_name("omkit"))
RUFF = str(Path(sys.executable).with_name("ruff"))


def omkit(*args: str, cwd: Path = REPO) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [OMKIT, *args],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


def test_regenerating_into_a_temp_dir_equals_the_committed_models(tmp_path: Path) -> None:
    out = tmp_path / "models"
    proc = omkit("codegen", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    committed = {p.name: p.read_bytes() for p in MODELS.glob("*.py")}
    generated = {p.name: p.read_bytes() for p in out.glob("*.py")}
    assert sorted(generated) == sorted(committed)
    stale = [name for name in sorted(generated) if generated[name] != committed[name]]
    assert stale == [], f"spec/models is out of date with spec/: run `omkit codegen` ({stale})"
    # Deterministic: the same schemas give the same bytes, with a header naming the source.
    assert codegen.generate(codegen.read_spec(SPEC)) == {
        name: data.decode("utf-8") for name, data in generated.items()
    }
    for name, data in generated.items():
        first, second = data.decode("utf-8").splitlines()[:2]
        assert first.startswith(codegen.MARK), name
        assert "do not edit" in first, name
        assert second.startswith("# Source: "), name
    # Already formatted as ruff would write it, so that the check cannot flap on formatting.
    fmt = subprocess.run(
        [RUFF, "format", "--check", "--no-cache", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert fmt.returncode == 0, fmt.stdout + fmt.stderr
    assert omkit("codegen", "--check").returncode == 0


def test_check_fails_on_a_spec_copy_with_one_more_property_and_names_it(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(SPEC, spec)
    target = spec / "security" / "credentials" / "awsCredentials.json"
    schema = json.loads(target.read_text(encoding="utf-8"))
    schema["properties"]["externalIdForDriftTest"] = {
        "title": "External ID",
        "description": "Added by the drift test.",
        "type": "string",
    }
    target.write_text(json.dumps(schema, indent=2), encoding="utf-8")

    proc = omkit("codegen", "--check", "--spec", str(spec))

    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "--- a/toolkit/omkit_sagemaker/spec/models/aws_credentials.py" in proc.stdout
    assert "+    externalIdForDriftTest: str | None = None" in proc.stdout
    assert "toolkit/omkit_sagemaker/spec/models/aws_credentials.py" in proc.stderr
    # Only that model differs, besides the fast checker compiled from the same schemas (which
    # then accepts the new key too), and --check wrote nothing.
    assert "toolkit/omkit_sagemaker/check/generated/fastcheck.py" in proc.stderr
    assert proc.stdout.count("\n--- a/") + proc.stdout.startswith("--- a/") == 2
    assert "externalIdForDriftTest" not in (MODELS / "aws_credentials.py").read_text()
