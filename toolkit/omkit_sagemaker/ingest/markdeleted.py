"""``markDeletedMlModels``: soft-delete the service's models that SageMaker no longer has.

Only when the SageMaker listing completed and nothing failed in the run; never more than
:attr:`DeletePolicy.max_delete_share` of the service's models (20 %), nor all of them when
SageMaker listed none, unless ``--allow-mass-delete``; the service's listing in OpenMetadata must
be whole and every entry an entity (:meth:`MetadataRestSink.listing`), or nothing is deleted.
The service's entities also hold the registry's package groups (``omkit run --assets registry``):
their names count as seen, and when the registry was not read whole (left out of ``--assets``,
denied, or cut short) only entities whose ``sourceUrl`` is a model's console page (what omkit
writes for models, never for groups) may be soft-deleted; the others are kept.
Deletes stop at the circuit breaker (:class:`~omkit_sagemaker.ingest.sinks.base.Breaker`) and
when the run is interrupted.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from omkit_sagemaker.ingest.mapping import quote_name
from omkit_sagemaker.ingest.openmetadata import OpenMetadataError
from omkit_sagemaker.ingest.sinks.base import Breaker, Status
from omkit_sagemaker.ingest.sinks.dryrun import Plan
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink, entity_of
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerSource

log = logging.getLogger("omkit.run")

#: The largest share of a service's models one run soft-deletes without --allow-mass-delete.
MAX_DELETE_SHARE = 0.2


@dataclass(frozen=True)
class DeletePolicy:
    """The command-line side of soft-deleting (never in the YAML)."""

    dry_run: bool = False
    workers: int = 8
    #: ``--allow-mass-delete``: soft-delete whatever share of the service's models is stale.
    allow_mass_delete: bool = False
    #: Without it, the largest share of the service's models one run may soft-delete.
    max_delete_share: float = MAX_DELETE_SHARE


@dataclass
class MarkDeleted:
    """What ``markDeletedMlModels`` did."""

    enabled: bool = False
    #: Why nothing was soft-deleted (None when the check ran).
    skipped: str | None = None
    #: Models soft-deleted (or, in a dry run, that would be).
    models: list[str] = field(default_factory=list)


def mark_deleted(
    *,
    enabled: bool,
    rest: MetadataRestSink | None,
    source: SageMakerSource,
    status: Status,
    service_fqn: str,
    options: DeletePolicy,
    file_sink: bool,
    plan: Plan | None,
    groups: Collection[str] = (),
    registry_read: bool = True,
) -> MarkDeleted:
    """Soft-delete the service's models that SageMaker no longer lists (see the module doc);
    every failure is an error in ``status``."""
    outcome = MarkDeleted(enabled=enabled)
    if not enabled:
        return outcome
    if file_sink:
        outcome.skipped = "the file sink has no OpenMetadata server to compare with"
        log.info("markDeletedMlModels: nothing soft-deleted: %s", outcome.skipped)
        return outcome
    if rest is None:
        outcome.skipped = "OpenMetadata was not read"
    elif not source.listing_complete:
        outcome.skipped = "the SageMaker listing did not complete"
    elif status.error_count:
        n = status.error_count
        outcome.skipped = f"the run had {n} error{'s' if n != 1 else ''}"
    if outcome.skipped is not None or rest is None:
        log.warning("markDeletedMlModels: nothing soft-deleted, because %s", outcome.skipped)
        return outcome
    seen = {f"{service_fqn}.{quote_name(name)}" for name in (*source.listed, *groups)}
    try:
        entries = [
            (str(e["id"]), str(e["fullyQualifiedName"]), e.get("sourceUrl")) for e in rest.listing()
        ]
    except OpenMetadataError as exc:
        status.error("markDeletedMlModels", f"cannot list the service's models: {exc}")
        outcome.skipped = "the service's models could not be listed in OpenMetadata"
        return outcome
    known = [(model_id, fqn) for model_id, fqn, _ in entries]
    stale = []
    for model_id, fqn, url in entries:
        if fqn in seen:
            continue
        if not registry_read and not _is_model_page(url):
            log.info("model %s kept: it may be a package group, and the registry was not read", fqn)
            continue
        stale.append((model_id, fqn))
    # the share is of the catalogue after the run: a dry run counts what it would create
    total = len(known) + (len(plan.create) if plan is not None else 0)
    refusal = mass_delete(len(stale), total, len(source.listed), service_fqn, options)
    if refusal is not None:
        status.error("markDeletedMlModels", refusal)
        outcome.skipped = "refused: a mass deletion (see the error)"
        return outcome
    if options.dry_run:
        outcome.models = sorted(fqn for _, fqn in stale)
        return outcome
    client = rest.client
    lock = threading.Lock()
    breaker = Breaker()

    def delete(item: tuple[str, str]) -> None:
        model_id, fqn = item
        if breaker.tripped is not None:
            status.error(f"model {fqn}", f"not soft-deleted: {breaker.tripped}", quiet=True)
            return
        path = f"/mlmodels/{model_id}"
        try:
            answer = client.request("DELETE", path, {"recursive": True, "hardDelete": False})
            if (
                answer.body is not None
                and entity_of(answer.body, f"DELETE {path}")["id"] != model_id
            ):
                raise OpenMetadataError(200, f"DELETE {path}: the answer is another entity")
        except OpenMetadataError as exc:
            breaker.failure(exc.status, str(exc))
            status.error(f"model {fqn}", f"soft delete failed: {exc}")
            return
        breaker.success()
        log.info("model %s soft-deleted (no longer in SageMaker)", fqn)
        with lock:
            outcome.models.append(fqn)
            status.soft_deleted += 1

    workers = max(1, options.workers)
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="om-delete") as pool:
        try:
            list(pool.map(delete, stale))
        except BaseException:  # interrupted: start no other delete
            breaker.failure(None, "the run was stopped")
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    outcome.models.sort()
    return outcome


def _is_model_page(url: object) -> bool:
    """Whether ``url`` is a model's page in the AWS console (what omkit sets for models)."""
    return isinstance(url, str) and "/sagemaker/home?" in url and "#/models/" in url


def mass_delete(
    stale: int, known: int, listed: int, service: str, options: DeletePolicy
) -> str | None:
    """Why soft-deleting ``stale`` of the service's ``known`` models is refused (None: it is
    not): more than :attr:`DeletePolicy.max_delete_share` of them, or all of them while SageMaker
    listed none, unless ``--allow-mass-delete``."""
    if options.allow_mass_delete or stale == 0:
        return None
    share = stale / known
    if share <= options.max_delete_share and not (listed == 0 and stale == known):
        return None
    return (
        f"refusing to soft-delete {stale} of the {known} models of service {service} "
        f"({share:.0%}; at most {options.max_delete_share:.0%} in one run, and never all when "
        f"SageMaker lists none; SageMaker listed {listed}): if that is right, run again with "
        "--allow-mass-delete"
    )
