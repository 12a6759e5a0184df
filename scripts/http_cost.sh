#!/usr/bin/env bash
# What the HTTP side costs the TCP path when nobody watches: pairs of fresh fsync servers, one without and one
# with --http-port (its meters recorded on every request, nobody scraping), each driven by
# `client bench --mix transfer` with 16 connections; prints each run and the medians.
#
#   scripts/http_cost.sh [PAIRS] [SECONDS]     default 4 pairs of 8 s runs (2 s warm-up each): about 1.5 minutes
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
pairs="${1:-4}"
seconds="${2:-8}"
if ! [[ "$pairs" =~ ^[0-9]+$ && "$seconds" =~ ^[0-9]+$ ]] || [ "$pairs" -lt 1 ] || [ "$seconds" -lt 1 ]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
bank_build
work=$(mktemp -d "${TMPDIR:-/tmp}/http-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run LABEL [SERVER OPTIONS...]: one fresh server, one bench; appends "LABEL OPS/S P50 P99" to $work/runs
run() {
  local label=$1 dir pid
  shift
  dir=$(mktemp -d "$work/server.XXXXXX")
  java -jar "$SERVER_JAR" --bind 127.0.0.1 --port 0 --port-file "$dir/port" --data "$dir/data" "$@" \
    > "$dir/out" 2> "$dir/log" &
  pid=$!
  for _ in $(seq 1 300); do [ -s "$dir/port" ] && break; sleep 0.1; done
  if [ ! -s "$dir/port" ]; then
    echo "http_cost: the server did not start; its log:" >&2
    tail -5 "$dir/log" >&2
    stop_pid "$pid"
    exit 1
  fi
  "$BANK_ROOT/scripts/client" --port "$(cat "$dir/port")" bench --connections 16 --duration "$seconds" \
    --warmup 2 --mix transfer --json > "$dir/bench.json" 2> "$dir/bench.err"
  stop_pid "$pid"
  python3 - "$label" "$dir/bench.json" >> "$work/runs" <<'PY'
import json, sys
j = json.load(open(sys.argv[2]))
print(sys.argv[1], j["ops_per_sec"], j["p50_ms"], j["p99_ms"])
PY
  tail -1 "$work/runs"
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1); $pairs pairs of $seconds s runs, fsync, 16 connections"
for _ in $(seq 1 "$pairs"); do
  run "http-off"
  run "http-on" --http-port 0
done
python3 - "$work/runs" <<'PY'
import statistics, sys
runs = [line.split() for line in open(sys.argv[1])]
med = {}
for label in ("http-off", "http-on"):
    rows = [r for r in runs if r[0] == label]
    med[label] = [statistics.median(float(r[i]) for r in rows) for i in (1, 2, 3)]
    print(f"{label:9} median: {med[label][0]:,.0f} transfers/s, p50 {med[label][1]:.3f} ms, p99 {med[label][2]:.3f} ms")
print(f"on / off: {med['http-on'][0] / med['http-off'][0]:.3f} of the throughput")
PY
