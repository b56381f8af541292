"""Offline wheelhouse for the packaging tests.

Tests must install omkit into fresh virtual environments without touching the network.
Every distribution they need (omkit's runtime dependencies and the ``hatchling`` build
backend) is already installed in the interpreter running the tests, so we re-pack those
installed files into wheels: for each distribution the files listed in its ``RECORD``
(minus byte code and installer-written metadata), under the tags of its ``WHEEL`` file,
with a freshly computed ``RECORD``.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib
import io
import json
import os
import re
import subprocess
import sys
import sysconfig
import zipfile
from collections import deque
from collections.abc import Iterable
from email.parser import HeaderParser
from importlib import metadata
from pathlib import Path
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

#: The checkout these tests belong to.
REPO_ROOT = Path(__file__).resolve().parent.parent

#: The project's PEP 517 build backend, needed to build omkit from source offline.
BUILD_BACKEND = "hatchling"

# Written by the installer, not part of the wheel (RECORD is regenerated; signatures of the
# old RECORD would be wrong).
_INSTALLER_FILES = frozenset(
    {"INSTALLER", "REQUESTED", "direct_url.json", "RECORD", "RECORD.jws", "RECORD.p7s"}
)
# Zip timestamps before 1980 are not representable; a fixed one makes wheels reproducible.
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


def _load_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file with ``tomllib`` (3.11+) or ``tomli`` (3.10)."""
    try:
        toml: Any = importlib.import_module("tomllib")
    except ModuleNotFoundError:  # Python 3.10
        toml = importlib.import_module("tomli")
    with path.open("rb") as f:
        data: dict[str, Any] = toml.load(f)
    return data


def project_dependencies(pyproject: Path = REPO_ROOT / "pyproject.toml") -> list[str]:
    """The ``[project].dependencies`` of ``pyproject``.

    Without a TOML parser (Python 3.10 lacking ``tomli``), fall back to the non-extra
    ``Requires-Dist`` of the installed omkit metadata, which hatchling wrote from that table.
    """
    try:
        deps: list[str] = _load_toml(pyproject)["project"].get("dependencies", [])
    except ModuleNotFoundError:
        requires = metadata.requires("omkit") or []
        deps = [r for r in requires if Requirement(r).marker is None]
    return deps


def is_editable(dist: metadata.Distribution) -> bool:
    """True for an editable (development) install, which has no files to re-pack."""
    text = dist.read_text("direct_url.json")
    if not text:
        return False
    info: dict[str, Any] = json.loads(text)
    return bool(info.get("dir_info", {}).get("editable", False))


def dependency_closure(requirements: Iterable[str]) -> list[metadata.Distribution]:
    """The installed distributions that ``requirements`` need, recursively.

    Markers are evaluated for this interpreter; extras are followed only where requested.
    Editable installs are left out. Raises ``LookupError`` when a needed distribution is
    missing or its installed version does not satisfy a requirement.
    """
    found: dict[str, metadata.Distribution] = {}
    extras_seen: dict[str, set[str]] = {}
    queue: deque[Requirement] = deque()
    for line in requirements:
        req = Requirement(line)
        if req.marker is None or req.marker.evaluate({"extra": ""}):
            queue.append(req)
    while queue:
        req = queue.popleft()
        name = canonicalize_name(req.name)
        try:
            dist = found.get(name) or metadata.distribution(req.name)
        except metadata.PackageNotFoundError:
            raise LookupError(f"{req} is needed but not installed") from None
        if not req.specifier.contains(dist.version, prereleases=True):
            raise LookupError(f"{req} is needed but {dist.version} is installed")
        first_visit = name not in found
        new_extras = {canonicalize_name(e) for e in req.extras} - extras_seen.get(name, set())
        if not first_visit and not new_extras:
            continue
        found[name] = dist
        extras_seen.setdefault(name, set()).update(new_extras)
        for line in dist.requires or []:
            sub = Requirement(line)
            if sub.marker is None:
                applies = first_visit
            else:
                applies = (first_visit and sub.marker.evaluate({"extra": ""})) or any(
                    sub.marker.evaluate({"extra": extra}) for extra in new_extras
                )
            if applies:
                queue.append(sub)
    return [d for d in found.values() if not is_editable(d)]


def _wheel_name(dist: metadata.Distribution, wheel_file: str) -> str:
    """The wheel's file name: escaped name, version, optional build tag, compressed tags."""
    headers = HeaderParser().parsestr(wheel_file)
    tags = [t.split("-") for t in headers.get_all("Tag") or []]
    if not tags or any(len(t) != 3 for t in tags):
        raise ValueError(f"{dist.metadata['Name']}: WHEEL has no valid Tag lines")
    parts = [".".join(dict.fromkeys(t[i] for t in tags)) for i in range(3)]
    name = re.sub(r"[-_.]+", "_", dist.metadata["Name"]).lower()
    try:
        version = str(Version(dist.version))
    except InvalidVersion:
        version = dist.version
    version = version.replace("-", "_")
    build = headers.get("Build")
    return "-".join([name, version, *([build] if build else []), *parts]) + ".whl"


