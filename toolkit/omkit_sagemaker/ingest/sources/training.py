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

What a job is and how it is read lives in :mod:`~omkit_sagemaker.ingest.sources.trainingjob`, the
``Search`` expressions in :mod:`~omkit_sagemaker.ingest.sources.trainingsearch`; this module holds
the lookups, their cache and what a denial turns off.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.assetkinds import TRAINING_JOBS
from omkit_sagemaker.ingest.sources.answers import DENIED_CODES, AssetDenied, error_code, items
from omkit_sagemaker.ingest.sources.answers import mapping as _mapping
from omkit_sagemaker.ingest.sources.answers import message as _message
from omkit_sagemaker.ingest.sources.search import SearchFailed, search_pages
from omkit_sagemaker.ingest.sources.trainingjob import (
    TrainingJob,
    candidate_job,
    job_artifact,
    latest_job,
    parse_job,
)
from omkit_sagemaker.ingest.sources.trainingsearch import (
    BATCH_URLS,
    MAX_EXPRESSION_ELEMENTS,
    artifact_expression,
    batch_expression,
)

__all__ = [
    "ASSET",
    "BATCH_PAGES",
    "BATCH_URLS",
    "MAX_EXPRESSION_ELEMENTS",
    "SEARCH_LIMIT",
    "TrainingJob",
    "TrainingJobs",
    "batch_expression",
    "candidate_job",
    "parse_job",
]

log = logging.getLogger("omkit.sagemaker")

#: The ``--assets`` name of this kind (declared in :mod:`omkit_sagemaker.assetkinds`).
ASSET = TRAINING_JOBS.name
#: Most results of the one ``Search`` call made for a URL.
SEARCH_LIMIT = 10
#: Most pages read for one batch (re-runs can write one URL many times); more: per-URL lookups.
BATCH_PAGES = 5
#: Error codes that mean "no such job" for DescribeTrainingJob.
_NOT_FOUND_CODES = frozenset({"ValidationException", "ResourceNotFound"})


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
    #: Called with each job :meth:`for_model` returns, in the caller's thread (a worker's): the
    #: ``lineage`` kind looks the job's training data up there, ``--workers`` at a time.
    on_job: Callable[[TrainingJob], None] | None = None
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
                    self._cache.setdefault(url, latest_job(matches))
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
                    artifact = job_artifact(job)
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
        denied), handed to :attr:`on_job` too. Raises on other AWS failures (the caller keeps
        the model, with a warning)."""
        job = self._for_model(model_data_url)
        if job is not None and self.on_job is not None:
            self.on_job(job)
        return job

    def _for_model(self, model_data_url: str) -> TrainingJob | None:
        """Workers asking for the same URL at once wait for one lookup."""
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
                if job_artifact(described) == url:
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
        expression = artifact_expression(url)
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
            for result in items(page.get("Results"))[: self.search_limit]
            if job_artifact(job := _mapping(result.get("TrainingJob"))) == url
        ]
        return latest_job(matches)


def _search_denied(denied: AssetDenied) -> str:
    return (
        f"{denied.action} is not allowed ({denied.message}); training jobs are found only "
        "where the model data is in SageMaker's default layout (<S3OutputPath>/<job>/output/"
        "model.tar.gz, confirmed with DescribeTrainingJob); allow it (see omkit policy "
        "sagemaker) to find the others"
    )
