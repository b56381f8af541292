"""Read the models of a SageMaker account: the source side of ``omkit run``.

What upstream's SageMaker source does (facts §5.2), without its bugs: ``ListModels`` over every
page (``MaxResults=100``, then ``NextToken``), then for each model ``DescribeModel`` (image and
model-data location) and ``ListTags`` (tags; upstream never reads them) in a bounded thread pool.
``mlModelFilterPattern`` keeps or drops a model by name with upstream's exact rules (facts §4.2),
before any per-model call.

It streams: pages are read as the pool drains, at most ``2 * workers`` models are being
described at any time, and results come out in listing order, so memory does not grow with the
number of models (only the set of listed names does, a few bytes per model).

With :attr:`SageMakerSource.training` set (the ``training-jobs`` asset kind), each described
model's training job is looked up in the same worker
(:mod:`omkit_sagemaker.ingest.sources.training`); a failed lookup keeps the model, with
:attr:`SageMakerModel.training_error`.

Where the caller may call ``sagemaker:Search`` (:attr:`SageMakerSource.search`, on by default),
the models are read with their tags 100 per call instead (``Search(Resource="Model")``,
:mod:`omkit_sagemaker.ingest.sources.search`): each record (``SearchRecord.Model.Model``) has
the fields of ``DescribeModel`` plus ``Tags``, and is mapped by the same function
(:func:`parse_model`), so OpenMetadata gets the same bodies. ``ListModels`` is still read (one
call per 100 models) and is what says which models exist: a model it lists that ``Search`` did
not give is described as above. So when a ``Search`` page fails (``AccessDenied``, a region or
emulator that cannot search models, anything else; :attr:`SageMakerSource.search_error` says
why), the models not read yet go the per-model way; and a model ``Search``'s index does not hold
yet (it can lag a few seconds behind a new model) is neither missed nor taken for deleted.

A model whose ``DescribeModel`` fails becomes a :class:`UnreadModel` (its name and the AWS
error) and the others go on; a failed ``ListTags`` keeps the model, without tags, with a warning.
A failed ``ListModels`` page ends the listing: :attr:`SageMakerSource.listing_error` says why,
and :attr:`SageMakerSource.listing_complete` stays false.

Matching ``mlModelFilterPattern`` is bounded in time
(:mod:`~omkit_sagemaker.ingest.sources.modelfilter`, whose names are importable from here too): a
name that runs out of time is a :class:`UnreadModel` (an error: the run fails and soft-deletes
nothing), not silently kept or dropped.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Generator, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omkit_sagemaker.ingest.sources.modelfilter import (
    MATCH_TIMEOUT,
    FilterError,
    FilterTimeout,
    ModelFilter,
)
from omkit_sagemaker.ingest.sources.search import SearchFailed, search_pages
from omkit_sagemaker.ingest.sources.training import TrainingJob, TrainingJobs

__all__ = [
    "MATCH_TIMEOUT",
    "FilterError",
    "FilterTimeout",
    "FilteredModel",
    "Item",
    "ModelFilter",
    "SageMakerModel",
    "SageMakerSource",
    "UnreadModel",
    "aws_error",
]

log = logging.getLogger("omkit.sagemaker")

#: Models per ListModels page, as upstream asks (the API's maximum).
PAGE_SIZE = 100
#: Most ListTags pages read for one model.
MAX_TAG_PAGES = 10
#: Most ListModels pages read (100 models each); more is a server that never stops.
MAX_PAGES = 10_000


@dataclass(frozen=True, slots=True)
class SageMakerModel:
    """What the ingestion needs of one model."""

    name: str
    arn: str | None = None
    #: ``PrimaryContainer.Image`` (the first container's for a multi-container model).
    image: str | None = None
    #: ``PrimaryContainer.ModelDataUrl`` (likewise).
    model_data_url: str | None = None
    creation_time: datetime | None = None
    #: The model's tags, ``(key, value)``, in the order AWS gave them.
    tags: tuple[tuple[str, str], ...] = ()
    #: Why the tags could not be read (the model is still ingested, without tags).
    tags_error: str | None = None
    #: The training job whose artifact is ``model_data_url`` (``training-jobs`` asset kind).
    training_job: TrainingJob | None = None
    #: Why the training job could not be looked up (the model is still ingested).
    training_error: str | None = None


@dataclass(frozen=True, slots=True)
class UnreadModel:
    """A model that could not be read: its name and the AWS error."""

    name: str
    message: str


@dataclass(frozen=True, slots=True)
class FilteredModel:
    """A model that ``mlModelFilterPattern`` leaves out."""

    name: str


Item = SageMakerModel | UnreadModel | FilteredModel


def aws_error(exc: BaseException) -> str:
    """A one-line ``Code: message`` for a boto3/botocore error (no credentials in it)."""
    from omkit_sagemaker.ingest import awsclient

    code, message, _ = awsclient.aws_error(exc)
    return message if message.startswith(code) else f"{code}: {message}"


@dataclass
class SageMakerSource:
    """Lists, filters and describes the models of the account ``client`` (a boto3 SageMaker
    client) can see. Iterate :meth:`items` once."""

    client: Any
    model_filter: ModelFilter = field(default_factory=ModelFilter)
    workers: int = 8
    tags: bool = True
    page_size: int = PAGE_SIZE
    #: Every name ListModels gave, filtered ones included.
    listed: set[str] = field(default_factory=set)
    #: True once every ListModels page was read.
    listing_complete: bool = False
    #: Why the listing stopped early (None when it did not).
    listing_error: str | None = None
    #: Why the listing cannot be trusted to say which models are gone although it completed (a
    #: model on two ``ListModels`` pages: the estate changed under the cursor, which may then
    #: have skipped others); None when nothing showed it.
    listing_changed: str | None = None
    #: Called with the number of models once the listing is complete.
    on_listed: Callable[[int], None] | None = None
    #: Seconds mlModelFilterPattern may take on one name.
    match_timeout: float = MATCH_TIMEOUT
    #: Looks up each model's training job (None: the ``training-jobs`` kind is off).
    training: TrainingJobs | None = None
    #: Read the models with ``Search`` first (see the module doc).
    search: bool = True
    #: Why ``Search`` was not (or no longer) used (None: every model came from it, or it was off).
    search_error: str | None = None
    #: Models read through ``Search`` records (no per-model read call).
    searched: int = 0
    #: What the run should warn about (a ``Search`` listing that stopped making progress).
    warnings: list[str] = field(default_factory=list)

    def listing(self) -> Iterator[tuple[str, dict[str, Any] | None]]:
        """Every model name with its ``Search`` record (None: from ``ListModels``, to be
        described), ``Search`` first when :attr:`search` is on (see the module doc)."""
        seen: set[str] = set()
        if self.search:
            pages = search_pages(self.client, "Model", page_size=self.page_size)
            try:
                for page in pages:
                    found: dict[str, dict[str, Any]] = {}
                    for result in page.results:
                        record = result.get("Model")
                        model = record.get("Model") if isinstance(record, dict) else None
                        name = model.get("ModelName") if isinstance(model, dict) else None
                        if isinstance(model, dict) and isinstance(name, str) and name not in seen:
                            found.setdefault(name, model)
                    if page.last and self.on_listed is not None:  # the total, before the last page
                        self.on_listed(len(seen) + len(found))
                    if self.training is not None:  # the page's training jobs, in one call
                        self.training.prefetch(_data_urls(found.values()))
                    for name, model in found.items():
                        seen.add(name)
                        yield name, model
            except SearchFailed as exc:
                self.search_error = f"Search on Model failed: {exc}"
                if exc.code == "NoProgress":  # a server that would have kept us forever
                    self.warnings.append(f"{exc.message}; the models are read with ListModels")
                log.info(
                    "%s; reading the %s with ListModels, DescribeModel and ListTags",
                    self.search_error,
                    "other models" if seen else "models",
                )
        # ListModels says which models exist (one call per 100): a model Search did not give
        # (its index lags, or a page failed) is described, so none is missed nor soft-deleted
        for name in self.names():
            if name not in seen:
                yield name, None

    def names(self) -> Iterator[str]:
        """Every model name, page after page (``ListModels`` with ``NextToken``)."""
        token: str | None = None
        tokens: set[str] = set()
        earlier: set[str] = set()  # the names of the pages before
        for _ in range(MAX_PAGES):
            kwargs: dict[str, Any] = {"MaxResults": self.page_size}
            if token:
                kwargs["NextToken"] = token
            try:
                page = self.client.list_models(**kwargs)
            except Exception as exc:  # any AWS or connection failure ends the listing
                self.listing_error = f"ListModels failed: {aws_error(exc)}"
                return
            names = [
                summary["ModelName"]
                for summary in page.get("Models") or ()
                if isinstance(summary.get("ModelName"), str)
            ]
            repeated = next((name for name in names if name in earlier), None)
            if repeated is not None and self.listing_changed is None:
                self.listing_changed = (
                    f"ListModels gave the model {repeated} on two pages: models were created or "
                    "deleted while it was read"
                )
            earlier.update(names)
            token = page.get("NextToken")
            if not token:  # the total, before the last page (and before its progress lines)
                total = len(self.listed.union(names))
                log.info("%d models listed in SageMaker", total)
                if self.on_listed is not None:
                    self.on_listed(total)
            yield from names
            if not token:
                self.listing_complete = True
                return
            if token in tokens:
                self.listing_error = "ListModels repeated a NextToken: the listing was stopped"
                return
            tokens.add(token)
        self.listing_error = f"ListModels gave more than {MAX_PAGES} pages: the listing was stopped"

    def items(self) -> Generator[Item, None, None]:
        """Each listed model, in listing order: described, failed or filtered out."""
        workers = max(1, self.workers)
        pending: deque[Future[Item] | Item] = deque()
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sagemaker") as pool:
            try:
                for name, record in self.listing():
                    self.listed.add(name)
                    try:
                        kept = self.model_filter.keep_within(name, self.match_timeout)
                    except FilterTimeout:
                        pending.append(
                            UnreadModel(
                                name,
                                f"mlModelFilterPattern took more than {self.match_timeout:g} s "
                                "on this name (a pattern that backtracks?): not ingested",
                            )
                        )
                        continue
                    if kept and record is not None:
                        self.searched += 1
                        if self.training is None:  # nothing more to read for this model
                            pending.append(self.from_record(name, record))
                        else:
                            pending.append(pool.submit(self.from_record, name, record))
                    elif kept:
                        pending.append(pool.submit(self.describe, name))
                    else:
                        pending.append(FilteredModel(name))
                    while len(pending) >= 2 * workers:
                        yield _result(pending.popleft())
                while pending:
                    yield _result(pending.popleft())
            finally:  # stopped early: do not start what is still queued
                for item in pending:
                    if isinstance(item, Future):
                        item.cancel()

    def describe(self, name: str) -> Item:
        """``DescribeModel`` (and ``ListTags``) of one model; a failure becomes a value."""
        try:
            described = self.client.describe_model(ModelName=name)
        except Exception as exc:
            return UnreadModel(name, f"DescribeModel failed: {aws_error(exc)}")
        arn = described.get("ModelArn")
        tags: tuple[tuple[str, str], ...] = ()
        tags_error = None
        if self.tags and isinstance(arn, str):
            try:
                tags = self.list_tags(arn)
            except Exception as exc:
                tags_error = f"ListTags failed: {aws_error(exc)}"
        return self.parse_model(name, described, tags, tags_error)

    def from_record(self, name: str, model: dict[str, Any]) -> Item:
        """The model of a ``Search`` record (``SearchRecord.Model.Model``: ``DescribeModel``'s
        fields and ``Tags``)."""
        tags = _tag_pairs(model.get("Tags")) if self.tags else ()
        return self.parse_model(name, model, tags, None)

    def parse_model(
        self,
        name: str,
        described: dict[str, Any],
        tags: tuple[tuple[str, str], ...],
        tags_error: str | None,
    ) -> Item:
        """The :class:`SageMakerModel` of a ``DescribeModel`` answer (or a ``Search`` record),
        its training job looked up when that kind is on."""
        container = described.get("PrimaryContainer")
        if not container:  # a multi-container model: take its first container
            containers = described.get("Containers") or [{}]
            container = containers[0]
        arn = described.get("ModelArn")
        created = described.get("CreationTime")
        model_data_url = _text(container.get("ModelDataUrl"))
        job, training_error = None, None
        if self.training is not None and model_data_url is not None:
            try:
                job = self.training.for_model(model_data_url)
            except Exception as exc:
                training_error = f"training job lookup failed: {aws_error(exc)}"
        return SageMakerModel(
            name=name,
            arn=arn if isinstance(arn, str) else None,
            image=_text(container.get("Image")),
            model_data_url=model_data_url,
            creation_time=created if isinstance(created, datetime) else None,
            tags=tags,
            tags_error=tags_error,
            training_job=job,
            training_error=training_error,
        )

    def list_tags(self, arn: str) -> tuple[tuple[str, str], ...]:
        """Every tag of the resource ``arn`` (``ListTags``, following ``NextToken``)."""
        found: list[tuple[str, str]] = []
        token: str | None = None
        tokens: set[str] = set()
        for _ in range(MAX_TAG_PAGES):  # a resource has at most 50 tags: one page
            kwargs: dict[str, Any] = {"ResourceArn": arn, "MaxResults": 100}
            if token:
                kwargs["NextToken"] = token
            page = self.client.list_tags(**kwargs)
            found.extend(_tag_pairs(page.get("Tags")))
            token = page.get("NextToken")
            if not token:
                return tuple(found)
            if token in tokens:
                raise ValueError("ListTags repeated a NextToken")
            tokens.add(token)
        raise ValueError(f"ListTags gave more than {MAX_TAG_PAGES} pages")


def _data_urls(models: Iterable[dict[str, Any]]) -> Iterator[str]:
    """The ``ModelDataUrl`` of each model record that has one (its primary or first container)."""
    for model in models:
        container = model.get("PrimaryContainer")
        if not isinstance(container, dict) or not container:  # as parse_model reads it
            containers = model.get("Containers")
            container = containers[0] if isinstance(containers, list) and containers else None
        url = container.get("ModelDataUrl") if isinstance(container, dict) else None
        if isinstance(url, str) and url:
            yield url


def _result(item: Future[Item] | Item) -> Item:
    return item.result() if isinstance(item, Future) else item


def _tag_pairs(tags: object) -> tuple[tuple[str, str], ...]:
    """``(Key, Value)`` of an AWS ``TagList``, in its order (a missing value is empty)."""
    found: list[tuple[str, str]] = []
    for tag in tags if isinstance(tags, list) else ():
        if not isinstance(tag, dict):
            continue
        key, value = tag.get("Key"), tag.get("Value", "")
        if isinstance(key, str) and isinstance(value, str):
            found.append((key, value))
    return tuple(found)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None
