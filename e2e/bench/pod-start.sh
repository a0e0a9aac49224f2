#!/usr/bin/env bash
# Runtime benchmark: create -> Running latency of N busybox-static pods
# (ocx-rootfs: image, own network namespace + veth each), created one after
# the other; prints median and p95 and appends them to docs/benchmarks.md
# under "Runtime". Usage: e2e/bench/pod-start.sh [N]   (default 50; root)
set -u
N=${1:-50}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/e2e/lib.sh"
[ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] || { echo "needs root and busybox-static"; exit 0; }
export OCX_NODE_BRIDGE=ocxb$(( $$ % 1000 )) OCX_POD_CIDR=10.199.0.0/23
ROOTFS=$(mktemp -d /tmp/ocx-rootfs.XXXXXX)
at_exit "rm -rf '$ROOTFS'"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc"
cp /bin/busybox "$ROOTFS/bin/"; ln -s busybox "$ROOTFS/bin/sleep"
ocx_up >/dev/null || { echo "cluster up failed"; exit 1; }
times=()
for i in $(seq 1 "$N"); do
        t0=$(date +%s.%N)
        printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b%d"},"spec":{"containers":[{"name":"c","image":"ocx-rootfs:%s","command":["sleep","3600"]}]}}' \
                "$i" "$ROOTFS" | "$OCX_BIN/ocx" create -f - >/dev/null || { echo "create failed"; exit 1; }
        until [ "$("$OCX_BIN/ocx" get pod "b$i" -o jsonpath='{.status.phase}')" = Running ]; do sleep 0.01; done
        t1=$(date +%s.%N)
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')")
done
sorted=$(printf '%s\n' "${times[@]}" | sort -n)
med=$(sed -n "$(( (N + 1) / 2 ))p" <<<"$sorted")
p95=$(sed -n "$(( (N * 95 + 99) / 100 ))p" <<<"$sorted")
t0=$(date +%s.%N)
"$OCX_BIN/ocx" cluster down --base-dir "$OCX_BASE" >/dev/null
t1=$(date +%s.%N)
down=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
line="- $(date +%F) \`e2e/bench/pod-start.sh $N\` on $(nproc) CPUs ($(uname -r)): create->Running (ocx create + polling ocx get every 10 ms, sequential) median ${med}s, p95 ${p95}s over $N pods; \`cluster down\` with $N running pods ${down}s"
echo "$line"
doc=$root/docs/benchmarks.md
grep -q '^## Runtime' "$doc" 2>/dev/null || printf '\n## Runtime\n\nPod start on the node agent (own network namespace, veth on the bridge, overlayfs root, enforced security context).\n\n' >>"$doc"
echo "$line" >>"$doc"
