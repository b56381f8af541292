"""The entity store of the OpenMetadata double: services, models, classifications, tags,
tables and pipelines kept in memory, created or updated by PUT (a version bump on change),
paged listings with ``after`` cursors, soft and hard deletes, and the ``seed_*`` helpers."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from testing.omdouble.shapes import (
    CLASSIFICATION_KEYS,
    MODEL_KEYS,
    SERVICE_KEYS,
    SERVICE_TYPES,
    TAG_KEYS,
    TAG_LABEL_KEYS,
    _check_body,
    _check_model_fields,
    _entity_name,
    _next_version,
    _Reply,
    quote_name,
)
from testing.omdouble.state import State


class EntityStore(State):
    """The entities and the seeding helpers (a mixin of :class:`~testing.omdouble.OMServer`)."""

    def live_models(self, service: str | None = None) -> dict[str, dict[str, Any]]:
        """The models that are not soft-deleted, by fully qualified name."""
        with self.lock:
            return {
                fqn: m
                for fqn, m in self.models.items()
                if not m["deleted"]
                and (service is None or m["service"]["fullyQualifiedName"] == service)
            }

    def seed_service(self, name: str, connection: dict[str, Any] | None = None) -> dict[str, Any]:
        """Store an ML model service of type SageMaker, as if created earlier (by default with
        a connection holding only a region)."""
        if connection is None:
            aws = {"awsRegion": "us-east-1"}
            connection = {"config": {"type": "SageMaker", "awsConfig": aws}}
        body: dict[str, Any] = {"name": name, "serviceType": "SageMaker", "connection": connection}
        with self.lock:
            entity, _ = self._put_service(body)
        return entity

    def seed_table(self, fqn: str) -> dict[str, Any]:
        """Store a table ``service.database.schema.table``, as a database ingestion would."""
        table = {
            "id": str(uuid.uuid4()),
            "name": fqn.rsplit(".", 1)[-1],
            "fullyQualifiedName": fqn,
            "deleted": False,
        }
        with self.lock:
            self.tables[fqn] = table
        return table

    def seed_container(self, fqn: str) -> dict[str, Any]:
        """Store a container ``service.bucket[.prefix...]``, as OpenMetadata's S3 connector
        would (a name holding a dot in double quotes)."""
        container = {
            "id": str(uuid.uuid4()),
            "name": fqn.rsplit(".", 1)[-1].strip('"'),
            "fullyQualifiedName": fqn,
            "deleted": False,
        }
        with self.lock:
            self.containers[fqn] = container
        return container

    def seed_pipeline(self, fqn: str) -> dict[str, Any]:
        """An ingestion pipeline (what OpenMetadata's UI or Airflow deployment creates)."""
        entity = {
            "id": str(uuid.uuid4()),
            "name": fqn.rsplit(".", 1)[-1],
            "fullyQualifiedName": fqn,
            "pipelineType": "metadata",
        }
        with self.lock:
            self.pipelines[fqn] = entity
            self.pipeline_statuses.setdefault(fqn, {})
        return entity

    def seed_model(self, service: str, name: str, **fields: Any) -> dict[str, Any]:
        """Store a model of ``service`` (which must exist), as if ingested earlier."""
        body = {"name": name, "algorithm": "mlmodel", "service": service, **fields}
        with self.lock:
            entity, _ = self._put_model(body)
        return entity

    def _page(self, items: list[dict[str, Any]], query: dict[str, str]) -> dict[str, Any]:
        try:
            limit = int(query.get("limit", "10"))
            start = int(base64.b64decode(query["after"]).decode()) if "after" in query else 0
        except ValueError:
            raise _Reply(400, "invalid limit or after") from None
        if not 0 < limit <= 1_000_000:
            raise _Reply(400, "limit must be between 1 and 1000000")
        if self.max_page is not None:
            limit = min(limit, self.max_page)
        items = sorted(items, key=lambda e: str(e["fullyQualifiedName"]))
        page = items[start : start + limit]
        paging: dict[str, Any] = {"total": len(items)}
        if start + limit < len(items):
            paging["after"] = base64.b64encode(str(start + limit).encode()).decode()
        if start > 0:
            paging["before"] = base64.b64encode(str(max(0, start - limit)).encode()).decode()
        return {"data": page, "paging": paging}

    def _put_service(self, body: Any) -> tuple[dict[str, Any], bool]:
        required = {"name", "serviceType"}
        if self._major_minor() < (1, 2):
            required.add("connection")
        _check_body(body, SERVICE_KEYS, required, "CreateMlModelService")
        name = _entity_name(body["name"])
        if body["serviceType"] not in SERVICE_TYPES:
            raise _Reply(400, f"serviceType: {body['serviceType']!r} is not a known type")
        old = self.services.get(name)
        entity = {
            **{k: v for k, v in body.items() if v is not None},
            "id": old["id"] if old else str(uuid.uuid4()),
            "fullyQualifiedName": quote_name(name),
            "version": _next_version(old, body),
            "deleted": False,
            "href": f"{self.url}/v1/services/mlmodelServices/{old['id'] if old else ''}",
        }
        self.services[name] = entity
        return entity, old is None

    def _check_model(self, body: Any) -> tuple[str, dict[str, Any]]:
        required = {"name", "service"}
        if self._major_minor() < (1, 5):
            required.add("algorithm")
        # 1.x servers forbid unknown keys and have no sourceHash (2.0 adds it, 1-32 characters)
        allowed = MODEL_KEYS if self._major_minor() >= (2, 0) else MODEL_KEYS - {"sourceHash"}
        _check_body(body, allowed, required, "CreateMlModel")
        source_hash = body.get("sourceHash")
        if source_hash is not None and not (
            isinstance(source_hash, str) and 0 < len(source_hash) <= 32
        ):
            raise _Reply(400, "[sourceHash: size must be between 1 and 32]")
        _check_model_fields(body, self._major_minor(), href_store=self.href_store)
        name = _entity_name(body["name"], self._major_minor())
        service = self.services.get(body["service"])
        if service is None:
            raise _Reply(404, f"mlmodelService instance for {body['service']} not found")
        for label in body.get("tags") or []:
            _check_body(label, TAG_LABEL_KEYS, {"tagFQN", "source", "labelType", "state"}, "Tag")
            if label["tagFQN"] not in self.tags:
                raise _Reply(404, f"tag instance for {label['tagFQN']} not found")
        return f"{service['fullyQualifiedName']}.{quote_name(name)}", service

    def _put_model(self, body: Any) -> tuple[dict[str, Any], bool]:
        fqn, service = self._check_model(body)
        old = self.models.get(fqn)
        entity = {
            **{k: v for k, v in body.items() if v is not None},
            "id": old["id"] if old else str(uuid.uuid4()),
            "fullyQualifiedName": fqn,
            "algorithm": body.get("algorithm") or "mlmodel",
            "service": {
                "id": service["id"],
                "type": "mlmodelService",
                "name": service["name"],
                "fullyQualifiedName": service["fullyQualifiedName"],
                "deleted": False,
            },
            "version": _next_version(old, body),
            "deleted": False,  # a PUT restores a soft-deleted model
        }
        self.models[fqn] = entity
        return entity, old is None

    def _entity(self, entity_id: str, kind: str) -> dict[str, Any] | None:
        pools = {"table": self.tables, "mlmodel": self.models, "container": self.containers}
        pool = pools.get(kind, {})
        return next((e for e in pool.values() if e["id"] == entity_id), None)

    def _delete_model(self, model: dict[str, Any], query: dict[str, str]) -> dict[str, Any]:
        if query.get("hardDelete") == "true":
            del self.models[model["fullyQualifiedName"]]
        else:
            model["deleted"] = True
            model["version"] = round(model["version"] + 0.1, 1)
        return model

    def _put_classification(self, body: Any) -> tuple[dict[str, Any], bool]:
        _check_body(body, CLASSIFICATION_KEYS, {"name", "description"}, "CreateClassification")
        name = _entity_name(body["name"])
        old = self.classifications.get(name)
        entity = {
            **body,
            "id": old["id"] if old else str(uuid.uuid4()),
            "fullyQualifiedName": quote_name(name),
            "version": _next_version(old, body),
            "deleted": False,
        }
        self.classifications[name] = entity
        return entity, old is None

    def _put_tag(self, body: Any) -> tuple[dict[str, Any], bool]:
        _check_body(body, TAG_KEYS, {"name", "description"}, "CreateTag")
        name = _entity_name(body["name"])
        classification = self.classifications.get(body.get("classification") or "")
        if classification is None:
            raise _Reply(404, f"classification instance for {body.get('classification')} not found")
        fqn = f"{classification['fullyQualifiedName']}.{quote_name(name)}"
        old = self.tags.get(fqn)
        entity = {
            **body,
            "id": old["id"] if old else str(uuid.uuid4()),
            "fullyQualifiedName": fqn,
            "classification": {
                "id": classification["id"],
                "type": "classification",
                "name": classification["name"],
                "fullyQualifiedName": classification["fullyQualifiedName"],
            },
            "version": _next_version(old, body),
            "deleted": False,
        }
        self.tags[fqn] = entity
        return entity, old is None
