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

if __package__ in (None, ""):  # run as a plain script: the repository's root on the path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.pairing import Spread, add_pairs, options, table

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
        f"ratio {Spread.of(out.ratios).dash()} (target <= {case.target}, {case.pairs} pairs)"
    )
    return out


def _ms(times: list[float]) -> str:
    median = statistics.median(times)
    return f"{median * 1000:.0f} ms" if median < 1 else f"{median:.2f} s"


def row(case: Case, out: Outcome) -> list[str]:
    """The README's table row of one case (see the Benchmarks section)."""
    ratio = Spread.of(out.ratios).dash()
    return [case.name, _ms(out.ours), _ms(out.peer), ratio, f"≤ {case.target}", str(case.pairs)]


def verdict(label: str, values: list[float], target: float) -> bool:
    """Print whether ``values`` meet ``target``; missed only when all of them are past it."""
    missed = min(values) > target
    state = "MISSED" if missed else ("ok" if max(values) <= target else "ok (interval crosses)")
    print(f"  {label:<40} {Spread.of(values).dash(3)} target <= {target}: {state}")
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


@dataclass
class Files:
    """The files both tools check: the schema, one valid file, one with errors, many valid."""

    schema: Path
    one: Path
    broken: Path
    many: list[str]


def write_files(work: Path, omkit: str, count: int) -> Files:
    """The schema (`omkit schema`), the template, the template with :data:`ERRORS`, and
    ``count`` copies of the template."""
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
    many = work / "many"
    many.mkdir()
    for i in range(count):
        shutil.copy(one, many / f"config-{i:05d}.yaml")
    return Files(schema, one, broken, sorted(str(p) for p in many.iterdir()))


def compare(omkit: str, peer: str, files: Files, n: int, quick: bool) -> list[str]:
    """Every case in pairs, the verdicts and the README rows printed; the missed targets."""

    def case(name: str, paths: list[str], status: int, target: float, pairs: int) -> Case:
        ours = [omkit, "validate", *paths]
        theirs = [peer, "--schemafile", str(files.schema), *paths]
        return Case(name, ours, theirs, status, target, pairs)

    cases = [
        case("1 valid file, cold", [str(files.one)], 0, 0.3, n),
        case("1 file with 3 errors, cold", [str(files.broken)], 1, 0.4, n),
        case("1,000 files", files.many[:1000], 0, 0.1, max(3, n // 4)),
    ]
    outcomes = [measure(c) for c in cases]
    valid, errors, thousand = outcomes
    ok = {
        "1 valid file": verdict("1 valid file, ratio", valid.ratios, 0.3),
        "1 file with errors": verdict("1 file with 3 errors, ratio", errors.ratios, 0.4),
        "1,000 files": verdict("1,000 files, ratio", thousand.ratios, 0.1),
    }
    base = statistics.median(valid.our_cpu)
    per_file = [(cpu - base) / 999 * 1000 for cpu in thousand.our_cpu]
    ok["CPU per file"] = verdict("CPU ms per additional file (1,000 files)", per_file, 0.6)
    memory = thousand.our_rss / thousand.peer_rss
    print(
        f"  {'peak RSS, 1,000 files':<40} {thousand.our_rss // 1024} MiB vs "
        f"{thousand.peer_rss // 1024} MiB ({memory:.2f}x) target <= 1.0: "
        f"{'ok' if memory <= 1.0 else 'MISSED'}"
    )
    ok["memory"] = memory <= 1.0
    if not quick:
        cases.append(case("10,000 files", files.many, 0, 0.1, 3))
        outcomes.append(measure(cases[-1]))
        ok["10,000 files"] = verdict("10,000 files, ratio", outcomes[-1].ratios, 0.1)
    rows = [row(c, o) for c, o in zip(cases, outcomes, strict=True)]
    per = Spread.of(per_file)
    rows.append(
        [
            "CPU per additional valid file",
            f"{per.median:.2f} ms ({per.low:.2f}-{per.high:.2f})",
            *("", "", "≤ 0.6 ms", str(cases[2].pairs)),
        ]
    )
    rows.append(
        [
            "peak memory, 1,000 files",
            f"{thousand.our_rss // 1024} MiB",
            *(f"{thousand.peer_rss // 1024} MiB", f"{memory:.2f}", "≤ 1.0", ""),
        ]
    )
    print("\nREADME rows (time: medians; ratio: median of the pairs, min-max):")
    print(table(["case", "omkit", "check-jsonschema", "ratio", "target", "pairs"], rows))
    return [name for name, good in ok.items() if not good]


def main() -> int:
    parser = options(__doc__ or "", "skip the 10,000-file case", first_paragraph=False)
    add_pairs(parser, 20, "pairs for one file (default 20)")
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
        files = write_files(Path(tmp), omkit, 10_000 if not args.quick else 1_000)
        failed += check_imports(files.one, files.broken)
        failed += compare(omkit, peer, files, args.pairs, args.quick)
    if failed:
        print("missed:", ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
