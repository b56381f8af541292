"""The changed stretches between two texts, in time linear in their size.

A character diff (``difflib.SequenceMatcher``) takes time in the square of the text's length:
56 s for a config holding one value of 20,000 characters. Here the texts are compared line by
line with Myers' O((N + M) D) algorithm (N, M lines, D lines changed; each line stands for an
integer, so comparing two lines costs nothing whatever their length), and each changed stretch
of lines is then narrowed to the characters that differ by cutting its common start and end.
A fix changes a few lines, so D is small; past :data:`MAX_CHANGED_LINES` the texts are too far
apart for a quick fix and :func:`stretches` gives None.
"""

from __future__ import annotations

#: The most lines a diff may change (a fix changes a line or two).
MAX_CHANGED_LINES = 400


def _lines(text: str) -> list[str]:
    """``text`` cut after each line feed (joined again, the pieces are ``text``)."""
    parts = text.split("\n")
    return [part + "\n" for part in parts[:-1]] + ([parts[-1]] if parts[-1] else [])


def _ids(a: list[str], b: list[str]) -> tuple[list[int], list[int]]:
    known: dict[str, int] = {}
    return (
        [known.setdefault(x, len(known)) for x in a],
        [known.setdefault(x, len(known)) for x in b],
    )


def _trace(a: list[int], b: list[int], limit: int) -> list[list[int]] | None:
    """Myers' furthest reaching x on each diagonal before each round of edits, or None when
    more than ``limit`` edits are needed."""
    n, m = len(a), len(b)
    offset = limit + 1
    reach = [0] * (2 * offset + 1)
    trace: list[list[int]] = []
    for d in range(limit + 1):
        trace.append(reach.copy())
        for k in range(-d, d + 1, 2):
            if k == -d or (k != d and reach[offset + k - 1] < reach[offset + k + 1]):
                x = reach[offset + k + 1]
            else:
                x = reach[offset + k - 1] + 1
            y = x - k
            while x < n and y < m and a[x] == b[y]:
                x, y = x + 1, y + 1
            reach[offset + k] = x
            if x >= n and y >= m:
                return trace
    return None


def _matches(trace: list[list[int]], n: int, m: int, offset: int) -> list[tuple[int, int]]:
    """The line pairs (i, j) with ``a[i] == b[j]`` kept by the edit script, in order."""
    pairs: list[tuple[int, int]] = []
    x, y = n, m
    for d in range(len(trace) - 1, -1, -1):
        reach = trace[d]
        k = x - y
        if k == -d or (k != d and reach[offset + k - 1] < reach[offset + k + 1]):
            before = k + 1
        else:
            before = k - 1
        start_x = reach[offset + before] if d else 0
        start_y = start_x - before if d else 0
        while x > start_x and y > start_y:
            x, y = x - 1, y - 1
            pairs.append((x, y))
        x, y = start_x, start_y
    pairs.reverse()
    return pairs


def _starts(lines: list[str]) -> list[int]:
    out = [0]
    for line in lines:
        out.append(out[-1] + len(line))
    return out


def _narrow(old: str, new: str, start: int) -> tuple[int, int, str]:
    """``old`` (at ``start``) replaced by ``new``, as the smallest replacement: the common
    start and end are cut off."""
    head = 0
    most = min(len(old), len(new))
    while head < most and old[head] == new[head]:
        head += 1
    tail = 0
    while tail < most - head and old[-1 - tail] == new[-1 - tail]:
        tail += 1
    return (start + head, start + len(old) - tail, new[head : len(new) - tail])


def stretches(
    old: str, new: str, limit: int = MAX_CHANGED_LINES
) -> list[tuple[int, int, str]] | None:
    """Each changed stretch as ``(start, end, replacement)`` of ``old`` (offsets in ``old``, in
    order, not overlapping); None when more than ``limit`` lines change."""
    a, b = _lines(old), _lines(new)
    ids_a, ids_b = _ids(a, b)
    trace = _trace(ids_a, ids_b, limit)
    if trace is None:
        return None
    starts_a, starts_b = _starts(a), _starts(b)
    out: list[tuple[int, int, str]] = []
    i = j = 0
    for match_i, match_j in [*_matches(trace, len(a), len(b), limit + 1), (len(a), len(b))]:
        if match_i > i or match_j > j:
            changed = old[starts_a[i] : starts_a[match_i]]
            made = new[starts_b[j] : starts_b[match_j]]
            out.append(_narrow(changed, made, starts_a[i]))
        i, j = match_i + 1, match_j + 1
    return out
