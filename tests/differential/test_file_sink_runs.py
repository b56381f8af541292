"""The one deliberate difference that claims the runner misbehaves, shown by real runs.

omkit warns on a file sink (R026) instead of rejecting it, because ``omkit run`` writes it and
``metadata ingest`` cannot: 1.1.7.5 writes the JSON file and then fails when it closes it (exit 1
on every run), and 2.0.7.0 refuses the file sink's config at start. Each official release runs
``metadata ingest -c`` here against moto and the OpenMetadata test double (both on 127.0.0.1).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import diffharness
import pytest

from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


def _official(release: str) -> Path:
    reason = diffharness.missing_reason(release)
    if reason is not None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"CI=true: {reason}")
        pytest.skip(reason)
    return diffharness.venv_dir(release) / "bin" / "metadata"


def _ingest(metadata: Path, config: Path, om: OMServer) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "SM_SECRET": AWS_SECRET,
        "OM_JWT": om.token,
        "AWS_EC2_METADATA_DISABLED": "true",
        "PYTHONWARNINGS": "ignore",
    }
    return subprocess.run(
        [str(metadata), "ingest", "-c", str(config)],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.parametrize(("release", "server"), [("1.1.7.5", "1.1.7"), ("2.0.7.0", "2.0.7")])
def test_metadata_ingest_cannot_run_a_file_sink(
    tmp_path: Path, moto: MotoServer, release: str, server: str
) -> None:
    metadata = _official(release)
    create_model(moto, "churn", Image="img/churn:1")
    om = OMServer(version=server).start()
    # The file sink never writes to the server, so the source's wait for the service it
    # created would fail: the service is there already, as after an earlier run.
    om.seed_service("local_sagemaker")
    try:
        out = tmp_path / "entities.json"
        config = tmp_path / "sm.yaml"
        config.write_text(
            config_text(om.url, moto.endpoint, sink="file", filename=str(out)), encoding="utf-8"
        )
        proc = _ingest(metadata, config, om)
    finally:
        om.stop()
    log = proc.stdout + proc.stderr
    assert proc.returncode == 1, log[-2000:]
    if release == "1.1.7.5":
        assert "I/O operation on closed file" in log, log[-2000:]
        records = json.loads(out.read_text(encoding="utf-8"))  # the file itself is complete
        assert any("churn" in json.dumps(record) for record in records)
    else:
        assert "FileSinkConfig" in log, log[-2000:]
        assert "override_metadata" in log, log[-2000:]
