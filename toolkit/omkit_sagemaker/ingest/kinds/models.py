"""The ``models`` kind: always read, since the other kinds only add to the models, which are
what OpenMetadata stores. ``Search`` (100 models with their tags per call) where allowed, else
``ListModels``, ``DescribeModel``, ``ListTags``: the reading is the models source
(:mod:`omkit_sagemaker.ingest.sources.sagemaker`), driven by the workflow itself, and
``test-connection`` has its own model steps; so this kind adds nothing at any moment.
"""

from __future__ import annotations

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest.kinds.assetkind import AssetKind


class Models(AssetKind):
    """The models themselves."""

    declared = assetkinds.MODELS


KIND = Models()
