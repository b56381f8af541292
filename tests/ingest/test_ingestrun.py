"""The run itself (omkit_sagemaker.ingest.ingestrun.run), in process, over real HTTP: moto for
SageMaker and the
recording OpenMetadata double.

Exact request bodies and order; the second run soft-deletes exactly the model deleted in
SageMaker; a DescribeModel failure, OpenMetadata 500s or an incomplete listing delete nothing
and fail the run; filters, dry runs, the file sink without a server, and secrets kept out of
every log line.
"""

from __future__ import annotations

import json
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.cli.progress import RichProgress
from omkit_sagemaker.ingest import ingestrun, redaction, runreport
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult
from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials

from testing.awsfixtures import MotoServer, create_model, tag_model
from testing.omdouble import OMServer
from testing.samples import ACCESS_KEY, AWS_SECRET, CONSOLE, config_text


def environ(om: OMServer, token: str | None = None) -> dict[str, str]:
    return {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token if token is None else token}


@pytest.fixture
def seeded(moto: MotoServer) -> MotoServer:
    """Three models: tagged with a model-data URL, image only, and one to filter or delete."""
    churn = create_model(
        moto,
        "churn",
        Image="123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1",
        ModelDataUrl="s3://models/churn/model.tar.gz",
    )
    tag_model(moto, churn, {"team": "ml", "aws:cloudformation:stack-name": "infra"})
    create_model(moto, "fraud", Image="123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:2")
    create_model(moto, "legacy-scorer", Image="registry.example.com/scorer:0.9")
    return moto


def run(
    tmp_path: Path,
    text: str,
    om: OMServer,
    token: str | None = None,
    **options: Any,
) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(text, encoding="utf-8")
    return ingestrun.run(
        path, RunOptions(environ=environ(om, token), http_backoff=0.0, http_retries=2, **options)
    )


def failing_describe(moto: MotoServer, name: str) -> Callable[[AwsCredentials, int], Any]:
    """A client factory: the moto client, whose DescribeModel of ``name`` fails."""
    from botocore.exceptions import ClientError

    def build(aws_config: AwsCredentials, workers: int) -> Any:
        client = moto.client("sagemaker")

        def fail(params: dict[str, Any], **_: Any) -> None:
            if params.get("ModelName") == name:
                error = {"Error": {"Code": "ValidationException", "Message": "boom"}}
                raise ClientError(error, "DescribeModel")

        client.meta.events.register("before-parameter-build.sagemaker.DescribeModel", fail)
        return client

    return build


def paths(om: OMServer) -> list[tuple[str, str]]:
    return [(r.method, r.path) for r in om.requests]


# ---- the first and the second run --------------------------------------------------------------


