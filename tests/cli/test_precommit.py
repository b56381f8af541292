"""The ``omkit-validate`` pre-commit hook, installed by pre-commit itself, offline.

``pre-commit try-repo`` runs the hook straight from a hook repository. We point it at a
snapshot of this working copy (tracked and untracked files, less what .gitignore drops,
committed in a throw-away git repository), so the test sees uncommitted edits and works
whether or not the checkout has any commits: try-repo on the checkout itself would leave
out untracked files, and fails when there is no HEAD commit. pre-commit builds the hook's
virtualenv with virtualenv's embedded pip and installs omkit from source; pip finds
hatchling and omkit's dependencies in the test wheelhouse only, never on an index.
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
from wheelhouse import REPO_ROOT, offline_env

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

    try-repo installs the hook into a new temporary store on every run (a few seconds with
    the local wheelhouse); PRE_COMMIT_HOME only keeps anything else away from ~/.cache.
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


def try_repo(
    project: Path, hook_repo: Path, env: dict[str, str]
) -> subprocess.CompletedProcess[str]:
    """Run ``pre-commit try-repo HOOK_REPO omkit-validate --all-files`` in ``project``."""
    cmd = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), HOOK_ID, "--all-files"]
    return subprocess.run(
        cmd,
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


@pytest.mark.slow
def test_hook_fails_on_bad_config(
    tmp_path: Path,
    hook_repo: Path,
    precommit_env: dict[str, str],
    sagemaker_configs: dict[str, str],
) -> None:
    """With bad.yaml committed beside good.yaml, the hook exits 1 naming bad.yaml and a line."""
    project = make_project(tmp_path / "project", sagemaker_configs)
    proc = try_repo(project, hook_repo, precommit_env)
    assert proc.returncode == 1, proc.stdout
    assert BAD_FILE_LINE.search(proc.stdout), f"no 'bad.yaml:<line>' in the output:\n{proc.stdout}"


@pytest.mark.slow
def test_hook_passes_on_good_config(
    tmp_path: Path,
    hook_repo: Path,
    precommit_env: dict[str, str],
    sagemaker_configs: dict[str, str],
) -> None:
    """With good.yaml committed beside YAML files that are not workflow configs (a compose file,
    the pre-commit config itself), the hook exits 0 and says how many it skipped."""
    files = {
        "good.yaml": sagemaker_configs["good.yaml"],
        "docker-compose.yml": "services:\n  moto:\n    image: motoserver/moto\n",
        ".pre-commit-config.yaml": "repos: []\n",
    }
    proc = try_repo(make_project(tmp_path / "project", files), hook_repo, precommit_env)
    assert proc.returncode == 0, proc.stdout
    assert HOOK_ID in proc.stdout or "omkit validate" in proc.stdout, proc.stdout
