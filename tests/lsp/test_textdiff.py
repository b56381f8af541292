"""The changed stretches of two texts: applied to the old text they make the new one, each as
small as its lines allow, and a text too far from the other gives None rather than a long wait."""

from __future__ import annotations

import random

import pytest
from omkit_sagemaker.lsp.textdiff import stretches

PIECES = ["a\n", "b\n", "key: value\n", "\n", "  nested: 1\n", "é😀\n", "tail"]


def _apply(old: str, found: list[tuple[int, int, str]]) -> str:
    for start, end, new in reversed(found):
        old = old[:start] + new + old[end:]
    return old


@pytest.mark.parametrize("seed", range(20))
def test_the_stretches_turn_the_old_text_into_the_new(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(100):
        old = "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 15)))
        chars = list(old)
        for _ in range(rng.randint(0, 4)):
            at = rng.randint(0, len(chars))
            if rng.random() < 0.4:
                chars[at:at] = rng.choice(PIECES)
            elif rng.random() < 0.5:
                del chars[at : at + rng.randint(1, 6)]
            else:
                chars[at : at + 1] = rng.choice("xy\n")
        new = "".join(chars)
        found = stretches(old, new)
        assert found is not None
        assert _apply(old, found) == new
        ends = [0] + [end for _, end, _ in found]
        assert all(start >= end for (start, _, _), end in zip(found, ends, strict=False))


def test_one_changed_word_in_a_long_text_is_one_small_stretch() -> None:
    old = "key: " + "v" * 50_000 + "\n" + "".join(f"# line {n}\n" for n in range(20_000))
    new = old.replace("key:", "Key:", 1).replace("# line 19999", "# LINE 19999")
    found = stretches(old, new)
    assert found == [(0, 1, "K"), (old.index("line 19999"), old.index("line 19999") + 4, "LINE")]


def test_texts_too_far_apart_give_none() -> None:
    assert stretches("a\n" * 1_000, "b\n" * 1_000, limit=100) is None
    assert stretches("same\n", "same\n") == []
