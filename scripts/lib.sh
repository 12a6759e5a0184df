# Shared by short_script.sh and run_bank.sh: build, start and stop a server on a free port with its own data
# directory, and run the client against it. Source it; it defines functions and variables, runs nothing.

BANK_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SERVER_JAR="$BANK_ROOT/bank-server/target/bank-server.jar"
CLIENT_JAR="$BANK_ROOT/bank-client/target/bank-client.jar"

# The JVM of a cluster node (scripts/cluster.sh, bench_compare.sh's cluster): three share the two cores here.
#   -Xmx3g -Xmn1g   the keys a node remembers (up to a million, ~150 MB), its books and Ratis's log cache, with room
#                   to spare: with 1 GB, after 150 s of 64 x 16 transfers the old generation was full of remembered
#                   keys and the collector took 28% of the nodes' CPU (10% with these: 23,456 against 21,123
#                   transfers/s); the young generation of 1 GB collects a request's garbage less often. Three nodes
#                   fit this machine's 24 GB; at 256 MB a node spent its time in GC after some 400,000 transfers
#   serial GC       one GC thread per node instead of a pool per node on two cores
#   the full JIT    (C1 then C2, the JVM's default) C2's compilations in three JVMs take a core for the first half
#                   minute of load and go on for two minutes or more (at 64 x 1 a quarter of the CPU at 40 to 60 s,
#                   2% at 140 s), and a node is slower than with C1 alone at first (16 x 1 after 20 s: 1,044
#                   against 1,552 transfers/s); from then on it is faster (after 40 s: 1,891 against 1,582 at 16 x 1,
#                   18,661 against 14,553 at 64 x 16), and a bank's servers run for longer than a minute
#   direct memory   capped: Ratis's gRPC allocates outside the heap
CLUSTER_NODE_JAVA_OPTS="-Xmx3g -Xmn1g -XX:+UseSerialGC -XX:MaxDirectMemorySize=128m"

# Builds the runnable jars unless they exist and are newer than every source file and pom.
bank_build() {
  local stale=0
  for jar in "$SERVER_JAR" "$CLIENT_JAR"; do
    if [ ! -f "$jar" ] || [ -n "$(find "$BANK_ROOT" -path "$BANK_ROOT/.git" -prune -o \
        \( -name '*.java' -o -name 'pom.xml' -o -name '*.xml' -o -name '*.properties' \) \
        -path '*/src/main/*' -newer "$jar" -print -quit)" ] \
        || [ "$BANK_ROOT/pom.xml" -nt "$jar" ]; then
      stale=1
    fi
  done
  if [ "$stale" = 1 ]; then
    echo "building the server and client jars (./mvnw -q -B -Dmaven.test.skip=true package) ..."
    (cd "$BANK_ROOT" && ./mvnw -q -B -Dmaven.test.skip=true package)
  fi
}

# bank_start: starts a server on a free port with a fresh data directory under a temporary folder, and
# points the client at it (BANK_HOST, BANK_PORT, and a credentials file of its own, so the demo never
# touches ~/.abcbank). Sets BANK_TMP, BANK_DATA, BANK_SERVER_PID. Stops it all on exit.
# With BANK_HTTP_PORT set (a port, or 0 for a free one) the server also serves /health and /metrics over HTTP
# there, and BANK_HTTP_URL is set (http://127.0.0.1:PORT) once it listens.
bank_start() {
  BANK_TMP=$(mktemp -d "${TMPDIR:-/tmp}/abc-bank.XXXXXX")
  BANK_DATA="$BANK_TMP/data"
  mkdir -p "$BANK_DATA"
  trap bank_stop EXIT
  trap 'exit 130' INT TERM
  local http=() ready_file="$BANK_TMP/port"
  if [ -n "${BANK_HTTP_PORT:-}" ]; then
    http=(--http-port "$BANK_HTTP_PORT" --http-port-file "$BANK_TMP/http-port")
    ready_file="$BANK_TMP/http-port" # written after the TCP one, once the bank is open
  fi
  "$BANK_ROOT/scripts/bank-server" --port 0 --data "$BANK_DATA" --port-file "$BANK_TMP/port" "${http[@]}" "$@" \
    > "$BANK_TMP/server.out" 2> "$BANK_TMP/server.log" &
  BANK_SERVER_PID=$!
  local waited=0
  until [ -s "$ready_file" ]; do
    if ! kill -0 "$BANK_SERVER_PID" 2>/dev/null; then
      echo "the server did not start:" >&2
      cat "$BANK_TMP/server.log" >&2
      return 1
    fi
    if [ "$waited" -ge 300 ]; then
      echo "the server did not start within 30 s" >&2
      return 1
    fi
    sleep 0.1 # polling a file the server writes once listening; not a synchronisation by guesswork
    waited=$((waited + 1))
  done
  export BANK_HOST=127.0.0.1
  BANK_PORT=$(cat "$BANK_TMP/port")
  export BANK_PORT
  export BANK_CREDENTIALS="$BANK_TMP/credentials"
  AUDIT_PASSWORD_FILE="$BANK_DATA/audit-password"
  echo "server pid $BANK_SERVER_PID on 127.0.0.1:$BANK_PORT, data in $BANK_DATA"
  if [ -n "${BANK_HTTP_PORT:-}" ]; then
    BANK_HTTP_URL="http://127.0.0.1:$(cat "$BANK_TMP/http-port")"
    echo "HTTP: $BANK_HTTP_URL/health  $BANK_HTTP_URL/metrics"
  fi
}

