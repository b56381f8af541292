"""The ``lineage`` kind and the Model Registry's versions, through SageMaker's lineage graph.

**A version's job and datasets.** For a Model Registry group whose chosen version's training job the
direct fields did not give (``training-jobs`` not read, or no job found for its
``ModelDataUrl``): the graph's answer (:class:`~omkit_sagemaker.ingest.sources.modelorigin
.ModelOrigins`) names the job and the datasets it read. Each dataset gets its writer (as a
training channel does), a line in the group's description, and with
``--lineage-storage-service`` one edge container -> the group's MlModel through the run's one
edge writer, its description naming the training job and the processing job.

**The versions an endpoint deploys.** For a model the ``endpoints`` kind found serving,
:class:`~omkit_sagemaker.ingest.sources.deployedpackages.DeployedPackages` names the package
versions each endpoint deploys; the model's description gets a block listing them by endpoint
(OpenMetadata has no entity for a version, facts a4, so no edge).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from omkit_sagemaker.ingest.details import table_code
from omkit_sagemaker.ingest.mapping import ModelRequest
from omkit_sagemaker.ingest.sinks.edgewriter import Edges
from omkit_sagemaker.ingest.sources.deployedpackages import DeployedPackages
from omkit_sagemaker.ingest.sources.endpointindex import Serving
from omkit_sagemaker.ingest.sources.lineagegraph import DataProducers, ProcessingJob
from omkit_sagemaker.ingest.sources.modelorigin import ModelOrigin, ModelOrigins


def model_data_url(request: ModelRequest) -> str | None:
    """The ``mlStore.storage`` of a request (the chosen version's ``ModelDataUrl``)."""
    store = request.request.get("mlStore")
    storage = store.get("storage") if isinstance(store, dict) else None
    return storage if isinstance(storage, str) and storage else None


def with_version_origin(
    request: ModelRequest,
    origins: ModelOrigins,
    producers: DataProducers,
    containers: Callable[[str], dict[str, Any] | None] | None,
    edges: Edges,
) -> ModelRequest:
    """``request`` (a registry group's) with what the graph says made its chosen version."""
    url = model_data_url(request)
    origin = origins.for_model_data(url) if url else None
    if origin is None:
        return request
    read: list[tuple[str, ProcessingJob | None]] = []
    for uri in origin.datasets:
        producer = producers.for_uri(uri)
        read.append((uri, producer))
        if containers is not None:
            container = containers(uri)
            if container is not None:
                edges.want(container, request.fqn, version_edge_note(origin, producer))
    body = dict(request.request)
    block = origin_block(origin, read)
    body["description"] = (
        f"{body['description'].rstrip()}\n\n{block}" if body.get("description") else block
    )
    return replace(request, request=body)


def version_edge_note(origin: ModelOrigin, producer: ProcessingJob | None) -> str:
    """The description of an edge to a group's MlModel from a dataset the graph names."""
    note = (
        f"Training data of the chosen model package version: read by SageMaker training job "
        f"`{origin.job}` (SageMaker's lineage graph)"
    )
    if producer is not None:
        note += f", written by SageMaker processing job `{producer.name}`"
    return note + "."


def origin_block(origin: ModelOrigin, read: list[tuple[str, ProcessingJob | None]]) -> str:
    """The description's Markdown block of the job and datasets that made the version."""
    lines = [
        f"**Training data** (SageMaker's lineage graph): made by training job "
        f"{table_code(origin.job)}",
        "",
    ]
    for uri, producer in read:
        line = f"- {table_code(uri)}"
        if producer is not None:
            status = f" ({producer.status})" if producer.status else ""
            line += f", written by processing job {table_code(producer.name)}{status}"
        lines.append(line)
    if not read:
        lines.append("- no dataset recorded")
    return "\n".join(lines) + "\n"


def with_deployed_packages(
    request: ModelRequest, deployed: DeployedPackages, servings: Sequence[Serving]
) -> ModelRequest:
    """``request`` (a model's) with the package versions its endpoints deploy."""
    lines: list[str] = []
    for endpoint, arn in sorted({(s.endpoint, s.arn) for s in servings if s.arn}):
        packages = deployed.for_endpoint(arn)
        if packages:
            named = ", ".join(table_code(package_version(p)) for p in packages)
            lines.append(f"- endpoint {table_code(endpoint)}: {named}")
    if not lines:
        return request
    block = "\n".join(
        ["**Deployed model package versions** (SageMaker's lineage graph)", "", *lines]
    )
    body = dict(request.request)
    body["description"] = (
        f"{body['description'].rstrip()}\n\n{block}\n" if body.get("description") else block + "\n"
    )
    return replace(request, request=body)


def package_version(arn: str) -> str:
    """``arn:...:model-package/churn/3`` -> ``churn/3`` (the ARN itself when not of that form)."""
    _, found, rest = arn.partition(":model-package/")
    return rest if found and rest else arn
