"""Reading SageMaker's answers for the estate's sources (training jobs, endpoints, registry,
features): what a denied call means, and typed views of the loosely shaped answer values, so
that an answer with a missing or odd field is read as "not there", never as a crash."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

#: Error codes that mean "this identity may not make the call".
DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized"}
)


class AssetDenied(Exception):
    """The identity may not call ``action``: the asset kind is skipped."""

    def __init__(self, asset: str, action: str, message: str) -> None:
        super().__init__(f"{action} is not allowed ({message})")
        self.asset = asset
        self.action = action
        self.message = message


def error_code(exc: BaseException) -> str:
    """The AWS error code of a boto3 error (``AccessDenied``, ``ValidationException``, ...),
    dug out of the body when botocore could not parse it (:func:`ingest.awsclient.aws_error`); the
    class name for anything else."""
    from omkit_sagemaker.ingest import awsclient

    return awsclient.aws_error(exc)[0]


def message(exc: BaseException) -> str:
    """One line for a failed call: the AWS code and message."""
    from omkit_sagemaker.ingest.sources.sagemaker import aws_error

    return aws_error(exc)


def checked_call(
    asset: str, action: str, method: Callable[..., Any], **kwargs: Any
) -> dict[str, Any]:
    """``method(**kwargs)``'s answer (an empty dict when it is not one); a denied call raises
    :class:`AssetDenied` for ``asset``, any other failure is raised as it is."""
    try:
        answer = method(**kwargs)
    except Exception as exc:
        if error_code(exc) in DENIED_CODES:
            raise AssetDenied(asset, action, message(exc)) from None
        raise
    return answer if isinstance(answer, dict) else {}


def mapping(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: object) -> list[dict[str, Any]]:
    """The dicts of a list (nothing when ``value`` is not a list)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def text(value: object) -> str | None:
    """A non-empty string, else None."""
    return value if isinstance(value, str) and value else None


def tags(value: object) -> tuple[tuple[str, str], ...]:
    """``(Key, Value)`` pairs of an AWS ``Tags`` list, skipping malformed entries."""
    pairs = [(t.get("Key"), t.get("Value", "")) for t in items(value)]
    return tuple((k, v) for k, v in pairs if isinstance(k, str) and isinstance(v, str))


def final_metrics(data: object) -> list[tuple[str, float]]:
    """One ``(MetricName, Value)`` per metric of a ``FinalMetricDataList``, in the order the
    metrics first appear: the value with the latest ``Timestamp`` (the later entry on a tie or
    without timestamps), since the list may carry several data points of one metric."""
    latest: dict[str, tuple[float, int, float]] = {}
    for number, metric in enumerate(items(data)):
        name, value, stamp = metric.get("MetricName"), metric.get("Value"), metric.get("Timestamp")
        if not isinstance(name, str) or not isinstance(value, int | float):
            continue
        if isinstance(value, bool):
            continue
        when = stamp.timestamp() if isinstance(stamp, datetime) else float("-inf")
        if name not in latest or (when, number) >= latest[name][:2]:
            latest[name] = (when, number, float(value))
    return [(name, value) for name, (_, _, value) in latest.items()]
