"""What ``omkit init`` may put in a config (omkit_sagemaker.scaffold.options): each value checked
with one sentence naming the setting and quoting the value (never a secret's), the auth mode
inferred from the options given, and options that do not go together refused all at once."""

from __future__ import annotations

import pytest
from omkit_sagemaker.scaffold.options import (
    Auth,
    Options,
    check_host_port,
    check_options,
    check_regex,
    quote_value,
    resolve_auth,
)

ROLE = "arn:aws:iam::123456789012:role/Reader"


@pytest.mark.parametrize(
    ("options", "auth"),
    [
        (Options(), Auth.keys),
        (Options(profile="ml"), Auth.profile),
        (Options(profile="ml", role_arn=ROLE), Auth.assume_role),
        (Options(session_name="omkit"), Auth.assume_role),
        (Options(session_token="${TOKEN}"), Auth.keys),
        (Options(auth=Auth.default_chain, profile="ml"), Auth.default_chain),
    ],
)
def test_the_auth_mode_is_the_one_asked_for_else_the_one_the_options_point_to(
    options: Options, auth: Auth
) -> None:
    assert resolve_auth(options) is auth


def test_each_bad_value_is_one_sentence_naming_the_setting_and_quoting_the_value() -> None:
    options = Options(
        service_name=" ml",
        region="eu-west-1b",
        role_arn="Reader",
        host_port="http://localhost:8585",
        sink_file="out/",
        includes=("churn-[",),
    )
    problems = check_options(options)
    assert problems[:3] == [
        "service name ' ml' must not start or end with spaces",
        "region 'eu-west-1b' is an availability zone, not a region: its region is eu-west-1",
        "role ARN 'Reader' is not an IAM role ARN such as arn:aws:iam::123456789012:role/Reader",
    ]
    assert (
        "OpenMetadata URL 'http://localhost:8585' does not end in /api, so every request would "
        "miss the API; write http://localhost:8585/api" in problems
    )
    assert "sink file 'out/' is a folder: name the file to write, such as models.json" in problems
    assert any(
        p.startswith("include pattern 'churn-[' is not a valid regular expression (")
        for p in problems
    )
    assert len(problems) == 6


def test_a_bad_secret_is_named_but_never_quoted() -> None:
    problems = check_options(Options(secret_access_key="s3cr3t\nvalue", jwt_token=""))
    assert problems == [
        "the secret access key must be a single line of printable characters",
        "the JWT token must not be empty",
    ]


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        (Options(auth=Auth.profile), "auth 'profile' needs a profile name"),
        (Options(auth=Auth.assume_role), "auth 'assume-role' needs the ARN of the role to assume"),
        (
            Options(auth=Auth.keys, profile="ml"),
            "a profile is only used with auth 'profile' or 'assume-role', not 'keys'",
        ),
        (
            Options(auth=Auth.profile, profile="ml", session_name="s"),
            "a session name is only used with auth 'assume-role', not 'profile'",
        ),
        (
            Options(auth=Auth.default_chain, access_key_id="AKIA"),
            "an access key ID is only used with auth 'keys' or 'assume-role', not 'default-chain'",
        ),
        (
            Options(role_arn=ROLE, profile="ml", secret_access_key="${S}"),
            "give base keys or a profile for the role, not both (the keys would win)",
        ),
    ],
)
def test_options_that_do_not_go_together_are_refused(options: Options, problem: str) -> None:
    assert check_options(options) == [problem]


def test_a_consistent_set_of_options_has_no_problem() -> None:
    assert (
        check_options(
            Options(
                role_arn=ROLE,
                profile="base",
                region="us-east-2",
                host_port="https://om.example.com/api",
            )
        )
        == []
    )


def test_the_checks_of_single_values() -> None:
    assert check_host_port("https://om.example.com/api/") is None
    assert check_host_port("om.example.com/api") == (
        "is not a URL with a scheme and a host, such as https://host:port/path"
    )
    assert check_regex("^churn-.*$") is None
    assert check_regex("a\nb") == "must be a single line"


def test_values_are_quoted_short_and_with_control_characters_escaped() -> None:
    assert quote_value("ml") == "'ml'"
    assert quote_value("x" * 100) == "'" + "x" * 59 + "…'"
    assert quote_value("a\tb") == "'a\\tb'"
