#!/usr/bin/env bash
# The full ABC Bank exercise. Builds if needed, starts a server on a free port with a temporary data
# directory, opens a demo bank (25 customers, 50 checking accounts, 10 loans), then runs 8 concurrent
# clients doing 10,400 operations in batch mode (opposite transfers between customers, deposits,
# withdrawals with overdraft attempts, loan payments, balance reads). Then it proves from the Audit view
# that the whole bank sums to 0 and that every account's balance equals a recount from show_history, has
# the server verify its journal, prints the throughput, and exits non-zero if anything is off. The server
# is stopped on any exit.
#
# Usage: ./run_bank.sh [--http-port PORT] [--console] [SEED]     (the same seed generates the same workload)
#   --http-port PORT   also serve the web console, /health and /metrics over HTTP on PORT (0: a free one); prints
#                      their URLs at the start and, with curl, a few lines of /metrics at the end
#   --console          watch it in a browser: serves the console (on --http-port, 8080 by default), says how to
#                      sign in, waits (up to 10 minutes) for a browser to open its Live tab before the load starts,
#                      and keeps the server up after the checks until Ctrl-C
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/lib.sh"

SEED=42
CONSOLE=""
USAGE="usage: ./run_bank.sh [--http-port PORT] [--console] [SEED]"
while [ "$#" -gt 0 ]; do
  case "$1" in
    --console)
      CONSOLE=yes
      shift ;;
    --http-port)
      if [ "$#" -lt 2 ] || ! [[ "$2" =~ ^[0-9]+$ ]]; then
        echo "$USAGE: --http-port needs a port number (0: a free one)" >&2
        exit 2
      fi
      BANK_HTTP_PORT=$2
      shift 2 ;;
    --http-port=*)
      BANK_HTTP_PORT=${1#--http-port=}
      [[ "$BANK_HTTP_PORT" =~ ^[0-9]+$ ]] \
        || { echo "$USAGE: --http-port needs a port number" >&2; exit 2; }
      shift ;;
    -*)
      echo "$USAGE: unknown option $1" >&2
      exit 2 ;;
    *)
      SEED=$1
      shift ;;
  esac
done
CUSTOMERS=(Alice Bob Carol Dave Erin Frank Grace Heidi Ivan Judy Ken Laura Mallory Niaj Olivia Peggy
           Quentin Rupert Sybil Trent Uma Victor Walter Xena Yusuf)
CLIENTS=8
OPS_PER_CLIENT=1300

[ -n "$CONSOLE" ] && BANK_HTTP_PORT=${BANK_HTTP_PORT:-8080}
bank_build
bank_start
[ -n "$CONSOLE" ] && console_wait_for_browser

work="$BANK_TMP/work"
mkdir -p "$work"

echo
echo "== opening the demo bank: ${#CUSTOMERS[@]} customers, $(( ${#CUSTOMERS[@]} * 2 )) checking accounts, 10 loans"
# Customer c holds accounts 1c01 and 1c02 (c = 10..34); the first ten also take a loan.
for c in "${!CUSTOMERS[@]}"; do
  n=$((c + 10))
  {
    echo "create_account 1${n}01 $(( 1000 + c * 37 ))"
    echo "create_account 1${n}02 $(( 200 + c * 11 )).50"
    [ "$c" -lt 10 ] && echo "apply_loan 1${n}01 $(( 2000 + c * 100 ))"
    echo "balance 1${n}01"
  } > "$work/setup-$c.txt"
