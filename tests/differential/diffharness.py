"""The differential harness: omkit's verdict on a config beside the official runner's.

An :class:`OfficialRunner` is one long-running process of ``official_driver.py`` under the Python
of an official venv (``openmetadata-ingestion`` of one release); :func:`omkit_verdict` is the
library call behind ``omkit validate --target-version`` of that release, in process. :func:`compare`
sorts each pair into an :class:`Outcome`; :func:`table` prints the agreement table by mutation kind.

The venvs live at ``.venv-official/<release>`` in the clone (``.ci/run`` installs them there with
``bench/official-venv.sh``); ``OMKIT_OFFICIAL_VENVS`` names another folder holding them, and
``OMKIT_OFFICIAL_<MAJOR>_<MINOR>`` (``OMKIT_OFFICIAL_1_1``) one venv directly.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omkit_sagemaker.base.diagnostics import Diagnostic, Severity
from omkit_sagemaker.check.settings import Settings
from omkit_sagemaker.check.validate import check_text
from omkit_sagemaker.check.versions import Version

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).resolve().parent / "official_driver.py"

#: The official releases the suite runs, by the omkit target release they stand for.
RELEASES: dict[Version, str] = {(1, 1): "1.1.7.5", (2, 0): "2.0.7.0"}


def venv_dir(release: str) -> Path:
    """Where the official venv of ``release`` ("1.1.7.5") is expected."""
    major, minor = release.split(".")[:2]
    direct = os.environ.get(f"OMKIT_OFFICIAL_{major}_{minor}")
    if direct:
        return Path(direct)
    base = os.environ.get("OMKIT_OFFICIAL_VENVS")
    return (Path(base) if base else ROOT / ".venv-official") / release


def missing_reason(release: str) -> str | None:
    """Why the official runner of ``release`` cannot be started here, or None."""
    python = venv_dir(release) / "bin" / "python"
    if python.is_file():
        return None
    return (
        f"no official metadata ingest {release} at {venv_dir(release)} "
        f"(install it: bench/official-venv.sh {venv_dir(release)} {release})"
    )


@dataclass(frozen=True)
class RunnerVerdict:
    """What the official runner did with one config before ingesting anything."""

    verdict: str  # accepted, rejected, network, driver-error
    step: str = ""
    error: str = ""
    notes: tuple[str, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.verdict == "accepted"


class OfficialRunner:
    """One driver process of an official release; :meth:`check` asks it about one config."""

    def __init__(self, release: str) -> None:
        reason = missing_reason(release)
        if reason is not None:
            raise FileNotFoundError(reason)
        self.release = release
        self._process = subprocess.Popen(
            [str(venv_dir(release) / "bin" / "python"), str(DRIVER)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            encoding="utf-8",
            env={**_clean_env(), "PYTHONWARNINGS": "ignore"},
        )
        ready = self._read()
        if ready.get("ready") != release:
            self.close()
            raise RuntimeError(f"{venv_dir(release)} runs {ready.get('ready')}, not {release}")
        self._next = 0

    def _read(self) -> dict[str, Any]:
        assert self._process.stdout is not None
        line = self._process.stdout.readline()
        if not line:
            raise RuntimeError(f"the official {self.release} driver stopped")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def check(self, text: str, env: Mapping[str, str]) -> RunnerVerdict:
        assert self._process.stdin is not None
        self._next += 1
        request = {"id": self._next, "text": text, "env": dict(env)}
        self._process.stdin.write(json.dumps(request) + "\n")
        self._process.stdin.flush()
        answer = self._read()
        if answer.get("id") != self._next:
            raise RuntimeError(f"the official {self.release} driver answered out of order")
        return RunnerVerdict(
            str(answer["verdict"]),
            str(answer["step"]),
            str(answer["error"]),
            tuple(answer.get("notes") or ()),
        )

    def close(self) -> None:
        if self._process.stdin is not None:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def __enter__(self) -> OfficialRunner:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _clean_env() -> dict[str, str]:
    """The driver's environment: no AWS or OpenMetadata settings of this machine leak in."""
    keep = ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "SYSTEMROOT")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env["AWS_DEFAULT_REGION"] = "us-east-2"  # boto3 clients built offline need a region
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return env


