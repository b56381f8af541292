"""Filling the SageMaker template and writing it (omkit_sagemaker.scaffold.render): filling it
keeps every comment, every auth mode and option gives a valid file holding exactly what was
asked, literal secrets are found, and writing is safe."""

from __future__ import annotations

import itertools
import os
import re
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from omkit_sagemaker import scaffold
from omkit_sagemaker.check.validate import check_file
from omkit_sagemaker.scaffold import Auth, KeyPath, Options, ScaffoldError, TargetExistsError

from testing.samples import SAMPLE_ENV
from testing.scaffoldcases import (
    ABSENT,
    AWS,
    CONNECTION,
    PIPELINE,
    ROLE,
    SECRET,
    TEMPLATE,
    errors,
    get,
    prose_lines,
    render_to,
)

# --------------------------------------------------------------------------- rendering

AUTH_VARIANTS: list[tuple[str, Options]] = [
    ("keys", Options(auth=Auth.keys)),
    ("keys+token", Options(auth=Auth.keys, session_token="${AWS_SESSION_TOKEN}")),
    ("keys-inferred", Options(access_key_id="${MY_KEY_ID}", secret_access_key="${MY_SECRET}")),
    ("profile", Options(auth=Auth.profile, profile="ml-readonly")),
    ("profile-inferred", Options(profile="ml-readonly")),
    ("assume-role", Options(auth=Auth.assume_role, role_arn=ROLE)),
    (
        "assume-role-full",
        Options(
            role_arn=ROLE,
            profile="base",
            session_name="omkit-ingest",
            source_identity="data-platform",
        ),
    ),
    ("default-chain", Options(auth=Auth.default_chain)),
]

EXTRA_VARIANTS: list[tuple[str, dict[str, Any]]] = [
    ("plain", {}),
    (
        "everything",
        {
            "service_name": "sagemaker_prod_eu",
            "region": "eu-west-1",
            "endpoint_url": "http://127.0.0.1:5000",
            "host_port": "https://openmetadata.example.com/api",
            "mark_deleted": False,
            "jwt_token": "${OM_BOT_JWT}",
        },
    ),
    ("mark-deleted", {"mark_deleted": True}),
    ("includes", {"includes": ("prod-", "churn-.*-v[0-9]+$")}),
    ("excludes", {"excludes": (".*-test$",)}),
    ("both-filters", {"includes": ("prod-",), "excludes": ("tmp-", "-scratch$")}),
    ("yaml-1.1-traps", {"service_name": "yes", "includes": ("on", "0123", "x*", "a: b #c")}),
]


def expected(options: Options) -> dict[KeyPath, Any]:
    """Every value the file must hold (or ABSENT) for ``options``."""
    auth = scaffold.resolve_auth(options)
    want: dict[KeyPath, Any] = {
        scaffold.SERVICE_NAME: options.service_name or "aws_sagemaker",
        scaffold.REGION: options.region or "us-east-2",
        scaffold.ENDPOINT_URL: options.endpoint_url or ABSENT,
        scaffold.HOST_PORT: options.host_port or "http://localhost:8585/api",
        scaffold.JWT_TOKEN: options.jwt_token or "${OPENMETADATA_JWT_TOKEN}",
        scaffold.MARK_DELETED: True if options.mark_deleted is None else options.mark_deleted,
        scaffold.INCLUDES: list(options.includes) or ABSENT,
        scaffold.EXCLUDES: list(options.excludes) or ABSENT,
        (*CONNECTION, "type"): "SageMaker",
        (*PIPELINE, "type"): "MlModelMetadata",
        (*CONNECTION, "supportsMetadataExtraction"): ABSENT,
    }
    if not options.includes and not options.excludes:
        want[scaffold.INCLUDES[:-1]] = ABSENT
    keys = auth is Auth.keys
    want[scaffold.ACCESS_KEY_ID] = (
        (options.access_key_id or "${AWS_ACCESS_KEY_ID}") if keys else ABSENT
    )
    want[scaffold.SECRET_ACCESS_KEY] = (
        (options.secret_access_key or "${AWS_SECRET_ACCESS_KEY}") if keys else ABSENT
    )
    want[scaffold.SESSION_TOKEN] = (
        options.session_token if keys and options.session_token else ABSENT
    )
    want[scaffold.PROFILE] = options.profile or ABSENT
    role = auth is Auth.assume_role
    want[scaffold.ROLE_ARN] = options.role_arn if role else ABSENT
    want[scaffold.SESSION_NAME] = options.session_name or ABSENT
    want[scaffold.SOURCE_IDENTITY] = options.source_identity or ABSENT
    return want


