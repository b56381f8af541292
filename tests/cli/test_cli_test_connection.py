"""``omkit test-connection`` end to end: the real ``omkit`` in a subprocess, as a user runs it.

moto (SageMaker, IAM, STS) and the recording OpenMetadata double run on 127.0.0.1 inside the test
process. Secrets reach the config through ${VAR} references, and are distinctive, so that every
run can assert that none of them appears in stdout or stderr. Exit codes: 0 every mandatory
step passed, 1 otherwise, 2 usage errors. The moto-side permissions come from moto's IAM
enforcement; STS is reached through ``AWS_ENDPOINT_URL_STS`` in the subprocess's environment
only (the runner never uses ``endPointURL`` for STS).
"""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from testing.awsfixtures import (
    MotoServer,
    connection_config,
    create_model,
    iam_enforced,
    iam_role,
    iam_user,
)
from testing.httpdouble import DoubleServer
from testing.omdouble import OMServer

KEY_ID = "AKIAOMKITFAKEKEY0002"
SECRET = "omkit-cli-fake-secret-H3kP9wZ2rT6m"
JWT = "eyJomkit.cli-fake-jwt.Qq1Rr2Ss3Tt4"
ALL_SAGEMAKER = ["sagemaker:ListModels", "sagemaker:DescribeModel", "sagemaker:ListTags"]
OMKIT = shutil.which("omkit", path=str(Path(sys.executable).parent)) or "omkit"


@dataclass
class Run:
    code: int
    out: str
    err: str
    seconds: float

    def line(self, step: str) -> str:
        """The plain output line of ``step``."""
        found = [x for x in self.out.splitlines() if x[6:].startswith(step + " ")]
        assert len(found) == 1, self.out
        return found[0]


@pytest.fixture
def om(om_server: OMServer) -> OMServer:
    om_server.token = JWT
    return om_server


def omkit(
    tmp_path: Path,
    env: dict[str, str],
    *args: str,
    secrets: tuple[str, ...] = (),
    unset: tuple[str, ...] = (),
) -> Run:
    """Run ``omkit test-connection <args>`` in ``tmp_path``; never a secret nor a traceback.
    ``unset`` names variables the config references to leave out of the environment."""
    environ = {**env, "SM_SECRET": SECRET, "OM_JWT": JWT, "NO_COLOR": "1"}
    for name in unset:
        environ.pop(name, None)
    start = time.monotonic()
    proc = subprocess.run(
        [OMKIT, "test-connection", *args],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        env=environ,
        timeout=60,
        check=False,
    )
    run = Run(proc.returncode, proc.stdout, proc.stderr, time.monotonic() - start)
    for secret in (SECRET, JWT, KEY_ID, *secrets):
        assert secret not in run.out + run.err
    assert "Traceback" not in run.err
    return run


def write_config(tmp_path: Path, om: OMServer, **aws_config: str) -> str:
    (tmp_path / "sm.yaml").write_text(connection_config(om.url, **aws_config), encoding="utf-8")
    return "sm.yaml"


def keys(endpoint: str, key_id: str = KEY_ID, secret: str = "${SM_SECRET}") -> dict[str, str]:
    return {"awsAccessKeyId": key_id, "awsSecretAccessKey": secret, "endPointURL": endpoint}


