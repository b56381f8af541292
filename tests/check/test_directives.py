"""``# omkit: disable=CODE`` comments (omkit_sagemaker.check.directives): a directive at the end
of a line covers that line, one on a line of its own before any YAML the whole file, one after
the YAML began nothing; a ``#`` inside quotes or a block scalar is no comment; misspelt
directives are found; a mistyped code is matched to the code it most likely means."""

from __future__ import annotations

import pytest
from omkit_sagemaker.check.directives import (
    NamedCode,
    closest_code,
    comment_start,
    misspelt,
    parse,
    stray,
)


def test_where_a_directive_is_decides_what_it_covers() -> None:
    text = (
        "\ufeff# omkit: disable=r001, R011\n"
        "---\n"
        "source:\n"
        "  type: Sagemaker  # omkit: disable=S004\n"
        "# omkit: disable=R012\n"  # after the YAML began: covers nothing
    )
    assert parse(text) == [
        NamedCode("R001", 1, 18, True),
        NamedCode("R011", 1, 24, True),
        NamedCode("S004", 4, 37, False),
    ]


def test_a_hash_in_quotes_or_a_block_scalar_is_not_a_comment() -> None:
    text = (
        "a: 'x # omkit: disable=R001'\n"
        'b: "y # omkit: disable=R002"\n'
        "c: |\n"
        "  # omkit: disable=R003\n"
        "d: e  # omkit: disable=R004\n"
    )
    assert [n.code for n in parse(text)] == ["R004"]
    assert comment_start("a: 'it''s # x'  # real") == 16
    assert comment_start("url: http://x/#anchor") == -1


def test_misspelt_directives_are_found_with_the_word_written() -> None:
    text = (
        "# omkit: disabel=R001\n"
        "# omkit disable=R001\n"
        "a: 1  # omkit: Disable R001\n"
        "b: 2  # omkit: disable=R001\n"
    )
    assert [(n.code, n.line) for n in misspelt(text)] == [
        ("disabel", 1),
        ("disable", 2),
        ("Disable", 3),
    ]
    assert misspelt("a: 1  # an ordinary comment\n") == []


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("R01", "R001"),
        ("r1", "R001"),
        ("R0O9", "R009"),
        ("R0111", "R011"),
        ("Y-001", "Y001"),
        ("S04", "S004"),
    ],
)
def test_a_mistyped_code_is_matched_to_the_code_meant(typed: str, meant: str) -> None:
    assert closest_code(typed, {"R001", "R009", "R011", "S004", "Y001"}) == meant


def test_a_code_like_none_gets_no_match() -> None:
    assert closest_code("Q999", {"R001", "S004"}) is None


def test_a_directive_on_a_line_of_its_own_after_the_yaml_began_is_stray() -> None:
    text = "# omkit: disable=R001\nsource:\n    # omkit: disable=R011, R009\n  type: x\n"
    assert [(n.code, n.line, n.column) for n in stray(text)] == [("R011", 3, 5)]
    assert [n.code for n in parse(text)] == ["R001"]  # the stray one covers nothing
