#!/usr/bin/env bash
# Runtime benchmark, in one run:
#  1. create -> Running latency of N busybox-static pods (ocx-rootfs: image,
#     own network namespace + veth each), created one after the other
#     through the API (ocx create, then ocx get polled every 10 ms);
#  2. the node agent's memory with the N pods running: ocxd VmRSS (idle
#     and with N pods) and the PSS of the N container monitors;
#  3. the same busybox root started N times sequentially by the node
#     runtime (rt_start: e2e/bench/pod-rt-bench.c) and by Debian's crun
#     (`crun run -d`, new mount/pid/ipc/uts/network namespaces; inside
#     `unshare -m` after `umount /sys/fs/cgroup/unified`,
#     --cgroup-manager=disabled, as docs/platform notes explain) and the
#     ratio of the medians.
# Appends the figures to docs/benchmarks.md under "## Runtime".
# Usage: e2e/bench/pod-start.sh [N]   (default 50; root)
set -u
N=${1:-50}
root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/e2e/lib.sh"
[ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] || { echo "needs root and busybox-static"; exit 0; }
export OCX_NODE_BRIDGE=ocxb$(( $$ % 1000 )) OCX_POD_CIDR=10.199.0.0/23
ROOTFS=$(mktemp -d /tmp/ocx-rootfs.XXXXXX)
at_exit "rm -rf '$ROOTFS'"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/proc" "$ROOTFS/dev" "$ROOTFS/sys" "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/"; ln -s busybox "$ROOTFS/bin/sleep"; ln -s busybox "$ROOTFS/bin/true"
ocx_up >/dev/null || { echo "cluster up failed"; exit 1; }
ocxd_pid=$(cat "$OCX_BASE/run/ocxd.pid")
sleep 1
rss_idle=$(awk '/VmRSS/ {print $2}' "/proc/$ocxd_pid/status")

stats() { # prints "median p95" of the numbers on stdin
        sort -n | awk '{ v[NR] = $1 } END { m = v[int((NR + 1) / 2)]; p = v[int((NR * 95 + 99) / 100)]; printf "%.4f %.4f", m, p }'
}

# ---- 1. create -> Running through the API ------------------------------------------
times=()
for i in $(seq 1 "$N"); do
        t0=$EPOCHREALTIME
        printf '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"b%d"},"spec":{"containers":[{"name":"c","image":"ocx-rootfs:%s","command":["sleep","3600"]}]}}' \
                "$i" "$ROOTFS" | "$OCX_BIN/ocx" create -f - >/dev/null || { echo "create failed"; exit 1; }
        until [ "$("$OCX_BIN/ocx" get pod "b$i" -o jsonpath='{.status.phase}')" = Running ]; do sleep 0.01; done
        t1=$EPOCHREALTIME
        times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", b - a }')")
done
read -r med p95 < <(printf '%s\n' "${times[@]}" | stats)

