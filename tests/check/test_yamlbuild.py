"""check/yamlbuild.py builds exactly what PyYAML's SafeConstructor builds, or steps aside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from omkit_sagemaker.check import yamlbuild
from omkit_sagemaker.check.loader import load_file

from testing.samples import CORPUS, FIXED_ENV, TEMPLATE

#: The files the loader builds (an alias bomb is refused before that, and would take minutes).
FILES = [
    p
    for p in [TEMPLATE, *sorted(CORPUS.rglob("*.yaml"))]
    if load_file(p, environ=FIXED_ENV).document is not None
]


def _compose(text: str) -> Any:
    return yaml.compose(text, Loader=yaml.SafeLoader)


def _reference(text: str) -> Any:
    return yaml.SafeLoader(text).get_single_data()


def _alike(text: str) -> None:
    """build() gives the same data, types included (repr tells True from 1), or is Unusual."""
    try:
        node = _compose(text)
        expected = repr(_reference(text))
    except (yaml.YAMLError, ValueError, TypeError, OverflowError, RecursionError):
        return  # not a document PyYAML can build: the loader reports it
    if node is None:
        return
    try:
        built = yamlbuild.build(node)
    except yamlbuild.Unusual:
        return
    assert repr(built) == expected


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_the_corpus_is_built_as_pyyaml_builds_it(path: Path) -> None:
    _alike(path.read_text(encoding="utf-8"))


def test_plain_configs_take_the_short_way() -> None:
    node = _compose("a: text\nb: [1, 2.5, true, null, 2024-01-02, 0o17, '3']\nc: {d: ~}\n")
    assert repr(yamlbuild.build(node)) == repr(
        {"a": "text", "b": [1, 2.5, True, None, yaml.safe_load("2024-01-02"), "0o17", "3"],
         "c": {"d": None}}
    )  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["base: &b {x: 1}\nother:\n  <<: *b\n", "a: &x [1]\nb: *x\n", "a: !!set {x}\n",
     "? [1]\n: v\n", "=: 1\n", "a: !custom x\n"],
)  # fmt: skip
def test_unusual_documents_are_left_to_pyyaml(text: str) -> None:
    with pytest.raises(yamlbuild.Unusual):
        yamlbuild.build(_compose(text))


_SCALARS = st.sampled_from(
    ["x", "yes", "No", "on", "1_000", "0x1F", "1:30", "1e3", ".inf", "~", "null", "2024-02-30",
     "'1'", '"true"', "=", "<<", "-1", "+12", "0o7", "010", "3.", "a b", "''",
     "2001-12-14t21:59:43.10-05:00"]
)  # fmt: skip


@st.composite
def _texts(draw: st.DrawFn) -> str:
    lines = []
    for i in range(draw(st.integers(1, 6))):
        key = draw(_SCALARS) if draw(st.booleans()) else f"k{i}"
        if draw(st.booleans()):
            items = ", ".join(draw(st.lists(_SCALARS, max_size=3)))
            lines.append(f"{key}: [{items}]")
        else:
            lines.append(f"{key}: {draw(_SCALARS)}")
    return "\n".join(lines) + "\n"


@settings(max_examples=300, deadline=None)
@given(_texts())
def test_generated_documents_are_built_as_pyyaml_builds_them(text: str) -> None:
    _alike(text)
