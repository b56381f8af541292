"""Find the processing job that wrote a training channel's data: the ``lineage`` asset kind.

Most training sets are the output of a processing job: its ``ProcessingOutputConfig.Outputs[]
.S3Output.S3Uri`` is a training channel's ``S3Uri``. SageMaker lists processing jobs only by
name, time and status, so finding the writer of a URI by listing would read the account's whole
job history. SageMaker's lineage graph goes the other way, from the data: SageMaker records an
S3 location a job wrote as an *artifact* whose ``Source.SourceUri`` is the URI, and an
*association* from the job's lineage entity (the processing job, or its trial component
``<job>-aws-processing-job``) to that artifact. So, for each distinct channel URI:

1. one ``ListArtifacts(SourceUri=uri)`` (one page of at most :data:`PAGE` artifacts; usually
   one);
2. per artifact (at most :data:`MAX_ARTIFACTS`), ``ListAssociations(DestinationArn=artifact)``,
   at most :data:`ASSOCIATION_PAGES` pages: the sources that are processing jobs are the
   candidates;
3. per candidate (at most :data:`MAX_CANDIDATES`, each job described once per run),
   ``DescribeProcessingJob``: a candidate is the writer only when one of its outputs is the URI
   (a trailing ``/`` aside), which keeps the graph's word honest.

The cost grows with the distinct training URIs of the models read, never with the account's
history: one call for a URI SageMaker recorded nothing about, three for the usual one written by
one job. Models sharing a training set share the answer.

A denied call (``AccessDenied``) turns the kind off for the rest of the run
(:attr:`DataProducers.denied` names the IAM action). A location SageMaker refuses
(``ValidationException``: a URI longer than the API takes) has no writer. Any other failure of
the graph's calls
(a region or an emulator without the lineage API) turns the graph off for the rest of the run
and is said once in :attr:`DataProducers.problems`: the models are still written, without their
processing jobs.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from omkit_sagemaker.assetkinds import LINEAGE
from omkit_sagemaker.ingest.sources.answers import DENIED_CODES, AssetDenied, error_code
from omkit_sagemaker.ingest.sources.answers import items as _items
from omkit_sagemaker.ingest.sources.answers import mapping as _mapping
from omkit_sagemaker.ingest.sources.answers import message as _message
from omkit_sagemaker.ingest.sources.answers import text as _text

log = logging.getLogger("omkit.sagemaker")
T = TypeVar("T")

#: ``MaxResults`` of each lineage call (the API allows 1 to 100).
PAGE = 10
#: Most artifacts of one URI followed, pages of associations read per artifact, and processing
#: jobs described per URI.
MAX_ARTIFACTS = 3
ASSOCIATION_PAGES = 2
MAX_CANDIDATES = 3
#: Most outputs and inputs kept of one processing job (AWS allows 10 outputs, 10 inputs).
MAX_IO = 20
_TRIAL_SUFFIX = "-aws-processing-job"
_NOT_FOUND_CODES = frozenset({"ValidationException", "ResourceNotFound"})


@dataclass(frozen=True, slots=True)
class ProcessingJob:
    """What a model's description shows of the processing job that wrote its data."""

    name: str
    status: str | None = None
    #: ``AppSpecification.ImageUri``.
    image: str | None = None
    #: ``ProcessingInputs[].S3Input.S3Uri`` and ``ProcessingOutputConfig.Outputs[].S3Output
    #: .S3Uri``.
    inputs: tuple[str, ...] = ()
    outputs: tuple[str, ...] = ()

    def wrote(self, uri: str) -> bool:
        """Whether one of the job's outputs is ``uri`` (a trailing ``/`` aside)."""
        return same_location(uri) in {same_location(o) for o in self.outputs}


def same_location(uri: str) -> str:
    """``uri`` without its trailing ``/`` (``s3://b/p/`` and ``s3://b/p`` name one prefix)."""
    return uri.rstrip("/")


def parse_processing_job(described: dict[str, Any]) -> ProcessingJob | None:
    """A :class:`ProcessingJob` from a ``DescribeProcessingJob`` answer (None without a name)."""
    name = described.get("ProcessingJobName")
    if not isinstance(name, str) or not name:
        return None
    inputs = [
        _text(_mapping(i.get("S3Input")).get("S3Uri"))
        for i in _items(described.get("ProcessingInputs"))
    ]
    outputs = [
        _text(_mapping(o.get("S3Output")).get("S3Uri"))
        for o in _items(_mapping(described.get("ProcessingOutputConfig")).get("Outputs"))
    ]
    return ProcessingJob(
        name=name,
        status=_text(described.get("ProcessingJobStatus")),
        image=_text(_mapping(described.get("AppSpecification")).get("ImageUri")),
        inputs=tuple(u for u in inputs if u)[:MAX_IO],
        outputs=tuple(u for u in outputs if u)[:MAX_IO],
    )


def producer_name(source_arn: str) -> str | None:
    """The processing job an association's source names (a processing job's ARN, or its trial
    component's, ``<job>-aws-processing-job``); None for any other source."""
    resource = source_arn.rpartition(":")[2]
    kind, _, name = resource.partition("/")
    if kind == "processing-job" and name:
        return name
    if kind == "experiment-trial-component" and name.endswith(_TRIAL_SUFFIX):
        return name[: -len(_TRIAL_SUFFIX)] or None
    return None


