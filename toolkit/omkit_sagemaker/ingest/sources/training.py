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
page's URLs first, in batches of :data:`BATCH_URLS`: one ``Search`` on ``TrainingJob`` per batch
whose expression is an ``Or`` of the batch's artifact filters (:func:`batch_expression`, kept
within the API's documented limits), at most :data:`BATCH_PAGES` pages: three calls per 100
models instead of one per model. A URL the batch settled is not looked up again; when the batch
cannot be used each model falls back to the steps above, and the run says so once: ``Search``
denied (``DescribeTrainingJob`` still finds the jobs in the default layout: a warning names the
refused action and what it costs), a ValidationException on omkit's own expression (a bug:
:attr:`TrainingJobs.problems`), more matches than the pages allow, any other failure (logged).

``ListTrainingJobs`` is never called. Each URL is looked up once (models sharing an artifact
share the answer, also when several workers ask at the same time). A denied
``DescribeTrainingJob`` (``AccessDenied``) turns the whole kind off for the rest of the run:
:attr:`TrainingJobs.denied` names the IAM action, and lookups return nothing. A denied ``Search``
only turns ``Search`` off: the default layout is still confirmed with ``DescribeTrainingJob``,
and :attr:`TrainingJobs.problems` says once which jobs cannot be found without it. Other
failures are a per-model message (the model is still ingested).
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omkit_sagemaker.assetkinds import TRAINING_JOBS
from omkit_sagemaker.ingest.sources.answers import (
    DENIED_CODES,
    AssetDenied,
    error_code,
    final_metrics,
)
from omkit_sagemaker.ingest.sources.answers import items as _items
from omkit_sagemaker.ingest.sources.answers import mapping as _mapping
from omkit_sagemaker.ingest.sources.answers import message as _message
from omkit_sagemaker.ingest.sources.answers import text as _text
from omkit_sagemaker.ingest.sources.search import SearchFailed, search_pages

log = logging.getLogger("omkit.sagemaker")

