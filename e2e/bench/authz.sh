#!/usr/bin/env bash
# RBAC decision benchmark (policies/ engine, in process): the bootstrap
# policy plus 200 bindings by default; median and p99 per decision.
# Usage: e2e/bench/authz.sh [BINDINGS] [DECISIONS]   (needs `make` first)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-$root/build}
tmp=$(mktemp -d /tmp/ocx-bench-authz.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
[ -f "$BUILD/libpolicies.a" ] && [ -f "$BUILD/libocx.a" ] || { echo "build first (make)"; exit 1; }
cc -O2 -std=gnu17 -D_GNU_SOURCE -I"$root/policies/include" -I"$root/lib/include" -o "$tmp/authz-bench" \
        "$root/e2e/bench/authz-bench.c" "$BUILD/libpolicies.a" "$BUILD/libocx.a" -lcjson || exit 1
echo "== RBAC decisions ($(uname -m), $(nproc) CPUs)"
"$tmp/authz-bench" "${1:-200}" "${2:-200000}"
