"""``omkit run`` over a whole seeded estate through the real entry point (a subprocess): the
registry's groups, features and ``--lineage-service`` end to end, the JSON report's kinds, and
``omkit policy sagemaker --assets`` for the new kinds."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from testing.awsfixtures import ACCOUNT, MotoServer, seed_estate, seed_features, seed_registry
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

OMKIT = shutil.which("omkit", path=str(Path(sys.executable).parent)) or "omkit"


def omkit(*args: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_"))}
    done = subprocess.run(
        [OMKIT, *args],
        cwd=cwd,
        env={**base, "AWS_EC2_METADATA_DISABLED": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in done.stdout + done.stderr
    assert AWS_SECRET not in done.stdout + done.stderr
    return done


def test_a_run_with_lineage_writes_groups_features_and_edges(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed_estate(moto)
    seed_registry(moto)
    seed = seed_features(moto)
    table = om_server.seed_table(f"glue_prod.{ACCOUNT}.{seed.database}.{seed.table}")
    (tmp_path / "sm.yaml").write_text(config_text(om_server.url, moto.endpoint), "utf-8")
    env = {"SM_SECRET": AWS_SECRET, "OM_JWT": om_server.token}
    done = omkit(
        "run",
        "sm.yaml",
        "--lineage-service",
        "glue_prod",
        "--format",
        "json",
        cwd=tmp_path,
        env=env,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [a["kind"] for a in report["assets"] if a["read"]] == [
        "models",
        "training-jobs",
        "endpoints",
        "registry",
        "features",
    ]
    models = om_server.live_models("local_sagemaker")
    assert {"local_sagemaker.churn_registry", "local_sagemaker.fraud-models"} <= set(models)
    featured = models["local_sagemaker.churn-fs"]["mlFeatures"]
    assert [f["name"] for f in featured] == ["tenure", "plan", "monthly_spend"]
    model_id = models["local_sagemaker.churn-fs"]["id"]
    assert om_server.lineage == [(table["id"], "table", model_id, "mlmodel")]


def test_policy_for_the_registry_and_features(tmp_path: Path) -> None:
    done = omkit("policy", "sagemaker", "--assets", "registry,features", cwd=tmp_path, env={})
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout[done.stdout.index("{") :])
    assert [(s["Sid"], s["Action"]) for s in document["Statement"]] == [
        (
            "ReadSageMakerModels",
            [
                "sagemaker:ListModels",
                "sagemaker:DescribeModel",
                "sagemaker:ListTags",
                "sagemaker:Search",
            ],
        ),
        ("ReadSageMakerModelRegistry", ["sagemaker:Search"]),
        ("ReadSageMakerFeatureGroups", ["sagemaker:Search", "sagemaker:DescribeFeatureGroup"]),
    ]