@dataclass(frozen=True)
class OmkitVerdict:
    """omkit's diagnostics on one config for one target release."""

    diagnostics: tuple[Diagnostic, ...]

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.diagnostics if d.severity is Severity.ERROR]

    @property
    def accepted(self) -> bool:
        return not self.errors

    @property
    def schema_errors(self) -> list[Diagnostic]:
        """Errors of the codes that claim the runner rejects the file (S and Y)."""
        return [d for d in self.errors if d.code[0] in "SY"]


def omkit_verdict(text: str, env: Mapping[str, str], target: Version) -> OmkitVerdict:
    """``omkit validate --target-version`` on ``text`` with ``env`` as the whole environment."""
    _document, found = check_text(
        text, "config.yaml", environ=dict(env), settings=Settings(target=target)
    )
    return OmkitVerdict(tuple(found))


@dataclass(frozen=True)
class Difference:
    """A deliberate difference between omkit and the runner (listed in docs/compatibility.md
    too): omkit reports ``code`` at a path under ``path`` (any path when empty) where the runner
    rejected the file with ``runner`` in its error, or accepted it (``runner`` is "accepted")."""

    code: str
    releases: tuple[str, ...]
    runner: str
    path: str
    reason: str

    def covers(self, release: str, runner: RunnerVerdict, diagnostic: Diagnostic) -> bool:
        if release not in self.releases or diagnostic.code != self.code:
            return False
        if self.path and not diagnostic.path.startswith(self.path):
            return False
        if self.runner == "accepted":
            return runner.accepted
        return not runner.accepted and self.runner in runner.error


SECURITY = "$.workflowConfig.openMetadataServerConfig.securityConfig"
BOTH = ("1.1.7.5", "2.0.7.0")

#: Every deliberate difference; the table of docs/compatibility.md lists exactly these.
DIFFERENCES: tuple[Difference, ...] = (
    Difference(
        "R026",
        ("2.0.7.0",),
        "FileSinkConfig",
        "$.sink.type",
        "2.0.7.0 refuses every file sink at start (it adds override_metadata to the config); "
        "omkit run writes the file sink, so omkit warns (naming omkit run) instead of rejecting",
    ),
    Difference(
        "S002",
        BOTH,
        "accepted",
        SECURITY,
        "stricter on purpose: a provider that authenticates needs its securityConfig; the runner "
        "starts without one and has no credentials to send",
    ),
    Difference(
        "S003",
        BOTH,
        "accepted",
        SECURITY,
        "as the row above: securityConfig: null is a missing securityConfig",
    ),
    Difference(
        "S001",
        ("1.1.7.5",),
        "accepted",
        SECURITY,
        "stricter on purpose: securityConfig holds the keys of the provider authProvider names; "
        "1.1 parses any provider's keys, and the provider then lacks its own",
    ),
    Difference(
        "S002",
        ("1.1.7.5",),
        "accepted",
        SECURITY,
        "as the row above, for the keys the named provider needs",
    ),
    Difference(
        "S002",
        BOTH,
        "accepted",
        "$.source.sourceConfig.config",
        "stricter on purpose: without config and its type: MlModelMetadata the runner may read "
        "the pipeline options as another pipeline's and drop the ML ones",
    ),
    Difference(
        "S003",
        ("2.0.7.0",),
        "accepted",
        "$.source.sourceConfig.config",
        "as the row above: config: null or type: null is a missing one",
    ),
    Difference(
        "S003",
        ("1.1.7.5",),
        "accepted",
        "$.source.sourceConfig",
        "open: 1.1 starts with sourceConfig written as an empty string; omkit wants the mapping",
    ),
)


