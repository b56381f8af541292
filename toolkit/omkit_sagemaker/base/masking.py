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


#: Shown in a diff or a fix's message instead of a secret.
MASK = "********"
#: How a key's name ends when its value is a secret, whatever the schema calls it.
_SECRET_ENDINGS = ("password", "passwd", "secret", "token", "privatekey", "apikey", "secretkey")
#: A JSON Web Token: three base64url parts, the first an encoded ``{"...``.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*")
#: ``user:password@host`` without a scheme, as a whole value.
_BARE_USERINFO = re.compile(r"^[^\s/@:'\"]+:[^\s/@]*@[^\s@]")


def _squeezed(key: str) -> str:
    return "".join(c for c in key.lower() if c.isalnum())


def _within_two(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` are at most two edits apart (insert, delete, change)."""
    if abs(len(a) - len(b)) > 2:
        return False
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        if min(current) > 2:
            return False
        previous = current
    return previous[-1] <= 2


def is_secret_key(key: str, secret_keys: Collection[str]) -> bool:
    """True when a reader could take ``key`` for a key holding a secret: one of
    ``secret_keys`` in any letter case or spelling (``jwttoken``, ``AWSSESSIONTOKEN``,
    ``aws_secret_access_key``, ``awsSecretAccesKey``: up to two letters off), or a name ending
    in ``password``, ``secret``, ``token``, ... (``omkit fix`` may rename such a key to the
    secret one, and a diff must never show its value)."""
    if key in secret_keys:
        return True
    squeezed = _squeezed(key)
    if not squeezed:
        return False
    if squeezed.endswith(_SECRET_ENDINGS):
        return True
    known = [_squeezed(k) for k in secret_keys]
    return squeezed in known or any(len(k) >= 8 and _within_two(squeezed, k) for k in known)


def looks_secret(value: str) -> bool:
    """True when a whole value is a secret by its look alone: a JWT, or ``user:password@host``
    written without a scheme (a URL's userinfo is masked by :func:`mask_userinfo`)."""
    text = value.strip().strip("'\"")
    return bool(_JWT.search(text)) or bool(_BARE_USERINFO.match(text))


def mask_text(text: str, secrets: Collection[str] = ()) -> str:
    """``text`` (a diff, a message) with every URL's ``user:password@``, every JWT and every
    occurrence of the known secret values ``secrets`` (4 characters or more: shorter ones
    would hide ordinary words) replaced by :data:`MASK` (``***@`` for the userinfo)."""
    for secret in sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    if "eyJ" in text:
        text = _JWT.sub(MASK, text)
    return mask_userinfo(text)