def _archive_name(dist: metadata.Distribution, rel: str, data_dir: str) -> str | None:
    """Where installed file ``rel`` (relative to site-packages) goes in the wheel.

    Files inside site-packages keep their path. Files outside it were installed from the
    wheel's ``.data`` folder: scripts go back to ``.data/scripts`` (except console and GUI
    script wrappers, which the installer generates from entry points), anything else under
    the environment prefix to ``.data/data``. Returns ``None`` for files to leave out.
    """
    parts = Path(rel).parts
    if "__pycache__" in parts or rel.endswith((".pyc", ".pyo")):
        return None
    if parts[0].endswith(".dist-info") and len(parts) == 2 and parts[1] in _INSTALLER_FILES:
        return None
    if ".." not in parts:
        return Path(rel).as_posix()
    target = Path(os.path.normpath(str(dist.locate_file(rel))))
    scripts = Path(sysconfig.get_path("scripts"))
    prefix = Path(sys.prefix)
    if target.parent == scripts:
        generated = {
            ep.name for ep in dist.entry_points if ep.group in ("console_scripts", "gui_scripts")
        }
        if target.name in generated:
            return None
        return f"{data_dir}/scripts/{target.name}"
    if target.is_relative_to(prefix):
        return f"{data_dir}/data/{target.relative_to(prefix).as_posix()}"
    raise ValueError(f"{dist.metadata['Name']}: cannot place {rel} in a wheel")


def _restore_shebang(content: bytes) -> bytes:
    """Undo the installer's shebang rewrite of a script (``#!/venv/bin/python`` -> ``#!python``)."""
    first, sep, rest = content.partition(b"\n")
    if first.startswith(b"#!") and b"python" in first:
        return b"#!python" + sep + rest
    return content


def _record_hash(content: bytes) -> str:
    digest = hashlib.sha256(content).digest()
    return "sha256=" + base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def repack(dist: metadata.Distribution, dest: Path) -> Path:
    """Write ``dist``'s installed files as a wheel in ``dest`` and return the wheel's path."""
    label = f"{dist.metadata['Name']} {dist.version}"
    if is_editable(dist):
        raise ValueError(f"{label} is an editable install; build it from source instead")
    wheel_file = dist.read_text("WHEEL")
    if dist.files is None or wheel_file is None:
        raise ValueError(f"{label} has no RECORD or WHEEL file (not installed from a wheel)")
    dist_info = next(
        (f.parts[0] for f in dist.files if f.parts[0].endswith(".dist-info") and f.name == "WHEEL"),
        None,
    )
    if dist_info is None:
        raise ValueError(f"{label}: RECORD does not list its .dist-info/WHEEL")
    data_dir = dist_info.removesuffix(".dist-info") + ".data"

    entries: dict[str, tuple[Path, bytes]] = {}
    for file in dist.files:
        arcname = _archive_name(dist, str(file), data_dir)
        if arcname is None or arcname in entries:
            continue
        source = Path(str(dist.locate_file(file)))
        content = source.read_bytes()
        if arcname.startswith(f"{data_dir}/scripts/"):
            content = _restore_shebang(content)
        entries[arcname] = (source, content)

    record = io.StringIO()
    writer = csv.writer(record, lineterminator="\n")
    record_name = f"{dist_info}/RECORD"
    # The .dist-info goes last, as the wheel spec recommends.
    order = sorted(entries, key=lambda n: (n.startswith(f"{dist_info}/"), n))
    path = dest / _wheel_name(dist, wheel_file)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for arcname in order:
            source, content = entries[arcname]
            info = zipfile.ZipInfo(arcname, date_time=_ZIP_EPOCH)
            info.external_attr = (source.stat().st_mode & 0xFFFF) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, content)
            writer.writerow([arcname, _record_hash(content), len(content)])
        writer.writerow([record_name, "", ""])
        info = zipfile.ZipInfo(record_name, date_time=_ZIP_EPOCH)
        info.external_attr = 0o644 << 16
        info.compress_type = zipfile.ZIP_DEFLATED
        zf.writestr(info, record.getvalue())
    return path


def build_wheelhouse(dest: Path) -> Path:
    """Fill ``dest`` with wheels of omkit's runtime dependencies and its build backend.

    Everything comes from the running interpreter's environment; nothing is downloaded.
    """
    dest.mkdir(parents=True, exist_ok=True)
    for dist in dependency_closure([*project_dependencies(), BUILD_BACKEND]):
        repack(dist, dest)
    return dest


def offline_env(wheelhouse: Path | None = None, **extra: str) -> dict[str, str]:
    """An environment for child processes (pip above all) that cannot reach the network.

    pip's own configuration files and ``PIP_*`` variables are dropped, the package index is
    switched off (``wheelhouse`` becomes the only source of packages) and every proxy
    variable points at a closed loopback port, so a stray download fails at once.
    """
    drop = ("PIP_", "VIRTUALENV_", "PYTHON", "PRE_COMMIT")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env.pop("VIRTUAL_ENV", None)
    env.update(
        PIP_CONFIG_FILE=os.devnull,
        PIP_NO_INDEX="1",
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
        PIP_NO_CACHE_DIR="1",
        PYTHONDONTWRITEBYTECODE="1",
        NO_COLOR="1",
    )
    if wheelhouse is not None:
        env["PIP_FIND_LINKS"] = str(wheelhouse)
    closed = "http://127.0.0.1:9"
    for var in ("http_proxy", "https_proxy", "all_proxy"):
        env[var] = env[var.upper()] = closed
    env.pop("no_proxy", None)
    env.pop("NO_PROXY", None)
    env.update(extra)
    return env


def build_project_wheel(dest: Path, project: Path = REPO_ROOT) -> Path:
    """Build ``project``'s own wheel into ``dest`` with the installed backend, offline."""
    dest.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation"]
    cmd += ["--no-index", "-q", "-w", str(dest), str(project)]
    subprocess.run(cmd, check=True, env=offline_env(), stdin=subprocess.DEVNULL)
    (wheel,) = dest.glob("*.whl")
    return wheel
