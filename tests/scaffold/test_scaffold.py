"""``omkit_sagemaker.scaffold`` and the SageMaker template: filling it keeps every comment, every
auth
mode and option gives a valid file holding exactly what was asked, and writing is safe."""

from __future__ import annotations

import io
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
from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check.validate import check_file
from omkit_sagemaker.scaffold import Auth, KeyPath, Options, ScaffoldError, TargetExistsError
from omkit_sagemaker.scaffold.template import _round_trip
from omkit_sagemaker.spec.schema import WORKFLOW, load_spec, registry
from referencing._core import Resolver

from testing.samples import SAMPLE_ENV

TEMPLATE = scaffold.template_text(scaffold.SAGEMAKER)
CONNECTION: KeyPath = ("source", "serviceConnection", "config")
AWS: KeyPath = (*CONNECTION, "awsConfig")
PIPELINE: KeyPath = ("source", "sourceConfig", "config")
SECRET = "4fTq9mZ2xLr8vB1nK7sW3yH6dJ0cP5gA2eU9iO1t"
ROLE = "arn:aws:iam::246813579024:role/OpenMetadataSageMakerReader"
#: Marks a key that must not be in the loaded file (commented out, or never there).
ABSENT = object()

# --------------------------------------------------------------------------- schema walking

SchemaNode = dict[str, Any]
#: The OpenMetadata release the template is written for (the validator's default target).
TEMPLATE_RELEASE = (1, 1)


def _in_release(node: Any) -> bool:
    """False for a schema part that ``spec/`` marks as added after, or removed by, the template's
    release (``x-omkit-since`` / ``x-omkit-until``): the template does not show those keys."""

    def version(key: str) -> tuple[int, ...] | None:
        value = node.get(key) if isinstance(node, dict) else None
        return tuple(int(n) for n in value.split(".")[:2]) if isinstance(value, str) else None

    since, until = version("x-omkit-since"), version("x-omkit-until")
    return (since is None or since <= TEMPLATE_RELEASE) and (
        until is None or until > TEMPLATE_RELEASE
    )


def _deref(node: SchemaNode, resolver: Resolver[Any]) -> tuple[SchemaNode, Resolver[Any]]:
    """Follow ``$ref`` and the one-branch ``allOf: [{$ref}]`` that the spec uses for annotations."""
    while True:
        if "$ref" in node:
            found = resolver.lookup(node["$ref"])
            node, resolver = found.contents, found.resolver
            continue
        parts = node.get("allOf")
        if isinstance(parts, list) and len(parts) == 1 and "properties" not in node:
            node = parts[0]
            continue
        return node, resolver


def _properties(
    node: SchemaNode, resolver: Resolver[Any]
) -> dict[str, tuple[SchemaNode, Resolver[Any]]]:
    """The keys an object schema allows: its properties and those of its oneOf/anyOf branches."""
    node, resolver = _deref(node, resolver)
    out = {
        key: (value, resolver)
        for key, value in node.get("properties", {}).items()
        if _in_release(value)
    }
    for keyword in ("oneOf", "anyOf"):
        for branch in node.get(keyword, []):
            if not _in_release(branch):
                continue
            for key, value in _properties(branch, resolver).items():
                out.setdefault(key, value)
    return out


def _root() -> tuple[SchemaNode, Resolver[Any]]:
    schema = load_spec()[WORKFLOW]
    found = registry().resolver().lookup(schema["$id"])
    return found.contents, found.resolver


def schema_at(path: KeyPath) -> SchemaNode | None:
    """The (dereferenced) schema of the key at ``path`` in a workflow file, None if not allowed."""
    node, resolver = _root()
    for part in path:
        props = _properties(node, resolver)
        if part not in props:
            return None
        node, resolver = props[part]
    return _deref(node, resolver)[0]


def schema_paths(path: KeyPath) -> Iterator[KeyPath]:
    """Every key path the schema allows under ``path``, recursively through object properties."""
    node, resolver = _root()
    for part in path:
        node, resolver = _properties(node, resolver)[part]
    stack = [(path, node, resolver)]
    while stack:
        here, node, resolver = stack.pop()
        for key, (child, child_resolver) in _properties(node, resolver).items():
            yield (*here, key)
            stack.append(((*here, key), child, child_resolver))


# --------------------------------------------------------------------------- helpers


def get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if not isinstance(data, dict) or part not in data:
            return ABSENT
        data = data[part]
    return data


def prose_lines(text: str) -> list[str]:
    """Comment lines that explain (not commented-out options)."""
    out = []
    for line in text.splitlines():
        body = line.strip()
        if body.startswith("#") and not re.match(r"#\s*([A-Za-z_]\w*:(\s|$)|- )", body):
            out.append(line)
    return out


def errors(found: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in found if d.severity is Severity.ERROR]


