"""Checks of omkit's own JSON Schemas under spec/.

The schemas must be valid draft-07, resolve every ``$ref`` through a registry built from spec/
alone (nothing is ever fetched), follow the project's writing conventions, and accept or reject
the configs that matter (the connector page's sample, its mis-cased variant, missing credentials).
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

SPEC_DIR = Path(__file__).resolve().parents[2] / "spec"
ID_PREFIX = "https://omkit.dev/spec/"
WORKFLOW_ID = ID_PREFIX + "metadataIngestion/workflow.json"

#: Keywords whose value is one subschema.
_SUBSCHEMA_KEYS = (
    "additionalProperties",
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "additionalItems",
)
#: Keywords whose value is a list of subschemas.
_SUBSCHEMA_LIST_KEYS = ("allOf", "anyOf", "oneOf")
#: Keywords whose value maps names to subschemas.
_SUBSCHEMA_MAP_KEYS = ("properties", "patternProperties", "definitions", "dependencies")
#: Keywords opening a conditional branch; properties inside only restate declared ones.
_CONDITIONAL_KEYS = frozenset({"if", "then", "else"})

#: Property names that look like secrets.
_SECRET_NAME = re.compile(r"Secret|secret|Token|token|privateKey|password")
#: Names that match _SECRET_NAME but are not secrets (an URL and two enum choices).
_NOT_SECRETS = frozenset({"tokenEndpoint", "secretsManagerProvider", "secretsManagerLoader"})

#: The v1.1 SageMaker connector page's sample (commented lines kept as on the page), with the
#: service type spelled as the enum wants and the workflowConfig block of the page's partial.
PAGE_SAMPLE = """\
source:
  type: sagemaker
  serviceName: local_sagemaker
  serviceConnection:
    config:
      type: SageMaker
      awsConfig:
        awsAccessKeyId: KEY
        awsSecretAccessKey: SECRET
        # awsSessionToken: TOKEN
        awsRegion: us-east-2
        # endPointURL: https://athena.us-east-2.amazonaws.com/custom
        # profileName: profile
        # assumeRoleArn: "arn:partition:service:region:account:resource"
        # assumeRoleSessionName: session
        # assumeRoleSourceIdentity: identity
  sourceConfig:
    config:
      type: MlModelMetadata
      # markDeletedMlModels: true
sink:
  type: metadata-rest
  config: {}
workflowConfig:
  openMetadataServerConfig:
    hostPort: "http://localhost:8585/api"
    authProvider: openmetadata
    securityConfig:
      jwtToken: "{bot_jwt_token}"
