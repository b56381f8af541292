"""Lint rules: configs the schemas accept that are still wrong, each with a stable ``R`` code.

One module per family (:mod:`.secrets`, the ``awsConfig`` rules in :mod:`.awsregion`,
:mod:`.awsidentity` and :mod:`.awsendpoint`, :mod:`.omserver`, :mod:`.pipeline`,
:mod:`.environment`, :mod:`.comments`, :mod:`.runner`, :mod:`.coercion`); each
rule is a function registered with :func:`~.rulebook.rule` together with its code, name,
severity, summary, hint, and a failing and a passing example. ``docs/rules.md`` is generated from
them (:func:`~.catalogue.markdown`) and the tests run every example, so the two cannot drift.
A new rule goes into the module of its family (or a new module imported below) with the next
free code. Messages never show a secret's value. AWS regions come from
``base/data/aws_regions.json`` (see :mod:`omkit_sagemaker.base.regiondata`): validation never
imports botocore. May import omkit_sagemaker.check's loader and versions, .spec and .base.
"""

from __future__ import annotations

from omkit_sagemaker.check.rules import (
    awsendpoint,
    awsidentity,
    awsregion,
    coercion,
    comments,
    environment,
    omserver,
    pipeline,
    runner,
    secrets,
)
from omkit_sagemaker.check.rules.awsregion import aws_regions as aws_regions
from omkit_sagemaker.check.rules.catalogue import RuleEntry as RuleEntry
from omkit_sagemaker.check.rules.catalogue import catalogue as catalogue
from omkit_sagemaker.check.rules.catalogue import catalogue_json as catalogue_json
from omkit_sagemaker.check.rules.catalogue import catalogue_text as catalogue_text
from omkit_sagemaker.check.rules.catalogue import markdown as markdown
from omkit_sagemaker.check.rules.pipeline import SINK_TYPES as SINK_TYPES
from omkit_sagemaker.check.rules.reading import PLACEHOLDERS as PLACEHOLDERS
from omkit_sagemaker.check.rules.rulebook import RULES as RULES
from omkit_sagemaker.check.rules.rulebook import Finding as Finding
from omkit_sagemaker.check.rules.rulebook import Rule as Rule
from omkit_sagemaker.check.rules.rulebook import rule as rule
from omkit_sagemaker.check.rules.rulebook import run as run

# The families register in import order; the catalogue and the diagnostics list rules by code.
_FAMILIES = (
    secrets,
    awsregion,
    awsidentity,
    awsendpoint,
    omserver,
    pipeline,
    environment,
    comments,
    runner,
    coercion,
)
_ordered = sorted(RULES.items())
RULES.clear()
RULES.update(_ordered)
