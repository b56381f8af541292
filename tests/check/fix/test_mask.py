"""Showing a fix without its secrets (omkit_sagemaker.check.fix.mask): a value is a secret by the
key it is read under in any spelling, through aliases too, or by how it looks (a JWT, URL
userinfo); it is masked where it is written and wherever else its text occurs."""

from __future__ import annotations

from omkit_sagemaker.check.fix.apply import FileFix
from omkit_sagemaker.check.fix.mask import MASK, diff, masked, secret_values

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJvbWtpdCJ9.c2lnbmF0dXJlLXZhbHVl"


def test_secret_values_are_found_by_key_in_any_spelling_and_through_aliases() -> None:
    text = (
        "a:\n"
        "  AWSSECRETACCESSKEY: plain-secret-1\n"
        "  awsSecretAccesKey: misspelt-secret-2\n"
        "  awsRegion: us-east-1\n"
        "shared: &s anchored-secret-3\n"
        "b:\n"
        "  jwtToken: *s\n"
    )
    found = secret_values(text)
    assert {"plain-secret-1", "misspelt-secret-2", "anchored-secret-3"} <= found
    assert "us-east-1" not in found


def test_an_environment_reference_is_not_a_secret_value() -> None:
    assert secret_values("jwtToken: ${OM_JWT}\n") == set()


def test_masked_hides_the_token_a_copy_in_a_comment_a_jwt_and_url_userinfo() -> None:
    text = (
        "awsSecretAccessKey: s3cr3t-value-99  # was s3cr3t-value-99\n"
        f"note: {JWT}\n"
        "hostPort: http://admin:hunter2@om.example.com:8585/api\n"
        "awsRegion: us-east-1\n"
    )
    out = masked(text, secret_values(text))
    for secret in ("s3cr3t-value-99", JWT, "hunter2"):
        assert secret not in out
    assert out.count(MASK) >= 3
    assert "awsRegion: us-east-1\n" in out
    assert "om.example.com:8585/api" in out


def test_an_unreadable_text_still_has_its_known_secrets_masked() -> None:
    out = masked("key: [unclosed s3cr3t-value-99\n", {"s3cr3t-value-99"})
    assert "s3cr3t-value-99" not in out
    assert MASK in out


def test_the_diff_of_a_fix_shows_the_change_but_no_secret() -> None:
    old = "awsSecretAccessKey: s3cr3t-value-99\nawsRegion: us-east-1\n"
    new = "awsSecretAccessKey: ${AWS_SECRET}\nawsRegion: us-east-1\n"
    result = FileFix("/cfg/sm.yaml", old_text=old, new_text=new)
    out = diff(result)
    assert "s3cr3t-value-99" not in out
    assert out.startswith("--- a/cfg/sm.yaml\n+++ b/cfg/sm.yaml\n")
    assert f"-awsSecretAccessKey: {MASK}\n" in out
    assert "+awsSecretAccessKey: ${AWS_SECRET}\n" in out
