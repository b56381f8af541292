"""What a fix is, and the helpers fixers share: finding a diagnostic's data path and writing a
new scalar in the quote style of the old one. Light: imported by the rules on the validate path."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Literal

import yaml

from omkit_sagemaker.base.diagnostics import Diagnostic, json_path
from omkit_sagemaker.base.masking import is_secret
from omkit_sagemaker.base.records import Record
from omkit_sagemaker.check.loader import DataPath, Document
from omkit_sagemaker.check.yamlcompat import yaml12_value
from omkit_sagemaker.spec import schema

#: ``value``: write ``new`` in place of the value; ``key``: rename the key to ``new``;
#: ``remove``: delete the key and its value.
Kind = Literal["value", "key", "remove"]


class Fix(Record):
    """One certain change to one file, as data.

    ``old`` and ``new`` are YAML text as written in the file (a key, or a value's token with
    its quotes). ``old`` may be a secret: show it only through :meth:`shown_old`.

    Like ruff's fixes, each declares its safety: a ``safe`` fix keeps what the file means; an
    unsafe one (``safe=False``) may lose something (a literal secret replaced by ``${NAME}``
    is no longer in the file), so ``omkit fix`` makes it only with ``--unsafe-fixes``;
    ``caution`` says what may be lost. ``variable`` is the environment variable the fix makes
    the file read, if any (see :meth:`with_variable`).
    """

    __slots__ = (  # noqa: RUF023 - in field order, for repr
        "code",
        "path",
        "kind",
        "old",
        "new",
        "explanation",
        "secret",
        "safe",
        "caution",
        "variable",
    )

    code: str
    path: DataPath
    kind: Kind
    old: str
    new: str
    explanation: str
    secret: bool
    safe: bool
    caution: str
    variable: str | None

    def __init__(
        self,
        code: str,
        path: DataPath,
        kind: Kind,
        old: str,
        new: str,
        explanation: str,
        secret: bool = False,
        safe: bool = True,
        caution: str = "",
        variable: str | None = None,
    ) -> None:
        self.code = code
        self.path = path
        self.kind = kind
        self.old = old
        self.new = new
        self.explanation = explanation
        self.secret = secret
        self.safe = safe
        self.caution = caution
        self.variable = variable

    def with_variable(self, name: str, explanation: str) -> Fix:
        """This fix reading ``${name}`` instead of ``${variable}`` (same quotes), explained
        by ``explanation``."""
        new = self.new
        if self.variable is not None:
            new = new.replace(f"${{{self.variable}}}", f"${{{name}}}")
        return Fix(
            self.code,
            self.path,
            self.kind,
            self.old,
            new,
            explanation,
            self.secret,
            self.safe,
            self.caution,
            name,
        )

    def shown_old(self) -> str:
        """``old`` for a message: hidden when it is a secret's value."""
        return "(value hidden)" if self.secret and self.kind == "value" else self.old


def secret_explanation(key: str, name: str, copies: list[int] | None = None) -> str:
    """What a fix that replaced the literal secret of ``key`` by ``${name}`` did, and what the
    user must now do: the value is never shown. ``copies``: lines where the secret's text is
    still in the file (a comment), so that the message does not claim it is gone."""
    done = f"{key} now reads ${{{name}}} from the environment"
    where = f"set {name} to the old value (not shown here) wherever metadata ingest runs"
    if copies:
        lines = ", ".join(str(n) for n in copies[:5])
        s = "s" if len(copies) > 1 else ""
        return f"{done}: {where}; a copy of the secret is still in the file on line{s} {lines}"
    return f"{done}; the old value is no longer in the file: {where}, before the next run"


#: Computes the fix of one diagnostic in its document, for the target release (major, minor),
#: or None when no fix is certain.
Fixer = Callable[[Diagnostic, Document, tuple[int, int]], "Fix | None"]


def data_path(document: Document, diagnostic: Diagnostic) -> DataPath | None:
    """The data path a diagnostic names, if the document has a value there."""
    for path in document.values:
        if json_path(path) == diagnostic.path:
            return path
    return None


def written_value(document: Document, path: DataPath) -> str | None:
    """The value at ``path`` as written (quotes included), or None when it is not a literal
    scalar (a collection, or a value that came from the environment)."""
    scalar = document.scalars.get(path)
    if scalar is None or scalar.from_env or not scalar.written:
        return None
    return scalar.written


def _reads_as(token: str, value: str) -> bool:
    """True when ``token`` reads back as the string ``value`` in YAML 1.1 and YAML 1.2."""
    try:
        read = yaml.safe_load(token)
    except yaml.YAMLError:
        return False
    quoted = token[:1] in ("'", '"')
    return read == value and (quoted or yaml12_value(token) == value)


def string_token(old_token: str, value: str) -> str:
    """``value`` written as a YAML scalar in the quote style of ``old_token``."""
    style = old_token[:1]
    if style == '"':
        token = json.dumps(value, ensure_ascii=False)
    elif style == "'" or not _reads_as(value, value):
        token = "'" + value.replace("'", "''") + "'"
    else:
        token = value
    return token if _reads_as(token, value) else json.dumps(value)


def value_fix(
    diagnostic: Diagnostic, document: Document, new_value: str, explanation: str
) -> Fix | None:
    """A fix that writes the string ``new_value`` in place of the diagnostic's value."""
    path = data_path(document, diagnostic)
    if path is None:
        return None
    old = written_value(document, path)
    if old is None or "\n" in old:
        return None
    return Fix(
        code=diagnostic.code,
        path=path,
        kind="value",
        old=old,
        new=string_token(old, new_value),
        explanation=explanation,
        secret=is_secret(path, schema.secret_keys()),
    )
