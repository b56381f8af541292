"""The checks behind ``omkit test-connection``: can this config reach AWS and OpenMetadata?

:func:`check_connection` runs the steps below in order and returns one :class:`StepResult` per
step; it never prints and never raises for a network or AWS problem (those become failed steps).

1. ``config``: the file passes ``omkit validate`` (same engine); stop here if not.
2. ``credentials``: the base AWS session finds credentials; says where from, never what.
3. ``sts:AssumeRole``: only when ``assumeRoleArn`` is set.
4. ``sagemaker:ListModels``: mandatory.
5. ``sagemaker:DescribeModel`` on the first model: mandatory; skipped when there is none.
6. ``sagemaker:ListTags`` on that model: optional, a failure is a warning (tags will be missing).
7. ``openmetadata``: ``GET /system/version`` answers, then an authenticated call
   (``GET /users/loggedInUser``) accepts the JWT. Left out with ``openmetadata=False``.

A step that fails gives the AWS (or HTTP) error code and a hint naming the fix. Nothing in a
result ever holds a secret: every text is scrubbed of the config's secret values and of the
credentials boto3 resolved, and botocore's logging is left alone (never turned on here).

The renderers (:func:`render_plain`, :func:`render_json`, :func:`render_line`) return the text
the CLI prints; the CLI draws the terminal's table itself.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from omkit_sagemaker.ingest import awsclient
from omkit_sagemaker.ingest.connection.display import (
    render_json,
    render_line,
    render_plain,
    summary,
)
from omkit_sagemaker.ingest.connection.recorder import (
    AWS_STEPS,
    STEPS,
    Recorder,
    StepResult,
    StepStatus,
    succeeded,
)
from omkit_sagemaker.ingest.connection.steps import check_aws, check_config, check_openmetadata

if TYPE_CHECKING:
    from omkit_sagemaker.check.settings import Settings

__all__ = [
    "STEPS",
    "StepResult",
    "StepStatus",
    "check_connection",
    "render_json",
    "render_line",
    "render_plain",
    "succeeded",
    "summary",
]


def check_connection(
    path: str | Path,
    *,
    timeout: float = awsclient.DEFAULT_TIMEOUT,
    max_attempts: int = awsclient.DEFAULT_MAX_ATTEMPTS,
    openmetadata: bool = True,
    environ: Mapping[str, str] | None = os.environ,
    settings: Settings | None = None,
    on_step: Callable[[StepResult], None] | None = None,
    assets: Collection[str] = (),
) -> list[StepResult]:
    """Run the steps on the config file ``path`` and return their results, in order.

    ``timeout`` bounds each connection attempt and each wait for an answer; AWS calls are tried
    at most ``max_attempts`` times, OpenMetadata calls as often. ``environ`` expands ``$VAR``
    references as ``omkit validate`` does (None: no expansion); ``settings`` as for
    :func:`omkit_sagemaker.check.validate.check_file`. ``on_step`` is called with each result as
    soon as it is known (to print progress). ``assets``: the asset kinds of ``omkit run
    --assets`` that get a step each, after the model steps
    (:mod:`omkit_sagemaker.ingest.connection.kinds`). Raises
    ``omkit_sagemaker.check.settings.SettingsError`` for unreadable omkit settings; every other
    problem is a failed step.
    """
    run = Recorder(timeout, max_attempts, on_step)
    workflow = check_config(run, Path(path), environ, settings)
    if workflow is None:
        return run.results
    connection = workflow.source.serviceConnection
    if connection is None:
        note = (
            "no source.serviceConnection in the config: the run uses the connection stored in "
            f"OpenMetadata for service '{workflow.source.serviceName}'"
        )
        for name in AWS_STEPS:
            run.skip(name, note)
    else:
        check_aws(run, connection.config.awsConfig, assets)
    if openmetadata:
        check_openmetadata(run, workflow, check_service=connection is None)
    return run.results


# -- the steps -----------------------------------------------------------------------------------
