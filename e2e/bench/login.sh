#!/usr/bin/env bash
# `ocx login` end to end (process start, TLS probe, OAuth discovery, challenge,
# bcrypt check, code + PKCE exchange, who-am-I, project list, kubeconfig
# write): median of 20 for a password login, a --token login and the
# system:admin existing-credentials login. Prints figures; never fails a test run.
# Usage: e2e/bench/login.sh [RUNS]   (OCX_BIN defaults to ./build)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
OCX_BIN=${OCX_BIN:-$root/build}
runs=${1:-20}
tmp=$(mktemp -d /tmp/ocx-bench-login.XXXXXX)
trap '"$OCX_BIN/ocx" cluster down --clean --base-dir "$tmp/base" >/dev/null 2>&1; rm -rf "$tmp"' EXIT
export KUBECONFIG=$tmp/kubeconfig
port=$((30000 + RANDOM % 20000))
"$OCX_BIN/ocx" cluster up --base-dir "$tmp/base" --listen "127.0.0.1:$port" >/dev/null 2>&1 || exit 1
server=https://127.0.0.1:$port

# median_ms LABEL CMD...: runs CMD $runs times, prints the median wall time
median_ms() {
        local label=$1 i t0 t1
        shift
        for ((i = 0; i < runs; i++)); do
                t0=$(date +%s%N)
                "$@" >/dev/null 2>&1 || { echo "$label: command failed: $*"; return 1; }
                t1=$(date +%s%N)
                echo $(((t1 - t0) / 1000))
        done | sort -n | awk -v l="$label" '{ v[NR] = $1 } END {
                m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
                printf "%-44s median %7.1f ms  (min %.1f, max %.1f, n=%d)\n", l, m / 1000, v[1] / 1000, v[NR] / 1000, NR }'
}

"$OCX_BIN/ocx" login -u developer -p developer "$server" >/dev/null
"$OCX_BIN/ocx" new-project bench >/dev/null
token=$("$OCX_BIN/ocx" whoami -t)
echo "== ocx login (bcrypt cost $(sed -n 's/^developer:\$2y\$\([0-9]*\)\$.*/\1/p' "$tmp/base/htpasswd"), server $server)"
median_ms "login -u developer -p developer" "$OCX_BIN/ocx" login -u developer -p developer "$server"
median_ms "login --token" "$OCX_BIN/ocx" login --token="$token" "$server"
median_ms "login -u system:admin (existing credentials)" "$OCX_BIN/ocx" login -u system:admin
median_ms "whoami (bearer token)" "$OCX_BIN/ocx" --token="$token" whoami
