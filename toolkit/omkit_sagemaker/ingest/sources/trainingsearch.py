"""The ``Search`` expressions that find training jobs by the model-data URL they wrote.

One URL: :func:`artifact_expression`, a single ``Equals`` filter on
``ModelArtifacts.S3ModelArtifacts``. Many URLs at once (a page of models):
:func:`batch_expression`, an ``Or`` of up to :data:`BATCH_URLS` such filters kept within the
API's documented limits on a ``SearchExpression``. The lookups that send them are in
:mod:`omkit_sagemaker.ingest.sources.training`.
"""

from __future__ import annotations

from typing import Any

#: The field a job's artifact is matched on.
ARTIFACT_FIELD = "ModelArtifacts.S3ModelArtifacts"
#: Filters in one (sub-)expression of a batched ``Search``: the API allows 1 to 20 ``Filters``
#: (and as many ``SubExpressions``) in one ``SearchExpression``.
FILTERS_PER_EXPRESSION = 20
#: Most ``SubExpressions``, ``NestedFilters`` and ``Filters`` in one ``SearchExpression``, counted
#: at every depth (``SearchRequest.SearchExpression``'s documentation).
MAX_EXPRESSION_ELEMENTS = 50
#: URLs in one batch. One filter per URL; 20 filters at the top, then sub-expressions of up to
#: 20 filters, each costing one element more. 48 URLs (20 + 1 + 20 + 1 + 8 = 50 elements) is the
#: most that fits when the expression itself is not counted; 47 (49 elements) also fits when it
#: is, so no reading of the rule can refuse a batch, for one URL less.
BATCH_URLS = 47


def _equals(url: str) -> dict[str, str]:
    return {"Name": ARTIFACT_FIELD, "Operator": "Equals", "Value": url}


def artifact_expression(url: str) -> dict[str, Any]:
    """The ``SearchExpression`` matching a job whose artifact is exactly ``url``."""
    return {"Filters": [_equals(url)]}


def batch_expression(urls: list[str]) -> dict[str, Any]:
    """The ``SearchExpression`` matching a job whose artifact is any of ``urls`` (at most
    :data:`BATCH_URLS`): an ``Or`` of up to :data:`FILTERS_PER_EXPRESSION` filters, then of
    sub-expressions, each an ``Or`` of up to as many filters. Raises ValueError for a batch the
    API would refuse (more than :data:`MAX_EXPRESSION_ELEMENTS` elements)."""
    top, rest = urls[:FILTERS_PER_EXPRESSION], urls[FILTERS_PER_EXPRESSION:]
    expression: dict[str, Any] = {"Operator": "Or", "Filters": [_equals(u) for u in top]}
    subs = [
        {"Operator": "Or", "Filters": [_equals(u) for u in rest[i : i + FILTERS_PER_EXPRESSION]]}
        for i in range(0, len(rest), FILTERS_PER_EXPRESSION)
    ]
    if subs:
        expression["SubExpressions"] = subs
    if len(urls) + len(subs) > MAX_EXPRESSION_ELEMENTS or not urls:
        raise ValueError(f"{len(urls)} URLs do not fit in one SearchExpression")
    return expression
