"""Lineage from S3 training data to models: ``omkit run --assets lineage
--lineage-storage-service NAME``.

OpenMetadata's S3 connector (storage service ``NAME``) stores a bucket as the container
``NAME.<bucket>``, and under it either one container per structured data path of the bucket's
manifest, named after the whole path (``NAME.<bucket>."train/churn"``: a ``/`` is no FQN
separator), or one container per folder of an unstructured path (``NAME.<bucket>.train.churn``);
a name holding a dot is quoted. A training channel's ``s3://<bucket>/<key>`` is found as:

1. the bucket (``GET /containers/name/NAME.<bucket>``): when OpenMetadata does not have it, one
   warning for the location and no edge;
2. then the deepest known prefix of the key, deepest first, both namings at each depth; the
   bucket itself when none is known.

Each name is looked up once per run, whatever the number of models on it. After every model is
written, one edge per (container, model), through the run's one edge writer
(:mod:`omkit_sagemaker.ingest.sinks.edgewriter`): ``PUT /lineage`` with ``{"edge":
{"fromEntity": {id, type: "container"}, "toEntity": {id, type: "mlmodel"}, "description":
...}}``, the description naming the training job, the channel and the processing job that wrote
the data. OpenMetadata has no entity for a SageMaker job, so the
job goes in the description, not in ``lineageDetails.pipeline`` (an ``EntityReference`` to a
``pipeline`` entity). A dry run lists the edges instead.
"""

from __future__ import annotations

import logging
import threading
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.ingest.mapping import quote_name
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus

log = logging.getLogger("omkit.run")

#: Most folders of a key tried.
MAX_DEPTH = 8


def split_uri(uri: str) -> tuple[str, list[str]] | None:
    """``s3://bucket/a/b/`` -> ``("bucket", ["a", "b"])`` (None: not an S3 URI)."""
    if not uri.startswith("s3://"):
        return None
    bucket, _, key = uri[len("s3://") :].partition("/")
    if not bucket:
        return None
    return bucket, [part for part in key.split("/") if part][:MAX_DEPTH]


def container_fqns(service: str, uri: str) -> list[str]:
    """The names the location's container may have, the bucket first, then each prefix of the
    key, deepest first (the structured path's name, then the folder's)."""
    split = split_uri(uri)
    if split is None:
        return []
    bucket, parts = split
    base = f"{quote_name(service)}.{quote_name(bucket)}"
    names = [base]
    for depth in range(len(parts), 0, -1):
        path = quote_name("/".join(parts[:depth]))
        folders = ".".join(quote_name(p) for p in parts[:depth])
        for name in (f"{base}.{path}", f"{base}.{folders}"):
            if name not in names:
                names.append(name)
    return names


@dataclass
class Containers:
    """Finds training locations' containers in OpenMetadata (cached; safe across threads)."""

    client: OpenMetadataClient
    service: str
    status: RunStatus
    _by_name: dict[str, dict[str, Any] | None] = field(default_factory=dict, repr=False)
    _by_uri: dict[str, dict[str, Any] | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, uri: str) -> dict[str, Any] | None:
        """The location's container as an ``EntityReference`` (``{id, type,
        fullyQualifiedName}``), or None (warned once per location)."""
        with self._lock:
            if uri in self._by_uri:
                return self._by_uri[uri]
            names = container_fqns(self.service, uri)
            found = self._get(names[0]) if names else None
            if found is not None:
                deeper = (self._get(n) for n in names[1:])
                found = next((c for c in deeper if c is not None), found)
            self._by_uri[uri] = found
        if found is None and names:
            self.status.warn(
                f"location {uri}",
                f"not found in OpenMetadata under the storage service {self.service} (no "
                f"container {names[0]}): no lineage from it; ingest the bucket with "
                "OpenMetadata's S3 connector first",
            )
        return found

    def _get(self, name: str) -> dict[str, Any] | None:
        if name in self._by_name:
            return self._by_name[name]
        path = f"/containers/name/{urllib.parse.quote(name, safe='')}"
        reference: dict[str, Any] | None = None
        try:
            found = self.client.get(path)
        except OpenMetadataError as exc:
            log.warning("GET %s failed: %s", path, exc)
            found = None
        if isinstance(found, dict) and isinstance(found.get("id"), str):
            reference = {
                "id": found["id"],
                "type": "container",
                "fullyQualifiedName": str(found.get("fullyQualifiedName") or name),
            }
        self._by_name[name] = reference
        return reference
