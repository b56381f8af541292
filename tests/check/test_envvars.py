"""omkit_sagemaker.check.envvars: ``$NAME``/``${NAME}`` expansion exactly as ``os.path.expandvars``
does it.

``metadata ingest`` runs the raw file text through :func:`os.path.expandvars` before parsing, so
omkit must produce the very same text, and be able to say where each character of it came from.
"""

from __future__ import annotations

import os
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from omkit_sagemaker.check.envvars import Reference, expand

#: Variable names the generated texts use; each test sets or unsets exactly these.
NAMES = ("OMKA", "OMKB", "OMKAB", "OMKA_1", "x", "_", "1")

#: Building blocks of the generated texts: the characters that matter to expansion, names that
#: may or may not be set, prefixes of longer names, newlines, and characters that are not \w.
TEXT_PIECES = st.sampled_from(
    ["$", "{", "}", "\n", " ", ":", "-", "é", "x", "_", "1", "OMK", "A", "B", *NAMES]
)
TEXTS = st.lists(TEXT_PIECES, max_size=30).map("".join)

#: Values may themselves contain ``$NAME``: they are inserted as they are, never expanded again.
VALUES = st.lists(st.sampled_from(["$", "{", "}", "\n", " ", "v", "OMKA", "é"]), max_size=6).map(
    "".join
)
ENVIRONS = st.dictionaries(st.sampled_from(NAMES), VALUES)

#: A distinct character for each variable, absent from every generated text, so that the test
#: knows which characters of the expanded text were produced by which variable.
MARK = {"OMKA": "q", "OMKB": "r", "OMKAB": "s", "OMKA_1": "t", "x": "u", "_": "v", "1": "w"}
MARKED_ENVIRONS = st.dictionaries(st.sampled_from(NAMES), st.integers(0, 3)).map(
    lambda counts: {name: MARK[name] * n for name, n in counts.items()}
)

_REF = re.compile(r"\$(\w+|\{[^}]*\})", re.ASCII)


def _set_environ(mp: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in NAMES:
        mp.delenv(name, raising=False)
    for name, value in env.items():
        mp.setenv(name, value)


@settings(max_examples=300, deadline=None, database=None)
@given(text=TEXTS, env=ENVIRONS)
def test_expand_equals_os_path_expandvars(text: str, env: dict[str, str]) -> None:
    with pytest.MonkeyPatch.context() as mp:
        _set_environ(mp, env)
        expected = os.path.expandvars(text)
        result = expand(text, os.environ)
    assert result.text == expected
    assert result.original == text


@settings(max_examples=300, deadline=None, database=None)
@given(text=TEXTS, env=MARKED_ENVIRONS)
def test_original_offset_maps_every_offset_back(text: str, env: dict[str, str]) -> None:
    result = expand(text, env)
    owner = {mark: name for name, mark in MARK.items()}
    previous = 0
    for offset, char in enumerate(result.text):
        mapped = result.original_offset(offset)
        assert mapped >= previous, "the mapping must keep the order of the text"
        previous = mapped
        if char in owner:
            # Inside a substitution: the '$' of the reference to the variable that produced it.
            match = _REF.match(text, mapped)
            assert match is not None, (text, offset)
            assert match.group(1).strip("{}") == owner[char]
        else:
            assert text[mapped] == char, (text, offset)
    assert result.original_offset(len(result.text)) == len(text)


def test_original_offset_with_multi_line_value() -> None:
    text = "a: $X\nb: ${Y} c\n"
    result = expand(text, {"X": "1\n2\n3", "Y": ""})
    assert result.text == "a: 1\n2\n3\nb:  c\n"
    b_expanded = result.text.index("b")
    assert result.original_offset(b_expanded) == text.index("b")
    c_expanded = result.text.index("c")
    assert result.original_offset(c_expanded) == text.index("c")
    for offset in range(3, 8):  # "1\n2\n3"
        assert result.original_offset(offset) == text.index("$X")


def test_adjacent_references_map_to_their_own_dollar() -> None:
    text = "$A$B${C}"
    result = expand(text, {"A": "", "B": "bb", "C": "c"})
    assert result.text == "bbc"
    assert [result.original_offset(i) for i in range(4)] == [2, 2, 4, 8]


def test_values_are_not_expanded_again() -> None:
    result = expand("k: $A", {"A": "$B", "B": "boom"})
    assert result.text == "k: $B"
    assert result.unset_names() == []


def test_text_without_dollar_is_returned_unchanged() -> None:
    result = expand("a: b\n", {"a": "x"})
    assert result.text == "a: b\n"
    assert result.references == []
    assert result.original_offset(2) == 2


def test_names_are_ascii_word_characters_only() -> None:
    # re.ASCII as in posixpath: '$é' is no reference, '$Aé' refers to A.
    result = expand("$é $Aé ${é}", {"A": "1", "é": "2"})
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("A", "1")
        mp.setenv("é", "2")
        assert result.text == os.path.expandvars("$é $Aé ${é}")
    assert result.text == "$é 1é 2"


def test_references_record_every_use_in_order() -> None:
    text = "$A ${B} $A ${C"
    result = expand(text, {"B": "x"})
    assert result.references == [
        Reference("A", 0, 2, False),
        Reference("B", 3, 7, True),
        Reference("A", 8, 10, False),
    ]


def test_unset_names_in_order_of_first_use_without_repeats() -> None:
    text = "a: $ZED\nb: ${ALPHA}\nc: $ZED\nd: $SET\ne: ${MID}\n# $ALPHA in a comment too\n"
    result = expand(text, {"SET": "v"})
    assert result.unset_names() == ["ZED", "ALPHA", "MID"]


def test_unset_names_counts_braced_and_bare_forms_as_one_name() -> None:
    assert expand("${A} $A", {}).unset_names() == ["A"]


def test_empty_value_is_set_not_unset() -> None:
    result = expand("a: $EMPTY", {"EMPTY": ""})
    assert result.text == "a: "
    assert result.unset_names() == []


def test_substituted_marks_exactly_the_characters_a_variable_produced() -> None:
    result = expand("x $A y $B", {"A": "one", "B": ""})
    assert result.text == "x one y "
    inside = [i for i in range(len(result.text) + 1) if result.substituted(i)]
    assert inside == [2, 3, 4]