def test_first_run_sends_exactly_these_requests(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    result = run(tmp_path, config_text(om_server.url, seeded.endpoint), om_server, workers=1)
    assert result.exit_code == 0, result
    assert paths(om_server) == [
        ("GET", "/api/v1/system/version"),
        ("GET", "/api/v1/services/mlmodelServices/name/local_sagemaker"),
        ("PUT", "/api/v1/services/mlmodelServices"),
        ("PUT", "/api/v1/classifications"),
        ("PUT", "/api/v1/tags"),
        ("PUT", "/api/v1/mlmodels"),
        ("PUT", "/api/v1/mlmodels"),
        ("PUT", "/api/v1/mlmodels"),
        ("GET", "/api/v1/mlmodels"),
    ]
    bodies = [r.body for r in om_server.requests if r.method == "PUT"]
    assert bodies == [
        {
            "name": "local_sagemaker",
            "serviceType": "SageMaker",
            "connection": {
                "config": {
                    "type": "SageMaker",
                    "awsConfig": {
                        "awsAccessKeyId": ACCESS_KEY,
                        "awsSecretAccessKey": AWS_SECRET,  # sent for real, as upstream does
                        "awsRegion": "us-east-1",
                        "endPointURL": seeded.endpoint,
                    },
                }
            },
        },
        {"name": "team", "description": "SageMaker tag key `team`."},
        {"classification": "team", "name": "ml", "description": "SageMaker tag `team=ml`."},
        {
            "name": "churn",
            "algorithm": "churn",
            "mlStore": {
                "storage": "s3://models/churn/model.tar.gz",
                # a 1.x server takes URLs here (Href): the image as https://
                "imageRepository": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/churn:1",
            },
            "service": "local_sagemaker",
            "sourceUrl": CONSOLE + "churn",
            "tags": [
                {
                    "tagFQN": "team.ml",
                    "source": "Classification",
                    "labelType": "Automated",
                    "state": "Confirmed",
                }
            ],
        },
        {
            "name": "fraud",
            "algorithm": "fraud",
            "mlStore": {
                "imageRepository": "https://123456789012.dkr.ecr.us-east-1.amazonaws.com/fraud:2"
            },
            "service": "local_sagemaker",
            "sourceUrl": CONSOLE + "fraud",
        },
        {
            "name": "legacy-scorer",
            "algorithm": "scorer",
            "mlStore": {"imageRepository": "https://registry.example.com/scorer:0.9"},
            "service": "local_sagemaker",
            "sourceUrl": CONSOLE + "legacy-scorer",
        },
    ]
    assert om_server.requests[-1].query == {"limit": "1000", "service": "local_sagemaker"}
    status = result.status
    assert (status.processed, status.created, status.updated) == (3, 3, 0)
    assert result.mark_deleted.models == []
    assert result.server_version == "1.1.7"


def test_second_run_soft_deletes_exactly_the_model_gone_from_sagemaker(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    text = config_text(om_server.url, seeded.endpoint)
    assert run(tmp_path, text, om_server).exit_code == 0
    legacy_id = om_server.models["local_sagemaker.legacy-scorer"]["id"]
    seeded.client("sagemaker").delete_model(ModelName="legacy-scorer")
    om_server.clear_requests()
    # 1 of 3 models is more than the 20 % a run may soft-delete by default
    result = run(tmp_path, text, om_server, allow_mass_delete=True)
    assert result.exit_code == 0
    assert om_server.calls("PUT", "/api/v1/services/mlmodelServices") == []  # reused
    (delete,) = om_server.calls("DELETE")
    assert delete.path == f"/api/v1/mlmodels/{legacy_id}"
    assert delete.query == {"recursive": "true", "hardDelete": "false"}
    assert result.mark_deleted.models == ["local_sagemaker.legacy-scorer"]
    assert result.status.soft_deleted == 1
    assert (result.status.created, result.status.updated) == (0, 2)
    assert sorted(om_server.live_models()) == ["local_sagemaker.churn", "local_sagemaker.fraud"]
    assert om_server.models["local_sagemaker.legacy-scorer"]["deleted"] is True


def test_other_services_models_are_never_touched(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.seed_service("other")
    om_server.seed_model("other", "stranger")
    assert run(tmp_path, config_text(om_server.url, seeded.endpoint), om_server).exit_code == 0
    assert om_server.calls("DELETE") == []
    assert not om_server.models["other.stranger"]["deleted"]


def test_mark_deleted_off_lists_nothing(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "gone")
    text = config_text(om_server.url, seeded.endpoint, mark_deleted=False)
    result = run(tmp_path, text, om_server)
    assert result.exit_code == 0
    assert om_server.calls("GET", "/api/v1/mlmodels") == []
    assert om_server.calls("DELETE") == []
    assert not result.mark_deleted.enabled


# ---- failures delete nothing -----------------------------------------------------------------


def test_a_describe_failure_fails_the_run_and_deletes_nothing(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "gone-from-sagemaker")
    result = run(
        tmp_path,
        config_text(om_server.url, seeded.endpoint),
        om_server,
        sagemaker_client=failing_describe(seeded, "fraud"),
    )
    assert result.exit_code == 1
    assert [(p.subject, p.message) for p in result.status.errors] == [
        ("model fraud", "DescribeModel failed: ValidationException: boom")
    ]
    assert result.status.processed == 2  # the others went on
    assert om_server.calls("DELETE") == []
    assert om_server.calls("GET", "/api/v1/mlmodels") == []
    assert result.mark_deleted.skipped == "the run had 1 error"


def test_openmetadata_500s_fail_the_run_and_delete_nothing(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "gone-from-sagemaker")
    om_server.fail("PUT", "/api/v1/mlmodels", status=500, times=-1, name="churn")
    result = run(tmp_path, config_text(om_server.url, seeded.endpoint), om_server)
    assert result.exit_code == 1
    assert len(om_server.calls("PUT", "/api/v1/mlmodels")) == 2 + 3  # churn: 1 + 2 retries
    assert [p.subject for p in result.status.errors] == ["model churn"]
    assert om_server.calls("DELETE") == []
    assert not om_server.models["local_sagemaker.gone-from-sagemaker"]["deleted"]


def test_an_incomplete_listing_deletes_nothing(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    from botocore.exceptions import ClientError

    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "gone-from-sagemaker")

    def build(aws_config: AwsCredentials, workers: int) -> Any:
        client = seeded.client("sagemaker")

        def fail(**_: Any) -> None:
            error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
            raise ClientError(error, "ListModels")

        client.meta.events.register("before-parameter-build.sagemaker.ListModels", fail)
        return client

    result = run(
        tmp_path, config_text(om_server.url, seeded.endpoint), om_server, sagemaker_client=build
    )
    assert result.exit_code == 1
    assert not result.listing_complete
    assert [p.subject for p in result.status.errors] == ["ListModels"]
    assert om_server.calls("DELETE") == []


def test_a_wrong_token_stops_the_run_with_a_clear_message(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    result = run(
        tmp_path, config_text(om_server.url, seeded.endpoint), om_server, token="not-the-token"
    )
    assert result.exit_code == 1
    assert result.fatal is not None
    assert "HTTP 401" in result.fatal
    assert "securityConfig.jwtToken" in result.fatal
    assert "not-the-token" not in result.fatal
    assert om_server.calls("PUT") == []


def test_an_unreachable_server_stops_the_run(seeded: MotoServer, tmp_path: Path) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(url, seeded.endpoint), encoding="utf-8")
    result = ingestrun.run(
        path, RunOptions(environ={"SM_SECRET": AWS_SECRET, "OM_JWT": "t0ken"}, http_backoff=0)
    )
    assert result.exit_code == 1
    assert result.fatal is not None
    assert "cannot reach" in result.fatal


# ---- filters -----------------------------------------------------------------------------------


def test_filtered_models_are_counted_and_never_soft_deleted(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "legacy-scorer")  # still in SageMaker, filtered out
    om_server.seed_model("local_sagemaker", "really-gone")
    text = config_text(om_server.url, seeded.endpoint, excludes=("LEGACY",))
    result = run(tmp_path, text, om_server, allow_mass_delete=True)  # 1 of 4 models
    assert result.exit_code == 0
    assert result.status.filtered == 1
    assert result.status.processed == 2
    assert result.mark_deleted.models == ["local_sagemaker.really-gone"]
    assert not om_server.models["local_sagemaker.legacy-scorer"]["deleted"]


def test_includes_win_over_excludes(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    text = config_text(om_server.url, seeded.endpoint, includes=("FRAUD",), excludes=(".*",))
    result = run(tmp_path, text, om_server)
    assert result.exit_code == 0
    assert sorted(om_server.live_models()) == ["local_sagemaker.fraud"]
    assert result.status.filtered == 2


def test_no_tags(seeded: MotoServer, om_server: OMServer, tmp_path: Path) -> None:
    result = run(tmp_path, config_text(om_server.url, seeded.endpoint), om_server, tags=False)
    assert result.exit_code == 0
    assert om_server.calls("PUT", "/api/v1/(classifications|tags)") == []
    assert "tags" not in om_server.models["local_sagemaker.churn"]


# ---- dry run, file sink, stored connection ---------------------------------------------------


def test_a_dry_run_writes_nothing_and_says_what_it_would_do(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.seed_service("local_sagemaker")
    om_server.seed_model("local_sagemaker", "fraud")
    om_server.seed_model("local_sagemaker", "gone")
    text = config_text(om_server.url, seeded.endpoint)
    result = run(tmp_path, text, om_server, dry_run=True, allow_mass_delete=True)  # 1 of 4
    assert result.exit_code == 0
    assert {r.method for r in om_server.requests} == {"GET"}
    plan = result.plan
    assert plan is not None
    assert plan.service == "reuse"
    assert sorted(plan.create) == ["local_sagemaker.churn", "local_sagemaker.legacy-scorer"]
    assert plan.update == ["local_sagemaker.fraud"]
    assert plan.new_tags == ["team.ml"]
    assert plan.soft_delete == ["local_sagemaker.gone"]
    assert not om_server.models["local_sagemaker.gone"]["deleted"]
    text = runreport.render_text(result)
    assert "soft-delete local_sagemaker.gone" in text
    assert "nothing was written" in text


def test_a_dry_run_without_a_server_still_reads_sagemaker(
    seeded: MotoServer, tmp_path: Path
) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}/api"
    path = tmp_path / "sm.yaml"
    path.write_text(config_text(url, seeded.endpoint), encoding="utf-8")
    options = RunOptions(
        environ={"SM_SECRET": AWS_SECRET, "OM_JWT": "t0ken"},
        dry_run=True,
        http_backoff=0,
        http_retries=0,
    )
    result = ingestrun.run(path, options)
    assert result.exit_code == 0
    assert result.plan is not None
    assert len(result.plan.create) == 3
    assert result.plan.note is not None
    assert "not read" in result.plan.note
    assert result.mark_deleted.skipped == "OpenMetadata was not read"


def test_the_file_sink_needs_no_server(seeded: MotoServer, tmp_path: Path) -> None:
    out = tmp_path / "records.json"
    text = config_text("http://127.0.0.1:9/api", seeded.endpoint, sink="file", filename=str(out))
    path = tmp_path / "sm.yaml"
    path.write_text(text, encoding="utf-8")
    result = ingestrun.run(path, RunOptions(environ={"SM_SECRET": AWS_SECRET, "OM_JWT": "t0ken"}))
    assert result.exit_code == 0, result.fatal
    records = json.loads(out.read_text(encoding="utf-8"))
    assert [r["name"] for r in records] == [
        "local_sagemaker",
        "team",
        "ml",
        "churn",
        "fraud",
        "legacy-scorer",
    ]
    aws = records[0]["connection"]["config"]["awsConfig"]
    assert aws["awsSecretAccessKey"] == "**********"
    assert AWS_SECRET not in out.read_text(encoding="utf-8")
    assert result.mark_deleted.skipped is not None


def test_without_a_service_connection_the_stored_one_is_used(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    stored = {
        "config": {
            "type": "SageMaker",
            "awsConfig": {
                "awsAccessKeyId": ACCESS_KEY,
                "awsSecretAccessKey": AWS_SECRET,
                "awsRegion": "us-east-1",
                "endPointURL": seeded.endpoint,
            },
        }
    }
    om_server.seed_service("local_sagemaker", stored)
    text = config_text(om_server.url, seeded.endpoint, connection=False)
    result = run(tmp_path, text, om_server)
    assert result.exit_code == 0, result.fatal
    assert result.status.processed == 3
    assert om_server.calls("PUT", "/api/v1/services/mlmodelServices") == []


def test_an_invalid_config_runs_nothing(om_server: OMServer, tmp_path: Path) -> None:
    text = config_text(om_server.url, "http://127.0.0.1:1").replace("SageMaker", "Sagemaker", 1)
    result = run(tmp_path, text, om_server)
    assert result.exit_code == 1
    assert result.config_errors
    assert om_server.requests == []


def test_no_secret_in_any_log_line_or_summary(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    om_server.fail("PUT", "/api/v1/mlmodels", status=500, times=-1, name="fraud")
    text = config_text(om_server.url, seeded.endpoint, logger_level="DEBUG")
    with caplog.at_level(logging.DEBUG, logger="omkit"):
        logger = logging.getLogger("omkit")
        logger.addFilter(redaction.REDACTOR)
        try:
            result = run(tmp_path, text, om_server)
            logger.warning("echo %s and %s", AWS_SECRET, om_server.token)  # redacted too
        finally:
            logger.removeFilter(redaction.REDACTOR)
    assert result.exit_code == 1
    shown = caplog.text + runreport.render_text(result) + runreport.render_json(result)
    assert AWS_SECRET not in shown
    assert om_server.token not in shown
    assert "echo ********** and **********" in caplog.text


def test_a_2_0_server_is_written_in_bulk(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    om_server.version = "2.0.7"
    result = run(tmp_path, config_text(om_server.url, seeded.endpoint), om_server)
    assert result.exit_code == 0, result.fatal
    (bulk,) = om_server.calls("PUT", "/api/v1/mlmodels/bulk")
    assert sorted(m["name"] for m in bulk.body) == ["churn", "fraud", "legacy-scorer"]
    assert result.status.created == 3


class Counting(ingestrun.Progress):
    def __init__(self) -> None:
        self.listed: int | None = None
        self.done = 0

    def total(self, count: int) -> None:
        self.listed = count

    def advance(self) -> None:
        self.done += 1


def test_progress_counts_every_model_written_failed_or_filtered(
    seeded: MotoServer, om_server: OMServer, tmp_path: Path
) -> None:
    progress = Counting()
    text = config_text(om_server.url, seeded.endpoint, excludes=("legacy",))
    result = run(
        tmp_path,
        text,
        om_server,
        progress=progress,
        sagemaker_client=failing_describe(seeded, "fraud"),
    )
    assert result.exit_code == 1
    assert (progress.listed, progress.done) == (3, 3)


def test_the_rich_progress_bar(seeded: MotoServer, om_server: OMServer, tmp_path: Path) -> None:
    bar = RichProgress()
    with bar.shown():
        result = run(tmp_path, config_text(om_server.url, seeded.endpoint), om_server, progress=bar)
    assert result.exit_code == 0
