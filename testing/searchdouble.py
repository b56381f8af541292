"""A test double of SageMaker's ``Search`` for the parts moto lacks, in front of moto.

moto's ``Search`` knows no ``Model`` resource, ignores ``Operator`` and ``SubExpressions``, and
refuses a dotted property such as ``ModelArtifacts.S3ModelArtifacts`` ("Unknown property
name"). :class:`SearchDouble` answers those requests from records taken from moto itself (so
both see the same estate), evaluating the expression as the Search API documents it:

* a ``SearchExpression`` is true when its ``Filters``, ``NestedFilters`` and ``SubExpressions``
  are all true (``Operator: And``, the default) or when any one is (``Operator: Or``);
* a filter compares the record's property at a dotted path (``ModelArtifacts.S3ModelArtifacts``,
  ``Tags.<key>``) with ``Equals``, ``NotEquals`` or ``Contains``; a property the record does not
  have makes the filter false;
* results come ``MaxResults`` (1 to 100; AWS's default 10) at a time; ``NextToken`` is the next
  offset.

Every request is first held to the service model and the documented limits
(:func:`shapecheck.check_request`): one AWS refuses (more than 50 elements in the expression, more
than 20 filters in one list, ``MaxResults`` over 100, ...) is refused here too, with AWS's
ValidationException (HTTP 400); every answer is checked against ``SearchResponse``
(:func:`shapecheck.check_answer`).

A :class:`SearchDouble` is a :class:`awsfaults.FaultProxy` ``Search`` handler; a resource it
holds no records of goes on to moto (the handler returns None).
"""

from __future__ import annotations

import datetime
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from testing.shapecheck import check_answer, check_request

#: AWS's page size when a request names none.
DEFAULT_RESULTS = 10


def as_json(value: Any) -> Any:
    """``value`` with datetimes as epoch seconds, as the AWS JSON protocol sends them."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, list):
        return [as_json(v) for v in value]
    return value


def property_value(record: dict[str, Any], path: str) -> Any:
    """The value at the dotted ``path`` of ``record`` (``Tags.team``: the tag's value); None
    when the record has no such property."""
    if path.startswith("Tags."):
        key = path[len("Tags.") :]
        tags = record.get("Tags") or []
        return next((t.get("Value") for t in tags if t.get("Key") == key), None)
    value: Any = record
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def filter_holds(record: dict[str, Any], spec: dict[str, Any]) -> bool:
    """One ``Filter`` (``Name``, ``Operator`` default ``Equals``, ``Value``) on ``record``."""
    actual = property_value(record, spec["Name"])
    if actual is None:
        return False
    expected, operator = spec.get("Value"), spec.get("Operator", "Equals")
    if operator == "Equals":
        return str(actual) == expected
    if operator == "NotEquals":
        return str(actual) != expected
    if operator == "Contains":
        return isinstance(expected, str) and expected in str(actual)
    raise ValueError(f"operator {operator} is not answered by this double")


def expression_holds(record: dict[str, Any], expression: dict[str, Any] | None) -> bool:
    """A whole ``SearchExpression`` on ``record`` (no expression: every record)."""
    if not expression:
        return True
    parts = [filter_holds(record, f) for f in expression.get("Filters") or ()]
    parts += [expression_holds(record, sub) for sub in expression.get("SubExpressions") or ()]
    if expression.get("NestedFilters"):
        raise ValueError("NestedFilters are not answered by this double")
    if not parts:
        return True
    return any(parts) if expression.get("Operator") == "Or" else all(parts)


class SearchDouble:
    """Answers ``Search`` for the resources it holds records of (``{"Model": [...]}``: each
    record is the resource's fields, as in ``SearchRecord.<Resource>``). A request AWS refuses
    raises :class:`shapecheck.ServiceError` (it is still recorded in :attr:`requests`, and
    :attr:`refused` counts it)."""

    def __init__(self, records: dict[str, list[dict[str, Any]]]) -> None:
        self.records = records
        #: ``(Resource, SearchExpression)`` of each request received.
        self.requests: list[tuple[str, dict[str, Any] | None]] = []
        #: Requests refused as AWS refuses them.
        self.refused = 0

    def __call__(self, params: Any) -> Any:
        resource = params.get("Resource") if isinstance(params, dict) else None
        if resource not in self.records:
            return None
        expression = params.get("SearchExpression")
        self.requests.append((resource, expression))
        try:
            check_request("Search", params)
        except Exception:  # ServiceError: the proxy answers it as AWS does
            self.refused += 1
            raise
        found = [r for r in self.records[resource] if expression_holds(r, expression)]
        size = int(params.get("MaxResults") or DEFAULT_RESULTS)
        start = int(params.get("NextToken") or 0)
        # a model's record is nested once more: SearchRecord.Model.Model
        results = [
            {resource: {"Model": r}} if resource == "Model" else {resource: r}
            for r in found[start : start + size]
        ]
        answer: dict[str, Any] = {"Results": results}
        if start + size < len(found):
            answer["NextToken"] = str(start + size)
        check_answer("Search", answer)
        return answer


def model_records(client: Any, threads: int = 16) -> list[dict[str, Any]]:
    """Every model of ``client``'s moto as a ``SearchRecord.Model.Model``: DescribeModel's
    fields (less moto's empty ``VpcConfig``) and its ``Tags``."""
    first = client.list_models(MaxResults=100)
    names, token = [m["ModelName"] for m in first["Models"]], first.get("NextToken")
    while token:
        page = client.list_models(MaxResults=100, NextToken=token)
        names += [m["ModelName"] for m in page["Models"]]
        token = page.get("NextToken")

    def one(name: str) -> dict[str, Any]:
        described = client.describe_model(ModelName=name)
        model = {k: v for k, v in as_json(described).items() if v != {}}
        model["Tags"] = client.list_tags(ResourceArn=model["ModelArn"])["Tags"]
        return model

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, names))


def training_job_records(client: Any) -> list[dict[str, Any]]:
    """Every training job of ``client``'s moto, from moto's own unfiltered ``Search`` (the
    whole DescribeTrainingJob shape, with Tags)."""
    return [as_json(r["TrainingJob"]) for r in client.search(Resource="TrainingJob")["Results"]]
