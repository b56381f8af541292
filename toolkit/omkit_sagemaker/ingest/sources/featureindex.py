"""Feature groups: the ``features`` asset kind.

``Search(Resource="FeatureGroup")`` (every page, bounded; there is no call that lists feature
groups in every SDK and moto has no ``ListFeatureGroups``) names the groups and gives their tags;
one ``DescribeFeatureGroup`` per group gives the authoritative feature definitions and the offline
store. The cost grows with the number of feature groups, never with the number of models: the
index is read once, before the models.

A model's features are those of the feature group it was trained on: a training channel whose
``S3Uri`` lies under the group's offline store (``OfflineStoreConfig.S3StorageConfig
.ResolvedOutputS3Uri`` is a prefix of it, at a ``/`` boundary). The record identifier and the
event time are bookkeeping columns, not features. The offline store's Glue table
(``DataCatalogConfig``) is each feature's source.

A missing permission raises :class:`~omkit_sagemaker.ingest.sources.training.AssetDenied`
naming the action; a group that cannot be described is left out with a message in
:attr:`FeatureIndex.problems`.
"""

from __future__ import annotations

from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from omkit_sagemaker.assetkinds import FEATURES
from omkit_sagemaker.ingest.sources.answers import AssetDenied, checked_call
from omkit_sagemaker.ingest.sources.answers import items as _items
from omkit_sagemaker.ingest.sources.answers import mapping as _mapping
from omkit_sagemaker.ingest.sources.answers import message as _message
from omkit_sagemaker.ingest.sources.answers import tags as _tags
from omkit_sagemaker.ingest.sources.search import Pages

#: The ``--assets`` name of this kind (declared in :mod:`omkit_sagemaker.assetkinds`).
ASSET = FEATURES.name
#: Results per Search page (the API's maximum).
PAGE_SIZE = 100
#: Most Search pages read (100 feature groups each).
MAX_PAGES = 100
#: Most features kept of one group (SageMaker allows 2,500).
MAX_FEATURES = 2500
#: Most problems kept word for word.
MAX_PROBLEMS = 100


@dataclass(frozen=True, slots=True)
class Feature:
    """One feature: its name and SageMaker ``FeatureType`` (``String``, ``Integral``,
    ``Fractional``)."""

    name: str
    type: str


@dataclass(frozen=True, slots=True)
class FeatureGroup:
    """What a model's features need of one feature group."""

    name: str
    arn: str | None = None
    #: ``ResolvedOutputS3Uri`` of the offline store (None: no offline store).
    offline_uri: str | None = None
    #: The offline store's Glue table: ``(catalog, database, table)``.
    glue: tuple[str, str, str] | None = None
    #: The features, in definition order, without the record identifier and event time.
    features: tuple[Feature, ...] = ()
    tags: tuple[tuple[str, str], ...] = ()

    @property
    def account(self) -> str | None:
        """The AWS account of the group (from its ARN)."""
        parts = (self.arn or "").split(":")
        return parts[4] if len(parts) > 5 and parts[4] else None

    def reads(self, uri: str) -> bool:
        """Whether the S3 location ``uri`` lies under this group's offline store."""
        if not self.offline_uri or not uri:
            return False
        base = self.offline_uri.rstrip("/")
        return uri.rstrip("/") == base or uri.startswith(base + "/")


@dataclass
class FeatureIndex:
    """The feature groups the account ``client`` (a boto3 SageMaker client) can see."""

    client: Any
    workers: int = 8
    page_size: int = PAGE_SIZE
    groups: list[FeatureGroup] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)

    def read(self) -> FeatureIndex:
        """Search, then describe each group; raises :class:`AssetDenied`."""
        found = self._search()
        with ThreadPoolExecutor(max_workers=max(1, self.workers)) as pool:
            described = list(pool.map(self._describe, [name for name, _ in found]))
        for (name, tags), answer in zip(found, described, strict=True):
            if isinstance(answer, AssetDenied):
                raise answer
            if isinstance(answer, str):
                self._problem(name, answer)
                continue
            self.groups.append(parse_group(answer, tags))
        return self

    def for_channels(self, uris: Iterable[str]) -> list[FeatureGroup]:
        """The groups whose offline store one of ``uris`` reads, in index order."""
        wanted = [u for u in uris if u]
        return [g for g in self.groups if any(g.reads(u) for u in wanted)]

    def _search(self) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
        found: list[tuple[str, tuple[tuple[str, str], ...]]] = []
        names: set[str] = set()
        token: str | None = None
        rules = Pages("FeatureGroup")
        for _ in range(MAX_PAGES):
            kwargs: dict[str, Any] = {"Resource": "FeatureGroup", "MaxResults": self.page_size}
            if token:
                kwargs["NextToken"] = token
            page = checked_call(ASSET, FEATURES.action("Search"), self.client.search, **kwargs)
            results = _items(page.get("Results"))
            for result in results:
                group = _mapping(result.get("FeatureGroup"))
                name = group.get("FeatureGroupName")
                if isinstance(name, str) and name and name not in names:
                    names.add(name)
                    found.append((name, _tags(group.get("Tags"))))
            token = page.get("NextToken")
            if not token:
                return found
            why = rules.stop(results, str(token))
            if why is not None:
                self._problem("Search", why)
                return found
        self._problem("Search", f"more than {MAX_PAGES} pages: the listing was stopped")
        return found

    def _describe(self, name: str) -> dict[str, Any] | str | AssetDenied:
        try:
            return checked_call(
                ASSET,
                FEATURES.action("DescribeFeatureGroup"),
                self.client.describe_feature_group,
                FeatureGroupName=name,
            )
        except AssetDenied as exc:
            return exc
        except Exception as exc:
            return f"DescribeFeatureGroup failed: {_message(exc)}"

    def _problem(self, subject: str, message: str) -> None:
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append((subject, message))


def parse_group(described: dict[str, Any], tags: tuple[tuple[str, str], ...] = ()) -> FeatureGroup:
    """A :class:`FeatureGroup` from a ``DescribeFeatureGroup`` answer."""
    name = str(described.get("FeatureGroupName") or "")
    skip = {described.get("RecordIdentifierFeatureName"), described.get("EventTimeFeatureName")}
    features = []
    for definition in _items(described.get("FeatureDefinitions"))[:MAX_FEATURES]:
        feature, kind = definition.get("FeatureName"), definition.get("FeatureType")
        if isinstance(feature, str) and feature and feature not in skip and isinstance(kind, str):
            features.append(Feature(feature, kind))
    offline = _mapping(described.get("OfflineStoreConfig"))
    storage = _mapping(offline.get("S3StorageConfig"))
    catalog = _mapping(offline.get("DataCatalogConfig"))
    glue = None
    database, table = catalog.get("Database"), catalog.get("TableName")
    if isinstance(database, str) and database and isinstance(table, str) and table:
        glue = (str(catalog.get("Catalog") or "AwsDataCatalog"), database, table)
    uri = storage.get("ResolvedOutputS3Uri") or storage.get("S3Uri")
    arn = described.get("FeatureGroupArn")
    return FeatureGroup(
        name=name,
        arn=arn if isinstance(arn, str) else None,
        offline_uri=uri if isinstance(uri, str) and uri else None,
        glue=glue,
        features=tuple(features),
        tags=tags,
    )
