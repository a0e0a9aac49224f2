#!/usr/bin/env bash
# ocxd benchmark (issue: foundation numbers). Prints figures; never fails a test run.
# Usage: e2e/bench/api.sh   (OCX_BIN defaults to ./build)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
OCX_BIN=${OCX_BIN:-$root/build}
tmp=$(mktemp -d /tmp/ocx-bench.XXXXXX)
trap 'for d in "$tmp"/up*; do "$OCX_BIN/ocx" cluster down --clean --base-dir "$d" >/dev/null 2>&1; done; rm -rf "$tmp"' EXIT
cc -O2 -o "$tmp/api-bench" "$root/e2e/bench/api-bench.c" -lcurl -lpthread || exit 1
export KUBECONFIG=$tmp/kubeconfig
port=$((30000 + RANDOM % 20000))

echo "== cluster up to ready (5 fresh base dirs)"
for i in 1 2 3 4 5; do
        t0=$(date +%s.%N)
        "$OCX_BIN/ocx" cluster up --base-dir "$tmp/up$i" --listen 127.0.0.1:$((port + i)) >/dev/null || exit 1
        t1=$(date +%s.%N)
        awk -v a="$t0" -v b="$t1" 'BEGIN { printf "cluster up: %.3f s\n", b - a }'
        [ "$i" -lt 5 ] && "$OCX_BIN/ocx" cluster down --clean --base-dir "$tmp/up$i" >/dev/null
done
B=$tmp/up5
pid=$(cat "$B/run/ocxd.pid")
sleep 1
echo "== idle with the default objects"
grep VmRSS "/proc/$pid/status"
args=("https://127.0.0.1:$((port + 5))" "$B/pki/ca.crt" "$B/pki/admin.crt" "$B/pki/admin.key" "$pid")
echo "== single-object create/get at 50 concurrent clients"
"$tmp/api-bench" "${args[@]}" latency
echo "== list"
"$tmp/api-bench" "${args[@]}" list
echo "== 1000 idle watchers"
"$tmp/api-bench" "${args[@]}" watchers 1000
echo "== 100 000 small objects"
"$tmp/api-bench" "${args[@]}" objects "${OBJECTS:-100000}"
