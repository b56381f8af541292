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


# ---------------------------------------------------------------------------------------------
# Every option the documents show is an option of the omkit command they show it with.

#: Programs other than omkit whose options the documents show (pre-commit autoupdate --freeze).
OTHER_PROGRAMS = {"pre-commit", "pip", "python", "python3", "pytest", "bash", "ruff", "mypy", "git"}
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")
SHELL_BLOCK = re.compile(r"```(?:bash|console|text|sh)\n(.*?)```", re.DOTALL)
INLINE = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")


def _command_options() -> dict[tuple[str, ...], set[str]]:
    """Each omkit command (``("init", "sagemaker")``) with its options and its groups' options."""
    import typer
    from omkit_sagemaker.cli import app

    found: dict[tuple[str, ...], set[str]] = {}

    def walk(command: object, path: tuple[str, ...], inherited: set[str]) -> None:
        params = getattr(command, "params", [])
        options = inherited | {o for p in params for o in p.opts if o.startswith("--")}
        found[path] = options
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, (*path, name), options)

    walk(typer.main.get_command(app), (), set())
    return found


def _spans(text: str) -> list[str]:
    """Shell lines of the code blocks (continuations joined) and inline code spans."""
    spans: list[str] = []
    for block in SHELL_BLOCK.findall(text):
        logical: list[str] = []
        for line in block.splitlines():
            if logical and (logical[-1].endswith("\\") or line[:1].isspace()):
                logical[-1] = logical[-1].rstrip("\\") + " " + line.strip()
            else:
                logical.append(line)
        spans.extend(logical)
    outside = SHELL_BLOCK.sub("", re.sub(r"```.*?```", "", text, flags=re.DOTALL))
    spans.extend(" ".join(span.split()) for span in INLINE.findall(" ".join(outside.split("\n"))))
    return spans


def _unknown_flags(span: str, commands: dict[tuple[str, ...], set[str]]) -> list[str]:
    every = set().union(*commands.values())
    unknown: list[str] = []
    for segment in re.split(r"&&|\|\||;|\|", span.removeprefix("$ ")):
        words = [w for w in segment.split() if "=" not in w or w.startswith("-")]
        if not words:
            continue
        program = words[0].rsplit("/", 1)[-1]
        if program in OTHER_PROGRAMS or program.endswith((".py", ".sh")):
            continue  # another tool, or a script of this repository (bench/run_bench.py --quick)
        allowed = every | {"--help"}
        if program == "omkit":
            path: tuple[str, ...] = ()
            for word in words[1:]:
                if (*path, word) not in commands:
                    break
                path = (*path, word)
            allowed = commands[path] | {"--help"}
        unknown.extend(f for f in FLAG.findall(segment) if f not in allowed)
    return unknown


#: The documents that show omkit's options (design-codegen.md shows another generator's).
OPTION_DOCUMENTS = [
    "README.md",
    *(f"docs/{name}.md" for name in ("validate", "run", "api", "editors", "sagemaker")),
    *(f"docs/{name}.md" for name in ("compatibility", "reliability")),
]


@pytest.mark.parametrize("name", OPTION_DOCUMENTS)
def test_every_option_a_document_shows_exists(name: str) -> None:
    commands = _command_options()
    text = (ROOT / name).read_text(encoding="utf-8")
    unknown = sorted({f for span in _spans(text) for f in _unknown_flags(span, commands)})
    assert unknown == [], f"{name} shows options omkit does not have"


def test_the_option_check_sees_an_unknown_option() -> None:
    commands = _command_options()
    text = (
        "```bash\nomkit run sm.yaml --workers 8 \\\n    --no-such-flag\n```\n"
        "Use `omkit fix --strict x.yaml` or `--nothing`; `pre-commit autoupdate --freeze` is\n"
        "fine, and so is `omkit --help`.\n"
    )
    flags = sorted({f for span in _spans(text) for f in _unknown_flags(span, commands)})
    assert flags == ["--no-such-flag", "--nothing", "--strict"]


# ---------------------------------------------------------------------------------------------
# Every link to a section (README.md#airflow, #r012-hostport-api) lands on a heading.


def _anchors(document: Path) -> set[str]:
    """The anchors GitHub gives the headings: lower case, punctuation dropped, spaces to '-'."""
    text = re.sub(r"```.*?```", "", document.read_text(encoding="utf-8"), flags=re.DOTALL)
    headings = re.findall(r"^#{1,6}\s+(.*?)\s*$", text, flags=re.MULTILINE)
    return {re.sub(r"[^\w\- ]", "", h.lower()).replace(" ", "-") for h in headings}


def _broken_anchors(document: Path) -> list[str]:
    broken = []
    for target in LINK.findall(document.read_text(encoding="utf-8")):
        if "#" not in target or re.match(r"[a-z][a-z0-9+.-]*:", target):
            continue
        path, anchor = target.split("#", 1)
        linked = (document.parent / path).resolve() if path else document
        if linked.is_file() and anchor not in _anchors(linked):
            broken.append(target)
    return broken


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_section_link_lands_on_a_heading(document: Path) -> None:
    assert _broken_anchors(document) == []


def test_the_anchor_check_sees_a_missing_section(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text(
        "# Page\n\n## `omkit run` and `run_many`\n\n[ok](#omkit-run-and-run_many) "
        "[gone](#omkit-fix) [self](page.md#page) [other](page.md#nothing)\n",
        encoding="utf-8",
    )
    assert _broken_anchors(page) == ["#omkit-fix", "page.md#nothing"]
