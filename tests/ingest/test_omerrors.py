"""``omkit_sagemaker.ingest.omerrors``: the errors of the OpenMetadata client, as a caller reads
them (status, one-line message, hint) and the few words that say why a connection failed."""

from __future__ import annotations

import errno

from omkit_sagemaker.ingest.omerrors import (
    NotFoundError,
    OpenMetadataError,
    Stopped,
    failure_reason,
    status_hint,
)


def test_an_error_shows_its_message_and_hint_in_one_line() -> None:
    error = OpenMetadataError(401, "GET /mlmodels: HTTP 401", status_hint(401))
    assert (error.status, error.message) == (401, "GET /mlmodels: HTTP 401")
    assert str(error) == f"GET /mlmodels: HTTP 401 ({error.hint})"
    assert str(OpenMetadataError(500, "GET /x: HTTP 500")) == "GET /x: HTTP 500"


def test_a_stop_is_an_error_without_a_status() -> None:
    stopped = Stopped("PUT /mlmodels: not sent: stopped by SIGINT")
    assert isinstance(stopped, OpenMetadataError)
    assert stopped.status is None
    assert str(stopped) == "PUT /mlmodels: not sent: stopped by SIGINT"
    assert issubclass(NotFoundError, OpenMetadataError)


def test_hints_only_for_statuses_the_user_can_fix() -> None:
    assert "securityConfig.jwtToken" in status_hint(401)
    assert "roles" in status_hint(403)
    assert [status_hint(s) for s in (400, 404, 429, 500)] == ["", "", "", ""]


def test_failure_reasons_are_a_few_words() -> None:
    assert failure_reason(TimeoutError()) == "timed out"
    assert failure_reason(OSError("The read operation timed out")) == "timed out"
    refused = ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")
    assert failure_reason(refused) == "Connection refused"
    assert failure_reason(ValueError()) == "ValueError"
    assert failure_reason(RuntimeError("x" * 500)) == "x" * 200
