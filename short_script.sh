#!/usr/bin/env bash
# A short exercise of ABC Bank: builds if needed, starts a server on a free port with a temporary data
# directory, opens a handful of accounts, runs a few dozen client commands at once, prints the Audit
# holders and history tables, checks the books, and stops the server (also on failure or Ctrl-C).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/scripts/lib.sh"

bank_build
bank_start

echo
echo "== opening accounts (each customer registers on first use; passwords go to a temporary credentials file)"
client Alice create_account 1001 500
client Alice create_account 1002 100
client Bob create_account 2001 300
client Carol create_account 3001 1000
client Carol apply_loan 3001 2000

echo
echo "== 36 client commands at once: opposite transfers, deposits, withdrawals, overdraft attempts, loan payments"
pids=()
for i in 1 2 3 4 5 6; do
  client Alice transfer 1001 2001 12.50 & pids+=($!)
  client Bob transfer 2001 1001 7.25 & pids+=($!)
  client Carol deposit 3001 40 & pids+=($!)
  client Alice withdraw 1002 30 & pids+=($!)   # 100.00 allows three; the rest are refused
  client Carol pay_loan_transfer 3001 L100001 50 & pids+=($!)
  client Bob balance 2001 & pids+=($!)
done
ok=0
refused=0
for pid in "${pids[@]}"; do
  if wait "$pid"; then
    ok=$((ok + 1))
  else
    status=$?
    if [ "$status" -eq 3 ]; then
      refused=$((refused + 1))   # a refusal by the bank (insufficient funds): expected, changed nothing
    else
      echo "a client command failed with exit code $status" >&2
      exit 1
    fi
  fi
done
echo "== $ok commands succeeded, $refused were refused by the bank"

echo
echo "== Audit: account holders"
audit show_accountholders
echo
echo "== Audit: history"
audit show_history --limit 1000
echo
echo "== Audit: report"
audit report
echo
books_check
audit verify
