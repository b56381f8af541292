"""The string formats omkit checks, as plain functions (no jsonschema import).

Used by the jsonschema format checker and by the generated fast checker alike, so both give the
same verdict. A value that is not a string passes: formats only constrain strings.
"""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*")


def is_uri(value: object) -> bool:
    """A URL as the runner's pydantic ``AnyUrl`` wants it: a scheme and a host."""
    if not isinstance(value, str):
        return True
    if any(ch.isspace() for ch in value):
        return False
    parts = urlsplit(value)
    try:
        _ = parts.port  # raises on a port that is not a number or is out of range
    except ValueError:
        return False
    return bool(_SCHEME.fullmatch(parts.scheme)) and bool(parts.hostname)


def is_regex(value: object) -> bool:
    """A regular expression Python's ``re`` compiles (the runner compiles filters with it)."""
    if not isinstance(value, str):
        return True
    try:
        re.compile(value)
    except re.error:
        return False
    return True


def is_uuid(value: object) -> bool:
    """A UUID in any of the forms Python's ``uuid.UUID`` accepts."""
    if not isinstance(value, str):
        return True
    import uuid  # here: importing uuid (and platform) costs a few ms, and few values are UUIDs

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def is_ip(value: object) -> bool:
    """An IPv4 or IPv6 address."""
    if not isinstance(value, str):
        return True
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


#: Format name -> checker; ``password`` marks secrets and checks nothing.
CHECKS = {"uri": is_uri, "regex": is_regex, "uuid": is_uuid, "ipv4": is_ip, "ipv6": is_ip}