@dataclass
class DataProducers:
    """Finds the processing job that wrote each training URI (see the module doc), with
    ``client`` (a boto3 SageMaker client); each URI and job is looked up once."""

    client: Any
    #: Set on the first AccessDenied: the kind is off for the rest of the run.
    denied: AssetDenied | None = None
    #: Why the lineage graph is off for the rest of the run (None: on).
    off: str | None = None
    #: ``(subject, message)``: what the run should warn about once (the caller warns).
    problems: list[tuple[str, str]] = field(default_factory=list)
    #: Calls made, by operation (the bench and the tests read it).
    calls: dict[str, int] = field(default_factory=dict)
    _by_uri: dict[str, ProcessingJob | None] = field(default_factory=dict, repr=False)
    _jobs: dict[str, ProcessingJob | None] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: One lock per URI and per job name being looked up: workers asking for the same one at
    #: once wait for one lookup; different ones go on at the same time.
    _pending: dict[str, threading.Lock] = field(default_factory=dict, repr=False)

    def for_uri(self, uri: str) -> ProcessingJob | None:
        """The processing job that wrote ``uri`` (None: none recorded, or the kind is off).
        Safe to call from several threads."""
        if not uri.startswith("s3://"):
            return None
        with self._once(f"uri {uri}"):
            with self._lock:
                if uri in self._by_uri:
                    return self._by_uri[uri]
                if self.denied is not None or self.off is not None:
                    return None
            try:
                found = self._find(uri)
            except AssetDenied as exc:
                with self._lock:
                    self.denied = self.denied or exc
                return None
            except _GraphFailed as exc:
                if exc.code not in _NOT_FOUND_CODES:  # else: this location refused (too long)
                    self._turn_off(exc)
                    return None
                found = None
            with self._lock:
                self._by_uri[uri] = found
            return found

    def _once(self, key: str) -> threading.Lock:
        with self._lock:
            return self._pending.setdefault(key, threading.Lock())

    def guarded(self, lookup: Callable[[], T]) -> T | None:
        """``lookup()`` (which calls :meth:`call`), or None when the kind or the graph is off,
        or turns off now (a denial: :attr:`denied`; another failure: :attr:`off`, said once). A
        refused request (``ValidationException``) or a vanished entity is None for that lookup
        only."""
        with self._lock:
            if self.denied is not None or self.off is not None:
                return None
        try:
            return lookup()
        except AssetDenied as exc:
            with self._lock:
                self.denied = self.denied or exc
        except _GraphFailed as exc:
            if exc.code not in _NOT_FOUND_CODES:
                self._turn_off(exc)
        return None

    def _turn_off(self, exc: Exception) -> None:
        with self._lock:
            if self.off is not None:
                return
            self.off = str(exc)
            self.problems.append(
                (
                    LINEAGE.name,
                    f"SageMaker's lineage graph could not be read ({exc}): the models are "
                    "written without the processing jobs that made their training data",
                )
            )

    def _find(self, uri: str) -> ProcessingJob | None:
        answer = self.call("ListArtifacts", SourceUri=uri, MaxResults=PAGE)
        artifacts = [
            arn
            for a in _items(answer.get("ArtifactSummaries"))
            if (arn := _text(a.get("ArtifactArn")))
        ]
        candidates: list[str] = []
        for artifact in artifacts[:MAX_ARTIFACTS]:
            for name in self._producers(artifact):
                if name not in candidates:
                    candidates.append(name)
        for name in candidates[:MAX_CANDIDATES]:
            job = self._describe(name)
            if job is not None and job.wrote(uri):
                return job
        return None

    def _producers(self, artifact: str) -> list[str]:
        """The processing jobs the graph says wrote ``artifact``."""
        names: list[str] = []
        token: str | None = None
        for _ in range(ASSOCIATION_PAGES):
            params: dict[str, Any] = {"DestinationArn": artifact, "MaxResults": PAGE}
            if token:
                params["NextToken"] = token
            answer = self.call("ListAssociations", **params)
            for summary in _items(answer.get("AssociationSummaries")):
                name = producer_name(_text(summary.get("SourceArn")) or "")
                if name is not None and name not in names:
                    names.append(name)
            token = _text(answer.get("NextToken"))
            if not token:
                break
        return names

    def _describe(self, name: str) -> ProcessingJob | None:
        with self._once(f"job {name}"):
            with self._lock:
                if name in self._jobs:
                    return self._jobs[name]
            try:
                described = self.call("DescribeProcessingJob", ProcessingJobName=name)
            except _GraphFailed as exc:
                if exc.code not in _NOT_FOUND_CODES:
                    raise
                job = None  # a job the graph remembers and SageMaker no longer has
            else:
                job = parse_processing_job(described)
            with self._lock:
                self._jobs[name] = job
            return job

    def call(self, operation: str, **params: Any) -> dict[str, Any]:
        """One call; AccessDenied -> :class:`AssetDenied`, other failures -> _GraphFailed."""
        with self._lock:
            self.calls[operation] = self.calls.get(operation, 0) + 1
        method = getattr(self.client, _snake(operation))
        try:
            answer = method(**params)
        except Exception as exc:
            code = error_code(exc)
            if code in DENIED_CODES:
                raise AssetDenied(LINEAGE.name, LINEAGE.action(operation), _message(exc)) from None
            log.debug("%s failed: %s", operation, exc)
            raise _GraphFailed(code, f"{operation}: {code}: {_message(exc)}") from None
        return _mapping(answer)


class _GraphFailed(Exception):
    """A lineage call failed for another reason than a denial."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(text)
        self.code = code


def _snake(operation: str) -> str:
    """``ListArtifacts`` -> ``list_artifacts`` (boto3's method name)."""
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in operation).lstrip("_")
