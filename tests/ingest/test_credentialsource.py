"""``omkit_sagemaker.ingest.credentialsource``: where a session's credentials came from, said
without revealing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from omkit_sagemaker.ingest import awsclient, credentialsource

from testing.awsclientcases import KEY_ID, SECRET, creds


def test_credential_sources(aws_env: dict[str, str], tmp_path: Path) -> None:
    cfg = creds(awsAccessKeyId=KEY_ID, awsSecretAccessKey=SECRET)
    info = credentialsource.credential_info(awsclient.base_session(cfg))
    assert (info.source, info.method) == (credentialsource.CredentialSource.KEYS, "explicit")
    assert info.description == "access keys from awsConfig"

    shared = tmp_path / "credentials"
    shared.write_text(
        f"[default]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n"
        f"[dev]\naws_access_key_id = {KEY_ID}\naws_secret_access_key = {SECRET}\n",
        encoding="utf-8",
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_SHARED_CREDENTIALS_FILE", str(shared))
        info = credentialsource.credential_info(awsclient.base_session(creds(profileName="dev")))
        assert info.source is credentialsource.CredentialSource.PROFILE
        assert info.description == "profile 'dev' (shared credentials file)"
        info = credentialsource.credential_info(awsclient.base_session(creds()))
        assert info.source is credentialsource.CredentialSource.SHARED_FILE

    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_ACCESS_KEY_ID", KEY_ID)
        env.setenv("AWS_SECRET_ACCESS_KEY", SECRET)
        info = credentialsource.credential_info(awsclient.base_session(creds()))
        assert info.source is credentialsource.CredentialSource.ENVIRONMENT
        assert KEY_ID not in info.description
        assert SECRET not in info.description

    role = creds(assumeRoleArn="arn:aws:iam::123456789012:role/Reader")
    info = credentialsource.assumed_role_info(role)
    assert info.source is credentialsource.CredentialSource.ASSUMED_ROLE
    assert "'OpenMetadataSession'" in info.description
