"""Find the training job and the datasets that made a model package version, through SageMaker's
lineage graph: the ``lineage`` asset kind, for the Model Registry's groups.

A package version names its model only by ``ModelDataUrl``; when the ``training-jobs`` kind does
not find the job that wrote it (not asked for, or the job is not found), the graph still knows.
SageMaker records, for every training job, the model it wrote as an artifact of type ``Model``
(``Source.SourceUri``: the ``model.tar.gz``), an association from the job's trial component
(``<job>-aws-training-job``) to that artifact, and one from each input channel's ``DataSet``
artifact to the trial component. So, for each distinct ``ModelDataUrl``:

1. one ``ListArtifacts(SourceUri=url, ArtifactType="Model")`` (one page);
2. per model artifact (at most :data:`MAX_MODELS`), ``ListAssociations(DestinationArn=artifact)``
   (at most :data:`PAGES` pages): the first source that is a training job (its trial component,
   or the job's own ARN) is the producer;
3. ``ListAssociations(DestinationArn=<that source>, SourceType="DataSet")`` (at most
   :data:`PAGES` pages): the datasets it read;
4. per dataset (at most :data:`MAX_DATASETS`), ``DescribeArtifact``: its ``Source.SourceUri``.

At most ``1 + 3 * 2 + 2 + 20`` calls per version, one for a model the graph knows nothing of.
Denials and failures are those of :class:`~omkit_sagemaker.ingest.sources.lineagegraph
.DataProducers` (whose calls, counters and switches these lookups share).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.ingest.sources.answers import items as _items
from omkit_sagemaker.ingest.sources.answers import mapping as _mapping
from omkit_sagemaker.ingest.sources.answers import text as _text
from omkit_sagemaker.ingest.sources.lineagegraph import PAGE, DataProducers

#: Most model artifacts of one URL followed, pages of associations read per lookup, and
#: datasets described per model (a training job has at most 20 input channels).
MAX_MODELS = 3
PAGES = 2
MAX_DATASETS = 20
_TRAINING_SUFFIX = "-aws-training-job"


@dataclass(frozen=True, slots=True)
class ModelOrigin:
    """What the graph says made a model: the training job and the S3 locations it read."""

    job: str
    datasets: tuple[str, ...] = ()


def training_job_name(source_arn: str) -> str | None:
    """The training job an association's source names (the job's ARN, or its trial component's,
    ``<job>-aws-training-job``); None for any other source."""
    kind, _, name = source_arn.rpartition(":")[2].partition("/")
    if kind == "training-job" and name:
        return name
    if kind == "experiment-trial-component" and name.endswith(_TRAINING_SUFFIX):
        return name[: -len(_TRAINING_SUFFIX)] or None
    return None


@dataclass
class ModelOrigins:
    """Finds the :class:`ModelOrigin` of each model data URL (see the module doc), once each."""

    graph: DataProducers
    _by_url: dict[str, ModelOrigin | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def for_model_data(self, url: str) -> ModelOrigin | None:
        """The origin of the model at ``url`` (None: not recorded, or the kind is off)."""
        if not url.startswith("s3://"):
            return None
        with self._lock:
            if url in self._by_url:
                return self._by_url[url]
            found = self.graph.guarded(lambda: self._find(url))
            self._by_url[url] = found
            return found

    def _find(self, url: str) -> ModelOrigin | None:
        answer = self.graph.call(
            "ListArtifacts", SourceUri=url, ArtifactType="Model", MaxResults=PAGE
        )
        models = [
            a for s in _items(answer.get("ArtifactSummaries")) if (a := _text(s.get("ArtifactArn")))
        ]
        for model in models[:MAX_MODELS]:
            for source in self._sources(DestinationArn=model):
                job = training_job_name(source)
                if job is not None:
                    return ModelOrigin(job, self._datasets(source))
        return None

    def _datasets(self, trainer: str) -> tuple[str, ...]:
        uris: list[str] = []
        for artifact in self._sources(DestinationArn=trainer, SourceType="DataSet")[:MAX_DATASETS]:
            described = self.graph.call("DescribeArtifact", ArtifactArn=artifact)
            uri = _text(_mapping(described.get("Source")).get("SourceUri"))
            if uri and uri not in uris:
                uris.append(uri)
        return tuple(uris)

    def _sources(self, **where: Any) -> list[str]:
        """The source ARNs of the associations matching ``where`` (bounded pages)."""
        found: list[str] = []
        token: str | None = None
        for _ in range(PAGES):
            params: dict[str, Any] = {**where, "MaxResults": PAGE}
            if token:
                params["NextToken"] = token
            answer = self.graph.call("ListAssociations", **params)
            for summary in _items(answer.get("AssociationSummaries")):
                source = _text(summary.get("SourceArn"))
                if source and source not in found:
                    found.append(source)
            token = _text(answer.get("NextToken"))
            if not token:
                break
        return found
