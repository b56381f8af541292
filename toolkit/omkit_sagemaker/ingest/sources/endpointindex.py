"""Which endpoints serve which models: the ``endpoints`` asset kind.

``Search(Resource="Endpoint")`` (every page, bounded: 100 endpoints per call) gives each
endpoint's status, config, variants (current weights and instance counts) and tags; then one
``DescribeEndpointConfig`` per config (endpoints sharing a config share the call), in a pool of
``workers`` threads. The config's ``ProductionVariants`` name the models (the endpoint does
not). An endpoint whose Search record lacks its config, status or variants is read with
``DescribeEndpoint``. The cost grows with the number of endpoint pages and configs, never with
the number of models: the index is read once, before the models.

When ``Search`` fails or is denied, the index falls back to ``ListEndpoints`` (every page,
bounded) and one ``DescribeEndpoint`` per endpoint, without tags (with :attr:`EndpointIndex.tags`
a message in :attr:`EndpointIndex.problems` says so, unless the fallback is denied too). Either
way the endpoints are kept in name order, so a model's table does not depend on the path.

A missing permission (``AccessDenied``) for any of the listing or describe calls raises
:class:`~omkit_sagemaker.ingest.sources.training.AssetDenied` naming the IAM action (the caller
skips the kind); any other failure of one endpoint or config leaves that endpoint out, with a
message in :attr:`EndpointIndex.problems`.
"""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.assetkinds import ENDPOINTS
from omkit_sagemaker.ingest.sources.answers import AssetDenied, checked_call
from omkit_sagemaker.ingest.sources.answers import items as _items
from omkit_sagemaker.ingest.sources.answers import message as _message
from omkit_sagemaker.ingest.sources.search import Pages

#: The ``--assets`` name of this kind (declared in :mod:`omkit_sagemaker.assetkinds`).
ASSET = ENDPOINTS.name
#: Endpoints per ListEndpoints page (the API's maximum).
PAGE_SIZE = 100
#: Most ListEndpoints pages read (100 endpoints each).
MAX_PAGES = 1000
#: Most variants kept of one endpoint (AWS allows 10).
MAX_VARIANTS = 50
#: Most problems kept word for word.
MAX_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Serving:
    """One variant of one endpoint that serves a model."""

    endpoint: str
    #: ``EndpointStatus`` (``InService``, ``Creating``, ``Failed``, ...).
    status: str
    variant: str
    #: The invocation URL of the endpoint.
    url: str
    #: ``CurrentWeight`` (else the config's ``InitialVariantWeight``).
    weight: float | None = None
    #: ``InstanceType``, or ``serverless`` for a serverless variant.
    instance_type: str | None = None
    #: ``CurrentInstanceCount`` (else the config's ``InitialInstanceCount``).
    instance_count: int | None = None
    #: The endpoint's tags, ``(key, value)`` (with :attr:`EndpointIndex.tags`).
    tags: tuple[tuple[str, str], ...] = ()
    #: ``EndpointArn`` (the ``lineage`` kind finds the endpoint's context in the graph by it;
    #: not part of a serving's identity).
    arn: str | None = field(default=None, compare=False)

    @property
    def in_service(self) -> bool:
        return self.status == "InService"


def invocation_url(region: str, endpoint: str) -> str:
    """Where the endpoint is invoked (``InvokeEndpoint``); China regions use ``.com.cn``."""
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://runtime.sagemaker.{region}.{suffix}/endpoints/{endpoint}/invocations"


