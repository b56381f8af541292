"""Make a create request fit the OpenMetadata server it goes to (facts a1, a3).

* ``name``: on servers before 2.0 at most 128 characters of ``[\\w'\\- .&()%]``; from 2.0 at
  most 256 characters. A name that does not fit cannot be changed without changing which entity
  it is, so the entity is reported (an error naming it) and not sent.
* ``server``: an ``Href``, so a URL with a scheme and a host; anything else is left out.
* ``mlStore`` before 2.0: both fields are ``Href`` too. ``s3://`` locations are URLs already;
  a container image (``123456789012.dkr.ecr.us-east-1.amazonaws.com/xgboost:1.7-1``) is not,
  and the server refuses it (upstream then drops the whole ``mlStore``). omkit keeps it as
  ``https://<registry>/<repository>:<tag>`` (registries serve images over HTTPS); an image
  without a registry host is left out. From 2.0 both are plain strings and are sent as they are.

The server's version is only known with the ``metadata-rest`` sink (and dry runs that reach the
server); without it (the ``file`` sink) only the rules every release shares are applied.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

#: 1.x ``entityName``.
NAME_1X = re.compile(r"^[\w'\- .&()%]{1,128}$")
#: Longest name from 2.0.
MAX_NAME_2X = 256


def name_problem(name: str, version: tuple[int, int] | None) -> str | None:
    """Why ``name`` cannot be an entity name on the server (None: it can)."""
    if version is not None and version < (2, 0):
        if NAME_1X.fullmatch(name) is None:
            return (
                f"the name {name!r} does not fit OpenMetadata {version[0]}.{version[1]} (at most "
                "128 letters, digits, spaces and _ ' - . & ( ) %): not sent"
            )
        return None
    if not 1 <= len(name) <= MAX_NAME_2X:
        return f"the name is {len(name)} characters long (OpenMetadata allows 1-256): not sent"
    return None


def is_href(value: object) -> bool:
    """Whether ``value`` is a URL with a scheme and a host."""
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return bool(parts.scheme) and bool(parts.netloc)


def image_href(image: str) -> str | None:
    """A container image as an ``https://`` URL (None: it names no registry host)."""
    if is_href(image):
        return image
    host, _, rest = image.partition("/")
    if not rest or not ("." in host or ":" in host or host == "localhost"):
        return None
    return f"https://{image}"


def conform(body: dict[str, Any], version: tuple[int, int] | None) -> str | None:
    """Fit ``body`` (changed in place) to the server; returns why it cannot be sent."""
    problem = name_problem(str(body.get("name", "")), version)
    if problem is not None:
        return problem
    if "server" in body and not is_href(body["server"]):
        del body["server"]
    store = body.get("mlStore")
    if isinstance(store, dict) and version is not None and version < (2, 0):
        fitted: dict[str, str] = {}
        storage = store.get("storage")
        if isinstance(storage, str) and is_href(storage):
            fitted["storage"] = storage
        image = store.get("imageRepository")
        href = image_href(image) if isinstance(image, str) else None
        if href is not None:
            fitted["imageRepository"] = href
        if fitted:
            body["mlStore"] = fitted
        else:
            del body["mlStore"]
    return None
