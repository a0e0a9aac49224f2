#!/usr/bin/env bash
# Runs the unit tests (cmocka, TAP output), the fuzz corpus replays and the
# e2e suite (TAP shell scripts), then prints one line: "N passed, N failed".
# Usage: tools/test.sh [unit|e2e|fuzz]...   (default: all three)
set -u
BUILD=${BUILD:-$(pwd)/build}
root=$(cd "$(dirname "$0")/.." && pwd)
what=("$@"); [ ${#what[@]} -eq 0 ] && what=(unit fuzz e2e)
pass=0; fail=0
logdir=$(mktemp -d /tmp/ocx-test-log.XXXXXX)

# count TAP lines of one test program's output; a crash without "not ok" is a failure
tally() { # name output-file exit-code
  local p f
  p=$(grep -c '^ok ' "$2"); f=$(grep -c '^not ok ' "$2")
  if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $1 exited with status $3"; fi
  if [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then f=1; echo "not ok - $1 reported no tests"; fi
  pass=$((pass + p)); fail=$((fail + f))
  grep '^not ok ' "$2" | sed "s|^|  $1: |"
}

run_unit() {
  local t out rc
  for t in $(find "$BUILD" -path '*/tests/test-*' -type f -perm -u+x | sort); do
    out="$logdir/$(basename "$t").log"
    (cd "$root" && CMOCKA_MESSAGE_OUTPUT=TAP timeout 300 "$t") >"$out" 2>&1; rc=$?
    echo "# unit $(basename "$t"): $(grep -c '^ok ' "$out") ok, $(grep -c '^not ok ' "$out") not ok"
    tally "$(basename "$t")" "$out" $rc
  done
}

run_fuzz() {
  local f name corpus out rc
  for f in $(find "$BUILD" -path '*/fuzz/fuzz-*' -type f -perm -u+x | sort); do
    name=$(basename "$f"); corpus=$(dirname "$(echo "$f" | sed "s|^$BUILD/||")")/corpus/${name#fuzz-}
    out="$logdir/$name.log"
    (cd "$root" && timeout 300 "$f" "$corpus") >"$out" 2>&1; rc=$?
    echo "# fuzz replay $name: $(grep -c '^ok ' "$out") inputs"
    tally "$name" "$out" $rc
  done
}

run_e2e() {
  local t out rc
  for t in "$root"/e2e/t[0-9]*.sh; do
    [ -f "$t" ] || continue
    out="$logdir/$(basename "$t").log"
    (cd "$root" && OCX_BIN="$BUILD" timeout 600 bash "$t") >"$out" 2>&1; rc=$?
    echo "# e2e $(basename "$t"): $(grep -c '^ok ' "$out") ok, $(grep -c '^not ok ' "$out") not ok"
    tally "$(basename "$t")" "$out" $rc
    [ $rc -ne 0 ] && grep -v '^ok ' "$out" | tail -15 | sed 's/^/    | /'
  done
}

for w in "${what[@]}"; do "run_$w"; done
echo "logs: $logdir"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
