"""The questions ``omkit init sagemaker`` asks on a terminal (omkit_sagemaker.cli.prompts):
only the values not given are asked, Enter keeps the template's value, a bad answer is said to be
bad (by the library's own check) and asked again, and the auth mode decides the next question."""

from __future__ import annotations

import io

import pytest
from omkit_sagemaker.cli.prompts import ask_options
from omkit_sagemaker.scaffold.options import Auth, Options
from omkit_sagemaker.scaffold.template import template_value
from rich.console import Console


def ask(monkeypatch: pytest.MonkeyPatch, options: Options, *answers: str) -> tuple[Options, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO("".join(a + "\n" for a in answers)))
    shown = io.StringIO()
    console = Console(file=shown, force_terminal=False, width=200)
    return ask_options(options, console), shown.getvalue()


def test_every_missing_value_is_asked_and_a_bad_answer_asked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    got, shown = ask(
        monkeypatch, Options(), "ml", "eu-west-1b", "eu-west-1", "profile", "ml-readonly", "", "n"
    )
    assert (got.service_name, got.region, got.auth, got.profile) == (
        "ml",
        "eu-west-1",
        Auth.profile,
        "ml-readonly",
    )
    assert got.host_port == template_value(
        ("workflowConfig", "openMetadataServerConfig", "hostPort")
    )
    assert got.mark_deleted is False
    assert "'eu-west-1b' is an availability zone, not a region: its region is eu-west-1" in shown
    assert shown.count("AWS region") == 2


def test_values_given_are_not_asked_and_assume_role_asks_for_the_role(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    given = Options(service_name="ml", region="us-east-2", auth=Auth.assume_role, mark_deleted=True)
    role = "arn:aws:iam::123456789012:role/Reader"
    got, shown = ask(monkeypatch, given, "Reader", role, "https://om.example.com/api")
    assert (got.role_arn, got.host_port, got.mark_deleted) == (
        role,
        "https://om.example.com/api",
        True,
    )
    assert "'Reader' is not an IAM role ARN" in shown
    assert "service name" not in shown
    assert "AWS region" not in shown
