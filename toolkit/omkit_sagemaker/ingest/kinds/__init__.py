"""The behaviour of each SageMaker asset kind of ``omkit run --assets``: one module per kind.

* :mod:`~omkit_sagemaker.ingest.kinds.assetkind`: the :class:`AssetKind` protocol every kind
  implements, and :class:`RunAssets`, what a run read of the kinds;
* one module per kind, named after it (``-`` -> ``_``), holding its ``KIND``: ``models``,
  ``training_jobs``, ``endpoints``, ``registry`` (its group requests in ``registry_groups``),
  ``features`` (the features in ``features_map``, the lineage edges in ``features_lineage``);
* :mod:`~omkit_sagemaker.ingest.kinds.run`: the moments of a run that call every kind chosen.

Which kinds exist, their IAM actions and policy statement, is declared once, in
:data:`omkit_sagemaker.assetkinds.DECLARED`; :func:`behaviour` finds a declared kind's module by
its name. Reading SageMaker stays in :mod:`omkit_sagemaker.ingest.sources` (the models source
uses the training-job reader too).

Imports: a kind module imports ``base``, modules of its own kind (``registry`` ->
``registry_groups``) and the rest of ``ingest`` below it (sources, mapping, sinks), never
another kind, ``run``, nor what calls the kinds (``workflow``, ``connection``);
``tests/test_architecture.py`` holds this.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, cast

if TYPE_CHECKING:
    from omkit_sagemaker.assetkinds import KindDeclaration
    from omkit_sagemaker.ingest.kinds.assetkind import AssetKind


def behaviour(declared: KindDeclaration) -> AssetKind:
    """The ``KIND`` of the module of ``declared`` (``ingest/kinds/<name>.py``)."""
    module = importlib.import_module(f"{__name__}.{declared.module}")
    kind = cast("AssetKind", module.KIND)
    if kind.declared is not declared:
        raise LookupError(f"{module.__name__}.KIND is not the kind declared as {declared.name!r}")
    return kind
