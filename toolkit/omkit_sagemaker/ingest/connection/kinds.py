"""``test-connection --assets``: one step per asset kind of ``omkit run --assets``, after the
model steps, in the declared order (:data:`omkit_sagemaker.assetkinds.DECLARED`). Each makes the
cheapest call of its kind (its :meth:`~omkit_sagemaker.ingest.kinds.assetkind.AssetKind.probe`, in
its module in ``ingest/kinds/``) and is optional (a WARN, as a run skips a denied kind with a
warning and goes on). ``models`` has its own steps.
"""

from __future__ import annotations

import time
from collections.abc import Collection
from typing import Any

from omkit_sagemaker.ingest.connection.recorder import Recorder
from omkit_sagemaker.ingest.kinds.run import chosen


def check_kinds(rec: Recorder, client: Any, kinds: Collection[str]) -> None:
    """One step per kind of ``kinds`` that has one, in the declared order."""
    for kind in chosen(kinds):
        action = kind.probe_action
        if action is None:
            continue
        name = kind.declared.name
        start = time.monotonic()
        try:
            detail = kind.probe(client)
        except Exception as exc:
            hint = (
                f"omkit run will skip {name} with a warning: allow {action} "
                "(omkit policy sagemaker), or leave it out of --assets"
            )
            rec.failed(name, start, exc, hint, mandatory=False)
            continue
        rec.ok(name, start, detail, mandatory=False)
