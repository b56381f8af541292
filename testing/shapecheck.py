"""Refuse what SageMaker refuses: the one request and answer check of the hand-written doubles.

A test double that answers a SageMaker call (testing/searchdouble.py, the made-up answers of
testing/awsfaults.py, the small fake clients of the source tests) must not accept a request AWS
would refuse, or the figures and behaviour it shows are fiction. :func:`check_request` holds a
request to what the service model (botocore's own ``sagemaker`` model, loaded from botocore)
says, then to the documented limits botocore does not enforce:

* every shape rule botocore's ``ParamValidator`` checks (as ``Stubber`` does): required members,
  types, unknown members, ``min`` lengths and values;
* every ``max`` of the model, which ``ParamValidator`` leaves to the service: list lengths
  (``SearchExpression.Filters``, ``.NestedFilters``, ``.SubExpressions``: 20 each), string lengths
  and number ranges (``MaxResults``: 1 to 100);
* for ``Search``: at most 50 elements in one ``SearchExpression``, counting every
  ``SubExpression``, ``NestedFilters`` entry and ``Filter`` at every depth (the expression itself
  is not counted), and no expression without one of the three lists (the model's documentation).

A refused request raises :class:`ServiceError` (``ValidationException``, HTTP 400: what SageMaker
answers), which the proxy sends as AWS's JSON error. :func:`check_answer` holds the double's own
answer to the operation's output shape and raises AssertionError: an answer AWS could not give is
a bug of the double, not a refusal.
"""

from __future__ import annotations

from functools import cache
from typing import Any

#: The most elements of one SearchExpression (SearchRequest.SearchExpression's documentation).
MAX_EXPRESSION_ELEMENTS = 50
_EXPRESSION_LISTS = ("Filters", "NestedFilters", "SubExpressions")


class ServiceError(Exception):
    """An error answer of the service: ``code``, ``message``, HTTP ``status``."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.status = status

    def body(self) -> dict[str, str]:
        """The JSON body AWS's JSON protocol sends for this error."""
        return {"__type": self.code, "message": self.message}


@cache
def _service() -> Any:
    import botocore.session

    return botocore.session.Session().get_service_model("sagemaker")


def operation(name: str) -> Any:
    """The botocore ``OperationModel`` of a SageMaker operation (``Search``, ``ListModels``)."""
    return _service().operation_model(name)


def check_request(name: str, params: dict[str, Any]) -> None:
    """Raise :class:`ServiceError` (ValidationException) for a request SageMaker refuses."""
    from botocore.validate import ParamValidator

    shape = operation(name).input_shape
    problems: list[str] = []
    report = ParamValidator().validate(params, shape)
    if report.has_errors():
        problems.append(report.generate_report())
    problems += _maxima(params, shape, "")
    if name == "Search" and isinstance(params.get("SearchExpression"), dict):
        problems += expression_problems(params["SearchExpression"])
    if problems:
        count = len(problems)
        detail = "; ".join(problems)
        raise ServiceError(
            "ValidationException",
            f"{count} validation error{'s' if count > 1 else ''} detected: {detail}",
        )


def check_answer(name: str, answer: dict[str, Any]) -> None:
    """AssertionError when ``answer`` does not fit the operation's output shape (the double's
    bug). Timestamps may be datetimes or epoch seconds (the JSON protocol's form)."""
    from botocore.validate import ParamValidator

    shape = operation(name).output_shape
    body = {k: v for k, v in answer.items() if k != "ResponseMetadata"}
    report = ParamValidator().validate(body, shape)
    problems = [report.generate_report()] if report.has_errors() else []
    problems += _maxima(body, shape, "")
    assert not problems, f"the double's {name} answer is not one AWS gives: {problems}"


def expression_elements(expression: dict[str, Any]) -> int:
    """The elements of a SearchExpression as the 50 rule counts them: every Filter, every
    NestedFilters entry and its Filters, every SubExpression and what it holds."""
    count = 0
    for nested in expression.get("NestedFilters") or ():
        count += 1 + len(nested.get("Filters") or ()) if isinstance(nested, dict) else 1
    count += len(expression.get("Filters") or ())
    for sub in expression.get("SubExpressions") or ():
        count += 1 + (expression_elements(sub) if isinstance(sub, dict) else 0)
    return count


