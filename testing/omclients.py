"""OpenMetadata REST clients for the tests of ``ingest/openmetadata.py`` and its parts
(``omhttp``, ``omcredentials``): a connection config naming a server, and a client of the
recording double with no backoff."""

from __future__ import annotations

from typing import Any

from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient
from omkit_sagemaker.spec.models.open_metadata_connection import OpenMetadataConnection

from testing.omdouble import OMServer


def server_config(url: str, token: str | None = None, **extra: Any) -> OpenMetadataConnection:
    doc: dict[str, Any] = {"hostPort": url, **extra}
    if token is not None:
        doc.setdefault("authProvider", "openmetadata")
        doc["securityConfig"] = {"jwtToken": token}
    return OpenMetadataConnection.from_dict(doc)


def client_for(
    om: OMServer, token: str | None = None, *, retries: int = 3, timeout: float = 5.0, **extra: Any
) -> OpenMetadataClient:
    config = server_config(om.url, om.token if token is None else token, **extra)
    return OpenMetadataClient(config, timeout=timeout, retries=retries, backoff=0.0)
