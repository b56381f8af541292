"""``test-connection --assets``: one step per asset kind of ``omkit run --assets``, after the
model steps. Each makes the cheapest call of its kind and is optional (a WARN, as a run skips a
denied kind with a warning and goes on):

* ``training-jobs``: ``DescribeTrainingJob`` of a job that does not exist (the "not found"
  answer proves the call is allowed);
* ``endpoints``: ``ListEndpoints`` (one result);
* ``registry``: ``Search`` on ``ModelPackageGroup`` (one result);
* ``features``: ``Search`` on ``FeatureGroup`` (one result).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection
from typing import Any

from omkit_sagemaker import assetkinds
from omkit_sagemaker.ingest import aws
from omkit_sagemaker.ingest.connection.results import Recorder

#: The job name the training-jobs step asks for (SageMaker answers "not found").
PROBE_JOB = "omkit-test-connection-probe"
_NOT_FOUND = frozenset({"ValidationException", "ResourceNotFound"})


def _training(client: Any) -> str:
    try:
        client.describe_training_job(TrainingJobName=PROBE_JOB)
    except Exception as exc:
        if aws.aws_error(exc)[0] not in _NOT_FOUND:
            raise
    return "sagemaker:DescribeTrainingJob allowed"


def _endpoints(client: Any) -> str:
    page = client.list_endpoints(MaxResults=1)
    more = "+" if page.get("NextToken") else ""
    return f"sagemaker:ListEndpoints allowed ({len(page.get('Endpoints') or [])}{more} seen)"


def _search(resource: str) -> Callable[[Any], str]:
    def probe(client: Any) -> str:
        page = client.search(Resource=resource, MaxResults=1)
        more = "+" if page.get("NextToken") else ""
        found = len(page.get("Results") or [])
        return f"sagemaker:Search on {resource} allowed ({found}{more} seen)"

    return probe


#: Kind -> (the action a denial names, the probe).
PROBES: dict[str, tuple[str, Callable[[Any], str]]] = {
    "training-jobs": ("sagemaker:DescribeTrainingJob", _training),
    "endpoints": ("sagemaker:ListEndpoints", _endpoints),
    "registry": ("sagemaker:Search", _search("ModelPackageGroup")),
    "features": ("sagemaker:Search", _search("FeatureGroup")),
}


def check_kinds(rec: Recorder, client: Any, kinds: Collection[str]) -> None:
    """One step per kind of ``kinds`` that has a probe, in the declared order
    (:data:`omkit_sagemaker.assetkinds.DECLARED`; ``models`` has its own steps)."""
    for declared in assetkinds.DECLARED:
        kind = declared.name
        if kind not in kinds or kind not in PROBES:
            continue
        action, probe = PROBES[kind]
        start = time.monotonic()
        try:
            detail = probe(client)
        except Exception as exc:
            hint = (
                f"omkit run will skip {kind} with a warning: allow {action} "
                "(omkit policy sagemaker), or leave it out of --assets"
            )
            rec.failed(kind, start, exc, hint, mandatory=False)
            continue
        rec.ok(kind, start, detail, mandatory=False)
