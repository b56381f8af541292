"""The fields of a model's create request that come from its training job and its endpoints.

* ``algorithm``: the training job's ``AlgorithmSpecification.AlgorithmName`` (the name part of an
  ARN), else the framework of its ``TrainingImage``, else that of the model's own (inference)
  image; ``mlmodel`` (upstream's constant) only when nothing is known. The framework is what a
  user searches for (``pytorch``, ``sklearn``, ``huggingface-pytorch``), read off the image's
  repository (:func:`framework`): ``.../sagemaker-scikit-learn:1.2-1`` -> ``sklearn``,
  ``.../pytorch-training:2.1-gpu-py310`` -> ``pytorch``.
* ``mlHyperParameters``: the job's ``HyperParameters`` as ``[{name, value}]``, values strings
  (``MlHyperParameter`` in 1.1 and 2.0).
* ``server``: the invocation URL of the first endpoint (by name) that is ``InService`` and serves
  the model; left out when none does. An ``https://`` URL, as the ``Href`` type needs.
* ``description`` (Markdown): the training job (name, instance type and count, duration, input
  channels, final metrics) and every endpoint variant serving the model (endpoint, status,
  variant, weight, instance type and count), in tables. Left out when there is neither.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from omkit_sagemaker.ingest.sources.endpointindex import Serving
from omkit_sagemaker.ingest.sources.sagemaker import SageMakerModel
from omkit_sagemaker.ingest.sources.training import TrainingJob

#: What upstream sends when nothing is known of the algorithm.
UNKNOWN_ALGORITHM = "mlmodel"
_DIGEST = re.compile(r"@[A-Za-z0-9_+.-]+:[0-9a-fA-F]+$")
#: SageMaker's own images are named ``sagemaker-<framework>``.
_PREFIX = "sagemaker-"
#: An image's role, after its framework: ``pytorch-training``, ``huggingface-pytorch-inference``,
#: ``sagemaker-tensorflow-serving``, ``pytorch-training-neuronx`` (with what follows the role).
_ROLE = re.compile(r"-(?:training|inference|serving)(?:-[a-z0-9-]*)?$")
#: Frameworks whose image repository does not say them the way users do; the rest follow the
#: rule of :func:`framework`.
ALIASES = {
    "scikit-learn": "sklearn",
    "sparkml": "spark",
    "forecasting-deepar": "deepar",
}


def image_repository(image: str) -> str | None:
    """The repository of a container image: without registry, tag or digest
    (``683313688378.dkr.ecr.us-east-1.amazonaws.com/sagemaker-xgboost:1.7-1`` ->
    ``sagemaker-xgboost``)."""
    rest = _DIGEST.sub("", image.strip())
    parts = rest.split("/")
    first = parts[0]
    if len(parts) > 1 and ("." in first or ":" in first or first == "localhost"):
        parts = parts[1:]  # the registry
    parts[-1] = parts[-1].split(":", 1)[0]  # the tag
    repository = "/".join(p for p in parts if p)
    return repository or None


def framework(repository: str) -> str:
    """The framework of an image repository, as users search for it: the last path part less
    SageMaker's ``sagemaker-`` prefix and the image's role (``-training``, ``-inference``,
    ``-serving`` and what follows it), then :data:`ALIASES`; a namespace is kept
    (``team/scorer`` stays). ``pytorch-training`` -> ``pytorch``, ``sagemaker-xgboost`` ->
    ``xgboost``, ``sagemaker-scikit-learn`` -> ``sklearn``, ``huggingface-pytorch-training`` ->
    ``huggingface-pytorch``."""
    namespace, _, name = repository.rpartition("/")
    short = name.lower()
    if short.startswith(_PREFIX) and len(short) > len(_PREFIX):
        short = short[len(_PREFIX) :]
    short = _ROLE.sub("", short) or short
    short = ALIASES.get(short, short)
    return f"{namespace}/{short}" if namespace else short


def image_algorithm(image: str) -> str | None:
    """The framework of a container image (None: no repository in it)."""
    repository = image_repository(image)
    return framework(repository) if repository else None


def algorithm(model: SageMakerModel) -> str:
    """The model's ``algorithm`` (see the module doc)."""
    job = model.training_job
    if job is not None and job.algorithm_name:
        return job.algorithm_name.rsplit("/", 1)[-1]
    for image in (job.image if job is not None else None, model.image):
        if image:
            found = image_algorithm(image)
            if found:
                return found
    return UNKNOWN_ALGORITHM


