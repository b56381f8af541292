"""Find the model package versions an endpoint deploys, through SageMaker's lineage graph: the
``lineage`` asset kind, for the endpoints of the ``endpoints`` kind.

An endpoint's config names models, and a model made from a registry version does not say so in
what omkit reads of it; the graph does. SageMaker records each endpoint as a context of type
``Endpoint`` (``Source.SourceUri``: the endpoint's ARN), and the approval of a package version
as an action of type ``ModelPackageApprovalAction`` (``Source.SourceUri``: the version's ARN)
upstream of the endpoints that deploy it (through the model artifact and the
``ModelDeployment`` action). So, for each distinct endpoint ARN:

1. one ``ListContexts(SourceUri=arn, ContextType="Endpoint")`` (one page);
2. per context (at most :data:`MAX_CONTEXTS`), ``QueryLineage`` from it upstream
   (``Direction=Ascendants``, ``MaxDepth`` :data:`DEPTH`), only the approval actions (at most
   :data:`PAGES` pages);
3. per action (at most :data:`MAX_ACTIONS`), ``DescribeAction``: its source is the version's ARN.

At most ``1 + 2 * 2 + 5`` calls per endpoint, one for an endpoint the graph knows nothing of.
Denials and failures are those of :class:`~omkit_sagemaker.ingest.sources.lineagegraph
.DataProducers`, whose calls, counters and switches these lookups share.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.ingest.sources.answers import items as _items
from omkit_sagemaker.ingest.sources.answers import mapping as _mapping
from omkit_sagemaker.ingest.sources.answers import text as _text
from omkit_sagemaker.ingest.sources.lineagegraph import PAGE, DataProducers

#: Most endpoint contexts of one ARN followed, pages of one query read, levels the query goes
#: up, and approval actions described per endpoint.
MAX_CONTEXTS = 2
PAGES = 2
DEPTH = 10
MAX_ACTIONS = 5
APPROVAL = "ModelPackageApprovalAction"
_PACKAGE = ":model-package/"


@dataclass
class DeployedPackages:
    """Finds the package versions (ARNs) each endpoint deploys (see the module doc), once each."""

    graph: DataProducers
    _by_endpoint: dict[str, tuple[str, ...]] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def for_endpoint(self, arn: str) -> tuple[str, ...]:
        """The versions the endpoint ``arn`` deploys, in the order found (empty: none known)."""
        with self._lock:
            if arn not in self._by_endpoint:
                self._by_endpoint[arn] = self.graph.guarded(lambda: self._find(arn)) or ()
            return self._by_endpoint[arn]

    def _find(self, arn: str) -> tuple[str, ...]:
        answer = self.graph.call(
            "ListContexts", SourceUri=arn, ContextType="Endpoint", MaxResults=PAGE
        )
        contexts = [
            c for s in _items(answer.get("ContextSummaries")) if (c := _text(s.get("ContextArn")))
        ]
        actions: list[str] = []
        for context in contexts[:MAX_CONTEXTS]:
            for action in self._approvals(context):
                if action not in actions:
                    actions.append(action)
        packages: list[str] = []
        for action in actions[:MAX_ACTIONS]:
            described = self.graph.call("DescribeAction", ActionName=action)
            source = _text(_mapping(described.get("Source")).get("SourceUri"))
            if source and _PACKAGE in source and source not in packages:
                packages.append(source)
        return tuple(packages)

    def _approvals(self, context: str) -> list[str]:
        """The approval actions upstream of the endpoint context ``context``."""
        found: list[str] = []
        token: str | None = None
        for _ in range(PAGES):
            params: dict[str, Any] = {
                "StartArns": [context],
                "Direction": "Ascendants",
                "IncludeEdges": False,
                "Filters": {"Types": [APPROVAL], "LineageTypes": ["Action"]},
                "MaxDepth": DEPTH,
                "MaxResults": PAGE,
            }
            if token:
                params["NextToken"] = token
            answer = self.graph.call("QueryLineage", **params)
            for vertex in _items(answer.get("Vertices")):
                arn = _text(vertex.get("Arn"))
                if arn and vertex.get("Type") == APPROVAL and arn not in found:
                    found.append(arn)
            token = _text(answer.get("NextToken"))
            if not token:
                break
        return found
