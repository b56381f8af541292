"""What the OpenMetadata double accepts: the request keys of each entity, the field shapes
of a model, a pipeline status and an entity reference, checked as the server's schema checks
them, and :class:`_Reply`, the error answer a route raises (400 on a bad body, 404, ...)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

#: OpenMetadata 1.1 ``entityName``: letters, digits, ``_ ' - . & ( ) %`` and spaces, 1-128 long.
ENTITY_NAME = re.compile(r"^[\w'\- .&()%]{1,128}$")

SERVICE_KEYS = {
    "name",
    "displayName",
    "description",
    "serviceType",
    "connection",
    "tags",
    "owner",
    "owners",
    "domain",
    "domains",
    "dataProducts",
    "ingestionRunner",
}
MODEL_KEYS = {
    "name",
    "displayName",
    "description",
    "algorithm",
    "mlFeatures",
    "target",
    "mlHyperParameters",
    "dashboard",
    "mlStore",
    "server",
    "tags",
    "owner",
    "owners",
    "service",
    "extension",
    "sourceUrl",
    "domain",
    "domains",
    "dataProducts",
    "lifeCycle",
    "sourceHash",
}
CLASSIFICATION_KEYS = {
    "name",
    "displayName",
    "description",
    "provider",
    "mutuallyExclusive",
    "owners",
    "domains",
}
TAG_KEYS = {
    "classification",
    "parent",
    "name",
    "displayName",
    "description",
    "associatedTags",
    "provider",
    "mutuallyExclusive",
    "style",
    "owners",
    "domains",
}
HYPER_PARAMETER_KEYS = {"name", "value", "description"}
#: ``MlFeature`` and ``FeatureSource`` (1.1 and 2.0), with their enums.
FEATURE_KEYS = {
    "name",
    "dataType",
    "description",
    "fullyQualifiedName",
    "featureSources",
    "featureAlgorithm",
    "tags",
}
FEATURE_SOURCE_KEYS = {
    "name",
    "dataType",
    "description",
    "fullyQualifiedName",
    "dataSource",
    "tags",
}
FEATURE_TYPES = {"numerical", "categorical"}
FEATURE_SOURCE_TYPES = {
    "integer",
    "number",
    "string",
    "array",
    "date",
    "timestamp",
    "object",
    "boolean",
}
ENTITY_REFERENCE_KEYS = {
    "id",
    "type",
    "name",
    "fullyQualifiedName",
    "description",
    "displayName",
    "deleted",
    "inherited",
    "href",
}
#: ``AddLineageRequest`` / ``EntitiesEdge`` (2.0 keys; 1.1 has the same but ``lineageDetails``
#: holds fewer fields).
LINEAGE_EDGE_KEYS = {"fromEntity", "toEntity", "description", "lineageDetails"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
TAG_LABEL_KEYS = {"tagFQN", "name", "displayName", "description", "source", "labelType", "state"}
SERVICE_TYPES = {"Mlflow", "Sklearn", "CustomMlModel", "SageMaker", "VertexAI"}

SAGEMAKER_TEST_CONNECTION = {
    "id": "4c9e2f4e-8a55-4c3e-9a5c-6b1d1d6c0a11",
    "name": "SageMaker",
    "fullyQualifiedName": "SageMaker",
    "displayName": "SageMaker Test Connection",
    "description": "Validates access and basic model metadata extraction.",
    "steps": [
        {
            "name": "GetModels",
            "description": "List the models visible to the user.",
            "mandatory": True,
            "shortCircuit": True,
            "errorMessage": "Failed to fetch models, please validate the credentials or "
            "validate if user has access to fetch models",
        }
    ],
}


def quote_name(name: str) -> str:
    """One part of a fully qualified name: in double quotes when it holds a dot."""
    return f'"{name}"' if "." in name else name


class _Reply(Exception):
    """Raised by a route to answer with an error status and a JSON ``{code, message}`` body."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _included(entity: dict[str, Any], include: str) -> bool:
    if include == "all":
        return True
    return bool(entity["deleted"]) == (include == "deleted")


def _next_version(old: dict[str, Any] | None, body: dict[str, Any]) -> float:
    if old is None:
        return 0.1
    refs = ("service", "classification")
    changed = any(old.get(k) != v for k, v in body.items() if k not in refs)
    return round(float(old["version"]) + (0.1 if changed or old["deleted"] else 0.0), 1)


def _check_body(body: Any, allowed: set[str], required: set[str], kind: str) -> None:
    if not isinstance(body, dict):
        raise _Reply(400, f"{kind}: the body must be a JSON object")
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise _Reply(400, f'Unrecognized field "{unknown[0]}" (class {kind})')
    missing = sorted(k for k in required if body.get(k) is None)
    if missing:
        raise _Reply(400, f"[{missing[0]} must not be null]")


PIPELINE_STATUS_KEYS = {"runId", "pipelineState", "startDate", "timestamp", "endDate", "status"}
PIPELINE_STATES = {"queued", "success", "failed", "running", "partialSuccess"}
STEP_SUMMARY_KEYS = {
    "name",
    "records",
    "updated_records",
    "warnings",
    "errors",
    "filtered",
    "failures",
}


