#!/usr/bin/env bash
# ABC Bank against its peers, back to back on this machine: scripts/bench_compare.sh [SECONDS_PER_CELL]
#
# At 16 and 64 connections, one request in flight per connection and 16 pipelined, it runs (SECONDS each,
# default 10):
#   ABC Bank, in each durability mode (fsync, batch, none): `client bench`, transfers between 1,000 accounts;
#   and once more in fsync mode at 64 connections with 90% of transfers through one account (`--hot 90`),
#   whose ratio column is then uniform over hot;
#   a do-nothing server of the same shape (scripts/NullServer.java): `client bench --no-setup`;
#   a three-node ABC Bank cluster (Raft, on this machine: three JVMs share the two cores and the disk), a fresh one
#   per cell, `client bench --servers` spreading the connections over the nodes; then FAILOVER_ROUNDS (default 5)
#   rounds of kill -9 of the leader under a depositing client (scripts/FailoverTime.java), each timed from the kill
#   to the first write acknowledged after it, the killed node restarted and caught up before the next round;
#   Apache Ratis alone (scripts/RaftFloor.java): three nodes with the cluster's Ratis settings and a state machine
#   that does nothing, a fresh set per cell, each connection a Raft client with PIPELINE writes in flight, one log
#   entry per write; plus one write at a time (1 x 1), the cost of a lone Raft round: what Raft costs here before the
#   bank does anything;
#   Redis `INCR` with appendonly yes, appendfsync always, if redis-server and redis-benchmark are installed;
#   PostgreSQL pgbench TPC-B-like (scale 1, fsync=on, synchronous_commit=on), if initdb, pg_ctl and pgbench
#   are installed (not pipelined: pgbench has no such mode).
# The ABC Bank, cluster and Ratis rows' notes give the servers' CPU and context switches per request over the counted
# window (from /proc, for the servers' processes and those under them), and the shares of that CPU spent compiling
# (the JIT's threads) and collecting (the GC's, and the VM thread's): a cell whose JIT share is high was measured
# while its JVMs were still warming up.
# Then prints the machine and one Markdown table with ABC Bank fsync's ratio to every other row at the same
# connections and pipeline (see docs/performance.md). A missing peer is listed as skipped, with the command
# that installs it. Exits 1 if any cell failed (after printing the table), 2 on a usage error.
# Then the one-shot cell: `scripts/client Alice balance 1001` against a running ABC Bank server, and the classroom
# toy's one-shot client (scripts/toy, Python) against the toy's server, ONESHOT_RUNS times each (default 20),
# interleaved, with `client --version` (no network) and `java -version` to show start-up alone; prints the
# medians and each row's ratio to the toy in a second table. Skipped, with the install command, without python3.
# ONESHOT_BASELINE_JAR=JAR adds a row for another build of bank-client.jar (run with the flags of the launcher
# before issue 10), to compare before and after in one run. ONESHOT_SERVER_OPTS adds options to that ABC Bank
# server (`--pbkdf2-iterations 1000`, say, to see the client with a login that costs the server little).
# BENCH_COMPARE_SYSTEMS narrows the run to some of: abc cluster raft null redis pgbench oneshot (default: all).
# BENCH_COMPARE_WARMUP sets the seconds `client bench` sends before it counts, in the ABC Bank, cluster and Ratis cells
# alike (default 1; a fresh cluster's three JVMs compile with C2 for two minutes or more under load: at 64 x 1 the JIT
# took half their CPU in the first 30 s, a quarter at 40 to 60 s, a tenth (with bursts) at 70 to 130 s and 2% at
# 140 s; 150 shows them warm).
#
# Every server it starts binds 127.0.0.1 on a free port, in its own temporary directory, under `timeout`, and
# is stopped by its PID when the script ends, however it ends; the temporary directories are removed.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh" # bank_build, and nothing that runs by itself

seconds="${1:-10}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ] || [ "$seconds" -gt 600 ]; then
  sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//' >&2
  echo "SECONDS_PER_CELL must be a whole number from 1 to 600: $seconds" >&2
  exit 2
fi

CONNECTIONS=(16 64)
PIPELINES=(1 16)
read -r -a MODES <<< "${BENCH_COMPARE_MODES:-fsync batch none}" # BENCH_COMPARE_MODES narrows the ABC Bank modes
warmup="${BENCH_COMPARE_WARMUP:-1}"
systems=" ${BENCH_COMPARE_SYSTEMS:-abc cluster raft null redis pgbench oneshot} "
FAILOVER_ROUNDS="${FAILOVER_ROUNDS:-5}"
failover="" # "ms ms ms ..." of the failover rounds
ONESHOT_RUNS="${ONESHOT_RUNS:-20}"
if ! [[ "$ONESHOT_RUNS" =~ ^[0-9]+$ ]] || [ "$ONESHOT_RUNS" -lt 1 ] || [ "$ONESHOT_RUNS" -gt 1000 ]; then
  echo "ONESHOT_RUNS must be a whole number from 1 to 1000: $ONESHOT_RUNS" >&2
  exit 2
fi
# Setting up (users, logins, 1,000 accounts) comes before the measured window; these bound each step.
START_LIMIT_S=60
SETUP_LIMIT_S=180
# The load generator is a JVM too: full JIT (scripts/client's default is C1 only, tuned for a short CLI),
# serial GC so that it takes no more cores than its connection threads.
export BANK_CLIENT_JAVA_OPTS="${BANK_CLIENT_JAVA_OPTS:--XX:+UseSerialGC}"

tmp_root="${TMPDIR:-/tmp}"
work=$(mktemp -d "$tmp_root/bench-compare.XXXXXX")
results="$work/results.tsv"
: > "$results"
oneshot="$work/oneshot.tsv" # one line per timed run: row label, then milliseconds or "failed"
oneshot_notes=""            # why the one-shot cell was skipped or what it ran against
pids=()      # every process started, stopped by PID at the end (a stopped one is skipped)
pg_dir=""    # the throwaway PostgreSQL cluster, stopped with pg_ctl at the end
pg_bin=""
failures=0

log() { echo "bench_compare: $*" >&2; }

