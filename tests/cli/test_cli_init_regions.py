"""``omkit init sagemaker --regions``: one ordinary config per region, end to end (the real
``omkit`` entry point in a subprocess)."""

from __future__ import annotations

from pathlib import Path

import yaml
from test_cli_run import omkit


def test_one_file_per_region_each_the_single_region_config(tmp_path: Path) -> None:
    done = omkit(
        "init", "sagemaker", "--regions", "us-east-1,eu-west-1", "--service-name", "ml",
        "--no-input", "-o", "prod.yaml", cwd=tmp_path, env={},
    )  # fmt: skip
    assert done.code == 0, done.err
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "prod-eu-west-1.yaml",
        "prod-us-east-1.yaml",
    ]
    single = omkit(
        "init", "sagemaker", "--region", "eu-west-1", "--service-name", "ml_eu-west-1",
        "--no-input", cwd=tmp_path, env={},
    )  # fmt: skip
    # the same file a single --region writes: no key of its own, so metadata ingest runs it
    assert (tmp_path / "prod-eu-west-1.yaml").read_text(encoding="utf-8") == single.out
    data = yaml.safe_load(single.out)
    assert data["source"]["serviceName"] == "ml_eu-west-1"
    assert data["source"]["serviceConnection"]["config"]["awsConfig"]["awsRegion"] == "eu-west-1"
    checked = omkit("validate", "--no-env", ".", cwd=tmp_path, env={})
    assert checked.code == 0, checked.out

    again = omkit(
        "init", "sagemaker", "--regions", "ap-south-1,eu-west-1", "--no-input", "-o",
        "prod.yaml", cwd=tmp_path, env={},
    )  # fmt: skip
    assert again.code == 2
    assert "prod-eu-west-1.yaml already exists" in again.err
    assert not (tmp_path / "prod-ap-south-1.yaml").exists()  # nothing written when one exists
    bad = omkit("init", "sagemaker", "--regions", "us-east-1a", "--no-input", cwd=tmp_path, env={})
    assert bad.code == 2
    assert "us-east-1a" in bad.err
