"""The steps of ``test-connection``, in the order they run: the config, the AWS steps
(credentials, sts:AssumeRole, ListModels, DescribeModel, ListTags) and OpenMetadata."""

from __future__ import annotations

import time
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.ingest import awsclient
from omkit_sagemaker.ingest.connection.hints import AwsHints, om_hint
from omkit_sagemaker.ingest.connection.kinds import check_kinds
from omkit_sagemaker.ingest.connection.recorder import (
    AWS_STEPS,
    LOGGED_IN_USER,
    STEP_ASSUME_ROLE,
    STEP_CONFIG,
    STEP_CREDENTIALS,
    STEP_DESCRIBE_MODEL,
    STEP_LIST_MODELS,
    STEP_LIST_TAGS,
    STEP_OPENMETADATA,
    Recorder,
    StepResult,
    StepStatus,
    seconds_since,
)

if TYPE_CHECKING:
    from omkit_sagemaker.check.settings import Settings
    from omkit_sagemaker.spec.models.aws_credentials import AwsCredentials
    from omkit_sagemaker.spec.models.workflow import Workflow


def check_config(
    rec: Recorder, path: Path, environ: Mapping[str, str] | None, settings: Settings | None
) -> Workflow | None:
    from omkit_sagemaker.base.diagnostics import Severity
    from omkit_sagemaker.check.loader import load_file
    from omkit_sagemaker.check.validate import check_file
    from omkit_sagemaker.spec.modelbase import ModelError, without_nulls
    from omkit_sagemaker.spec.models.workflow import Workflow

    start = time.monotonic()
    found = check_file(path, environ=environ, settings=settings)
    errors = [d for d in found if d.severity is Severity.ERROR]
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        detail = f"{first.file}:{first.line}:{first.column}: {first.message}{more}"
        hint = f"fix the config first; omkit validate {path} lists every problem"
        rec.add(
            StepResult(STEP_CONFIG, StepStatus.FAIL, seconds_since(start), detail, first.code, hint)
        )
        return None
    loaded = load_file(path, environ=environ)
    try:
        if loaded.document is None:  # cannot happen after a clean check; be safe
            raise ModelError("", "the file cannot be read")
        workflow = Workflow.from_dict(without_nulls(loaded.document.data))
    except ModelError as exc:
        hint = f"omkit validate {path} lists every problem"
        rec.add(
            StepResult(STEP_CONFIG, StepStatus.FAIL, seconds_since(start), str(exc), "model", hint)
        )
        return None
    rec.redact.add_model(workflow)
    warnings = len(found)
    note = f" ({warnings} warning{'s' if warnings != 1 else ''}: see omkit validate)"
    rec.ok(STEP_CONFIG, start, f"{path} is valid" + (note if warnings else ""))
    return workflow


# ---- 2-6. AWS ------------------------------------------------------------------------------


def check_aws(rec: Recorder, cfg: AwsCredentials, kinds: Collection[str] = ()) -> None:
    """The AWS steps, then one per asset kind of ``kinds`` (:mod:`.kinds`)."""
    config = awsclient.client_config(rec.timeout, rec.max_attempts)
    hints = AwsHints(cfg, rec.timeout)
    session = _session(rec, cfg, config, hints)
    if session is None:
        return
    start = time.monotonic()
    try:
        client = awsclient.sagemaker_client(session, cfg, config=config)
        listed = client.list_models(MaxResults=100)
    except Exception as exc:
        rec.failed(STEP_LIST_MODELS, start, exc, hints.hint(exc, STEP_LIST_MODELS))
        _skip_after(rec, STEP_LIST_MODELS)
        return
    models = [m for m in listed.get("Models") or [] if isinstance(m, dict)]
    count = f"{len(models)}{'+' if listed.get('NextToken') else ''}"
    where = f"in {cfg.awsRegion} at {client.meta.endpoint_url}"
    if not models:
        rec.ok(STEP_LIST_MODELS, start, f"no models {where}")
        note = f"no model in {cfg.awsRegion} to describe; checked once one exists"
        rec.skip(STEP_DESCRIBE_MODEL, note)
        rec.skip(STEP_LIST_TAGS, note.replace("describe", "read tags of"), mandatory=False)
    else:
        plural = "model" if count == "1" else "models"
        rec.ok(STEP_LIST_MODELS, start, f"{count} {plural} {where}")
        _read_model(rec, client, models[0], hints)
    check_kinds(rec, client, kinds)