AGREE_ACCEPT = "both accept"
AGREE_REJECT = "both reject"
LINT_ONLY = "runner accepts, omkit R error"
EXPLAINED = "deliberate difference"
FALSE_NEGATIVE = "FALSE NEGATIVE"
FALSE_POSITIVE = "S/Y ERROR, RUNNER ACCEPTS"
UNDETERMINED = "UNDETERMINED"
OUTCOMES = (
    AGREE_ACCEPT,
    AGREE_REJECT,
    LINT_ONLY,
    EXPLAINED,
    FALSE_NEGATIVE,
    FALSE_POSITIVE,
    UNDETERMINED,
)
FAILURES = (FALSE_NEGATIVE, FALSE_POSITIVE, UNDETERMINED)


def compare(
    release: str,
    runner: RunnerVerdict,
    omkit: OmkitVerdict,
    differences: Sequence[Difference] = DIFFERENCES,
) -> str:
    """The outcome of one config: one of :data:`OUTCOMES`."""
    if runner.verdict not in ("accepted", "rejected"):
        return UNDETERMINED
    if runner.accepted == omkit.accepted:
        return AGREE_ACCEPT if runner.accepted else AGREE_REJECT
    if not runner.accepted:
        explained = any(
            diff.covers(release, runner, found)
            for diff in differences
            for found in omkit.diagnostics
        )
        return EXPLAINED if explained else FALSE_NEGATIVE
    if not omkit.schema_errors:
        return LINT_ONLY
    every = all(
        any(diff.covers(release, runner, found) for diff in differences)
        for found in omkit.schema_errors
    )
    return EXPLAINED if every else FALSE_POSITIVE


@dataclass
class Case:
    """One config of the suite, with both verdicts and the outcome."""

    kind: str
    text: str
    env: dict[str, str]
    runner: RunnerVerdict
    omkit: OmkitVerdict
    outcome: str

    def describe(self) -> str:
        codes = ", ".join(f"{d.code}@{d.path}" for d in self.omkit.errors) or "no error"
        runner = (
            "accepted"
            if self.runner.accepted
            else f"{self.runner.verdict} at {self.runner.step}: {self.runner.error}"
        )
        return f"[{self.kind}] {self.outcome}: runner {runner}; omkit {codes}\n{self.text}"


@dataclass
class Tally:
    """Outcomes by mutation kind, for one release."""

    release: str
    cases: list[Case] = field(default_factory=list)

    def add(self, case: Case) -> None:
        self.cases.append(case)

    def failures(self) -> list[Case]:
        return [c for c in self.cases if c.outcome in FAILURES]


def run_cases(
    runner: OfficialRunner,
    target: Version,
    cases: Iterable[tuple[str, str, dict[str, str]]],
) -> Tally:
    """Every ``(kind, text, env)`` through both, sorted into a :class:`Tally`."""
    tally = Tally(runner.release)
    for kind, text, env in cases:
        official = runner.check(text, env)
        ours = omkit_verdict(text, env, target)
        tally.add(Case(kind, text, env, official, ours, compare(runner.release, official, ours)))
    return tally


def table(tally: Tally) -> str:
    """The agreement table: one row per mutation kind, one column per outcome."""
    by_kind: dict[str, Counter[str]] = defaultdict(Counter)
    for case in tally.cases:
        by_kind[case.kind][case.outcome] += 1
    columns = [o for o in OUTCOMES if o in FAILURES or any(c[o] for c in by_kind.values())]
    width = max([len("kind"), *(len(k) for k in by_kind)])
    head = f"{'kind':<{width}} " + " ".join(f"{c:>{max(len(c), 5)}}" for c in columns)
    lines = [f"metadata ingest {tally.release}: {len(tally.cases)} configs", head]
    total: Counter[str] = Counter()
    for kind in sorted(by_kind):
        counts = by_kind[kind]
        total.update(counts)
        cells = " ".join(f"{counts[c]:>{max(len(c), 5)}}" for c in columns)
        lines.append(f"{kind:<{width}} {cells}")
    cells = " ".join(f"{total[c]:>{max(len(c), 5)}}" for c in columns)
    lines.append(f"{'total':<{width}} {cells}")
    return "\n".join(lines)
