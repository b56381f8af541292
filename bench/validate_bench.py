"""Benchmark: `omkit validate` against check-jsonschema on the same files and the same schema.

check-jsonschema (the standard JSON-Schema pre-commit hook, installed by the `dev` extra) checks
the files with the schema `omkit schema` writes (every `$ref` bundled). Each case runs the two
tools as fresh processes in pairs, A B A B ..., so that machine noise hits both alike; a pair
gives one ratio (omkit's wall time / check-jsonschema's), and the bench prints the median ratio
with the min-max of all pairs. A target is missed only when the whole interval is past it (every
pair slower than the target), so a bench on a busy machine does not flip on noise.

Cases and targets (omkit's wall time as a fraction of check-jsonschema's):

- 1 valid file, cold process: <= 0.3;
- 1 file with 3 schema errors, cold process: <= 0.4;
- 1,000 valid files in one call: <= 0.1, and at most 0.6 ms of CPU per file after the first
  (user + system time of 1,000 files less that of 1 file, over 999), peak memory <= 1.0x;
- 10,000 valid files in one call: <= 0.1 (skipped by --quick).

Also prints the machine and what `omkit validate` imports (see tests/cli/test_import_budget.py,
which CI runs). Run: `.venv/bin/python bench/validate_bench.py [--quick] [--pairs N]`.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEMPLATE = ROOT / "templates" / "sagemaker.yaml"
#: The template's ${VAR} references, set to values that pass every rule: the file is valid.
ENV = {
    "AWS_ACCESS_KEY_ID": "AKIA2E0A8F3B1C9D7E6F",
    "AWS_SECRET_ACCESS_KEY": "bench-secret-access-key-value",
    "OPENMETADATA_JWT_TOKEN": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJiZW5jaCJ9.c2ln",
}
#: Three schema errors: a miscased connection type, a text for a boolean, a host without scheme.
ERRORS = (
    ("      type: SageMaker\n", "      type: Sagemaker\n"),
    ("markDeletedMlModels: true\n", "markDeletedMlModels: maybe\n"),
    ("hostPort: http://localhost:8585/api\n", "hostPort: localhost:8585\n"),
)
#: Never imported by `omkit validate`, whether the file is valid or not.
BANNED = (
    "boto3", "botocore", "pydantic", "pygls", "lsprotocol", "jsonschema", "referencing",
    "attrs", "rpds", "rich", "ruamel", "typer", "click",
)  # fmt: skip

_PROBE = """
import sys
from omkit_sagemaker import cli
sys.argv = ["omkit", *sys.argv[1:]]
try:
    cli.main()
except SystemExit:
    pass
print("imported:", ",".join(sorted({m.split(".")[0] for m in sys.modules})))
"""


@dataclass
class Case:
    """One comparison: the two commands, their expected exit code, the targets."""

    name: str
    ours: list[str]
    peer: list[str]
    status: int
    target: float
    pairs: int


@dataclass
class Outcome:
    """What the pairs of one case measured."""

    ratios: list[float]
    ours: list[float]
    peer: list[float]
    our_cpu: list[float]
    our_rss: int
    peer_rss: int


def imported(*args: str) -> set[str]:
    """The top-level packages a fresh `omkit ARGS` process has imported."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("imported: "))
    return set(line.removeprefix("imported: ").split(","))


def run(command: list[str], status: int) -> tuple[float, float, int]:
    """Wall time and CPU time (user + system) in seconds, and peak RSS in KiB, of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, code, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(code) != status:
        raise SystemExit(f"exit {os.waitstatus_to_exitcode(code)}, not {status}: {command[:3]}")
    return elapsed, usage.ru_utime + usage.ru_stime, int(usage.ru_maxrss)


def measure(case: Case) -> Outcome:
    """Run the case's commands in pairs (after one warm-up each) and print the result."""
    run(case.ours, case.status), run(case.peer, case.status)
    out = Outcome([], [], [], [], 0, 0)
    for _ in range(case.pairs):
        ours, cpu, our_rss = run(case.ours, case.status)
        peer, _, peer_rss = run(case.peer, case.status)
        out.ratios.append(ours / peer)
        out.ours.append(ours)
        out.peer.append(peer)
        out.our_cpu.append(cpu)
        out.our_rss, out.peer_rss = max(out.our_rss, our_rss), max(out.peer_rss, peer_rss)
    print(
        f"{case.name:<28} omkit {_ms(out.ours)}  check-jsonschema {_ms(out.peer)}  "
        f"ratio {_interval(out.ratios)} (target <= {case.target}, {case.pairs} pairs)"
    )
    return out


