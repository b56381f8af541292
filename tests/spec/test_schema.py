"""omkit_sagemaker.spec.schema: the spec/ registry (offline), the format checks, the secret keys."""

from __future__ import annotations

import socket
import urllib.request
from collections.abc import Iterator
from typing import Any, NoReturn
from urllib.parse import urljoin

import pytest
import yaml
from jsonschema import Draft7Validator
from omkit_sagemaker.spec import schema
from referencing.exceptions import Unresolvable

SAMPLE = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsRegion: us-east-2
  sourceConfig:
    config:
      type: MlModelMetadata
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: http://localhost:8585/api
    authProvider: openmetadata
    securityConfig:
      jwtToken: token
"""


# --- Secret key names -----------------------------------------------------------------------

SECRETS = {
    "awsSecretAccessKey",
    "awsSessionToken",
    "jwtToken",
    "secretKey",  # google, auth0, custom OIDC
    "clientSecret",  # azure
    "privateKey",  # okta
}
NOT_SECRETS = {
    "awsAccessKeyId", "awsRegion", "profileName", "assumeRoleArn", "endPointURL", "clientId",
    "tokenEndpoint", "secretsManagerProvider", "secretsManagerLoader", "hostPort", "email",
    "domain", "authority", "audience", "orgURL", "scopes", "serviceName", "type", "authProvider",
    "securityConfig",
}  # fmt: skip


def test_secret_keys_holds_every_secret() -> None:
    assert schema.secret_keys() >= SECRETS


def test_secret_keys_holds_no_other_key() -> None:
    keys = schema.secret_keys()
    assert not keys & NOT_SECRETS


def _properties(node: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(node, dict):
        props = node.get("properties")
        if isinstance(props, dict):
            yield from props.items()
        for value in node.values():
            yield from _properties(value)
    elif isinstance(node, list):
        for value in node:
            yield from _properties(value)


def test_secret_keys_are_exactly_the_password_properties() -> None:
    marked = {
        name
        for spec in schema.load_spec().values()
        for name, prop in _properties(spec)
        if isinstance(prop, dict) and prop.get("format") == "password"
    }
    assert schema.secret_keys() == marked
    assert marked >= SECRETS


# --- Format checks --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("http://localhost:8585/api", True),
        ("http://127.0.0.1:5000", True),
        ("https://api.sagemaker.us-east-2.amazonaws.com", True),
        ("http://[::1]:8585/api", True),
        ("http://host:65535", True),
        ("localhost:5000", False),  # the scheme would be 'localhost' and there is no host
        ("localhost", False),
        ("http://host:99999", False),  # port out of range
        ("http://host:port", False),
        ("http://", False),
        ("http:///path", False),
        ("http://exa mple.com", False),
        ("http://host\n", False),
        ("1http://host", False),
        ("", False),
    ],
)
def test_uri_format(value: str, ok: bool) -> None:
    assert schema.format_checker().conforms(value, "uri") is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("^prod-", True),
        ("(?i)model$", True),
        (r"\d+", True),
        ("", True),
        ("[a-", False),
        ("(", False),
        ("a{2,1}", False),
        ("*x", False),
    ],
)
def test_regex_format_uses_python_re(value: str, ok: bool) -> None:
    assert schema.format_checker().conforms(value, "regex") is ok


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("123e4567-e89b-12d3-a456-426614174000", True),
        ("123E4567-E89B-12D3-A456-426614174000", True),
        ("not-a-uuid", False),
        ("123e4567-e89b-12d3-a456-42661417400", False),
        ("123e4567-e89b-12d3-a456-42661417400g", False),
        ("", False),
    ],
)
def test_uuid_format(value: str, ok: bool) -> None:
    assert schema.format_checker().conforms(value, "uuid") is ok


@pytest.mark.parametrize("fmt", ["uri", "regex", "uuid", "ipv4", "ipv6"])
def test_formats_apply_to_strings_only(fmt: str) -> None:
    values: list[object] = [12, None, True, [], {}]
    for value in values:
        assert schema.format_checker().conforms(value, fmt)


def test_password_and_unknown_formats_check_nothing() -> None:
    checker = schema.format_checker()
    assert checker.conforms("", "password")
    assert checker.conforms("anything", "email")


# --- The registry: every $ref from spec/, never from the network ----------------------------


class NetworkUsed(AssertionError):
    pass


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> NoReturn:
        raise NetworkUsed(f"network access attempted: {args!r}")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    monkeypatch.setattr(socket, "getaddrinfo", refuse)
    monkeypatch.setattr(urllib.request, "urlopen", refuse)


def test_the_network_guard_works(no_network: None) -> None:
    with pytest.raises(NetworkUsed):
        urllib.request.urlopen("https://omkit.dev/spec/type/basic.json")


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        if isinstance(node.get("$ref"), str):
            yield node["$ref"]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def test_every_ref_resolves_offline(no_network: None) -> None:
    fresh = schema.registry.__wrapped__(None)  # built now, with the network refused
    count = 0
    for spec in schema.load_spec().values():
        resolver = fresh.resolver(spec["$id"])
        for ref in _refs(spec):
            resolved = resolver.lookup(ref).contents
            assert isinstance(resolved, dict), (spec["$id"], ref)
            assert resolved, (spec["$id"], ref)
            count += 1
    assert count > 30


def test_refs_use_the_schema_ids_under_spec(no_network: None) -> None:
    ids = {spec["$id"] for spec in schema.load_spec().values()}
    for spec in schema.load_spec().values():
        for ref in _refs(spec):
            target = urljoin(spec["$id"], ref).split("#")[0]
            assert target in ids, (spec["$id"], ref)


def test_an_unknown_ref_fails_instead_of_being_fetched(no_network: None) -> None:
    resolver = schema.registry.__wrapped__(None).resolver(
        schema.load_spec()[schema.WORKFLOW]["$id"]
    )
    with pytest.raises(Unresolvable):
        resolver.lookup("https://example.com/elsewhere.json")


def test_validation_runs_offline(no_network: None) -> None:
    fresh = Draft7Validator(
        schema.load_spec()[schema.WORKFLOW],
        registry=schema.registry.__wrapped__(None),
        format_checker=schema.format_checker(),
    )
    data = yaml.safe_load(SAMPLE)
    assert list(fresh.iter_errors(data)) == []
    # A config that fails every securityConfig branch walks every $ref of the oneOf.
    data["workflowConfig"]["openMetadataServerConfig"].pop("authProvider")
    data["workflowConfig"]["openMetadataServerConfig"]["securityConfig"] = {"x": 1}
    assert list(fresh.iter_errors(data))
    assert list(schema.validator().iter_errors(data))


def test_validator_accepts_the_sample_and_rejects_a_misspelt_type() -> None:
    data = yaml.safe_load(SAMPLE)
    assert list(schema.validator().iter_errors(data)) == []
    data["source"]["serviceConnection"]["config"]["type"] = "Sagemaker"
    errors = list(schema.validator().iter_errors(data))
    assert [e.validator for e in errors] == ["enum"]


def test_validator_checks_formats() -> None:
    data = yaml.safe_load(SAMPLE)
    data["workflowConfig"]["openMetadataServerConfig"]["hostPort"] = "localhost:8585"
    errors = list(schema.validator().iter_errors(data))
    assert [(e.validator, e.validator_value) for e in errors] == [("format", "uri")]


# --- resolve() ------------------------------------------------------------------------------
# resolve() works on the schema nodes the validator holds (those of load_spec(None)), which are
# what jsonschema's errors hand to omkit_sagemaker.check.explain.


def test_the_validator_uses_the_nodes_resolve_knows() -> None:
    assert schema.validator().schema is schema.load_spec(None)[schema.WORKFLOW]


def test_resolve_follows_allof_ref_in_the_same_file() -> None:
    workflow = schema.load_spec(None)[schema.WORKFLOW]
    source = schema.resolve(workflow, workflow["properties"]["source"])
    assert source is workflow["definitions"]["source"]
    assert "serviceName" in source["properties"]


def test_resolve_follows_refs_across_files() -> None:
    spec = schema.load_spec(None)
    workflow = spec[schema.WORKFLOW]
    service_connection = workflow["definitions"]["serviceConnection"]
    config = schema.resolve(service_connection, service_connection["properties"]["config"])
    assert config is spec["entity/services/connections/mlmodel/sageMakerConnection.json"]
    # ...and on from there, relative to the file the node now belongs to.
    type_ = schema.resolve(config, config["properties"]["type"])
    assert type_["enum"] == ["SageMaker"]
    aws = schema.resolve(config, config["properties"]["awsConfig"])
    assert aws is spec["security/credentials/awsCredentials.json"]


def test_resolve_from_a_definition_in_another_file() -> None:
    spec = schema.load_spec(None)
    verify = spec["security/ssl/verifySSLConfig.json"]
    ssl_config = schema.resolve(verify, verify["definitions"]["sslConfig"])
    assert ssl_config is spec["security/ssl/validateSSLClientConfig.json"]
    connection = spec["entity/services/connections/metadata/openMetadataConnection.json"]
    ssl = schema.resolve(connection, connection["properties"]["sslConfig"])
    assert ssl is verify["definitions"]["sslConfig"]  # one allOf unwrapped, then its $ref chain


def test_resolve_keeps_a_node_with_its_own_enum() -> None:
    workflow = schema.load_spec(None)[schema.WORKFLOW]
    node: dict[str, Any] = {"enum": ["x"], "allOf": [{"$ref": "#/definitions/logLevels"}]}
    assert schema.resolve(workflow, node) is node


def test_resolve_returns_a_node_without_ref_unchanged() -> None:
    workflow = schema.load_spec(None)[schema.WORKFLOW]
    node = workflow["definitions"]["logLevels"]
    assert schema.resolve(workflow, node) is node


def test_resolve_works_on_nodes_of_load_spec_without_arguments() -> None:
    workflow = schema.load_spec()[schema.WORKFLOW]
    source = schema.resolve(workflow, workflow["properties"]["source"])
    assert "serviceName" in source.get("properties", {})
    assert schema.load_spec() is schema.load_spec(None)
