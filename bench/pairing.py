"""The A B A B method every bench here shares, in the standard library only (so that the benches
that run as plain scripts, `validate_bench.py` and `lsp_bench.py`, can import it too).

A bench runs omkit (A) and a named peer (B) alternately, A B A B ..., so that machine noise hits
both alike; each pair gives one ratio A/B, and the bench reports the median ratio with the min
and max of all pairs (:class:`Spread`). A target is missed only when the whole interval is past
it (:meth:`Spread.missed`), so a busy machine does not flip the verdict.
"""

from __future__ import annotations

import argparse
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

A = TypeVar("A")
B = TypeVar("B")


def options(doc: str, quick: str, *, first_paragraph: bool = True) -> argparse.ArgumentParser:
    """A bench's parser: the module doc's first paragraph (or line) as description, and
    ``--quick`` (the variant the test suite or CI runs) with its help."""
    description = doc.split("\n\n" if first_paragraph else "\n")[0]
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--quick", action="store_true", help=quick)
    return parser


def add_pairs(parser: argparse.ArgumentParser, default: int | None, help: str) -> None:
    """``--pairs N``: how many A B pairs each comparison runs."""
    parser.add_argument("--pairs", type=int, default=default, help=help)


def add_aws(parser: argparse.ArgumentParser, moto_servers: int | None) -> None:
    """``--aws-latency MS`` added to every AWS call (default 20: the AWS API answers in tens of
    ms, loopback moto in one), and ``--moto-servers N`` identical moto processes."""
    parser.add_argument("--aws-latency", type=float, default=20.0, metavar="MS")
    if moto_servers is not None:
        parser.add_argument("--moto-servers", type=int, default=moto_servers, metavar="N")


def alternate(n: int, a: Callable[[], A], b: Callable[[], B]) -> list[tuple[A, B]]:
    """``n`` pairs, A then B each time."""
    return [(a(), b()) for _ in range(n)]


@dataclass(frozen=True)
class Spread:
    """The median of some values (per-pair ratios, latencies) with their min and max."""

    median: float
    low: float
    high: float

    @classmethod
    def of(cls, values: Iterable[float]) -> Spread:
        found = list(values)
        return cls(statistics.median(found), min(found), max(found))

    def missed(self, target: float) -> bool:
        """True when every value is past ``target`` (the whole min-max interval)."""
        return self.low > target

    def dash(self, digits: int = 2) -> str:
        """``median (min-max)``, as the README's tables give it."""
        return f"{self.median:.{digits}f} ({self.low:.{digits}f}-{self.high:.{digits}f})"

    def min_max(self, digits: int = 2) -> str:
        """``min LOW, max HIGH``, for the benches' running text."""
        return f"min {self.low:.{digits}f}, max {self.high:.{digits}f}"


def table(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    """A Markdown table (as bench/README.md holds the figures); an empty cell is ``| |``."""
    lines = [header, ["---"] * len(header), *rows]
    return "\n".join(
        "|" + "|".join(f" {cell} " if cell else " " for cell in cells) + "|" for cells in lines
    )
