"""The Model Registry: the ``registry`` asset kind.

Each model package group becomes one MlModel (see
:mod:`omkit_sagemaker.ingest.kinds.registry_groups` for its
fields). The whole registry is read with two kinds of call, so the cost grows with the number of
groups and versions, never once per group:

* ``Search(Resource="ModelPackageGroup")``: every group, with its description, creation time
  and tags (``ListTags`` is not needed);
* ``Search(Resource="ModelPackage")``: every version of every group, with what
  ``DescribeModelPackage`` gives (approval status, containers, model metrics, customer
  metadata). Unversioned packages (no group) are left out.

Both follow ``NextToken`` for at most :data:`MAX_PAGES` pages of 100; a repeated token or a
server that never stops ends the reading with :attr:`RegistryIndex.complete` false (soft-deletes
of registry entities are then blocked). A group keeps its :data:`MAX_VERSIONS` newest versions.
``Search`` answers from SageMaker's search index, which lags a change by seconds.

A missing permission (``AccessDenied``) raises
:class:`~omkit_sagemaker.ingest.sources.training.AssetDenied` naming ``sagemaker:Search``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from omkit_sagemaker.assetkinds import REGISTRY
from omkit_sagemaker.ingest.sources.answers import (
    DENIED_CODES,
    AssetDenied,
    error_code,
)
from omkit_sagemaker.ingest.sources.answers import items as _items
from omkit_sagemaker.ingest.sources.answers import mapping as _mapping
from omkit_sagemaker.ingest.sources.answers import message as _message
from omkit_sagemaker.ingest.sources.answers import tags as _tags
from omkit_sagemaker.ingest.sources.answers import text as _text
from omkit_sagemaker.ingest.sources.search import Pages

#: The ``--assets`` name of this kind (declared in :mod:`omkit_sagemaker.assetkinds`).
ASSET = REGISTRY.name
#: Results per Search page (the API's maximum).
PAGE_SIZE = 100
#: Most Search pages read per resource type (100 results each).
MAX_PAGES = 1000
#: Most versions kept of one group (the newest).
MAX_VERSIONS = 100
#: Most model-metrics URIs and customer-metadata entries kept of one version.
MAX_ITEMS = 20


@dataclass(frozen=True, slots=True)
class PackageVersion:
    """One version of a model package group."""

    version: int
    status: str
    created: datetime | None = None
    image: str | None = None
    model_data_url: str | None = None
    #: ``(where, S3Uri)`` of the version's ``ModelMetrics`` (``ModelQuality.Statistics``, ...).
    metrics: tuple[tuple[str, str], ...] = ()
    #: ``CustomerMetadataProperties``, sorted by key.
    metadata: tuple[tuple[str, str], ...] = ()

    @property
    def approved(self) -> bool:
        return self.status == "Approved"


@dataclass
class PackageGroup:
    """One model package group and its versions, newest first."""

    name: str
    arn: str | None = None
    description: str | None = None
    created: datetime | None = None
    tags: tuple[tuple[str, str], ...] = ()
    versions: list[PackageVersion] = field(default_factory=list)
    #: Versions beyond :data:`MAX_VERSIONS` that were not kept.
    dropped: int = 0

    def chosen(self) -> PackageVersion | None:
        """The version the group's MlModel carries: the newest Approved one, else the newest."""
        for version in self.versions:
            if version.approved:
                return version
        return self.versions[0] if self.versions else None


