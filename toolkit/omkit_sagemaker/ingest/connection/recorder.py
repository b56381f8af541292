"""What ``test-connection`` records: the step names, :class:`StepResult`, and the
:class:`Recorder` that scrubs every result of the secrets it has seen before keeping it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any

from omkit_sagemaker.base.masking import mask_userinfo
from omkit_sagemaker.ingest import awsclient

if TYPE_CHECKING:
    pass


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
#: The steps that call AWS (credentials to tags).
AWS_STEPS = STEPS[1:6]

#: What a secret looks like in any text this module produces.
MASK = "**********"
#: The authenticated call of the OpenMetadata step (relative to hostPort + apiVersion).
LOGGED_IN_USER = "/users/loggedInUser"


class StepStatus(str, Enum):
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
    status: StepStatus
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
    return not any(r.status is StepStatus.FAIL for r in results)


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
        from omkit_sagemaker.spec.modelbase import Secret

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
        return mask_userinfo(text)  # a password in hostPort or endPointURL


class Recorder:
    """Collects the results of a run of the steps, each scrubbed of every known secret, and
    hands each to ``on_step`` as soon as it is known."""

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
        self.add(
            StepResult(name, StepStatus.PASS, seconds_since(start), detail, mandatory=mandatory)
        )

    def skip(self, name: str, detail: str, *, mandatory: bool = True) -> None:
        self.add(StepResult(name, StepStatus.SKIP, 0.0, detail, mandatory=mandatory))

    def failed(
        self,
        name: str,
        start: float,
        exc: BaseException,
        hint: str | None,
        *,
        mandatory: bool = True,
    ) -> None:
        code, message, status = awsclient.aws_error(exc)
        self.add(
            StepResult(
                name,
                StepStatus.FAIL if mandatory else StepStatus.WARN,
                seconds_since(start),
                message,
                code=code,
                hint=hint,
                http_status=status,
                mandatory=mandatory,
            )
        )

    # ---- 1. the config -------------------------------------------------------------------------


def seconds_since(start: float) -> float:
    """Seconds elapsed since ``start`` (a :func:`time.monotonic` reading)."""
    return time.monotonic() - start
