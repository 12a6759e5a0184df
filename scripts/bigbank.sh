#!/usr/bin/env bash
# A big bank: its heap, start-up, history views and verify.
#   scripts/bigbank.sh [--accounts N] [--transactions N] [--users N] [--heap 1g] [--dir D] [--keep]
#                      [--gen-heap 3g] [--start-limit SECONDS]
#
# 1. Generates a bank of N accounts (default 1,000,000; 5% loans) and N transactions (default 10,000,000) with
#    BigBank (bank-server's test sources): journal, a snapshot 50,000 transactions before the end, users, and
#    DATA/bigbank.properties. Skipped if --dir already holds a generated bank. Without --dir the bank goes into a
#    temporary directory that is removed at the end unless --keep; a --dir is never removed.
# 2. Starts bank-server on 127.0.0.1 (a free port) with -Xmx<heap> on it, and times start-up: launch to listening,
#    and launch to the first login answered (over a connection bash opens at once), with the server's own log
#    lines for the snapshot load and the journal's tail.
# 3. Heap: the live bytes after a full GC (jcmd GC.class_histogram), against an empty server started the same
#    way, per account and per transaction (the same bytes divided by each).
# 4. Times the history views (customer history: the first page and one after the snapshot; auditor show_history:
#    the first page, and a middle page filtered by account; report) and verify, each twice: one request on a
#    logged-in connection (its round trip alone), then through scripts/client (JVM start and login included;
#    the balance row shows that cost alone). Then the heap once more.
# 5. Prints one table and stops the server by its PID.
# Every wait is bounded; a server that dies (say of OutOfMemoryError: it runs with -XX:+ExitOnOutOfMemoryError)
# is reported with its log's tail, and the script exits 1. Exit 2 on a usage error.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
# shellcheck source=scripts/lib.sh
. "$root/scripts/lib.sh" # bank_build, SERVER_JAR, CLIENT_JAR; runs nothing by itself

accounts=1000000
transactions=10000000
users=""
heap=1g
gen_heap=3g
dir=""
keep=0
start_limit=600
CLIENT_LIMIT_S=300 # per request and per client command (the client itself gives up on a reply after 30 s)
PBKDF2_ITERATIONS=4096 # logins are set-up here, not measured work (as in bench_compare.sh)

usage() {
  sed -n '2,19p' "$0" | sed 's/^# \{0,1\}//' >&2
  [ -n "${1:-}" ] && echo "bigbank.sh: $1" >&2
  exit 2
}
number() { [[ "$2" =~ ^[0-9]+$ ]] || usage "$1 takes a whole number, not '$2'"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --accounts) number "$1" "${2:-}"; accounts="$2"; shift 2 ;;
    --transactions) number "$1" "${2:-}"; transactions="$2"; shift 2 ;;
    --users) number "$1" "${2:-}"; users="$2"; shift 2 ;;
    --heap) [[ "${2:-}" =~ ^[0-9]+[kmgKMG]?$ ]] || usage "--heap takes a JVM size such as 1g"; heap="$2"; shift 2 ;;
    --gen-heap) [[ "${2:-}" =~ ^[0-9]+[kmgKMG]?$ ]] || usage "--gen-heap takes a JVM size"; gen_heap="$2"; shift 2 ;;
    --dir) [ -n "${2:-}" ] || usage "--dir takes a directory"; dir="$2"; shift 2 ;;
    --keep) keep=1; shift ;;
    --start-limit) number "$1" "${2:-}"; start_limit="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) usage "unknown argument '$1'" ;;
  esac
done

work=$(mktemp -d "${TMPDIR:-/tmp}/bigbank.XXXXXX")
pids=() # servers started, stopped by PID at the end
temporary_bank=0
if [ -z "$dir" ]; then
  dir="$work/data"
  temporary_bank=1
fi
log() { echo "bigbank: $*" >&2; }

