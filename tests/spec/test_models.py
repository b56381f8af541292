"""The generated models (omkit_sagemaker.spec.models): round trips, defaults, secrets, and import
cost.

* every valid config (the corpus and the template) goes document -> model -> dict unchanged;
  with ``include_defaults`` it gives the document plus the schema defaults, which this test works
  out on its own from the schemas (with jsonschema's resolver, not with the generator's logic);
* ``str()``/``repr()`` of a model never contain a secret value, which stays reachable;
* ``omkit validate`` never imports pydantic, boto3, botocore or the models.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from jsonschema import Draft7Validator
from omkit_sagemaker.base.masking import is_secret
from omkit_sagemaker.check.loader import load_file
from omkit_sagemaker.spec import schema
from omkit_sagemaker.spec.modelbase import MASK, Secret
from omkit_sagemaker.spec.models import Workflow

from testing.samples import CORPUS, FIXED_ENV, TEMPLATE

if TYPE_CHECKING:
    from referencing._core import Resolver

#: Valid corpus files that only pass because metadata ingest converts a value (R030, such as
#: a quoted boolean): the schema, and so the typed models, do not take them as written.
CONVERTED = frozenset(
    {"type-number-for-boolean.yaml", "type-quoted-boolean.yaml", "type-quoted-integer.yaml"}
)
VALID = [
    *sorted(p for p in CORPUS.glob("valid/*.y*ml") if p.name not in CONVERTED),
    TEMPLATE,
]


def _id(path: Path) -> str:
    return path.name if path == TEMPLATE else path.relative_to(CORPUS).as_posix()


def load(path: Path) -> dict[str, Any]:
    loaded = load_file(path, environ=FIXED_ENV)
    assert loaded.document is not None, loaded.diagnostics
    data = loaded.document.data
    assert schema.validator().is_valid(data), f"{path} does not pass omkit validate"
    return data


# -- the document plus defaults, from the schemas alone -------------------------------------


def _resolve(node: dict[str, Any], resolver: Resolver[Any]) -> tuple[dict[str, Any], Resolver[Any]]:
    """Follow ``$ref``s and one-item ``allOf``s (annotations around a ``$ref``)."""
    while True:
        parts = node.get("allOf")
        if "$ref" in node:
            resolved = resolver.lookup(node["$ref"])
            node, resolver = resolved.contents, resolved.resolver
        elif isinstance(parts, list) and len(parts) == 1 and "properties" not in node:
            node = parts[0]
        else:
            return node, resolver


def _default(node: dict[str, Any], resolver: Resolver[Any]) -> tuple[bool, Any]:
    """A property's default: its own, else that of the schema its $ref / allOf points to."""
    while True:
        if "default" in node:
            return True, node["default"]
        parts = node.get("allOf")
        if "$ref" in node:
            node, resolver = _resolve(node, resolver)
        elif isinstance(parts, list) and len(parts) == 1:
            node = parts[0]
        else:
            return False, None


def with_defaults(value: Any, node: dict[str, Any], resolver: Resolver[Any]) -> Any:
    """``value`` with the default of every absent property filled in, in every object present."""
    node, resolver = _resolve(node, resolver)
    for part in node.get("allOf", []):
        value = with_defaults(value, part, resolver)
    branches = node.get("oneOf")
    if branches:
        fits = []
        for branch in branches:
            target, branch_resolver = _resolve(branch, resolver)
            assert "$id" in target, "branches are whole schema files here"
            if Draft7Validator(target, registry=schema.registry()).is_valid(value):
                fits.append((target, branch_resolver))
        assert len(fits) == 1, "a valid document matches exactly one oneOf branch"
        value = with_defaults(value, *fits[0])
    props = node.get("properties")
    if isinstance(value, dict) and isinstance(props, dict):
        value = dict(value)
        for key, sub in props.items():
            if key in value:
                value[key] = with_defaults(value[key], sub, resolver)
            else:
                found, default = _default(sub, resolver)
                if found:
                    value[key] = copy.deepcopy(default)
    return value


def expected_with_defaults(document: dict[str, Any]) -> Any:
    root = schema.load_spec()[schema.WORKFLOW]
    resolver = schema.registry().resolver(root["$id"])
    return with_defaults(document, root, resolver)


# -- tests -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", VALID, ids=_id)
def test_valid_config_round_trips_through_the_model(path: Path) -> None:
    document = load(path)
    model = Workflow.from_dict(document)
    assert model.to_dict(reveal_secrets=True) == document
    assert model.to_dict(reveal_secrets=True, include_defaults=True) == expected_with_defaults(
        document
    )
    # A model rebuilt from its own dump is the same model, and dumps the same document.
    again = Workflow.from_dict(model.to_dict(reveal_secrets=True))
    assert again == model
    assert again.to_dict(reveal_secrets=True) == document


