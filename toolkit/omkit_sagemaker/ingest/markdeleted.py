"""``markDeletedMlModels``: soft-delete the service's models that SageMaker no longer has.

Only when the SageMaker listing completed and nothing failed in the run; never more than
:attr:`DeletePolicy.max_delete_share` of the service's models (20 %), nor all of them when
SageMaker listed none, unless ``--allow-mass-delete``; the service's listing in OpenMetadata must
be whole and every entry an entity (:meth:`MetadataRestSink.listing`), or nothing is deleted.
The service's entities also hold the registry's package groups (``omkit run --assets registry``):
their names count as seen, and when the registry was not read whole (left out of ``--assets``,
denied, or cut short) only entities whose ``sourceUrl`` is a model's console page (what omkit
writes for models, never for groups) may be soft-deleted; the others are kept.

Each kind is guarded on its own (:func:`refusal`): the entities written for package groups (their
description starts with :data:`GROUP_HEADING`) against the registry's listing, the others
against ``ListModels``, so an empty or shrunken registry listing is refused as an empty or
shrunken model listing is, whatever the number of models.

A listing says what it did not see, not what is gone (an offset cursor skips models when others
are deleted while it reads; ``Search`` lags). So each candidate is first proven gone
(:func:`absent`):
``DescribeModel`` must answer ``ValidationException`` "Could not find model" (and
``DescribeModelPackageGroup`` "does not exist" for a group or an entity that may be one);
anything else (throttling, access denied, no answer) keeps it, with a warning. A candidate that
is found proves the listing changed under the run, and then nothing is soft-deleted; so does a
model ``ListModels`` gave on two pages (:attr:`SageMakerSource.listing_changed`). At most
:data:`MAX_CONFIRM` candidates are checked in one run (one or two calls each); the others wait for
the next run.
Deletes stop at the circuit breaker (:class:`~omkit_sagemaker.ingest.sinks.sinkbase.Breaker`) and
when the run is interrupted.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Collection
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.ingest.mapping import quote_name
from omkit_sagemaker.ingest.openmetadata import OpenMetadataError
from omkit_sagemaker.ingest.sinks.dryrun import Plan
from omkit_sagemaker.ingest.sinks.metadata_rest import MetadataRestSink, entity_of
from omkit_sagemaker.ingest.sinks.sinkbase import Breaker, RunStatus
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerSource

log = logging.getLogger("omkit.run")

#: The largest share of a service's models one run soft-deletes without --allow-mass-delete.
MAX_DELETE_SHARE = 0.2
#: Most candidates proven gone in one run (each costs one or two SageMaker calls).
MAX_CONFIRM = 1000
#: How the description of a package group's entity starts (:mod:`omkit_sagemaker.ingest.groups`).
GROUP_HEADING = "**Model package group** "
#: What the run wrote under the group names (``_registry`` after a group named like a model).
GROUP_SUFFIX = "_registry"
#: The kinds guarded each on its own: models, and the registry's package groups.
MODELS, GROUPS = "models", "package groups"
#: Names SageMaker accepts for a model (``ModelName``) and for a package group.
_MODEL_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")
_GROUP_NAME = re.compile(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")


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


@dataclass(frozen=True)
class Seen:
    """What the run saw in SageMaker: its model listing (``source``, whose client also proves
    a candidate gone), the names of the registry's package groups, and whether the registry was
    read whole."""

    source: SageMakerSource
    groups: Collection[str] = ()
    registry_read: bool = True


@dataclass(frozen=True)
class Target:
    """The service whose models may be soft-deleted: its fully qualified name, its sink (None:
    OpenMetadata was not read), whether the run writes a file instead (no server to compare
    with), and the dry run's plan (None: not a dry run)."""

    service_fqn: str
    rest: MetadataRestSink | None
    file_sink: bool = False
    plan: Plan | None = None