COMBINATIONS = [
    pytest.param(auth_opts, extra, id=f"{auth_id}-{extra_id}")
    for (auth_id, auth_opts), (extra_id, extra) in itertools.product(AUTH_VARIANTS, EXTRA_VARIANTS)
]


@pytest.mark.parametrize(("auth_options", "extra"), COMBINATIONS)
def test_every_auth_mode_and_option_gives_a_valid_file_with_the_values_asked(
    tmp_path: Path, auth_options: Options, extra: dict[str, Any]
) -> None:
    options = Options(**{**auth_options.__dict__, **extra})
    path, data, text = render_to(tmp_path, options)
    found = check_file(path, environ=None)  # the file as written (R020 is tested elsewhere)
    assert errors(found) == []
    if options.includes and options.excludes:  # valid, but the excludes are never used
        assert len(found) == 1
        assert found[0].path.startswith("$.source.sourceConfig.config.mlModelFilterPattern")
    else:
        assert found == []
    for key, value in expected(options).items():
        assert get(data, key) == value if value is not ABSENT else get(data, key) is ABSENT, key
    # Every explanation of the template is still there, in order.
    template_prose = prose_lines(TEMPLATE)
    assert prose_lines(text) == template_prose
    # No literal secret unless one was given.
    assert scaffold.literal_secrets(data) == []


def test_no_options_gives_the_template_itself() -> None:
    assert scaffold.render(Options()).text == TEMPLATE


def test_auth_modes_decide_the_active_aws_keys() -> None:
    def active(options: Options) -> set[str]:
        data = yaml.safe_load(scaffold.render(options).text)
        return set(get(data, AWS))

    assert active(Options(auth=Auth.keys)) == {"awsRegion", "awsAccessKeyId", "awsSecretAccessKey"}
    assert active(Options(auth=Auth.profile, profile="p")) == {"awsRegion", "profileName"}
    assert active(Options(auth=Auth.assume_role, role_arn=ROLE)) == {"awsRegion", "assumeRoleArn"}
    assert active(Options(auth=Auth.default_chain)) == {"awsRegion"}


def test_a_comment_line_of_the_template_stays_in_the_output() -> None:
    text = scaffold.render(Options(auth=Auth.default_chain, includes=("prod-",))).text
    for line in (
        "        # Region whose SageMaker models are read; the only AWS setting that is required.",
        "      # Leave the filter out to ingest every model.",
        "    # CA bundle that verifySSL: validate checks the server's certificate against.",
    ):
        assert line in TEMPLATE.splitlines()
        assert line in text.splitlines()
    assert "        # awsSecretAccessKey: ${AWS_SECRET_ACCESS_KEY}" in text.splitlines()


def test_filter_lists_replace_the_examples_and_keep_the_comments_after_them() -> None:
    text = scaffold.render(Options(excludes=("a-", "b-", "c-"))).text
    lines = text.splitlines()
    start = lines.index("      mlModelFilterPattern:")
    assert lines[start + 1 : start + 8] == [
        "        # includes:",
        "        #   - prod-",
        "        excludes:",
        "          - a-",
        "          - b-",
        "          - c-",
        "sink:",
    ]
    text = scaffold.render(Options(includes=("only-",))).text
    lines = text.splitlines()
    start = lines.index("      mlModelFilterPattern:")
    assert lines[start + 1 : start + 6] == [
        "        includes:",
        "          - only-",
        "        # excludes:",
        "        #   - .*-test$",
        "sink:",
    ]


@pytest.mark.parametrize(
    "value", ["yes", "no", "on", "off", "null", "~", "0123", "1e3", "true", "12:30", "=", "a #b"]
)
def test_values_that_yaml_would_retype_are_quoted(value: str) -> None:
    text = scaffold.render(Options(profile=value)).text
    assert get(yaml.safe_load(text), scaffold.PROFILE) == value
    assert f"profileName: '{value}'" in text