def render_to(tmp_path: Path, options: Options) -> tuple[Path, dict[str, Any], str]:
    rendered = scaffold.render(options)
    path = tmp_path / "sm.yaml"
    path.write_text(rendered.text, encoding="utf-8")
    return path, yaml.safe_load(rendered.text), rendered.text


# --------------------------------------------------------------------------- the template


def test_template_is_valid_without_any_warning() -> None:
    path = scaffold.template_path("sagemaker")
    assert check_file(path, environ=SAMPLE_ENV) == []
    assert check_file(path, environ=None) == []


def test_the_template_says_which_variables_to_set() -> None:
    found = check_file(scaffold.template_path("sagemaker"), environ={})
    # keys and a token: the runner parses the literal text, so these are warnings
    assert {(d.code, d.severity) for d in found} == {("R020", Severity.WARNING)}
    named = {d.message.split(" the environment variable ")[1].split()[0] for d in found}
    assert named == {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "OPENMETADATA_JWT_TOKEN"}


def test_template_is_valid_with_secrets_set_too() -> None:
    env = {
        "AWS_ACCESS_KEY_ID": "AKIAZ7Q3R5T2W9X4Y6V8",
        "AWS_SECRET_ACCESS_KEY": SECRET,
        "OPENMETADATA_JWT_TOKEN": "eyJhbGciOiJSUzI1NiJ9.e30.c2ln",
    }
    assert check_file(scaffold.template_path("sagemaker"), environ=env) == []


@pytest.mark.parametrize(
    "root",
    [CONNECTION, PIPELINE],
    ids=["sageMakerConnection+awsCredentials", "mlmodelServiceMetadataPipeline+filterPattern"],
)
def test_every_schema_property_is_in_the_template(root: KeyPath) -> None:
    written = scaffold.key_paths(TEMPLATE)
    wanted = sorted(schema_paths(root))
    assert len(wanted) >= 3
    missing = [".".join(p) for p in wanted if p not in written]
    assert missing == []
    for path in wanted:  # and literally in the text, as "key:" or "# key:"
        assert re.search(rf"^\s*(# +)?{path[-1]}:", TEMPLATE, re.MULTILINE), path


def test_aws_credentials_properties_all_listed() -> None:
    props = load_spec()["security/credentials/awsCredentials.json"]["properties"]
    names = {name for name, node in props.items() if _in_release(node)}
    written = {p[-1] for p in scaffold.key_paths(TEMPLATE) if p[:-1] == AWS}
    assert names == written


def test_every_template_key_exists_in_the_schema() -> None:
    """Active and commented keys alike: a commented option must be valid once uncommented."""
    unknown = [".".join(p) for p in scaffold.key_paths(TEMPLATE) if schema_at(p) is None]
    assert unknown == []


def test_every_active_key_of_the_loaded_template_exists_in_the_schema() -> None:
    def walk(node: Any, path: KeyPath) -> Iterator[KeyPath]:
        if isinstance(node, dict):
            for key, value in node.items():
                yield (*path, key)
                yield from walk(value, (*path, key))

    paths = list(walk(yaml.safe_load(TEMPLATE), ()))
    assert len(paths) > 20
    assert [p for p in paths if schema_at(p) is None] == []
    active = {p for p, on in scaffold.key_paths(TEMPLATE).items() if on}
    assert set(paths) == active


def test_template_with_every_option_uncommented_is_still_valid(tmp_path: Path) -> None:
    """So every example value shown in a comment is one the schema accepts. The example role
    ARN uses AWS's documentation account on purpose (the validator calls it a placeholder if
    it is left in), so it is replaced here as a user would."""
    everything = list(scaffold.key_paths(TEMPLATE))
    assert "# assumeRoleArn: arn:aws:iam::123456789012:role/" in TEMPLATE
    text = scaffold.fill(TEMPLATE, {**dict.fromkeys(everything), scaffold.ROLE_ARN: ROLE})
    assert scaffold.key_paths(text) == dict.fromkeys(everything, True)
    path = tmp_path / "all.yaml"
    path.write_text(text, encoding="utf-8")
    assert errors(check_file(path, environ=None)) == []


#: Active template values that differ from the schema default on purpose.
NOT_DEFAULT: dict[KeyPath, Any] = {
    # The default (basic) sends no credentials in 1.1.x; ingestion authenticates as a bot.
    ("workflowConfig", "openMetadataServerConfig", "authProvider"): "openmetadata",
}


def test_template_values_agree_with_schema_defaults() -> None:
    data = yaml.safe_load(TEMPLATE)
    checked = 0
    for path in scaffold.key_paths(TEMPLATE):
        node = schema_at(path)
        value = get(data, path)
        if node is None or "default" not in node or value is ABSENT:
            continue
        assert value == NOT_DEFAULT.get(path, node["default"]), path
        checked += 1
    assert checked >= 5  # the two types, markDeletedMlModels, loggerLevel, hostPort


