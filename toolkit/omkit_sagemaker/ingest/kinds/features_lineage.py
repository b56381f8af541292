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
* After every model is written, one edge per (table, model), through the run's one edge writer
  (:mod:`omkit_sagemaker.ingest.sinks.edgewriter`): ``PUT /lineage`` with ``{"edge":
  {"fromEntity": {id, type: "table"}, "toEntity": {id, type: "mlmodel"}, "description":
  ...}}`` (``AddLineageRequest``, 1.1 and 2.0), as the official client's
  ``add_mlmodel_lineage`` draws them (facts a5). A dry run lists them.

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
from omkit_sagemaker.ingest.sinks.edgewriter import Edges
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus
from omkit_sagemaker.ingest.sources.featureindex import FeatureGroup

log = logging.getLogger("omkit.run")


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


#: The description of a table -> model edge.
NOTE = "The model's features come from this table (SageMaker feature store offline store)."


def want_edges(edges: Edges, model_fqn: str, features: list[dict[str, Any]]) -> None:
    """Note an edge from each table that ``features`` (``mlFeatures``) come from."""
    for feature in features:
        for source in feature.get("featureSources") or ():
            reference = source.get("dataSource")
            if isinstance(reference, dict):
                edges.want(reference, model_fqn, NOTE)
