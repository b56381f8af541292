"""The string formats omkit checks (omkit_sagemaker.base.formats), the same for the jsonschema
checker and the generated fast checker: a URL needs a scheme and a host (and a numeric port), a
regex must compile, a UUID and an IP address must parse, and a value that is not a string passes
every format."""

from __future__ import annotations

import pytest
from omkit_sagemaker.base.formats import CHECKS, is_ip, is_regex, is_uri, is_uuid


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("http://localhost:8585/api", True),
        ("s3://models/churn.tar.gz", True),
        ("https://[::1]:8585/api", True),
        ("localhost:8585/api", False),  # a scheme "localhost", no host
        ("http:///api", False),
        ("http://localhost:port/api", False),
        ("http://localhost:99999/api", False),
        ("http://local host/api", False),
        ("1http://host/api", False),
    ],
)
def test_a_url_has_a_scheme_a_host_and_a_numeric_port(value: str, valid: bool) -> None:
    assert is_uri(value) is valid


def test_regex_uuid_and_ip_parse_as_python_does() -> None:
    assert is_regex("^churn-(v\\d+)?$")
    assert not is_regex("churn-(")
    assert is_uuid("7c1c8e3e-0000-4000-8000-000000000001")
    assert is_uuid("{7c1c8e3e-0000-4000-8000-000000000001}")
    assert not is_uuid("7c1c8e3e")
    assert is_ip("10.0.0.5")
    assert is_ip("::1")
    assert not is_ip("10.0.0.256")


@pytest.mark.parametrize("value", [None, 5, ["http://x"], {"a": 1}])
def test_a_value_that_is_not_a_string_passes_every_format(value: object) -> None:
    assert all(check(value) for check in CHECKS.values())
