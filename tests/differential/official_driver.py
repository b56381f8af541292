"""What the official ``metadata ingest`` does with a config before it ingests anything, offline.

Run by the Python of a venv holding ``openmetadata-ingestion`` (1.1.x on Python 3.9, or 2.0.x),
never by omkit's own: this file imports only the standard library and the runner's ``metadata``
package, and is written for Python 3.9. One process serves many configs, since importing the
runner takes seconds. The protocol is line-delimited JSON:

* in, one line per config: ``{"id": ..., "text": "<the file's text>", "env": {"NAME": "value"}}``
  (``env`` is set on top of the driver's own environment while that config is read);
* out, one line per config: ``{"id": ..., "verdict": "accepted"|"rejected", "step": STEP,
  "error": "<first line of the error>", "notes": [...]}``.

The steps are the runner's own calls, in the order ``metadata ingest`` reaches them, and only
those that need no network: ``load`` (``load_config_file``: ``os.path.expandvars`` on the raw
text, then ``yaml.safe_load``), ``parse`` (``parse_workflow_config_gracefully``), ``logger``
(the level ``loggerLevel`` names), ``service-type`` (the service type of ``source.type``),
``service-name`` (2.0 requires ``source.serviceName``), ``source`` (the source class for
``source.type`` and its ``create``, which parses the source and checks the connection is a
SageMakerConnection), ``processor``/``stage``/``bulk-sink`` (1.1 only: their classes and config
models), ``sink`` (the sink class and its config model; 2.0 first adds ``override_metadata`` as
its metadata workflow does) and ``auth`` (the OpenMetadata client: the secrets manager, the auth
provider with its JWT, the SSL verification and the REST client).

The classes' constructors are never run (they open the sink's file, build AWS clients and
contact the server): ``create`` runs with the constructor replaced, so only the config checks it
makes before constructing happen. The client's version check (``validate_versions``) and
health check are the runner's first network calls: they are skipped. Every socket connection is
refused; a step that tries one is reported as ``"verdict": "network"`` (it should never happen).
A config without ``serviceConnection`` makes the runner fetch the connection from the server:
the ``source`` step is then skipped with a note.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import socket
import sys
import tempfile
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any


class NetworkAttempt(Exception):
    """A step tried to open a connection."""


def _refuse(*_args: Any, **_kwargs: Any) -> Any:
    raise NetworkAttempt("a step tried to open a network connection")


def _block_network() -> None:
    socket.socket.connect = _refuse  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse  # type: ignore[method-assign]
    socket.create_connection = _refuse
    socket.getaddrinfo = _refuse


def _mod(name: str) -> Any:
    return importlib.import_module(name)


class Step(Exception):
    """A step failed: which one, and the error it raised."""

    def __init__(self, step: str, error: BaseException | str) -> None:
        super().__init__(step)
        self.step = step
        self.error = error


@contextlib.contextmanager
def _step(name: str) -> Iterator[None]:
    try:
        yield
    except Step:
        raise
    except NetworkAttempt:
        raise
    except BaseException as exc:  # the runner's own errors, of any class (SystemExit included)
        raise Step(name, exc) from exc


@contextlib.contextmanager
def _without_init(cls: Any) -> Iterator[None]:
    """``cls.create`` runs its config checks, but never the constructor it ends with."""
    original = cls.__init__

    def _skip(self: Any, *_args: Any, **_kwargs: Any) -> None:
        return None

    cls.__init__ = _skip
    try:
        yield
    finally:
        cls.__init__ = original


def _first_line(error: BaseException | str) -> str:
    text = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(lines[:3])[:300] if lines else type(error).__name__


class Runner:
    """The runner's calls of one release (``major`` 1 or 2), imported once."""

    def __init__(self) -> None:
        version = _mod("metadata.__version__")
        self.release = str(version.get_metadata_version()).split()[1]
        self.major = int(self.release.split(".")[0])
        self.load_config_file = _mod("metadata.config.common").load_config_file
        self.parse = _mod("metadata.ingestion.api.parser").parse_workflow_config_gracefully
        self.service_type = _mod("metadata.utils.class_helper").get_service_type_from_source_type
        importer = _mod("metadata.utils.importer")
        self.importer = importer
        if self.major >= 2:
            spec = _mod("metadata.utils.service_spec.service_spec")
            self.import_source_class: Callable[..., Any] = spec.import_source_class
        else:
            self.import_source_class = importer.import_source_class
        self.ometa = _mod("metadata.ingestion.ometa.ometa_api").OpenMetadata
        self.ometa.validate_versions = lambda self: None  # the first network call: skipped
        if hasattr(self.ometa, "health_check"):
            self.ometa.health_check = lambda self: None
        self.workdir = Path(tempfile.mkdtemp(prefix="omkit-driver-"))

    def check(self, text: str, env: dict[str, str]) -> dict[str, Any]:
        notes: list[str] = []
        saved = dict(os.environ)
        os.environ.update(env)
        try:
            self._steps(text, notes)
        except Step as failed:
            return {
                "verdict": "rejected",
                "step": failed.step,
                "error": _first_line(failed.error),
                "notes": notes,
            }
        except NetworkAttempt as exc:
            return {"verdict": "network", "step": "", "error": str(exc), "notes": notes}
        finally:
            os.environ.clear()
            os.environ.update(saved)
        return {"verdict": "accepted", "step": "", "error": "", "notes": notes}

    def _steps(self, text: str, notes: list[str]) -> None:
        path = self.workdir / "config.yaml"
        path.write_text(text, encoding="utf-8")
        with _step("load"):
            config_dict = self.load_config_file(path)
        with _step("parse"):
            config = self.parse(config_dict)
        with _step("logger"):  # the workflow sets its loggers' level first
            config.workflowConfig.loggerLevel.value  # noqa: B018
        with _step("service-type"):
            service_type = self.service_type(config.source.type)
        if self.major >= 2:
            with _step("service-name"):
                if not config.source.serviceName:
                    raise ValueError(
                        "serviceName is required field for executing the Metadata Workflow"
                    )
        metadata_config = config.workflowConfig.openMetadataServerConfig
        self._source(config, service_type, metadata_config, notes)
        if self.major < 2:
            self._steps_11(config, metadata_config)
        with _step("sink"):
            self._sink(config, metadata_config)
        with _step("auth"):
            self.ometa(metadata_config)

    def _source(
        self, config: Any, service_type: Any, metadata_config: Any, notes: list[str]
    ) -> None:
        if not config.source.serviceConnection and not metadata_config.forceEntityOverwriting:
            notes.append(
                "no serviceConnection: the runner fetches it from the server; source not checked"
            )
            return
        with _step("source"):
            source_type = config.source.type.lower()
            if source_type.startswith("custom"):
                notes.append("custom source: its class is not loaded")
                return
            source_class = self.import_source_class(
                service_type=service_type, source_type=source_type
            )
            with _without_init(source_class):
                if self.major >= 2:
                    source_class.create(config.source.model_dump(), None, None)
                else:
                    source_class.create(config.source.dict(), metadata_config)

    def _steps_11(self, config: Any, metadata_config: Any) -> None:
        """1.1 loads the processor, stage and bulk sink classes named in the file."""
        parts = (
            ("processor", self.importer.import_processor_class, "processor_type"),
            ("stage", self.importer.import_stage_class, "stage_type"),
            ("bulk-sink", self.importer.import_bulk_sink_type, "bulk_sink_type"),
        )
        for name, importer, argument in parts:
            part = getattr(config, "bulkSink" if name == "bulk-sink" else name, None)
            if not part:
                continue
            with _step(name):
                part_class = importer(**{argument: part.type})
                part_config = part.dict().get("config", {})
                with _without_init(part_class):
                    if name == "processor":
                        part_class.create(part_config, metadata_config, connection_type="SageMaker")
                    else:
                        part_class.create(part_config, metadata_config)

    def _sink(self, config: Any, metadata_config: Any) -> None:
        sink_class = self.importer.import_sink_class(sink_type=config.sink.type)
        if self.major >= 2:
            sink_config = config.sink.model_dump().get("config", {})
            source_config = config.source.sourceConfig.config
            sink_config.setdefault(
                "override_metadata", bool(getattr(source_config, "overrideMetadata", False))
            )
            with _without_init(sink_class):
                sink_class.create(sink_config, None)
        else:
            sink_config = config.sink.dict().get("config", {})
            with _without_init(sink_class):
                sink_class.create(sink_config, metadata_config)


def main() -> int:
    protocol = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8", buffering=1)
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())  # the runner's prints go to stderr
    _block_network()
    logging.disable(logging.CRITICAL)  # the runner's log lines are not verdicts
    runner = Runner()
    protocol.write(json.dumps({"ready": runner.release}) + "\n")
    for line in sys.stdin:
        if not line.strip():
            continue
        request = json.loads(line)
        try:
            answer = runner.check(request["text"], request.get("env") or {})
        except Exception:  # a bug of this driver, not a verdict: say so and go on
            answer = {
                "verdict": "driver-error",
                "step": "",
                "error": traceback.format_exc(limit=3),
                "notes": [],
            }
        answer["id"] = request.get("id")
        protocol.write(json.dumps(answer) + "\n")
    return 0


if __name__ == "__main__":
    code = main()
    sys.stderr.flush()
    # Skip the interpreter's teardown of the thousands of modules the runner imported (seconds
    # of CPU, which the suite's workers wait for): the answers are written and flushed.
    os._exit(code)
