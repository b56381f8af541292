"""What a training job is to the ingestion, read off SageMaker's answers.

:class:`TrainingJob` is what a model shows of the job that trained it; :func:`parse_job` reads one
from a ``DescribeTrainingJob`` answer (or a ``Search`` result's ``TrainingJob``),
:func:`candidate_job` reads the job name SageMaker's default artifact layout puts in a model-data
URL, and :func:`latest_job` picks the job that made a model when several wrote its URL. No AWS
calls here: the lookups are in :mod:`omkit_sagemaker.ingest.sources.training`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from omkit_sagemaker.ingest.sources.answers import final_metrics, items, mapping, text

#: Most hyperparameters, metrics and input channels kept of one job (AWS allows 100 / 40 / 20).
MAX_ITEMS = 100

#: SageMaker's default artifact layout; a job name is 1-63 letters, digits and inner hyphens.
DEFAULT_LAYOUT = re.compile(
    r"^s3://[^/]+/(?:.+/)?(?P<job>[A-Za-z0-9](?:-*[A-Za-z0-9]){0,62})/output/model\.tar\.gz$"
)


@dataclass(frozen=True, slots=True)
class TrainingJob:
    """What the ingestion shows of one training job."""

    name: str
    status: str | None = None
    #: ``AlgorithmSpecification.AlgorithmName`` (a name or an ARN) ...
    algorithm_name: str | None = None
    #: ... or ``AlgorithmSpecification.TrainingImage``.
    image: str | None = None
    #: ``HyperParameters``, in the order AWS gave them; values are strings.
    hyperparameters: tuple[tuple[str, str], ...] = ()
    #: ``FinalMetricDataList``: ``(MetricName, Value)``, one (the latest) per metric.
    metrics: tuple[tuple[str, float], ...] = ()
    instance_type: str | None = None
    instance_count: int | None = None
    #: Seconds: ``TrainingTimeInSeconds``, else end minus start.
    duration: float | None = None
    #: ``InputDataConfig``: ``(ChannelName, S3Uri)`` (the URI is empty for non-S3 sources).
    channels: tuple[tuple[str, str], ...] = ()


def candidate_job(model_data_url: str) -> str | None:
    """The job name SageMaker's default layout puts in ``model_data_url`` (None: another
    layout)."""
    found = DEFAULT_LAYOUT.match(model_data_url)
    return found.group("job") if found else None


def parse_job(described: dict[str, Any]) -> TrainingJob | None:
    """A :class:`TrainingJob` from a ``DescribeTrainingJob`` answer (or a ``Search`` result's
    ``TrainingJob``); None without a name."""
    name = described.get("TrainingJobName")
    if not isinstance(name, str) or not name:
        return None
    spec = mapping(described.get("AlgorithmSpecification"))
    resources = mapping(described.get("ResourceConfig"))
    hyper = mapping(described.get("HyperParameters"))
    metrics = final_metrics(described.get("FinalMetricDataList"))
    channels: list[tuple[str, str]] = []
    for channel in items(described.get("InputDataConfig")):
        channel_name = channel.get("ChannelName")
        s3 = mapping(mapping(channel.get("DataSource")).get("S3DataSource"))
        if isinstance(channel_name, str):
            channels.append((channel_name, text(s3.get("S3Uri")) or ""))
    count = resources.get("InstanceCount")
    return TrainingJob(
        name=name,
        status=text(described.get("TrainingJobStatus")),
        algorithm_name=text(spec.get("AlgorithmName")),
        image=text(spec.get("TrainingImage")),
        hyperparameters=tuple(
            (k, v)
            for k, v in list(hyper.items())[:MAX_ITEMS]
            if isinstance(k, str) and isinstance(v, str)
        ),
        metrics=tuple(metrics[:MAX_ITEMS]),
        instance_type=text(resources.get("InstanceType")),
        instance_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        duration=_duration(described),
        channels=tuple(channels[:MAX_ITEMS]),
    )


def latest_job(matches: list[dict[str, Any]]) -> TrainingJob | None:
    """Several jobs wrote the same URL (a re-run): the latest completed one made the model."""
    if not matches:
        return None
    matches = sorted(matches, key=lambda j: (j.get("TrainingJobStatus") == "Completed", _end(j)))
    return parse_job(matches[-1])


def job_artifact(described: dict[str, Any]) -> str | None:
    """The job's ``ModelArtifacts.S3ModelArtifacts``: the model-data URL of what it trained."""
    return text(mapping(described.get("ModelArtifacts")).get("S3ModelArtifacts"))


def _end(described: dict[str, Any]) -> float:
    end = described.get("TrainingEndTime") or described.get("CreationTime")
    return end.timestamp() if isinstance(end, datetime) else 0.0


def _duration(described: dict[str, Any]) -> float | None:
    seconds = described.get("TrainingTimeInSeconds")
    if isinstance(seconds, int | float) and not isinstance(seconds, bool):
        return float(seconds)
    start, end = described.get("TrainingStartTime"), described.get("TrainingEndTime")
    if isinstance(start, datetime) and isinstance(end, datetime) and end >= start:
        return (end - start).total_seconds()
    return None
