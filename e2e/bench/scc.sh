#!/usr/bin/env bash
# SCC admission benchmark: engine decisions per second on one core (the 13
# default SCCs, a typical pod) and p99 of pod create through the whole API
# with SCC admission (50 clients; pods bound to a node that does not exist,
# so nothing runs). Prints figures; never fails a test run.
# Usage: e2e/bench/scc.sh [DECISIONS] [CLIENTS] [PODS_PER_CLIENT]   (needs `make` first)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$root/build}
OCX_BIN=${OCX_BIN:-$BUILD}
tmp=$(mktemp -d /tmp/ocx-bench-scc.XXXXXX)
trap '"$OCX_BIN/ocx" cluster down --clean --base-dir "$tmp/base" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
[ -f "$BUILD/libscc.a" ] && [ -f "$BUILD/libocx.a" ] || { echo "build first (make)"; exit 1; }
cc -O2 -std=gnu17 -D_GNU_SOURCE -I"$root/scc/include" -I"$root/lib/include" -o "$tmp/scc-admission" \
        "$root/e2e/bench/scc-admission.c" "$BUILD/libscc.a" "$BUILD/libocx.a" -lcjson -lcurl -lpthread || exit 1
echo "== SCC admission engine ($(uname -m), $(nproc) CPUs, one core)"
"$tmp/scc-admission" engine "$root/policies/scc" "${1:-200000}"
echo "== pod create through the API with SCC admission"
export KUBECONFIG=$tmp/kubeconfig
port=$((30000 + RANDOM % 20000))
"$OCX_BIN/ocx" cluster up --base-dir "$tmp/base" --listen "127.0.0.1:$port" >/dev/null || exit 1
P=$tmp/base/pki
"$tmp/scc-admission" api "https://127.0.0.1:$port" "$P/ca.crt" "$P/admin.crt" "$P/admin.key" "${2:-50}" "${3:-40}"
