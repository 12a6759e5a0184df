#!/usr/bin/env bash
# A soak: a real server under mixed load with faults for N minutes.
#   scripts/soak.sh [--minutes N] [--heap 256m] [--customers N] [--rate N]
#
# Starts bank-server on 127.0.0.1 (a free port, a data directory under a temporary directory, durability fsync,
# -Xmx<heap> with -XX:+ExitOnOutOfMemoryError, short deadlines: 3 s to log in, 2 s to finish a line; a snapshot
# every 5,000 transactions, so that several are written under load), then runs the
# soak driver (bank-client's test sources, com.abcbank.client.Soak) for N minutes (default 3):
#   - customers (default 4) doing deposits, withdrawals (some overdrawn), transfers both ways between neighbours,
#     loan payments, balances and history pages, each on its own connection, --rate requests a second each
#     (default 50: a steady load that leaves the 2 cores room for the faults; raise it to soak at full speed);
#   - requests cut off mid-line and closed, or sent whole and closed before the reply;
#   - bad lines: malformed JSON, unknown ops, decimal amounts, duplicate fields, someone else's account, invalid
#     UTF-8, and now and then a line over the 64 KiB limit (which closes the connection);
#   - slow clients: a request trickled a byte every 300 ms, and connections that never log in;
#   - a login flood: wrong passwords for one name from new connections, which must get THROTTLED.
# Once a minute the auditor's verify and report, and the server's heap after a full GC (jcmd GC.run, GC.heap_info).
# At the end: a table (minute, ops, ok, errors by code, faults, heap after GC, verify, books) and a verdict. Exit 1
# if a verify failed, the books did not balance, the flood was never throttled, a request got INTERNAL_ERROR or
# STORAGE_FAILED, the server logged an uncaught failure, or the server died; 2 on a usage error. The server is
# stopped by its PID on any exit. Needs jcmd (a JDK).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh" # bank_build, stop_pid; runs nothing by itself

minutes=3
heap=256m
customers=4
rate=50
START_LIMIT_S=60

usage() {
  sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//' >&2
  [ -n "${1:-}" ] && echo "soak.sh: $1" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage "--minutes takes a whole number"; minutes="$2"; shift 2 ;;
    --heap) [[ "${2:-}" =~ ^[0-9]+[kmgKMG]?$ ]] || usage "--heap takes a JVM size such as 256m"; heap="$2"; shift 2 ;;
    --customers) [[ "${2:-}" =~ ^[0-9]+$ ]] && [ "$2" -ge 2 ] || usage "--customers takes a number >= 2"
      customers="$2"; shift 2 ;;
    --rate) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage "--rate takes a whole number of requests a second"; rate="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
command -v jcmd > /dev/null || usage "jcmd not found: the soak samples the server's heap with it (install a JDK)"

work=$(mktemp -d "${TMPDIR:-/tmp}/soak.XXXXXX")
server_pid=""
log() { echo "soak: $*" >&2; }
cleanup() {
  local status=$?
  set +e # every step below should run, whatever the one before did
  [ -n "$server_pid" ] && stop_pid "$server_pid" 30
  if [ "$status" -ne 0 ] && [ -f "$work/server.log" ]; then
    echo "--- the last lines of the server's log ---" >&2
    tail -n 20 "$work/server.log" >&2
    tail -n 5 "$work/server.out" >&2
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log "building the server jar if it is stale, and the driver (bank-client's test sources)"
bank_build >&2
(cd "$root" && ./mvnw -q -B test-compile dependency:build-classpath -pl bank-client -am \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/soak.classpath) >&2
cp="$root/bank-client/target/test-classes:$root/bank-client/target/classes:$(cat "$root/bank-client/target/soak.classpath")"

mkdir -p "$work/data"
BANK_SERVER_JAVA_OPTS="-Xmx$heap -XX:+ExitOnOutOfMemoryError" "$root/scripts/bank-server" --port 0 --bind 127.0.0.1 \
  --port-file "$work/port" --data "$work/data" --pbkdf2-iterations 4096 --auth-timeout-ms 3000 \
  --line-timeout-ms 2000 --max-line-bytes 65536 --snapshot-every 5000 \
  > "$work/server.out" 2> "$work/server.log" &
server_pid=$! # scripts/bank-server execs java: this is the JVM's PID, for jcmd
waited=0
until [ -s "$work/port" ]; do
  kill -0 "$server_pid" 2> /dev/null || { log "the server died before listening"; exit 1; }
  [ "$waited" -ge $((START_LIMIT_S * 10)) ] && { log "the server did not listen within $START_LIMIT_S s"; exit 1; }
  sleep 0.1 # polling the file the server writes once listening
  waited=$((waited + 1))
done
port=$(cat "$work/port")
log "server pid $server_pid on 127.0.0.1:$port, -Xmx$heap; soaking for $minutes min with $customers customers"

echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1); server -Xmx$heap, durability fsync"
echo "command: scripts/soak.sh --minutes $minutes --heap $heap --customers $customers --rate $rate"
echo
status=0
java -cp "$cp" com.abcbank.client.Soak --port "$port" --audit-password-file "$work/data/audit-password" \
  --server-pid "$server_pid" --minutes "$minutes" --customers "$customers" --rate "$rate" || status=$?

# An uncaught failure on a connection is logged as "connection failed" (Connection.run): a bug, whatever the client.
failures=$(grep -c 'connection failed\|failed to handle' "$work/server.log" || true)
snapshots=$(grep -c 'snapshot .* written' "$work/server.log" || true)
snapshot_failures=$(grep -c 'snapshot failed' "$work/server.log" || true)
echo "- server log: $(wc -l < "$work/server.log") lines, $failures uncaught failures;" \
  "$snapshots snapshots written under load, $snapshot_failures failed"
[ "$snapshot_failures" -gt 0 ] && status=1
if [ "$failures" -gt 0 ]; then
  grep -m 5 -A 3 'connection failed\|failed to handle' "$work/server.log" >&2
  status=1
fi
if ! kill -0 "$server_pid" 2> /dev/null; then
  log "the server died (pid $server_pid)"
  grep -q OutOfMemoryError "$work/server.out" "$work/server.log" && log "OutOfMemoryError with -Xmx$heap"
  status=1
fi
exit "$status"
