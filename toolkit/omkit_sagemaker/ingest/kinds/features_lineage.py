"""Lineage from feature tables to models: ``omkit run --lineage-service NAME``.

A model's features come from its feature group's offline store, a Glue table. OpenMetadata's
Glue connector (database service ``NAME``) stores it as the table
``NAME.<catalog id>.<glue database>.<glue table>``, the catalog id being the AWS account; the
lookup also tries ``NAME.default.<glue database>.<glue table>`` (a Glue service configured with
a database name of ``default``). The table is read once per run (``GET /tables/name/{fqn}``),
whatever the number of models on it.

* While the models are mapped, each ``featureSources[]`` entry of a found table gets
  ``dataSource``: the table's ``EntityReference``
  (:mod:`omkit_sagemaker.ingest.kinds.features_map`).
* After every model is written, one edge per (table, model): ``PUT /lineage`` with
  ``{"edge": {"fromEntity": {id, type: "table"}, "toEntity": {id, type: "mlmodel"},
  "description": ...}}`` (``AddLineageRequest``, 1.1 and 2.0), as the official client's
  ``add_mlmodel_lineage`` draws them (facts a5). The model's id is read with
  ``GET /mlmodels/name/{fqn}``.

A table that is not in OpenMetadata is a warning (one per table), never an error: the model is
written without ``dataSource`` and without the edge. A failed edge is a warning too.
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
from omkit_sagemaker.ingest.sources.featureindex import FeatureGroup

log = logging.getLogger("omkit.run")

#: Most edges one run adds (one per model and table).
MAX_EDGES = 100_000


def table_fqns(service: str, group: FeatureGroup) -> list[str]:
    """The fully qualified names the group's Glue table may have in OpenMetadata."""
    if group.glue is None:
        return []
    _, database, table = group.glue
    catalogs = [c for c in (group.account, "default") if c]
    return [".".join(quote_name(p) for p in (service, c, database, table)) for c in catalogs]


@dataclass
class Tables:
    """Finds feature groups' Glue tables in OpenMetadata (cached; safe across threads)."""

    client: OpenMetadataClient
    service: str
    status: RunStatus
    _found: dict[str, dict[str, Any] | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __call__(self, group: FeatureGroup) -> dict[str, Any] | None:
        """The table's ``EntityReference`` (``{id, type, fullyQualifiedName}``), or None."""
        names = table_fqns(self.service, group)
        if not names:
            return None
        with self._lock:
            if names[0] in self._found:
                return self._found[names[0]]
            reference = self._lookup(names)
            self._found[names[0]] = reference
        if reference is None:
            self.status.warn(
                f"table {names[0]}",
                f"not found in OpenMetadata under the database service {self.service} (the "
                f"offline store of feature group {group.name}): no lineage from it; ingest the "
                "Glue catalog first",
            )
        return reference

    def _lookup(self, names: list[str]) -> dict[str, Any] | None:
        for name in names:
            path = f"/tables/name/{urllib.parse.quote(name, safe='')}"
            try:
                found = self.client.get(path)
            except OpenMetadataError as exc:
                log.warning("GET %s failed: %s", path, exc)
                return None
            if isinstance(found, dict) and isinstance(found.get("id"), str):
                return {
                    "id": found["id"],
                    "type": "table",
                    "fullyQualifiedName": str(found.get("fullyQualifiedName") or name),
                }
        return None


@dataclass
class Edges:
    """The (table, model) edges to add once the models are written."""

    pending: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    added: int = 0

    def want(self, model_fqn: str, features: list[dict[str, Any]]) -> None:
        """Note an edge from each table that ``features`` (``mlFeatures``) come from."""
        seen: set[str] = set()
        for feature in features:
            for source in feature.get("featureSources") or ():
                reference = source.get("dataSource")
                if isinstance(reference, dict) and reference["id"] not in seen:
                    seen.add(reference["id"])
                    if len(self.pending) < MAX_EDGES:
                        self.pending.append((reference, model_fqn))

    def add(self, client: OpenMetadataClient, status: RunStatus) -> None:
        """``PUT /lineage`` for each edge (see the module doc)."""
        ids: dict[str, str | None] = {}
        for table, model_fqn in self.pending:
            if model_fqn not in ids:
                ids[model_fqn] = _model_id(client, model_fqn)
            model_id = ids[model_fqn]
            if model_id is None:
                status.warn(f"model {model_fqn}", "not found after writing it: no lineage added")
                continue
            edge = {
                "fromEntity": {"id": table["id"], "type": "table"},
                "toEntity": {"id": model_id, "type": "mlmodel"},
                "description": "The model's features come from this table (SageMaker feature "
                "store offline store).",
            }
            try:
                client.put("/lineage", {"edge": edge})
            except OpenMetadataError as exc:
                status.warn(f"lineage {table['fullyQualifiedName']} -> {model_fqn}", str(exc))
                continue
            self.added += 1
        self.pending = []


def _model_id(client: OpenMetadataClient, fqn: str) -> str | None:
    try:
        found = client.get(f"/mlmodels/name/{urllib.parse.quote(fqn, safe='')}")
    except OpenMetadataError:
        return None
    if isinstance(found, dict) and isinstance(found.get("id"), str):
        return str(found["id"])
    return None
