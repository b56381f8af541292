"""One environment variable per secret: the names the unsafe secret fixes of one ``omkit fix``
run give, made distinct where files would share one.

The fix of a literal secret names its variable after the key (``awsSecretAccessKey`` reads
``${AWS_SECRET_ACCESS_KEY}``). Two configs for two AWS accounts would then both read the one
variable, and at most one of them could get its own secret: where a name would stand for two
different secrets in the run, or is already read by another file of the run, each file gets
its own name, from its file name (``prod.yaml``: ``PROD_AWS_SECRET_ACCESS_KEY``).
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path

import yaml

from omkit_sagemaker.check.fix.apply import FileFix, plan


def plan_files(
    files: Sequence[Path],
    *,
    target: str | None = None,
    unsafe: bool = False,
    environ: Mapping[str, str] | None = os.environ,
    refuse: Mapping[Path, str] | None = None,
) -> list[FileFix]:
    """:func:`~.apply.plan` for each of ``files`` (``refuse``: files only counted, with the
    reason), with the unsafe secret fixes given distinct variables (:func:`per_file_names`)."""
    refuse = refuse or {}

    def one(file: Path, names: Mapping[str, str] | None = None) -> FileFix:
        return plan(
            file, target=target, unsafe=unsafe, names=names, environ=environ,
            refuse=refuse.get(file),
        )  # fmt: skip

    plans = [one(file) for file in files]
    if unsafe:
        renames = per_file_names(plans)
        plans = [
            one(file, renames[result.file]) if result.file in renames else result
            for file, result in zip(files, plans, strict=True)
        ]
    return plans


def _value(token: str) -> str:
    try:
        value = yaml.safe_load(token)
    except yaml.YAMLError:
        return token
    return str(value)


def _word(text: str) -> str:
    return re.sub(r"[^A-Z0-9]+", "_", text.upper()).strip("_")


def _references(text: str, name: str) -> bool:
    return re.search(rf"\$(?:\{{{re.escape(name)}\}}|{re.escape(name)}\b)", text) is not None


def per_file_names(plans: Sequence[FileFix]) -> dict[str, dict[str, str]]:
    """For each file (by name) whose secret fixes would share a variable with another file
    (see the module doc): the variable each fix names, and the file's own name for it."""
    claims: dict[str, dict[str, set[str]]] = {}  # variable -> file -> secret values
    for result in plans:
        for _, fix in result.applied:
            if fix.secret and fix.variable is not None:
                by_file = claims.setdefault(fix.variable, {})
                by_file.setdefault(result.file, set()).add(_value(fix.old))
    taken = {n for result in plans for n in re.findall(r"\$\{?([A-Za-z_]\w*)", result.old_text)}
    out: dict[str, dict[str, str]] = {}
    for variable, by_file in claims.items():
        values = set().union(*by_file.values())
        readers = [r for r in plans if r.file not in by_file and _references(r.old_text, variable)]
        if len(values) < 2 and not readers:
            continue
        for file in sorted(by_file):
            name = _own_name(file, variable, taken)
            taken.add(name)
            out.setdefault(file, {})[variable] = name
    return out


def _own_name(file: str, variable: str, taken: set[str]) -> str:
    """``STEM_VARIABLE`` for the file, with its folder's name or a number where that is taken."""
    path = Path(file)
    stem = _word(path.stem) or "CONFIG"
    stem = f"CONFIG_{stem}" if stem[0].isdigit() else stem
    folder = _word(path.resolve().parent.name)
    for candidate in (f"{stem}_{variable}", f"{folder}_{stem}_{variable}" if folder else ""):
        if candidate and candidate not in taken:
            return candidate
    number = 2
    while f"{stem}_{variable}_{number}" in taken:
        number += 1
    return f"{stem}_{variable}_{number}"
