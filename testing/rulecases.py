"""Helpers of the lint-rule tests (``tests/check/test_rules.py`` and ``tests/check/rules/``):
a document loaded with exactly the given environment, its rule diagnostics, and configs of a
few ``awsConfig`` or ``openMetadataServerConfig`` lines."""

from __future__ import annotations

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import Document, load_text
from omkit_sagemaker.check.versions import Version

AWS = "source:\n  serviceConnection:\n    config:\n      awsConfig:\n"


SERVER = "workflowConfig:\n  openMetadataServerConfig:\n"


def load(text: str, env: dict[str, str] | None = None) -> Document:
    loaded = load_text(text, "config.yaml", environ={} if env is None else env)
    assert loaded.document is not None, loaded.diagnostics
    return loaded.document


def lint(
    text: str,
    target: Version = (1, 1),
    env: dict[str, str] | None = None,
    *,
    unset: bool = False,
) -> list[Diagnostic]:
    """The rule diagnostics of ``text``; R020 (unset variables) only with ``unset=True``, so
    that the other rules' tests can use ``${VAR}`` references without setting them."""
    return rules.run(load(text, env), target, disabled=() if unset else ("R020",))


def aws(*lines: str) -> str:
    return AWS + "".join(f"        {line}\n" for line in lines)


def server(*lines: str) -> str:
    return SERVER + "".join(f"    {line}\n" for line in lines)


def codes(found: list[Diagnostic]) -> list[str]:
    return [d.code for d in found]
