"""What the benches share: moto in a process of its own, and the verdict at the end.

Every bench prints one ``TARGET MISSED: ...`` line per missed target and ends with ``all
targets met`` or the number missed; its exit code is 1 when any was missed. A timing target is
missed only when every pair is past it (:func:`missed`): the median says how fast, the
interval says whether noise could explain a miss.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterable, Sequence

from testing.awsfixtures import MotoServer


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_moto(*, hash_seed: str | None = None) -> tuple[subprocess.Popen[bytes], MotoServer]:
    """moto in its own process (so that it does not share a GIL with the doubles), on
    127.0.0.1, once it answers; ``hash_seed`` fixes its ``PYTHONHASHSEED`` (runs alike)."""
    port = free_port()
    env = {**os.environ, "PYTHONHASHSEED": hash_seed} if hash_seed is not None else None
    proc = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=env,
    )
    server = MotoServer(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{server.endpoint}/moto-api/", timeout=1):
                return proc, server
        except OSError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise SystemExit("moto server did not start") from None
            time.sleep(0.1)


def stop(processes: Iterable[subprocess.Popen[bytes]]) -> None:
    """Stop the moto processes (and wait for them, at most 10 s each)."""
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def missed(ratios: Sequence[float], target: float) -> bool:
    """True when every pair's ratio is past ``target`` (the whole min-max interval)."""
    return bool(ratios) and min(ratios) > target


def finish(failures: Sequence[str]) -> int:
    """Print the verdict; the bench's exit code."""
    for failure in failures:
        print(f"TARGET MISSED: {failure}")
    print("all targets met" if not failures else f"{len(failures)} target(s) missed")
    return 1 if failures else 0
