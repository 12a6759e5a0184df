#!/usr/bin/env bash
# A three-node ABC Bank cluster on this machine (Apache Ratis; docs/architecture.md, "The cluster"):
#
#   scripts/cluster.sh start    builds the jars if needed, starts nodes n1, n2, n3 in the background, waits until
#                               they have elected a leader and created the auditor, and prints how to use them
#   scripts/cluster.sh status   every node's role, term, last applied log index and chain head (client Audit cluster)
#   scripts/cluster.sh stop     stops the nodes this script started (SIGTERM, by the PIDs it saved)
#   scripts/cluster.sh kill N   kill -9 of node N (1, 2 or 3): what a crash does; `start` brings it back
#
# Node i listens for clients on 127.0.0.1:$((CLUSTER_PORT + i)) and for Raft on 127.0.0.1:$((CLUSTER_RAFT_PORT + i)),
# keeps its data in $CLUSTER_DIR/n$i (default ./cluster-data, kept across restarts: stop and start again and the
# bank is still there) and logs to $CLUSTER_DIR/n$i/server.log. Defaults: CLUSTER_PORT=7400, CLUSTER_RAFT_PORT=9870.
# Each node is a JVM of CLUSTER_NODE_JAVA_OPTS (scripts/lib.sh: up to 3 GB of heap, serial GC, the full JIT, direct memory
# capped; CLUSTER_JAVA_OPTS overrides it).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
# shellcheck source=lib.sh
. "$root/scripts/lib.sh"

dir="${CLUSTER_DIR:-$PWD/cluster-data}"
port="${CLUSTER_PORT:-7400}"
raft="${CLUSTER_RAFT_PORT:-9870}"
nodes=(1 2 3)
peers="n1=127.0.0.1:$((raft + 1)),n2=127.0.0.1:$((raft + 2)),n3=127.0.0.1:$((raft + 3))"
servers="127.0.0.1:$((port + 1)),127.0.0.1:$((port + 2)),127.0.0.1:$((port + 3))"
java_opts="${CLUSTER_JAVA_OPTS:-$CLUSTER_NODE_JAVA_OPTS}"

running() { # running N: whether node N's saved PID is a live process
  local pid_file="$dir/n$1/server.pid"
  [ -f "$pid_file" ] && kill -0 "$(cat "$pid_file")" 2>/dev/null
}

audit_password() { # the auditor's password, from the node whose proposal created it
  local i
  for i in "${nodes[@]}"; do
    if [ -s "$dir/n$i/audit-password" ]; then
      cat "$dir/n$i/audit-password"
      return 0
    fi
  done
  return 1
}

start_node() {
  local i=$1 data="$dir/n$1"
  mkdir -p "$data"
  rm -f "$data/port"
  BANK_SERVER_JAVA_OPTS="$java_opts" "$root/scripts/bank-server" \
    --port $((port + i)) --data "$data" --port-file "$data/port" \
    --node-id "n$i" --peers "$peers" --durability batch "${extra[@]}" \
    >> "$data/server.out" 2>> "$data/server.log" &
  echo $! > "$data/server.pid"
}

wait_for() { # wait_for WHAT SECONDS COMMAND...: polls COMMAND every 0.2 s until it succeeds
  local what=$1 seconds=$2 tries=0
  shift 2
  until "$@" > /dev/null 2>&1; do
    tries=$((tries + 1))
    if [ "$tries" -ge $((seconds * 5)) ]; then
      echo "cluster: $what did not happen within $seconds s; see $dir/n*/server.log" >&2
      return 1
    fi
    sleep 0.2 # polling state the nodes write (port files, the auditor's file); not synchronisation by guesswork
  done
}

cluster_status() {
  local password
  password=$(audit_password) || { echo "cluster: no auditor's password yet under $dir" >&2; return 1; }
  BANK_PASSWORD="$password" BANK_CREDENTIALS="$dir/credentials" "$root/scripts/client" --servers "$servers" Audit cluster
}

command="${1:-}"
shift || true
extra=("$@")
case "$command" in
  start)
    bank_build
    for i in "${nodes[@]}"; do
      if running "$i"; then
        echo "node n$i is running (pid $(cat "$dir/n$i/server.pid"))"
      else
        start_node "$i"
        echo "node n$i starting (pid $(cat "$dir/n$i/server.pid")): clients on 127.0.0.1:$((port + i)), Raft on 127.0.0.1:$((raft + i))"
      fi
    done
    for i in "${nodes[@]}"; do
      wait_for "node n$i listening" 60 test -s "$dir/n$i/port"
    done
    wait_for "the auditor's creation" 60 audit_password
    wait_for "a leader's election" 60 cluster_status
    cluster_status
    echo
    echo "The cluster runs. Use any node, or all of them with failover:"
    echo "  export BANK_SERVERS=$servers"
    echo "  scripts/client Alice create_account 1001 200     # enrols Alice on first use"
    echo "  BANK_PASSWORD=\$(cat $dir/n*/audit-password) scripts/client Audit verify"
    echo "  scripts/cluster.sh status | kill 2 | stop"
    ;;
  status)
    cluster_status
    ;;
  stop)
    for i in "${nodes[@]}"; do
      if running "$i"; then
        pid=$(cat "$dir/n$i/server.pid")
        kill "$pid"
        echo "node n$i (pid $pid) stopping"
      fi
    done
    for i in "${nodes[@]}"; do
      wait_for "node n$i stopping" 30 bash -c "! kill -0 \$(cat '$dir/n$i/server.pid') 2>/dev/null"
      rm -f "$dir/n$i/server.pid"
    done
    echo "stopped; the data stays in $dir (rm -rf it for a new bank)"
    ;;
  kill)
    i="${extra[0]:-}"
    case "$i" in 1|2|3) ;; *) echo "usage: scripts/cluster.sh kill 1|2|3" >&2; exit 2 ;; esac
    if running "$i"; then
      kill -9 "$(cat "$dir/n$i/server.pid")"
      echo "node n$i killed (kill -9); scripts/cluster.sh start brings it back"
    else
      echo "node n$i is not running" >&2
      exit 1
    fi
    ;;
  *)
    echo "usage: scripts/cluster.sh start [SERVER OPTIONS...] | status | stop | kill N" >&2
    exit 2
    ;;
esac
