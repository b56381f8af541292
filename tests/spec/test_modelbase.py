"""What every generated model is built on (omkit_sagemaker.spec.modelbase): a secret never shows
itself by accident (str, repr, f-strings, to_dict), values are converted as metadata ingest's
lax parsers convert them, and a document that does not fit is one error naming the path, never
quoting a secret."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from omkit_sagemaker.spec.modelbase import (
    MASK,
    ModelError,
    Secret,
    as_bool,
    as_float,
    as_int,
    as_object,
    as_secret,
    as_str_list,
)
from omkit_sagemaker.spec.models.workflow import ServiceConnection

from testing.modelcases import CONNECTION, SECRET


def test_a_secret_shows_only_its_mask_unless_asked() -> None:
    secret = Secret("s3cr3t-value")
    assert (str(secret), repr(secret), f"{secret}") == (MASK, f"Secret('{MASK}')", MASK)
    assert secret.get_secret_value() == "s3cr3t-value"
    assert secret == Secret("s3cr3t-value")
    assert len({secret, Secret("s3cr3t-value")}) == 1
    assert not Secret("")
    with pytest.raises(TypeError, match="a Secret holds a string, not int"):
        Secret(5)  # type: ignore[arg-type]


def test_a_model_dumps_its_document_back_with_secrets_masked_unless_revealed() -> None:
    model = ServiceConnection.from_dict(CONNECTION)
    assert model.to_dict(reveal_secrets=True) == CONNECTION
    masked = model.to_dict()
    assert masked["config"]["awsConfig"]["awsSecretAccessKey"] == MASK
    assert SECRET not in repr(model)


@pytest.mark.parametrize(
    ("value", "read"), [(True, True), ("Yes", True), ("off", False), (1, True), (0, False)]
)
def test_booleans_are_read_as_the_runner_reads_them(value: object, read: bool) -> None:
    assert as_bool(value, "a.b") is read


def test_numbers_are_read_as_the_runner_reads_them() -> None:
    assert (as_int("1000", "n"), as_int(2.0, "n"), as_int(True, "n")) == (1000, 2, 1)
    assert (as_float("1.5", "n"), as_float(True, "n"), as_float(3, "n")) == (1.5, 1, 3)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: as_bool("maybe", "source.x"), "source.x: expected a boolean, got"),
        (lambda: as_int(1.5, "n"), "n: expected an integer, got"),
        (lambda: as_float("nan", "n"), "n: expected a number, got"),
        (lambda: as_float("inf", "n"), "n: expected a number, got"),
        (lambda: as_str_list(["a", 2], "includes"), r"includes\[1\]: expected a string, got"),
        (lambda: as_object({"a": 1, "z": 2}, "cfg", frozenset({"a"})), "cfg.z: unknown key"),
        (lambda: as_object({}, "cfg", None, ("type",)), "cfg.type: missing required key"),
        (lambda: as_object([], "", None), "the document: expected a mapping, got"),
    ],
)
def test_a_value_that_does_not_fit_is_one_error_naming_its_path(
    call: Callable[[], object], message: str
) -> None:
    with pytest.raises(ModelError, match=message):
        call()


def test_a_secret_of_the_wrong_type_is_not_quoted() -> None:
    with pytest.raises(ModelError) as caught:
        as_secret(123456789, "awsConfig.awsSecretAccessKey")
    assert "123456789" not in str(caught.value)
    assert str(caught.value).startswith("awsConfig.awsSecretAccessKey: expected a string, got")
