"""``omkit schema``: the bundled, self-contained workflow schema says what the spec/ registry says.

Every corpus file that loads is checked three ways: by the multi-file registry (what
``omkit validate`` uses), by the bundle in-process with the same format checker (same errors at
the same places), and by ``check-jsonschema --schemafile`` on the bundle as an independent
checker. check-jsonschema has its own ``uri``/``uuid`` format rules (a bare ``localhost:5000``
counts as a URI there), so those two formats are left out of that comparison on both sides; the
in-process comparison covers them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft7Validator
from omkit_sagemaker.base.resources import spec_dir
from omkit_sagemaker.check.loader import load_file
from omkit_sagemaker.spec import schema
from omkit_sagemaker.spec.bundle import bundle, bundle_text
from omkit_sagemaker.spec.codegen import read_spec

from testing.samples import CORPUS, FIXED_ENV, TEMPLATE

OMKIT = str(Path(sys.executable).with_name("omkit"))
CHECK_JSONSCHEMA = str(Path(sys.executable).with_name("check-jsonschema"))
FILES = [*sorted(p for p in CORPUS.rglob("*") if p.suffix in (".yaml", ".yml")), TEMPLATE]


def _id(path: Path) -> str:
    return path.name if path == TEMPLATE else path.relative_to(CORPUS).as_posix()


def documents() -> dict[str, Any]:
    """Every corpus file that loads, as omkit validate reads it (YAML 1.1, env expanded)."""
    out: dict[str, Any] = {}
    for path in FILES:
        loaded = load_file(path, environ=FIXED_ENV)
        if loaded.document is not None:
            out[_id(path)] = loaded.document.data
    return out


@pytest.fixture(scope="module")
def bundled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``omkit schema --output``, written by the command line."""
    path = tmp_path_factory.mktemp("schema") / "omkit-workflow.schema.json"
    proc = subprocess.run(
        [OMKIT, "schema", "--output", str(path)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert path.read_text(encoding="utf-8") == bundle_text(read_spec(spec_dir()))
    return path


def _errors(validator: Draft7Validator, document: Any) -> list[tuple[str, str, str]]:
    return sorted(
        (json.dumps(list(e.absolute_path)), str(e.validator), e.message)
        for e in validator.iter_errors(document)
    )


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [
            r for k, v in node.items() if k not in ("examples", "default") for r in _refs(v)
        ]
    if isinstance(node, list):
        return [r for v in node for r in _refs(v)]
    return []


def test_bundle_is_self_contained_and_keeps_the_editor_texts(bundled: Path) -> None:
    data = json.loads(bundled.read_text(encoding="utf-8"))
    Draft7Validator.check_schema(data)
    assert data["$schema"] == "http://json-schema.org/draft-07/schema#"
    refs = _refs(data)
    assert refs
    assert all(ref.startswith("#/definitions/") for ref in refs), refs
    aws = data["definitions"]["security.credentials.awsCredentials"]
    assert aws["properties"]["awsRegion"]["title"] == "Region"
    assert aws["properties"]["awsRegion"]["examples"]
    assert "$id" not in aws


def test_bundle_gives_the_registrys_verdict_on_every_corpus_file(
    bundled: Path, tmp_path: Path
) -> None:
    docs = documents()
    assert len(docs) >= 40
    schema_data = json.loads(bundled.read_text(encoding="utf-8"))
    registry_check = schema.validator()
    bundle_check = Draft7Validator(schema_data, format_checker=schema.format_checker())
    verdicts: dict[str, bool] = {}
    for name, document in docs.items():
        errors = _errors(registry_check, document)
        assert _errors(bundle_check, document) == errors, name
        verdicts[name] = not errors
    assert any(verdicts.values())
    assert not all(verdicts.values())

    # The independent checker, on the documents as loaded (written as JSON, so that its own
    # YAML reader, a YAML 1.2 one, cannot read them differently). Documents JSON cannot hold
    # as they are (dates, non-string keys) are left to the in-process comparison above.
    formats = schema.format_checker()
    for name in ("uri", "uuid"):
        formats.checkers.pop(name)
    structural = Draft7Validator(
        schema.load_spec()[schema.WORKFLOW], registry=schema.registry(), format_checker=formats
    )
    files: dict[str, str] = {}
    for i, (name, document) in enumerate(sorted(docs.items())):
        try:
            text = json.dumps(document)
        except (TypeError, ValueError):
            continue
        if json.loads(text) != document:
            continue
        path = tmp_path / f"{i:03d}.json"
        path.write_text(text, encoding="utf-8")
        files[str(path)] = name
    assert len(files) >= len(docs) - 5
    proc = subprocess.run(
        [
            CHECK_JSONSCHEMA,
            "--schemafile",
            str(bundled),
            "--regex-variant",
            "python",
            "--disable-formats",
            "uri,uuid",
            "--output-format",
            "json",
            *files,
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    report = json.loads(proc.stdout)
    assert report["parse_errors"] == [], report["parse_errors"]
    failing = {files[e["filename"]] for e in report["errors"]}
    expected = {name for name in files.values() if not structural.is_valid(docs[name])}
    assert failing == expected
    assert proc.returncode == (1 if expected else 0)


def test_bundle_text_is_deterministic() -> None:
    spec = read_spec(spec_dir())
    assert bundle_text(spec) == bundle_text(read_spec(spec_dir()))
    assert bundle(spec) == json.loads(bundle_text(spec))
