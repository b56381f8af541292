"""The endpoints of the OpenMetadata double: the routing of ``/api/v1/...`` requests to the
entity store, the 2.0 bulk and deleteStale endpoints, lineage edges and ingestion pipelines'
run statuses."""

from __future__ import annotations

import re
from typing import Any

from testing.omdouble.entities import EntityStore
from testing.omdouble.shapes import (
    LINEAGE_EDGE_KEYS,
    SAGEMAKER_TEST_CONNECTION,
    _check_body,
    _check_pipeline_status,
    _entity_reference,
    _included,
    _Reply,
)


class Endpoints(EntityStore):
    """``_route``: one request to its endpoint (a mixin of :class:`~testing.omdouble.OMServer`)."""

    def _route(self, method: str, route: str, query: dict[str, str], body: Any) -> tuple[int, Any]:
        """The server's version, the bot, test connection definitions and services; the rest
        in :meth:`_route_models` and :meth:`_route_rest`."""
        if method == "GET" and route == "/system/version":
            return 200, {"version": self.version, "revision": "test", "timestamp": 0}
        if method == "GET" and route == "/users/loggedInUser":
            return 200, {
                "id": "1b7b1b43-2b4f-4c43-9a45-0b6d2f3c2b10",
                "name": "ingestion-bot",
                "fullyQualifiedName": "ingestion-bot",
                "isBot": True,
                "deleted": False,
            }
        prefix = "/services/testConnectionDefinitions/name/"
        if method == "GET" and route.startswith(prefix):
            if route[len(prefix) :] == "SageMaker.testConnectionDefinition":
                return 200, SAGEMAKER_TEST_CONNECTION
            raise _Reply(404, f"testConnectionDefinition instance for {route} not found")
        if route == "/services/mlmodelServices":
            if method == "PUT":
                entity, created = self._put_service(body)
                return (201 if created else 200), entity
            if method == "GET":
                return 200, self._page(list(self.services.values()), query)
        prefix = "/services/mlmodelServices/name/"
        if method == "GET" and route.startswith(prefix):
            name = route[len(prefix) :]
            if name not in self.services:
                raise _Reply(404, f"mlmodelService instance for {name} not found")
            return 200, self.services[name]
        return self._route_models(method, route, query, body)

    def _route_models(
        self, method: str, route: str, query: dict[str, str], body: Any
    ) -> tuple[int, Any]:
        """ML models: create or update, list, bulk, deleteStale, by name and by id."""
        include = query.get("include", "non-deleted")
        if route == "/mlmodels":
            if method == "PUT":
                entity, created = self._put_model(body)
                return (201 if created else 200), entity
            if method == "GET":
                found = [
                    m
                    for m in self.models.values()
                    if _included(m, include)
                    and (
                        "service" not in query
                        or m["service"]["fullyQualifiedName"] == query["service"]
                    )
                ]
                return 200, self._page(found, query)
        if route == "/mlmodels/bulk" and method == "PUT" and self._major_minor() >= (2, 0):
            return 200, self._bulk(body)
        stale = route == "/mlmodels/deleteStale" and method == "DELETE"
        if stale and self._major_minor() >= (2, 0):
            return 200, self._delete_stale(body)
        prefix = "/mlmodels/name/"
        if method == "GET" and route.startswith(prefix):
            fqn = route[len(prefix) :]
            model = self.models.get(fqn)
            if model is None or not _included(model, include):
                raise _Reply(404, f"mlmodel instance for {fqn} not found")
            return 200, model
        found_id = re.fullmatch(r"/mlmodels/([0-9a-f-]{36})", route)
        if found_id is not None and method in ("GET", "DELETE"):
            model = next((m for m in self.models.values() if m["id"] == found_id[1]), None)
            if model is None or not _included(model, "all" if method == "DELETE" else include):
                raise _Reply(404, f"mlmodel instance for {found_id[1]} not found")
            if method == "GET":
                return 200, model
            return 200, self._delete_model(model, query)
        return self._route_rest(method, route, body)

    def _route_rest(self, method: str, route: str, body: Any) -> tuple[int, Any]:
        """Tables, lineage, classifications, tags and ingestion pipelines."""
        prefix = "/tables/name/"
        if method == "GET" and route.startswith(prefix):
            fqn = route[len(prefix) :]
            if fqn not in self.tables:
                raise _Reply(404, f"table instance for {fqn} not found")
            return 200, self.tables[fqn]
        prefix = "/containers/name/"
        if method == "GET" and route.startswith(prefix):
            fqn = route[len(prefix) :]
            if fqn not in self.containers:
                raise _Reply(404, f"container instance for {fqn} not found")
            return 200, self.containers[fqn]
        if route == "/lineage" and method == "PUT":
            self._put_lineage(body)
            return 200, {}
        if route == "/classifications" and method == "PUT":
            entity, created = self._put_classification(body)
            return (201 if created else 200), entity
        prefix = "/classifications/name/"
        if method == "GET" and route.startswith(prefix):
            name = route[len(prefix) :]
            if name not in self.classifications:
                raise _Reply(404, f"classification instance for {name} not found")
            return 200, self.classifications[name]
        if route == "/tags" and method == "PUT":
            entity, created = self._put_tag(body)
            return (201 if created else 200), entity
        prefix = "/tags/name/"
        if method == "GET" and route.startswith(prefix):
            fqn = route[len(prefix) :]
            if fqn not in self.tags:
                raise _Reply(404, f"tag instance for {fqn} not found")
            return 200, self.tags[fqn]
        if route.startswith("/services/ingestionPipelines/"):
            return self._pipeline_route(method, route[len("/services/ingestionPipelines/") :], body)
        raise _Reply(404, "HTTP 404 Not Found")

    def _pipeline_route(self, method: str, rest: str, body: Any) -> tuple[int, Any]:
        """``GET name/{fqn}``, ``PUT {fqn}/pipelineStatus``, ``GET {fqn}/pipelineStatus/{runId}``:
        a status is a ``PipelineStatus`` (checked as the server's schema checks it)."""
        if method == "GET" and rest.startswith("name/"):
            fqn = rest[len("name/") :]
            if fqn not in self.pipelines:
                raise _Reply(404, f"ingestionPipeline instance for {fqn} not found")
            return 200, self.pipelines[fqn]
        fqn, _, tail = rest.partition("/pipelineStatus")
        if fqn not in self.pipelines:
            raise _Reply(404, f"ingestionPipeline instance for {fqn} not found")
        if method == "PUT" and tail == "":
            _check_pipeline_status(body)
            self.pipeline_statuses[fqn][body["runId"]] = body
            return 200, body
        if method == "GET" and tail.startswith("/"):
            found = self.pipeline_statuses[fqn].get(tail[1:])
            if found is None:
                raise _Reply(404, f"pipelineStatus {tail[1:]} not found")
            return 200, found
        raise _Reply(404, "HTTP 404 Not Found")

    def _put_lineage(self, body: Any) -> None:
        _check_body(body, {"edge"}, {"edge"}, "AddLineage")
        edge = body["edge"]
        _check_body(edge, LINEAGE_EDGE_KEYS, {"fromEntity", "toEntity"}, "EntitiesEdge")
        ends = []
        for key in ("fromEntity", "toEntity"):
            reference = _entity_reference(edge[key], key)
            found = self._entity(reference["id"], reference["type"])
            if found is None:
                raise _Reply(404, f"{reference['type']} instance for {reference['id']} not found")
            ends.append((reference["id"], reference["type"]))
        if "description" in edge and not isinstance(edge["description"], str):
            raise _Reply(400, "[edge.description: string expected]")
        self.lineage.append((ends[0][0], ends[0][1], ends[1][0], ends[1][1]))

    def _bulk(self, body: Any) -> dict[str, Any]:
        if not isinstance(body, list):
            raise _Reply(400, "the body must be a list of CreateMlModel requests")
        passed: list[dict[str, Any]] = []
        failed: list[dict[str, Any]] = []
        for request in body:
            try:
                self._put_model(request)
                passed.append({"request": request, "message": "Success"})
            except _Reply as reply:
                failed.append({"request": request, "message": reply.message})
        return {
            "status": "success" if not failed else "partialSuccess" if passed else "failure",
            "numberOfRowsProcessed": len(body),
            "numberOfRowsPassed": len(passed),
            "numberOfRowsFailed": len(failed),
            "successRequest": passed,
            "failedRequest": failed,
        }

    def _delete_stale(self, body: Any) -> dict[str, Any]:
        _check_body(
            body,
            {"scopeFqn", "scopeEntityType", "seenFqns", "recursive", "hardDelete"},
            {"scopeFqn", "seenFqns"},
            "DeleteStale",
        )
        seen = set(body["seenFqns"])
        deleted = []
        for model in list(self.models.values()):
            in_scope = model["service"]["fullyQualifiedName"] == body["scopeFqn"]
            if in_scope and not model["deleted"] and model["fullyQualifiedName"] not in seen:
                self._delete_model(model, {"hardDelete": str(bool(body.get("hardDelete"))).lower()})
                deleted.append(model["fullyQualifiedName"])
        # A BulkOperationResult, as the 2.0.7.0 client parses this answer (unknown keys refused).
        return {
            "status": "success",
            "numberOfRowsProcessed": len(deleted),
            "numberOfRowsPassed": len(deleted),
            "numberOfRowsFailed": 0,
            "successRequest": [{"request": fqn, "status": 200} for fqn in deleted],
            "failedRequest": [],
        }