# Processes are stopped with stop_pid (scripts/lib.sh).
cleanup() {
  local status=$?
  set +e # every step below should run, whatever the one before did
  for pid in "${pids[@]}"; do
    stop_pid "$pid" 30 # a big bank may take a while to write its last snapshot
  done
  if [ "$temporary_bank" = 1 ] && [ "$keep" = 1 ] && [ -d "$dir" ]; then
    local kept
    kept=$(mktemp -d "${TMPDIR:-/tmp}/bigbank-kept.XXXXXX")
    mv "$dir" "$kept/data" && log "kept the bank in $kept/data (run again with --dir $kept/data)"
  fi
  rm -rf "$work"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

now_us() { echo "${EPOCHREALTIME/./}"; } # microseconds, without a fork
now_ms() { echo $(($(now_us) / 1000)); }
manifest() { sed -n "s/^$1=//p" "$dir/bigbank.properties" | head -n 1; }

# ---------------------------------------------------------------- 1. the bank
log "building the server and client jars if they are stale"
bank_build >&2
if [ -f "$dir/bigbank.properties" ]; then
  log "$dir already holds a generated bank (generated in $(manifest seconds) s): not generating"
elif [ -d "$dir" ] && [ -n "$(ls -A "$dir")" ]; then
  usage "$dir is not empty and holds no generated bank (no bigbank.properties)"
else
  log "compiling the generator (bank-server's test sources)"
  (cd "$root" && ./mvnw -q -B test-compile dependency:build-classpath -pl bank-server -am \
    -Dmdep.includeScope=test -Dmdep.outputFile=target/bigbank.classpath) >&2
  cp="$root/bank-server/target/test-classes:$root/bank-server/target/classes:$(cat "$root/bank-server/target/bigbank.classpath")"
  generator=(java "-Xmx$gen_heap" -cp "$cp" com.abcbank.server.bench.BigBank --dir "$dir" --accounts "$accounts"
    --transactions "$transactions" --pbkdf2-iterations "$PBKDF2_ITERATIONS")
  [ -n "$users" ] && generator+=(--users "$users")
  log "generating: ${generator[*]:3}"
  gen_started=$(now_ms)
  BANK_LOG_LEVEL=WARN "${generator[@]}" >&2
  log "generated in $((($(now_ms) - gen_started) / 1000)) s"
fi
accounts=$(manifest accounts)
transactions=$(manifest transactions)
snapshot_seq=$(manifest snapshotSeq)
password_file="$dir/$(manifest passwordFile)"
audit_password_file="$dir/audit-password"
user1=$(manifest sample.user)
account1=$(manifest sample.account)
user2=$(manifest sample.user2)
account2=$(manifest sample.account2)

# ---------------------------------------------------------------- the table
rows="$work/rows.tsv"
: > "$rows"
# row MEASURE FIGURE [THROUGH_CLIENT] [NOTES]
row() {
  printf '%s\t%s\t%s\t%s\n' "$1" "$2" "${3:-}" "${4:-}" >> "$rows"
  log "$1: $2${3:+ (client: $3)}${4:+ ($4)}"
}
print_table() {
  echo
  echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1); server -Xmx$heap, durability fsync"
  echo "bank: $accounts accounts ($(manifest loans) loans), $(manifest users) customers, $transactions" \
    "transactions, snapshot at tx $snapshot_seq; generated in $(manifest seconds) s"
  echo
  echo "| measure | figure | through scripts/client | notes |"
  echo "|---|---:|---:|---|"
  awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$rows"
  if [ -s "$work/started.histogram" ]; then
    echo
    echo "The largest classes on the heap after start-up (jcmd GC.class_histogram: instances, bytes):"
    awk 'NF >= 4 && $1 ~ /^[0-9]+:$/ && n++ < 12 { printf "  %12s %14s  %s\n", $2, $3, $4 }' "$work/started.histogram"
  fi
}

# ---------------------------------------------------------------- servers
# start_server DATA OUT: starts a server on DATA with the heap, its files in OUT/; sets server_pid, server_port,
# launched_us and listening_ms (launch to the port file). Fails if it does not listen within the start limit.
start_server() {
  local data="$1" out="$2" waited=0
  mkdir -p "$out"
  server_out="$out"
  launched_us=$(now_us)
  BANK_SERVER_JAVA_OPTS="-Xmx$heap -XX:+ExitOnOutOfMemoryError" "$root/scripts/bank-server" --port 0 \
    --bind 127.0.0.1 --port-file "$out/port" --data "$data" --pbkdf2-iterations "$PBKDF2_ITERATIONS" \
    > "$out/server.out" 2> "$out/server.log" &
  server_pid=$! # scripts/bank-server execs java: this is the JVM's PID, for jcmd
  pids+=("$server_pid")
  until [ -s "$out/port" ]; do
    alive || return 1
    if [ "$waited" -ge $((start_limit * 100)) ]; then
      log "the server did not listen within $start_limit s"
      return 1
    fi
    sleep 0.01 # polling the file the server writes once listening
    waited=$((waited + 1))
  done
  listening_ms=$((($(now_us) - launched_us) / 1000))
  server_port=$(cat "$out/port")
}

alive() { kill -0 "$server_pid" 2>/dev/null; }

