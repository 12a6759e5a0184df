#!/usr/bin/env bash
# A wide Lincheck search over the ledger: random scenarios of deposits, withdrawals, transfers, loans, loan
# payments, balances and audits near the edges (see LedgerLinearizabilityTest), on top of the fixed scenarios
# that every build runs. Takes minutes; the build's fixed scenarios take seconds.
#
#   scripts/lincheck.sh [ITERATIONS] [INVOCATIONS]   random scenarios per test (default 30) and interleavings
#                                                    explored per scenario (default 2000)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
cd "$root"
iterations="${1:-30}"
invocations="${2:-2000}"
exec ./mvnw -B -q verify -pl bank-core -Dtest=LedgerLinearizabilityTest -Dsurefire.failIfNoSpecifiedTests=false \
  -DargLine="-Dlincheck.iterations=$iterations -Dlincheck.invocations=$invocations"