done
pids=()
for c in "${!CUSTOMERS[@]}"; do
  client "${CUSTOMERS[$c]}" batch "$work/setup-$c.txt" > "$work/setup-$c.out" 2>&1 & pids+=($!)
  if [ "${#pids[@]}" -ge 4 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
for pid in "${pids[@]}"; do wait "$pid"; done
for c in $(seq 0 9); do
  grep -o 'L1[0-9]\{5\}' "$work/setup-$c.out" | head -n 1 > "$work/loan-$c" \
    || { echo "no loan number for ${CUSTOMERS[$c]}:" >&2; cat "$work/setup-$c.out" >&2; exit 1; }
done
report=$(audit report)
echo "${report%%$'\n'*}"   # its first line: the books' sum, transactions, customers

echo
echo "== load: $CLIENTS concurrent clients x $OPS_PER_CLIENT operations, seed $SEED"
# Client i is customer i. It transfers to its neighbours i-1 and i+1, who transfer back: opposite
# transfers on the same pairs of accounts, from different connections, at the same time.
for i in $(seq 0 $((CLIENTS - 1))); do
  RANDOM=$((SEED * 100 + i))
  n=$((i + 10))
  up=$(( (i + 1) % CLIENTS + 10 ))
  down=$(( (i + CLIENTS - 1) % CLIENTS + 10 ))
  loan=$(cat "$work/loan-$i")
  for _ in $(seq "$OPS_PER_CLIENT"); do
    cents=$(( RANDOM % 900 + 1 ))
    amount="$((cents / 100)).$(printf '%02d' $((cents % 100)))"
    case $(( RANDOM % 10 )) in
      0|1) echo "transfer 1${n}01 1${up}01 $amount" ;;
      2|3) echo "transfer 1${n}01 1${down}02 $amount" ;;
      4)   echo "transfer 1${n}02 1${n}01 $amount" ;;
      5)   echo "deposit 1${n}02 $amount" ;;
      6)   echo "withdraw 1${n}01 $amount" ;;
      7)   echo "withdraw 1${n}02 $(( RANDOM % 3000 + 500 ))" ;;   # often more than it holds: refused
      8)   echo "pay_loan_transfer 1${n}01 $loan $amount" ;;
      9)   echo "balance 1${n}01" ;;
    esac
  done > "$work/load-$i.txt"
done
total=$((CLIENTS * OPS_PER_CLIENT))
start_ns=$(date +%s%N)
pids=()
for i in $(seq 0 $((CLIENTS - 1))); do
  client "${CUSTOMERS[$i]}" batch "$work/load-$i.txt" > "$work/load-$i.out" 2> "$work/load-$i.err" & pids+=($!)
done
for i in "${!pids[@]}"; do
  status=0
  wait "${pids[$i]}" || status=$?
  # 0: every operation succeeded; 3: some were refused by the bank (overdrafts, overpaid loans): expected.
  if [ "$status" -ne 0 ] && [ "$status" -ne 3 ]; then
    echo "client $i failed with exit code $status:" >&2
    tail -n 5 "$work/load-$i.err" >&2
    exit 1
  fi
done
end_ns=$(date +%s%N)
elapsed_ms=$(( (end_ns - start_ns) / 1000000 ))
cat "$work"/load-*.err | grep '^batch:' || true
ok=$(cat "$work"/load-*.err | awk '/^batch:/ { s += $2 } END { print s + 0 }')
refused=$(cat "$work"/load-*.err | awk '/^batch:/ { s += $4 } END { print s + 0 }')
if [ "$((ok + refused))" -ne "$total" ]; then
  echo "expected $total answered operations, counted $ok ok + $refused refused" >&2
  exit 1
fi

echo
echo "== Audit: report"
audit report
echo
echo "== Audit: account holders (first 12 lines)"
audit show_accountholders | head -n 12
echo
books_check
echo
echo "== Audit: verify (the server re-reads its journal and recounts every balance)"
audit verify
echo
echo "throughput: $total operations ($ok ok, $refused refused by the bank) from $CLIENTS concurrent clients" \
     "in $elapsed_ms ms = $(( total * 1000 / (elapsed_ms > 0 ? elapsed_ms : 1) )) operations/s" \
     "(including client JVM start-up)"
if [ -n "${BANK_HTTP_PORT:-}" ]; then
  echo
  echo "== /metrics (a few lines of $BANK_HTTP_URL/metrics)"
  bank_metrics_summary
fi
if [ -n "$CONSOLE" ]; then
  echo
  echo "== the console stays up at $BANK_HTTP_URL/ (try Run in parallel and the Laboratory); Ctrl-C stops the server"
  wait "$BANK_SERVER_PID" || true
fi
