"""The ``omkit-validate`` pre-commit hook, installed by pre-commit itself, offline.

The README's ``.pre-commit-config.yaml`` snippet is run as written, with its ``repo:`` pointed
at a snapshot of this working copy (tracked and untracked files, less what .gitignore drops,
committed in a throw-away git repository) and its ``rev:`` at that snapshot's commit, so the
test sees uncommitted edits and works whether or not the checkout has any commits.
pre-commit builds the hook's virtualenv with virtualenv's embedded pip and installs omkit from
source; pip finds hatchling and omkit's dependencies in the test wheelhouse only, never on an
index.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from testing.wheelhouse import REPO_ROOT, offline_env

#: The file name followed by a line number: ``bad.yaml:6``, ``bad.yaml:6:7``, ``bad.yaml, line 6``.
BAD_FILE_LINE = re.compile(r"bad\.yaml(?::|,? line |\s*\(line )(\d+)")
HOOK_ID = "omkit-validate"
# Files of the checkout that never belong in a hook repository, when git cannot tell us.
_NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "__pycache__", "*.pyc", ".*_cache", "dist", "build", "*.egg-info"
)


def git_env(base: dict[str, str]) -> dict[str, str]:
    """``base`` without inherited ``GIT_*`` state, and with no user or system git config."""
    env = {k: v for k, v in base.items() if not k.startswith("GIT_")}
    env.update(
        GIT_CONFIG_GLOBAL=os.devnull,
        GIT_CONFIG_NOSYSTEM="1",
        GIT_AUTHOR_NAME="omkit tests",
        GIT_AUTHOR_EMAIL="tests@omkit.invalid",
        GIT_COMMITTER_NAME="omkit tests",
        GIT_COMMITTER_EMAIL="tests@omkit.invalid",
    )
    return env


def git(cwd: Path, *args: str) -> str:
    """Run a git command in ``cwd`` and return its output; fail the test if git fails."""
    proc = subprocess.run(
        ["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=git_env(dict(os.environ)),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, f"git {' '.join(args)} failed:\n{proc.stdout}{proc.stderr}"
    return proc.stdout


def new_repo(path: Path) -> Path:
    """``git init`` at ``path``, with a local user name and e-mail."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    git(path, "config", "user.name", "omkit tests")
    git(path, "config", "user.email", "tests@omkit.invalid")
    return path


def commit_all(repo: Path, message: str) -> None:
    """Stage every change in ``repo`` and commit it (skipping any git hooks)."""
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "--allow-empty", "-m", message)


def source_files(checkout: Path) -> list[Path]:
    """The checkout's files, relative to it: what git tracks or would track."""
    if (checkout / ".git").exists():
        out = git(checkout, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
        return [Path(p) for p in dict.fromkeys(out.split("\0")) if p and (checkout / p).is_file()]
    return []


@pytest.fixture(scope="session")
def hook_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A committed snapshot of this working copy, usable as a pre-commit hook repository."""
    dest = tmp_path_factory.mktemp("hook-repo") / "omkit"
    files = source_files(REPO_ROOT)
    if files:
        for rel in files:
            (dest / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(REPO_ROOT / rel, dest / rel)
    else:  # not a git checkout (an unpacked sdist, say)
        shutil.copytree(REPO_ROOT, dest, ignore=_NOT_SOURCE)
    assert (dest / ".pre-commit-hooks.yaml").is_file()
    new_repo(dest)
    commit_all(dest, "snapshot of the omkit working copy")
    return dest


@pytest.fixture(scope="session")
def precommit_env(
    tmp_path_factory: pytest.TempPathFactory, wheelhouse: Path
) -> Iterator[dict[str, str]]:
    """Environment for pre-commit: offline pip and virtualenv, private caches, plain output.

    PRE_COMMIT_HOME is a private store: the hook is installed once (a few seconds with the
    local wheelhouse), and nothing goes to ~/.cache.
    """
    home = tmp_path_factory.mktemp("pre-commit-home")
    env = offline_env(
        wheelhouse,
        PRE_COMMIT_HOME=str(home / "cache"),
        PRE_COMMIT_COLOR="never",
        # virtualenv seeds pip from the wheels it embeds; never fetch newer ones.
        VIRTUALENV_DOWNLOAD="0",
        VIRTUALENV_NO_PERIODIC_UPDATE="1",
        VIRTUALENV_OVERRIDE_APP_DATA=str(home / "virtualenv"),
        COLUMNS="200",
    )
    yield git_env(env)
    shutil.rmtree(home, ignore_errors=True)


def readme_snippet() -> str:
    """The ``.pre-commit-config.yaml`` that README.md's pre-commit section tells users to add."""
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("\n## pre-commit\n") :]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def readme_rev() -> str:
    found = re.search(r"^\s+rev:\s*(\S+)", readme_snippet(), re.M)
    assert found is not None, readme_snippet()
    return found.group(1)


def with_location(snippet: str, repo: Path, rev: str) -> str:
    """``snippet`` with its ``repo:`` and ``rev:`` values replaced, everything else as written."""
    text = re.sub(
        r"^(\s*- repo:\s*)\S+", lambda m: m.group(1) + str(repo), snippet, count=1, flags=re.M
    )
    return re.sub(r"^(\s+rev:\s*)\S+", lambda m: m.group(1) + rev, text, count=1, flags=re.M)


