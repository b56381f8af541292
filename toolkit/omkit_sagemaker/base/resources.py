"""Find the files omkit ships beside its code: the JSON Schemas and the templates.

In a wheel they are packaged as ``omkit_sagemaker/_data/{spec,templates}``; in a source checkout
(editable install, tests) they are the top-level ``spec/`` and ``templates/`` folders.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]  # omkit_sagemaker/
_CHECKOUT = _PACKAGE.parents[1]  # the repository: toolkit/omkit_sagemaker/ -> .


def _find(name: str) -> Path:
    for candidate in (_PACKAGE / "_data" / name, _CHECKOUT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"omkit is installed without its {name}/ folder")


@cache
def spec_dir() -> Path:
    """The folder holding omkit's JSON Schemas."""
    return _find("spec")


@cache
def templates_dir() -> Path:
    """The folder holding the config templates used by ``omkit init``."""
    return _find("templates")
