"""SageMaker models -> OpenMetadata create requests (facts §6.2), tags included.

* Service: ``PUT /services/mlmodelServices`` with ``{name, serviceType: SageMaker, connection}``,
  ``connection`` being the config's whole ``serviceConnection`` (left out with
  ``storeServiceConnection: false``, as upstream does from 1.2).
* Model: ``PUT /mlmodels`` with ``{name, algorithm, description, mlHyperParameters, mlStore,
  server, service, sourceUrl, tags}``; ``algorithm``, ``description``, ``mlHyperParameters`` and
  ``server`` come from the model's training job and endpoints
  (:mod:`omkit_sagemaker.ingest.details`). ``mlStore`` is ``{storage: ModelDataUrl,
  imageRepository: PrimaryContainer.Image}`` with only the parts the model has, and is left out
  when it has neither; ``sourceUrl`` is the model's page in the AWS console; ``tags`` only
  when there are some. Unset fields are left out rather than sent as ``null`` (every release
  from 1.1 to 2.0 accepts that).
* Tags (upstream never ingests them): the SageMaker tag ``key=value`` becomes the OpenMetadata tag
  ``value`` of the classification ``key``, both created with ``PUT /classifications`` and
  ``PUT /tags`` before a model refers to them. ``aws:`` tags (set by AWS itself) are skipped.
  Names are made valid for OpenMetadata: every character outside letters, digits, ``_ - ' & ( )
  %`` and space becomes ``_`` (the dot too, so that fully qualified names need no quoting), names
  are cut to 64 characters (63 for a tag, so that ``classification.tag`` fits the 128 of a tag
  label) and padded to 2 with ``_``; an empty value (a key-only tag) becomes the tag ``true``.
  Descriptions keep the original key and value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from omkit_sagemaker.ingest.details import add_details
from omkit_sagemaker.ingest.sources.endpointindex import Serving
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel
from omkit_sagemaker.spec.models.workflow import ServiceConnection

#: Characters an OpenMetadata entity name may not hold (1.1 ``entityName`` pattern, less ``.``).
_INVALID = re.compile(r"[^\w'\- &()%]")
#: The tag a key-only SageMaker tag (empty value) becomes.
EMPTY_VALUE_TAG = "true"
MAX_CLASSIFICATION_NAME = 64
MAX_TAG_NAME = 63


def quote_name(name: str) -> str:
    """One part of a fully qualified name: in double quotes when it holds a dot."""
    return f'"{name}"' if "." in name else name


def fqn(*parts: str) -> str:
    """The fully qualified name of nested entities (``service.model``)."""
    return ".".join(quote_name(p) for p in parts)


def entity_name(text: str, limit: int = MAX_CLASSIFICATION_NAME) -> str:
    """``text`` made a valid OpenMetadata classification or tag name (see the module doc)."""
    name = _INVALID.sub("_", text.strip())[:limit].strip()
    return name.ljust(2, "_")


def console_url(region: str, name: str) -> str:
    """The model's page in the AWS console (China and GovCloud regions have their own)."""
    if region.startswith("cn-"):
        host = f"https://{region}.console.amazonaws.cn"
    elif region.startswith("us-gov-"):
        host = "https://console.amazonaws-us-gov.com"
    else:
        host = f"https://{region}.console.aws.amazon.com"
    return f"{host}/sagemaker/home?region={region}#/models/{name}"


@dataclass(frozen=True)
class ServiceRequest:
    """``CreateMlModelService``. ``body(reveal_secrets=True)`` is what the REST sink sends (the
    real AWS secrets, as upstream does); ``body()`` masks them (the file sink)."""

    name: str
    connection: ServiceConnection | None
    store_connection: bool = True

    def body(self, *, reveal_secrets: bool = False) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "serviceType": "SageMaker"}
        if self.connection is not None and self.store_connection:
            out["connection"] = self.connection.to_dict(reveal_secrets=reveal_secrets)
        return out


@dataclass(frozen=True)
class ClassificationRequest:
    """``CreateClassification`` for one SageMaker tag key."""

    name: str
    key: str

    def body(self) -> dict[str, Any]:
        return {"name": self.name, "description": f"SageMaker tag key `{self.key}`."}


@dataclass(frozen=True)
class TagRequest:
    """``CreateTag`` for one SageMaker tag ``key=value``."""

    classification: ClassificationRequest
    name: str
    value: str

    @property
    def fqn(self) -> str:
        return fqn(self.classification.name, self.name)

    def body(self) -> dict[str, Any]:
        return {
            "classification": self.classification.name,
            "name": self.name,
            "description": f"SageMaker tag `{self.classification.key}={self.value}`.",
        }

    def label(self) -> dict[str, Any]:
        """The ``TagLabel`` a model carries for this tag."""
        return {
            "tagFQN": self.fqn,
            "source": "Classification",
            "labelType": "Automated",
            "state": "Confirmed",
        }


@dataclass(frozen=True)
class ModelRequest:
    """``CreateMlModel`` for one SageMaker model, and the tags it needs to exist first."""

    name: str
    fqn: str
    tags: tuple[TagRequest, ...]
    request: dict[str, Any]
    #: The ``--assets`` kind the entity comes from: ``models`` or ``registry`` (a package group).
    kind: str = "models"

    def body(self) -> dict[str, Any]:
        return self.request


def tag_requests(tags: Iterable[tuple[str, str]]) -> tuple[TagRequest, ...]:
    """The OpenMetadata tags of SageMaker tags: ``aws:`` ones skipped, duplicates merged."""
    out: dict[str, TagRequest] = {}
    for key, value in tags:
        if key.lower().startswith("aws:") or not key.strip():
            continue
        classification = ClassificationRequest(entity_name(key), key)
        tag = TagRequest(
            classification,
            entity_name(value or EMPTY_VALUE_TAG, MAX_TAG_NAME),
            value,
        )
        out.setdefault(tag.fqn, tag)
    return tuple(out.values())


def model_request(
    model: SageMakerModel,
    service_fqn: str,
    region: str,
    *,
    with_tags: bool = True,
    servings: Sequence[Serving] = (),
) -> ModelRequest:
    """The create request of ``model`` in the service ``service_fqn``; ``servings`` are the
    endpoint variants that serve it."""
    body: dict[str, Any] = {"name": model.name}
    add_details(body, model, servings)
    store: dict[str, str] = {}
    if model.model_data_url:
        store["storage"] = model.model_data_url
    if model.image:
        store["imageRepository"] = model.image
    if store:
        body["mlStore"] = store
    body["service"] = service_fqn
    body["sourceUrl"] = console_url(region, model.name)
    tags = tag_requests(model.tags) if with_tags else ()
    if tags:
        body["tags"] = [t.label() for t in tags]
    return ModelRequest(model.name, f"{service_fqn}.{quote_name(model.name)}", tags, body)
