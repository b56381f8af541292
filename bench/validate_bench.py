"""Benchmark: `omkit validate` against check-jsonschema on the same files and the same schema.

check-jsonschema is the standard JSON-Schema pre-commit hook; it validates with the schema that
`omkit schema` writes (every `$ref` bundled). Both tools run as fresh processes, alternately, in
the same run, so machine noise hits both alike. Prints medians, ratios and peak memory, and
exits 1 when a target is missed:

- one file, cold process: omkit at most 0.5x check-jsonschema's wall time;
- 1,000 files in one call: omkit at most 0.2x check-jsonschema's wall time;
- 1,000 files: omkit's peak memory at most check-jsonschema's;
- `omkit --help` and `omkit validate` never import boto3, botocore, pydantic, pygls or
  lsprotocol (the language server's) or jsonschema (only when a file has a problem to explain).

`--quick` checks only the import budget (CI runs that); the full run takes about a minute.
Run: `.venv/bin/python bench/validate_bench.py [--quick] [--runs N]`.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEMPLATE = ROOT / "templates" / "sagemaker.yaml"
#: Never imported by `omkit --help` or `omkit validate`.
HEAVY = ("boto3", "botocore", "pydantic", "pygls", "lsprotocol")
#: Not imported by `omkit validate` on a valid file either: no typer or click (the fast path of
#: omkit_sagemaker.cli.fastpath parses the arguments), no rich (help text is formatted with it).
VALIDATE_HEAVY = (*HEAVY, "jsonschema", "rich", "ruamel", "typer", "click")

#: Targets: omkit's time (or memory) divided by check-jsonschema's.
ONE_FILE_TARGET = 0.5
MANY_FILES_TARGET = 0.2
MEMORY_TARGET = 1.0

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


def imported(*args: str) -> set[str]:
    """The top-level packages a fresh `omkit ARGS` process has imported."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, *args], capture_output=True, text=True, cwd=ROOT, check=True
    )
    line = next(x for x in result.stdout.splitlines() if x.startswith("imported: "))
    return set(line.removeprefix("imported: ").split(","))


def run(command: list[str]) -> tuple[float, int]:
    """Wall time in seconds and peak RSS in KiB of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"benchmark command failed ({process.returncode}): {' '.join(command)}")
    return elapsed, int(usage.ru_maxrss)


def compare(name: str, ours: list[str], peer: list[str], runs: int) -> tuple[float, float, float]:
    """Run both commands alternately; print and return (our median, peer median, memory ratio)."""
    run(ours), run(peer)  # warm the file cache and write bytecode
    our_times, peer_times, our_rss, peer_rss = [], [], [], []
    for _ in range(runs):
        t, m = run(ours)
        our_times.append(t)
        our_rss.append(m)
        t, m = run(peer)
        peer_times.append(t)
        peer_rss.append(m)
    ours_s, peer_s = statistics.median(our_times), statistics.median(peer_times)
    memory = max(our_rss) / max(peer_rss)
    print(
        f"{name:<22} omkit {ours_s * 1000:8.1f} ms  check-jsonschema {peer_s * 1000:8.1f} ms  "
        f"ratio {ours_s / peer_s:5.2f}  peak RSS {max(our_rss) // 1024} MiB vs "
        f"{max(peer_rss) // 1024} MiB ({memory:4.2f})"
    )
    return ours_s, peer_s, memory


def check_imports() -> list[str]:
    """Names of the import-budget checks that failed."""
    failed = []
    for args, banned in ((["--help"], HEAVY), (["validate", str(TEMPLATE)], VALIDATE_HEAVY)):
        heavy = imported(*args) & set(banned)
        label = "omkit " + " ".join(a if a.startswith("-") else Path(a).name for a in args)
        print(f"{label:<32} imports heavy modules: {', '.join(sorted(heavy)) or 'none'}")
        if heavy:
            failed.append(f"{label} imported {', '.join(sorted(heavy))}")
    return failed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="only the import budget")
    parser.add_argument("--runs", type=int, default=10, help="runs per command (default 10)")
    args = parser.parse_args()

    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}, {sys.platform}")
    failed = check_imports()
    if args.quick:
        return 1 if failed else 0

    omkit, peer = (
        shutil.which("omkit", path=str(BIN)),
        shutil.which("check-jsonschema", path=str(BIN)),
    )
    if omkit is None or peer is None:
        raise SystemExit("needs omkit and check-jsonschema installed beside this Python")
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(ROOT / "toolkit")], check=True)
    env_free = os.environ.copy()
    env_free.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ.clear()
    os.environ.update(env_free)
    with tempfile.TemporaryDirectory(prefix="omkit-bench-") as tmp:
        work = Path(tmp)
        schema = work / "workflow.schema.json"
        subprocess.run([omkit, "schema", "--output", str(schema)], check=True, capture_output=True)
        one = work / "one" / "sagemaker.yaml"
        one.parent.mkdir()
        shutil.copy(TEMPLATE, one)
        many = work / "many"
        many.mkdir()
        for i in range(1000):
            shutil.copy(TEMPLATE, many / f"config-{i:04d}.yaml")
        files = sorted(str(p) for p in many.iterdir())

        o1, p1, _ = compare(
            "1 file",
            [omkit, "validate", str(one)],
            [peer, "--schemafile", str(schema), str(one)],
            args.runs,
        )
        o2, p2, mem = compare(
            "1,000 files",
            [omkit, "validate", *files],
            [peer, "--schemafile", str(schema), *files],
            max(3, args.runs // 2),
        )
    for label, ratio, target in (
        ("1 file time", o1 / p1, ONE_FILE_TARGET),
        ("1,000 files time", o2 / p2, MANY_FILES_TARGET),
        ("1,000 files memory", mem, MEMORY_TARGET),
    ):
        verdict = "ok" if ratio <= target else "MISSED"
        print(f"{label:<20} ratio {ratio:5.2f} (target <= {target}) {verdict}")
        if ratio > target:
            failed.append(label)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
