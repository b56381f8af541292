"""The lineage edges a run adds once its models are written: one writer for every kind.

A kind notes each edge it wants while the models are mapped (:meth:`Edges.want`: from an
``EntityReference`` -- a Glue table of the ``features`` kind, an S3 container of the ``lineage``
kind -- to a model by FQN, with a note); after every model is written, :meth:`Edges.add` reads
each model's id once (``GET /mlmodels/name/{fqn}``) and sends one ``PUT /lineage`` per (source,
model) pair: ``{"edge": {"fromEntity": {id, type}, "toEntity": {id, type: "mlmodel"},
"description": <the notes>}}`` (``AddLineageRequest``, 1.1 and 2.0; facts a5). A dry run shows
the edges instead (:meth:`Edges.shown`). A model not found after writing it, or a refused edge,
is a warning.
"""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus

#: Most edges one run adds (one per source and model).
MAX_EDGES = 100_000


@dataclass
class Edge:
    """One edge to add: from ``source`` (an ``EntityReference``) to the model ``model_fqn``."""

    source: dict[str, Any]
    model_fqn: str
    notes: list[str] = field(default_factory=list)

    @property
    def description(self) -> str:
        return " ".join(self.notes)

    def shown(self) -> str:
        """The edge as a dry run lists it."""
        return f"{self.source['type']} {self.source['fullyQualifiedName']} -> {self.model_fqn}"


@dataclass
class Edges:
    """The edges to add once the models are written, one per (source, model) pair."""

    pending: dict[tuple[str, str], Edge] = field(default_factory=dict)
    added: int = 0

    def want(self, source: dict[str, Any], model_fqn: str, note: str) -> None:
        """Note an edge from ``source`` to the model (a second note on one pair is joined)."""
        key = (source["id"], model_fqn)
        edge = self.pending.get(key)
        if edge is None:
            if len(self.pending) >= MAX_EDGES:
                return
            edge = self.pending[key] = Edge(source, model_fqn)
        if note not in edge.notes:
            edge.notes.append(note)

    def shown(self) -> list[str]:
        """Each pending edge as a dry run lists it (``type FQN -> model FQN``)."""
        return [edge.shown() for edge in self.pending.values()]

    def add(self, client: OpenMetadataClient, status: RunStatus) -> None:
        """``PUT /lineage`` for each edge (see the module doc)."""
        ids: dict[str, str | None] = {}
        for edge in self.pending.values():
            if edge.model_fqn not in ids:
                ids[edge.model_fqn] = _model_id(client, edge.model_fqn)
            model_id = ids[edge.model_fqn]
            if model_id is None:
                status.warn(
                    f"model {edge.model_fqn}", "not found after writing it: no lineage added"
                )
                continue
            body = {
                "edge": {
                    "fromEntity": {"id": edge.source["id"], "type": edge.source["type"]},
                    "toEntity": {"id": model_id, "type": "mlmodel"},
                    "description": edge.description,
                }
            }
            try:
                client.put("/lineage", body)
            except OpenMetadataError as exc:
                status.warn(f"lineage {edge.shown()}", str(exc))
                continue
            self.added += 1
        self.pending = {}


def _model_id(client: OpenMetadataClient, fqn: str) -> str | None:
    try:
        found = client.get(f"/mlmodels/name/{urllib.parse.quote(fqn, safe='')}")
    except OpenMetadataError:
        return None
    if isinstance(found, dict) and isinstance(found.get("id"), str):
        return str(found["id"])
    return None