def mark_deleted(
    *, enabled: bool, seen: Seen, target: Target, status: RunStatus, options: DeletePolicy
) -> MarkDeleted:
    """Soft-delete the models of ``target`` that ``seen`` no longer lists (see the module doc);
    every failure is an error in ``status``."""
    source, rest, service_fqn = seen.source, target.rest, target.service_fqn
    outcome = MarkDeleted(enabled=enabled)
    if not enabled:
        return outcome
    if target.file_sink:
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
    elif source.listing_changed is not None:
        outcome.skipped = (
            f"the SageMaker listing changed while it was read ({source.listing_changed})"
        )
        status.warn("markDeletedMlModels", f"nothing soft-deleted: {outcome.skipped}")
        return outcome
    if outcome.skipped is not None or rest is None:
        log.warning("markDeletedMlModels: nothing soft-deleted, because %s", outcome.skipped)
        return outcome
    listed_names = {f"{service_fqn}.{quote_name(name)}" for name in (*source.listed, *seen.groups)}
    try:
        entries = [_entry(e) for e in rest.listing()]
    except OpenMetadataError as exc:
        status.error("markDeletedMlModels", f"cannot list the service's models: {exc}")
        outcome.skipped = "the service's models could not be listed in OpenMetadata"
        return outcome
    stale = []
    for entry in entries:
        if entry.fqn in listed_names:
            continue
        if not seen.registry_read and not entry.model_page:
            log.info(
                "model %s kept: it may be a package group, and the registry was not read", entry.fqn
            )
            continue
        stale.append(entry)
    listed = {MODELS: len(source.listed), GROUPS: len(seen.groups)}
    for kind in (MODELS, GROUPS):
        refused = refusal(kind, entries, stale, listed[kind], service_fqn, options, target.plan)
        if refused is not None:
            status.error("markDeletedMlModels", refused)
            outcome.skipped = "refused: a mass deletion (see the error)"
            return outcome
    gone = _confirmed(source.client, stale, status, options.workers, outcome)
    if options.dry_run or outcome.skipped is not None:
        outcome.models = sorted(entry.fqn for entry in gone) if options.dry_run else []
        return outcome
    _delete(rest, gone, status, options.workers, outcome)
    outcome.models.sort()
    return outcome


def _delete(
    rest: MetadataRestSink,
    gone: list[ListedEntity],
    status: RunStatus,
    workers: int,
    outcome: MarkDeleted,
) -> None:
    """Soft-delete each of ``gone`` (``DELETE /mlmodels/{id}``), stopping at the breaker."""
    client = rest.client
    lock = threading.Lock()
    breaker = Breaker()

    def delete(entry: ListedEntity) -> None:
        if breaker.tripped is not None:
            status.error(f"model {entry.fqn}", f"not soft-deleted: {breaker.tripped}", quiet=True)
            return
        path = f"/mlmodels/{entry.id}"
        try:
            answer = client.request(
                "DELETE", path, {"recursive": True, "hardDelete": False}, gate=breaker
            )
            if (
                answer.body is not None
                and entity_of(answer.body, f"DELETE {path}")["id"] != entry.id
            ):
                raise OpenMetadataError(200, f"DELETE {path}: the answer is another entity")
        except OpenMetadataError as exc:
            breaker.failure(exc.status, str(exc))
            status.error(f"model {entry.fqn}", f"soft delete failed: {exc}")
            return
        breaker.success()
        log.info("model %s soft-deleted (no longer in SageMaker)", entry.fqn)
        with lock:
            outcome.models.append(entry.fqn)
            status.soft_deleted += 1

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="om-delete") as pool:
        try:
            list(pool.map(delete, gone))
        except BaseException:  # interrupted: start no other delete, end those in flight
            breaker.failure(None, "the run was stopped")
            client.stop("the run was stopped")
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _is_model_page(url: object) -> bool:
    """Whether ``url`` is a model's page in the AWS console (what omkit sets for models)."""
    return isinstance(url, str) and "/sagemaker/home?" in url and "#/models/" in url


def mass_delete(
    stale: int, known: int, listed: int, service: str, options: DeletePolicy, kind: str = MODELS
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
        f"refusing to soft-delete {stale} of the {known} {kind} of service {service} "
        f"({share:.0%}; at most {options.max_delete_share:.0%} in one run, and never all when "
        f"SageMaker lists none; SageMaker listed {listed}): if that is right, run again with "
        "--allow-mass-delete"
    )


@dataclass(frozen=True)
class ListedEntity:
    """One of the service's entities in OpenMetadata, as mark-deleted sees it."""

    id: str
    fqn: str
    name: str
    #: :data:`MODELS` or :data:`GROUPS` (the description the run writes for a group).
    kind: str
    #: Whether its ``sourceUrl`` is a model's console page (surely a model).
    model_page: bool


