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

The renderers at the end (:func:`render_plain`, :func:`render_json`, :func:`print_table`) are
what the CLI prints.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit import aws

if TYPE_CHECKING:
    from rich.console import Console

    from toolkit.models.aws_credentials import AwsCredentials
    from toolkit.models.workflow import Workflow
    from toolkit.settings import Settings

__all__ = [
    "STEPS",
    "Status",
    "StepResult",
    "check_connection",
    "print_table",
    "render_json",
    "render_plain",
    "succeeded",
    "summary",
]

STEP_CONFIG = "config"
STEP_CREDENTIALS = "credentials"
STEP_ASSUME_ROLE = "sts:AssumeRole"
STEP_LIST_MODELS = "sagemaker:ListModels"
STEP_DESCRIBE_MODEL = "sagemaker:DescribeModel"
STEP_LIST_TAGS = "sagemaker:ListTags"
STEP_OPENMETADATA = "openmetadata"
#: Every step, in the order they run.
STEPS: tuple[str, ...] = (
    STEP_CONFIG,
    STEP_CREDENTIALS,
    STEP_ASSUME_ROLE,
    STEP_LIST_MODELS,
    STEP_DESCRIBE_MODEL,
    STEP_LIST_TAGS,
    STEP_OPENMETADATA,
)
_AWS_STEPS = STEPS[1:6]

#: What a secret looks like in any text this module produces.
MASK = "**********"
#: The authenticated call of the OpenMetadata step (relative to hostPort + apiVersion).
LOGGED_IN_USER = "/users/loggedInUser"