def hyperparameters(job: TrainingJob | None) -> list[dict[str, str]]:
    """``mlHyperParameters`` of the job (empty without one)."""
    if job is None:
        return []
    return [{"name": name, "value": str(value)} for name, value in job.hyperparameters]


def server(servings: Sequence[Serving]) -> str | None:
    """``server``: the URL of the first InService endpoint by name (None: none)."""
    live = sorted({s.endpoint: s.url for s in servings if s.in_service}.items())
    return live[0][1] if live else None


def description(job: TrainingJob | None, servings: Sequence[Serving]) -> str | None:
    """The Markdown ``description`` (None when there is nothing to say)."""
    blocks: list[str] = []
    if job is not None:
        blocks.append(_training(job))
    if servings:
        blocks.append(_endpoints(servings))
    return "\n\n".join(blocks) + "\n" if blocks else None


def add_details(body: dict[str, Any], model: SageMakerModel, servings: Sequence[Serving]) -> None:
    """Set ``algorithm``, ``mlHyperParameters``, ``server`` and ``description`` in ``body``."""
    body["algorithm"] = algorithm(model)
    text = description(model.training_job, servings)
    if text is not None:
        body["description"] = text
    params = hyperparameters(model.training_job)
    if params:
        body["mlHyperParameters"] = params
    url = server(servings)
    if url is not None:
        body["server"] = url


# ---- Markdown ---------------------------------------------------------------------------------


def _training(job: TrainingJob) -> str:
    lines = [f"**Training job** {table_code(job.name)}", ""]
    if job.status:
        lines.append(f"- Status: {table_cell(job.status)}")
    if job.instance_type:
        count = f" x {job.instance_count}" if job.instance_count is not None else ""
        lines.append(f"- Instances: {table_code(job.instance_type)}{count}")
    if job.duration is not None:
        lines.append(f"- Duration: {duration_text(job.duration)}")
    if job.channels:
        lines.append("- Input channels:")
        lines += [
            f"  - {table_code(name)}: {table_code(uri) if uri else '(not S3)'}"
            for name, uri in job.channels
        ]
    if job.metrics:
        lines += ["", "| Final metric | Value |", "| --- | --- |"]
        lines += [f"| {table_code(name)} | {value:.6g} |" for name, value in job.metrics]
    return "\n".join(lines).rstrip()


def _endpoints(servings: Sequence[Serving]) -> str:
    lines = [
        "**Endpoints**",
        "",
        "| Endpoint | Status | Variant | Weight | Instance type | Instances |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for s in servings:
        weight = f"{s.weight:g}" if s.weight is not None else ""
        kind = table_code(s.instance_type) if s.instance_type else ""
        count = str(s.instance_count) if s.instance_count is not None else ""
        lines.append(
            f"| {table_code(s.endpoint)} | {table_cell(s.status)} | {table_code(s.variant)} "
            f"| {weight} | {kind} | {count} |"
        )
    return "\n".join(lines)


def duration_text(seconds: float) -> str:
    """``1 h 2 min 5 s``, ``12 s``, ``0 s``."""
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    parts = [f"{hours} h"] if hours else []
    if minutes:
        parts.append(f"{minutes} min")
    if secs or not parts:
        parts.append(f"{secs} s")
    return " ".join(parts)


def table_cell(text: str) -> str:
    """Text safe in a Markdown table cell: one line, pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def table_code(text: str) -> str:
    """Text as inline code, safe in a table cell (a backtick cannot end it early)."""
    inner = table_cell(text).replace("`", "'")
    return f"`{inner}`"