@dataclass
class RegistryIndex:
    """The model package groups the account ``client`` (a boto3 SageMaker client) can see."""

    client: Any
    page_size: int = PAGE_SIZE
    max_pages: int = MAX_PAGES
    groups: dict[str, PackageGroup] = field(default_factory=dict)
    #: True once both searches were read to the end.
    complete: bool = False
    #: ``(subject, message)`` of what could not be read.
    problems: list[tuple[str, str]] = field(default_factory=list)

    def read(self) -> RegistryIndex:
        """Read the groups, then their versions; raises :class:`AssetDenied`."""
        groups, whole_groups = self._search("ModelPackageGroup")
        for record in groups:
            group = _group(_mapping(record.get("ModelPackageGroup")))
            if group is not None:
                self.groups.setdefault(group.name, group)
        packages, whole_packages = self._search("ModelPackage")
        for record in packages:
            package = _mapping(record.get("ModelPackage"))
            group_name = package.get("ModelPackageGroupName")
            version = _version(package)
            if not isinstance(group_name, str) or version is None:
                continue  # an unversioned package
            group = self.groups.get(group_name)
            if group is None:  # the group's search lagged behind: keep the version anyway
                group = self.groups.setdefault(group_name, PackageGroup(group_name))
            group.versions.append(version)
        for group in self.groups.values():
            unique = {v.version: v for v in group.versions}
            ordered = sorted(unique.values(), key=lambda v: v.version, reverse=True)
            group.versions = ordered[:MAX_VERSIONS]
            group.dropped = len(ordered) - len(group.versions)
        self.complete = whole_groups and whole_packages
        return self

    def _search(self, resource: str) -> tuple[list[dict[str, Any]], bool]:
        """Every result of ``Search(Resource=resource)``, page after page (bounded), and
        whether the last page was reached."""
        found: list[dict[str, Any]] = []
        token: str | None = None
        rules = Pages(resource)
        for _ in range(self.max_pages):
            kwargs: dict[str, Any] = {"Resource": resource, "MaxResults": self.page_size}
            if token:
                kwargs["NextToken"] = token
            try:
                page = self.client.search(**kwargs)
            except Exception as exc:
                if error_code(exc) in DENIED_CODES:
                    raise AssetDenied(ASSET, REGISTRY.action("Search"), _message(exc)) from None
                self.problems.append((resource, f"Search failed: {_message(exc)}"))
                return found, False
            results = _items(page.get("Results"))
            found += results
            token = page.get("NextToken")
            if not token:
                return found, True
            why = rules.stop(results, str(token))
            if why is not None:
                self.problems.append((resource, why))
                return found, False
        self.problems.append((resource, f"Search gave more than {self.max_pages} pages"))
        return found, False


def _group(described: dict[str, Any]) -> PackageGroup | None:
    name = described.get("ModelPackageGroupName")
    if not isinstance(name, str) or not name:
        return None
    created = described.get("CreationTime")
    return PackageGroup(
        name=name,
        arn=_text(described.get("ModelPackageGroupArn")),
        description=_text(described.get("ModelPackageGroupDescription")),
        created=created if isinstance(created, datetime) else None,
        tags=_tags(described.get("Tags")),
    )


def _version(package: dict[str, Any]) -> PackageVersion | None:
    number = package.get("ModelPackageVersion")
    if not isinstance(number, int) or isinstance(number, bool):
        return None
    containers = _items(_mapping(package.get("InferenceSpecification")).get("Containers"))
    first = containers[0] if containers else {}
    created = package.get("CreationTime")
    metadata = _mapping(package.get("CustomerMetadataProperties"))
    return PackageVersion(
        version=number,
        status=_text(package.get("ModelApprovalStatus")) or "Unknown",
        created=created if isinstance(created, datetime) else None,
        image=_text(first.get("Image")),
        model_data_url=_text(first.get("ModelDataUrl")),
        metrics=tuple(_metric_uris(_mapping(package.get("ModelMetrics"))))[:MAX_ITEMS],
        metadata=tuple(
            sorted((k, v) for k, v in metadata.items() if isinstance(k, str) and isinstance(v, str))
        )[:MAX_ITEMS],
    )


def _metric_uris(metrics: dict[str, Any], where: str = "") -> list[tuple[str, str]]:
    """``(ModelQuality.Statistics, s3://...)`` for each ``S3Uri`` in ``ModelMetrics`` (two levels
    deep, as the API nests them)."""
    out: list[tuple[str, str]] = []
    for key, value in metrics.items():
        if not isinstance(value, dict):
            continue
        path = f"{where}.{key}" if where else key
        uri = value.get("S3Uri")
        if isinstance(uri, str) and uri:
            out.append((path, uri))
        elif not where:
            out += _metric_uris(value, path)
    return out
