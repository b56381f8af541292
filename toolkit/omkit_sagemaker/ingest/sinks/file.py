"""The ``file`` sink: the records upstream's file sink writes, with no server needed.

The file is a JSON array: the service's create request, then for each model the classification
and tag requests it needs (each the first time it is needed) and the model's create request,
the way upstream writes them (``[``, records separated by ``,\\n``, ``]``), secrets masked as
``**********`` (facts §7.2).

Unlike upstream, nothing is written in place: the records go to a temporary file next to the
target, which replaces it only when the run ends (``finish``); an aborted run leaves the old file
untouched. And no OpenMetadata server is contacted at all.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, TextIO

from omkit_sagemaker.ingest.mapping import ModelRequest, ServiceRequest
from omkit_sagemaker.ingest.sinks.base import SinkError, Status

#: The only key of the file sink's config (required).
CONFIG_KEYS = frozenset({"filename"})


class FileSink:
    """Writes the records to ``path`` (see the module doc)."""

    def __init__(self, path: str | Path, status: Status) -> None:
        self.path = Path(path)
        self.status = status
        self._out: TextIO | None = None
        self._tmp: Path | None = None
        self._first = True
        self._seen: set[str] = set()

    def start(self, service: ServiceRequest) -> str:
        folder = self.path.parent
        try:
            fd, tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=folder)
        except OSError as exc:
            raise SinkError(f"cannot write to {folder}: {exc.strerror or exc}") from None
        self._tmp = Path(tmp)
        self._out = os.fdopen(fd, "w", encoding="utf-8")
        self._out.write("[")
        self._record(service.body())
        return service.name

    def write(self, model: ModelRequest) -> None:
        try:
            for tag in model.tags:
                key = f"classification:{tag.classification.name}"
                if key not in self._seen:
                    self._seen.add(key)
                    self._record(tag.classification.body())
                if f"tag:{tag.fqn}" not in self._seen:
                    self._seen.add(f"tag:{tag.fqn}")
                    self._record(tag.body())
            self._record(model.body())
        except OSError as exc:
            raise SinkError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self.status.model_written(created=None)

    def finish(self) -> None:
        if self._out is None or self._tmp is None:
            return
        try:
            self._out.write("]")
            self._out.flush()
            os.fsync(self._out.fileno())
            self._out.close()
            mask = os.umask(0)
            os.umask(mask)
            os.chmod(self._tmp, 0o666 & ~mask)
            os.replace(self._tmp, self.path)
            self._tmp = None
        except OSError as exc:
            self.abort()
            raise SinkError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        finally:
            self._out = None

    def abort(self) -> None:
        if self._out is not None:
            with contextlib.suppress(OSError):
                self._out.close()
            self._out = None
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                self._tmp.unlink()
            self._tmp = None

    def _record(self, record: dict[str, Any]) -> None:
        assert self._out is not None
        if not self._first:
            self._out.write(",\n")
        self._first = False
        self._out.write(json.dumps(record))
