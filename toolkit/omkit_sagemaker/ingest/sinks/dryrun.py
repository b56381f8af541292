"""The sink of ``omkit run --dry-run``: writes nothing, works out what a run would do.

With a ``metadata-rest`` config it reads OpenMetadata when it can (version, service, the
service's models, the tags): a model the service already has would be updated, any other created,
and on a 2.0+ server a model whose ``sourceHash`` matches is not sent at all (``unchanged``).
When the server cannot be reached the plan says so and shows every model as created; a server
that answers with an error (a refused token) stops the dry run as it would stop the run.
"""

from __future__ import annotations

import logging
import urllib.parse
from dataclasses import dataclass, field

from omkit_sagemaker.ingest.mapping import ModelRequest, ServiceRequest
from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError
from omkit_sagemaker.ingest.sinks.metadata_rest import (
    SOURCE_HASH_SERVER,
    MetadataRestSink,
    entity_of,
    parse_version,
    service_path,
)
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus

log = logging.getLogger("omkit.run")


@dataclass
class Plan:
    """What the run would do."""

    #: ``create``, ``reuse`` or ``update`` (``forceEntityOverwriting``) the service.
    service: str = "create"
    create: list[str] = field(default_factory=list)
    update: list[str] = field(default_factory=list)
    #: Classifications and tags the models refer to that the server does not have (all of them
    #: when it was not read).
    new_tags: list[str] = field(default_factory=list)
    soft_delete: list[str] = field(default_factory=list)
    #: The lineage edges the run would add (``from -> model``).
    lineage: list[str] = field(default_factory=list)
    #: The asset kind of each entity to create or update (``models``, ``registry``).
    kinds: dict[str, str] = field(default_factory=dict)
    #: Whether OpenMetadata was read (False: file sink, or server not reachable).
    server_read: bool = False
    note: str | None = None


class DryRunSink:
    """Records into :attr:`plan` what ``write`` calls would do; sends and writes nothing."""

    def __init__(
        self,
        status: RunStatus,
        rest: MetadataRestSink | None,
        *,
        force_service: bool = False,
    ) -> None:
        self.status = status
        self.rest = rest
        self.force_service = force_service
        self.plan = Plan()
        self.known: set[str] = set()
        self._tags: set[str] = set()

    @property
    def client(self) -> OpenMetadataClient | None:
        return self.rest.client if self.rest is not None else None

    def start(self, service: ServiceRequest) -> str:
        if self.rest is None:
            return service.name
        client = self.rest.client
        try:
            version = client.version()
            self.rest.server_version = version
            path = service_path(service.name)
            existing = client.get(path)
            if existing is not None:
                entity_of(existing, f"GET {path}", service.name)
        except OpenMetadataError as exc:
            if exc.status is not None:
                raise
            self.plan.note = (
                f"OpenMetadata was not read ({exc}): every model is shown as created "
                "and what would be soft-deleted is not known"
            )
            log.warning("%s", self.plan.note)
            self.rest = None
            return service.name
        self.plan.server_read = True
        if existing is None:
            self.rest.service_fqn = service.name
            return service.name
        self.plan.service = "update" if self.force_service else "reuse"
        self.rest.service_fqn = str(existing["fullyQualifiedName"])
        try:
            self.rest.send_hash = parse_version(version) >= SOURCE_HASH_SERVER
        except ValueError:
            self.rest.send_hash = False
        self.rest.read_known()
        self.known = self.rest.known
        return self.rest.service_fqn

    def write(self, model: ModelRequest) -> None:
        if self.rest is not None and self.rest.unchanged(model):
            self.status.model_unchanged()  # a run would not send it (same sourceHash)
            return
        for tag in model.tags:
            if tag.fqn not in self._tags:
                self._tags.add(tag.fqn)
                if not self._tag_exists(tag.fqn):
                    self.plan.new_tags.append(tag.fqn)
        self.plan.kinds[model.fqn] = model.kind
        if model.fqn in self.known:
            self.plan.update.append(model.fqn)
        else:
            self.plan.create.append(model.fqn)
        self.status.model_written(created=model.fqn not in self.known)

    def _tag_exists(self, fqn: str) -> bool:
        if self.rest is None:
            return False
        try:
            found = self.rest.client.get(f"/tags/name/{urllib.parse.quote(fqn, safe='')}")
        except OpenMetadataError:
            return False
        return found is not None

    def finish(self) -> None:
        return None

    def abort(self) -> None:
        return None