class Status(str, Enum):
    """The outcome of one step."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIP = "skip"


@dataclass(frozen=True)
class StepResult:
    """One step: its outcome, how long it took (seconds; 0 when it did not run), what it found or
    what went wrong, the error code (AWS code, ``HTTP 401``, ...), and the fix."""

    name: str
    status: Status
    duration: float = 0.0
    detail: str = ""
    code: str | None = None
    hint: str | None = None
    #: HTTP status of the failed call, when an answer came back.
    http_status: int | None = None
    #: False for ListTags: its failure is only a warning.
    mandatory: bool = True

    def to_dict(self) -> dict[str, Any]:
        """The result as plain JSON data."""
        return {
            "name": self.name,
            "status": self.status.value,
            "duration": round(self.duration, 3),
            "detail": self.detail,
            "code": self.code,
            "hint": self.hint,
            "http_status": self.http_status,
            "mandatory": self.mandatory,
        }


def succeeded(results: Iterable[StepResult]) -> bool:
    """True when no step failed (warnings and skipped steps are fine): exit status 0."""
    return not any(r.status is Status.FAIL for r in results)


def check_connection(
    path: str | Path,
    *,
    timeout: float = aws.DEFAULT_TIMEOUT,
    max_attempts: int = aws.DEFAULT_MAX_ATTEMPTS,
    openmetadata: bool = True,
    environ: Mapping[str, str] | None = os.environ,
    settings: Settings | None = None,
    on_step: Callable[[StepResult], None] | None = None,
) -> list[StepResult]:
    """Run the steps on the config file ``path`` and return their results, in order.

    ``timeout`` bounds each connection attempt and each wait for an answer; AWS calls are tried
    at most ``max_attempts`` times, OpenMetadata calls as often. ``environ`` expands ``$VAR``
    references as ``omkit validate`` does (None: no expansion); ``settings`` as for
    :func:`toolkit.validate.check_file`. ``on_step`` is called with each result as soon as it is
    known (to print progress). Raises ``toolkit.settings.SettingsError`` for unreadable omkit
    settings; every other problem is a failed step.
    """
    run = _Run(timeout, max_attempts, on_step)
    workflow = run.config(Path(path), environ, settings)
    if workflow is None:
        return run.results
    connection = workflow.source.serviceConnection
    if connection is None:
        note = (
            "no source.serviceConnection in the config: the run uses the connection stored in "
            f"OpenMetadata for service '{workflow.source.serviceName}'"
        )
        for name in _AWS_STEPS:
            run.skip(name, note)
    else:
        run.aws(connection.config.awsConfig)
    if openmetadata:
        run.openmetadata(workflow, check_service=connection is None)
    return run.results


# -- the steps -----------------------------------------------------------------------------------


class _Redactor:
    """Replaces every known secret value in a text by :data:`MASK`."""

    def __init__(self) -> None:
        self._values: set[str] = set()

    def add(self, value: str | None) -> None:
        if value and len(value.strip()) >= 8:  # shorter ones would mangle ordinary words
            self._values.add(value)
            self._values.add(value.strip())

    def add_model(self, model: object) -> None:
        """Every ``Secret`` in a model tree, and the AWS access key ID."""
        from toolkit.modelbase import Secret

        stack: list[object] = [model]
        while stack:
            item = stack.pop()
            if isinstance(item, Secret):
                self.add(item.get_secret_value())
            elif is_dataclass(item) and not isinstance(item, type):
                for f in fields(item):
                    value = getattr(item, f.name, None)
                    if f.name == "awsAccessKeyId" and isinstance(value, str):
                        self.add(value)
                    stack.append(value)
            elif isinstance(item, (list, tuple)):
                stack.extend(item)
            elif isinstance(item, dict):
                stack.extend(item.values())

    def add_session(self, session: Any) -> None:
        """The credentials boto3 resolved for ``session`` (environment, files, STS)."""
        try:
            credentials = session.get_credentials()
            frozen = credentials.get_frozen_credentials() if credentials is not None else None
        except Exception:  # resolving failed: nothing to hide
            return
        if frozen is not None:
            for value in (frozen.access_key, frozen.secret_key, frozen.token):
                self.add(value)

    def __call__(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            text = text.replace(value, MASK)
        return text


class _Run:
    def __init__(
        self,
        timeout: float,
        max_attempts: int,
        on_step: Callable[[StepResult], None] | None,
    ) -> None:
        self.timeout = timeout
        self.max_attempts = max_attempts
        self.on_step = on_step
        self.results: list[StepResult] = []
        self.redact = _Redactor()

    # ---- recording ---------------------------------------------------------------------------

    def add(self, result: StepResult) -> None:
        result = StepResult(
            name=result.name,
            status=result.status,
            duration=result.duration,
            detail=self.redact(result.detail),
            code=self.redact(result.code) if result.code else result.code,
            hint=self.redact(result.hint) if result.hint else result.hint,
            http_status=result.http_status,
            mandatory=result.mandatory,
        )
        self.results.append(result)
        if self.on_step is not None:
            self.on_step(result)

    def ok(self, name: str, start: float, detail: str, *, mandatory: bool = True) -> None:
        self.add(StepResult(name, Status.PASS, _since(start), detail, mandatory=mandatory))

    def skip(self, name: str, detail: str, *, mandatory: bool = True) -> None:
        self.add(StepResult(name, Status.SKIP, 0.0, detail, mandatory=mandatory))

    def failed(
        self,
        name: str,
        start: float,
        exc: BaseException,
        hint: str | None,
        *,
        mandatory: bool = True,
    ) -> None:
        code, message, status = aws.aws_error(exc)
        self.add(
            StepResult(
                name,
                Status.FAIL if mandatory else Status.WARN,
                _since(start),
                message,
                code=code,
                hint=hint,
                http_status=status,
                mandatory=mandatory,
            )
        )

    # ---- 1. the config -------------------------------------------------------------------------

    def config(
        self, path: Path, environ: Mapping[str, str] | None, settings: Settings | None
    ) -> Workflow | None:
        from toolkit.diagnostics import Severity
        from toolkit.loader import load_file
        from toolkit.modelbase import ModelError
        from toolkit.models.workflow import Workflow
        from toolkit.validate import check_file

        start = time.monotonic()
        found = check_file(path, environ=environ, settings=settings)
        errors = [d for d in found if d.severity is Severity.ERROR]
        if errors:
            first = errors[0]
            more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
            detail = f"{first.file}:{first.line}:{first.column}: {first.message}{more}"
            hint = f"fix the config first; omkit validate {path} lists every problem"
            self.add(StepResult(STEP_CONFIG, Status.FAIL, _since(start), detail, first.code, hint))
            return None
        loaded = load_file(path, environ=environ)
        try:
            if loaded.document is None:  # cannot happen after a clean check; be safe
                raise ModelError("", "the file cannot be read")
            workflow = Workflow.from_dict(loaded.document.data)
        except ModelError as exc:
            hint = f"omkit validate {path} lists every problem"
            self.add(StepResult(STEP_CONFIG, Status.FAIL, _since(start), str(exc), "model", hint))
            return None
        self.redact.add_model(workflow)
        warnings = len(found)
        note = f" ({warnings} warning{'s' if warnings != 1 else ''}: see omkit validate)"
        self.ok(STEP_CONFIG, start, f"{path} is valid" + (note if warnings else ""))
        return workflow

    # ---- 2-6. AWS ------------------------------------------------------------------------------

    def aws(self, cfg: AwsCredentials) -> None:
        config = aws.client_config(self.timeout, self.max_attempts)
        hints = _Hints(cfg, self.timeout)

        start = time.monotonic()
        try:
            session = aws.base_session(cfg)
            self.redact.add_session(session)
            info = aws.credential_info(session)
        except Exception as exc:
            self.failed(STEP_CREDENTIALS, start, exc, hints.hint(exc, STEP_CREDENTIALS))
            self._skip_after(STEP_CREDENTIALS)
            return
        self.ok(STEP_CREDENTIALS, start, info.description)

        if cfg.assumeRoleArn:
            start = time.monotonic()
            try:
                session = aws.assume_role(session, cfg, config=config)
                self.redact.add_session(session)
            except Exception as exc:
                self.failed(STEP_ASSUME_ROLE, start, exc, hints.hint(exc, STEP_ASSUME_ROLE))
                self._skip_after(STEP_ASSUME_ROLE)
                return
            self.ok(STEP_ASSUME_ROLE, start, aws.assumed_role_info(cfg).description)
        else:
            self.skip(STEP_ASSUME_ROLE, "no assumeRoleArn in awsConfig", mandatory=False)

        start = time.monotonic()
        try:
            client = aws.sagemaker_client(session, cfg, config=config)
            listed = client.list_models(MaxResults=100)
        except Exception as exc:
            self.failed(STEP_LIST_MODELS, start, exc, hints.hint(exc, STEP_LIST_MODELS))
            self._skip_after(STEP_LIST_MODELS)
            return
        models = [m for m in listed.get("Models") or [] if isinstance(m, dict)]
        count = f"{len(models)}{'+' if listed.get('NextToken') else ''}"
        where = f"in {cfg.awsRegion} at {client.meta.endpoint_url}"
        if not models:
            self.ok(STEP_LIST_MODELS, start, f"no models {where}")
            note = f"no model in {cfg.awsRegion} to describe; checked once one exists"
            self.skip(STEP_DESCRIBE_MODEL, note)
            self.skip(STEP_LIST_TAGS, note.replace("describe", "read tags of"), mandatory=False)
            return
        plural = "model" if count == "1" else "models"
        self.ok(STEP_LIST_MODELS, start, f"{count} {plural} {where}")

        name = str(models[0].get("ModelName") or "")
        arn = str(models[0].get("ModelArn") or "")
        start = time.monotonic()
        try:
            described = client.describe_model(ModelName=name)
            arn = str(described.get("ModelArn") or arn)
            self.ok(STEP_DESCRIBE_MODEL, start, f"model '{name}'")
        except Exception as exc:
            self.failed(STEP_DESCRIBE_MODEL, start, exc, hints.hint(exc, STEP_DESCRIBE_MODEL))

        start = time.monotonic()
        try:
            tags = client.list_tags(ResourceArn=arn).get("Tags") or []
            label = "tag" if len(tags) == 1 else "tags"
            self.ok(STEP_LIST_TAGS, start, f"{len(tags)} {label} on '{name}'", mandatory=False)
        except Exception as exc:
            hint = hints.hint(exc, STEP_LIST_TAGS) or "models will be ingested without tags"
            self.failed(STEP_LIST_TAGS, start, exc, hint, mandatory=False)

    def _skip_after(self, failed: str) -> None:
        for name in _AWS_STEPS[_AWS_STEPS.index(failed) + 1 :]:
            self.skip(name, f"not run: {failed} failed", mandatory=name != STEP_LIST_TAGS)

    # ---- 7. OpenMetadata -----------------------------------------------------------------------

    def openmetadata(self, workflow: Workflow, *, check_service: bool) -> None:
        from toolkit.openmetadata import OpenMetadataClient, OpenMetadataError

        server = workflow.workflowConfig.openMetadataServerConfig
        start = time.monotonic()
        step = "GET /system/version"
        try:
            client = OpenMetadataClient(server, timeout=self.timeout, retries=self.max_attempts - 1)
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
                path = f"/services/mlmodelServices/name/{_quote(name)}"
                if client.get(path) is None:
                    self.add(
                        StepResult(
                            STEP_OPENMETADATA,
                            Status.FAIL,
                            _since(start),
                            f"server {version}: no ML model service named '{name}'",
                            code="HTTP 404",
                            hint="add source.serviceConnection to the config, or create the "
                            "service in OpenMetadata first",
                            http_status=404,
                        )
                    )
                    return
                detail += f"; service '{name}' exists"
        except OpenMetadataError as exc:
            status = exc.status
            code = f"HTTP {status}" if status is not None else "ConnectionError"
            hint = _om_hint(status, step, server.hostPort, self.timeout)
            self.add(
                StepResult(
                    STEP_OPENMETADATA,
                    Status.FAIL,
                    _since(start),
                    exc.message,
                    code=code,
                    hint=hint,
                    http_status=status,
                )
            )
            return
        except Exception as exc:  # a bug or an odd config: one line, no traceback
            self.add(
                StepResult(
                    STEP_OPENMETADATA,
                    Status.FAIL,
                    _since(start),
                    " ".join(str(exc).split())[:300] or type(exc).__name__,
                    code=type(exc).__name__,
                )
            )
            return
        self.ok(STEP_OPENMETADATA, start, detail)


def _quote(name: str) -> str:
    from urllib.parse import quote

    return quote(name, safe="")


def _om_hint(status: int | None, step: str, host_port: str, timeout: float) -> str:
    if status in (401, 403):
        return (
            "the token is wrong or expired: put the ingestion bot's current JWT in "
            "workflowConfig.openMetadataServerConfig.securityConfig.jwtToken"
        )
    if status is None:
        return (
            f"the OpenMetadata server is unreachable (refused, or no answer within {timeout:g} s): "
            f"check hostPort ({host_port}), that the server runs, and any proxy"
        )
    if status == 404 and "version" in step:
        return f"hostPort must be the server's API URL, ending in /api (now {host_port})"
    if status >= 500:
        return "the OpenMetadata server failed; look at its logs, then try again"
    return f"{step} was refused; check hostPort and the bot's roles"


_ACCESS_DENIED = {
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "NotAuthorized",
}
_WRONG_KEY = {"InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId"}
_WRONG_SECRET = {"SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature"}
_EXPIRED = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired"}
_TIMEOUTS = {"ConnectTimeoutError", "ReadTimeoutError", "ConnectionClosedError"}
_BAD_REGION = {"InvalidRegionError", "NoRegionError", "UnknownEndpointError"}


class _Hints:
    """The one-line fix for an AWS failure of a step, given the config."""

    def __init__(self, cfg: AwsCredentials, timeout: float) -> None:
        self.cfg = cfg
        self.timeout = timeout

    def hint(self, exc: BaseException, step: str) -> str | None:
        code, _, status = aws.aws_error(exc)
        cfg = self.cfg
        if code in _ACCESS_DENIED:
            if step == STEP_ASSUME_ROLE:
                return (
                    f"the identity may not assume {cfg.assumeRoleArn}: allow it sts:AssumeRole "
                    "on the role and name it in the role's trust policy; see omkit policy "
                    f"sagemaker --role-arn {cfg.assumeRoleArn}"
                )
            if step == STEP_LIST_TAGS:
                return (
                    "the identity lacks sagemaker:ListTags, so models will be ingested without "
                    "tags; see omkit policy sagemaker"
                )
            return f"the identity lacks {step}; see omkit policy sagemaker"
        if code in _WRONG_KEY:
            return (
                "wrong access key: awsAccessKeyId (or the key boto3 found, see the credentials "
                "step) is not an active AWS access key"
            )
        if code in _WRONG_SECRET:
            return "wrong secret key: awsSecretAccessKey does not belong to the access key ID"
        if code in _EXPIRED:
            return (
                "refresh the session token: the temporary credentials (awsSessionToken and its "
                "keys) have expired"
            )
        if code == "EndpointConnectionError":
            return self._unreachable(step)
        if code in _TIMEOUTS:
            where = (
                "STS" if step == STEP_ASSUME_ROLE else (cfg.endPointURL or "the SageMaker endpoint")
            )
            return (
                f"no answer from {where} within {self.timeout:g} s: check the URL, the "
                "network and any proxy, or raise --timeout"
            )
        if code == "NoCredentialsError":
            return (
                "no AWS credentials found: set awsAccessKeyId and awsSecretAccessKey (as "
                "${VAR} references), or profileName, or the AWS_ACCESS_KEY_ID and "
                "AWS_SECRET_ACCESS_KEY environment variables, or run with an instance role"
            )
        if code == "PartialCredentialsError":
            return "give both awsAccessKeyId and awsSecretAccessKey, or neither"
        if code == "ProfileNotFound":
            return (
                f"profile '{cfg.profileName}' is not in the shared AWS files: fix profileName, "
                "or point AWS_CONFIG_FILE / AWS_SHARED_CREDENTIALS_FILE at the files defining it"
            )
        if code in _BAD_REGION or (code == "InvalidParameterValue" and "region" in str(exc)):
            return _region_hint(cfg.awsRegion)
        if code == "SSLError":
            return "TLS verification of the endpoint failed: check its certificate or AWS_CA_BUNDLE"
        if code == "HTTP 403":
            return (
                f"access refused: check the credentials, and that the identity may call {step}; "
                "see omkit policy sagemaker"
            )
        if status is not None and status >= 500:
            return "the AWS endpoint (or a proxy in front of it) failed; try again later"
        return None

    def _unreachable(self, step: str) -> str:
        cfg = self.cfg
        if step == STEP_ASSUME_ROLE:
            return (
                "the endpoint URL is unreachable: STS (which never uses endPointURL) cannot be "
                "reached; check the network and proxy, or AWS_ENDPOINT_URL_STS"
            )
        if cfg.endPointURL:
            return (
                f"the endpoint URL is unreachable: check endPointURL ({cfg.endPointURL}), the "
                "network and any proxy"
            )
        if cfg.awsRegion not in _known_regions():
            return _region_hint(cfg.awsRegion)
        return "the endpoint URL is unreachable: check the network and any proxy (HTTPS_PROXY)"


def _region_hint(region: str) -> str:
    return (
        f"unknown region: awsRegion '{region}' is not an AWS region where SageMaker is "
        "offered; write your region's code, such as us-east-2"
    )


def _known_regions() -> tuple[str, ...]:
    from toolkit.rules import aws_regions

    return aws_regions()


def _since(start: float) -> float:
    return time.monotonic() - start


# -- output --------------------------------------------------------------------------------------

_LABELS = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.WARN: "WARN", Status.SKIP: "SKIP"}
_STYLES = {Status.PASS: "green", Status.FAIL: "bold red", Status.WARN: "yellow", Status.SKIP: "dim"}


def summary(results: Sequence[StepResult]) -> str:
    """One line: ``OK`` or ``FAILED``, with counts of failures and warnings."""
    failed = sum(r.status is Status.FAIL for r in results)
    warned = sum(r.status is Status.WARN for r in results)
    notes = []
    if failed:
        notes.append(f"{failed} step{'s' if failed != 1 else ''} failed")
    if warned:
        notes.append(f"{warned} warning{'s' if warned != 1 else ''}")
    verdict = "FAILED" if failed else "OK"
    return verdict + (f": {', '.join(notes)}" if notes else ": every step passed")


def _duration(result: StepResult) -> str:
    return "-" if result.status is Status.SKIP else f"{result.duration:.2f}s"


def _problem(result: StepResult) -> str:
    """``code, HTTP n: message``."""
    head = result.code or ""
    if result.http_status is not None and head != f"HTTP {result.http_status}":
        head += f", HTTP {result.http_status}" if head else f"HTTP {result.http_status}"
    return f"{head}: {result.detail}" if head else result.detail


def render_line(result: StepResult, width: int = 24) -> str:
    """One plain line for ``result``: status, step, time, what happened, and the fix."""
    text = _problem(result) if result.status in (Status.FAIL, Status.WARN) else result.detail
    if result.hint:
        text += f" -> {result.hint}"
    return f"{_LABELS[result.status]}  {result.name:<{width}} {_duration(result):>7}  {text}\n"


def render_plain(results: Sequence[StepResult]) -> str:
    """Plain lines, one per step, and the summary line (for pipes and logs)."""
    return "".join(render_line(r) for r in results) + summary(results) + "\n"


def render_json(results: Sequence[StepResult], file: str) -> str:
    """One JSON document: the file, ``ok`` (exit status 0) and every step."""
    document = {
        "file": file,
        "ok": succeeded(results),
        "summary": summary(results),
        "steps": [r.to_dict() for r in results],
    }
    return json.dumps(document, indent=2) + "\n"


def print_table(results: Sequence[StepResult], console: Console) -> None:
    """A rich table of the steps, and the summary line, on ``console``."""
    from rich.table import Table
    from rich.text import Text

    table = Table(show_header=True, header_style="bold", expand=False)
    table.add_column("Step", no_wrap=True)
    table.add_column("Result", no_wrap=True)
    table.add_column("Time", justify="right", no_wrap=True)
    table.add_column("Detail", overflow="fold")
    for result in results:
        problem = result.status in (Status.FAIL, Status.WARN)
        detail = Text(_problem(result) if problem else result.detail)
        if result.hint:
            detail.append("\nfix: ", style="bold")
            detail.append(result.hint)
        table.add_row(
            Text(result.name),
            Text(_LABELS[result.status], style=_STYLES[result.status]),
            Text(_duration(result)),
            detail,
        )
    console.print(table)
    style = "bold red" if not succeeded(results) else "bold green"
    console.print(Text(summary(results), style=style))