# Processes are stopped with stop_pid (scripts/lib.sh).
cleanup() {
  local status=$?
  set +e # every step below should run, whatever the one before did
  [ -n "$pg_dir" ] && pg_stop
  for pid in "${pids[@]}"; do
    stop_pid "$pid"
  done
  rm -rf "$work"
  [ -n "$pg_dir" ] && rm -rf "$pg_dir"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# wait_for_file FILE PID: until FILE is non-empty (a server writes it once listening); fails if PID exits.
wait_for_file() {
  local file="$1" pid="$2" waited=0
  until [ -s "$file" ]; do
    kill -0 "$pid" 2>/dev/null || return 1
    [ "$waited" -ge $((START_LIMIT_S * 10)) ] && return 1
    sleep 0.1 # polling a file the server writes once listening
    waited=$((waited + 1))
  done
}

# A free TCP port on 127.0.0.1 for the peers that cannot pick their own and report it. Racy by nature (another
# process may take it before the peer binds it); the peers' starts retry with a new port.
free_port() {
  if command -v python3 >/dev/null 2>&1; then
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
    return
  fi
  local port tries
  for tries in $(seq 50); do
    port=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return
    fi
  done
  log "no free port found after $tries tries"
  return 1
}

# record SYSTEM SETTING CONNECTIONS PIPELINE OPS_PER_S P50_MS P99_MS NOTE: one row of the final table.
record() {
  printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >> "$results"
  log "$1 | $2 | c=$3 P=$4 | ops/s ${5:--} | p50 ${6:--} ms | p99 ${7:--} ms | ${8:-}"
}

fail() { # fail SYSTEM SETTING CONNECTIONS PIPELINE WHY
  failures=$((failures + 1))
  record "$1" "$2" "$3" "$4" "" "" "" "failed: $5"
}

# json_field FILE KEY: the value of a top-level number or string member of the bench's one JSON object.
json_field() {
  tr -d '\n' < "$1" | sed -n "s/.*\"$2\"[[:space:]]*:[[:space:]]*\"\{0,1\}\([^\",}]*\).*/\1/p" | head -n 1
}

# kv_field LINE KEY: the value of KEY=VALUE in a line of such pairs.
kv_field() {
  sed -n "s/.*\(^\| \)$2=\([^ ]*\).*/\2/p" <<< "$1"
}

# json_errors FILE: the bench's map of error codes to counts, as printed.
json_errors() {
  tr -d '\n' < "$1" | sed -n 's/.*"errors"[[:space:]]*:[[:space:]]*\({[^}]*}\).*/\1/p' | tr -d ' '
}

# proc_usage PID...: "TICKS SWITCHES JIT GC" for the processes and every process under them: their CPU time (user and
# system, in clock ticks), the context switches (voluntary or not) of all their threads, and the ticks of the JVMs'
# compiler threads (C1, C2) and of their collector's (GC, G1, and the VM thread, which runs the serial collector).
proc_usage() {
  local pid ticks=0 switches=0 jit=0 gc=0 stat children more_ticks more_switches more_jit more_gc
  # Every step copes with a process or thread that ended meanwhile: errexit and pipefail hold in here too.
  for pid in "$@"; do
    stat=$(cat "/proc/$pid/stat" 2> /dev/null) || stat=""
    # utime and stime, the 14th and 15th fields: the 12th and 13th after the command's name in parentheses
    [ -n "$stat" ] && ticks=$((ticks + $(sed 's/.*) //' <<< "$stat" | awk '{ print $12 + $13 }')))
    switches=$((switches + $(cat "/proc/$pid"/task/*/status 2> /dev/null | awk '/ctxt_switches:/ { s += $2 } END { print s + 0 }' || true)))
    read -r more_jit more_gc < <(cat "/proc/$pid"/task/*/stat 2> /dev/null | awk '
      { name = $0; sub(/\).*/, "", name); sub(/^[^(]*\(/, "", name); rest = $0; sub(/.*\) /, "", rest)
        split(rest, f, " "); t = f[12] + f[13] }
      name ~ /^C[12] CompilerThre/ { jit += t }
      name ~ /^(VM Thread|GC Thread|G1 )/ { gc += t }
      END { print jit + 0, gc + 0 }' || echo "0 0")
    jit=$((jit + more_jit))
    gc=$((gc + more_gc))
    children=$(pgrep -P "$pid" | tr '\n' ' ') || true
    if [ -n "$children" ]; then
      # shellcheck disable=SC2086 # a list of PIDs: word splitting wanted
      read -r more_ticks more_switches more_jit more_gc < <(proc_usage $children)
      ticks=$((ticks + more_ticks))
      switches=$((switches + more_switches))
      jit=$((jit + more_jit))
      gc=$((gc + more_gc))
    fi
  done
  echo "$ticks $switches $jit $gc"
}

# usage_window LOAD_ERR OUT PID...: in the background of a load run (`client bench`, or RaftFloor.java drive, which
# says the same), the servers' use over the counted window: waits for the load to say it is warming up, lets the
# warm-up pass (and a second), then writes to OUT the CPU ticks and the context switches of the PIDs (and the
# processes under them) in the next SECONDS - 2 seconds, and those seconds. Switches are "-" if the count fell
# (threads that ended in the window take theirs with them).
usage_window() {
  local err="$1" out="$2" waited=0 ticks switches window=$((seconds > 3 ? seconds - 2 : 1))
  shift 2
  until grep -q '^bench: warming up\|^bench: measuring\|^progress:' "$err" 2> /dev/null; do
    [ "$waited" -ge $((SETUP_LIMIT_S * 10)) ] && return
    sleep 0.1 # polling the load's own log for the end of its set-up
    waited=$((waited + 1))
  done
  sleep $((warmup + 1)) # the warm-up, then a second into the counted window
  local ticks_after switches_after jit jit_after gc gc_after
  read -r ticks switches jit gc < <(proc_usage "$@")
  sleep "$window"
  read -r ticks_after switches_after jit_after gc_after < <(proc_usage "$@")
  ticks=$((ticks_after - ticks))
  switches=$((switches_after - switches))
  [ "$switches" -ge 0 ] || switches=-
  echo "$ticks $switches $window $((jit_after - jit)) $((gc_after - gc))" > "$out"
}

# usage_start LOAD_ERR OUT PID...: starts usage_window in the background; sets sampler to its PID.
usage_start() {
  rm -f "$2"
  usage_window "$@" &
  sampler=$!
}

# usage_stop STATUS: after the load (exit STATUS), waits for the sampler (stops it if the load failed).
usage_stop() {
  [ "$1" -eq 0 ] || kill "$sampler" 2> /dev/null || true # a load that failed may never have warmed up
  wait "$sampler" 2> /dev/null || true
}

# usage_note STATUS OUT OPS_PER_S: after usage_stop, the sampler's figures per request, as a note's ending.
usage_note() {
  local ticks switches window jit gc
  [ "$1" -eq 0 ] && read -r ticks switches window jit gc < "$2" 2> /dev/null || return 0
  awk -v t="$ticks" -v c="$switches" -v w="$window" -v j="$jit" -v g="$gc" -v hz="$(getconf CLK_TCK)" -v ops="$3" 'BEGIN {
    if (ops <= 0) exit
    printf "; servers'"'"' CPU %.0f µs", t / hz / w / ops * 1e6
    if (c != "-") printf " and %.0f context switches", c / w / ops
    printf " a request"
    if (t > 0) printf " (JIT %.0f%%, GC %.0f%% of it)", 100 * j / t, 100 * g / t }'
}

# bench_cell SYSTEM SETTING CONNECTIONS PIPELINE PORT OUTDIR [BENCH OPTIONS...]: one `client bench` run. With
# cell_pids set (the servers' PIDs), its notes add the servers' CPU per request over the counted window.
cell_pids=()
bench_cell() {
  local system="$1" setting="$2" conns="$3" pipeline="$4" port="$5" out="$6"
  shift 6
  local status=0 sampler=""
  local target=(--host 127.0.0.1 --port "$port")
  [[ "$port" == *,* ]] && target=(--servers "$port") # a cluster: its nodes' addresses
  rm -f "$out/bench.err"
  [ "${#cell_pids[@]}" -gt 0 ] && usage_start "$out/bench.err" "$out/usage" "${cell_pids[@]}"
  timeout $((seconds + SETUP_LIMIT_S)) "$root/scripts/client" "${target[@]}" bench \
    --connections "$conns" --duration "$seconds" --warmup "$warmup" --accounts 1000 --mix transfer \
    --pipeline "$pipeline" "$@" --json > "$out/bench.json" 2> "$out/bench.err" || status=$?
  local usage=""
  [ -n "$sampler" ] && usage_stop "$status" && usage=$(usage_note "$status" "$out/usage" "$(json_field "$out/bench.json" ops_per_sec)")
  cell_pids=()
  if [ "$status" -ne 0 ]; then
    tail -n 5 "$out/bench.err" >&2
    fail "$system" "$setting" "$conns" "$pipeline" "client bench exited $status (its last lines above)"
    return
  fi
  local errors books
  errors=$(json_errors "$out/bench.json")
  books=$(json_field "$out/bench.json" books)
  record "$system" "$setting" "$conns" "$pipeline" "$(json_field "$out/bench.json" ops_per_sec)" \
    "$(json_field "$out/bench.json" p50_ms)" "$(json_field "$out/bench.json" p99_ms)" \
    "books ${books:-?}; errors ${errors:-?}$usage"
  if [ "$books" = unbalanced ]; then
    failures=$((failures + 1))
    log "the books do not balance after $system $setting c=$conns P=$pipeline"
  fi
}

# ABC Bank: a fresh server and data directory per cell, so that no cell inherits another's journal.
# abc_cell MODE CONNECTIONS PIPELINE [HOT]: HOT (a percentage, 90 say) sends that share of the transfers through
# one account, the contended case.
abc_cell() {
  local mode="$1" conns="$2" pipeline="$3" hot="${4:-}" dir pid setting="durability $1"
  local extra=()
  if [ -n "$hot" ]; then
    setting="durability $mode, $hot% through one account"
    extra=(--hot "$hot")
  fi
  dir=$(mktemp -d "$work/abc.XXXXXX")
  mkdir "$dir/data"
  # The server's lifetime bound: start, set-up, warm-up, the cell, and its graceful stop.
  # A low PBKDF2 work factor: the bench's logins are set-up, not measured, and 600,000 iterations per
  # connection would spend a minute of the two cores before the first transfer. Requests are unaffected.
  timeout $((START_LIMIT_S + SETUP_LIMIT_S + seconds + 30)) "$root/scripts/bank-server" --port 0 \
    --port-file "$dir/port" --data "$dir/data" --durability "$mode" --pbkdf2-iterations 4096 \
    > "$dir/server.out" 2> "$dir/server.log" &
  pid=$!
  pids+=("$pid")
  if ! wait_for_file "$dir/port" "$pid"; then
    tail -n 5 "$dir/server.log" >&2
    fail "ABC Bank" "$setting" "$conns" "$pipeline" "the server did not start (its log above)"
  else
    cell_pids=("$pid")
    bench_cell "ABC Bank" "$setting" "$conns" "$pipeline" "$(cat "$dir/port")" "$dir" \
      --audit-password-file "$dir/data/audit-password" "${extra[@]}"
  fi
  stop_pid "$pid"
  rm -rf "$dir"
}

# ---- A three-node cluster on this machine ----

CLUSTER_JAVA_OPTS="${CLUSTER_JAVA_OPTS:-$CLUSTER_NODE_JAVA_OPTS}"
cluster_dir=""
cluster_servers=""
cluster_pids=() # by node: index 0 is n1
cluster_raft=()

# cluster_node DIR I LIFETIME: starts node nI (again) on its directory and Raft port; sets cluster_pids[I-1].
cluster_node() {
  local dir="$1" i="$2" lifetime="$3" peers="" j
  for j in 1 2 3; do
    peers+="${peers:+,}n$j=127.0.0.1:${cluster_raft[$((j - 1))]}"
  done
  mkdir -p "$dir/n$i"
  rm -f "$dir/n$i/port"
  BANK_SERVER_JAVA_OPTS="$CLUSTER_JAVA_OPTS" timeout "$lifetime" "$root/scripts/bank-server" \
    --port "$(cat "$dir/n$i/client-port" 2>/dev/null || echo 0)" --port-file "$dir/n$i/port" --data "$dir/n$i" \
    --pbkdf2-iterations 4096 --durability batch --node-id "n$i" --peers "$peers" >> "$dir/n$i/server.out" 2>> "$dir/n$i/server.log" &
  cluster_pids[$((i - 1))]=$!
  pids+=("$!")
}

# cluster_start LIFETIME: three fresh nodes; waits until they listen, the auditor exists and a leader is known.
cluster_start() {
  local lifetime="$1" i waited=0
  cluster_dir=$(mktemp -d "$work/cluster.XXXXXX")
  cluster_raft=("$(free_port)" "$(free_port)" "$(free_port)")
  for i in 1 2 3; do
    cluster_node "$cluster_dir" "$i" "$lifetime"
  done
  cluster_servers=""
  for i in 1 2 3; do
    wait_for_file "$cluster_dir/n$i/port" "${cluster_pids[$((i - 1))]}" || return 1
    cp "$cluster_dir/n$i/port" "$cluster_dir/n$i/client-port" # a restart keeps its client port
    cluster_servers+="${cluster_servers:+,}127.0.0.1:$(cat "$cluster_dir/n$i/port")"
  done
  until cluster_audit_file > /dev/null && cluster_converged; do
    [ "$waited" -ge $((START_LIMIT_S * 5)) ] && return 1
    sleep 0.2 # polling the cluster's own status until it has a leader and an auditor
    waited=$((waited + 1))
  done
}

cluster_audit_file() { ls "$cluster_dir"/n*/audit-password 2> /dev/null | head -n 1 | grep .; }

# cluster_converged: a leader, all three nodes reachable at one applied index (client Audit cluster --json).
cluster_converged() {
  local json
  json=$(BANK_PASSWORD="$(cat "$(cluster_audit_file)")" BANK_CREDENTIALS="$cluster_dir/credentials" \
    "$root/scripts/client" --servers "$cluster_servers" --json Audit cluster 2> /dev/null) || return 1
  [ "$(grep -o '"applied" *: *[0-9]*' <<< "$json" | sort -u | wc -l)" = 1 ] \
    && [ "$(grep -c '"reachable" *: *true' <<< "$json")" = 3 ]
}

cluster_stop() {
  local pid
  for pid in "${cluster_pids[@]}"; do
    stop_pid "$pid"
  done
  cluster_pids=()
  [ -n "$cluster_dir" ] && rm -rf "$cluster_dir"
  cluster_dir=""
}

cluster_cells() {
  local conns pipeline setting="3 nodes on this machine (Raft, majority on disk)"
  for conns in "${CONNECTIONS[@]}"; do
    for pipeline in "${PIPELINES[@]}"; do
      if ! cluster_start $((START_LIMIT_S + SETUP_LIMIT_S + seconds + 60)); then
        tail -n 5 "$cluster_dir"/n*/server.log >&2
        fail "ABC Bank cluster" "$setting" "$conns" "$pipeline" "the cluster did not start (its logs above)"
      else
        cell_pids=("${cluster_pids[@]}")
        bench_cell "ABC Bank cluster" "$setting" "$conns" "$pipeline" "$cluster_servers" "$cluster_dir" \
          --audit-password-file "$(cluster_audit_file)"
      fi
      cluster_stop
    done
  done
  failover_rounds
}

# FAILOVER_ROUNDS kills of the leader, each timed by scripts/FailoverTime.java; the node comes back in between.
failover_rounds() {
  local round out killed i waited
  if ! cluster_start $((START_LIMIT_S + FAILOVER_ROUNDS * 120 + 60)); then
    log "failover: the cluster did not start"
    failures=$((failures + 1))
    cluster_stop
    return
  fi
  for round in $(seq "$FAILOVER_ROUNDS"); do
    local pid_list="n1=${cluster_pids[0]},n2=${cluster_pids[1]},n3=${cluster_pids[2]}"
    if ! out=$(timeout 120 java -cp "$CLIENT_JAR" "$root/scripts/FailoverTime.java" "$cluster_servers" \
        "$(cluster_audit_file)" "$pid_list" 2> "$work/failover.err"); then
      log "failover round $round failed: $(tail -n 3 "$work/failover.err" | tr '\n' ' ')"
      failures=$((failures + 1))
      break
    fi
    log "failover round $round: $out"
    failover+="${failover:+ }$(sed -n 's/.*failover_ms=\([0-9]*\).*/\1/p' <<< "$out")"
    killed=$(sed -n 's/.*killed=n\([0-9]\).*/\1/p' <<< "$out")
    cluster_node "$cluster_dir" "$killed" $((FAILOVER_ROUNDS * 120 + 60))
    waited=0
    until wait_for_file "$cluster_dir/n$killed/port" "${cluster_pids[$((killed - 1))]}" && cluster_converged; do
      if [ "$waited" -ge $((START_LIMIT_S * 5)) ]; then
        log "failover round $round: node n$killed did not catch up"
        failures=$((failures + 1))
        cluster_stop
        return
      fi
      sleep 0.2 # polling the cluster's status until the restarted node has caught up
      waited=$((waited + 1))
    done
  done
  cluster_stop
}

# The failover line: each round's milliseconds and their median.
print_failover() {
  [ -n "$failover" ] || { echo "failover: not measured"; return; }
  tr ' ' '\n' <<< "$failover" | sort -n | awk -v all="$failover" '
    { v[NR] = $1 }
    END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
          printf "failover (kill -9 of the leader to the first write acknowledged after it): median %d ms over %d rounds (%s ms)\n", m, NR, all }'
}

# awk functions of the result tables: commas(x) writes x rounded, with thousands separators; num(x) is whether a
# field holds a positive number (a failed cell's is empty).
table_awk='
    function commas(x,   s) { s = sprintf("%d", x + 0.5); while (s ~ /[0-9][0-9][0-9][0-9]/) sub(/[0-9][0-9][0-9]($|,)/, ",&", s); return s }
    function num(x) { return x ~ /^[0-9.]+([eE][-+]?[0-9]+)?$/ && x + 0 > 0 }'

# The bound Raft's own latency sets on the cells of one request per connection (Little's law: throughput = requests
# in flight / the mean time each takes). A request of the cluster is answered only once a Raft round that carries it
# is committed, and the Ratis alone 1 x 1 cell times a lone round through a Raft client, with the cluster's Ratis
# settings and nothing applied (its mean latency). So, if rounds under load are no shorter than a lone one, N
# connections of one request each cannot exceed N / that mean, however full the entries and however little the bank
# costs. Evidence, not proof: the round depends on Ratis's settings and on the machine (docs/performance.md, "Where
# issue 12 stops"). Compared with the target of issue 12, a third of the single node's durable throughput at the same
# cell. Printed when the run has both the "abc" and the "raft" systems; meant for warm nodes (BENCH_COMPARE_WARMUP=40).
print_raft_bound() {
  awk -F'\t' -v warmup="$warmup" "$table_awk"'
    $1 == "Ratis alone" && $3 == 1 && $4 == 1 && num($5) && match($8, /mean [0-9.]+ ms/) {
      mean = substr($8, RSTART + 5, RLENGTH - 8) + 0
    }
    $1 == "ABC Bank" && $2 == "durability fsync" && $4 == 1 && num($5) { single[$3] = $5; if ($3 > most) most = $3 }
    $1 == "ABC Bank cluster" && $4 == 1 && num($5) { cluster[$3] = $5 }
    END {
      if (!(mean > 0)) { print "Raft latency bound: not computed (no successful Ratis alone 1 x 1 cell)"; exit }
      if (!most) { print "Raft latency bound: not computed (no ABC Bank fsync cell of one request per connection)"; exit }
      printf "Raft latency bound (Little'"'"'s law): a lone Raft round takes %.2f ms on average here (Ratis alone 1 x 1," \
        " the cluster'"'"'s settings), so N connections of one request each cannot exceed N / %.2f ms\n", mean, mean
      if (warmup < 40)
        printf "  (after a warm-up of %s s the nodes are still compiling, and a round is longer than on warm nodes:" \
          " BENCH_COMPARE_WARMUP=40 gives the bound of warm nodes)\n", warmup
      for (n = 1; n <= most; n++) {
        if (!(n in single)) continue
        bound = n * 1000 / mean; target = single[n] / 3
        printf "  %s x 1: at most %s/s; the target (a third of ABC fsync'"'"'s %s) is %s/s: %s%s\n", n, commas(bound),
          commas(single[n]), commas(target), bound < target ? "the bound is below the target" : "the bound does not exclude the target",
          (n in cluster) ? "; the cluster did " commas(cluster[n]) "/s" : ""
      }
    }' "$results"
}

# Apache Ratis alone: three scripts/RaftFloor.java nodes per cell, driven by its own client (see its comment).
raft_cells() {
  local conns pipeline setting="3 nodes, the cluster's Ratis settings, a state machine that does nothing"
  raft_cell "$setting" 1 1
  for conns in "${CONNECTIONS[@]}"; do
    for pipeline in "${PIPELINES[@]}"; do
      raft_cell "$setting" "$conns" "$pipeline"
    done
  done
}

raft_cell() { # raft_cell SETTING CONNECTIONS PIPELINE
  local setting="$1" conns="$2" pipeline="$3" dir i peers="" node_pids=() out status=0 sampler
  local lifetime=$((START_LIMIT_S + warmup + seconds + 60))
  dir=$(mktemp -d "$work/raft.XXXXXX")
  for i in 1 2 3; do
    peers+="${peers:+,}n$i=127.0.0.1:$(free_port)"
  done
  for i in 1 2 3; do
    # shellcheck disable=SC2086 # a list of JVM options: word splitting wanted
    timeout "$lifetime" java $CLUSTER_JAVA_OPTS -cp "$SERVER_JAR" "$root/scripts/RaftFloor.java" node "n$i" "$peers" \
      "$dir/n$i" > "$dir/n$i.log" 2>&1 &
    pids+=("$!")
    node_pids+=("$!")
  done
  usage_start "$dir/drive.err" "$dir/usage" "${node_pids[@]}"
  out=$(timeout "$lifetime" java -XX:+UseSerialGC -cp "$SERVER_JAR" "$root/scripts/RaftFloor.java" drive "$peers" \
    "$conns" "$pipeline" "$warmup" "$seconds" 2> "$dir/drive.err") || status=$?
  local usage
  usage_stop "$status"
  usage=$(usage_note "$status" "$dir/usage" "$(kv_field "$out" ops_per_sec)")
  local dead=""
  for i in "${node_pids[@]}"; do
    kill -0 "$i" 2> /dev/null || dead+=" $i"
  done
  if [ "$status" -ne 0 ] || [[ "$out" != ops_per_sec=* ]]; then
    tail -n 5 "$dir/drive.err" "$dir"/n*.log >&2
    fail "Ratis alone" "$setting" "$conns" "$pipeline" "RaftFloor drive exited $status (its last lines above)"
  elif [ -n "$dead" ]; then # two nodes would still commit, and the cell would measure a cheaper cluster
    tail -n 5 "$dir"/n*.log >&2
    fail "Ratis alone" "$setting" "$conns" "$pipeline" "a node ended during the cell (pid$dead; the logs above)"
  else
    record "Ratis alone" "$setting" "$conns" "$pipeline" "$(kv_field "$out" ops_per_sec)" "$(kv_field "$out" p50_ms)" \
      "$(kv_field "$out" p99_ms)" "errors $(kv_field "$out" errors); mean $(kv_field "$out" mean_ms) ms$usage"
    [ "$(kv_field "$out" errors)" = 0 ] || failures=$((failures + 1))
  fi
  for i in "${node_pids[@]}"; do
    stop_pid "$i"
  done
  rm -rf "$dir"
}

null_cells() {
  local dir pid conns pipeline setting="thread per connection, answers at once"
  dir=$(mktemp -d "$work/null.XXXXXX")
  local lifetime=$(((seconds + SETUP_LIMIT_S) * 4 + START_LIMIT_S))
  timeout $((lifetime + 30)) java "$root/scripts/NullServer.java" "$dir/port" "$lifetime" \
    > "$dir/server.out" 2> "$dir/server.log" &
  pid=$!
  pids+=("$pid")
  if ! wait_for_file "$dir/port" "$pid"; then
    cat "$dir/server.log" >&2
    for conns in "${CONNECTIONS[@]}"; do
      for pipeline in "${PIPELINES[@]}"; do
        fail "do-nothing server" "$setting" "$conns" "$pipeline" "NullServer did not start (its log above)"
      done
    done
  else
    for conns in "${CONNECTIONS[@]}"; do
      for pipeline in "${PIPELINES[@]}"; do
        bench_cell "do-nothing server" "$setting" "$conns" "$pipeline" "$(cat "$dir/port")" "$dir" --no-setup
      done
    done
  fi
  stop_pid "$pid"
}

# redis_csv_field FILE NAME: a column of redis-benchmark --csv output, found by its header.
redis_csv_field() {
  tr -d '"\r' < "$1" | awk -F, -v name="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
    col && NF >= col { print $col; exit }'
}

redis_cells() {
  local setting="INCR, appendonly yes, appendfsync always"
  if ! command -v redis-server >/dev/null 2>&1 || ! command -v redis-benchmark >/dev/null 2>&1; then
    skip_all "Redis" "$setting" "apt-get install redis-server redis-tools"
    return
  fi
  setting="$setting ($(redis-server --version | sed -n 's/.*v=\([0-9.]*\).*/\1/p'))"
  local dir pid port="" attempt
  dir=$(mktemp -d "$work/redis.XXXXXX")
  local lifetime=$((START_LIMIT_S + (seconds * 3 + 60) * 8))
  for attempt in 1 2 3; do
    port=$(free_port)
    timeout "$lifetime" redis-server --bind 127.0.0.1 --port "$port" --dir "$dir" --appendonly yes \
      --appendfsync always --save '' --daemonize no --logfile "$dir/redis.log" > /dev/null 2>&1 &
    pid=$!
    pids+=("$pid")
    if redis_ready "$port" "$pid"; then
      break
    fi
    log "redis-server did not start on port $port (attempt $attempt)"
    stop_pid "$pid"
    port=""
  done
  local conns pipeline
  for conns in "${CONNECTIONS[@]}"; do
    for pipeline in "${PIPELINES[@]}"; do
      if [ -z "$port" ]; then
        tail -n 5 "$dir/redis.log" >&2
        fail "Redis" "$setting" "$conns" "$pipeline" "redis-server did not start (its log above)"
      else
        redis_cell "$setting" "$conns" "$pipeline" "$port" "$dir"
      fi
    done
  done
  stop_pid "$pid"
}

redis_ready() { # redis_ready PORT PID: the server answers PING within START_LIMIT_S
  local waited=0
  while [ "$waited" -lt $((START_LIMIT_S * 10)) ]; do
    kill -0 "$2" 2>/dev/null || return 1
    if (exec 3<>"/dev/tcp/127.0.0.1/$1" && printf 'PING\r\n' >&3 && read -r -t 2 reply <&3 \
        && [ "${reply%$'\r'}" = "+PONG" ]) 2>/dev/null; then
      return 0
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  return 1
}

# One Redis cell: a short run measures the rate (and warms up), then -n is sized for about SECONDS.
redis_cell() {
  local setting="$1" conns="$2" pipeline="$3" port="$4" dir="$5" rps requests
  local bench=(redis-benchmark -h 127.0.0.1 -p "$port" -t incr -c "$conns" -P "$pipeline" --csv)
  if ! timeout 60 "${bench[@]}" -n $((conns * pipeline * 300)) > "$dir/calibrate.csv" 2> "$dir/bench.err"; then
    fail "Redis" "$setting" "$conns" "$pipeline" "the calibration run failed: $(tail -n 1 "$dir/bench.err")"
    return
  fi
  rps=$(redis_csv_field "$dir/calibrate.csv" rps)
  requests=$(awk -v rps="${rps:-0}" -v s="$seconds" 'BEGIN {
    n = int(rps * s); if (n < 10000) n = 10000; if (n > 100000000) n = 100000000; print n }')
  if ! timeout $((seconds * 3 + 60)) "${bench[@]}" -n "$requests" > "$dir/bench.csv" 2> "$dir/bench.err"; then
    fail "Redis" "$setting" "$conns" "$pipeline" "redis-benchmark -n $requests failed or overran"
    return
  fi
  record "Redis" "$setting" "$conns" "$pipeline" "$(redis_csv_field "$dir/bench.csv" rps)" \
    "$(redis_csv_field "$dir/bench.csv" p50_latency_ms)" "$(redis_csv_field "$dir/bench.csv" p99_latency_ms)" \
    "$requests requests"
}

skip_all() { # skip_all SYSTEM SETTING INSTALL_COMMAND
  local conns pipeline
  for conns in "${CONNECTIONS[@]}"; do
    for pipeline in "${PIPELINES[@]}"; do
      record "$1" "$2" "$conns" "$pipeline" "" "" "" "skipped: not installed ($3)"
    done
  done
}

# as_pg COMMAND...: PostgreSQL refuses to run as root, so as root its commands run as the postgres user.
as_pg() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The directory holding initdb, pg_ctl and pgbench together (pg_ctl starts the postgres beside it): Debian
# keeps them in /usr/lib/postgresql/VERSION/bin (the newest wins), out of PATH but for wrappers and links.
find_pg_bin() {
  local dir candidates
  candidates=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -t/ -k4 -n -r)
  if command -v pg_ctl >/dev/null 2>&1; then
    candidates="$candidates"$'\n'"$(dirname "$(readlink -f "$(command -v pg_ctl)")")"
  fi
  while read -r dir; do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/pgbench" ]; then
      echo "$dir"
      return
    fi
  done <<< "$candidates"
}