def _check_pipeline_status(body: Any) -> None:
    """``PipelineStatus``: no unknown key, a known state, epoch-millisecond integers, step
    summaries with a name and integer counts."""
    _check_body(body, PIPELINE_STATUS_KEYS, {"runId", "pipelineState"}, "PipelineStatus")
    if body["pipelineState"] not in PIPELINE_STATES:
        raise _Reply(
            400, f"pipelineState {body['pipelineState']!r} is not one of {PIPELINE_STATES}"
        )
    for key in ("startDate", "timestamp", "endDate"):
        if key in body and not (isinstance(body[key], int) and body[key] > 10**12):
            raise _Reply(400, f"{key} must be a timestamp in epoch milliseconds")
    for step in body.get("status") or []:
        _check_body(step, STEP_SUMMARY_KEYS, {"name"}, "StepSummary")
        counts = [step[k] for k in ("records", "warnings", "errors", "filtered") if k in step]
        if not all(isinstance(c, int) for c in counts):
            raise _Reply(400, "StepSummary counts must be integers")


def _check_model_fields(
    body: dict[str, Any], version: tuple[int, int] = (1, 1), *, href_store: bool = False
) -> None:
    """The field shapes of ``createMlModel.json`` (1.1 and 2.0 alike): ``algorithm``,
    ``description`` (Markdown) and ``sourceUrl`` are strings, ``server`` is an ``href`` (a URI
    with a scheme and a host), ``mlHyperParameters`` is a list of ``{name, value,
    description}`` objects whose fields are strings, ``mlFeatures`` are ``MlFeature`` objects
    (``dataType`` of ``FeatureType``, ``featureSources`` of ``FeatureSource`` with a
    ``FeatureSourceDataType`` and an ``EntityReference`` ``dataSource``). Before 2.0 the
    ``mlStore`` fields are ``href`` too with ``href_store`` (an ECR image without a scheme is
    refused); from 2.0 they are plain strings."""
    for key in ("algorithm", "description", "sourceUrl"):
        if key in body and not isinstance(body[key], str):
            raise _Reply(400, f"[{key}: {type(body[key]).__name__} found, string expected]")
    if "server" in body:
        server = body["server"]
        parts = urlsplit(server) if isinstance(server, str) else None
        if parts is None or not parts.scheme or not parts.netloc:
            raise _Reply(400, f"[server: does not match the uri pattern] ({server!r})")
    params = body.get("mlHyperParameters", [])
    if not isinstance(params, list):
        raise _Reply(400, "[mlHyperParameters: array expected]")
    for param in params:
        _check_body(param, HYPER_PARAMETER_KEYS, set(), "MlHyperParameter")
        for key, value in param.items():
            if not isinstance(value, str):
                raise _Reply(
                    400, f"[mlHyperParameters.{key}: {type(value).__name__} found, string expected]"
                )
    store = body.get("mlStore")
    if store is not None:
        _check_body(store, {"storage", "imageRepository"}, set(), "MlStore")
        for key, value in store.items():
            if not isinstance(value, str):
                raise _Reply(400, f"[mlStore.{key}: string expected]")
            parts = urlsplit(value)
            if href_store and version < (2, 0) and (not parts.scheme or not parts.netloc):
                raise _Reply(400, f"[mlStore.{key}: invalid or missing URL scheme] ({value!r})")
    features = body.get("mlFeatures", [])
    if not isinstance(features, list):
        raise _Reply(400, "[mlFeatures: array expected]")
    for feature in features:
        _check_body(feature, FEATURE_KEYS, set(), "MlFeature")
        _entity_name(feature.get("name"), version)
        if "dataType" in feature and feature["dataType"] not in FEATURE_TYPES:
            raise _Reply(
                400, f"[mlFeatures.dataType: {feature['dataType']!r} is not a FeatureType]"
            )
        sources = feature.get("featureSources", [])
        if not isinstance(sources, list):
            raise _Reply(400, "[mlFeatures.featureSources: array expected]")
        for source in sources:
            _check_body(source, FEATURE_SOURCE_KEYS, set(), "FeatureSource")
            kind = source.get("dataType")
            if kind is not None and kind not in FEATURE_SOURCE_TYPES:
                raise _Reply(
                    400, f"[featureSources.dataType: {kind!r} is not a FeatureSourceDataType]"
                )
            if "dataSource" in source:
                _entity_reference(source["dataSource"], "featureSources.dataSource")


def _entity_reference(value: Any, where: str) -> dict[str, Any]:
    """An ``EntityReference``: ``id`` (a UUID) and ``type`` required."""
    _check_body(value, ENTITY_REFERENCE_KEYS, {"id", "type"}, "EntityReference")
    if not isinstance(value["id"], str) or UUID.fullmatch(value["id"]) is None:
        raise _Reply(400, f"[{where}.id: not a UUID] ({value['id']!r})")
    if not isinstance(value["type"], str):
        raise _Reply(400, f"[{where}.type: string expected]")
    return dict(value)


def _entity_name(name: Any, version: tuple[int, int] = (1, 1)) -> str:
    """1.x: 1-128 characters of ``[\\w'\\- .&()%]``; 2.0: 1-256 characters."""
    if version >= (2, 0):
        if not isinstance(name, str) or not 1 <= len(name) <= 256:
            raise _Reply(400, f"[name size must be between 1 and 256] ({name!r})")
        return name
    if not isinstance(name, str) or ENTITY_NAME.fullmatch(name) is None:
        raise _Reply(400, f'[name must match "^(?U)[\\w\'\\- .&()%]+$"] ({name!r})')
    return name