@dataclass
class EndpointIndex:
    """The models' servings in the account ``client`` (a boto3 SageMaker client) can see."""

    client: Any
    region: str
    page_size: int = PAGE_SIZE
    #: Endpoints and configs described at once.
    workers: int = 8
    #: Read the endpoints' tags too (one Search page per 100 endpoints).
    tags: bool = False
    #: Model name -> the variants serving it, endpoints in listing order.
    by_model: dict[str, list[Serving]] = field(default_factory=dict)
    #: ``(endpoint, message)`` for each endpoint that could not be read.
    problems: list[tuple[str, str]] = field(default_factory=list)
    #: Configs read (``DescribeEndpointConfig`` answers, or None when it failed).
    _configs: dict[str, dict[str, Any] | None] = field(default_factory=dict, repr=False)
    _config_errors: dict[str, str] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def read(self) -> EndpointIndex:
        """Read every endpoint (``workers`` at a time; the index keeps them in name order);
        raises :class:`AssetDenied` when a call is not allowed."""
        records, no_tags = self._search()
        tags: dict[str, tuple[tuple[str, str], ...]] = {}
        found: dict[str, dict[str, Any]] = {}
        if records is None:
            names = sorted(set(self._names()))
            missing = names
        else:
            names = [name for name, _ in records]
            found = dict(records)
            missing = [name for name in names if not _complete(found[name])]
            if self.tags:
                tags = {name: _tags(record) for name, record in records}
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            fetched = dict(zip(missing, pool.map(self._describe, missing), strict=True))
            described = [fetched[name] if name in fetched else found[name] for name in names]
            denied = next((d for d in described if isinstance(d, AssetDenied)), None)
            if denied is not None:
                raise denied
            configs = {
                d.get("EndpointConfigName")
                for d in described
                if isinstance(d, dict) and isinstance(d.get("EndpointConfigName"), str)
            }
            answers = list(pool.map(self._read_config, sorted(configs)))
        for refused in answers:
            if refused is not None:
                raise refused
        for name, answer in zip(names, described, strict=True):
            if isinstance(answer, str):
                self._problem(name, answer)
            elif isinstance(answer, dict):
                self._endpoint(name, answer, tags.get(name, ()))
        if self.tags and no_tags:
            self._problem("tags", no_tags)
        return self

    def _search(self) -> tuple[list[tuple[str, dict[str, Any]]] | None, str]:
        """``(name, record)`` of every endpoint from ``Search(Resource="Endpoint")`` by name;
        None and why when a page failed (the caller falls back to ListEndpoints)."""
        found: dict[str, dict[str, Any]] = {}
        token: str | None = None
        rules = Pages("Endpoint")
        for _ in range(MAX_PAGES):
            kwargs: dict[str, Any] = {"Resource": "Endpoint", "MaxResults": self.page_size}
            if token:
                kwargs["NextToken"] = token
            try:
                page = self.client.search(**kwargs)
            except Exception as exc:
                return None, f"Search on Endpoint failed: {_message(exc)}; no tags"
            results = _items(page.get("Results"))
            for result in results:
                endpoint = result.get("Endpoint")
                name = endpoint.get("EndpointName") if isinstance(endpoint, dict) else None
                if isinstance(endpoint, dict) and isinstance(name, str) and name:
                    found.setdefault(name, endpoint)
            token = page.get("NextToken")
            if not token:
                break
            why = rules.stop(results, str(token))
            if why is not None:
                self._problem("Search", why)
                break
        return sorted(found.items()), ""

    def _describe(self, name: str) -> dict[str, Any] | str | AssetDenied:
        try:
            return checked_call(
                ASSET,
                ENDPOINTS.action("DescribeEndpoint"),
                self.client.describe_endpoint,
                EndpointName=name,
            )
        except AssetDenied as exc:
            return exc
        except Exception as exc:
            return f"DescribeEndpoint failed: {_message(exc)}"

    def _read_config(self, name: str) -> AssetDenied | None:
        """``DescribeEndpointConfig`` of ``name`` into the cache (a failure included: each
        endpoint on a failed config gets the same problem)."""
        try:
            answer = checked_call(
                ASSET,
                ENDPOINTS.action("DescribeEndpointConfig"),
                self.client.describe_endpoint_config,
                EndpointConfigName=name,
            )
        except AssetDenied as exc:
            return exc
        except Exception as exc:
            with self._lock:
                self._configs[name] = None
                self._config_errors[name] = f"DescribeEndpointConfig {name} failed: {_message(exc)}"
            return None
        with self._lock:
            self._configs[name] = answer
        return None

    def servings(self, model: str) -> tuple[Serving, ...]:
        return tuple(self.by_model.get(model, ()))

    def _names(self) -> list[str]:
        names: list[str] = []
        token: str | None = None
        seen: set[str] = set()
        for _ in range(MAX_PAGES):
            kwargs: dict[str, Any] = {"MaxResults": self.page_size}
            if token:
                kwargs["NextToken"] = token
            page = checked_call(
                ASSET, ENDPOINTS.action("ListEndpoints"), self.client.list_endpoints, **kwargs
            )
            for summary in page.get("Endpoints") or ():
                name = summary.get("EndpointName") if isinstance(summary, dict) else None
                if isinstance(name, str) and name:
                    names.append(name)
            token = page.get("NextToken")
            if not token:
                return names
            if token in seen:
                self._problem("ListEndpoints", "a NextToken repeated: the listing was stopped")
                return names
            seen.add(token)
        self._problem("ListEndpoints", f"more than {MAX_PAGES} pages: the listing was stopped")
        return names

    def _endpoint(
        self, name: str, described: dict[str, Any], tags: tuple[tuple[str, str], ...] = ()
    ) -> None:
        status = described.get("EndpointStatus")
        config_name = described.get("EndpointConfigName")
        if not isinstance(config_name, str):
            self._problem(name, "DescribeEndpoint gave no EndpointConfigName")
            return
        config = self._config(name, config_name)
        if config is None:
            return
        current = {v.get("VariantName"): v for v in _items(described.get("ProductionVariants"))}
        url = invocation_url(self.region, name)
        for variant in _items(config.get("ProductionVariants"))[:MAX_VARIANTS]:
            model, variant_name = variant.get("ModelName"), variant.get("VariantName")
            if not isinstance(model, str) or not isinstance(variant_name, str):
                continue
            now = current.get(variant_name, {})
            weight = _number(now.get("CurrentWeight"), variant.get("InitialVariantWeight"))
            count = _number(now.get("CurrentInstanceCount"), variant.get("InitialInstanceCount"))
            instance_type = variant.get("InstanceType")
            serverless = isinstance(variant.get("ServerlessConfig"), dict)
            if not isinstance(instance_type, str) and serverless:
                instance_type = "serverless"
            self.by_model.setdefault(model, []).append(
                Serving(
                    endpoint=name,
                    status=status if isinstance(status, str) else "Unknown",
                    variant=variant_name,
                    url=url,
                    weight=float(weight) if weight is not None else None,
                    instance_type=instance_type if isinstance(instance_type, str) else None,
                    instance_count=int(count) if count is not None else None,
                    tags=tags,
                    arn=arn if isinstance(arn := described.get("EndpointArn"), str) else None,
                )
            )

    def _config(self, endpoint: str, name: str) -> dict[str, Any] | None:
        """The config ``name``, read by :meth:`read` (None, with a problem, when it failed)."""
        if name in self._config_errors:
            self._problem(endpoint, self._config_errors[name])
        return self._configs.get(name)

    def _problem(self, subject: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((subject, message))


def _complete(record: dict[str, Any]) -> bool:
    """Whether a Search record has what DescribeEndpoint would give (config, status, variants)."""
    return (
        isinstance(record.get("EndpointConfigName"), str)
        and isinstance(record.get("EndpointStatus"), str)
        and isinstance(record.get("ProductionVariants"), list)
    )


def _tags(record: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    pairs = [(t.get("Key"), t.get("Value", "")) for t in _items(record.get("Tags"))]
    return tuple((k, v) for k, v in pairs if isinstance(k, str) and isinstance(v, str))


def _number(*candidates: object) -> float | None:
    for value in candidates:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
    return None
