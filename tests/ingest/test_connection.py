"""``omkit_sagemaker.ingest.connection``: the steps of ``omkit test-connection``, run as a library.

Real HTTP only: moto on 127.0.0.1 (``endPointURL``) for SageMaker, IAM and STS, with IAM
enforcement switched on where a test needs permissions checked, and the project's recording
OpenMetadata double. STS has no ``endPointURL`` in the runner's design (facts §2.2); the
assume-role test reaches moto's STS through botocore's standard ``AWS_ENDPOINT_URL_STS``
environment variable, set only inside that test.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from omkit_sagemaker.cli.steptable import print_table
from omkit_sagemaker.ingest.connection import (
    STEPS,
    StepResult,
    StepStatus,
    check_connection,
    render_json,
    render_plain,
    succeeded,
)
from rich.console import Console

from testing.awsfixtures import (
    MotoServer,
    connection_config,
    create_model,
    iam_enforced,
    iam_role,
    iam_user,
)
from testing.omdouble import OMServer

KEY_ID = "AKIAOMKITFAKEKEY0001"
SECRET = "omkit-fake-secret-Q7x2L9vB4nK8"
JWT = "eyJomkit.fake-jwt-payload.Zz9Yy8Xx7Ww6"

ALL_SAGEMAKER = ["sagemaker:ListModels", "sagemaker:DescribeModel", "sagemaker:ListTags"]


@pytest.fixture
def om(om_server: OMServer) -> OMServer:
    om_server.token = JWT
    return om_server


def run(
    tmp_path: Path,
    env: dict[str, str],
    om: OMServer,
    aws_config: dict[str, str],
    *,
    openmetadata: bool = True,
    timeout: float = 5.0,
) -> dict[str, StepResult]:
    """Write a config with ``aws_config`` (secrets as ${VAR} references) and run the steps."""
    config = tmp_path / "sm.yaml"
    config.write_text(connection_config(om.url, **aws_config), encoding="utf-8")
    environ = {**env, "SM_SECRET": SECRET, "OM_JWT": JWT}
    results = check_connection(config, timeout=timeout, openmetadata=openmetadata, environ=environ)
    assert_no_secret(results, *secrets_of(aws_config))
    return {r.name: r for r in results}


def secrets_of(aws_config: dict[str, str]) -> list[str]:
    found = [SECRET, KEY_ID, JWT]
    found += [v for k, v in aws_config.items() if k in ("awsAccessKeyId", "awsSecretAccessKey")]
    return found


def assert_no_secret(results: list[StepResult], *secrets: str) -> None:
    shown = render_plain(results) + render_json(results, "sm.yaml") + table(results)
    for secret in secrets:
        if not secret.startswith("${"):
            assert secret not in shown


def table(results: list[StepResult]) -> str:
    """The rich table as a terminal would show it (without colours)."""
    out = io.StringIO()
    print_table(results, Console(file=out, force_terminal=True, width=200, color_system=None))
    return out.getvalue()


def statuses(results: dict[str, StepResult]) -> dict[str, str]:
    return {name: r.status.value for name, r in results.items()}


def keys(moto: MotoServer, key_id: str, secret: str, **more: str) -> dict[str, str]:
    return {
        "awsAccessKeyId": key_id,
        "awsSecretAccessKey": secret,
        "endPointURL": moto.endpoint,
        **more,
    }


def with_keys(moto: MotoServer, **more: str) -> dict[str, str]:
    return {
        "awsAccessKeyId": KEY_ID,
        "awsSecretAccessKey": "${SM_SECRET}",
        "endPointURL": moto.endpoint,
        **more,
    }


def test_every_step_passes_with_models(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    create_model(moto, "model-a")
    create_model(moto, "model-b")
    results = run(tmp_path, aws_env, om, with_keys(moto))
    assert list(results) == list(STEPS)
    assert statuses(results) == {
        "config": "pass",
        "credentials": "pass",
        "sts:AssumeRole": "skip",
        "sagemaker:ListModels": "pass",
        "sagemaker:DescribeModel": "pass",
        "sagemaker:ListTags": "pass",
        "openmetadata": "pass",
    }
    assert results["credentials"].detail == "access keys from awsConfig"
    assert results["sagemaker:ListModels"].detail.startswith("2 models in us-east-1 at ")
    assert results["sagemaker:DescribeModel"].detail == "model 'model-a'"
    assert "server 1.1.7" in results["openmetadata"].detail
    assert succeeded(results.values())


def test_every_step_passes_without_models_and_describe_model_is_skipped_with_a_note(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    results = run(tmp_path, aws_env, om, with_keys(moto))
    assert results["sagemaker:ListModels"].status is StepStatus.PASS
    assert results["sagemaker:ListModels"].detail.startswith("no models in us-east-1")
    describe = results["sagemaker:DescribeModel"]
    assert describe.status is StepStatus.SKIP
    assert describe.detail == "no model in us-east-1 to describe; checked once one exists"
    assert results["sagemaker:ListTags"].status is StepStatus.SKIP
    assert succeeded(results.values())


def test_a_user_without_describe_model_fails_that_step_with_the_policy_hint(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    create_model(moto, "model-a")
    key_id, secret = iam_user(moto, "no-describe", ["sagemaker:ListModels", "sagemaker:ListTags"])
    with iam_enforced(moto):
        results = run(
            tmp_path,
            aws_env,
            om,
            keys(moto, key_id, secret),
        )
    assert results["sagemaker:ListModels"].status is StepStatus.PASS
    describe = results["sagemaker:DescribeModel"]
    assert describe.status is StepStatus.FAIL
    assert (describe.code, describe.http_status) == ("AccessDenied", 403)
    assert describe.hint == "the identity lacks sagemaker:DescribeModel; see omkit policy sagemaker"
    assert results["sagemaker:ListTags"].status is StepStatus.PASS
    assert not succeeded(results.values())


def test_a_user_without_list_tags_only_gets_a_warning(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    create_model(moto, "model-a")
    key_id, secret = iam_user(moto, "no-tags", ALL_SAGEMAKER[:2])
    with iam_enforced(moto):
        results = run(
            tmp_path,
            aws_env,
            om,
            keys(moto, key_id, secret),
        )
    tags = results["sagemaker:ListTags"]
    assert (tags.status, tags.code, tags.mandatory) == (StepStatus.WARN, "AccessDenied", False)
    assert tags.hint is not None
    assert "without tags" in tags.hint
    assert results["sagemaker:DescribeModel"].status is StepStatus.PASS
    assert succeeded(results.values())


@pytest.mark.parametrize(
    ("wrong", "code", "hint"),
    [
        ("key", "InvalidClientTokenId", "wrong access key"),
        ("secret", "SignatureDoesNotMatch", "wrong secret key"),
    ],
)
def test_wrong_keys_fail_clearly(
    tmp_path: Path,
    aws_env: dict[str, str],
    moto: MotoServer,
    om: OMServer,
    wrong: str,
    code: str,
    hint: str,
) -> None:
    key_id, secret = iam_user(moto, "reader", ALL_SAGEMAKER)
    if wrong == "key":
        key_id = KEY_ID
    else:
        secret = SECRET
    with iam_enforced(moto):
        results = run(
            tmp_path,
            aws_env,
            om,
            keys(moto, key_id, secret),
        )
    listed = results["sagemaker:ListModels"]
    assert (listed.status, listed.code, listed.http_status) == (StepStatus.FAIL, code, 403)
    assert listed.hint is not None
    assert listed.hint.startswith(hint)
    for name in ("sagemaker:DescribeModel", "sagemaker:ListTags"):
        assert results[name].status is StepStatus.SKIP
        assert results[name].detail == "not run: sagemaker:ListModels failed"


def test_assume_role_through_moto_sts(
    tmp_path: Path,
    aws_env: dict[str, str],
    moto: MotoServer,
    om: OMServer,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The starting user may only assume the role; the role may call SageMaker. Every SageMaker
    step passing under IAM enforcement shows the calls were made as the role."""
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", moto.endpoint)
    env = {**aws_env, "AWS_ENDPOINT_URL_STS": moto.endpoint}
    create_model(moto, "model-a")
    key_id, secret = iam_user(moto, "starter", ["sts:AssumeRole"])
    role = iam_role(moto, "sagemaker-reader", ALL_SAGEMAKER, trusted_user="starter")
    other = iam_role(moto, "not-for-you", ALL_SAGEMAKER, trusted_user="someone-else")
    with iam_enforced(moto):
        results = run(
            tmp_path,
            env,
            om,
            keys(moto, key_id, secret, assumeRoleArn=role),
        )
        assert statuses(results)["sts:AssumeRole"] == "pass"
        assert results["sts:AssumeRole"].detail == (
            f"role {role} assumed as session 'OpenMetadataSession'"
        )
        assert succeeded(results.values())
        assert all(r.status is StepStatus.PASS for r in results.values())

        results = run(
            tmp_path,
            env,
            om,
            keys(moto, key_id, secret, assumeRoleArn=other),
        )
    denied = results["sts:AssumeRole"]
    assert (denied.status, denied.code) == (StepStatus.FAIL, "AccessDenied")
    assert denied.hint is not None
    assert f"omkit policy sagemaker --role-arn {other}" in denied.hint
    assert results["sagemaker:ListModels"].status is StepStatus.SKIP