# console_wait_for_browser: says how to open the console and sign in, then waits until a browser watches its live
# feed (bank_console_watchers in /metrics, polled with curl), at most 10 minutes; without curl, until Enter is pressed.
console_wait_for_browser() {
  echo
  echo "== the console: open $BANK_HTTP_URL/ in a browser on this machine and sign in as Audit,"
  echo "   with the password the server wrote to $AUDIT_PASSWORD_FILE (cat it)."
  echo "   From another machine, forward the port first: ssh -L ${BANK_HTTP_URL##*:}:127.0.0.1:${BANK_HTTP_URL##*:} THIS_HOST"
  if ! command -v curl > /dev/null; then
    echo "   (curl is not installed, so the load cannot tell when you are watching: press Enter to start it)"
    read -r _ || true
    return 0
  fi
  echo "   The load starts as soon as the Live tab is open (waiting at most 10 minutes; Ctrl-C to give up)."
  local waited=0
  until curl -fsS --max-time 5 "$BANK_HTTP_URL/metrics" 2> /dev/null | grep -Eq '^bank_console_watchers [1-9]'; do
    if [ "$waited" -ge 1200 ]; then
      echo "   nobody opened the console within 10 minutes; starting the load anyway"
      return 0
    fi
    sleep 0.5 # polling the server's own count of watchers, as a person would refresh
    waited=$((waited + 1))
  done
  echo "   a browser is watching: starting"
}

# bank_metrics_summary: a few lines of the server's /metrics (operations of some kinds, journal fsyncs and
# transactions per fsync, open connections), fetched with curl; says so and does nothing without curl or HTTP.
bank_metrics_summary() {
  if [ -z "${BANK_HTTP_URL:-}" ]; then
    return 0
  fi
  if ! command -v curl > /dev/null; then
    echo "(curl is not installed: not fetching $BANK_HTTP_URL/metrics)"
    return 0
  fi
  local metrics
  if ! metrics=$(curl -fsS --max-time 10 "$BANK_HTTP_URL/metrics"); then
    echo "could not fetch $BANK_HTTP_URL/metrics" >&2
    return 1
  fi
  grep -E '^bank_(operations_total\{op="(deposit|withdraw|transfer)"|journal_fsyncs_total|journal_transactions_total|journal_transactions_per_fsync|connections_open)' \
    <<< "$metrics" || echo "(none of the expected meters in $BANK_HTTP_URL/metrics)"
}

# stop_pid PID [GRACE_SECONDS]: stops one process this script started, by its PID: SIGTERM, then SIGKILL after
# GRACE_SECONDS (default 15). A process started under `timeout` leads a process group of its own (timeout passes
# the TERM on to its command): the KILL goes to that group, by its PID, else to the process alone. Waits for it;
# its exit status (143 after SIGTERM) is not the caller's.
stop_pid() {
  local pid="$1" grace_tenths=$((${2:-15} * 10)) waited=0
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    while kill -0 "$pid" 2>/dev/null && [ "$waited" -lt "$grace_tenths" ]; do
      sleep 0.1
      waited=$((waited + 1))
    done
    if kill -0 "$pid" 2>/dev/null; then
      echo "process $pid did not stop on SIGTERM; killing it" >&2
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  wait "$pid" 2>/dev/null || true
}

# Stops the server this script started (by its PID, gracefully, then forcibly after 15 s) and removes its files.
bank_stop() {
  local status=$?
  set +e # cleaning up: every step below should run, whatever the one before did
  if [ -n "${BANK_SERVER_PID:-}" ]; then
    stop_pid "$BANK_SERVER_PID"
  fi
  if [ "$status" -ne 0 ] && [ -n "${BANK_TMP:-}" ] && [ -f "$BANK_TMP/server.log" ]; then
    echo "--- last lines of the server log ---" >&2
    tail -n 20 "$BANK_TMP/server.log" >&2
  fi
  [ -n "${BANK_TMP:-}" ] && rm -rf "$BANK_TMP"
  exit "$status"
}

# client ARGS...: the client (scripts/client) against the server that bank_start started.
client() {
  "$BANK_ROOT/scripts/client" "$@"
}

# audit ARGS...: the client as Audit, with the password the server generated.
audit() {
  "$BANK_ROOT/scripts/client" --password-file "$AUDIT_PASSWORD_FILE" Audit "$@"
}

# books_check: the independent proof of the books (scripts/BooksCheck.java); fails if anything is off.
books_check() {
  java -cp "$CLIENT_JAR" "$BANK_ROOT/scripts/BooksCheck.java" 127.0.0.1 "$BANK_PORT" "$AUDIT_PASSWORD_FILE"
}
