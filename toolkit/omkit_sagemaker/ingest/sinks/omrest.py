"""What the metadata-rest sink relies on of the OpenMetadata REST server.

The releases it writes to (:data:`MIN_SERVER`, :func:`parse_version`) and the first that knows
``sourceHash`` (:data:`SOURCE_HASH_SERVER`), the path of an ML model service
(:func:`service_path`), and the shape every answer must have before the run trusts it: an entity
(:func:`entity_of`: an object with an ``id``, a ``fullyQualifiedName`` and the ``name`` that was
sent), a model PUT's answer (:func:`check_put`) and a bulk result (:func:`check_bulk`,
:func:`bulk_failures`). Anything else, a ``200 not-an-entity`` too, is an
:class:`~omkit_sagemaker.ingest.omerrors.OpenMetadataError`.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any

from omkit_sagemaker.base.masking import describe
from omkit_sagemaker.ingest.openmetadata import OpenMetadataError, Response

#: Oldest server release omkit run writes to (``markDeletedMlModels`` appeared in 1.0).
MIN_SERVER = (1, 0)
#: First server release whose create requests know ``sourceHash`` (facts: 2.0 adds it).
SOURCE_HASH_SERVER = (2, 0)


def parse_version(text: str) -> tuple[int, int]:
    """``(major, minor)`` of a server version such as ``1.1.7`` or ``1.2.0-SNAPSHOT``."""
    found = re.match(r"\s*(\d+)\.(\d+)", text)
    if found is None:
        raise ValueError(f"cannot read the server version {text!r}")
    return int(found.group(1)), int(found.group(2))


def service_path(name: str) -> str:
    """The path of the ML model service ``name`` (by name)."""
    return f"/services/mlmodelServices/name/{urllib.parse.quote(name, safe='')}"


def entity_of(answer: Any, what: str, name: str | None = None) -> dict[str, Any]:
    """``answer`` when it is an entity: an object with a non-empty string ``id`` and
    ``fullyQualifiedName`` and, when ``name`` is given, that ``name``. Raises
    :class:`OpenMetadataError` (status 200) saying what is wrong otherwise."""
    if not isinstance(answer, dict):
        raise OpenMetadataError(200, f"{what}: the answer is not an entity ({describe(answer)})")
    for key in ("id", "fullyQualifiedName"):
        value = answer.get(key)
        if not isinstance(value, str) or not value:
            raise OpenMetadataError(200, f"{what}: the answer is not an entity (no {key})")
    if name is not None and answer.get("name") != name:
        got = describe(answer.get("name"))
        raise OpenMetadataError(200, f"{what}: the answer is the entity {got}, not {name!r}")
    return answer


def check_put(answer: Response, name: str) -> None:
    """A model PUT must be answered 200 (updated) or 201 (created) with the model's entity."""
    if answer.status not in (200, 201):
        raise OpenMetadataError(answer.status, f"PUT /mlmodels: unexpected HTTP {answer.status}")
    entity_of(answer.body, "PUT /mlmodels", name)


def check_bulk(answer: Any, sent: int) -> None:
    """A bulk PUT must be answered with a BulkOperationResult covering every request sent."""
    what = "PUT /mlmodels/bulk"
    if not isinstance(answer, dict):
        raise OpenMetadataError(200, f"{what}: the answer is not a bulk result")
    processed = answer.get("numberOfRowsProcessed")
    failed = answer.get("failedRequest") or []
    if not isinstance(processed, int) or processed != sent or not isinstance(failed, list):
        raise OpenMetadataError(
            200, f"{what}: the answer does not account for the {sent} models sent"
        )


def bulk_failures(answer: Any) -> dict[str, str]:
    """The models a bulk result says were rejected: ``{name: message}``."""
    failed: dict[str, str] = {}
    if isinstance(answer, dict):
        for entry in answer.get("failedRequest") or ():
            request = entry.get("request") if isinstance(entry, dict) else None
            name = request.get("name") if isinstance(request, dict) else None
            if isinstance(name, str):
                failed[name] = str(entry.get("message") or "rejected by the bulk endpoint")
    return failed