pg_stop() {
  [ -f "$pg_dir/data/postmaster.pid" ] || return 0
  local postmaster
  postmaster=$(head -n 1 "$pg_dir/data/postmaster.pid")
  # pg_ctl -w returns once the postmaster has removed its pid file; it may linger a moment as a zombie.
  if as_pg timeout 60 "$pg_bin/pg_ctl" -D "$pg_dir/data" -m fast -w -t 30 stop > /dev/null 2>&1; then
    return 0
  fi
  if [ -n "$postmaster" ] && kill -0 "$postmaster" 2>/dev/null \
      && [[ "$(ps -o stat= -p "$postmaster" 2>/dev/null)" != Z* ]]; then
    log "PostgreSQL ($postmaster) did not stop; killing it"
    kill -KILL "$postmaster" 2>/dev/null || true
  fi
}

pg_cells() {
  local setting="TPC-B-like, scale 1, fsync=on, synchronous_commit=on"
  pg_bin=$(find_pg_bin)
  if [ -z "$pg_bin" ]; then
    skip_all "PostgreSQL pgbench" "$setting" "apt-get install postgresql"
    return
  fi
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then
    skip_all "PostgreSQL pgbench" "$setting" "running as root and there is no postgres user to run initdb"
    return
  fi
  setting="$setting ($("$pg_bin/pgbench" --version | sed -n 's/.*(PostgreSQL) \([0-9.]*\).*/\1/p'))"
  # Its own directory outside $work, which is private to this user: the postgres user must reach it.
  pg_dir=$(mktemp -d "$tmp_root/bench-compare-pg.XXXXXX")
  [ "$(id -u)" = 0 ] && chown postgres: "$pg_dir"
  local port="" attempt conns pipeline
  if ! as_pg timeout 120 "$pg_bin/initdb" -D "$pg_dir/data" -A trust -U bench --no-sync \
      > "$pg_dir/initdb.log" 2>&1; then
    tail -n 5 "$pg_dir/initdb.log" >&2
  else
    for attempt in 1 2 3; do
      port=$(free_port)
      if as_pg timeout $((START_LIMIT_S + 10)) "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/server.log" -w \
          -t "$START_LIMIT_S" -o "-p $port -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on" \
          start > /dev/null 2>&1; then
        break
      fi
      log "PostgreSQL did not start on port $port (attempt $attempt)"
      pg_stop
      port=""
    done
  fi
  if [ -n "$port" ] && ! as_pg timeout 300 "$pg_bin/pgbench" -h 127.0.0.1 -p "$port" -U bench -i -s 1 -q postgres \
      > "$pg_dir/init.log" 2>&1; then
    tail -n 5 "$pg_dir/init.log" >&2
    port=""
  fi
  for conns in "${CONNECTIONS[@]}"; do
    for pipeline in "${PIPELINES[@]}"; do
      if [ "$pipeline" != 1 ]; then
        record "PostgreSQL pgbench" "$setting" "$conns" "$pipeline" "" "" "" "pgbench does not pipeline"
      elif [ -z "$port" ]; then
        [ -f "$pg_dir/server.log" ] && tail -n 5 "$pg_dir/server.log" >&2
        fail "PostgreSQL pgbench" "$setting" "$conns" "$pipeline" "the cluster did not start or initialise"
      else
        pg_cell "$setting" "$conns" "$port"
      fi
    done
  done
  pg_stop
}