def _secrets(value: Any, path: tuple[str | int, ...] = ()) -> list[str]:
    """Every secret value in a document (values under a ``format: password`` key)."""
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in _secrets(v, (*path, k))]
    if isinstance(value, list):
        return [s for i, v in enumerate(value) for s in _secrets(v, (*path, i))]
    if isinstance(value, str) and is_secret(path, schema.secret_keys()):
        return [value]
    return []


def _blank_secrets(value: Any, path: tuple[str | int, ...] = ()) -> Any:
    if isinstance(value, dict):
        return {k: _blank_secrets(v, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [_blank_secrets(v, (*path, i)) for i, v in enumerate(value)]
    return "x" if isinstance(value, str) and is_secret(path, schema.secret_keys()) else value


def _has_secrets(path: Path) -> bool:
    loaded = load_file(path, environ=FIXED_ENV)
    return loaded.document is not None and bool(_secrets(loaded.document.data))


SECRET_FILES = [p for p in VALID if _has_secrets(p)]


@pytest.mark.parametrize("path", SECRET_FILES, ids=_id)
def test_str_and_repr_of_a_model_never_show_a_secret(path: Path) -> None:
    document = load(path)
    model = Workflow.from_dict(document)
    shown = [str(model), repr(model), json.dumps(model.to_dict()), f"{model}"]
    # What the model shows without any secret: a secret found there is no leak (e.g. "x").
    harmless = repr(Workflow.from_dict(_blank_secrets(document)))
    secrets = [s for s in _secrets(document) if s and s not in harmless]
    assert secrets
    for secret in secrets:
        for text in shown:
            assert secret not in text
    assert MASK in repr(model)
    assert sorted(_secrets(model.to_dict(reveal_secrets=True))) == sorted(_secrets(document))


def test_the_secret_value_stays_reachable_and_masked() -> None:
    jwt = FIXED_ENV["OMKIT_TEST_JWT"]
    model = Workflow.from_dict(load(CORPUS / "valid" / "auth-openmetadata.yaml"))
    security = model.workflowConfig.openMetadataServerConfig.securityConfig
    token = getattr(security, "jwtToken", None)
    assert isinstance(token, Secret)
    assert token.get_secret_value() == jwt
    assert str(token) == MASK
    assert repr(token) == f"Secret('{MASK}')"
    assert f"{token}" == MASK
    assert jwt not in repr(security)


def test_omkit_validate_imports_no_pydantic_boto3_botocore_or_models() -> None:
    code = (
        "import sys\n"
        "from omkit_sagemaker import cli\n"
        "sys.argv = ['omkit', 'validate', '--no-env', sys.argv[1]]\n"
        "try:\n"
        "    cli.main()\n"
        "except SystemExit as exc:\n"
        "    assert exc.code in (0, None), exc.code\n"
        "heavy = ('pydantic', 'boto3', 'botocore', 'omkit_sagemaker.spec.models',\n"
        "         'omkit_sagemaker.spec.modelbase')\n"
        "print(sorted(m for m in sys.modules if m.startswith(tuple(h + '.' for h in heavy))\n"
        "             or m in heavy))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(TEMPLATE)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout.strip().splitlines()[-1] == "[]"


def _as_written(path: Path) -> dict[str, Any]:
    """The document of ``path``, not schema-valid as written (the runner converts a value)."""
    document = load_file(path, environ=FIXED_ENV).document
    assert document is not None
    data: dict[str, Any] = document.data
    return data


@pytest.mark.parametrize("name", sorted(CONVERTED))
def test_values_the_runner_converts_load_as_it_reads_them(name: str) -> None:
    """omkit validate passes these files with R030 (metadata ingest converts the value and
    runs), so the models omkit run builds convert them the same way instead of stopping."""
    model = Workflow.from_dict(_as_written(CORPUS / "valid" / name))
    data = model.to_dict()
    pipeline = data["source"]["sourceConfig"]["config"]
    server = data["workflowConfig"]["openMetadataServerConfig"]
    values = [*pipeline.values(), *server.values()]
    assert not any(
        isinstance(v, str) and v.lower() in ("true", "false", "10", "1000") for v in values
    )


@pytest.mark.parametrize(
    ("value", "expected"), [("'true'", True), ("'no'", False), ("1", True), ("0", False)]
)
def test_a_converted_boolean_becomes_the_boolean(value: str, expected: bool) -> None:
    data = _as_written(CORPUS / "valid" / "type-quoted-boolean.yaml")
    data["source"]["sourceConfig"]["config"]["markDeletedMlModels"] = json.loads(
        value.replace("'", '"')
    )
    model = Workflow.from_dict(data)
    assert model.to_dict()["source"]["sourceConfig"]["config"]["markDeletedMlModels"] is expected
