#!/usr/bin/env bash
# The JMH benchmarks of the ledger core: scripts/jmh.sh [JMH ARGS...]
#
# Compiles bank-core's tests through the Maven Wrapper (never `install`), writes their test classpath to
# bank-core/target/jmh.classpath, and runs org.openjdk.jmh.Main with short defaults: 1 fork, 2 warm-up and 3
# measured iterations of 2 s each, a full GC between iterations (-gc true: each iteration's new ledger should not
# pay for collecting the last one's), about 12 s per benchmark and parameter set (all of LedgerTransferBenchmark
# takes about 2.5 minutes). Any JMH argument overrides them, for example:
#   scripts/jmh.sh LedgerTransferBenchmark -p journal=none      only the journal-less variant
#   scripts/jmh.sh -wi 5 -i 10 -r 2s                            longer, steadier figures
#   scripts/jmh.sh -l                                           list the benchmarks
#   scripts/jmh.sh -h                                           JMH's own help
# Prints JMH's table at the end. Run it on a quiet machine: the figures are only as steady as the cores.
# JMH_MVN_FLAGS (e.g. -o) is passed to Maven.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
cd "$root"

# shellcheck disable=SC2086 # a list of flags: word splitting wanted
./mvnw -q -B ${JMH_MVN_FLAGS:-} test-compile dependency:build-classpath -pl bank-core \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/jmh.classpath >&2
if [ ! -s bank-core/target/test-classes/META-INF/BenchmarkList ]; then
  echo "jmh.sh: no benchmarks were generated (bank-core/target/test-classes/META-INF/BenchmarkList)" >&2
  exit 1
fi
cp="bank-core/target/test-classes:bank-core/target/classes:$(cat bank-core/target/jmh.classpath)"

java="java"
if [ -n "${JAVA_HOME:-}" ]; then
  java="$JAVA_HOME/bin/java"
fi
echo "machine: $(nproc) cores, $("$java" -version 2>&1 | head -n 1)"
# JMH refuses an option given twice, so a default goes in only if the user's arguments lack that option.
defaults=()
for pair in f:1 wi:2 i:3 w:2s r:2s gc:true; do
  option="${pair%%:*}"
  given=0
  for arg in "$@"; do
    # -f 3 or -f3, but not -foe (another option) nor -wi for -w
    if [[ "$arg" =~ ^-${option}([0-9].*)?$ ]]; then
      given=1
    fi
  done
  [ "$given" = 1 ] || defaults+=("-$option" "${pair#*:}")
done
exec "$java" -cp "$cp" org.openjdk.jmh.Main "${defaults[@]}" "$@"
