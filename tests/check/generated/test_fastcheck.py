"""The generated fast checker (check/generated/fastcheck.py) agrees with jsonschema (that it is
up to date with spec/ is a test of its generator: tests/spec/test_checkgen.py).

``omkit validate`` trusts a file that the fast checker accepts without asking jsonschema, so the
two must give the same verdict on every document: corpus files, and documents mutated from them.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omkit_sagemaker.check import versions
from omkit_sagemaker.check.generated import fastcheck
from omkit_sagemaker.check.loader import load_file
from omkit_sagemaker.spec import schema

from testing.samples import CORPUS, FIXED_ENV, TEMPLATE


def _documents() -> list[tuple[str, dict[str, Any]]]:
    found = []
    for path in [TEMPLATE, *sorted(CORPUS.rglob("*.yaml")), *sorted(CORPUS.rglob("*.yml"))]:
        loaded = load_file(path, environ=FIXED_ENV)
        if loaded.document is not None:
            found.append((path.name, loaded.document.data))
    return found


DOCUMENTS = _documents()
VALID = [doc for _, doc in DOCUMENTS if versions.validator().is_valid(doc)]


def test_the_compiled_key_lists_are_the_schemas_own() -> None:
    assert schema.secret_keys() == fastcheck.SECRET_KEYS
    assert schema.strict_keys() == fastcheck.STRICT_KEYS
    assert {"awsSecretAccessKey", "jwtToken"} <= fastcheck.SECRET_KEYS


def test_the_corpus_has_both_verdicts() -> None:
    assert len(VALID) >= 20
    assert len(DOCUMENTS) - len(VALID) >= 40


@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_same_verdict_as_jsonschema_on_the_corpus(name: str, document: dict[str, Any]) -> None:
    assert fastcheck.is_valid(document) == versions.validator().is_valid(document)


# Values that exercise every kind of check: types, enums, formats, patterns, ranges.
_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        [
            "SageMaker", "Sagemaker", "sagemaker", "SAGEMAKER", "MlModelMetadata", "INFO", "WARN",
            "WARNING", "openmetadata", "google", "no-auth", "validate", "noop", "env",
            "http://localhost:8585/api", "localhost:8585", "us-east-2", "a(b", "^prod-", "",
            "123e4567-e89b-12d3-a456-426614174000", "not-a-uuid", "${X}",
        ]
    ),
)  # fmt: skip
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["type", "config", "jwtToken", "x", "secretKey"]), inner, max_size=3
        )
    ),
    max_leaves=6,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for key, value in node.items():
            out += _paths(value, (*path, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += _paths(value, (*path, i))
    return out


@st.composite
def _mutants(draw: st.DrawFn) -> dict[str, Any]:
    document: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(VALID)))
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(_paths(document)))
        if not path:
            continue
        parent: Any = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(_VALUES)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            key = draw(st.sampled_from(["type", "extra", "authProvider", "securityConfig"]))
            parent[path[-1]][key] = draw(_VALUES)
    return document


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutants())
def test_same_verdict_as_jsonschema_on_mutated_documents(document: dict[str, Any]) -> None:
    assert fastcheck.is_valid(document) == versions.validator().is_valid(document)
