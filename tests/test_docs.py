"""The README is a front page, and the documents name only what the repository has.

Every repository path that README.md, docs/*.md and bench/README.md name in backticks or link to
must exist: a renamed module or a moved test otherwise leaves the documentation pointing at
nothing. A backticked word counts as a repository path when its first part is a top-level entry
of the repository (``tests/...``, ``bench/...``, ``pyproject.toml``) or a sub-package of
``omkit_sagemaker`` (``check/report.py``); other paths (``configs/prod.yaml``) are examples of the
user's own files. A dotted ``omkit_sagemaker.x.y`` name must be a module or a name in one.
"""

from __future__ import annotations

import importlib
import importlib.util
import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "toolkit" / "omkit_sagemaker"
DOCUMENTS = sorted(
    [ROOT / "README.md", ROOT / "bench" / "README.md", *(ROOT / "docs").glob("*.md")]
)
#: The README stays a front page: the details live in docs/ and bench/README.md.
README_MAX_LINES = 450

BACKTICKED = re.compile(r"`([^`\s]+)`")
LINK = re.compile(r"\]\(([^)\s]+)\)")
DOTTED = re.compile(r"omkit_sagemaker(?:\.[A-Za-z_]\w*)+")


def _tracked_top_level() -> set[str]:
    """The repository's top-level entries as git tracks them (so no venv or cache counts)."""
    listed = subprocess.run(
        ["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    if listed.returncode != 0 or not listed.stdout:
        return {entry.name for entry in ROOT.iterdir() if not entry.name.startswith(".venv")}
    return {line.split("/", 1)[0] for line in listed.stdout.splitlines()}


TOP_LEVEL = _tracked_top_level()
SUBPACKAGES = {entry.name for entry in PACKAGE.iterdir() if entry.is_dir()} - {"__pycache__"}


def _is_repo_path(word: str) -> bool:
    if any(mark in word for mark in ("$", "{", "<", "*", "...", "…", ":", "=", "(", ",")):
        return False
    first = word.removeprefix("./").split("/", 1)[0]
    if first in TOP_LEVEL:
        return True
    return "/" in word and (first in SUBPACKAGES or first == "omkit_sagemaker")


def _exists(word: str, document: Path) -> bool:
    word = word.removeprefix("./").rstrip("/")
    roots = (ROOT, document.parent, ROOT / "toolkit", PACKAGE)
    return any((root / word).exists() for root in roots)


def _dotted_exists(name: str) -> bool:
    """``omkit_sagemaker.check.validate``: the longest importable module, then attributes."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            found = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            found = None
        if found is None:
            continue
        target: object = importlib.import_module(module_name)
        for attribute in parts[cut:]:
            if not hasattr(target, attribute):
                return False
            target = getattr(target, attribute)
        return True
    return False


def _named_paths(document: Path) -> list[str]:
    text = document.read_text(encoding="utf-8")
    words = [w for w in BACKTICKED.findall(text) if _is_repo_path(w)]
    for target in LINK.findall(text):
        if re.match(r"[a-z][a-z0-9+.-]*:", target) or target.startswith("#"):
            continue  # a URL or an anchor in the same document
        words.append(target.split("#", 1)[0])
    return words


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_repository_path_a_document_names_exists(document: Path) -> None:
    missing = sorted({w for w in _named_paths(document) if not _exists(w, document)})
    assert missing == [], f"{document.relative_to(ROOT)} names paths that do not exist"


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_module_a_document_names_exists(document: Path) -> None:
    names = set(DOTTED.findall(document.read_text(encoding="utf-8")))
    missing = sorted(name for name in names if not _dotted_exists(name))
    assert missing == [], f"{document.relative_to(ROOT)} names modules that do not exist"


def test_the_readme_is_a_front_page() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").count("\n")
    assert lines < README_MAX_LINES, f"README.md has {lines} lines; move details to docs/"


def test_the_path_check_sees_a_missing_path(tmp_path: Path) -> None:
    """The check is not vacuous: a stale module path and a broken link are both caught."""
    stale = tmp_path / "stale.md"
    stale.write_text(
        "See `omkit_sagemaker/cli.py`, `check/nothing.py`, [gone](docs/gone.md), "
        "`configs/prod.yaml` and `omkit_sagemaker.check.nothing`.\n",
        encoding="utf-8",
    )
    named = _named_paths(stale)
    assert named == ["omkit_sagemaker/cli.py", "check/nothing.py", "docs/gone.md"]
    assert [w for w in named if not _exists(w, stale)] == named
    assert not _dotted_exists("omkit_sagemaker.check.nothing")
    assert _dotted_exists("omkit_sagemaker.check.validate")
