"""A bounded pager over SageMaker's ``Search``: many resources, with their tags, per call.

``Search(Resource=..., MaxResults=100)`` returns up to 100 records of one resource kind, each
with the fields of the kind's ``Describe*`` answer and, for most kinds, its ``Tags``; a
``NextToken`` leads to the next page. One call thus replaces up to 200 (a describe and a
``ListTags`` per resource). Sources use it where the caller may call it, and fall back to their
per-resource path when it fails (:class:`SearchFailed` says why).

Every loop is bounded: at most ``max_pages`` pages; a ``NextToken`` seen before, or a page that
brings no record the listing has not given yet (a server that hands out new tokens forever with
the same records), stops it (:class:`Pages` holds these rules for every ``Search`` loop of the
sources; up to :data:`EMPTY_PAGES` empty pages in a row are let through, as a filtered search may
give them). Typical use::

    try:
        for page in search_pages(client, "Model"):
            for record in page.results:
                model = record.get("Model", {}).get("Model")  # SearchRecord.Model.Model
    except SearchFailed as exc:
        ...  # exc.code: AccessDeniedException, ValidationException (kind not searchable), ...
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

#: Records per page: the API's maximum.
PAGE_SIZE = 100
#: Most pages read in one listing (a million records); more is a server that never stops.
MAX_PAGES = 10_000
#: Empty pages with a ``NextToken`` let through in a row before the listing is stopped.
EMPTY_PAGES = 10
#: Error codes that mean "this identity may not call Search".
DENIED_CODES = frozenset(
    {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "NotAuthorized"}
)


class SearchFailed(Exception):
    """A ``Search`` page could not be read: the AWS error, or a listing that does not end
    (``code`` ``NoProgress`` or ``TooManyPages``)."""

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


def record_key(resource: str, result: dict[str, Any]) -> str:
    """What identifies one ``Search`` result: its resource's ARN (``SearchRecord.<Resource>``,
    ``.Model.Model`` for models), else a digest of the whole record."""
    record = result.get(resource)
    if resource == "Model" and isinstance(record, dict):
        record = record.get("Model")
    if isinstance(record, dict):
        arn = record.get(f"{resource}Arn")
        if isinstance(arn, str) and arn:
            return arn
    text = json.dumps(result, sort_keys=True, default=str)
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


@dataclass
class Pages:
    """The stopping rules of one paged ``Search`` listing of ``resource``: call :meth:`stop`
    after each page that has a ``NextToken``; it says why the listing must stop (None: go on)."""

    resource: str
    _tokens: set[str] = field(default_factory=set)
    _keys: set[str] = field(default_factory=set)
    _empty: int = 0

    def stop(self, results: list[dict[str, Any]], token: str) -> str | None:
        """None to read the page ``token`` names; else why not."""
        keys = {record_key(self.resource, r) for r in results}
        new = keys - self._keys
        self._keys |= new
        if token in self._tokens:
            return f"Search on {self.resource} repeated a NextToken: the listing was stopped"
        self._tokens.add(token)
        if results and not new:
            return (
                f"Search on {self.resource} gave a page with no record it had not given "
                "already (and another NextToken): the listing was stopped"
            )
        self._empty = 0 if results else self._empty + 1
        if self._empty > EMPTY_PAGES:
            return (
                f"Search on {self.resource} gave more than {EMPTY_PAGES} empty pages in a row: "
                "the listing was stopped"
            )
        return None


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
    ``max_pages`` pages, and ``NoProgress`` when :class:`Pages` stops the listing (a repeated
    ``NextToken``, a page with nothing new); the pages yielded before stay valid."""
    from omkit_sagemaker.ingest import awsclient

    token: str | None = None
    rules = Pages(resource)
    for number in range(max_pages):
        kwargs: dict[str, Any] = {"Resource": resource, "MaxResults": page_size}
        if expression is not None:
            kwargs["SearchExpression"] = expression
        if token:
            kwargs["NextToken"] = token
        try:
            page = client.search(**kwargs)
        except Exception as exc:  # any AWS or connection failure: the caller falls back
            code, message, _ = awsclient.aws_error(exc)
            raise SearchFailed(code, message, number) from None
        results = page.get("Results") if isinstance(page, dict) else None
        token = page.get("NextToken") if isinstance(page, dict) else None
        records = [r for r in results or () if isinstance(r, dict)]
        yield Page(records, not token)
        if not token:
            return
        why = rules.stop(records, str(token))
        if why is not None:
            raise SearchFailed("NoProgress", why, number + 1)
    message = f"Search gave more than {max_pages} pages: the listing was stopped"
    raise SearchFailed("TooManyPages", message, max_pages)