def expression_problems(expression: dict[str, Any]) -> list[str]:
    """The documented rules of a SearchExpression that no shape holds."""
    problems: list[str] = []
    elements = expression_elements(expression)
    if elements > MAX_EXPRESSION_ELEMENTS:
        problems.append(
            f"SearchExpression holds {elements} SubExpressions, NestedFilters and Filters; "
            f"the maximum is {MAX_EXPRESSION_ELEMENTS}"
        )
    problems += _empty_expressions(expression, "searchExpression")
    return problems


def _empty_expressions(expression: dict[str, Any], where: str) -> list[str]:
    found = (
        []
        if any(expression.get(k) for k in _EXPRESSION_LISTS)
        else [f"{where} must hold Filters, NestedFilters or SubExpressions"]
    )
    for number, sub in enumerate(expression.get("SubExpressions") or ()):
        if isinstance(sub, dict):
            found += _empty_expressions(sub, f"{where}.subExpressions.{number + 1}.member")
    return found


def _maxima(value: Any, shape: Any, where: str) -> list[str]:
    """Every ``max`` of ``shape`` that ``value`` exceeds (types are ParamValidator's job)."""
    limit = shape.metadata.get("max")
    kind = shape.type_name
    found: list[str] = []
    if kind == "structure" and isinstance(value, dict):
        for key, member in value.items():
            if key in shape.members:
                found += _maxima(member, shape.members[key], f"{where}.{key}")
    elif kind == "list" and isinstance(value, list | tuple):
        if limit is not None and len(value) > limit:
            found.append(_too_long(where, len(value), limit))
        for number, item in enumerate(value):
            found += _maxima(item, shape.member, f"{where}[{number}]")
    elif kind == "map" and isinstance(value, dict):
        if limit is not None and len(value) > limit:
            found.append(_too_long(where, len(value), limit))
        for key, item in value.items():
            found += _maxima(item, shape.value, f"{where}.{key}")
    elif kind == "string" and isinstance(value, str):
        if limit is not None and len(value) > limit:
            found.append(_too_long(where, len(value), limit))
    elif (
        kind in ("integer", "long", "float", "double")
        and isinstance(value, int | float)
        and not isinstance(value, bool)
        and limit is not None
        and value > limit
    ):
        found.append(
            f"Value '{value}' at '{_name(where)}' failed to satisfy constraint: Member must "
            f"have value less than or equal to {limit}"
        )
    return found


def _too_long(where: str, length: int, limit: int) -> str:
    return (
        f"Value at '{_name(where)}' (length {length}) failed to satisfy constraint: Member must "
        f"have length less than or equal to {limit}"
    )


def _name(where: str) -> str:
    """``.SearchExpression.SubExpressions[0].Filters`` as AWS names members:
    ``searchExpression.subExpressions.1.member.filters``."""
    parts: list[str] = []
    for part in where.strip(".").replace("]", "").split("."):
        name, _, index = part.partition("[")
        parts.append(name[:1].lower() + name[1:])
        if index:
            parts.append(f"{int(index) + 1}.member")
    return ".".join(parts)


def validating(client: Any) -> Any:
    """``client`` (a boto3 SageMaker client, stubbed or not) with every request held to
    :func:`check_request` first: a refused one raises the ``ClientError`` AWS's answer gives
    (ValidationException, HTTP 400), before a ``Stubber`` or the network sees it."""
    from botocore.exceptions import ClientError

    def check(params: dict[str, Any], model: Any, **_: Any) -> None:
        try:
            check_request(model.name, params)
        except ServiceError as exc:
            answer = {
                "Error": {"Code": exc.code, "Message": exc.message},
                "ResponseMetadata": {"HTTPStatusCode": exc.status},
            }
            raise ClientError(answer, model.name) from None

    client.meta.events.register("before-parameter-build.sagemaker.*", check)
    return client


def answered(name: str, params: dict[str, Any], answer: dict[str, Any]) -> dict[str, Any]:
    """``answer`` to ``name(**params)`` from a hand-written fake client, once the request passed
    :func:`check_request` (else :class:`ServiceError`) and the answer :func:`check_answer`."""
    check_request(name, params)
    check_answer(name, answer)
    return answer