def _session(rec: Recorder, cfg: AwsCredentials, config: Any, hints: AwsHints) -> Any | None:
    """The credentials step and the ``sts:AssumeRole`` one: the session that calls SageMaker,
    or None when a step failed (the steps after it are skipped)."""
    start = time.monotonic()
    try:
        session = awsclient.base_session(cfg)
        rec.redact.add_session(session)
        info = awsclient.credential_info(session)
    except Exception as exc:
        rec.failed(STEP_CREDENTIALS, start, exc, hints.hint(exc, STEP_CREDENTIALS))
        _skip_after(rec, STEP_CREDENTIALS)
        return None
    rec.ok(STEP_CREDENTIALS, start, info.description)
    if not cfg.assumeRoleArn:
        rec.skip(STEP_ASSUME_ROLE, "no assumeRoleArn in awsConfig", mandatory=False)
        return session
    start = time.monotonic()
    try:
        session = awsclient.assume_role(session, cfg, config=config)
        rec.redact.add_session(session)
    except Exception as exc:
        rec.failed(STEP_ASSUME_ROLE, start, exc, hints.hint(exc, STEP_ASSUME_ROLE))
        _skip_after(rec, STEP_ASSUME_ROLE)
        return None
    rec.ok(STEP_ASSUME_ROLE, start, awsclient.assumed_role_info(cfg).description)
    return session


def _read_model(rec: Recorder, client: Any, listed: dict[str, Any], hints: AwsHints) -> None:
    """The ``DescribeModel`` and ``ListTags`` steps, on the first model listed."""
    name = str(listed.get("ModelName") or "")
    arn = str(listed.get("ModelArn") or "")
    start = time.monotonic()
    try:
        described = client.describe_model(ModelName=name)
        arn = str(described.get("ModelArn") or arn)
        rec.ok(STEP_DESCRIBE_MODEL, start, f"model '{name}'")
    except Exception as exc:
        rec.failed(STEP_DESCRIBE_MODEL, start, exc, hints.hint(exc, STEP_DESCRIBE_MODEL))
    start = time.monotonic()
    try:
        tags = client.list_tags(ResourceArn=arn).get("Tags") or []
        label = "tag" if len(tags) == 1 else "tags"
        rec.ok(STEP_LIST_TAGS, start, f"{len(tags)} {label} on '{name}'", mandatory=False)
    except Exception as exc:
        hint = hints.hint(exc, STEP_LIST_TAGS) or "models will be ingested without tags"
        rec.failed(STEP_LIST_TAGS, start, exc, hint, mandatory=False)


def _skip_after(rec: Recorder, failed: str) -> None:
    for name in AWS_STEPS[AWS_STEPS.index(failed) + 1 :]:
        rec.skip(name, f"not run: {failed} failed", mandatory=name != STEP_LIST_TAGS)


# ---- 7. OpenMetadata -----------------------------------------------------------------------


def check_openmetadata(rec: Recorder, workflow: Workflow, *, check_service: bool) -> None:
    """The OpenMetadata step: the server's version, the token (the logged-in user) and, with
    ``check_service``, that the service exists (the config cannot create it)."""
    from omkit_sagemaker.ingest.openmetadata import OpenMetadataClient, OpenMetadataError

    server = workflow.workflowConfig.openMetadataServerConfig
    start = time.monotonic()
    step = "GET /system/version"
    try:
        client = OpenMetadataClient(server, timeout=rec.timeout, retries=rec.max_attempts - 1)
        version = client.version()
        step = f"GET {LOGGED_IN_USER}"
        user = client.get(LOGGED_IN_USER)
        who = ""
        if isinstance(user, dict) and isinstance(user.get("name"), str):
            who = f" as {user['name']}" + (" (bot)" if user.get("isBot") else "")
        detail = f"server {version} at {server.hostPort}; token accepted{who}"
        if check_service:
            step = "GET /services/mlmodelServices/name/..."
            name = workflow.source.serviceName
            if client.get(f"/services/mlmodelServices/name/{_quote(name)}") is None:
                rec.add(_no_service(start, version, name))
                return
            detail += f"; service '{name}' exists"
    except OpenMetadataError as exc:
        status = exc.status
        rec.add(
            StepResult(
                STEP_OPENMETADATA,
                StepStatus.FAIL,
                seconds_since(start),
                exc.message,
                code=f"HTTP {status}" if status is not None else "ConnectionError",
                hint=om_hint(status, step, server.hostPort, rec.timeout),
                http_status=status,
            )
        )
        return
    except Exception as exc:  # a bug or an odd config: one line, no traceback
        message = " ".join(str(exc).split())[:300] or type(exc).__name__
        rec.add(
            StepResult(
                STEP_OPENMETADATA,
                StepStatus.FAIL,
                seconds_since(start),
                message,
                code=type(exc).__name__,
            )
        )
        return
    rec.ok(STEP_OPENMETADATA, start, detail)


def _no_service(start: float, version: str, name: str) -> StepResult:
    """The failed step of a service that does not exist in OpenMetadata."""
    return StepResult(
        STEP_OPENMETADATA,
        StepStatus.FAIL,
        seconds_since(start),
        f"server {version}: no ML model service named '{name}'",
        code="HTTP 404",
        hint="add source.serviceConnection to the config, or create the "
        "service in OpenMetadata first",
        http_status=404,
    )


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")
