"""Feature groups -> a model's ``mlFeatures`` (``MlFeature`` and ``FeatureSource``, the same in
1.1 and 2.0).

* ``MlFeature``: ``name`` (the feature), ``dataType`` from SageMaker's ``FeatureType``
  (``String`` -> ``categorical``, ``Integral`` and ``Fractional`` -> ``numerical``),
  ``description`` naming the feature group, and one ``featureSources`` entry;
* ``FeatureSource``: ``name`` (the column of the offline store's Glue table, which is the
  feature's name), ``dataType`` (``String`` -> ``string``, ``Integral`` -> ``integer``,
  ``Fractional`` -> ``number``), ``description`` naming the Glue table, and, when the table was
  found in OpenMetadata (``omkit run --lineage-service``), ``dataSource``: the table's
  ``EntityReference`` (``{id, type: "table"}``), which the lineage edges start from.

A feature of an unknown ``FeatureType`` keeps its name, without ``dataType``. When a model reads
several groups, a feature name is kept once (the first group's).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from omkit_sagemaker.ingest.sources.featureindex import FeatureGroup

#: SageMaker ``FeatureType`` -> ``MlFeature.dataType`` (``FeatureType`` in OpenMetadata).
FEATURE_TYPES = {"String": "categorical", "Integral": "numerical", "Fractional": "numerical"}
#: SageMaker ``FeatureType`` -> ``FeatureSource.dataType`` (``FeatureSourceDataType``).
SOURCE_TYPES = {"String": "string", "Integral": "integer", "Fractional": "number"}

#: Finds the OpenMetadata table of a group's Glue table: its ``EntityReference``, or None.
TableLookup = Callable[[FeatureGroup], dict[str, Any] | None]


def glue_name(group: FeatureGroup) -> str | None:
    """``database.table`` of the group's offline store (None without one)."""
    return f"{group.glue[1]}.{group.glue[2]}" if group.glue is not None else None


def ml_features(
    groups: Sequence[FeatureGroup], table: TableLookup | None = None
) -> list[dict[str, Any]]:
    """The ``mlFeatures`` of a model trained on ``groups``."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for group in groups:
        reference = table(group) if table is not None and group.glue is not None else None
        where = glue_name(group)
        for feature in group.features:
            if feature.name in seen:
                continue
            seen.add(feature.name)
            item: dict[str, Any] = {"name": feature.name}
            if feature.type in FEATURE_TYPES:
                item["dataType"] = FEATURE_TYPES[feature.type]
            item["description"] = f"Feature of the SageMaker feature group `{group.name}`."
            if where is not None:
                source: dict[str, Any] = {"name": feature.name}
                if feature.type in SOURCE_TYPES:
                    source["dataType"] = SOURCE_TYPES[feature.type]
                source["description"] = f"Column of the Glue table `{where}` (offline store)."
                if reference is not None:
                    source["dataSource"] = reference
                item["featureSources"] = [source]
            out.append(item)
    return out