def pre_commit(project: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``pre-commit ARGS`` in ``project`` (stderr merged into stdout)."""
    return subprocess.run(
        [sys.executable, "-m", "pre_commit", *args],
        cwd=project,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        timeout=600,
        check=False,
    )


def make_project(path: Path, files: dict[str, str]) -> Path:
    """A git repository at ``path`` whose single commit holds ``files`` (name -> text)."""
    repo = new_repo(path)
    for name, text in files.items():
        (repo / name).write_text(text, encoding="utf-8")
    commit_all(repo, "SageMaker ingestion configs")
    return repo


def test_manifest_declares_the_hook() -> None:
    """.pre-commit-hooks.yaml passes pre-commit's own check and runs ``omkit validate`` on YAML."""
    manifest = REPO_ROOT / ".pre-commit-hooks.yaml"
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", str(manifest)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = yaml.safe_load(manifest.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == [HOOK_ID]
    hook = hooks[0]
    assert hook["entry"] == "omkit validate --only-workflows --no-env"
    assert hook["language"] == "python"
    assert hook["types"] == ["yaml"]
    assert hook["require_serial"] is False


def test_readme_rev_is_a_commit_of_this_repository_with_the_hook() -> None:
    """The README's ``rev:`` exists here (``v0.1.0`` did not: pre-commit failed with "pathspec
    'v0.1.0' did not match") and names a commit whose manifest offers omkit-validate."""
    rev = readme_rev()
    assert re.fullmatch(r"[0-9a-f]{40}", rev), f"README's rev: {rev} is not a commit SHA"
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("not a git checkout: the history is not here to look the commit up in")
    if git(REPO_ROOT, "rev-parse", "--is-shallow-repository").strip() == "true":
        pytest.skip("a shallow clone: the README's commit may be older than its history")
    manifest = yaml.safe_load(git(REPO_ROOT, "show", f"{rev}:.pre-commit-hooks.yaml"))
    assert HOOK_ID in [hook["id"] for hook in manifest]


@pytest.mark.slow
def test_readme_snippet_runs_the_hook(
    tmp_path: Path,
    hook_repo: Path,
    precommit_env: dict[str, str],
    sagemaker_configs: dict[str, str],
) -> None:
    """README's snippet, with a local clone as ``repo:`` and its commit as ``rev:``: pre-commit
    installs omkit and the hook fails naming bad.yaml and its line; once bad.yaml is gone, it
    passes and counts the YAML files that are not workflow configs as skipped."""
    config = with_location(readme_snippet(), hook_repo, git(hook_repo, "rev-parse", "HEAD").strip())
    files = {
        **sagemaker_configs,
        "docker-compose.yml": "services:\n  moto:\n    image: motoserver/moto\n",
        ".pre-commit-config.yaml": config,
    }
    project = make_project(tmp_path / "project", files)
    failed = pre_commit(project, precommit_env, "run", "--all-files")
    assert failed.returncode == 1, failed.stdout
    assert BAD_FILE_LINE.search(failed.stdout), f"no 'bad.yaml:<line>' in:\n{failed.stdout}"
    assert "good.yaml" not in failed.stdout, failed.stdout

    git(project, "rm", "-q", "bad.yaml")
    commit_all(project, "the bad config removed")
    passed = pre_commit(project, precommit_env, "run", "--all-files")
    assert passed.returncode == 0, passed.stdout
    assert "omkit validate" in passed.stdout, passed.stdout
    assert "Passed" in passed.stdout, passed.stdout


def test_autoupdate_moves_the_readme_rev_as_the_readme_says(
    tmp_path: Path, hook_repo: Path, precommit_env: dict[str, str]
) -> None:
    """Without a tag, ``pre-commit autoupdate`` moves ``rev:`` to the newest commit; with one,
    to the tag, not to a newer commit, and ``--freeze`` writes the tag's commit SHA with the tag
    in a ``# frozen:`` comment."""
    upstream = tmp_path / "upstream"
    git(tmp_path, "clone", "-q", str(hook_repo), str(upstream))
    old = git(upstream, "rev-parse", "HEAD").strip()
    commit_all(upstream, "a later commit")
    newest = git(upstream, "rev-parse", "HEAD").strip()
    project = make_project(
        tmp_path / "project",
        {".pre-commit-config.yaml": with_location(readme_snippet(), upstream, old)},
    )
    config = project / ".pre-commit-config.yaml"

    moved = pre_commit(project, precommit_env, "autoupdate")
    assert moved.returncode == 0, moved.stdout
    assert yaml.safe_load(config.read_text(encoding="utf-8"))["repos"][0]["rev"] == newest

    commit_all(upstream, "the release")
    release = git(upstream, "rev-parse", "HEAD").strip()
    git(upstream, "tag", "v0.1.0")
    commit_all(upstream, "after the release")
    frozen = pre_commit(project, precommit_env, "autoupdate", "--freeze")
    assert frozen.returncode == 0, frozen.stdout
    assert f"rev: {release}  # frozen: v0.1.0\n" in config.read_text(encoding="utf-8")