#: The ``--assets`` name of this kind (declared in :mod:`omkit_sagemaker.assetkinds`).
ASSET = TRAINING_JOBS.name
#: Most results of the one ``Search`` call made for a URL.
SEARCH_LIMIT = 10
#: Filters in one (sub-)expression of a batched ``Search``: the API allows 1 to 20 ``Filters``
#: (and as many ``SubExpressions``) in one ``SearchExpression``.
FILTERS_PER_EXPRESSION = 20
#: Most ``SubExpressions``, ``NestedFilters`` and ``Filters`` in one ``SearchExpression``, counted
#: at every depth (``SearchRequest.SearchExpression``'s documentation).
MAX_EXPRESSION_ELEMENTS = 50
#: URLs in one batch. One filter per URL; 20 filters at the top, then sub-expressions of up to
#: 20 filters, each costing one element more. 48 URLs (20 + 1 + 20 + 1 + 8 = 50 elements) is the
#: most that fits when the expression itself is not counted; 47 (49 elements) also fits when it
#: is, so no reading of the rule can refuse a batch, for one URL less.
BATCH_URLS = 47
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
    metrics = final_metrics(described.get("FinalMetricDataList"))
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
    #: Set when ``Search`` is denied: no ``Search`` after that, ``DescribeTrainingJob`` goes on.
    search_denied: AssetDenied | None = None
    #: ``(subject, message)``: what the run should warn about once (the caller warns).
    problems: list[tuple[str, str]] = field(default_factory=list)
    #: True once ``Search`` refused the artifact filter: no per-URL ``Search`` after that.
    _artifact_filter_refused: bool = False
    _search_denial_said: bool = False

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
                if self.batch_off is not None:
                    return
                continue  # this batch's URLs are looked up on their own
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
            self._batch_failed(exc, len(urls))
            return None
        return found

    def _batch_failed(self, exc: SearchFailed, urls: int) -> None:
        """Why a batch settled nothing: turn batches (or Search) off, and say so once."""
        if exc.denied:
            self.search_denied = AssetDenied(
                ASSET, TRAINING_JOBS.action("Search"), exc.message or exc.code
            )
            self.batch_off = exc.message or exc.code
        elif exc.code == "ValidationException":
            # the expression is omkit's own, built within the documented limits: a refusal is
            # a bug of omkit (or a SageMaker that evaluates less than AWS), said once
            self.batch_off = exc.message or exc.code
            self.problems.append(
                (
                    ASSET,
                    f"Search refused omkit's batched expression ({exc}): each model's training "
                    "job is looked up on its own (at most a DescribeTrainingJob and a Search per "
                    "model-data URL); please report this as an omkit bug",
                )
            )
        elif exc.code == "NoProgress":  # a Search that would have kept us: not asked again
            self.batch_off = exc.message
            self.problems.append(
                (ASSET, f"{exc.message}; each model's job is looked up on its own")
            )
        else:
            log.debug("a batched Search on TrainingJob (%d URLs) failed: %s", urls, exc)
            return
        log.info(
            "batched Search on TrainingJob is off (%s): each model's training job is looked "
            "up on its own",
            exc,
        )

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
                    raise AssetDenied(
                        ASSET, TRAINING_JOBS.action("DescribeTrainingJob"), _message(exc)
                    ) from None
                if code not in _NOT_FOUND_CODES:
                    raise
            else:
                if _artifact(described) == url:
                    return parse_job(described)
        if self.search_denied is not None:
            self._warn_search_denied()
            return None
        if self._artifact_filter_refused:
            return None
        return self._search(url)

    def _warn_search_denied(self) -> None:
        """Say once that the jobs outside the default layout cannot be found (a URL needed
        ``Search`` and it is denied)."""
        with self._lock:
            if self.search_denied is not None and not self._search_denial_said:
                self._search_denial_said = True
                self.problems.append((ASSET, _search_denied(self.search_denied)))

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
            if code in DENIED_CODES:  # DescribeTrainingJob may still be allowed: go on with it
                with self._lock:
                    if self.search_denied is None:
                        self.search_denied = AssetDenied(
                            ASSET, TRAINING_JOBS.action("Search"), _message(exc)
                        )
                self._warn_search_denied()
                return None
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


def _search_denied(denied: AssetDenied) -> str:
    return (
        f"{denied.action} is not allowed ({denied.message}); training jobs are found only "
        "where the model data is in SageMaker's default layout (<S3OutputPath>/<job>/output/"
        "model.tar.gz, confirmed with DescribeTrainingJob); allow it (see omkit policy "
        "sagemaker) to find the others"
    )


def batch_expression(urls: list[str]) -> dict[str, Any]:
    """The ``SearchExpression`` matching a job whose artifact is any of ``urls`` (at most
    :data:`BATCH_URLS`): an ``Or`` of up to :data:`FILTERS_PER_EXPRESSION` filters, then of
    sub-expressions, each an ``Or`` of up to as many filters. Raises ValueError for a batch the
    API would refuse (more than :data:`MAX_EXPRESSION_ELEMENTS` elements)."""

    def equals(url: str) -> dict[str, str]:
        return {"Name": "ModelArtifacts.S3ModelArtifacts", "Operator": "Equals", "Value": url}

    top, rest = urls[:FILTERS_PER_EXPRESSION], urls[FILTERS_PER_EXPRESSION:]
    expression: dict[str, Any] = {"Operator": "Or", "Filters": [equals(u) for u in top]}
    subs = [
        {"Operator": "Or", "Filters": [equals(u) for u in rest[i : i + FILTERS_PER_EXPRESSION]]}
        for i in range(0, len(rest), FILTERS_PER_EXPRESSION)
    ]
    if subs:
        expression["SubExpressions"] = subs
    if len(urls) + len(subs) > MAX_EXPRESSION_ELEMENTS or not urls:
        raise ValueError(f"{len(urls)} URLs do not fit in one SearchExpression")
    return expression


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
