#!/usr/bin/env bash
# Installs the official OpenMetadata client (`metadata ingest`, PyPI openmetadata-ingestion
# 2.0.7.0 with its `sagemaker` extra) in a venv of its own, for bench/run_bench.py --official.
#
#   bench/official-venv.sh VENV_DIR [PYTHON]
#
# Needs nothing but the package index. A plain `pip install openmetadata-ingestion==2.0.7.0`
# fails without access to GitHub: the resolver picks dbt-core 1.12.x (collate-data-diff ->
# dbt-core<2), which requires dbt-core-experimental-parser, an sdist whose build downloads its
# wheel from GitHub releases. dbt-core 1.11.x does not require it and satisfies every other
# pin, so a one-line constraint (dbt-core<1.12) is the whole workaround; nothing is stubbed or
# skipped, and `pip check` passes. The SageMaker source never imports dbt.
set -euo pipefail

fail() { echo "official-venv.sh: $*" >&2; exit 1; }

[ $# -ge 1 ] || fail "usage: bench/official-venv.sh VENV_DIR [PYTHON]"
venv=$1
python=${2:-python3}
version=2.0.7.0

command -v "$python" >/dev/null || fail "no $python on PATH (2.0.7.0 needs Python >= 3.10)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
  || fail "$python is $("$python" --version 2>&1); openmetadata-ingestion $version needs >= 3.10"

constraints=$(mktemp)
log=$(mktemp)
trap 'rm -f "$constraints" "$log"' EXIT
# The one cap: dbt-core 1.12 needs dbt-core-experimental-parser, whose build fetches from GitHub.
echo 'dbt-core<1.12' >"$constraints"

echo "creating venv $venv with $("$python" --version 2>&1)"
"$python" -m venv "$venv" || fail "could not create a venv at $venv"
echo "installing openmetadata-ingestion[sagemaker]==$version with constraint dbt-core<1.12 (about 2 minutes)"
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
echo "dbt-core: $("$venv/bin/pip" show dbt-core 2>/dev/null | sed -n 's/^Version: //p')"
echo "run: OMKIT_BENCH_OFFICIAL=$venv .venv/bin/python -m bench.run_bench"
