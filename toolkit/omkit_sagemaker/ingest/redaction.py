"""Secrets never leave the process: the one :class:`Redactor` of a run masks every value of the
config's ``format: password`` fields in log records and in the texts the summaries print."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable

from omkit_sagemaker.spec.modelbase import MASK, Model

#: Shorter secret values are not searched for in output (they would match ordinary text).
_MIN_SECRET = 4


class Redactor(logging.Filter):
    """Replaces every known secret value in log records (and in :meth:`redact`ed text) with
    ``**********``. The values come from the config's ``format: password`` fields."""

    def __init__(self) -> None:
        super().__init__()
        self._values: set[str] = set()
        self._lock = threading.Lock()

    def add(self, values: Iterable[str]) -> None:
        with self._lock:
            self._values.update(v for v in values if len(v) >= _MIN_SECRET)

    def redact(self, text: str) -> str:
        for value in sorted(self._values, key=len, reverse=True):
            if value in text:
                text = text.replace(value, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self._values:
            message = self.redact(record.getMessage())
            record.msg, record.args = message, None
        return True


#: The one redactor of the process: the CLI puts it on its log handler.
REDACTOR = Redactor()


def secret_values(model: Model) -> set[str]:
    """The real values of the config's secrets: every leaf that ``to_dict()`` masks."""
    found: set[str] = set()

    def walk(revealed: object, masked: object) -> None:
        if isinstance(revealed, dict) and isinstance(masked, dict):
            for key, value in revealed.items():
                walk(value, masked.get(key))
        elif isinstance(revealed, list) and isinstance(masked, list):
            for a, b in zip(revealed, masked, strict=False):
                walk(a, b)
        elif isinstance(revealed, str) and masked == MASK and revealed != MASK:
            found.add(revealed)

    walk(model.to_dict(reveal_secrets=True), model.to_dict())
    return found
