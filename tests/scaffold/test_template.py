"""The SageMaker template (omkit_sagemaker.scaffold.template): valid as it is and with every
option uncommented, in step with the schema (every property, default and secret), and the text
pass that turns options on and off by moving comment markers only."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from omkit_sagemaker import scaffold
from omkit_sagemaker.base.diagnostics import Severity
from omkit_sagemaker.check.validate import check_file
from omkit_sagemaker.scaffold import KeyPath, Options, ScaffoldError
from omkit_sagemaker.scaffold.template import _round_trip
from omkit_sagemaker.spec.schema import WORKFLOW, load_spec, registry
from referencing._core import Resolver

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
)

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
