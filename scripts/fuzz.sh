#!/usr/bin/env bash
# Coverage-guided fuzzing with Jazzer, for real: scripts/fuzz.sh [--minutes N] [--save-corpus] [TARGET...]
#
# TARGET: parser (bank-core RequestParserFuzzTest#parse: any bytes as a request line) or dispatcher (bank-server
# DispatcherFuzzTest#dispatch: request lines against a small real ledger); default both, one after the other.
# Each runs for N minutes (default 1) with JAZZER_FUZZ=1, in its own JVM (Jazzer fuzzes one test per run), and
# gives up on any one input after 10 s (libFuzzer's -timeout: a hang is a finding).
#
# Where things go:
#   findings  crash-*/timeout-* files in src/test/resources/<package>/<Class>Inputs/<method>/ (Jazzer puts them
#             there): from then on they run in every ./mvnw verify as regression tests, and fail until fixed.
#             Rename one to say what it is, fix the bug, and commit both.
#   corpus    <module>/.cifuzz-corpus/<Class>/<method>/ (git-ignored): the inputs that reached new code, kept
#             between runs so that the next run starts where this one ended. --save-corpus also copies this run's
#             new corpus inputs into the Inputs directory, to commit as seeds (each then runs in every verify:
#             keep a few that matter, not hundreds).
# Prints a table: target, minutes, runs, coverage, corpus size, new corpus inputs, findings. Exit 1 if there is a
# finding, 2 on a usage error. The logs stay in target/fuzz/. Needs the network once, for Jazzer's jars.
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd -P)"
minutes=1
save_corpus=0
targets=()

usage() {
  sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2
  [ -n "${1:-}" ] && echo "fuzz.sh: $1" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case "$1" in
    --minutes) [[ "${2:-}" =~ ^[1-9][0-9]*$ ]] || usage "--minutes takes a whole number of minutes"; minutes="$2"; shift 2 ;;
    --save-corpus) save_corpus=1; shift ;;
    -h|--help) usage ;;
    parser|dispatcher) targets+=("$1"); shift ;;
    *) usage "unknown argument '$1'" ;;
  esac
done
[ ${#targets[@]} -eq 0 ] && targets=(parser dispatcher)

# target NAME: sets module, modules (the reactor to build), class, method, package_path, instrument.
target() {
  case "$1" in
    # instrument: whose branches steer the fuzzer. Jazzer's default is the classes of the test's own directories;
    # the parser target adds Jackson's, whose parser is where a strange line goes first.
    parser) module=bank-core modules=bank-core class=RequestParserFuzzTest method=parse package_path=com/abcbank/protocol
      instrument='com.abcbank.**:com.fasterxml.jackson.**' ;;
    dispatcher) module=bank-server modules=bank-core,bank-server class=DispatcherFuzzTest method=dispatch
      package_path=com/abcbank/server instrument='com.abcbank.**' ;;
  esac
}

logs="$root/target/fuzz"
mkdir -p "$logs"
rows=()
found=0
for name in "${targets[@]}"; do
  target "$name"
  inputs="$root/$module/src/test/resources/$package_path/${class}Inputs/$method"
  fqcn="${package_path//\//.}.$class"
  corpus="$root/$module/.cifuzz-corpus/$fqcn/$method"
  mkdir -p "$inputs" "$corpus"
  inputs_before=$(ls "$inputs")
  corpus_before="$logs/$name.corpus-before"
  ls "$corpus" > "$corpus_before"
  log="$logs/$name.log"
  echo "fuzz: $name ($class#$method) for $minutes min; log: $log" >&2
  status=0
  # jazzer.internal.arg.N are libFuzzer's arguments (0 is its argv[0]); they come after the @FuzzTest's
  # maxDuration, so -max_total_time here wins.
  (cd "$root" && JAZZER_FUZZ=1 ./mvnw -B test -pl "$modules" -Dtest="$class#$method" \
    -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.instrumentation_includes="$instrument" \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time=$((minutes * 60)) \
    -Djazzer.internal.arg.2=-timeout=10) > "$log" 2>&1 || status=$?

  # libFuzzer's last status line: "#27606 REDUCE cov: 1234 ft: 2345 corp: 120/5Kb ..."
  last=$(grep -E '^#[0-9]+' "$log" | tail -n 1 || true)
  runs=$(sed -n 's/^Done \([0-9]*\) runs.*/\1/p' "$log" | tail -n 1)
  [ -z "$runs" ] && runs=$(sed -E -n 's/^#([0-9]+).*/\1/p' <<< "$last")
  cov=$(grep -o 'cov: [0-9]*' <<< "$last" | cut -d' ' -f2 || true)
  corp=$(grep -o 'corp: [^ ]*' <<< "$last" | cut -d' ' -f2 || true)
  new_corpus=$(comm -13 <(sort "$corpus_before") <(ls "$corpus" | sort))
  new_corpus_count=$(grep -c . <<< "$new_corpus" || true)
  if [ "$save_corpus" = 1 ] && [ "$new_corpus_count" -gt 0 ]; then
    while read -r file; do cp "$corpus/$file" "$inputs/corpus-$file"; done <<< "$new_corpus"
  fi
  findings=$(comm -13 <(sort <<< "$inputs_before") <(ls "$inputs" | sort) | grep -E '^(crash|timeout|leak|oom|slow-unit)-' || true)
  finding_count=$(grep -c . <<< "$findings" || true)
  if [ "$finding_count" -gt 0 ]; then
    found=1
    echo "fuzz: $name found $finding_count input(s) that fail, now in $inputs:" >&2
    while read -r file; do
      echo "  $file: $(head -c 300 "$inputs/$file" | cat -v)" >&2
    done <<< "$findings"
    grep -m 3 -E 'FuzzTestFindingException|AssertionFailedError|AssertionError|Exception:' "$log" | cut -c1-400 >&2 || true
  elif [ "$status" -ne 0 ]; then
    found=1
    echo "fuzz: $name failed (exit $status) without a saved input; the log's tail:" >&2
    grep -v 'merged dictionary' "$log" | tail -n 30 >&2
  fi
  rows+=("| $name | $minutes | ${runs:-?} | ${cov:-?} | ${corp:-?} | $new_corpus_count | $finding_count |")
done

echo
echo "| target | minutes | runs | coverage (edges) | corpus (inputs/bytes) | new corpus inputs | findings |"
echo "|---|---:|---:|---:|---:|---:|---:|"
printf '%s\n' "${rows[@]}"
if [ "$found" = 1 ]; then
  echo
  echo "Findings are in the Inputs directories above; they now fail ./mvnw verify until fixed."
  [ "$save_corpus" = 1 ] && echo "New corpus inputs were copied there too, as corpus-*."
  exit 1
fi
[ "$save_corpus" = 1 ] && echo "New corpus inputs were copied into the Inputs directories as corpus-*: commit the few worth keeping."
exit 0
