"""The ``file`` sink: the records upstream's file sink writes, with no server needed.

The file is a JSON array: the service's create request, then for each model the classification
and tag requests it needs (each the first time it is needed) and the model's create request,
the way upstream writes them (``[``, records separated by ``,\\n``, ``]``), secrets masked as
``**********`` (facts §7.2). Each model record also has ``kind``: the ``--assets`` kind it
comes from (``models``, or ``registry`` for a package group); drop that key to replay a record
as a ``CreateMlModel`` request.

Unlike upstream, nothing is written in place: the records go to a temporary file next to the
target, which replaces it only when the run ends (``finish``) without an error; an aborted or
failed run leaves the old file untouched (all the models or nothing). The target must be a
regular file or a new one, and none of the files the run reads
(:mod:`omkit_sagemaker.base.safewrite`): a link to a file is written through, and an existing
file keeps its mode. And no OpenMetadata server is contacted at all.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from omkit_sagemaker.base.safewrite import AtomicFile, UnsafeTarget
from omkit_sagemaker.ingest.mapping import ModelRequest, ServiceRequest
from omkit_sagemaker.ingest.sinks.sinkbase import RunStatus, SinkError

log = logging.getLogger("omkit.run")

#: The only key of the file sink's config (required).
CONFIG_KEYS = frozenset({"filename"})


class FileSink:
    """Writes the records to ``path`` (see the module doc)."""

    def __init__(
        self, path: str | Path, status: RunStatus, *, reads: Iterable[str | Path] = ()
    ) -> None:
        self.path = Path(path)
        self.status = status
        #: The files the run reads: the target may be none of them.
        self.reads = tuple(reads)
        self._file: AtomicFile | None = None
        self._first = True
        self._seen: set[str] = set()

    def start(self, service: ServiceRequest) -> str:
        try:
            self._file = AtomicFile(self.path, reads=self.reads)
        except UnsafeTarget as exc:
            raise SinkError(str(exc)) from None
        except OSError as exc:
            raise SinkError(f"cannot write to {self.path.parent}: {exc.strerror or exc}") from None
        self._file.out.write("[")
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
            self._record({"kind": model.kind, **model.body()})
        except OSError as exc:
            raise SinkError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        self.status.model_written(created=None)

    def finish(self) -> None:
        if self._file is None:
            return
        if self.status.error_count:  # all the models or nothing: keep the previous file
            log.warning("file sink: %s is left as it was, because the run had errors", self.path)
            self.abort()
            return
        try:
            self._file.out.write("]")
            self._file.commit()
        except UnsafeTarget as exc:
            raise SinkError(str(exc)) from None
        except OSError as exc:
            raise SinkError(f"cannot write {self.path}: {exc.strerror or exc}") from None
        finally:
            self.abort()

    def abort(self) -> None:
        if self._file is not None:
            self._file.discard()
            self._file = None

    def _record(self, record: dict[str, Any]) -> None:
        assert self._file is not None
        if not self._first:
            self._file.out.write(",\n")
        self._first = False
        self._file.out.write(json.dumps(record))