def test_every_step_passes_and_piped_output_is_plain_lines(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    create_model(moto, "model-a")
    run = omkit(tmp_path, aws_env, write_config(tmp_path, om, **keys(moto.endpoint)))
    assert run.code == 0, run.out + run.err
    assert run.line("sagemaker:DescribeModel").startswith("PASS")
    assert "server 1.1.7" in run.line("openmetadata")
    assert run.out.splitlines()[-1] == "OK: every step passed"
    assert "┃" not in run.out  # no table when piped
    assert run.err == ""


def test_json_format(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    config = write_config(tmp_path, om, **keys(moto.endpoint))
    run = omkit(tmp_path, aws_env, config, "--format", "json")
    assert run.code == 0, run.out + run.err
    document = json.loads(run.out)
    assert document["ok"] is True
    steps = {s["name"]: s for s in document["steps"]}
    assert steps["sagemaker:DescribeModel"]["status"] == "skip"  # no models
    assert steps["sagemaker:DescribeModel"]["detail"].startswith("no model in us-east-1")


def test_missing_describe_model_permission_exits_1_with_the_hint(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    create_model(moto, "model-a")
    key_id, secret = iam_user(moto, "no-describe", ["sagemaker:ListModels", "sagemaker:ListTags"])
    config = write_config(tmp_path, om, **keys(moto.endpoint, key_id, secret))
    with iam_enforced(moto):
        run = omkit(tmp_path, aws_env, config, secrets=(key_id, secret))
    assert run.code == 1
    assert run.line("sagemaker:ListModels").startswith("PASS")
    line = run.line("sagemaker:DescribeModel")
    assert line.startswith("FAIL")
    assert "AccessDenied, HTTP 403" in line
    assert line.endswith(
        "-> the identity lacks sagemaker:DescribeModel; see omkit policy sagemaker"
    )


def test_missing_list_tags_permission_is_only_a_warning(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    create_model(moto, "model-a")
    key_id, secret = iam_user(moto, "no-tags", ALL_SAGEMAKER[:2])
    config = write_config(tmp_path, om, **keys(moto.endpoint, key_id, secret))
    with iam_enforced(moto):
        run = omkit(tmp_path, aws_env, config, secrets=(key_id, secret))
    assert run.code == 0, run.out
    assert run.line("sagemaker:ListTags").startswith("WARN")
    assert run.out.splitlines()[-1] == "OK: 1 warning"


def test_wrong_keys_fail_clearly(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    iam_user(moto, "someone", ALL_SAGEMAKER)
    with iam_enforced(moto):
        run = omkit(tmp_path, aws_env, write_config(tmp_path, om, **keys(moto.endpoint)))
    assert run.code == 1
    line = run.line("sagemaker:ListModels")
    assert line.startswith("FAIL")
    assert "InvalidClientTokenId" in line
    assert "-> wrong access key" in line


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_a_closed_port_fails_within_the_timeout(
    tmp_path: Path, aws_env: dict[str, str], om: OMServer
) -> None:
    closed = f"http://127.0.0.1:{free_port()}"
    config = write_config(tmp_path, om, **keys(closed))
    run = omkit(tmp_path, aws_env, config, "--timeout", "2")
    assert run.code == 1
    assert run.seconds < 8, run.seconds
    line = run.line("sagemaker:ListModels")
    assert "EndpointConnectionError" in line
    assert f"-> the endpoint URL is unreachable: check endPointURL ({closed})" in line


def test_a_silent_endpoint_fails_within_the_timeout(
    tmp_path: Path, aws_env: dict[str, str], om: OMServer
) -> None:
    """A port that accepts connections and never answers: the read timeout ends it."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        silent = f"http://127.0.0.1:{listener.getsockname()[1]}"
        config = write_config(tmp_path, om, **keys(silent))
        run = omkit(tmp_path, aws_env, config, "--timeout", "1")
    assert run.code == 1
    # a few 1 s attempts plus start-up (about 5 s; more on a loaded machine), far under the 60 s
    # botocore would wait by default
    assert run.seconds < 20, run.seconds
    assert "ReadTimeoutError" in run.line("sagemaker:ListModels")


def test_assume_role_through_moto_sts(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    create_model(moto, "model-a")
    key_id, secret = iam_user(moto, "starter", ["sts:AssumeRole"])
    role = iam_role(moto, "sagemaker-reader", ALL_SAGEMAKER, trusted_user="starter")
    config = write_config(tmp_path, om, **keys(moto.endpoint, key_id, secret), assumeRoleArn=role)
    env = {**aws_env, "AWS_ENDPOINT_URL_STS": moto.endpoint}
    with iam_enforced(moto):
        run = omkit(tmp_path, env, config, secrets=(key_id, secret))
    assert run.code == 0, run.out
    assert f"role {role} assumed as session 'OpenMetadataSession'" in run.line("sts:AssumeRole")
    assert run.line("sagemaker:ListTags").startswith("PASS")


def test_a_wrong_token_fails_the_openmetadata_step(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    om.token = "the-token-the-server-expects"
    run = omkit(tmp_path, aws_env, write_config(tmp_path, om, **keys(moto.endpoint)))
    assert run.code == 1
    line = run.line("openmetadata")
    assert line.startswith("FAIL")
    assert "HTTP 401" in line
    assert "-> the token is wrong or expired" in line


def test_skip_openmetadata(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    config = write_config(tmp_path, om, **keys(moto.endpoint))
    run = omkit(tmp_path, aws_env, config, "--skip-openmetadata")
    assert run.code == 0
    assert "openmetadata" not in run.out
    assert om.requests == []


def test_an_invalid_config_exits_1_at_the_first_step(
    tmp_path: Path, aws_env: dict[str, str], om: OMServer
) -> None:
    config = write_config(tmp_path, om, **keys("http://127.0.0.1:9"), awsRegion="us-east2")
    run = omkit(tmp_path, aws_env, config)
    assert run.code == 1
    assert run.out.splitlines()[0].startswith("FAIL  config")
    assert "-> fix the config first; omkit validate sm.yaml lists every problem" in run.out
    assert len(run.out.splitlines()) == 2


@pytest.mark.parametrize(
    "args",
    [
        ("missing.yaml",),
        ("sm.yaml", "--timeout", "0"),
        ("sm.yaml", "--format", "sarif"),
        (),
    ],
)
def test_usage_errors_exit_2(
    tmp_path: Path, aws_env: dict[str, str], om: OMServer, args: tuple[str, ...]
) -> None:
    write_config(tmp_path, om, **keys("http://127.0.0.1:9"))
    run = omkit(tmp_path, aws_env, *args)
    assert run.code == 2, run.out + run.err
    assert run.out == ""


def test_an_unset_variable_stops_before_any_network_call(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    config = write_config(tmp_path, om, **keys(moto.endpoint))
    run = omkit(tmp_path, aws_env, config, unset=("OM_JWT",))
    assert run.code == 1
    first = run.out.splitlines()[0]
    assert first.startswith("FAIL  config")
    assert "jwtToken: the environment variable OM_JWT is not set" in first
    assert "${OM_JWT}" in first  # what the runner would have sent as the token
    assert om.requests == []  # nothing was sent with the literal reference


def test_dummy_keys_against_an_emulator_pass(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    config = write_config(tmp_path, om, **keys(moto.endpoint, key_id="testing", secret="testing"))
    run = omkit(tmp_path, aws_env, config, "--skip-openmetadata")
    assert run.code == 0, run.out + run.err
    assert run.line("config").startswith("PASS")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--disable", "R999"), "--disable: 'R999' is not an omkit code"),
        (("--enable", "S001"), "--enable: S001 cannot be turned off"),
    ],
)
def test_unknown_or_unsilenceable_codes_are_usage_errors(
    tmp_path: Path, aws_env: dict[str, str], om: OMServer, args: tuple[str, ...], message: str
) -> None:
    config = write_config(tmp_path, om, **keys("http://127.0.0.1:9"))
    run = omkit(tmp_path, aws_env, config, *args)
    assert run.code == 2
    assert message in run.err
    assert om.requests == []


@pytest.fixture
def not_openmetadata() -> Iterator[str]:
    """A server on 127.0.0.1 that answers 404 to everything: a port that is not OpenMetadata."""

    class NotFound(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = DoubleServer(("127.0.0.1", 0), NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/api"
    server.shutdown()
    server.server_close()


def test_a_404_with_api_already_in_hostport_does_not_ask_for_api(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, not_openmetadata: str
) -> None:
    text = connection_config(not_openmetadata, **keys(moto.endpoint))
    (tmp_path / "sm.yaml").write_text(text, encoding="utf-8")
    run = omkit(tmp_path, aws_env, "sm.yaml")
    assert run.code == 1
    line = run.line("openmetadata")
    assert "HTTP 404" in line
    assert "ends in /api, but nothing there answers as OpenMetadata" in line
    assert "must be the server's API URL" not in line


def test_assets_add_one_step_per_kind_and_a_denied_kind_is_a_warning(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    """The identity may read models, endpoints and run Search, not DescribeTrainingJob."""
    create_model(moto, "model-a")
    allowed = [*ALL_SAGEMAKER, "sagemaker:ListEndpoints", "sagemaker:Search"]
    key_id, secret = iam_user(moto, "no-jobs", allowed)
    config = write_config(tmp_path, om, **keys(moto.endpoint, key_id, secret))
    kinds = "training-jobs,endpoints,registry,features"
    with iam_enforced(moto):
        run = omkit(tmp_path, aws_env, config, "--assets", kinds, secrets=(key_id, secret))
    assert run.code == 0, run.out
    training = run.line("training-jobs")
    assert training.startswith("WARN")
    assert "allow sagemaker:DescribeTrainingJob" in training
    assert run.line("endpoints").startswith("PASS")
    assert "sagemaker:ListEndpoints allowed (0 seen)" in run.line("endpoints")
    assert "sagemaker:Search on ModelPackageGroup allowed" in run.line("registry")
    assert "sagemaker:Search on FeatureGroup allowed" in run.line("features")
    names = [line[6:].split(" ")[0] for line in run.out.splitlines()[:-1]]
    assert names.index("sagemaker:ListTags") < names.index("training-jobs")
    assert names[names.index("training-jobs") : names.index("training-jobs") + 4] == [
        "training-jobs",
        "endpoints",
        "registry",
        "features",
    ]
    assert run.out.splitlines()[-1] == "OK: 1 warning"


def test_an_unknown_asset_kind_is_a_usage_error(
    tmp_path: Path, aws_env: dict[str, str], moto: MotoServer, om: OMServer
) -> None:
    config = write_config(tmp_path, om, **keys(moto.endpoint, "AKIAIOSFODNN7EXAMPLE", "x"))
    run = omkit(tmp_path, aws_env, config, "--assets", "monitoring")
    assert run.code == 2
    assert "unknown asset kind 'monitoring'" in run.err
