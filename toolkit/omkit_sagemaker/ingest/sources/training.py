"""Find the training job that produced a model: the ``training-jobs`` asset kind.

A model's ``PrimaryContainer.ModelDataUrl`` is the ``ModelArtifacts.S3ModelArtifacts`` of the
job that trained it. The cost grows with the number of models, never with the account's job
history (which can hold millions of jobs):

1. SageMaker writes a job's artifact to ``<S3OutputPath>/<job name>/output/model.tar.gz``, so the
   candidate job's name is read off the URL and ``DescribeTrainingJob`` confirms it (its
   artifact must be exactly the model's URL);
2. otherwise (another layout, or a job that is gone), one ``Search`` on ``TrainingJob`` filtered
   by ``ModelArtifacts.S3ModelArtifacts`` equal to the URL, one page of at most
   :data:`SEARCH_LIMIT` results, no ``NextToken`` followed;
3. otherwise there is no job (the model was made from an artifact trained elsewhere).

Where models come in pages (``Search`` on ``Model``), :meth:`TrainingJobs.prefetch` looks up a
whole page's URLs first, with one ``Search`` on ``TrainingJob`` whose expression is an ``Or`` of
up to :data:`BATCH_URLS` artifact filters (:data:`FILTERS_PER_EXPRESSION` filters in each of up
to five sub-expressions, the API's limits), at most :data:`BATCH_PAGES` pages: about one call per
100 models instead of one per model. A URL the batch settled is not looked up again; when the
batch cannot be used (``Search`` denied, the expression refused by an emulator, more matches than
the pages allow, any other failure) each model falls back to the steps above.

``ListTrainingJobs`` is never called. Each URL is looked up once (models sharing an artifact
share the answer, also when several workers ask at the same time). A missing permission
(``AccessDenied``) for either call turns the whole kind off for the rest of the run:
:attr:`TrainingJobs.denied` names the IAM action, and lookups return nothing. Other failures
are a per-model message (the model is still ingested).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omkit_sagemaker.ingest.sources.answers import (
    DENIED_CODES,
    AssetDenied,
    error_code,
)
from omkit_sagemaker.ingest.sources.answers import items as _items
from omkit_sagemaker.ingest.sources.answers import mapping as _mapping
from omkit_sagemaker.ingest.sources.answers import message as _message
from omkit_sagemaker.ingest.sources.answers import text as _text
from omkit_sagemaker.ingest.sources.search import SearchFailed, search_pages

log = logging.getLogger("omkit.sagemaker")

#: The ``--assets`` name of this kind.
ASSET = "training-jobs"
#: The IAM actions this kind calls, in the order it calls them.
ACTIONS = ("sagemaker:DescribeTrainingJob", "sagemaker:Search")
#: Most results of the one ``Search`` call made for a URL.
SEARCH_LIMIT = 10
#: Filters in one (sub-)expression of a batched ``Search``, and URLs in one batch: the API allows
#: 20 filters per expression and 20 sub-expressions; 5 x 20 keeps one batch near one page.
FILTERS_PER_EXPRESSION = 20
BATCH_URLS = 100
#: Most pages read for one batch (re-runs can write one URL many times); more: per-URL lookups.
BATCH_PAGES = 5
#: Most hyperparameters, metrics and input channels kept of one job (AWS allows 100 / 40 / 20).
MAX_ITEMS = 100

#: SageMaker's default artifact layout; a job name is 1-63 letters, digits and inner hyphens.
_DEFAULT_LAYOUT = re.compile(
    r"^s3://[^/]+/(?:.+/)?(?P<job>[A-Za-z0-9](?:-*[A-Za-z0-9]){0,62})/output/model\.tar\.gz$"
)
#: Error codes that mean "no such job" for DescribeTrainingJob.
_NOT_FOUND_CODES = frozenset({"ValidationException", "ResourceNotFound"})


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
    #: ``FinalMetricDataList``: ``(MetricName, Value)``.
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
    found = _DEFAULT_LAYOUT.match(model_data_url)
    return found.group("job") if found else None


def parse_job(described: dict[str, Any]) -> TrainingJob | None:
    """A :class:`TrainingJob` from a ``DescribeTrainingJob`` answer (or a ``Search`` result's
    ``TrainingJob``); None without a name."""
    name = described.get("TrainingJobName")
    if not isinstance(name, str) or not name:
        return None
    spec = _mapping(described.get("AlgorithmSpecification"))
    resources = _mapping(described.get("ResourceConfig"))
    hyper = _mapping(described.get("HyperParameters"))
    metrics: list[tuple[str, float]] = []
    for metric in _items(described.get("FinalMetricDataList")):
        metric_name, value = metric.get("MetricName"), metric.get("Value")
        if isinstance(metric_name, str) and isinstance(value, int | float):
            metrics.append((metric_name, float(value)))
    channels: list[tuple[str, str]] = []
    for channel in _items(described.get("InputDataConfig")):
        channel_name = channel.get("ChannelName")
        s3 = _mapping(_mapping(channel.get("DataSource")).get("S3DataSource"))
        if isinstance(channel_name, str):
            channels.append((channel_name, _text(s3.get("S3Uri")) or ""))
    count = resources.get("InstanceCount")
    return TrainingJob(
        name=name,
        status=_text(described.get("TrainingJobStatus")),
        algorithm_name=_text(spec.get("AlgorithmName")),
        image=_text(spec.get("TrainingImage")),
        hyperparameters=tuple(
            (k, v)
            for k, v in list(hyper.items())[:MAX_ITEMS]
            if isinstance(k, str) and isinstance(v, str)
        ),
        metrics=tuple(metrics[:MAX_ITEMS]),
        instance_type=_text(resources.get("InstanceType")),
        instance_count=count if isinstance(count, int) and not isinstance(count, bool) else None,
        duration=_duration(described),
        channels=tuple(channels[:MAX_ITEMS]),
    )


@dataclass
class TrainingJobs:
    """Looks up the training job of each model-data URL with ``client`` (a boto3 SageMaker
    client); safe to call from the source's worker threads."""

    client: Any
    search_limit: int = SEARCH_LIMIT
    #: Set on the first AccessDenied: the kind is off for the rest of the run.
    denied: AssetDenied | None = None
    _cache: dict[str, TrainingJob | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _pending: dict[str, threading.Lock] = field(default_factory=dict, repr=False)
    #: Why batched lookups are off for the rest of the run (None: on).
    batch_off: str | None = None
    #: Batched ``Search`` calls made, and URLs they settled.
    batch_calls: int = 0
    batch_settled: int = 0
    #: True once ``Search`` refused the artifact filter: no per-URL ``Search`` after that.
    _artifact_filter_refused: bool = False

    def prefetch(self, urls: Iterable[str]) -> None:
        """Look up the jobs of ``urls`` in batches (see the module doc); never raises: a URL
        left unsettled is looked up on its own by :meth:`for_model`. Call it from one thread
        (the listing); workers may call :meth:`for_model` meanwhile."""
        if self.denied is not None or self.batch_off is not None:
            return
        with self._lock:
            todo = list(dict.fromkeys(u for u in urls if u not in self._cache))
        for start in range(0, len(todo), BATCH_URLS):
            batch = todo[start : start + BATCH_URLS]
            found = self._search_batch(batch)
            if found is None:
                return
            with self._lock:
                for url in batch:
                    matches = found.get(url, [])
                    self._cache.setdefault(url, _latest(matches))
                self.batch_settled += len(batch)

    def _search_batch(self, urls: list[str]) -> dict[str, list[dict[str, Any]]] | None:
        """Each URL's matching jobs, from one batched ``Search`` (None: not settled)."""
        wanted = set(urls)
        expression = batch_expression(urls)
        found: dict[str, list[dict[str, Any]]] = {}
        pages = search_pages(
            self.client,
            "TrainingJob",
            expression=expression,
            max_pages=BATCH_PAGES,
        )
        try:
            for page in pages:
                self.batch_calls += 1
                for result in page.results:
                    job = _mapping(result.get("TrainingJob"))
                    artifact = _artifact(job)
                    if artifact in wanted:
                        found.setdefault(artifact, []).append(job)
        except SearchFailed as exc:
            if exc.code == "TooManyPages":
                log.debug("a batched Search on TrainingJob had over %d pages", BATCH_PAGES)
            elif exc.denied or exc.code == "ValidationException":
                # denied: DescribeTrainingJob may still be allowed; refused: an emulator
                self.batch_off = exc.message or exc.code
                log.debug("batched Search on TrainingJob is off: %s", exc)
            else:
                log.debug("a batched Search on TrainingJob failed: %s", exc)
            return None
        return found

    def for_model(self, model_data_url: str) -> TrainingJob | None:
        """The job whose artifact is ``model_data_url`` (None: none found, or the kind is
        denied). Raises on other AWS failures (the caller keeps the model, with a warning).
        Workers asking for the same URL at once wait for one lookup."""
        if self.denied is not None:
            return None
        with self._lock:
            if model_data_url in self._cache:
                return self._cache[model_data_url]
            url_lock = self._pending.setdefault(model_data_url, threading.Lock())
        with url_lock:
            with self._lock:
                if model_data_url in self._cache:
                    return self._cache[model_data_url]
            if self.denied is not None:
                return None
            try:
                job = self._find(model_data_url)
            except AssetDenied as exc:
                with self._lock:
                    if self.denied is None:
                        self.denied = exc
                return None
            with self._lock:
                self._cache[model_data_url] = job
                self._pending.pop(model_data_url, None)
        return job

    def _find(self, url: str) -> TrainingJob | None:
        name = candidate_job(url)
        if name is not None:
            try:
                described = self.client.describe_training_job(TrainingJobName=name)
            except Exception as exc:
                code = error_code(exc)
                if code in DENIED_CODES:
                    raise AssetDenied(ASSET, ACTIONS[0], _message(exc)) from None
                if code not in _NOT_FOUND_CODES:
                    raise
            else:
                if _artifact(described) == url:
                    return parse_job(described)
        if self._artifact_filter_refused:
            return None
        return self._search(url)

    def _search(self, url: str) -> TrainingJob | None:
        expression = {
            "Filters": [
                {"Name": "ModelArtifacts.S3ModelArtifacts", "Operator": "Equals", "Value": url}
            ]
        }
        try:
            page = self.client.search(
                Resource="TrainingJob", SearchExpression=expression, MaxResults=self.search_limit
            )
        except Exception as exc:
            code = error_code(exc)
            if code in DENIED_CODES:
                raise AssetDenied(ASSET, ACTIONS[1], _message(exc)) from None
            if code == "ValidationException":  # the filter is not supported here: no answer
                log.debug("Search on TrainingJob refused the artifact filter: %s", _message(exc))
                self._artifact_filter_refused = True
                return None
            raise
        matches = [
            job
            for result in _items(page.get("Results"))[: self.search_limit]
            if _artifact(job := _mapping(result.get("TrainingJob"))) == url
        ]
        return _latest(matches)


def batch_expression(urls: list[str]) -> dict[str, Any]:
    """The ``SearchExpression`` matching a job whose artifact is any of ``urls``: an ``Or`` of
    sub-expressions, each an ``Or`` of at most :data:`FILTERS_PER_EXPRESSION` filters."""
    return {
        "Operator": "Or",
        "SubExpressions": [
            {
                "Operator": "Or",
                "Filters": [
                    {"Name": "ModelArtifacts.S3ModelArtifacts", "Operator": "Equals", "Value": u}
                    for u in urls[start : start + FILTERS_PER_EXPRESSION]
                ],
            }
            for start in range(0, len(urls), FILTERS_PER_EXPRESSION)
        ],
    }


def _latest(matches: list[dict[str, Any]]) -> TrainingJob | None:
    """Several jobs wrote the same URL (a re-run): the latest completed one made the model."""
    if not matches:
        return None
    matches = sorted(matches, key=lambda j: (j.get("TrainingJobStatus") == "Completed", _end(j)))
    return parse_job(matches[-1])


def _artifact(described: dict[str, Any]) -> str | None:
    return _text(_mapping(described.get("ModelArtifacts")).get("S3ModelArtifacts"))


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
