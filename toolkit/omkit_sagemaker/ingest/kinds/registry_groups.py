"""Model package groups -> MlModels (the ``registry`` asset kind).

OpenMetadata has no entity for a registry, a group or a model version (facts a4), so each group
becomes one MlModel that carries the group's newest ``Approved`` version (the newest version when
none is approved):

* ``name``: the group's name. **Name rule:** when a plain SageMaker model has the same name, the
  model keeps it and the group's MlModel is named ``<group>_registry``. SageMaker names hold only
  letters, digits and hyphens, so a name with ``_`` can never be a model's, and the two never
  collide;
* ``mlStore``: the chosen version's first container (``ModelDataUrl`` -> ``storage``, ``Image``
  -> ``imageRepository``);
* ``algorithm``, ``mlHyperParameters`` and the training block of ``description``: through the
  training job whose artifact is the chosen version's ``ModelDataUrl`` (the ``training-jobs``
  kind, :mod:`omkit_sagemaker.ingest.sources.training`), as for models;
* ``description``: a heading naming the chosen version, the group's own description and a table
  of every version (newest first): version, approval status, created (UTC), model-metrics URIs
  and customer metadata;
* ``tags``: the group's tags, by the rules models use (:func:`mapping.tag_requests`);
* no ``sourceUrl`` and no ``server`` (endpoints serve models, not packages). Without a
  ``sourceUrl`` pointing at a model's console page, ``markDeletedMlModels`` can tell these
  entities from models (:mod:`omkit_sagemaker.ingest.markdeleted`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Collection, Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone

from omkit_sagemaker.ingest.details import table_cell, table_code
from omkit_sagemaker.ingest.mapping import ModelRequest, model_request
from omkit_sagemaker.ingest.sources.registryindex import PackageGroup, PackageVersion
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel, aws_error
from omkit_sagemaker.ingest.sources.training import TrainingJob, TrainingJobs

log = logging.getLogger("omkit.run")

#: The kind a group's record has (``ModelRequest.kind``; the file sink writes it).
KIND = "registry"
#: What a group's MlModel name gets when a plain model has the group's name.
COLLISION_SUFFIX = "_registry"


def entity_name(group: str, model_names: Collection[str]) -> str:
    """The MlModel name of the group ``group`` (see the name rule in the module doc)."""
    return group + COLLISION_SUFFIX if group in model_names else group


def group_request(
    group: PackageGroup,
    name: str,
    service_fqn: str,
    region: str,
    *,
    with_tags: bool = True,
    job: TrainingJob | None = None,
) -> ModelRequest:
    """The create request of ``group``'s MlModel, named ``name``."""
    chosen = group.chosen()
    model = SageMakerModel(
        name=name,
        arn=group.arn,
        image=chosen.image if chosen else None,
        model_data_url=chosen.model_data_url if chosen else None,
        tags=group.tags,
        training_job=job,
    )
    made = model_request(model, service_fqn, region, with_tags=with_tags)
    body = {k: v for k, v in made.request.items() if k != "sourceUrl"}
    table = versions_text(group, chosen)
    body["description"] = table + ("\n\n" + body["description"] if "description" in body else "\n")
    return ModelRequest(made.name, made.fqn, made.tags, body, kind=KIND)


def versions_text(group: PackageGroup, chosen: PackageVersion | None) -> str:
    """The Markdown heading, group description and version table."""
    if chosen is None:
        lines = [f"**Model package group** {table_code(group.name)}: no versions yet."]
    else:
        lines = [
            f"**Model package group** {table_code(group.name)}: version {chosen.version} "
            f"({table_cell(chosen.status)}) is the one described here."
        ]
    if group.description:
        lines += ["", " ".join(group.description.split())]
    if group.versions:
        lines += [
            "",
            "| Version | Approval status | Created | Model metrics | Customer metadata |",
            "| --- | --- | --- | --- | --- |",
        ]
        for v in group.versions:
            metrics = ", ".join(
                f"{table_code(where)}: {table_code(uri)}" for where, uri in v.metrics
            )
            metadata = ", ".join(table_code(f"{key}={value}") for key, value in v.metadata)
            lines.append(
                f"| {v.version} | {table_cell(v.status)} | {created_text(v.created)} | {metrics} "
                f"| {metadata} |"
            )
        if group.dropped:
            lines += ["", f"{group.dropped} older versions are not shown."]
    return "\n".join(lines)


def created_text(when: datetime | None) -> str:
    """``2026-12-03 12:54:31 UTC`` (empty when unknown)."""
    if when is None:
        return ""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def group_requests(
    groups: Iterable[PackageGroup],
    *,
    model_names: Collection[str],
    keep: Callable[[str], bool],
    service_fqn: str,
    region: str,
    with_tags: bool,
    training: TrainingJobs | None,
    warn: Callable[[str, str], None],
    workers: int = 8,
) -> list[tuple[ModelRequest, TrainingJob | None]]:
    """The requests (and training jobs) of the groups ``keep`` (``mlModelFilterPattern``) lets
    through, in name order; training jobs are looked up ``workers`` at a time (shared with the
    models' lookups, so a version made from a model's artifact costs no call)."""
    kept = sorted((g for g in groups if keep(g.name)), key=lambda g: g.name)
    if training is not None:  # one batched Search for every chosen version's artifact
        chosen_urls = (g.chosen() for g in kept)
        training.prefetch(c.model_data_url for c in chosen_urls if c and c.model_data_url)

    def one(group: PackageGroup) -> tuple[ModelRequest, TrainingJob | None]:
        chosen = group.chosen()
        job = None
        if training is not None and chosen is not None and chosen.model_data_url:
            try:
                job = training.for_model(chosen.model_data_url)
            except Exception as exc:
                warn(
                    f"model package group {group.name}",
                    f"training job lookup failed: {aws_error(exc)}; ingested without it",
                )
        name = entity_name(group.name, model_names)
        request = group_request(group, name, service_fqn, region, with_tags=with_tags, job=job)
        return request, job

    with ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="registry") as pool:
        return list(pool.map(one, kept))