# died WHEN: reports a dead server with the tail of its log, prints the table so far, and exits 1.
died() {
  local why="pid $server_pid"
  if grep -q OutOfMemoryError "$server_out/server.out" "$server_out/server.log" 2>/dev/null; then
    why="$why, OutOfMemoryError with -Xmx$heap"
  fi
  row "SERVER DIED" "$1" "" "$why"
  echo "--- the last lines of the server's log ($server_out) ---" >&2
  tail -n 20 "$server_out/server.log" >&2
  tail -n 5 "$server_out/server.out" >&2
  print_table
  exit 1
}

# live_heap NAME: the bytes of live objects after a full GC (GC.class_histogram collects first; its Total line).
# The histogram is kept in $work/NAME.histogram for the table's footnote.
live_heap() {
  timeout 300 jcmd "$server_pid" GC.class_histogram > "$work/$1.histogram" 2> /dev/null || true
  awk '$1 == "Total" { print $3 }' "$work/$1.histogram"
}

mib() { awk -v b="$1" 'BEGIN { printf "%.1f MiB", b / 1048576 }'; }

# ---------------------------------------------------------------- the wire, from bash
# One connection per user, in the protocol's own terms (docs/protocol.md: a JSON object per line), so that a
# view's figure is its round trip alone: no client JVM start, no login. Every read is bounded.
declare -A conn=()
reply=""
# ask USER JSON: sends one request on USER's connection and reads its reply into $reply; sets ask_us. Fails if
# there is no reply within CLIENT_LIMIT_S or it is not "ok":true.
ask() {
  local fd="${conn[$1]}" started
  started=$(now_us)
  printf '%s\n' "$2" >&"$fd" || return 1
  IFS= read -r -t "$CLIENT_LIMIT_S" reply <&"$fd" || return 1
  ask_us=$(($(now_us) - started))
  [[ "$reply" == *'"ok":true'* ]]
}
# scram_start USER PASSWORD_FILE: starts the SCRAM-SHA-256 half of USER's login (scripts/ScramLogin.java, compiled
# once into $work) as a coprocess; connect_as uses it. Started before it is needed where a timing must not include
# a JVM's start (the first login after launch).
scram_start() {
  if [ ! -f "$work/scram/ScramLogin.class" ]; then
    mkdir -p "$work/scram"
    javac -nowarn -cp "$CLIENT_JAR" -d "$work/scram" "$root/scripts/ScramLogin.java" || return 1
  fi
  coproc SCRAM { java -cp "$work/scram:$CLIENT_JAR" ScramLogin "$1" "$2"; }
}
# connect_as USER PASSWORD_FILE: opens USER's connection and logs in with SCRAM-SHA-256 (the password stays in
# ScramLogin; bash carries its two messages and the server's two replies).
connect_as() {
  local fd line
  [ -n "${SCRAM_PID:-}" ] || scram_start "$1" "$2" || return 1
  exec {fd}<>"/dev/tcp/127.0.0.1/$server_port" || return 1
  conn[$1]=$fd
  IFS= read -r -t "$CLIENT_LIMIT_S" line <&"${SCRAM[0]}" || return 1
  ask "$1" "$line" || return 1
  printf '%s\n' "$reply" >&"${SCRAM[1]}"
  IFS= read -r -t "$CLIENT_LIMIT_S" line <&"${SCRAM[0]}" || return 1
  ask "$1" "$line" || return 1
  printf '%s\n' "$reply" >&"${SCRAM[1]}"
  wait "$SCRAM_PID" || return 1
  SCRAM_PID=""
}
ms() { awk -v us="$1" 'BEGIN { printf (us < 10000 ? "%.2f ms" : "%.0f ms"), us / 1000 }'; }

# view NAME USER PASSWORD_FILE JSON CLIENT_ARGS...: times one request over USER's connection, then the same
# view through scripts/client (its JVM start and login included).
view() {
  local name="$1" user="$2" password="$3" json="$4" wire note started status=0 client_ms entries
  shift 4
  note="$json"
  if ask "$user" "$json"; then
    wire="$(ms "$ask_us")"
    entries=$({ grep -o '"tx":' <<< "$reply" || true; } | wc -l)
    [ "$entries" -gt 0 ] && note="$note: $entries entries"
  else
    alive || died "during: $json"
    wire="failed"
    note="$note: $(cut -c1-160 <<< "${reply:-no reply}")"
  fi
  started=$(now_us)
  timeout "$CLIENT_LIMIT_S" "$root/scripts/client" --host 127.0.0.1 --port "$server_port" \
    --password-file "$password" "$user" "$@" > "$work/out.txt" 2> "$work/err.txt" || status=$?
  client_ms=$((($(now_us) - started) / 1000))
  alive || died "during: client $user $*"
  if [ "$status" = 0 ]; then
    row "$name" "$wire" "$client_ms ms" "$note"
  else
    row "$name" "$wire" "failed ($status) after $client_ms ms" "$note; client: $(tail -n 1 "$work/err.txt")"
  fi
}

