#!/usr/bin/env bash
# Benchmark Borderflow against its peers (Simlin via pysimlin, PySD).
#
# usage: scripts/bench_peers.sh [--build] [--check] [--pysd-runs M] [MODEL] [RUNS]
#   --build      run `cargo build --release` first (otherwise an existing
#                target/release/borderflow is used, or it is reported missing)
#   --check      also print Visitors in HK / Pent up Travel Demand at
#                t = 0, 100, 500, 1825 from both peers (full precision)
#   MODEL        default benches/hk_reopening.xmile (the benchmark model)
#   RUNS         timed runs for simlin and borderflow (default 50);
#                PySD uses --pysd-runs (default 20)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/target/peer-venv"
REQS="$ROOT/scripts/peer-requirements.txt"

args=()
for a in "$@"; do
  if [[ "$a" == "--build" ]]; then
    (cd "$ROOT" && cargo build --release)
  else
    args+=("$a")
  fi
done

if [[ ! -x "$VENV/bin/python" || "$REQS" -nt "$VENV/.installed" ]]; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet -r "$REQS"
  touch "$VENV/.installed"
fi

exec "$VENV/bin/python" "$ROOT/scripts/bench_peers.py" --root "$ROOT" "${args[@]+"${args[@]}"}"