def _entry(entity: dict[str, Any]) -> ListedEntity:
    description = entity.get("description")
    group = isinstance(description, str) and description.startswith(GROUP_HEADING)
    return ListedEntity(
        str(entity["id"]),
        str(entity["fullyQualifiedName"]),
        str(entity.get("name") or ""),
        GROUPS if group else MODELS,
        _is_model_page(entity.get("sourceUrl")),
    )


def refusal(
    kind: str,
    entries: list[ListedEntity],
    stale: list[ListedEntity],
    listed: int,
    service: str,
    options: DeletePolicy,
    plan: Plan | None,
) -> str | None:
    """Why soft-deleting the stale entities of ``kind`` is refused (None: it is not), by
    :func:`mass_delete`; in a dry run the catalogue counts what the run would create."""
    known = sum(1 for e in entries if e.kind == kind)
    if plan is not None:
        registry = sum(1 for name in plan.create if plan.kinds.get(name) == "registry")
        known += registry if kind == GROUPS else len(plan.create) - registry
    count = sum(1 for e in stale if e.kind == kind)
    return mass_delete(count, known, listed, service, options, kind)


def _confirmed(
    client: Any, stale: list[ListedEntity], status: RunStatus, workers: int, outcome: MarkDeleted
) -> list[ListedEntity]:
    """The entities of ``stale`` proven gone from SageMaker (see the module doc). One that is
    found sets ``outcome.skipped``: the listing changed under the run."""
    if len(stale) > MAX_CONFIRM:
        status.warn(
            "markDeletedMlModels",
            f"{len(stale) - MAX_CONFIRM} of the {len(stale)} entities SageMaker no longer lists "
            f"are kept until a later run (one run checks at most {MAX_CONFIRM})",
        )
    checked = stale[:MAX_CONFIRM]
    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="sm-confirm") as pool:
        states = list(pool.map(lambda entry: absent(client, entry), checked))
    gone, found = [], []
    for entry, (state, reason) in zip(checked, states, strict=True):
        if state == GONE:
            gone.append(entry)
        elif state == FOUND:
            found.append(entry.fqn)
        else:
            status.warn(f"model {entry.fqn}", f"not soft-deleted: not proven gone ({reason})")
    if found:
        outcome.skipped = (
            f"the SageMaker listing changed while it was read: {len(found)} of the entities it "
            f"did not list still exist ({', '.join(sorted(found)[:5])})"
        )
        status.warn("markDeletedMlModels", f"nothing soft-deleted: {outcome.skipped}")
        return []
    return gone


#: What :func:`absent` finds.
GONE, FOUND, UNKNOWN = "gone", "found", "unknown"


def absent(client: Any, entry: ListedEntity) -> tuple[str, str]:
    """Whether SageMaker has ``entry`` no more: ``(GONE | FOUND | UNKNOWN, why)``. An entity
    surely a model is asked for with ``DescribeModel``, one written for a package group with
    ``DescribeModelPackageGroup``, any other with both; a name SageMaker cannot hold for that
    kind is not asked for."""
    asks: list[tuple[str, Callable[..., Any], dict[str, str], str]] = []
    if entry.kind == MODELS and _MODEL_NAME.fullmatch(entry.name):
        asks.append(
            (
                "DescribeModel",
                client.describe_model,
                {"ModelName": entry.name},
                "Could not find model",
            )
        )
    group = entry.name.removesuffix(GROUP_SUFFIX)
    if (entry.kind == GROUPS or not entry.model_page) and _GROUP_NAME.fullmatch(group):
        asks.append(
            (
                "DescribeModelPackageGroup",
                client.describe_model_package_group,
                {"ModelPackageGroupName": group},
                "does not exist",
            )
        )
    for action, call, kwargs, not_found in asks:
        try:
            call(**kwargs)
        except Exception as exc:
            from omkit_sagemaker.ingest import awsclient

            code, message, _ = awsclient.aws_error(exc)
            if code == "ValidationException" and not_found.lower() in message.lower():
                continue
            return (
                UNKNOWN,
                f"{action}: {message if message.startswith(code) else f'{code}: {message}'}",
            )
        return FOUND, f"{action} found it"
    return GONE, ""
