"""``omkit run PATH...`` and ``--region`` lists end to end: the real ``omkit`` entry point in a
subprocess, against moto (models in two regions) and the recording OpenMetadata double."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3
from test_cli_run import env_for, omkit

from testing.awsfixtures import ROLE_ARN, MotoServer
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text


def models_in(moto: MotoServer, region: str, *names: str) -> None:
    client: Any = boto3.client(
        "sagemaker",
        region_name=region,
        endpoint_url=moto.endpoint,
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    for name in names:
        client.create_model(
            ModelName=name, ExecutionRoleArn=ROLE_ARN, PrimaryContainer={"Image": f"img/{name}"}
        )


def test_run_dir_runs_every_config_with_one_table(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    models_in(moto, "us-east-1", "churn", "fraud", "scorer")
    configs = tmp_path / "configs"
    (configs / "team").mkdir(parents=True)
    (configs / "a.yaml").write_text(
        config_text(om_server.url, moto.endpoint, service="svc_a"), encoding="utf-8"
    )
    (configs / "team" / "b.yaml").write_text(
        config_text(om_server.url, moto.endpoint, service="svc_b"), encoding="utf-8"
    )
    bad = config_text(om_server.url, moto.endpoint, service="svc_c")
    (configs / "c.yaml").write_text(bad.replace("awsRegion", "awsRegon"), encoding="utf-8")

    done = omkit("run", "configs", "--no-tags", cwd=tmp_path, env=env_for(om_server))
    assert done.code == 1, done.err
    lines = done.out.splitlines()
    assert lines[0].split() == [
        "config", "service", "region", "processed", "errors", "soft-deleted", "duration", "status",
    ]  # fmt: skip
    rows = {line.split()[0]: line.split() for line in lines[2:5]}
    assert rows["configs/a.yaml"][1:5] == ["svc_a", "us-east-1", "3", "0"]
    assert rows["configs/team/b.yaml"][1:5] == ["svc_b", "us-east-1", "3", "0"]
    assert rows["configs/c.yaml"][1:3] == ["-", "-"]
    assert rows["configs/c.yaml"][-2:] == [
        "invalid",
        "config",
    ]
    total = next(line for line in lines if line.startswith("total"))
    assert total.split()[:5] == [
        "total",
        "(3",
        "configs)",
        "6",
        str(int(rows["configs/c.yaml"][4])),
    ]
    assert "configs/c.yaml:10:9: error S001" in done.out  # the invalid one's problem, placed
    assert done.out.rstrip().endswith("1 of 3 runs failed")
    assert set(om_server.live_models("svc_a")) == {
        f"svc_a.{m}" for m in ("churn", "fraud", "scorer")
    }
    assert len(om_server.live_models("svc_b")) == 3

    as_json = omkit(
        "run", "configs/a.yaml", "configs/team", "--format", "json", "--no-tags",
        cwd=tmp_path, env=env_for(om_server),
    )  # fmt: skip
    assert as_json.code == 0, as_json.err
    document = json.loads(as_json.out)
    assert document["success"] is True
    assert document["summary"]["runs"] == 2
    assert [r["service"] for r in document["runs"]] == ["svc_a", "svc_b"]
    assert [r["summary"]["updated"] for r in document["runs"]] == [3, 3]


def test_region_lists_make_one_run_and_one_service_per_region(
    moto: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    models_in(moto, "us-east-1", "churn", "fraud")
    models_in(moto, "eu-west-1", "eu-churn")
    config = tmp_path / "sm.yaml"
    config.write_text(config_text(om_server.url, moto.endpoint), encoding="utf-8")
    before = config.read_text(encoding="utf-8")

    done = omkit(
        "run", "sm.yaml", "--region", "us-east-1,eu-west-1", "--format", "json", "--no-tags",
        cwd=tmp_path, env=env_for(om_server),
    )  # fmt: skip
    assert done.code == 0, done.err
    runs = json.loads(done.out)["runs"]
    assert [(r["file"], r["service"], r["region"]) for r in runs] == [
        ("sm.yaml[us-east-1]", "local_sagemaker_us-east-1", "us-east-1"),
        ("sm.yaml[eu-west-1]", "local_sagemaker_eu-west-1", "eu-west-1"),
    ]
    assert set(om_server.live_models("local_sagemaker_us-east-1")) == {
        "local_sagemaker_us-east-1.churn",
        "local_sagemaker_us-east-1.fraud",
    }
    assert set(om_server.live_models("local_sagemaker_eu-west-1")) == {
        "local_sagemaker_eu-west-1.eu-churn"
    }
    stored = om_server.services["local_sagemaker_eu-west-1"]["connection"]["config"]
    assert stored["awsConfig"]["awsRegion"] == "eu-west-1"
    assert config.read_text(encoding="utf-8") == before  # nothing written to the config
    assert AWS_SECRET not in done.out + done.err

    templated = omkit(
        "run", "sm.yaml", "--region", "eu-west-1", "--service-name-template", "sm-{region}",
        "--no-tags", cwd=tmp_path, env=env_for(om_server),
    )  # fmt: skip
    assert templated.code == 0, templated.err
    assert "sm-eu-west-1" in om_server.services

    same = omkit(
        "run", "sm.yaml", "--region", "us-east-1,eu-west-1", "--service-name-template", "one",
        cwd=tmp_path, env=env_for(om_server),
    )  # fmt: skip
    assert same.code == 2
    assert "writes the OpenMetadata service one" in same.err
    bad = omkit(
        "run", "sm.yaml", "--region", "eu-west-1", "--service-name-template", "{team}",
        cwd=tmp_path, env=env_for(om_server),
    )  # fmt: skip
    assert bad.code == 2
    assert "{team} is not a placeholder" in bad.err
    unknown = omkit(
        "run", "sm.yaml", "--region", "eu-wst-1", "--no-tags", cwd=tmp_path, env=env_for(om_server)
    )
    assert unknown.code == 1
    assert "sm.yaml[eu-wst-1]" in unknown.out
    assert "eu-wst-1" in unknown.out


def test_a_file_sink_config_runs_once_per_region_into_one_file_each(
    moto: MotoServer, tmp_path: Path
) -> None:
    """``--region a,b`` with ``sink: file``: each run writes its own file (the service name's
    rule, before the extension), where it used to be refused as two runs writing one file."""
    models_in(moto, "us-east-1", "churn", "fraud")
    models_in(moto, "eu-west-1", "eu-churn")
    (tmp_path / "out").mkdir()
    text = config_text("http://127.0.0.1:9/api", moto.endpoint, sink="file", filename="out/m.json")
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    env = {"SM_SECRET": AWS_SECRET, "OM_JWT": "unused"}

    done = omkit(
        "run", "sm.yaml", "--region", "us-east-1,eu-west-1", "--no-tags", cwd=tmp_path, env=env
    )
    assert done.code == 0, done.out + done.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "m_eu-west-1.json",
        "m_us-east-1.json",
    ]
    for region, names in (("us-east-1", {"churn", "fraud"}), ("eu-west-1", {"eu-churn"})):
        written = (tmp_path / "out" / f"m_{region}.json").read_text(encoding="utf-8")
        assert {n for n in ("churn", "fraud", "eu-churn") if f'"{n}"' in written} == names

    templated = omkit(
        "run", "sm.yaml", "--region", "eu-west-1",
        "--file-name-template", "{region}-{stem}{suffix}", "--no-tags", cwd=tmp_path, env=env,
    )  # fmt: skip
    assert templated.code == 0, templated.out + templated.err
    assert (tmp_path / "out" / "eu-west-1-m.json").is_file()
    same = omkit(
        "run", "sm.yaml", "--region", "us-east-1,eu-west-1", "--file-name-template", "one.json",
        cwd=tmp_path, env=env,
    )  # fmt: skip
    assert same.code == 2
    assert "writes the file" in same.err
    alone = omkit("run", "sm.yaml", "--file-name-template", "x{suffix}", cwd=tmp_path, env=env)
    assert alone.code == 2
    assert "--file-name-template needs --region, --profile or --role-arn" in alone.err
