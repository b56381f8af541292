#!/usr/bin/env bash
# Installs the official OpenMetadata client (`metadata ingest`, PyPI openmetadata-ingestion with
# its `sagemaker` extra) of one release in a venv of its own: the peer of bench/run_bench.py
# --official, and the runner the differential suite (tests/differential) compares omkit with.
#
#   bench/official-venv.sh VENV_DIR [VERSION [PYTHON]]
#
# VERSION is 2.0.7.0 (the default) or 1.1.7.5. Needs nothing but the package index.
#
# 2.0.7.0 needs Python >= 3.10 (default: python3). A plain `pip install
# openmetadata-ingestion==2.0.7.0` fails without access to GitHub: the resolver picks dbt-core
# 1.12.x (collate-data-diff -> dbt-core<2), which requires dbt-core-experimental-parser, an sdist
# whose build downloads its wheel from GitHub releases. dbt-core 1.11.x does not require it and
# satisfies every other pin, so a one-line constraint (dbt-core<1.12) is the whole workaround;
# nothing is stubbed or skipped, and `pip check` passes. The SageMaker source never imports dbt.
#
# 1.1.7.5 needs Python 3.9 (it pins packages that have no wheels for later Pythons); the default
# is python3.9 on PATH, else the newest 3.9 under `pyenv root`. It installs from the package
# index as is: no constraint is needed, and `pip check` passes.
set -euo pipefail

fail() { echo "official-venv.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || fail "usage: bench/official-venv.sh VENV_DIR [VERSION [PYTHON]]"
venv=$1
version=${2:-2.0.7.0}

find_python39() {
  # A pyenv shim on PATH may name a 3.9 it will not run: try the interpreter, not the name.
  if python3.9 -c 'pass' >/dev/null 2>&1; then command -v python3.9; return; fi
  local root
  root=$(pyenv root 2>/dev/null || echo "${PYENV_ROOT:-$HOME/.pyenv}")
  local found
  found=$(ls -d "$root"/versions/3.9.*/bin/python3.9 2>/dev/null | sort -V | tail -n 1 || true)
  [ -n "$found" ] || fail "no Python 3.9 (python3.9 on PATH or under $root/versions); 1.1.7.5 needs it"
  echo "$found"
}

constraints=$(mktemp)
log=$(mktemp)
trap 'rm -f "$constraints" "$log"' EXIT
case $version in
  2.0.7.0)
    python=${3:-python3}
    command -v "$python" >/dev/null || fail "no $python on PATH (2.0.7.0 needs Python >= 3.10)"
    "$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
      || fail "$python is $("$python" --version 2>&1); openmetadata-ingestion $version needs >= 3.10"
    # The one cap: dbt-core 1.12 needs dbt-core-experimental-parser, whose build fetches from GitHub.
    echo 'dbt-core<1.12' >"$constraints"
    ;;
  1.1.7.5)
    python=${3:-$(find_python39)}
    "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 9))' \
      || fail "$python is $("$python" --version 2>&1); openmetadata-ingestion $version needs 3.9"
    ;;
  *) fail "unknown version $version (use 2.0.7.0 or 1.1.7.5)" ;;
esac

echo "creating venv $venv with $("$python" --version 2>&1)"
"$python" -m venv "$venv" || fail "could not create a venv at $venv"
echo "installing openmetadata-ingestion[sagemaker]==$version (about 2 minutes)"
if ! "$venv/bin/pip" install --disable-pip-version-check -q -c "$constraints" \
  "openmetadata-ingestion[sagemaker]==$version" >"$log" 2>&1; then
  tail -n 20 "$log" >&2
  fail "pip install of openmetadata-ingestion $version failed (last lines above)"
fi
"$venv/bin/pip" check >"$log" 2>&1 || { cat "$log" >&2; fail "pip check found broken requirements"; }
got=$("$venv/bin/metadata" --version 2>/dev/null) || fail "$venv/bin/metadata --version failed"
case $got in
  "metadata $version "*) ;;
  *) fail "expected metadata $version, got: $got" ;;
esac
echo "installed: $got"
if [ "$version" = 2.0.7.0 ]; then
  echo "dbt-core: $("$venv/bin/pip" show dbt-core 2>/dev/null | sed -n 's/^Version: //p')"
fi
echo "run: OMKIT_BENCH_OFFICIAL=$venv .venv/bin/python -m bench.run_bench"
