"""The environment variables the unsafe secret fixes name (omkit_sagemaker.check.fix.variables):
``--name`` renames them, two different secrets of one file never share one (``NAME_2``), and a
fix made says truthfully whether a copy of the secret is still in the file."""

from __future__ import annotations

from omkit_sagemaker.check.fix.model import Fix, secret_explanation
from omkit_sagemaker.check.fix.variables import How, named, told

KEY = ("source", "serviceConnection", "config", "awsConfig", "awsSecretAccessKey")


def secret_fix(old: str, variable: str = "AWS_SECRET_ACCESS_KEY") -> Fix:
    return Fix(
        "R001",
        KEY,
        "value",
        old,
        f"${{{variable}}}",
        secret_explanation("awsSecretAccessKey", variable),
        secret=True,
        safe=False,
        variable=variable,
    )


def test_two_different_secrets_of_one_file_get_two_variables_and_a_repeat_shares_one() -> None:
    claimed: dict[str, str] = {}
    first = named(secret_fix("s3cr3t-one"), How(), claimed)
    second = named(secret_fix("s3cr3t-two"), How(), claimed)
    again = named(secret_fix("s3cr3t-one"), How(), claimed)
    assert (first.variable, first.new) == ("AWS_SECRET_ACCESS_KEY", "${AWS_SECRET_ACCESS_KEY}")
    assert (second.variable, second.new) == (
        "AWS_SECRET_ACCESS_KEY_2",
        "${AWS_SECRET_ACCESS_KEY_2}",
    )
    assert "${AWS_SECRET_ACCESS_KEY_2}" in second.explanation
    assert again.variable == "AWS_SECRET_ACCESS_KEY"


def test_names_asked_for_replace_the_fix_s_own() -> None:
    how = How(names={"AWS_SECRET_ACCESS_KEY": "PROD_AWS_SECRET"})
    fix = named(secret_fix("'s3cr3t-one'"), how, {})
    assert (fix.variable, fix.new) == ("PROD_AWS_SECRET", "${PROD_AWS_SECRET}")
    assert fix.explanation.startswith("awsSecretAccessKey now reads ${PROD_AWS_SECRET}")
    assert fix.old == "'s3cr3t-one'"


def test_a_fix_without_a_variable_is_left_as_it_is() -> None:
    plain = Fix("S004", ("source", "type"), "value", "Sagemaker", "SageMaker", "the type")
    assert named(plain, How(names={"X": "Y"}), {}) is plain
    assert told(plain, "type: Sagemaker  # Sagemaker\n") is plain


def test_a_secret_still_in_a_comment_is_not_said_to_be_gone() -> None:
    text = (
        "awsConfig:\n"
        "  awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}  # was s3cr3t-one\n"
        "  # old: s3cr3t-one\n"
    )
    fix = told(secret_fix("'s3cr3t-one'"), text)
    assert fix.explanation.endswith("a copy of the secret is still in the file on lines 2, 3")
    assert "s3cr3t-one" not in fix.explanation
    gone = told(secret_fix("s3cr3t-one"), "awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}\n")
    assert "the old value is no longer in the file" in gone.explanation
