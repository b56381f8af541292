"""omkit_sagemaker.base.masking: how a value may appear in a message (short, never a secret)."""

from __future__ import annotations

import datetime

import pytest
from omkit_sagemaker.base.masking import (
    HIDDEN,
    describe,
    excerpt,
    is_secret,
    is_secret_key,
    kind,
    looks_secret,
    mask_text,
)

KEYS = frozenset({"awsSecretAccessKey", "jwtToken"})


@pytest.mark.parametrize(
    ("path", "secret"),
    [
        (("source", "awsSecretAccessKey"), True),
        (("jwtToken",), True),
        (("jwtToken", "nested", 0), True),  # anything below a secret key
        (("a", 0, "jwtToken", 2), True),
        (("source", "awsAccessKeyId"), False),
        (("JWTTOKEN",), False),  # key names are case-sensitive
        ((), False),
        (("list", 0, 1), False),
    ],
)
def test_is_secret(path: tuple[str | int, ...], secret: bool) -> None:
    assert is_secret(path, KEYS) is secret


def test_excerpt_quotes_short_text_unchanged() -> None:
    assert excerpt("abc") == "'abc'"
    assert excerpt("") == "''"
    assert excerpt("café 名前") == "'café 名前'"


def test_excerpt_cuts_long_text_to_the_limit() -> None:
    text = "x" * 41
    shown = excerpt(text)
    assert shown.startswith("'")
    assert shown.endswith("…'")
    assert len(shown) == 40 + 2
    assert excerpt("x" * 40) == "'" + "x" * 40 + "'"
    assert excerpt("abcdefgh", limit=5) == "'abcd…'"


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("a\nb", "'a\\nb'"),
        ("tab\there", "'tab\\there'"),
        ("\x00", "'\\x00'"),
        ("\x1b[31m", "'\\x1b[31m'"),
    ],
)
def test_excerpt_makes_control_characters_visible(text: str, shown: str) -> None:
    assert excerpt(text) == shown


def test_excerpt_of_control_characters_is_cut_too() -> None:
    shown = excerpt("\n" * 1000)
    assert "\n" not in shown
    assert len(shown) < 1000


def test_cut_mark_stays_readable_when_control_characters_are_escaped() -> None:
    shown = excerpt("\t" + "a" * 100)
    assert shown.endswith("…'")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (83, "83"),
        (-1.5, "-1.5"),
        (1000.0, "1000.0"),
        ("text", "'text'"),
        ({"a": 1}, "a mapping"),
        ([1, 2], "a list"),
        (datetime.date(2024, 1, 31), "a date value"),
    ],
)
def test_describe(value: object, shown: str) -> None:
    assert describe(value) == shown


@pytest.mark.parametrize("value", [None, True, 83, 1.5, "s3cr3t", {"k": "s3cr3t"}, ["s3cr3t"]])
def test_describe_hides_secrets_whatever_their_kind(value: object) -> None:
    assert describe(value, secret=True) == HIDDEN
    assert "s3cr3t" not in HIDDEN


def test_describe_cuts_long_values() -> None:
    assert len(describe("y" * 500)) == 42
    assert len(describe(10**200)) == 40  # digits cut, without the quotes


def test_describe_huge_integer() -> None:
    assert len(describe(2**20_000)) <= 42


@pytest.mark.parametrize(
    ("value", "name"),
    [
        (None, "null"),
        (True, "a boolean"),
        (1, "an integer"),
        (1.0, "a number"),
        ("", "a string"),
        ({}, "a mapping"),
        ([], "a list"),
        (datetime.date(2024, 1, 1), "a date"),
    ],
)
def test_kind(value: object, name: str) -> None:
    assert kind(value) == name


def test_url_userinfo_is_never_shown() -> None:
    from omkit_sagemaker.base.masking import url_without_userinfo

    assert url_without_userinfo("https://bot:s3cret@om.example.com:8585/api") == (
        "https://***@om.example.com:8585/api"
    )
    assert url_without_userinfo("http://om:8585/api?x=a@b") == "http://om:8585/api?x=a@b"
    assert url_without_userinfo("not a url") == "not a url"


def test_userinfo_is_masked_in_any_text() -> None:
    from omkit_sagemaker.base.masking import mask_userinfo

    text = "cannot reach http://admin:S3cret@om:8585/api (check hostPort (https://tok@h/api))"
    assert (
        mask_userinfo(text)
        == "cannot reach http://***@om:8585/api (check hostPort (https://***@h/api))"
    )
    assert mask_userinfo("mail me at a@b.example") == "mail me at a@b.example"


# --- secrets by what they are, for diffs and fix messages --------------------------------------

SECRET_KEYS = frozenset({"awsSecretAccessKey", "awsSessionToken", "jwtToken", "sslKey"})


@pytest.mark.parametrize(
    "key",
    [
        "awsSecretAccessKey",
        "jwttoken",
        "JWTTOKEN",
        "AwsSecretAccessKey",
        "awsSecretAccesKey",
        "aws_secret_access_key",
        "AWSSESSIONTOKEN",
        "awsSesionToken",
        "password",
        "dbPassword",
        "clientSecret",
        "apiKey",
    ],
)
def test_a_secret_key_is_known_under_any_spelling(key: str) -> None:
    assert is_secret_key(key, SECRET_KEYS)


@pytest.mark.parametrize(
    "key", ["awsAccessKeyId", "awsRegion", "secretsManagerProvider", "hostPort", "type", ""]
)
def test_an_ordinary_key_is_not_a_secret_key(key: str) -> None:
    assert not is_secret_key(key, SECRET_KEYS)


def test_mask_text_hides_known_values_jwts_and_userinfo_everywhere() -> None:
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl"
    text = (
        f"- key: Zq7secret # old: Zq7secret\n+ token: {jwt}\n"
        "  hostPort: http://admin:pw@localhost:8585/api\n  short: abc"
    )
    masked = mask_text(text, {"Zq7secret", "abc"})
    assert "Zq7secret" not in masked
    assert jwt not in masked
    assert "admin:pw" not in masked
    assert "http://***@localhost:8585/api" in masked
    assert masked.endswith("short: abc")  # under 4 characters: an ordinary word, kept


def test_a_value_that_looks_like_a_secret_is_one() -> None:
    assert looks_secret("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhIn0.c2lnbmF0dXJl")
    assert looks_secret("'admin:hunter2@localhost:8585'")
    assert not looks_secret("http://localhost:8585/api")
    assert not looks_secret("us-east-2")
