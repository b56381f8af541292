"""How a value may appear in a message: short, and never when it is a secret."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence

#: Shown instead of a secret's value.
HIDDEN = "(value hidden)"
_MAX = 40


def is_secret(path: Sequence[str | int], secret_keys: Collection[str]) -> bool:
    """True when ``path`` is, or lies below, a key whose value is a secret."""
    return any(isinstance(part, str) and part in secret_keys for part in path)


def excerpt(text: str, limit: int = _MAX) -> str:
    """``text`` quoted, cut to ``limit`` characters, with control characters made visible."""
    if not text.isprintable():
        text = "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
    shown = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"'{shown}'"


def describe(value: object, *, secret: bool = False) -> str:
    """A short phrase naming ``value`` for a message: its excerpt, or only its kind."""
    if secret:
        return HIDDEN
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int) and value.bit_length() > 14_000:  # repr() refuses > 4300 digits
        return "a very large number"
    if isinstance(value, (int, float)):
        return excerpt(repr(value))[1:-1]
    if isinstance(value, str):
        return excerpt(value)
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__} value"


def kind(value: object) -> str:
    """The JSON-Schema-ish kind of a loaded value, with its article (``a string``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


#: ``scheme://user:password@`` (or ``scheme://token@``) at the start of a URL inside a text.
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)(?P<userinfo>[^/@\s]+)@")


def mask_userinfo(text: str) -> str:
    """``text`` with the ``user:password@`` part of every URL in it replaced by ``***@``."""
    if "@" not in text:
        return text
    return _USERINFO.sub(lambda m: f"{m.group('scheme')}***@", text)


def url_without_userinfo(url: str) -> str:
    """``url`` with any ``user:password@`` part replaced by ``***@`` (for messages and logs)."""
    return mask_userinfo(url)


def has_userinfo(url: str) -> bool:
    """True when the text ``url`` starts with a URL that carries ``user:password@``."""
    return _USERINFO.match(url.strip()) is not None