def test_values_that_need_no_quotes_get_none() -> None:
    text = scaffold.render(Options(excludes=(".*-test$", "^tmp-", "-scratch"))).text
    assert "          - .*-test$\n          - ^tmp-\n          - -scratch\n" in text
    assert "jwtToken: ${OPENMETADATA_JWT_TOKEN}\n" in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (Options(auth=Auth.assume_role), "needs the ARN"),
        (Options(auth=Auth.profile), "needs a profile name"),
        (Options(auth=Auth.keys, profile="p"), "profile is only used"),
        (Options(auth=Auth.default_chain, role_arn=ROLE), "role ARN is only used"),
        (Options(auth=Auth.profile, profile="p", session_name="s"), "session name is only used"),
        (
            Options(auth=Auth.profile, profile="p", secret_access_key="x"),
            "only used with auth 'keys' or 'assume-role'",
        ),
        (
            Options(auth=Auth.assume_role, role_arn=ROLE, profile="p", access_key_id="AKIA"),
            "base keys or a profile for the role, not both",
        ),
        (Options(host_port="http://localhost:8585"), "does not end in /api"),
        (
            Options(region="us-east-2a"),
            "an availability zone, not a region: its region is us-east-2",
        ),
        (Options(region="us-east"), "not an AWS region code"),
        (Options(role_arn="arn:aws:iam::12:role/x"), "not an IAM role ARN"),
        (Options(endpoint_url="localhost:5000"), "not a URL"),
        (Options(host_port="openmetadata:8585/api"), "not a URL"),
        (Options(includes=("(",)), "not a valid regular expression"),
        (Options(excludes=("[a-",)), "not a valid regular expression"),
        (Options(service_name=""), "must not be empty"),
        (Options(service_name=" padded"), "spaces"),
        (Options(service_name="two\nlines"), "single line"),
        (Options(jwt_token=""), "JWT token must not be empty"),
        (Options(secret_access_key=" s3cr3t"), "secret access key must not start or end"),
    ],
)
def test_options_that_cannot_make_a_valid_config_are_refused(
    options: Options, message: str
) -> None:
    with pytest.raises(ScaffoldError, match=re.escape(message)):
        scaffold.render(options)


def test_all_problems_are_reported_at_once() -> None:
    with pytest.raises(ScaffoldError) as caught:
        scaffold.render(Options(region="nowhere", includes=("(",)))
    assert "region" in str(caught.value)
    assert "include pattern" in str(caught.value)


def test_the_validators_warnings_come_back_as_advice() -> None:
    rendered = scaffold.render(Options(includes=("a",), excludes=("b",)))
    assert len(rendered.warnings) == 1
    assert "excludes" in rendered.warnings[0]
    assert scaffold.render(Options()).warnings == ()


def test_the_validators_errors_are_refused() -> None:
    """What only the full check can tell (here: a region that does not exist) is an error too."""
    with pytest.raises(ScaffoldError, match="awsRegion"):
        scaffold.render(Options(region="xx-nowhere-9"))


# --------------------------------------------------------------------------- secrets


def test_literal_secrets_are_found_and_references_are_not() -> None:
    data = {
        "a": {"awsSecretAccessKey": "wJalrXUtnFEMI", "awsAccessKeyId": "AKIA"},
        "b": {"jwtToken": "${OM_JWT}", "awsSessionToken": "$TOKEN"},
        "c": [{"jwtToken": "prefix-${OM_JWT}"}, {"jwtToken": None}, {"jwtToken": ""}],
    }
    assert scaffold.literal_secrets(data) == ["$.a.awsSecretAccessKey", "$.c[0].jwtToken"]


@pytest.mark.parametrize(
    ("options", "where"),
    [
        (Options(secret_access_key="wJalrXUtnFEMI/K7MDENG"), "awsSecretAccessKey"),
        (Options(session_token="FQoGZXIvYXdzEJr"), "awsSessionToken"),
        (Options(jwt_token="eyJraWQiOiJHYjM4"), "jwtToken"),
    ],
)
def test_a_secret_given_literally_is_reported(options: Options, where: str) -> None:
    rendered = scaffold.render(options)
    assert [p.rsplit(".", 1)[-1] for p in rendered.secrets] == [where]


