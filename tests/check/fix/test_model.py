"""What a fix is (omkit_sagemaker.check.fix.model): a new scalar written in the quote style of the
old one and always reading back as the value meant (in YAML 1.1 and 1.2 alike), a value fix only
where the value is written as one literal line, a secret's old value never shown, and an
explanation that never claims a secret is gone while a copy is left."""

from __future__ import annotations

import pytest
import yaml
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check.fix.model import Fix, secret_explanation, string_token, value_fix
from omkit_sagemaker.check.loader import Document, load_text


@pytest.mark.parametrize(
    ("old", "value", "token"),
    [
        ("'Sagemaker'", "SageMaker", "'SageMaker'"),
        ('"Sagemaker"', "SageMaker", '"SageMaker"'),
        ("Sagemaker", "SageMaker", "SageMaker"),
        ("x", "yes", "'yes'"),  # plain yes is a boolean in YAML 1.1
        ("x", "0123", "'0123'"),  # an octal number in YAML 1.1
        ("x", "it's", "it's"),
        ("'x'", "it's", "'it''s'"),
        ("x", "a: b", "'a: b'"),
    ],
)
def test_a_new_value_keeps_the_old_quote_style_and_reads_back_as_meant(
    old: str, value: str, token: str
) -> None:
    assert string_token(old, value) == token
    assert yaml.safe_load(f"k: {token}") == {"k": value}


def load(text: str, env: dict[str, str] | None = None) -> Document:
    loaded = load_text(text, "config.yaml", environ=env or {})
    assert loaded.document is not None, loaded.diagnostics
    return loaded.document


def diagnostic(path: str) -> Diagnostic:
    return Diagnostic("config.yaml", 2, 9, Severity.ERROR, "S004", "a problem", path)


def test_a_value_fix_replaces_one_literal_line_only() -> None:
    fix = value_fix(
        diagnostic("$.source.type"), load("source:\n  type: 'Sagemaker'\n"), "SageMaker", "why"
    )
    assert fix is not None
    assert (fix.path, fix.kind, fix.old, fix.new, fix.secret) == (
        ("source", "type"),
        "value",
        "'Sagemaker'",
        "'SageMaker'",
        False,
    )
    from_env = load("source:\n  type: ${KIND}\n", {"KIND": "Sagemaker"})
    assert value_fix(diagnostic("$.source.type"), from_env, "SageMaker", "why") is None
    folded = load("source:\n  type: >\n    Sagemaker\n")
    assert value_fix(diagnostic("$.source.type"), folded, "SageMaker", "why") is None
    assert value_fix(diagnostic("$.source.missing"), folded, "SageMaker", "why") is None


def test_a_secret_s_old_value_is_never_shown_and_a_variable_renames_the_reference() -> None:
    fix = Fix(
        "R001",
        ("a", "jwtToken"),
        "value",
        "'s3cr3t'",
        "'${JWT}'",
        "why",
        secret=True,
        safe=False,
        variable="JWT",
    )
    assert fix.shown_old() == "(value hidden)"
    renamed = fix.with_variable("PROD_JWT", "now PROD_JWT")
    assert (renamed.new, renamed.variable, renamed.explanation, renamed.safe) == (
        "'${PROD_JWT}'",
        "PROD_JWT",
        "now PROD_JWT",
        False,
    )
    assert (
        Fix("S004", ("source", "type"), "value", "Sagemaker", "SageMaker", "why").shown_old()
        == "Sagemaker"
    )


def test_the_explanation_of_a_replaced_secret_says_where_a_copy_is_left() -> None:
    assert secret_explanation("jwtToken", "OM_JWT") == (
        "jwtToken now reads ${OM_JWT} from the environment; the old value is no longer in the "
        "file: set OM_JWT to the old value (not shown here) wherever metadata ingest runs, before "
        "the next run"
    )
    assert secret_explanation("jwtToken", "OM_JWT", [4, 9]).endswith(
        "a copy of the secret is still in the file on lines 4, 9"
    )
    assert secret_explanation("jwtToken", "OM_JWT", [4]).endswith("still in the file on line 4")
