"""The rules about secrets (omkit_sagemaker.check.rules.secrets): a secret written literally
(R001, with its unsafe fix to an ``${ENV}`` reference), a placeholder copied from the docs (R002)
and credentials in a URL (R023) are found, and no message ever shows the secret."""

from __future__ import annotations

from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check import rules
from omkit_sagemaker.check.loader import Document, load_text
from omkit_sagemaker.check.rules import RULES

AWS = "source:\n  serviceConnection:\n    config:\n      awsConfig:\n"
SERVER = "workflowConfig:\n  openMetadataServerConfig:\n"
SECRET = "4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t"


def load(text: str) -> Document:
    loaded = load_text(text, "config.yaml", environ={})
    assert loaded.document is not None, loaded.diagnostics
    return loaded.document


def found(text: str, *codes: str) -> list[Diagnostic]:
    return [d for d in rules.run(load(text), (1, 1)) if d.code in codes]


def aws(*lines: str) -> str:
    return AWS + "".join(f"        {line}\n" for line in lines)


def test_a_literal_secret_is_found_without_showing_it_and_its_fix_names_a_variable() -> None:
    text = aws("awsRegion: us-east-2", f"awsSecretAccessKey: '{SECRET}'")
    (literal,) = found(text, "R001")
    assert literal.message == (
        "awsSecretAccessKey is written in the file as literal text: anyone who can read the "
        "file can use it"
    )
    assert literal.hint is not None
    assert "${AWS_SECRET_ACCESS_KEY}" in literal.hint
    assert SECRET not in f"{literal.message} {literal.hint}"
    fixer = RULES["R001"].fix
    assert fixer is not None
    fix = fixer(literal, load(text), (1, 1))
    assert fix is not None
    assert (fix.new, fix.variable, fix.safe, fix.secret) == (
        "'${AWS_SECRET_ACCESS_KEY}'",  # in the quotes it was written in
        "AWS_SECRET_ACCESS_KEY",
        False,
        True,
    )
    assert SECRET not in fix.explanation


def test_references_file_paths_and_an_emulator_s_dummy_keys_are_not_literal_secrets() -> None:
    assert found(aws("awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}"), "R001") == []
    path = SERVER + "    securityConfig:\n      jwtToken: /var/run/secrets/om-jwt\n"
    assert found(path, "R001") == []
    emulator = aws(
        "awsAccessKeyId: testing",
        "awsSecretAccessKey: testing",
        "endPointURL: http://127.0.0.1:5000",
    )
    assert found(emulator, "R001", "R002") == []


def test_a_docs_placeholder_is_an_error_with_a_hint_that_fits_the_key() -> None:
    (jwt,) = found(SERVER + '    securityConfig:\n      jwtToken: "{bot_jwt_token}"\n', "R002")
    assert jwt.message.endswith("a placeholder copied from the documentation")
    assert jwt.message.startswith("jwtToken is ")
    assert jwt.hint == (
        "put the real value in the environment and write jwtToken: ${OPENMETADATA_JWT_TOKEN}"
    )
    (profile,) = found(aws("profileName: profile"), "R002")
    assert (
        profile.hint
        == "write your real profileName, or remove the line (the docs show it commented out)"
    )


def test_credentials_in_a_url_are_found_without_showing_them() -> None:
    (url,) = found(SERVER + "    hostPort: http://admin:s3cr3tpass@localhost:8585/api\n", "R023")
    assert url.message == "hostPort holds a user name and password before its host ('***@')"
    assert "s3cr3tpass" not in f"{url.message} {url.hint}"
    assert found(SERVER + "    hostPort: http://localhost:8585/api\n", "R023") == []
