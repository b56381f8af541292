"""``omkit_sagemaker.ingest.sources.modelfilter``: which model names ``mlModelFilterPattern``
keeps (facts §4.2)."""

from __future__ import annotations

import pytest
from omkit_sagemaker.ingest.sources.modelfilter import FilterError, ModelFilter


def test_no_pattern_keeps_everything() -> None:
    assert ModelFilter().keep("anything")
    assert ModelFilter.compile([], []).keep("anything")


def test_includes_match_at_the_start_case_insensitively() -> None:
    keep = ModelFilter.compile(includes=["churn"]).keep
    assert keep("churn")
    assert keep("CHURN-v2")  # re.match: anchored at the start only, not a full match
    assert not keep("old-churn")


def test_includes_win_over_excludes() -> None:
    keep = ModelFilter.compile(includes=["MODEL-000"], excludes=[".*"]).keep
    assert [n for n in ("model-000", "model-001", "other") if keep(n)] == ["model-000"]


def test_excludes_drop_what_they_match() -> None:
    keep = ModelFilter.compile(excludes=["test-", ".*-tmp$"]).keep
    assert [n for n in ("test-1", "prod-1", "prod-tmp", "Test-2") if keep(n)] == ["prod-1"]


def test_any_include_is_enough() -> None:
    keep = ModelFilter.compile(includes=["a", "b"]).keep
    assert keep("alpha")
    assert keep("beta")
    assert not keep("gamma")


def test_an_invalid_regex_is_named() -> None:
    with pytest.raises(FilterError, match=r"excludes: '\(unclosed'"):
        ModelFilter.compile(excludes=["(unclosed"])