# ---- 2. memory with N running pods --------------------------------------------------
sleep 2
rss_pods=$(awk '/VmRSS/ {print $2}' "/proc/$ocxd_pid/status")
mon_pss=0
for f in "$OCX_BASE"/run/node/pods/*/c.pid; do
        mon=$(awk '{print $3}' "$f")
        p=$(awk '/^Pss:/ {print $2}' "/proc/$mon/smaps_rollup" 2>/dev/null)
        mon_pss=$((mon_pss + ${p:-0}))
done
t0=$EPOCHREALTIME
"$OCX_BIN/ocx" cluster down --base-dir "$OCX_BASE" >/dev/null
t1=$EPOCHREALTIME
down=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')

# ---- 3. the runtime alone vs crun ------------------------------------------------------
W=$(mktemp -d /tmp/ocx-rtbench.XXXXXX)
at_exit "rm -rf '$W'"
ns=ocxbench$$
crun_line="crun: not installed (apt-get install crun)"
rt_line=""
if cc -O2 -D_GNU_SOURCE -I"$root/lib/include" -I"$root/scc/include" -I"$root/platform/include" $(pkg-config --cflags libcjson) \
        -o "$W/pod-rt-bench" "$root/e2e/bench/pod-rt-bench.c" \
        "$OCX_BIN/libplatform.a" "$OCX_BIN/libscc.a" "$OCX_BIN/libocx.a" \
        -lcjson -lseccomp -lcap -lselinux -lcurl -lpthread 2>"$W/cc.log"; then
        ip netns add "$ns"
        at_exit "ip netns del $ns"
        "$W/pod-rt-bench" "$ROOTFS" "$W/ours" "/run/netns/$ns" "$N" sleep 3600 >"$W/ours.txt" || cat "$W/ours.txt"
        read -r rt_med rt_p95 < <(stats <"$W/ours.txt")
        rt_total=$(awk '{ s += $1 } END { printf "%.3f", s }' "$W/ours.txt")
        rt_line="node runtime (rt_start, joins a pod netns, overlay root): median ${rt_med}s, p95 ${rt_p95}s, total ${rt_total}s"
else
        rt_line="node runtime: pod-rt-bench did not build ($(head -1 "$W/cc.log"))"
fi
if command -v crun >/dev/null; then
        mkdir -p "$W/bundle"
        (cd "$W/bundle" && crun spec >/dev/null)
        python3 - "$W/bundle/config.json" "$ROOTFS" <<'PY'
import json, sys
path, rootfs = sys.argv[1], sys.argv[2]
c = json.load(open(path))
c["root"] = {"path": rootfs, "readonly": True}
c["process"]["args"] = ["sleep", "3600"]
c["process"]["terminal"] = False
c["process"]["env"] = ["PATH=/bin", "HOME=/root"]
ns = [n for n in c["linux"]["namespaces"] if n["type"] != "cgroup"]
if not any(n["type"] == "network" for n in ns):
    ns.append({"type": "network"})
c["linux"]["namespaces"] = ns
c["hostname"] = "b"
json.dump(c, open(path, "w"))
PY
        unshare -m bash -c '
                umount /sys/fs/cgroup/unified 2>/dev/null
                for i in $(seq 1 '"$N"'); do
                        t0=$EPOCHREALTIME
                        crun --cgroup-manager=disabled --root '"$W"'/crun-state run -d --bundle '"$W"'/bundle b$i >/dev/null </dev/null || exit 1
                        t1=$EPOCHREALTIME
                        awk -v a="$t0" -v b="$t1" "BEGIN { printf \"%.4f\n\", b - a }"
                        crun --root '"$W"'/crun-state kill b$i KILL
                        crun --root '"$W"'/crun-state delete -f b$i
                done' >"$W/crun.txt" 2>"$W/crun.err"
        if [ -s "$W/crun.txt" ]; then
                read -r c_med c_p95 < <(stats <"$W/crun.txt")
                c_total=$(awk '{ s += $1 } END { printf "%.3f", s }' "$W/crun.txt")
                ratio=$(awk -v a="${rt_med:-0}" -v b="$c_med" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
                ratio_api=$(awk -v a="$med" -v b="$c_med" 'BEGIN { printf "%.1f", (b > 0 ? a / b : 0) }')
                crun_line="crun $(crun --version | awk 'NR == 1 {print $3}') (\`crun run -d\`, new mount/pid/ipc/uts/net namespaces, read-only bind root): median ${c_med}s, p95 ${c_p95}s, total ${c_total}s; ratio node runtime / crun ${ratio}x (medians); API create->Running / crun ${ratio_api}x"
        else
                crun_line="crun failed: $(head -3 "$W/crun.err" | tr '\n' ' ')"
        fi
fi

line1="- $(date +%F) \`e2e/bench/pod-start.sh $N\` on $(nproc) CPUs ($(uname -r)): create->Running (ocx create + polling ocx get every 10 ms, sequential) median ${med}s, p95 ${p95}s over $N pods; \`cluster down\` with $N running pods ${down}s"
line2="  - node agent memory: ocxd VmRSS $((rss_idle / 1024)) MiB idle, $((rss_pods / 1024)) MiB with $N running pods ($(( (rss_pods - rss_idle) / N )) KiB per pod); the $N container monitors (forks of ocxd, one per container) $((mon_pss / 1024)) MiB PSS in all ($((mon_pss / N)) KiB each)"
line3="  - $N sequential busybox \`sleep\` containers, start -> running: $rt_line; $crun_line (rt_start is timed inside one process and joins an existing network namespace; the crun figure includes starting the crun binary and creating a network namespace without a veth — the create->Running figure above is the user-visible one)"
printf '%s\n%s\n%s\n' "$line1" "$line2" "$line3"
doc=$root/docs/benchmarks.md
[ -f "$doc" ] || printf '# Benchmarks\n' >"$doc"
python3 - "$doc" "$line1" "$line2" "$line3" <<'PY'
import sys
path, entries = sys.argv[1], sys.argv[2:]
lines = open(path).read().split("\n")
if lines and lines[-1] == "":
    lines.pop()
try:
    start = next(i for i, l in enumerate(lines) if l.strip() == "## Runtime")
except StopIteration:
    lines += ["", "## Runtime", "", "Pod start on the node agent (own network namespace, veth on the bridge, overlayfs root, "
              "enforced security context).", ""]
    start = len(lines) - 4
end = next((i for i in range(start + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
while end > start + 1 and lines[end - 1] == "":
    end -= 1
for e in entries:
    lines.insert(end, e)
    end += 1
open(path, "w").write("\n".join(lines) + "\n")
PY