"""


def _load(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    return data


SCHEMA_PATHS = sorted(SPEC_DIR.rglob("*.json"))
SCHEMAS: dict[str, dict[str, Any]] = {
    p.relative_to(SPEC_DIR).as_posix(): _load(p) for p in SCHEMA_PATHS
}


def _registry() -> Registry[Any]:
    resources: list[tuple[str, Resource[Any]]] = [
        (schema["$id"], DRAFT7.create_resource(schema)) for schema in SCHEMAS.values()
    ]
    return Registry().with_resources(resources)


REGISTRY = _registry()


def _subschemas(
    node: Any, pointer: str = "", conditional: bool = False
) -> Iterator[tuple[str, dict[str, Any], bool]]:
    """Yield (JSON pointer, subschema, inside if/then/else) for every schema node.

    Only schema keywords are followed, so ``examples``, ``default``, ``enum`` and ``const``
    values (plain data) are never taken for schemas.
    """
    if not isinstance(node, dict):
        return
    yield pointer, node, conditional
    for key in _SUBSCHEMA_KEYS:
        if isinstance(node.get(key), dict):
            inner = conditional or key in _CONDITIONAL_KEYS
            yield from _subschemas(node[key], f"{pointer}/{key}", inner)
        elif isinstance(node.get(key), list):
            for i, item in enumerate(node[key]):
                yield from _subschemas(item, f"{pointer}/{key}/{i}", conditional)
    for key in _SUBSCHEMA_LIST_KEYS:
        for i, item in enumerate(node.get(key, [])):
            yield from _subschemas(item, f"{pointer}/{key}/{i}", conditional)
    for key in _SUBSCHEMA_MAP_KEYS:
        for name, item in node.get(key, {}).items():
            yield from _subschemas(item, f"{pointer}/{key}/{name}", conditional)


def _properties() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """Yield (where, property name, property schema) for every declared property.

    Properties inside if/then/else branches are skipped: they only narrow a property that is
    declared (and documented) in the same object's ``properties``.
    """
    for rel, schema in SCHEMAS.items():
        for pointer, node, conditional in _subschemas(schema):
            if conditional:
                continue
            for name, sub in node.get("properties", {}).items():
                yield f"{rel}#{pointer}/properties/{name}", name, sub


def _validator(schema_id: str = WORKFLOW_ID) -> Draft7Validator:
    schema = REGISTRY.contents(schema_id)
    return Draft7Validator(schema, registry=REGISTRY, format_checker=Draft7Validator.FORMAT_CHECKER)


def _sample() -> dict[str, Any]:
    data = yaml.safe_load(PAGE_SAMPLE)
    assert isinstance(data, dict)
    return data


def _error_messages(instance: dict[str, Any]) -> list[str]:
    return [e.message for e in _validator().iter_errors(instance)]


# --- the files themselves -----------------------------------------------------------------


def test_spec_folder_holds_the_expected_schemas() -> None:
    assert "metadataIngestion/workflow.json" in SCHEMAS
    assert "entity/services/connections/mlmodel/sageMakerConnection.json" in SCHEMAS
    assert len(SCHEMAS) == 18


@pytest.mark.parametrize("rel", sorted(SCHEMAS))
def test_file_is_formatted_as_agreed(rel: str) -> None:
    text = (SPEC_DIR / rel).read_text(encoding="utf-8")
    assert text == json.dumps(SCHEMAS[rel], indent=2, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("rel", sorted(SCHEMAS))
def test_schema_is_valid_draft7(rel: str) -> None:
    schema = SCHEMAS[rel]
    assert schema["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert schema["$id"] == ID_PREFIX + rel
    assert schema.get("title")
    assert schema.get("description")
    Draft7Validator.check_schema(schema)


@pytest.mark.parametrize("rel", sorted(SCHEMAS))
def test_every_ref_is_relative_and_resolves_in_the_registry(rel: str) -> None:
    schema = SCHEMAS[rel]
    resolver = REGISTRY.resolver(base_uri=schema["$id"])
    refs = [(p, n["$ref"]) for p, n, _ in _subschemas(schema) if "$ref" in n]
    for pointer, ref in refs:
        assert "://" not in ref, f"{rel}#{pointer}: $ref must be a relative path, got {ref}"
        resolved = resolver.lookup(ref)
        assert isinstance(resolved.contents, dict), f"{rel}#{pointer}: {ref}"


def test_every_file_is_referenced_from_the_workflow() -> None:
    seen: set[str] = set()
    todo = [WORKFLOW_ID]
    while todo:
        uri = todo.pop()
        if uri in seen:
            continue
        seen.add(uri)
        schema = SCHEMAS[uri.removeprefix(ID_PREFIX)]
        for _, node, _ in _subschemas(schema):
            if "$ref" in node:
                todo.append(urljoin(uri, node["$ref"]).split("#")[0])
    assert seen == {ID_PREFIX + rel for rel in SCHEMAS}


# --- writing conventions ------------------------------------------------------------------


def test_every_property_has_title_description_and_examples() -> None:
    missing = [
        where
        for where, _, sub in _properties()
        if not (sub.get("title") and sub.get("description") and sub.get("examples"))
    ]
    assert not missing, missing


def test_examples_are_lists_valid_against_their_property() -> None:
    for rel, schema in SCHEMAS.items():
        validator = _validator(schema["$id"])
        for pointer, node, _ in _subschemas(schema):
            if "examples" not in node:
                continue
            assert isinstance(node["examples"], list), f"{rel}#{pointer}"
            sub = validator.evolve(schema=node)
            for example in node["examples"]:
                errors = [e.message for e in sub.iter_errors(example)]
                assert not errors, f"{rel}#{pointer}: {example!r}: {errors}"


def test_secret_properties_are_passwords() -> None:
    for where, name, sub in _properties():
        if _SECRET_NAME.search(name) and name not in _NOT_SECRETS:
            assert sub.get("format") == "password", where
        if sub.get("format") == "password":
            assert all(isinstance(e, str) and e.startswith("${") for e in sub["examples"]), (
                f"{where}: secret examples must be environment references"
            )


def test_non_secret_exceptions_exist_and_are_not_passwords() -> None:
    found = {name: sub for _, name, sub in _properties() if name in _NOT_SECRETS}
    assert set(found) == _NOT_SECRETS
    assert all(sub.get("format") != "password" for sub in found.values())


def test_objects_are_closed_except_free_form_maps() -> None:
    free_form = {"componentConfig", "extraHeaders"}
    for rel, schema in SCHEMAS.items():
        for pointer, node, conditional in _subschemas(schema):
            if node.get("type") != "object" or conditional:
                continue
            if pointer.rsplit("/", 1)[-1] in free_form:
                continue
            assert node.get("additionalProperties") is False, f"{rel}#{pointer}"
            assert node.get("title"), f"{rel}#{pointer}"
            assert node.get("description"), f"{rel}#{pointer}"


def test_refs_have_no_siblings() -> None:
    for rel, schema in SCHEMAS.items():
        for pointer, node, _ in _subschemas(schema):
            if "$ref" in node:
                assert set(node) == {"$ref"}, f"{rel}#{pointer}: {sorted(node)}"


def test_one_of_only_on_security_config() -> None:
    for rel, schema in SCHEMAS.items():
        for pointer, node, _ in _subschemas(schema):
            if "oneOf" in node:
                assert pointer == "/properties/securityConfig", f"{rel}#{pointer}"


def test_every_pattern_is_described() -> None:
    patterns = 0
    for rel, schema in SCHEMAS.items():
        for pointer, node, _ in _subschemas(schema):
            if "pattern" in node:
                patterns += 1
                assert isinstance(node.get("x-pattern-description"), str), f"{rel}#{pointer}"
    assert patterns >= 1


# --- behaviour on real configs ------------------------------------------------------------


def test_page_sample_with_correct_type_is_valid() -> None:
    assert _error_messages(_sample()) == []


def test_page_sample_as_printed_is_invalid() -> None:
    config = _sample()
    config["source"]["serviceConnection"]["config"]["type"] = "Sagemaker"
    assert any("Sagemaker" in m for m in _error_messages(config))


def test_connection_type_is_required() -> None:
    config = _sample()
    del config["source"]["serviceConnection"]["config"]["type"]
    assert "'type' is a required property" in _error_messages(config)


def test_openmetadata_auth_without_security_config_is_invalid() -> None:
    config = _sample()
    del config["workflowConfig"]["openMetadataServerConfig"]["securityConfig"]
    assert "'securityConfig' is a required property" in _error_messages(config)


def test_auth_provider_must_match_security_config() -> None:
    config = _sample()
    server = config["workflowConfig"]["openMetadataServerConfig"]
    server["authProvider"] = "google"
    assert _error_messages(config)
    server["securityConfig"] = {"secretKey": "${GOOGLE_SSO_SECRET_KEY}"}
    assert _error_messages(config) == []


@pytest.mark.parametrize("provider", [None, "basic", "no-auth"])
def test_providers_without_credentials_need_no_security_config(provider: str | None) -> None:
    config = _sample()
    server = config["workflowConfig"]["openMetadataServerConfig"]
    del server["securityConfig"]
    if provider is None:
        del server["authProvider"]
    else:
        server["authProvider"] = provider
    assert _error_messages(config) == []


def test_source_type_is_sagemaker_in_any_case() -> None:
    config = _sample()
    config["source"]["type"] = "SageMaker"
    assert _error_messages(config) == []
    config["source"]["type"] = "mlflow"
    assert _error_messages(config)


@pytest.mark.parametrize(
    ("path", "value"),
    [
        (("workflowConfig", "loggerLevel"), "WARNING"),
        (("source", "serviceConnection", "config", "awsConfig", "awsregion"), "us-east-2"),
        (("source", "sourceConfig", "config", "mlModelFilterPattern"), {"includes": ["("]}),
        (("source", "sourceConfig", "config", "markDeletedMlModels"), "yes"),
        (("workflowConfig", "openMetadataServerConfig", "limitRecords"), "1000"),
        (("workflowConfig", "successThreshold"), 101),  # 1.1 refusal: tests/test_versions.py
    ],
)
def test_common_mistakes_are_invalid(path: tuple[str, ...], value: Any) -> None:
    config = copy.deepcopy(_sample())
    target = config
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    assert _error_messages(config)


@pytest.mark.parametrize(
    "missing",
    [
        ("sink",),
        ("workflowConfig",),
        ("source", "sourceConfig"),
        ("source", "sourceConfig", "config", "type"),
    ],
)
def test_required_keys(missing: tuple[str, ...]) -> None:
    config = _sample()
    target = config
    for key in missing[:-1]:
        target = target[key]
    del target[missing[-1]]
    assert f"'{missing[-1]}' is a required property" in _error_messages(config)


def test_service_connection_may_be_left_out() -> None:
    config = _sample()
    del config["source"]["serviceConnection"]
    assert _error_messages(config) == []
