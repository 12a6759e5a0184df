#!/usr/bin/env bash
# Durable transfer throughput and p50/p99 latency with 1, 16 and 64 connections, and journal forces per second,
# for each durability mode (fsync, batch, none). Server and clients run in one JVM on 127.0.0.1; each client sends
# keyed transfers in a closed loop. Usage: scripts/bench-durability.sh [SECONDS_PER_CELL]   (default 5)
set -euo pipefail
root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
cd "$root"
./mvnw -q -B -DskipTests install -pl bank-core,bank-server -am >&2
./mvnw -q -B -pl bank-server dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench.classpath >&2
cp="bank-server/target/test-classes:bank-server/target/classes:$(cat bank-server/target/bench.classpath)"
echo "machine: $(nproc) cores, $(java -version 2>&1 | head -n 1), $(df -hT "${TMPDIR:-/tmp}" | awk 'NR==2 {print $2}') temp filesystem"
BANK_LOG_LEVEL=WARN exec java -cp "$cp" com.abcbank.server.bench.DurabilityBenchmark "${1:-5}"
