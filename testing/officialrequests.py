"""Hold request bodies to the official OpenMetadata client's own request models.

The recording double checks request keys and field shapes by hand; this asks the official
client of a release (its generated pydantic models, in the venv the differential suite uses:
``.venv-official/<release>``) whether it accepts each body, so a body the real server's schema
would refuse fails a test even where the double is lenient. One subprocess per call; the
bodies go in as JSON on stdin (several request models in one process: importing the client
takes seconds), one error line per refused body comes out.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]

#: The request models, by the ``PUT`` path they are sent to.
MODELS = {
    "/lineage": "metadata.generated.schema.api.lineage.addLineage.AddLineageRequest",
    "/mlmodels": "metadata.generated.schema.api.data.createMlModel.CreateMlModelRequest",
}

_SCRIPT = """
import importlib, json, sys
for path, (dotted, bodies) in json.load(sys.stdin).items():
    module, _, name = dotted.rpartition(".")
    model = getattr(importlib.import_module(module), name)
    for i, body in enumerate(bodies):
        try:
            check = getattr(model, "model_validate", None) or model.parse_obj
            check(body)
        except Exception as exc:
            print(f"PUT {path} body {i}: {str(exc).splitlines()[0]}")
"""


def official_python(release: str) -> Path:
    """The official venv's Python of ``release`` (skips the test when it is not installed)."""
    base = os.environ.get("OMKIT_OFFICIAL_VENVS")
    python = (Path(base) if base else ROOT / ".venv-official") / release / "bin" / "python"
    if not python.is_file():
        pytest.skip(f"no official openmetadata-ingestion {release} at {python.parent.parent}")
    return python


def refused(bodies: dict[str, list[Any]], release: str = "2.0.7.0") -> list[str]:
    """One line per body the official request model of its ``PUT`` path (a key of
    :data:`MODELS`) refuses; empty when every one is accepted."""
    assert all(bodies.values()), "no bodies to check"
    wanted = {path: (MODELS[path], sent) for path, sent in bodies.items()}
    answer = subprocess.run(
        [str(official_python(release)), "-c", _SCRIPT],
        input=json.dumps(wanted),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert answer.returncode == 0, answer.stderr[-2000:]
    return answer.stdout.splitlines()
