"""The loader's one-walk path (check/fastload.py) reads every document as its reference path does.

``omkit validate`` builds a plain config's data, positions and scalar records in one walk and
falls back to the reference path (node checks, yamlbuild, index) for anything else. These tests
load the same texts both ways, the reference path forced by turning the walk off, and demand the
same result: data, positions in the same order, scalar records, diagnostics.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from omkit_sagemaker.check import fastload, loader
from omkit_sagemaker.check.loader import LoadResult, load_text

from testing.samples import CORPUS, FIXED_ENV, TEMPLATE

_ENV = {"V": "x", "N": "12", "B": "yes", "Q": "'", "C": "a: b", "E": ""}

_TOKENS = st.sampled_from(
    [
        "a", "b", "k1", "yes", "0123", "1.5", "~", "null", "2024-01-02", "0x1F", ".inf", "x y",
        ": ", ":", "- ", "-", "[", "]", "{", "}", ", ", "#", " # c", "'q'", '"d"', "'", '"',
        "\n", "\n  ", "\n    ", "\n- ", " ", "$V", "${N}", "${B}", "$Q", "${C}", "$E", "$UNSET",
        "a: ", "b: ", "\n  a: ", "\n  b: ", "? ", "<<: ", "=", "&x ", "*x", "!!str ", "é", "\r\n",
    ]
)  # fmt: skip


def _both(text: str, environ: dict[str, str] | None) -> tuple[LoadResult, LoadResult]:
    fast = load_text(text, "t.yaml", environ=environ)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastload, "walk", lambda *args: None)
        reference = load_text(text, "t.yaml", environ=environ)
    return fast, reference


def _shape(result: LoadResult) -> Any:
    document = result.document
    if document is None:
        return (None, result.diagnostics)
    return (
        document.data,
        list(document.values.items()),
        list(document.keys.items()),
        list(document.scalars.items()),
        document.expansion,
        document.source,
        result.diagnostics,
    )


def _same(text: str, environ: dict[str, str] | None) -> None:
    fast, reference = _both(text, environ)
    assert _shape(fast) == _shape(reference), text
    if fast.document is not None:  # same types too: 1 == True == 1.0 would hide a wrong value
        assert repr(fast.document.data) == repr(reference.document.data)  # type: ignore[union-attr]


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOKENS, max_size=16).map("".join), st.booleans())
@example("a: 1\nb: [x, {c: yes}]\n", True)
@example("a: 1\na: 2\n", False)
@example("a: &x [1]\nb: *x\n", False)
@example("a: ${C}\n", True)
@example("1: x\n", False)
def test_the_walk_reads_like_the_reference_path(text: str, expand: bool) -> None:
    _same(text, _ENV if expand else None)


_WORDS = st.sampled_from(
    ["a", "yes", "0123", "1.5", "~", "", "x y", "$V", "${C}", "${N}", "2024-01-02", "é", "a: b"]
)
_KEYS = st.sampled_from(["a", "b", "k1", "yes", "0", "$V", "x y"])
_DATA = st.recursive(
    _WORDS | st.integers() | st.booleans() | st.none(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_KEYS, inner, max_size=3),
    max_leaves=14,
)


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DATA, st.booleans(), st.booleans())
def test_plain_documents_read_alike_both_ways(data: Any, flow: bool, expand: bool) -> None:
    text = yaml.safe_dump({"source": data}, default_flow_style=flow, allow_unicode=True)
    _same(text, _ENV if expand else None)


@pytest.mark.parametrize(
    "path",
    [TEMPLATE, *sorted(CORPUS.rglob("*.yaml")), *sorted(CORPUS.rglob("*.yml"))],
    ids=lambda p: p.name,
)
def test_every_corpus_file_loads_alike_both_ways(path: Path) -> None:
    text = path.read_bytes().decode("utf-8", errors="replace")
    _same(text, FIXED_ENV)


def test_the_template_takes_the_walk() -> None:
    calls: list[object] = []
    real = fastload.walk

    def spy(*args: Any) -> Any:
        found = real(*args)
        calls.append(found)
        return found

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fastload, "walk", spy)
        load_text(TEMPLATE.read_text(encoding="utf-8"), "t.yaml", environ=FIXED_ENV)
    assert len(calls) == 1
    assert calls[0] is not None


def test_nesting_at_the_depth_limit_is_left_to_the_reference_path() -> None:
    depth = loader.MAX_DEPTH
    for levels in (depth - 1, depth, depth + 1):
        text = "".join(f"{'  ' * i}k{i}:\n" for i in range(levels)) + "  " * levels + "v\n"
        _same(text, None)


#: The regular expression the loader used to tell where libyaml and PyYAML may disagree.
_DIVERGENT = re.compile(r"(?:^|[ \[\]{},])[!&*|>%@`]", re.MULTILINE)


def _diverges_reference(text: str) -> bool:
    for match in _DIVERGENT.finditer(text):
        start = text.rfind("\n", 0, match.end() - 1) + 1
        if not text[start : match.end()].lstrip(" ").startswith("#"):
            return True
    return False


@settings(max_examples=3000, deadline=None)
@given(st.text(alphabet=" \n\r#!&*|>%@`[]{},ab:-'", max_size=20))
def test_divergence_is_found_as_the_regular_expression_found_it(text: str) -> None:
    assert loader._diverges(text) == _diverges_reference(text)
