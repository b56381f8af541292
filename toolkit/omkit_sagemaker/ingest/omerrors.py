"""The errors of the OpenMetadata REST client (:mod:`omkit_sagemaker.ingest.openmetadata`).

:class:`OpenMetadataError` is what callers catch: an HTTP status (or None when no answer came
back), a one-line message and a hint. :class:`Stopped` is a request not sent or cut short by a
stop or a closed gate. :class:`RetryableError` and :class:`NotFoundError` stay between the
client's transport (:mod:`omkit_sagemaker.ingest.omhttp`) and its retry loop: an attempt worth
another try, and a GET answered "not there". No message holds a secret.
"""

from __future__ import annotations


class OpenMetadataError(Exception):
    """A request that failed: ``status`` is the HTTP status (None when no answer came back:
    connection refused, timeout, TLS failure), ``message`` says what happened in one line and
    ``hint`` (possibly empty) what to do about it; ``str()`` gives both."""

    def __init__(self, status: int | None, message: str, hint: str = "") -> None:
        super().__init__(f"{message} ({hint})" if hint else message)
        self.status = status
        self.message = message
        self.hint = hint


class Stopped(OpenMetadataError):
    """A request not sent, or cut short, because the client was stopped or its ``Gate``
    is closed (``message`` says why)."""

    def __init__(self, message: str) -> None:
        super().__init__(None, message)


class RetryableError(OpenMetadataError):
    """A failed attempt worth another one (429, 5xx, no answer); ``retry_after`` is the wait
    the server asked for (``Retry-After``), if any."""

    def __init__(self, status: int | None, message: str, retry_after: float | None = None) -> None:
        super().__init__(status, message)
        self.retry_after = retry_after


class NotFoundError(OpenMetadataError):
    """A 404 whose JSON body says ``code: 404``: the entity is not there."""


def failure_reason(reason: object) -> str:
    """Why a connection or TLS attempt failed, in a few words (``timed out``, the OS's text)."""
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return "timed out"
    if isinstance(reason, OSError) and reason.strerror:
        return reason.strerror
    text = str(reason) or type(reason).__name__
    return text[:200]


def status_hint(status: int) -> str:
    """What to do about an error status the user can fix (401, 403), or ``""``."""
    if status == 401:
        return "the server refused the token: check securityConfig.jwtToken, the bot's JWT"
    if status == 403:
        return "the bot is not allowed to do this: check its roles in OpenMetadata"
    return ""