# ---------------------------------------------------------------- 2. start-up
log "an empty server first, for the heap that a bank without accounts takes"
start_server "$work/empty-data" "$work/empty" || died "before listening (the empty bank)"
empty_heap=$(live_heap empty)
stop_pid "$server_pid" 30

log "starting the server on $dir with -Xmx$heap"
scram_start "$user1" "$password_file" || died "could not start the SCRAM helper (scripts/ScramLogin.java)"
start_server "$dir" "$work/big" || died "before listening"
connect_as "$user1" "$password_file" || died "at the first login (reply: $reply)"
first_login_ms=$((($(now_us) - launched_us) / 1000))
row "start-up: launch to listening" "$listening_ms ms" "" "JVM start, users, snapshot, the journal's tail"
row "start-up: launch to first login answered" "$first_login_ms ms" "" "over a connection opened at once"
snapshot_line=$(grep -o 'snapshot: .* loaded in [0-9]* ms' "$work/big/server.log" | head -n 1 || true)
[ -n "$snapshot_line" ] && row "start-up: snapshot load (server log)" "${snapshot_line##* in }" "" "$snapshot_line"
replay_line=$(grep -o 'journal: replayed .*' "$work/big/server.log" | head -n 1 || true)
[ -n "$replay_line" ] && row "start-up: journal tail (server log)" "${replay_line##* in }" "" "$replay_line"

# ---------------------------------------------------------------- 3. heap
big_heap=$(live_heap started)
alive || died "during the heap histogram"
if [ -z "$big_heap" ] || [ -z "$empty_heap" ]; then
  row "live heap after a full GC" "unknown" "" "jcmd GC.class_histogram gave no Total line"
else
  bank_bytes=$((big_heap - empty_heap))
  row "live heap after a full GC" "$(mib "$big_heap")" "" "$big_heap bytes (jcmd GC.class_histogram); -Xmx$heap"
  row "live heap of an empty server" "$(mib "$empty_heap")" "" "$empty_heap bytes, started the same way"
  row "heap per account" "$((bank_bytes / accounts)) B" "" "(live - empty) / $accounts accounts"
  row "heap per transaction" "$((bank_bytes / transactions)) B" "" \
    "(live - empty) / $transactions transactions: the same bytes, divided by each"
fi

# ---------------------------------------------------------------- 4. views and verify
connect_as "$user2" "$password_file" || died "at the login of $user2 (reply: $reply)"
connect_as Audit "$audit_password_file" || died "at the auditor's login (reply: $reply)"
view "balance" "$user1" "$password_file" "{\"op\":\"balance\",\"account\":\"$account1\"}" balance "$account1"
view "history, first page" "$user1" "$password_file" \
  "{\"op\":\"history\",\"account\":\"$account1\",\"limit\":20}" history "$account1" --limit 20
view "history, first page (another customer)" "$user2" "$password_file" \
  "{\"op\":\"history\",\"account\":\"$account2\",\"limit\":20}" history "$account2" --limit 20
view "history, after the snapshot" "$user1" "$password_file" \
  "{\"op\":\"history\",\"account\":\"$account1\",\"after\":$snapshot_seq,\"limit\":20}" \
  history "$account1" --after "$snapshot_seq" --limit 20
view "show_history, first page" Audit "$audit_password_file" "{\"op\":\"show_history\",\"limit\":100}" \
  show_history --limit 100
middle=$((transactions / 2))
view "show_history, middle page, one account" Audit "$audit_password_file" \
  "{\"op\":\"show_history\",\"after\":$middle,\"account\":\"$account1\",\"limit\":20}" \
  show_history --after "$middle" --account "$account1" --limit 20
view "report" Audit "$audit_password_file" '{"op":"report"}' report
view "verify" Audit "$audit_password_file" '{"op":"verify"}' verify
verify_ms=$({ grep -o '"millis":[0-9]*' <<< "$reply" || true; } | head -n 1 | cut -d: -f2)
# The envelope's "ok" comes first, then the result's: whether the books verified.
verified=$({ grep -o '"ok":[a-z]*' <<< "$reply" || true; } | sed -n 2p | cut -d: -f2)
[ -n "$verify_ms" ] && row "verify, the server's own figure" "$verify_ms ms" "" \
  "books verified: ${verified:-?} (the reply over the connection)"
after_heap=$(live_heap after-views)
alive || died "during the heap histogram"
[ -n "$after_heap" ] && row "live heap after the views" "$(mib "$after_heap")" "" "$after_heap bytes"

for fd in "${conn[@]}"; do
  exec {fd}>&-
done
stop_pid "$server_pid" 30
print_table
