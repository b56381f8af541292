"""The fault suite (issue 13): each fault a server or AWS can throw at a run, in process over real
HTTP (moto behind the fault proxy, the OpenMetadata double with its fault switches).

Every test asserts what a user would notice: the exit code, the one line that says what went
wrong, that nothing was soft-deleted (the stale model is still live), that what was there before
is intact, and that the next clean run converges (everything written, the stale model gone).
Timeouts, retries and Retry-After are small so that the whole suite takes seconds.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
from omkit_sagemaker.ingest import ingestrun, omhttp, openmetadata
from omkit_sagemaker.ingest.ingestrun import RunOptions, RunResult

from testing.awsfaults import FaultProxy
from testing.awsfixtures import MotoServer, create_model
from testing.omdouble import OMServer
from testing.samples import AWS_SECRET, config_text

MODELS = ("churn", "fraud", "legacy-scorer", "ranker", "recommender")
SERVICE = "local_sagemaker"
STALE = f"{SERVICE}.gone-from-sagemaker"
FAST: dict[str, Any] = {
    "http_backoff": 0.0,
    "http_retries": 1,
    "http_timeout": 1.0,
    "aws_timeout": 2.0,
    "aws_attempts": 1,
    "workers": 2,
}


@pytest.fixture
def aws(aws_faults: FaultProxy, moto: MotoServer) -> FaultProxy:
    """Five models in SageMaker, reached through the fault proxy."""
    for name in MODELS:
        create_model(moto, name, Image=f"img/{name}:1")
    return aws_faults


@pytest.fixture
def om(om_server: OMServer) -> OMServer:
    """The catalogue of an earlier run: the five models, and one gone from SageMaker since."""
    om_server.seed_service(SERVICE)
    for name in (*MODELS, "gone-from-sagemaker"):
        om_server.seed_model(SERVICE, name)
    return om_server


def run(tmp_path: Path, text: str, om: OMServer | None = None, **options: Any) -> RunResult:
    path = tmp_path / "sm.yaml"
    path.write_text(text, encoding="utf-8")
    environ = {"SM_SECRET": AWS_SECRET, "OM_JWT": om.token if om else "t0ken"}
    return ingestrun.run(path, RunOptions(environ=environ, **{**FAST, **options}))


def config(om: OMServer, aws: FaultProxy, **kwargs: Any) -> str:
    return config_text(om.url, aws.endpoint, **kwargs)


def nothing_deleted(om: OMServer) -> None:
    assert om.calls("DELETE") == []
    assert STALE in om.live_models()
    assert set(om.live_models()) == {f"{SERVICE}.{n}" for n in (*MODELS, "gone-from-sagemaker")}


def converges(tmp_path: Path, om: OMServer, aws: FaultProxy) -> None:
    """The next run, with the fault gone, writes everything and soft-deletes the stale model."""
    om.failures.clear()
    aws.faults.clear()
    aws.answers.clear()
    aws.die_after = None
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 0, (result.fatal, result.status.errors)
    assert result.mark_deleted.models == [STALE]
    assert set(om.live_models()) == {f"{SERVICE}.{n}" for n in MODELS}


# ---- 2. an answer that is not what was asked for -----------------------------------------------


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (
            {"status": 200, "body": "not-an-entity"},
            "PUT /mlmodels: the answer is not an entity ('not-an-entity')",
        ),
        (
            {"status": 200, "body": {"ok": True}},
            "PUT /mlmodels: the answer is not an entity (no id)",
        ),
        (
            {
                "status": 200,
                "raw": b"<html><body>Welcome</body></html>",
                "content_type": "text/html",
            },
            "PUT /mlmodels: the answer is not JSON",
        ),
        ({"status": 200, "raw": b"\x00\xff junk"}, "PUT /mlmodels: the answer is not JSON"),
    ],
    ids=["a-string", "an-object-without-id", "html", "junk"],
)
def test_a_200_that_is_not_the_model_is_an_error_and_blocks_soft_deletes(
    aws: FaultProxy,
    om: OMServer,
    tmp_path: Path,
    fault: dict[str, Any],
    message: str,
) -> None:
    om.fail("PUT", "/api/v1/mlmodels", times=-1, **fault)
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    assert result.status.processed == 0
    assert result.status.updated == 0
    assert [p.message for p in result.status.errors] == [message] * len(MODELS)
    assert result.mark_deleted.skipped == f"the run had {len(MODELS)} errors"
    nothing_deleted(om)
    converges(tmp_path, om, aws)


def test_the_entity_of_another_model_is_an_error(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    other = om.models[f"{SERVICE}.fraud"]
    om.fail("PUT", "/api/v1/mlmodels", status=200, body=other, name="churn")
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    assert [(p.subject, p.message) for p in result.status.errors] == [
        ("model churn", "PUT /mlmodels: the answer is the entity 'fraud', not 'churn'")
    ]
    nothing_deleted(om)
    converges(tmp_path, om, aws)


def test_a_huge_body_is_not_read_whole(
    aws: FaultProxy, om: OMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(omhttp, "MAX_BODY", 1 << 20)  # 1 MiB: the same code, less to send
    om.fail("PUT", "/api/v1/mlmodels", status=200, raw=b"x" * (3 << 20), name="churn")
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    assert [p.message for p in result.status.errors] == [
        "PUT /mlmodels: the answer is larger than 1 MiB"
    ]
    nothing_deleted(om)
    converges(tmp_path, om, aws)


def test_a_service_answer_that_is_not_an_entity_stops_the_run(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    om.fail("GET", "/api/v1/services/mlmodelServices/name/.*", status=200, body=[])
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    assert result.fatal == (
        "OpenMetadata: GET /services/mlmodelServices/name/local_sagemaker: the answer is not "
        "an entity (a list)"
    )
    assert om.calls("PUT") == []
    nothing_deleted(om)
    converges(tmp_path, om, aws)


# ---- 5. listings that cannot be trusted --------------------------------------------------------


def test_a_repeated_cursor_stops_the_listing_and_blocks_soft_deletes(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    page = {"data": [], "paging": {"total": 9, "after": "c2FtZQ=="}}
    om.fail("GET", "/api/v1/mlmodels", status=200, body=page, times=-1)
    started = time.monotonic()
    result = run(tmp_path, config(om, aws), om)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    (error,) = result.status.errors
    assert error.message == (
        "cannot list the service's models: GET /mlmodels: the server repeated the paging cursor "
        "on page 2; the listing was stopped"
    )
    assert len(om.calls("GET", "/api/v1/mlmodels")) == 2
    nothing_deleted(om)
    converges(tmp_path, om, aws)


def test_a_listing_without_end_is_capped(
    aws: FaultProxy, om: OMServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(openmetadata, "MAX_PAGES", 5)
    om.max_page = 1  # one model per page: the listing needs 6 pages
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    assert [p.message for p in result.status.errors] == [
        "cannot list the service's models: GET /mlmodels: the listing has more than 5 pages; "
        "it was stopped"
    ]
    nothing_deleted(om)
    monkeypatch.setattr(openmetadata, "MAX_PAGES", 100)
    converges(tmp_path, om, aws)


def test_a_listed_model_without_id_is_an_error(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    listing = {"data": [{"name": "x", "fullyQualifiedName": f"{SERVICE}.x"}], "paging": {}}
    om.fail("GET", "/api/v1/mlmodels", status=200, body=listing)
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    assert [p.message for p in result.status.errors] == [
        "cannot list the service's models: GET /mlmodels (entry 1 of the listing): the answer "
        "is not an entity (no id)"
    ]
    nothing_deleted(om)
    converges(tmp_path, om, aws)


# ---- 3. mass deletion --------------------------------------------------------------------------


def test_an_empty_sagemaker_listing_deletes_nothing(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    aws.answers["ListModels"] = {"Models": []}
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    (error,) = result.status.errors
    assert error.subject == "markDeletedMlModels"
    assert error.message == (
        "refusing to soft-delete 6 of the 6 models of service local_sagemaker (100%; at most "
        "20% in one run, and never all when SageMaker lists none; SageMaker listed 0): if that "
        "is right, run again with --allow-mass-delete"
    )
    nothing_deleted(om)
    dry = run(tmp_path, config(om, aws), om, dry_run=True)
    assert dry.exit_code == 1
    assert "refusing to soft-delete 6 of the 6 models" in dry.status.errors[0].message
    assert dry.plan is not None
    assert dry.plan.soft_delete == []
    nothing_deleted(om)
    converges(tmp_path, om, aws)


def test_more_than_the_share_is_refused_unless_allowed(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    for name in ("old-a", "old-b"):  # 3 of 8 stale: 38 %
        om.seed_model(SERVICE, name)
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    assert "refusing to soft-delete 3 of the 8 models" in result.status.errors[0].message
    assert om.calls("DELETE") == []
    allowed = run(tmp_path, config(om, aws), om, allow_mass_delete=True)
    assert allowed.exit_code == 0
    assert sorted(allowed.mark_deleted.models) == [
        f"{SERVICE}.gone-from-sagemaker",
        f"{SERVICE}.old-a",
        f"{SERVICE}.old-b",
    ]


# ---- 6. the circuit breaker --------------------------------------------------------------------


@pytest.mark.parametrize("status", [429, 503])
def test_a_server_that_keeps_failing_is_left_alone_after_10_failures(
    moto: MotoServer, aws: FaultProxy, om: OMServer, tmp_path: Path, status: int
) -> None:
    for i in range(30):
        create_model(moto, f"extra-{i:02d}", Image="img/x:1")
    om.fail("PUT", "/api/v1/mlmodels", status=status, times=-1, retry_after=0.01)
    result = run(tmp_path, config(om, aws), om)
    assert result.exit_code == 1
    assert result.fatal is not None
    assert result.fatal.startswith("OpenMetadata: 10 failures in a row, the last: PUT /mlmodels:")
    assert result.fatal.endswith("; the run stopped and nothing was soft-deleted")
    assert f"HTTP {status}" in result.fatal
    # at most the 10 and those already in flight, each tried twice (1 retry)
    assert len(om.calls("PUT", "/api/v1/mlmodels")) <= 2 * (10 + 2 * FAST["workers"])
    nothing_deleted(om)


def test_the_failure_budget_bounds_the_requests_that_go_out(
    moto: MotoServer, aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    """8 workers, 4 tries per model: once 10 attempts failed in a row, no attempt starts (a
    retry neither); only those already in flight, one per worker, still reach the server."""
    for i in range(60):
        create_model(moto, f"extra-{i:02d}", Image="img/x:1")
    om.fail("PUT", "/api/v1/mlmodels", status=500, times=-1, message="down")
    workers = 8
    result = run(tmp_path, config(om, aws), om, workers=workers, http_retries=3, http_backoff=0.01)
    assert result.exit_code == 1
    assert result.fatal == (
        "OpenMetadata: 10 failures in a row, the last: PUT /mlmodels: HTTP 500 down; the run "
        "stopped and nothing was soft-deleted"
    )
    assert len(om.calls("PUT", "/api/v1/mlmodels")) <= 10 + workers
    nothing_deleted(om)


def test_a_401_in_the_middle_of_a_run_stops_it(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    om.fail("PUT", "/api/v1/mlmodels", status=401, times=-1, skip=1, message="Token expired")
    result = run(tmp_path, config(om, aws), om, workers=1)
    assert result.exit_code == 1
    assert result.fatal == (
        "OpenMetadata: PUT /mlmodels: HTTP 401 Token expired (the server refused the token: "
        "check securityConfig.jwtToken, the bot's JWT); the run stopped and nothing was "
        "soft-deleted"
    )
    assert len(om.calls("PUT", "/api/v1/mlmodels")) == 2  # no retry of a 401, nothing after
    nothing_deleted(om)
    converges(tmp_path, om, aws)


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ({"reset": True}, "no answer from"),
        ({"truncate": True, "status": 200}, "no answer from"),
        ({"hang": 1.5, "status": 200, "body": {}}, "(timed out)"),
    ],
    ids=["reset", "truncated", "hang"],
)
def test_a_connection_that_breaks_stops_the_run_at_once(
    aws: FaultProxy, om: OMServer, tmp_path: Path, fault: dict[str, Any], reason: str
) -> None:
    om.fail("PUT", "/api/v1/mlmodels", times=-1, **fault)
    started = time.monotonic()
    result = run(tmp_path, config(om, aws), om, http_timeout=0.5)
    assert time.monotonic() - started < 15
    assert result.exit_code == 1
    assert result.fatal is not None
    assert result.fatal.startswith("OpenMetadata: PUT /mlmodels: ")
    assert reason in result.fatal
    assert "\n" not in result.fatal
    nothing_deleted(om)
    converges(tmp_path, om, aws)


# ---- AWS dies, a filter backtracks -------------------------------------------------------------


def test_aws_dying_in_the_middle_of_a_run_deletes_nothing_and_keeps_the_file(
    aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    out = tmp_path / "out.json"
    out.write_text('["the previous run"]', encoding="utf-8")
    # ListEndpoints, the Search on Model that moto refuses, ListModels, then nothing
    aws.die_after = 3
    text = config(om, aws, sink="file", filename=str(out))
    result = run(tmp_path, text, om, tags=False, assets=frozenset({"models"}))
    assert result.exit_code == 1
    assert result.status.error_count >= len(MODELS) - 1
    assert all("DescribeModel failed" in p.message for p in result.status.errors)
    assert out.read_text(encoding="utf-8") == '["the previous run"]'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.json", "sm.yaml"]
    aws.die_after = len(aws.actions) + 3  # the same with metadata-rest
    result = run(tmp_path, config(om, aws), om, tags=False, assets=frozenset({"models"}))
    assert result.exit_code == 1
    assert result.status.error_count >= len(MODELS) - 1
    nothing_deleted(om)
    converges(tmp_path, om, aws)
    aws.faults.clear()
    assert run(tmp_path, text, om, tags=False).exit_code == 0  # and the file is written
    assert len(json.loads(out.read_text(encoding="utf-8"))) == 1 + len(MODELS)


def test_a_backtracking_filter_costs_at_most_the_match_timeout(
    moto: MotoServer, aws: FaultProxy, om: OMServer, tmp_path: Path
) -> None:
    crafted = "a" * 28 + "b"  # (a+)+$ needs ~2**28 steps (about 15 s) to fail on it
    create_model(moto, crafted, Image="img/x:1")
    text = config(om, aws, excludes=("(a+)+$",))
    started = time.monotonic()
    result = run(tmp_path, text, om)
    assert time.monotonic() - started < 10
    assert result.exit_code == 1
    assert [(p.subject, p.message) for p in result.status.errors] == [
        (
            f"model {crafted}",
            "mlModelFilterPattern took more than 0.5 s on this name (a pattern that "
            "backtracks?): not ingested",
        )
    ]
    assert result.status.processed == len(MODELS)
    nothing_deleted(om)
