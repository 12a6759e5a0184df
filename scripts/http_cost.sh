#!/usr/bin/env bash
# What the HTTP side and the console cost the TCP path: rounds of fresh fsync servers, each driven by
# `client bench --mix transfer` with 16 connections; prints each run and the medians. Per round:
#   http-off      no --http-port
#   http-on       --http-port: meters recorded on every request, nobody scraping, no console open
#   sse-reader    --http-port with the auditor's live feed open, read and dropped by a Java process
#                 (scripts/WatchConsole.java --reader): the server's side of a watching browser
#   browser       --http-port with the console open on its Live tab in headless chromium on this machine
#                 (scripts/WatchConsole.java): the server's side plus the browser's rendering on the same cores
# The browser rounds need Debian's chromium and chromium-driver; without them they are skipped, with the
# command that installs them.
#
#   scripts/http_cost.sh [ROUNDS] [SECONDS]     default 3 rounds of 8 s runs (2 s warm-up each): about 3 minutes
set -euo pipefail
source "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/lib.sh"
pairs="${1:-3}"
seconds="${2:-8}"
if ! [[ "$pairs" =~ ^[0-9]+$ && "$seconds" =~ ^[0-9]+$ ]] || [ "$pairs" -lt 1 ] || [ "$seconds" -lt 1 ]; then
  sed -n '2,6p' "$0" | sed 's/^# \{0,1\}//' >&2
  exit 2
fi
bank_build
work=$(mktemp -d "${TMPDIR:-/tmp}/http-cost.XXXXXX")
trap 'rm -rf "$work"' EXIT

browser=yes
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ]; then
  browser=""
  echo "http_cost: no chromium here; the browser rounds are skipped (sudo apt-get install chromium chromium-driver)"
fi
watch_class="$work/watch"
mkdir -p "$watch_class"
javac -nowarn -cp "$CLIENT_JAR" -d "$watch_class" "$BANK_ROOT/scripts/WatchConsole.java"

# run LABEL WATCH [SERVER OPTIONS...]: one fresh server, one bench, with WATCH (none, reader, browser) on the
# console during it; appends "LABEL OPS/S P50 P99" to $work/runs
run() {
  local label=$1 watch=$2 dir pid watcher_pid="" line=""
  shift 2
  dir=$(mktemp -d "$work/server.XXXXXX")
  local http_file=()
  [ "$#" -gt 0 ] && http_file=(--http-port-file "$dir/http-port")
  java -jar "$SERVER_JAR" --bind 127.0.0.1 --port 0 --port-file "$dir/port" --data "$dir/data" "$@" "${http_file[@]}" \
    > "$dir/out" 2> "$dir/log" &
  pid=$!
  for _ in $(seq 1 300); do [ -s "$dir/port" ] && break; sleep 0.1; done
  if [ ! -s "$dir/port" ]; then
    echo "http_cost: the server did not start; its log:" >&2
    tail -5 "$dir/log" >&2
    stop_pid "$pid"
    exit 1
  fi
  if [ "$watch" != none ]; then
    for _ in $(seq 1 300); do [ -s "$dir/http-port" ] && break; sleep 0.1; done
    mkfifo "$dir/commands"
    java -cp "$CLIENT_JAR:$watch_class" WatchConsole "http://127.0.0.1:$(cat "$dir/http-port")" Audit \
      "$dir/data/audit-password" $([ "$watch" = reader ] && echo --reader) \
      < "$dir/commands" > "$dir/watch.out" 2> "$dir/watch.err" &
    watcher_pid=$!
    exec 7> "$dir/commands" # held open: the watcher watches until this closes
    for _ in $(seq 1 600); do
      line=$(head -n 1 "$dir/watch.out" 2>/dev/null || true)
      [ "$line" = watching ] && break
      kill -0 "$watcher_pid" 2>/dev/null || break
      sleep 0.1
    done
    if [ "$line" != watching ]; then
      echo "http_cost: the $watch did not start watching; its errors:" >&2
      tail -5 "$dir/watch.err" >&2
      exec 7>&-
      stop_pid "$pid"
      exit 1
    fi
  fi
  "$BANK_ROOT/scripts/client" --port "$(cat "$dir/port")" bench --connections 16 --duration "$seconds" \
    --warmup 2 --mix transfer --json > "$dir/bench.json" 2> "$dir/bench.err"
  if [ -n "$watcher_pid" ]; then
    exec 7>&- # the watcher closes its browser and ends
    wait "$watcher_pid" || true
  fi
  stop_pid "$pid"
  python3 - "$label" "$dir/bench.json" >> "$work/runs" <<'PY'
import json, sys
j = json.load(open(sys.argv[2]))
print(sys.argv[1], j["ops_per_sec"], j["p50_ms"], j["p99_ms"])
PY
  tail -1 "$work/runs"
}

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1); $pairs rounds of $seconds s runs, fsync, 16 connections"
for _ in $(seq 1 "$pairs"); do
  run http-off none
  run http-on none --http-port 0
  run sse-reader reader --http-port 0
  [ -n "$browser" ] && run browser browser --http-port 0
done
python3 - "$work/runs" <<'PY'
import statistics, sys
runs = [line.split() for line in open(sys.argv[1])]
med = {}
for label in ("http-off", "http-on", "sse-reader", "browser"):
    rows = [r for r in runs if r[0] == label]
    if not rows:
        continue
    med[label] = [statistics.median(float(r[i]) for r in rows) for i in (1, 2, 3)]
    print(f"{label:10} median: {med[label][0]:,.0f} transfers/s, p50 {med[label][1]:.3f} ms, p99 {med[label][2]:.3f} ms")
for label in ("http-on", "sse-reader", "browser"):
    if label in med:
        print(f"{label} / http-off: {med[label][0] / med['http-off'][0]:.3f} of the throughput")
PY
