"""``omkit codegen``: typed Python models generated from the JSON Schemas in ``spec/``.

:func:`generate` is a pure function from the schemas (``{"a/b.json": schema}``) to the files of
:mod:`omkit_sagemaker.spec.models` (``{"b.py": source}``): same input, byte-identical output, no
timestamps,
no formatter run afterwards (the code is emitted already formatted the way ``ruff format`` writes
it). One module per schema file, named after the file (``awsCredentials.json`` ->
``aws_credentials.py``); in it:

* an object schema with ``properties`` becomes a dataclass (see
:class:`omkit_sagemaker.spec.modelbase.Model`)
  with one field per property, in the schema's order, named as in the document. Required
  properties are required arguments; the others default to the schema's ``default`` or to None;
* a string ``enum`` becomes a ``str, Enum`` class whose members are the values in UPPER_CASE;
* ``format: password`` becomes :class:`omkit_sagemaker.spec.modelbase.Secret`;
* a ``oneOf`` of objects becomes a union type and a ``..._from_dict`` function that picks the
  branch by its ``type`` discriminator when every branch has a one-value ``type``, otherwise by
  the one branch whose required and allowed keys fit the document;
* a ``$ref`` (also the annotated form ``{"title": ..., "allOf": [{"$ref": ...}]}``) is the
  referenced type, imported from its module; other definitions become type aliases.

Validation-only keywords (``pattern``, ``format: uri``, ``if``/``then``) are left to
``omkit validate``: the models hold what a valid document holds.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from pathlib import Path

from omkit_sagemaker.spec.codegen.decls import MARK as MARK
from omkit_sagemaker.spec.codegen.decls import PACKAGE as PACKAGE
from omkit_sagemaker.spec.codegen.decls import CodegenError as CodegenError
from omkit_sagemaker.spec.codegen.decls import Schema as Schema
from omkit_sagemaker.spec.codegen.decls import module_name as module_name
from omkit_sagemaker.spec.codegen.generator import Generator
from omkit_sagemaker.spec.codegen.generator import read_spec as read_spec
from omkit_sagemaker.spec.codegen.writer import Writer, render_init

# --- public entry points ------------------------------------------------------------------


def generate(spec: Mapping[str, Schema]) -> dict[str, str]:
    """The files of :mod:`omkit_sagemaker.spec.models` for ``spec`` (``{"a/b.json": schema}``), as
    ``{file name: source text}``. Deterministic: the same schemas give the same bytes."""
    gen = Generator(spec)
    modules = gen.plan()
    files = {f"{m.name}.py": Writer(m, gen).render() for m in modules}
    files["__init__.py"] = render_init(modules)
    return dict(sorted(files.items()))


def models_dir() -> Path:
    """Where the generated models live in this checkout or installation."""
    return Path(__file__).resolve().parents[1] / "models"


def _present(files: Mapping[str, str], directory: Path) -> dict[str, str]:
    """The ``.py`` files in ``directory`` that ``files`` names or that are generated."""
    present: dict[str, str] = {}
    if directory.is_dir():
        for path in sorted(directory.glob("*.py")):
            text = path.read_text(encoding="utf-8")
            if path.name in files or text.startswith(MARK):
                present[path.name] = text
    return present


def differing(files: Mapping[str, str], directory: Path) -> list[str]:
    """Names of the files that differ between ``directory`` and ``files``: changed, missing,
    or generated files that ``files`` no longer has."""
    present = _present(files, directory)
    names = sorted(present.keys() | files.keys())
    return [n for n in names if n not in present or n not in files or present[n] != files[n]]


def drift(files: Mapping[str, str], directory: Path, label: str | None = None) -> str:
    """A unified diff from the files in ``directory`` to ``files`` (empty when they agree)."""
    label = label if label is not None else directory.as_posix()
    present = _present(files, directory)
    out: list[str] = []
    for name in differing(files, directory):
        old, new = present.get(name, ""), files.get(name, "")
        out += difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"a/{label}/{name}" if name in present else "/dev/null",
            tofile=f"b/{label}/{name}" if name in files else "/dev/null",
        )
    return "".join(line if line.endswith("\n") else line + "\n" for line in out)


def write(files: Mapping[str, str], directory: Path) -> list[str]:
    """Write ``files`` into ``directory`` and delete the generated ``.py`` files it no longer
    produces. Returns the names of the files written or deleted."""
    directory.mkdir(parents=True, exist_ok=True)
    changed: list[str] = []
    for name, text in sorted(files.items()):
        path = directory / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8", newline="\n")
            changed.append(name)
    for path in sorted(directory.glob("*.py")):
        if path.name not in files and path.read_text(encoding="utf-8").startswith(MARK):
            path.unlink()
            changed.append(path.name)
    return changed
