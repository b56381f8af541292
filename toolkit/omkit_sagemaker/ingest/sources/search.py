"""A bounded pager over SageMaker's ``Search``: many resources, with their tags, per call.

``Search(Resource=..., MaxResults=100)`` returns up to 100 records of one resource kind, each
with the fields of the kind's ``Describe*`` answer and, for most kinds, its ``Tags``; a
``NextToken`` leads to the next page. One call thus replaces up to 200 (a describe and a
``ListTags`` per resource). Sources use it where the caller may call it, and fall back to their
per-resource path when it fails (:class:`SearchFailed` says why).

Every loop is bounded: at most ``max_pages`` pages, and a ``NextToken`` seen before stops the
listing (an emulator or a proxy that repeats itself). Typical use::

    try:
        for page in search_pages(client, "Model"):
            for record in page.results:
                model = record.get("Model", {}).get("Model")  # SearchRecord.Model.Model
    except SearchFailed as exc:
        ...  # exc.code: AccessDeniedException, ValidationException (kind not searchable), ...
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

#: Records per page: the API's maximum.
PAGE_SIZE = 100
#: Most pages read in one listing (a million records); more is a server that never stops.
MAX_PAGES = 10_000
#: Error codes that mean "this identity may not call Search".
DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized"}
)


class SearchFailed(Exception):
    """A ``Search`` page could not be read: the AWS error, or a listing that does not end."""

    def __init__(self, code: str, message: str, pages: int) -> None:
        super().__init__(f"{code}: {message}" if not message.startswith(code) else message)
        self.code = code
        self.message = message
        #: Pages read before this one failed.
        self.pages = pages

    @property
    def denied(self) -> bool:
        """True when the identity may not call ``Search`` (``sagemaker:Search`` not allowed)."""
        return self.code in DENIED_CODES


@dataclass(frozen=True)
class Page:
    """One ``Search`` page: its records, and whether it is the last one."""

    results: list[dict[str, Any]]
    last: bool


def search_pages(
    client: Any,
    resource: str,
    *,
    expression: dict[str, Any] | None = None,
    page_size: int = PAGE_SIZE,
    max_pages: int = MAX_PAGES,
) -> Iterator[Page]:
    """Each ``Search`` page (its ``Results``) of ``resource`` (``Model``, ``TrainingJob``,
    ...), optionally narrowed by a ``SearchExpression``. Raises :class:`SearchFailed` for a page
    that fails (any exception of the client), a repeated ``NextToken`` or more than
    ``max_pages`` pages; the pages yielded before stay valid."""
    from omkit_sagemaker.ingest import aws

    token: str | None = None
    tokens: set[str] = set()
    for number in range(max_pages):
        kwargs: dict[str, Any] = {"Resource": resource, "MaxResults": page_size}
        if expression is not None:
            kwargs["SearchExpression"] = expression
        if token:
            kwargs["NextToken"] = token
        try:
            page = client.search(**kwargs)
        except Exception as exc:  # any AWS or connection failure: the caller falls back
            code, message, _ = aws.aws_error(exc)
            raise SearchFailed(code, message, number) from None
        results = page.get("Results") if isinstance(page, dict) else None
        token = page.get("NextToken") if isinstance(page, dict) else None
        yield Page([r for r in results or () if isinstance(r, dict)], not token)
        if not token:
            return
        if token in tokens:
            raise SearchFailed("RepeatedNextToken", "Search repeated a NextToken", number + 1)
        tokens.add(token)
    message = f"Search gave more than {max_pages} pages: the listing was stopped"
    raise SearchFailed("TooManyPages", message, max_pages)