def _ms(times: list[float]) -> str:
    median = statistics.median(times)
    return f"{median * 1000:.0f} ms" if median < 1 else f"{median:.2f} s"


def _interval(values: list[float], digits: int = 2) -> str:
    low, mid, high = min(values), statistics.median(values), max(values)
    return f"{mid:.{digits}f} ({low:.{digits}f}-{high:.{digits}f})"


def verdict(label: str, values: list[float], target: float) -> bool:
    """Print whether ``values`` meet ``target``; missed only when all of them are past it."""
    missed = min(values) > target
    state = "MISSED" if missed else ("ok" if max(values) <= target else "ok (interval crosses)")
    print(f"  {label:<40} {_interval(values, 3)} target <= {target}: {state}")
    return not missed


def check_imports(valid: Path, broken: Path) -> list[str]:
    """Print what `omkit validate` imports of the banned packages; the failed checks."""
    failed = []
    for label, path in (("valid file", valid), ("file with errors", broken)):
        heavy = imported("validate", str(path)) & set(BANNED)
        print(f"omkit validate, {label:<17} imports: {', '.join(sorted(heavy)) or 'none banned'}")
        if heavy:
            failed.append(f"import budget ({label})")
    return failed


def machine() -> str:
    """Cores, CPU, Python and OS of this machine."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"machine: {os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-file case")
    parser.add_argument("--pairs", type=int, default=20, help="pairs for one file (default 20)")
    args = parser.parse_args()

    omkit = shutil.which("omkit", path=str(BIN))
    peer = shutil.which("check-jsonschema", path=str(BIN))
    if omkit is None or peer is None:
        raise SystemExit("needs omkit and check-jsonschema installed beside this Python")
    print(machine())
    # Both tools run with their bytecode written, as an installed tool does.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.update(ENV)
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "toolkit")], check=True)
    failed: list[str] = []
    with tempfile.TemporaryDirectory(prefix="omkit-bench-") as tmp:
        work = Path(tmp)
        schema = work / "workflow.schema.json"
        subprocess.run([omkit, "schema", "--output", str(schema)], check=True, capture_output=True)
        text = TEMPLATE.read_text(encoding="utf-8")
        one = work / "one" / "sagemaker.yaml"
        one.parent.mkdir()
        one.write_text(text, encoding="utf-8")
        broken = work / "broken" / "sagemaker.yaml"
        broken.parent.mkdir()
        for old, new in ERRORS:
            assert old in text, old
            text = text.replace(old, new, 1)
        broken.write_text(text, encoding="utf-8")
        failed += check_imports(one, broken)
        many = work / "many"
        many.mkdir()
        for i in range(10_000 if not args.quick else 1_000):
            shutil.copy(one, many / f"config-{i:05d}.yaml")
        files = sorted(str(p) for p in many.iterdir())

        def case(name: str, paths: list[str], status: int, target: float, pairs: int) -> Case:
            ours = [omkit, "validate", *paths]
            theirs = [peer, "--schemafile", str(schema), *paths]
            return Case(name, ours, theirs, status, target, pairs)

        n = args.pairs
        valid = measure(case("1 valid file, cold", [str(one)], 0, 0.3, n))
        errors = measure(case("1 file with 3 errors, cold", [str(broken)], 1, 0.4, n))
        thousand = measure(case("1,000 files", files[:1000], 0, 0.1, max(3, n // 4)))
        ok = [
            verdict("1 valid file, ratio", valid.ratios, 0.3),
            verdict("1 file with 3 errors, ratio", errors.ratios, 0.4),
            verdict("1,000 files, ratio", thousand.ratios, 0.1),
        ]
        base = statistics.median(valid.our_cpu)
        per_file = [(cpu - base) / 999 * 1000 for cpu in thousand.our_cpu]
        ok.append(verdict("CPU ms per additional file (1,000 files)", per_file, 0.6))
        memory = thousand.our_rss / thousand.peer_rss
        print(
            f"  {'peak RSS, 1,000 files':<40} {thousand.our_rss // 1024} MiB vs "
            f"{thousand.peer_rss // 1024} MiB ({memory:.2f}x) target <= 1.0: "
            f"{'ok' if memory <= 1.0 else 'MISSED'}"
        )
        ok.append(memory <= 1.0)
        if not args.quick:
            big = measure(case("10,000 files", files, 0, 0.1, 3))
            ok.append(verdict("10,000 files, ratio", big.ratios, 0.1))
    failed += [f"target {i}" for i, good in enumerate(ok) if not good]
    if failed:
        print("missed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