# One pgbench cell; p50 and p99 come from its per-transaction log (the third field, in microseconds).
pg_cell() {
  local setting="$1" conns="$2" port="$3" out="$pg_dir/c$2" p50 p99 count
  if ! as_pg timeout $((seconds + 120)) "$pg_bin/pgbench" -h 127.0.0.1 -p "$port" -U bench -c "$conns" -j 2 \
      -T "$seconds" -l --log-prefix="$out-log" postgres > "$out.txt" 2> "$out.err"; then
    fail "PostgreSQL pgbench" "$setting" "$conns" 1 "pgbench failed: $(tail -n 1 "$out.err")"
    return
  fi
  local tps percentiles
  tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$out.txt" | head -n 1)
  percentiles=$(cat "$out-log".* | awk '{print $3}' | sort -n | awk '
    { v[NR] = $1 }
    END { if (NR == 0) exit; i50 = int(NR * 0.50 + 0.999999); i99 = int(NR * 0.99 + 0.999999)
          printf "%.2f %.2f %d\n", v[i50] / 1000, v[i99] / 1000, NR }')
  read -r p50 p99 count <<< "${percentiles:-  }"
  record "PostgreSQL pgbench" "$setting" "$conns" 1 "$tps" "${p50:-}" "${p99:-}" "${count:-0} transactions"
}

machine_line() {
  local fs
  fs=$(df -PT "$tmp_root" | awk 'NR == 2 {print $2}')
  echo "machine: $(nproc) cores, $(free -g 2>/dev/null | awk '/^Mem:/ {print $2 " GiB, "}')$(java -version 2>&1 \
    | head -n 1), $fs at TMPDIR ($tmp_root), $(. /etc/os-release 2>/dev/null && echo "$PRETTY_NAME")"
}

# The Markdown table, with ABC Bank fsync's ops/s over each row's at the same connections and pipeline.
print_table() {
  echo "| system | setting | connections | pipeline | ops/s | p50 ms | p99 ms | ABC fsync / this | notes |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' "$table_awk"'
    function ms(x) { return num(x) ? sprintf("%.2f", x) : "—" }
    NR == FNR { if ($1 == "ABC Bank" && $2 == "durability fsync" && num($5)) base[$3 "/" $4] = $5; next }
    {
      ratio = "—"
      if (!($1 == "ABC Bank" && $2 == "durability fsync") && num($5) && (($3 "/" $4) in base))
        ratio = sprintf("%.2f", base[$3 "/" $4] / $5)
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4,
        num($5) ? commas($5) : "—", ms($6), ms($7), ratio, $8
    }' "$results" "$results"
}


# ---- The one-shot cell: start-up and one request, ABC Bank's client against the classroom toy's ----

# oneshot_time LABEL EXPECT COMMAND...: runs COMMAND once and records under LABEL its wall time and the CPU time
# (user + system) of it and its children, in milliseconds, from bash's `time`; or "failed" if it exits non-zero
# or its output lacks EXPECT. CPU time is the steadier figure on a busy machine: wall time also counts waiting
# for a core, and for the server's answer.
oneshot_time() {
  local label="$1" expect="$2" status=0 real user sys
  shift 2
  local TIMEFORMAT='%3R %3U %3S'
  { time "$@" > "$work/oneshot.out" 2> "$work/oneshot.err" || status=$?; } 2> "$work/oneshot.time"
  if [ "$status" -ne 0 ] || { [ -n "$expect" ] && ! grep -q -- "$expect" "$work/oneshot.out" "$work/oneshot.err"; }; then
    log "$label: exit $status, output: $(head -c 300 "$work/oneshot.out" "$work/oneshot.err" | tr '\n' ' ')"
    printf '%s\tfailed\n' "$label" >> "$oneshot"
    failures=$((failures + 1))
    return
  fi
  read -r real user sys < "$work/oneshot.time"
  awk -v l="$label" -v r="$real" -v u="$user" -v s="$sys" \
    'BEGIN { printf "%s\t%.0f\t%.0f\n", l, r * 1000, (u + s) * 1000 }' >> "$oneshot"
}

# oneshot_refused COMMAND...: runs COMMAND, which should fail to connect (exit 75), and succeeds if it did.
oneshot_refused() {
  local status=0
  "$@" || status=$?
  [ "$status" = 75 ]
}

oneshot_cells() {
  local python
  if ! command -v python3 > /dev/null 2>&1; then
    oneshot_notes="skipped: python3 not installed (apt-get install python3)"
    log "one-shot: $oneshot_notes"
    return
  fi
  # The interpreter itself, not a wrapper in front of it (pyenv's shim adds 50 to 150 ms of bash per start):
  # the toy at its fastest is the stricter baseline. TOY_PYTHON overrides it.
  python="${TOY_PYTHON:-$(python3 -c 'import sys; print(sys.executable)')}"
  local dir abc_pid toy_pid lifetime=$((START_LIMIT_S + ONESHOT_RUNS * 30))
  dir=$(mktemp -d "$work/oneshot.XXXXXX")
  mkdir "$dir/data"
  # Default settings, as a user's server runs: the login's PBKDF2 is part of what a one-shot command costs.
  # shellcheck disable=SC2086 # a list of options: word splitting wanted
  timeout "$lifetime" "$root/scripts/bank-server" --port 0 --port-file "$dir/port" --data "$dir/data" \
    ${ONESHOT_SERVER_OPTS:-} > "$dir/server.out" 2> "$dir/server.log" &
  abc_pid=$!
  pids+=("$abc_pid")
  timeout "$lifetime" "$python" "$root/scripts/toy/toy_server.py" --port 0 --port-file "$dir/toy-port" \
    > /dev/null 2> "$dir/toy.log" &
  toy_pid=$!
  pids+=("$toy_pid")
  if ! wait_for_file "$dir/port" "$abc_pid" || ! wait_for_file "$dir/toy-port" "$toy_pid"; then
    tail -n 5 "$dir/server.log" "$dir/toy.log" >&2
    oneshot_notes="failed: a server did not start (its log above)"
    failures=$((failures + 1))
    return
  fi
  # The client's environment: this server, a credentials file of its own, the launcher's own JVM flags (not
  # the load generator's, exported above).
  local client=(env -u BANK_CLIENT_JAVA_OPTS BANK_HOST=127.0.0.1 "BANK_PORT=$(cat "$dir/port")"
    "BANK_CREDENTIALS=$dir/credentials" "$root/scripts/client")
  local toy=(env TOY_HOST=127.0.0.1 "TOY_PORT=$(cat "$dir/toy-port")" "$python" "$root/scripts/toy/toy_client.py")
  if ! "${client[@]}" Alice create_account 1001 100 > "$dir/setup.out" 2>&1 \
      || ! "${toy[@]}" Alice create_account 1001 100 >> "$dir/setup.out" 2>&1; then
    cat "$dir/setup.out" >&2
    oneshot_notes="failed: could not open account 1001 (the output above)"
    failures=$((failures + 1))
    return
  fi
  local java_cmd="java" closed_port
  [ -n "${JAVA_HOME:-}" ] && java_cmd="$JAVA_HOME/bin/java"
  # A port that was free a moment ago: the client's start-up and parsing, then a refused connect, no login.
  closed_port=$(free_port)
  local old_flags=(-XX:TieredStopAtLevel=1 -XX:+UseSerialGC) # scripts/client's flags before issue 10
  log "one-shot: $ONESHOT_RUNS runs of each command, interleaved"
  local run
  for run in $(seq 0 "$ONESHOT_RUNS"); do # run 0 warms the page cache and is not recorded
    [ "$run" = 0 ] && oneshot="$work/oneshot.warmup"
    oneshot_time "toy client: python3 toy_client.py Alice balance 1001" "balance 100.00" \
      "${toy[@]}" Alice balance 1001
    oneshot_time "ABC client: scripts/client Alice balance 1001" "balance 100.00" \
      "${client[@]}" Alice balance 1001
    oneshot_time "ABC client, no CDS archive: BANK_CLIENT_CDS=off scripts/client Alice balance 1001" \
      "balance 100.00" env BANK_CLIENT_CDS=off "${client[@]}" Alice balance 1001
    if [ -n "${ONESHOT_BASELINE_JAR:-}" ]; then
      oneshot_time "ABC client, $(basename "$ONESHOT_BASELINE_JAR") with the old flags: Alice balance 1001" \
        "balance 100.00" env BANK_HOST=127.0.0.1 "BANK_PORT=$(cat "$dir/port")" "BANK_CREDENTIALS=$dir/credentials" \
        "$java_cmd" "${old_flags[@]}" -jar "$ONESHOT_BASELINE_JAR" Alice balance 1001
    fi
    oneshot_time "ABC client, no network: scripts/client --version (builds every command's model)" "client " \
      "${client[@]}" --version
    oneshot_time "ABC client, nothing listening: scripts/client --port CLOSED Alice balance 1001 (exit 75)" \
      "cannot connect" oneshot_refused "${client[@]}" --port "$closed_port" Alice balance 1001
    oneshot_time "JVM alone: java -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version" "version" \
      "$java_cmd" -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -version
    oneshot_time "Python alone: python3 -c pass" "" "$python" -c pass
    [ "$run" = 0 ] && oneshot="$work/oneshot.tsv"
  done
  oneshot_notes="ABC Bank server with ${ONESHOT_SERVER_OPTS:-default settings (SCRAM login)}, toy server, both on"
  oneshot_notes+=" 127.0.0.1; the toy on $python"
  stop_pid "$abc_pid"
  stop_pid "$toy_pid"
}

# The one-shot table: per row, runs, median, min and max wall milliseconds, the median over the toy client's, and
# the median CPU milliseconds.
print_oneshot_table() {
  echo "| one-shot command | runs | median ms | min ms | max ms | median / toy client's | CPU ms, median |"
  echo "|---|---:|---:|---:|---:|---:|---:|"
  [ -s "$oneshot" ] || { echo "| ${oneshot_notes:-not run} | | | | | | |"; return; }
  awk -F'\t' '
    { if (!($1 in seen)) { seen[$1] = 1; order[++rows] = $1 }
      if ($2 == "failed") failed[$1]++; else { n[$1]++; v[$1, n[$1]] = $2; c[$1, n[$1]] = $3 } }
    function sorted_median(a, label, m,   i, j, t) {
      for (i = 2; i <= m; i++) for (j = i; j > 1 && a[label, j - 1] > a[label, j]; j--) {
        t = a[label, j]; a[label, j] = a[label, j - 1]; a[label, j - 1] = t }
      return m % 2 ? a[label, (m + 1) / 2] : (a[label, m / 2] + a[label, m / 2 + 1]) / 2
    }
    END {
      for (r = 1; r <= rows; r++) { l = order[r]; if (n[l]) { med[l] = sorted_median(v, l, n[l]); cpu[l] = sorted_median(c, l, n[l]) } }
      for (r = 1; r <= rows; r++) if (order[r] ~ /^toy client/) toy = med[order[r]]
      for (r = 1; r <= rows; r++) {
        l = order[r]
        ratio = (n[l] && toy > 0) ? sprintf("%.2f", med[l] / toy) : "—"
        note = failed[l] ? sprintf(" (%d failed)", failed[l]) : ""
        if (n[l]) printf "| %s%s | %d | %.0f | %d | %d | %s | %.0f |\n", l, note, n[l], med[l], v[l, 1], v[l, n[l]], ratio, cpu[l]
        else printf "| %s%s | 0 | — | — | — | — | — |\n", l, note
      }
    }' "$oneshot"
  echo
  echo "${oneshot_notes}"
}

if [[ "$systems" =~ \ (abc|cluster|raft|null|oneshot)\  ]]; then
  log "building the jars if they are stale (the first run takes a minute)"
  bank_build >&2
fi
if [[ "$systems" =~ \ (abc|cluster|raft|null|redis|pgbench)\  ]]; then
  log "$seconds s per cell; about $(((seconds + 8) * 28 / 60 + 1)) minutes in all"
fi
if [[ "$systems" == *" abc "* ]]; then
  for mode in "${MODES[@]}"; do
    for conns in "${CONNECTIONS[@]}"; do
      for pipeline in "${PIPELINES[@]}"; do
        abc_cell "$mode" "$conns" "$pipeline"
      done
    done
  done
  abc_cell fsync 64 1 90
fi
[[ "$systems" == *" cluster "* ]] && cluster_cells
[[ "$systems" == *" raft "* ]] && raft_cells
[[ "$systems" == *" null "* ]] && null_cells
[[ "$systems" == *" redis "* ]] && redis_cells
[[ "$systems" == *" pgbench "* ]] && pg_cells
[[ "$systems" == *" oneshot "* ]] && oneshot_cells

echo
machine_line
if [ -s "$results" ]; then
  echo
  print_table
fi
if [[ "$systems" == *" cluster "* ]]; then
  echo
  print_failover
fi
if [[ "$systems" == *" abc "* && "$systems" == *" raft "* ]]; then
  echo
  print_raft_bound
fi
if [[ "$systems" == *" oneshot "* ]]; then
  echo
  print_oneshot_table
fi
if [ "$failures" -gt 0 ]; then
  log "$failures cell(s) failed; see the notes column and the lines above"
  exit 1
fi