def test_an_access_key_id_is_not_a_secret() -> None:
    rendered = scaffold.render(Options(access_key_id="AKIAZ7Q3R5T2W9X4Y6V8"))
    assert rendered.secrets == ()
    assert rendered.warnings == ()


# --------------------------------------------------------------------------- writing


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture
def umask_022() -> Iterator[None]:
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_write_refuses_an_existing_file_and_leaves_it_alone(tmp_path: Path) -> None:
    target = tmp_path / "sm.yaml"
    target.write_text("mine\n", encoding="utf-8")
    before = target.stat()
    with pytest.raises(TargetExistsError, match="already exists"):
        scaffold.write_file(target, "new\n")
    with pytest.raises(TargetExistsError):
        scaffold.scaffold(Options(), target)
    assert target.read_text(encoding="utf-8") == "mine\n"
    assert target.stat().st_mtime_ns == before.st_mtime_ns
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sm.yaml"]


def test_a_dangling_symlink_counts_as_existing(tmp_path: Path) -> None:
    link = tmp_path / "sm.yaml"
    link.symlink_to(tmp_path / "nowhere.yaml")
    with pytest.raises(TargetExistsError):
        scaffold.write_file(link, "x\n")
    assert not (tmp_path / "nowhere.yaml").exists()


def test_force_overwrites(tmp_path: Path) -> None:
    target = tmp_path / "sm.yaml"
    target.write_text("mine\n", encoding="utf-8")
    done = scaffold.scaffold(Options(), target, force=True)
    assert done.path == target
    assert target.read_text(encoding="utf-8") == TEMPLATE


@pytest.mark.parametrize("existing", [False, True])
def test_write_is_atomic_when_the_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, existing: bool
) -> None:
    target = tmp_path / "sm.yaml"
    if existing:
        target.write_text("old\n", encoding="utf-8")

    def broken_replace(src: str, dst: str) -> None:
        assert Path(src).parent == tmp_path  # the temporary file sits beside the target
        assert Path(src).read_text(encoding="utf-8") == TEMPLATE  # complete before the rename
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken_replace)
    with pytest.raises(OSError, match="No space left"):
        scaffold.scaffold(Options(), target, force=True)
    if existing:
        assert target.read_text(encoding="utf-8") == "old\n"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["sm.yaml"]
    else:
        assert list(tmp_path.iterdir()) == []  # no partial file, no temporary file left


def test_write_fails_cleanly_when_the_write_itself_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(os, "fsync", broken_fsync)
    with pytest.raises(OSError, match="Input/output"):
        scaffold.write_file(tmp_path / "sm.yaml", TEMPLATE)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.usefixtures("umask_022")
def test_a_file_without_literal_secrets_gets_the_usual_mode(tmp_path: Path) -> None:
    done = scaffold.scaffold(Options(), tmp_path / "sm.yaml")
    assert not done.private
    assert _mode(tmp_path / "sm.yaml") == 0o644


@pytest.mark.usefixtures("umask_022")
def test_a_file_with_a_literal_secret_is_private(tmp_path: Path) -> None:
    target = tmp_path / "sm.yaml"
    done = scaffold.scaffold(Options(secret_access_key=SECRET), target)
    assert done.private
    assert done.rendered.secrets == (
        "$.source.serviceConnection.config.awsConfig.awsSecretAccessKey",
    )
    assert _mode(target) == 0o600
    assert SECRET in target.read_text(encoding="utf-8")
    assert errors(check_file(target, environ=SAMPLE_ENV)) == []
    assert done.rendered.warnings == ()  # the secret is reported once, through ``secrets``


@pytest.mark.usefixtures("umask_022")
def test_overwriting_with_a_secret_makes_the_file_private(tmp_path: Path) -> None:
    target = tmp_path / "sm.yaml"
    scaffold.scaffold(Options(), target)
    assert _mode(target) == 0o644
    scaffold.scaffold(Options(jwt_token="eyJhbGciOi"), target, force=True)
    assert _mode(target) == 0o600


def test_scaffold_without_output_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    done = scaffold.scaffold(Options(region="eu-west-1"))
    assert done.path is None
    assert "awsRegion: eu-west-1" in done.rendered.text
    assert list(tmp_path.iterdir()) == []
