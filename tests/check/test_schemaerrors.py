"""check/schemaerrors.py finds the schema errors jsonschema finds, and explains them alike.

``omkit validate`` explains a file's schema errors without importing jsonschema; jsonschema stays
the reference. On every corpus file, and on documents mutated from the valid ones (dumped to YAML
and read back, so that they have positions), the errors must be the same (keyword, its value,
path, schema path, schema node, the errors of each anyOf/oneOf branch) in the same order, and the
diagnostics built from them identical, for the default release and for a later one.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from omkit_sagemaker.base.diagnostics import Diagnostic
from omkit_sagemaker.check import explain, releasemap, schemaerrors, versions
from omkit_sagemaker.check.generated import fastcheck
from omkit_sagemaker.check.loader import Document, load_file, load_text

from testing.samples import CORPUS, FIXED_ENV, TEMPLATE

TARGETS = [versions.DEFAULT_TARGET, (1, 5), (2, 0)]


def _documents() -> list[tuple[str, Document]]:
    found = []
    for path in [TEMPLATE, *sorted(CORPUS.rglob("*.yaml")), *sorted(CORPUS.rglob("*.yml"))]:
        loaded = load_file(path, environ=FIXED_ENV)
        if loaded.document is not None:
            found.append((path.name, loaded.document))
    return found


DOCUMENTS = _documents()


def _signature(errors: Iterable[Any]) -> list[tuple[Any, ...]]:
    """What the explainer reads of each error, comparable across the two implementations."""
    return [
        (
            str(e.validator),
            repr(e.validator_value),
            tuple(e.absolute_path),
            tuple(e.relative_path),
            tuple(e.relative_schema_path),
            repr(e.instance),
            repr(e.schema),
            _signature(e.context or []),
        )
        for e in errors
    ]


def _reference(document: Document, target: versions.Version) -> list[Any]:
    return list(versions.validator(target).iter_errors(document.data))


def _diagnostics(
    errors: Iterable[Any], document: Document, target: versions.Version
) -> list[Diagnostic]:
    found = explain.explain(errors, document, fastcheck.SECRET_KEYS)
    return releasemap.explain_versions(found, document, target)


def _assert_alike(document: Document, target: versions.Version) -> None:
    ours = schemaerrors.iter_errors(document.data, target)
    reference = _reference(document, target)
    assert _signature(ours) == _signature(reference)
    assert _diagnostics(ours, document, target) == _diagnostics(reference, document, target)


def test_the_corpus_has_many_schema_errors() -> None:
    failing = [n for n, d in DOCUMENTS if _reference(d, versions.DEFAULT_TARGET)]
    assert len(failing) >= 40


@pytest.mark.parametrize("target", TARGETS, ids=[versions.format_version(t) for t in TARGETS])
@pytest.mark.parametrize(("name", "document"), DOCUMENTS, ids=[n for n, _ in DOCUMENTS])
def test_same_errors_and_diagnostics_as_jsonschema_on_the_corpus(
    name: str, document: Document, target: versions.Version
) -> None:
    _assert_alike(document, target)


def test_a_false_schema_fails_as_jsonschema_says() -> None:
    from jsonschema import Draft7Validator

    node: dict[str, Any] = {"properties": {"a": False}, "items": False}
    walker = schemaerrors._Walker(lambda context, ref: None)
    for data in ({"a": 1}, [1, 2]):
        ours = list(walker.errors(data, node))
        assert ours
        assert _signature(ours) == _signature(Draft7Validator(node).iter_errors(data))
    (error,) = walker.errors({"a": 1}, node)
    assert (error.validator, error.instance, error.schema) == (None, 1, False)


def test_an_unsupported_keyword_is_left_to_jsonschema() -> None:
    walker = schemaerrors._Walker(lambda context, ref: None)
    with pytest.raises(schemaerrors.UnsupportedSchema, match="uniqueItems"):
        list(walker.errors([1, 1], {"uniqueItems": True}))


_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 200),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from(
        [
            "SageMaker", "Sagemaker", "sagemaker", "MlModelMetadata", "INFO", "WARNING",
            "openmetadata", "google", "okta", "no-auth", "validate", "noop", "env", "DEBUG",
            "http://localhost:8585/api", "localhost:8585", "us-east-2", "a(b", "^prod-", "",
            "123e4567-e89b-12d3-a456-426614174000", "not-a-uuid", "${X}", "metadata-rest",
        ]
    ),
)  # fmt: skip
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["type", "config", "jwtToken", "x", "secretKey", "clientId"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)
_VALID = [d.data for _, d in DOCUMENTS if not _reference(d, versions.DEFAULT_TARGET)]


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
    data: dict[str, Any] = copy.deepcopy(draw(st.sampled_from(_VALID)))
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(_paths(data)))
        if not path:
            continue
        parent: Any = data
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
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_mutants(), st.sampled_from(TARGETS))
def test_same_errors_and_diagnostics_as_jsonschema_on_mutated_documents(
    data: dict[str, Any], target: versions.Version
) -> None:
    loaded = load_text(yaml.safe_dump(data, sort_keys=False), "mutant.yaml", environ=None)
    assert loaded.document is not None
    _assert_alike(loaded.document, target)
