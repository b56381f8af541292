"""Secrets never leave the process (omkit_sagemaker.ingest.redaction): every ``format: password``
value of the config is found, and masked in log records and printed text, longer ones first, too
short ones left (they would match ordinary words)."""

from __future__ import annotations

import logging

import pytest
from omkit_sagemaker.ingest.redaction import Redactor, secret_values
from omkit_sagemaker.spec.modelbase import MASK
from omkit_sagemaker.spec.models.workflow import ServiceConnection

from testing.modelcases import CONNECTION, SECRET


def test_the_secret_values_of_a_config_are_its_password_fields() -> None:
    assert secret_values(ServiceConnection.from_dict(CONNECTION)) == {SECRET}


def test_log_records_and_text_are_masked_longest_value_first(
    caplog: pytest.LogCaptureFixture,
) -> None:
    redactor = Redactor()
    redactor.add(["abc", "s3cr3t", "s3cr3t-longer"])
    assert redactor.redact("key=s3cr3t-longer and s3cr3t, abc") == f"key={MASK} and {MASK}, abc"
    log = logging.getLogger("omkit.test-redaction")
    log.addFilter(redactor)
    try:
        with caplog.at_level(logging.INFO, logger="omkit.test-redaction"):
            log.info("sent %s to %s", "s3cr3t", "om")
    finally:
        log.removeFilter(redactor)
    (record,) = caplog.records
    assert record.getMessage() == f"sent {MASK} to om"
    assert "s3cr3t" not in caplog.text


def test_without_secrets_records_pass_as_they_are() -> None:
    record = logging.LogRecord("omkit", logging.INFO, __file__, 1, "value %s", ("x",), None)
    assert Redactor().filter(record)
    assert (record.msg, record.args) == ("value %s", ("x",))