def test_defaults_named_in_comments_are_the_schema_defaults() -> None:
    lines = TEMPLATE.splitlines()
    found = 0
    for i, line in enumerate(lines):
        match = re.search(r"\(default (\S+?)\)", line)
        if not match:
            continue
        key = re.match(r"\s*(# )?(\w+):", lines[i + 1])
        assert key, f"line {i + 2} should hold the option the comment explains"
        node = schema_at((*AWS, key.group(2)))
        assert node is not None
        assert node["default"] == match.group(1)
        found += 1
    assert found >= 1


def test_every_option_has_its_own_explanation_above_it() -> None:
    lines = TEMPLATE.splitlines()
    index: dict[str, int] = {}
    for i, line in enumerate(lines):
        match = re.match(r"\s*(# )?(\w+):", line)
        if match:
            index.setdefault(match.group(2), i)
    options = [
        name
        for file in (
            "security/credentials/awsCredentials.json",
            "metadataIngestion/mlmodelServiceMetadataPipeline.json",
        )
        for name, node in load_spec()[file]["properties"].items()
        if _in_release(node)
    ] + [
        "supportsMetadataExtraction",
        "serviceName",
        "loggerLevel",
        "hostPort",
        "jwtToken",
    ]
    for name in options:
        above = lines[index[name] - 1]
        assert above in prose_lines(TEMPLATE), f"{name} has no explanation right above it"


def test_template_secrets_are_environment_references() -> None:
    data = yaml.safe_load(TEMPLATE)
    assert scaffold.literal_secrets(data) == []
    assert get(data, (*AWS, "awsSecretAccessKey")) == "${AWS_SECRET_ACCESS_KEY}"
    assert get(data, scaffold.JWT_TOKEN) == "${OPENMETADATA_JWT_TOKEN}"
    commented = re.search(r"# awsSessionToken: (\S+)", TEMPLATE)
    assert commented
    assert commented.group(1) == "${AWS_SESSION_TOKEN}"


def test_round_trip_keeps_the_template_byte_for_byte() -> None:
    yaml_rt = _round_trip()
    out = io.StringIO()
    yaml_rt.dump(yaml_rt.load(TEMPLATE), out)
    assert out.getvalue() == TEMPLATE


def test_connectors_lists_the_templates() -> None:
    assert scaffold.connectors() == ["sagemaker"]
    with pytest.raises(ScaffoldError, match="templates: sagemaker"):
        scaffold.template_path("mlflow")
    with pytest.raises(ScaffoldError):
        scaffold.render(Options(), connector="mlflow")


# --------------------------------------------------------------------------- text pass

SMALL = """\
# A header: not an option.
top:
  # Explains a.
  a: 1
  # Explains b.
  # b: 2
  # A filter.
  # f:
  #   x:
  #     - one
  #   y:
  #     - two
  # Prose that is followed by a list-like line:
  # - not an item
last: true
"""


def test_scan_finds_active_and_commented_keys() -> None:
    assert scaffold.key_paths(SMALL) == {
        ("top",): True,
        ("top", "a"): True,
        ("top", "b"): False,
        ("top", "f"): False,
        ("top", "f", "x"): False,
        ("top", "f", "y"): False,
        ("last",): True,
    }


def test_activating_a_nested_option_uncomments_its_parent_and_only_it() -> None:
    out = scaffold.toggle(SMALL, [("top", "f", "y")], ())
    assert "  f:\n    # x:\n    #   - one\n    y:\n      - two\n" in out
    assert yaml.safe_load(out)["top"]["f"] == {"y": ["two"]}
    assert "  # - not an item\n" in out


def test_activating_two_siblings_keeps_both() -> None:
    out = scaffold.toggle(SMALL, [("top", "f", "x"), ("top", "f", "y")], ())
    assert yaml.safe_load(out)["top"]["f"] == {"x": ["one"], "y": ["two"]}


def test_deactivating_comments_out_a_key_at_its_own_indentation() -> None:
    out = scaffold.toggle(SMALL, [("top", "b")], [("top", "a")])
    assert "  # a: 1\n" in out
    assert "  b: 2\n" in out
    assert yaml.safe_load(out) == {"top": {"b": 2}, "last": True}


def test_toggling_only_moves_comment_markers() -> None:
    everything = list(scaffold.key_paths(TEMPLATE))
    on = scaffold.toggle(TEMPLATE, everything, ())
    off = scaffold.toggle(on, (), [p for p in everything if p[:-1] == AWS])

    def bare(text: str) -> list[str]:
        return [line.replace("# ", "").strip() for line in text.splitlines()]

    assert bare(on) == bare(TEMPLATE)
    assert bare(off) == bare(TEMPLATE)
    assert len(on.splitlines()) == len(TEMPLATE.splitlines())


def test_unknown_key_is_an_error() -> None:
    with pytest.raises(ScaffoldError, match="no key"):
        scaffold.toggle(SMALL, [("top", "zzz")], ())


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