def test_the_openmetadata_step_shows_the_version_and_checks_the_token(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    results = run(tmp_path, aws_env, om, with_keys(moto))
    step = results["openmetadata"]
    assert step.status is StepStatus.PASS
    assert step.detail == (f"server 1.1.7 at {om.url}; token accepted as ingestion-bot (bot)")
    calls = [(r.method, r.path, r.headers.get("authorization")) for r in om.requests]
    assert calls == [
        ("GET", "/api/v1/system/version", f"Bearer {JWT}"),
        ("GET", "/api/v1/users/loggedInUser", f"Bearer {JWT}"),
    ]


def test_a_wrong_token_fails_the_openmetadata_step_with_401(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    om.token = "the-token-the-server-expects"
    results = run(tmp_path, aws_env, om, with_keys(moto))
    step = results["openmetadata"]
    assert (step.status, step.code, step.http_status) == (StepStatus.FAIL, "HTTP 401", 401)
    assert step.hint is not None
    assert step.hint.startswith("the token is wrong or expired")
    assert results["sagemaker:ListModels"].status is StepStatus.PASS
    assert not succeeded(results.values())


def test_skip_openmetadata_leaves_the_step_out(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    results = run(tmp_path, aws_env, om, with_keys(moto), openmetadata=False)
    assert "openmetadata" not in results
    assert om.requests == []


def test_an_invalid_config_stops_at_the_first_step(
    tmp_path: Path, aws_env: dict[str, str], om: OMServer
) -> None:
    config = tmp_path / "sm.yaml"
    text = connection_config(om.url, awsSecretAccessKey=SECRET, awsAccessKeyId=KEY_ID)
    config.write_text(text.replace("type: SageMaker", "type: Sagemaker"), encoding="utf-8")
    results = check_connection(config, environ={"OM_JWT": JWT})
    assert [(r.name, r.status) for r in results] == [("config", StepStatus.FAIL)]
    assert results[0].hint == f"fix the config first; omkit validate {config} lists every problem"
    assert om.requests == []


def test_outputs_name_the_fix_on_one_line_and_json_is_complete(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    om.token = "the-token-the-server-expects"
    results = list(run(tmp_path, aws_env, om, with_keys(moto)).values())
    lines = render_plain(results).splitlines()
    failed = [line for line in lines if line.startswith("FAIL ")]
    assert len(failed) == 1
    assert "HTTP 401" in failed[0]
    assert "-> the token is wrong or expired" in failed[0]
    assert lines[-1] == "FAILED: 1 step failed"
    document = json.loads(render_json(results, "sm.yaml"))
    assert document["ok"] is False
    assert [s["name"] for s in document["steps"]] == list(STEPS)
    shown = table(results)
    assert "sagemaker:DescribeModel" in shown
    assert "fix: the token is wrong or expired" in shown
