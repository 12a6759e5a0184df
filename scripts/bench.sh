#!/usr/bin/env bash
# ABC Bank benchmarks. Each prints its figures; see docs/performance.md for what they mean and the last results.
#
#   scripts/bench.sh durability [SECONDS_PER_CELL]   durable transfer throughput, p50/p99 latency and fsyncs per
#                                                    second with 1, 16 and 64 connections, per durability mode
#                                                    (default 5 s per cell; about a minute in all)
#   scripts/bench.sh recovery [TRANSACTIONS]         start-up time replaying a journal of that many transactions
#                                                    (default 1,000,000) versus starting from a snapshot
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
cd "$root"
case "${1:-}" in
  durability) main=com.abcbank.server.bench.DurabilityBenchmark ;;
  recovery) main=com.abcbank.server.bench.RecoveryBenchmark ;;
  *) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
shift
# Through the reactor, never `install`: bank-core comes from its own target/classes.
./mvnw -q -B test-compile dependency:build-classpath -pl bank-server -am -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >&2
cp="bank-server/target/test-classes:bank-server/target/classes:$(cat bank-server/target/bench.classpath)"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1), $(df -hT "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2}') temp filesystem"
BANK_LOG_LEVEL=WARN exec java -cp "$cp" "$main" "$@"
