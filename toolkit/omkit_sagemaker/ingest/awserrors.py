"""What an AWS failure was, as ``(code, message, HTTP status)``: :func:`aws_error`.

boto3 raises many kinds of exceptions; :func:`aws_error` turns any of them into the AWS error
code (``AccessDenied``, ...) or the exception's class name, and a one-line message cut to its
first sentence. When a proxy or an emulator answered in a format botocore did not expect, the
code is dug out of the raw body, which :func:`watch_errors` keeps on each client (an excerpt under
``ClientError.response["Error"][ERROR_BODY_KEY]``). botocore is never imported here.
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

#: Where :func:`keep_error_body` puts an excerpt of an error response's raw body: under
#: ``ClientError.response["Error"]``, for :func:`aws_error` to dig a code out of.
ERROR_BODY_KEY = "omkitRawBody"
_BODY_LIMIT = 4096
_MESSAGE_LIMIT = 300


def aws_error(exc: BaseException) -> tuple[str, str, int | None]:
    """``(code, message, http_status)`` for anything boto3 may raise; never raises itself.

    For a ``ClientError`` the code is the AWS error code (``AccessDenied``,
    ``InvalidClientTokenId``, ...). When a proxy or an emulator answered in a format the
    service's parser did not expect, botocore's code is only the HTTP status (``"403"``); the
    code is then dug out of the body (an XML ``<Code>``, a JSON ``__type`` / ``code``), or the
    ``x-amzn-ErrorType`` header, and is ``HTTP <status>`` when none can be found. Other
    exceptions give their class name (``EndpointConnectionError``, ``NoCredentialsError``,
    ``ProfileNotFound``, ``ReadTimeoutError``, ``ConnectTimeoutError``, ...) and their message,
    with ``http_status`` None. Messages are one line of at most 300 characters.
    """
    try:
        response = getattr(exc, "response", None)
        if isinstance(response, dict):
            return _client_error(response)
        return type(exc).__name__, _one_line(str(exc)) or type(exc).__name__, None
    except Exception:  # a broken exception object: still give an answer
        return type(exc).__name__, "unexpected error", None


def watch_errors(client: Any) -> None:
    """Keep an excerpt of the raw body of error responses, for :func:`aws_error`."""
    client.meta.events.register("after-call", keep_error_body)


def keep_error_body(http_response: Any = None, parsed: Any = None, **_: Any) -> None:
    """botocore's ``after-call`` hook of :func:`watch_errors`."""
    status = getattr(http_response, "status_code", None)
    if not isinstance(status, int) or status < 300 or not isinstance(parsed, dict):
        return
    error = parsed.get("Error")
    content = getattr(http_response, "content", None)
    if isinstance(error, dict) and isinstance(content, bytes) and content:
        error[ERROR_BODY_KEY] = content[:_BODY_LIMIT].decode("utf-8", errors="replace")


_GENERIC_CODES = {"", "Unknown", "UnknownError", "InternalFailure"}
_XML_CODE = re.compile(r"<Code>\s*([^<]+?)\s*</Code>", re.S)
_XML_MESSAGE = re.compile(r"<Message>\s*([^<]*?)\s*</Message>", re.S)
_TAG = re.compile(r"<[^>]*>")


def _client_error(response: dict[str, Any]) -> tuple[str, str, int | None]:
    meta = response.get("ResponseMetadata")
    meta = meta if isinstance(meta, dict) else {}
    status = meta.get("HTTPStatusCode")
    status = status if isinstance(status, int) else None
    error = response.get("Error")
    error = error if isinstance(error, dict) else {}
    code = str(error.get("Code") or "").strip()
    message = str(error.get("Message") or "").strip()
    if _usable(code, status):
        return code, _first_sentence(message) or code, status
    # An unexpected body: botocore's code is just the HTTP status. Look harder.
    bodies = [str(error.get(ERROR_BODY_KEY) or ""), message]
    for body in bodies:
        found, said = _from_body(body)
        if found:
            return found, _first_sentence(said or _plain(message)) or found, status
    headers = meta.get("HTTPHeaders")
    if isinstance(headers, dict):
        for name, value in headers.items():
            if str(name).lower() in ("x-amzn-errortype", "x-amz-errortype") and value:
                found = _short_code(str(value))
                if found:
                    return found, _first_sentence(_plain(message)) or found, status
    fallback = f"HTTP {status}" if status is not None else (code or "UnknownError")
    return fallback, _first_sentence(_plain(message)) or fallback, status


def _usable(code: str, status: int | None) -> bool:
    """False for a missing, generic or purely numeric code (botocore's stand-in)."""
    return code not in _GENERIC_CODES and not code.isdigit() and code != str(status)


def _short_code(value: str) -> str:
    """``com.amazon.coral#AccessDeniedException`` / ``Foo:http://...`` -> the bare code."""
    value = value.strip().split(":", 1)[0]
    value = value.rsplit("#", 1)[-1].strip()
    return value if re.fullmatch(r"[A-Za-z][A-Za-z0-9_.-]{0,99}", value) else ""


def _from_body(body: str) -> tuple[str, str]:
    """(code, message) found in an XML or JSON error body, or ("", "")."""
    body = body.strip()
    if not body:
        return "", ""
    if body.startswith("{"):
        try:
            data = json.loads(body)
        except ValueError:
            data = None
        if isinstance(data, dict):
            for key in ("__type", "code", "Code", "errorCode", "error_code", "error"):
                value = data.get(key)
                if isinstance(value, str) and _short_code(value):
                    said = next(
                        (
                            str(data[k])
                            for k in ("message", "Message", "errorMessage", "error_description")
                            if isinstance(data.get(k), str)
                        ),
                        "",
                    )
                    return _short_code(value), said
        return "", ""
    code = _XML_CODE.search(body)
    if code is None or not _short_code(html.unescape(code.group(1))):
        return "", ""
    message = _XML_MESSAGE.search(body)
    return _short_code(html.unescape(code.group(1))), (
        html.unescape(message.group(1)) if message else ""
    )


def _plain(text: str) -> str:
    """Markup removed from an HTML or XML body, so that only its words remain."""
    if "<" in text and ">" in text:
        text = html.unescape(_TAG.sub(" ", text))
    return text


def _one_line(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _MESSAGE_LIMIT else text[: _MESSAGE_LIMIT - 1] + "…"


#: botocore's wording, which an emulator (moto) sometimes puts inside its own message.
_BOTOCORE_PREFIX = re.compile(r"An error occurred \([^)]*\) when calling the \w+ operation: ")
#: Where an emulator's message turns into its own Python objects (moto's enum lists).
_INTERNALS = re.compile(r"dict_(?:values|keys|items)\(|<[\w.]+ object at 0x")
#: The end of a message's first sentence: a full stop before a space and a capital.
_SENTENCE_END = re.compile(r"(?<=[^\s.][.!?])\s+(?=[A-Z(])")


def _first_sentence(text: str) -> str:
    """An AWS message cut to its first sentence, as one line: what follows repeats or explains
    it, and an emulator's dump of its internals (``dict_values([<moto.sagemaker...``) is left
    out with the list it is in."""
    text = _BOTOCORE_PREFIX.sub("", " ".join(text.split()), count=1)
    internals = _INTERNALS.search(text)
    if internals is not None:
        head = text[: internals.start()]
        opened = max(head.rfind("{"), head.rfind("["), head.rfind("("))
        text = head[: opened if opened >= 0 else len(head)].rstrip(" :=,")
    return _one_line(_SENTENCE_END.split(text, maxsplit=1)[0])
