"""``omkit run`` end to end: the real ``omkit`` entry point in a subprocess, against moto (through
the fault proxy where a SageMaker call must fail) and the recording OpenMetadata double.

Exit codes: 0 success, 1 any error, 2 usage. Whatever happens, no traceback and no secret in
stdout or stderr.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from testing.awsfaults import FaultProxy
from testing.awsfixtures import (
    MotoServer,
    create_model,
    iam_enforced,
    iam_user,
    seed_estate,
    tag_model,
)
from testing.omdouble import OMServer
from testing.samples import ACCESS_KEY, AWS_SECRET, config_text

OMKIT = shutil.which("omkit", path=str(Path(sys.executable).parent)) or "omkit"


@dataclass
class Done:
    code: int
    out: str
    err: str


def omkit(*args: str, cwd: Path, env: dict[str, str], program: tuple[str, ...] = (OMKIT,)) -> Done:
    """``omkit ARGS`` in a subprocess (``program``: the command that stands for ``omkit``);
    asserts that no output holds a traceback or a secret."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "OMKIT_"))}
    proc = subprocess.run(
        [*program, *args],
        cwd=cwd,
        env={**base, "AWS_EC2_METADATA_DISABLED": "true", **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    done = Done(proc.returncode, proc.stdout, proc.stderr)
    both = done.out + done.err
    assert "Traceback" not in both
    for secret in env.values():
        assert secret not in both or len(secret) < 4
    return done


def seed(moto: MotoServer) -> None:
    arn = create_model(moto, "churn", Image="img/churn:1", ModelDataUrl="s3://m/churn.tar.gz")
    tag_model(moto, arn, {"team": "ml"})
    create_model(moto, "fraud", Image="img/fraud:2")
    create_model(moto, "legacy-scorer", Image="img/legacy:0")


def write_config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "sm.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def env_for(om: OMServer, token: str | None = None) -> dict[str, str]:
    return {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token if token is None else token}


def test_a_run_then_a_second_run_that_soft_deletes(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed(moto)
    write_config(tmp_path, config_text(om_server.url, moto.endpoint))
    first = omkit("run", "sm.yaml", cwd=tmp_path, env=env_for(om_server))
    assert first.code == 0, first.err
    assert "Processed     3  (created 3, updated 0)" in first.out
    assert "Finished successfully" in first.out
    assert "omkit: info: OpenMetadata server version 1.1.7" in first.err
    assert sorted(om_server.live_models()) == [
        "local_sagemaker.churn",
        "local_sagemaker.fraud",
        "local_sagemaker.legacy-scorer",
    ]
    moto.client("sagemaker").delete_model(ModelName="legacy-scorer")  # 1 of 3: more than 20 %
    refused = omkit("run", "sm.yaml", cwd=tmp_path, env=env_for(om_server))
    assert refused.code == 1
    assert (
        "markDeletedMlModels: refusing to soft-delete 1 of the 3 models of service "
        "local_sagemaker (33%; at most 20% in one run" in refused.out
    )
    assert om_server.calls("DELETE") == []
    second = omkit(
        "run", "sm.yaml", "--format", "json", "--allow-mass-delete",
        cwd=tmp_path, env=env_for(om_server),
    )  # fmt: skip
    assert second.code == 0, second.err
    report = json.loads(second.out)
    assert report["success"] is True
    assert report["summary"]["softDeleted"] == 1
    assert report["summary"]["updated"] == 2
    assert report["markDeleted"]["models"] == ["local_sagemaker.legacy-scorer"]
    assert [r.query for r in om_server.calls("DELETE")] == [
        {"recursive": "true", "hardDelete": "false"}
    ]


def test_a_describe_failure_exits_1_and_deletes_nothing(
    aws_faults: FaultProxy, moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed(moto)
    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "gone-from-sagemaker")
    aws_faults.fail("DescribeModel", "fraud", message="Could not find model fraud.")
    write_config(tmp_path, config_text(om_server.url, aws_faults.endpoint))
    done = omkit("run", "sm.yaml", cwd=tmp_path, env=env_for(om_server))
    assert done.code == 1
    assert (
        "model fraud: DescribeModel failed: ValidationException: Could not find model" in done.out
    )
    assert "Processed     2" in done.out
    assert "markDeletedMlModels: nothing soft-deleted, because the run had 1 error" in done.err
    assert om_server.calls("DELETE") == []
    assert not om_server.models["local_sagemaker.gone-from-sagemaker"]["deleted"]


def test_openmetadata_500s_exit_1_and_delete_nothing(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed(moto)
    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "gone-from-sagemaker")
    om_server.fail("PUT", "/api/v1/mlmodels", status=500, times=-1, name="churn", retry_after=0)
    write_config(tmp_path, config_text(om_server.url, moto.endpoint))
    done = omkit("run", "sm.yaml", "--format", "json", cwd=tmp_path, env=env_for(om_server))
    assert done.code == 1
    report = json.loads(done.out)
    assert report["success"] is False
    assert report["errors"][0]["subject"] == "model churn"
    assert "HTTP 500" in report["errors"][0]["message"]
    assert len(om_server.calls("PUT", "/api/v1/mlmodels")) == 2 + 4  # churn: 1 + 3 retries
    assert om_server.calls("DELETE") == []


def test_a_wrong_token_exits_1_with_a_clear_message(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed(moto)
    write_config(tmp_path, config_text(om_server.url, moto.endpoint))
    done = omkit("run", "sm.yaml", cwd=tmp_path, env=env_for(om_server, "a-wrong-bot-token"))
    assert done.code == 1
    message = (
        "omkit: error: OpenMetadata: GET /services/mlmodelServices/name/local_sagemaker: "
        "HTTP 401 Not Authorized! Token verification failed (the server refused the token: "
        "check securityConfig.jwtToken, the bot's JWT)"
    )
    assert message in done.err
    assert "Stopped: OpenMetadata: GET" in done.out
    assert om_server.calls("PUT") == []


def test_the_file_sink_needs_no_server(moto: MotoServer, tmp_path: Path) -> None:
    seed(moto)
    text = config_text("http://127.0.0.1:9/api", moto.endpoint, sink="file", filename="out.json")
    write_config(tmp_path, text)
    done = omkit("run", "sm.yaml", cwd=tmp_path, env={"SM_SECRET": AWS_SECRET, "OM_JWT": "jwt1"})
    assert done.code == 0, done.err
    records = json.loads((tmp_path / "out.json").read_text(encoding="utf-8"))
    assert [r["name"] for r in records] == [
        "local_sagemaker",
        "team",
        "ml",
        "churn",
        "fraud",
        "legacy-scorer",
    ]
    assert AWS_SECRET not in (tmp_path / "out.json").read_text(encoding="utf-8")
    assert "file out.json" in done.out


def test_a_dry_run_writes_nothing(moto: MotoServer, om_server: OMServer, tmp_path: Path) -> None:
    seed(moto)
    write_config(tmp_path, config_text(om_server.url, moto.endpoint))
    done = omkit(
        "run", "sm.yaml", "--dry-run", "--workers", "2", cwd=tmp_path, env=env_for(om_server)
    )
    assert done.code == 0, done.err
    assert "Would write (nothing was written):" in done.out
    assert "  create    local_sagemaker.churn" in done.out
    assert "  new tag   team.ml" in done.out
    assert {r.method for r in om_server.requests} == {"GET"}


def test_no_tags_and_workers_options(
    aws_faults: FaultProxy, moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed(moto)
    write_config(tmp_path, config_text(om_server.url, aws_faults.endpoint))
    done = omkit(
        "run", "sm.yaml", "--no-tags", "--workers", "1", cwd=tmp_path, env=env_for(om_server)
    )
    assert done.code == 0, done.err
    assert "ListTags" not in aws_faults.actions
    assert om_server.calls("PUT", "/api/v1/(classifications|tags)") == []


def test_an_invalid_config_exits_1_and_names_the_problem(
    om_server: OMServer, tmp_path: Path
) -> None:
    text = config_text(om_server.url, "http://127.0.0.1:1").replace("SageMaker", "Sagemaker", 1)
    write_config(tmp_path, text)
    done = omkit("run", "sm.yaml", cwd=tmp_path, env=env_for(om_server))
    assert done.code == 1
    assert "The config has 1 error:" in done.out
    assert "sm.yaml:6:13: S004 type must be 'SageMaker', not 'Sagemaker'" in done.out
    assert om_server.requests == []


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "missing.yaml"], "missing.yaml: no such file or directory"),
        (["run", "sm.yaml", "--workers", "0"], "--workers"),
        (["run", "sm.yaml", "--format", "xml"], "--format"),
    ],
)
def test_usage_errors_exit_2(tmp_path: Path, args: list[str], message: str) -> None:
    (tmp_path / "sm.yaml").write_text("source: {}\n", encoding="utf-8")
    done = omkit(*args, cwd=tmp_path, env={})
    assert done.code == 2
    assert message in done.err


# ---- training jobs and endpoints (issue 14) ----------------------------------------------------


def test_a_run_ingests_training_jobs_and_endpoints_and_assets_leaves_kinds_out(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed_estate(moto)
    write_config(tmp_path, config_text(om_server.url, moto.endpoint))
    full = omkit("run", "sm.yaml", cwd=tmp_path, env=env_for(om_server))
    assert full.code == 0, full.err
    assert "Processed     4  (created 4, updated 0)" in full.out
    assert "warning" not in full.err
    churn = om_server.models["local_sagemaker.churn"]
    assert churn["algorithm"] == "xgboost"
    assert churn["mlHyperParameters"] == [
        {"name": "max_depth", "value": "5"},
        {"name": "eta", "value": "0.2"},
    ]
    assert churn["server"] == (
        "https://runtime.sagemaker.us-east-1.amazonaws.com/endpoints/churn-prod/invocations"
    )
    assert churn["description"].startswith("**Training job** `churn-train-7`\n")
    assert (
        "| `churn-shadow` | InService | `blue` | 0.7 | `ml.m5.large` | 2 |"
        in (churn["description"])
    )

    om_server.clear_requests()
    models_only = omkit(
        "run", "sm.yaml", "--assets", "models", cwd=tmp_path, env=env_for(om_server)
    )
    assert models_only.code == 0, models_only.err
    bodies = {r.body["name"]: r.body for r in om_server.calls("PUT", "/api/v1/mlmodels")}
    assert bodies["churn"] == {
        "name": "churn",
        "algorithm": "xgboost",
        "mlStore": churn["mlStore"],
        "service": "local_sagemaker",
        "sourceUrl": churn["sourceUrl"],
    }


def test_an_unknown_asset_kind_is_a_usage_error(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    write_config(tmp_path, config_text(om_server.url, moto.endpoint))
    done = omkit(
        "run", "sm.yaml", "--assets", "models,monitoring", cwd=tmp_path, env=env_for(om_server)
    )
    assert done.code == 2
    assert done.err == (
        "omkit: error: --assets: unknown asset kind 'monitoring' "
        "(known: models, training-jobs, endpoints, registry, features, lineage)\n"
    )
    assert om_server.requests == []


def test_credentials_without_the_endpoint_actions_skip_endpoints_with_one_warning(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    seed_estate(moto)
    allowed = [
        "sagemaker:ListModels",
        "sagemaker:DescribeModel",
        "sagemaker:ListTags",
        "sagemaker:DescribeTrainingJob",
        "sagemaker:Search",
    ]
    key, secret = iam_user(moto, "no-endpoints", allowed)
    text = config_text(om_server.url, moto.endpoint).replace(ACCESS_KEY, key)
    write_config(tmp_path, text)
    with iam_enforced(moto):
        done = omkit(
            "run", "sm.yaml", cwd=tmp_path, env={"SM_SECRET": secret, "OM_JWT": om_server.token}
        )
    assert done.code == 0, done.err
    warnings = [line for line in done.err.splitlines() if "warning" in line]
    assert len(warnings) == 1
    assert warnings[0].startswith(
        # Search lists the endpoints; the first endpoint call it lacks is DescribeEndpointConfig
        "omkit: warning: endpoints: skipped: sagemaker:DescribeEndpointConfig is not allowed ("
    )
    churn = om_server.models["local_sagemaker.churn"]
    assert "server" not in churn
    assert churn["mlHyperParameters"][0] == {"name": "max_depth", "value": "5"}  # jobs still read


def test_a_failing_endpoint_config_is_read_once_and_only_warns(
    aws_faults: FaultProxy, moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    """DescribeEndpointConfig fails (a non-permission error): each endpoint on it is left out
    with a warning, the failed config is not asked again for the second endpoint sharing it,
    and the models are still ingested (exit 0)."""
    seed_estate(moto)
    aws_faults.fail("DescribeEndpointConfig", message="config unreadable")
    write_config(tmp_path, config_text(om_server.url, aws_faults.endpoint))
    done = omkit("run", "sm.yaml", cwd=tmp_path, env=env_for(om_server))
    assert done.code == 0, done.err
    # the endpoints come from one Search page: no DescribeEndpoint
    assert aws_faults.actions.count("DescribeEndpoint") == 0
    assert aws_faults.actions.count("DescribeEndpointConfig") == 2  # churn-ab, fraud-only
    assert "ListTrainingJobs" not in aws_faults.actions
    for endpoint, config in (
        ("churn-prod", "churn-ab"),
        ("churn-shadow", "churn-ab"),
        ("fraud-prod", "fraud-only"),
    ):
        assert (
            f"endpoint {endpoint}: DescribeEndpointConfig {config} failed: ValidationException: "
            "config unreadable" in done.out
        )
    assert "Finished with warnings" in done.out
    assert sorted(om_server.live_models()) == [
        "local_sagemaker.churn",
        "local_sagemaker.fraud",
        "local_sagemaker.imported",
        "local_sagemaker.scorer",
    ]
    assert "server" not in om_server.models["local_sagemaker.churn"]
