#!/usr/bin/env bash
# The node runtime end to end: busybox-static pods (ocx-rootfs: images) on
# their own bridge, emptyDir sharing, the enforced security context seen from
# inside (the security probes are t3010), graceful deletion, an ocxd restart
# that keeps pods running, and `cluster down` stopping them.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, overlayfs, bridge)"
[ -x /bin/busybox ] || skip_all "needs busybox-static (/bin/busybox)"
command -v ip >/dev/null || skip_all "needs iproute2"

# a bridge and subnet of our own, short back-off for the restart test
n=$(( $$ % 200 + 20 ))
export OCX_NODE_BRIDGE=ocxe$n OCX_POD_CIDR=10.$((n % 50 + 180)).$n.0/24 OCX_NODE_BACKOFF_MS=1000

ROOTFS=$(mktemp -d /tmp/ocx-rootfs.XXXXXX)
at_exit "rm -rf '$ROOTFS'"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/data"
chmod 1777 "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh cat ls grep id sleep echo hostname ip mkdir test true ps; do ln -s busybox "$ROOTFS/bin/$a"; done
IMG="ocx-rootfs:$ROOTFS"

ocx_up || bail_out "cluster up failed"
at_exit "ip link del $OCX_NODE_BRIDGE"

pod_phase() { ocx get pod "$1" -o jsonpath='{.status.phase}' 2>/dev/null; }
wait_phase() { wait_for -t "${3:-20}" bash -c "[ \"\$($OCX_BIN/ocx get pod $1 -o jsonpath='{.status.phase}' 2>/dev/null)\" = $2 ]"; }

# ---- two containers sharing an emptyDir ------------------------------------
cat >"$OCX_TMP/shared.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"shared"},"spec":{
 "containers":[
  {"name":"writer","image":"$IMG","command":["sh","-c","echo hello-from-writer > /data/msg; exec sleep 3600"],
   "volumeMounts":[{"name":"d","mountPath":"/data"}]},
  {"name":"reader","image":"$IMG","command":["sh","-c","while ! test -s /data/msg; do sleep 0.1; done; cat /data/msg; hostname; exec sleep 3600"],
   "volumeMounts":[{"name":"d","mountPath":"/data"}]}],
 "volumes":[{"name":"d","emptyDir":{}}]}}
EOF
run ocx create -f "$OCX_TMP/shared.json"
is "$rc" 0 "create a two-container pod"
ok "pod runs" wait_phase shared Running
wait_for -t 10 bash -c "$OCX_BIN/ocx logs shared -c reader | grep -q hello-from-writer"
run ocx logs shared -c reader
like "$out" "hello-from-writer" "reader sees the writer's file through the emptyDir"
like "$out" "shared" "hostname is the pod name"
run ocx get pod shared -o jsonpath='{.status.podIP}'
like "$out" "^10\.[0-9]+\.$n\." "pod IP from the node subnet"
podip=$out
ok "pod answers ping on the bridge" /bin/busybox ping -c1 -W2 "$podip"
run ocx get pod shared -o jsonpath='{.spec.nodeName}'
isnt "$out" "" "the scheduler bound the pod to the node"

# ---- restricted context, seen from inside --------------------------------------
cat >"$OCX_TMP/restricted.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"restricted"},"spec":{
 "securityContext":{"runAsUser":1000660000,"fsGroup":1000660000},
 "containers":[{"name":"c","image":"$IMG","command":["sh","-c","grep -E '^(CapEff|CapBnd|NoNewPrivs|Seccomp):' /proc/1/status; id; exec sleep 3600"],
  "securityContext":{"allowPrivilegeEscalation":false,"capabilities":{"drop":["KILL","MKNOD","SETGID","SETUID"]},
   "seccompProfile":{"type":"RuntimeDefault"}}}]}}
EOF
run ocx create -f "$OCX_TMP/restricted.json"
is "$rc" 0 "create a restricted pod"
ok "restricted pod runs" wait_phase restricted Running
wait_for -t 10 bash -c "$OCX_BIN/ocx logs restricted | grep -q 'uid='"
run ocx logs restricted
logs=$out
like "$logs" "uid=1000660000" "runs as uid 1000660000"
like "$logs" "NoNewPrivs:[[:space:]]+1" "no_new_privs is set"
like "$logs" "Seccomp:[[:space:]]+2" "a seccomp filter is loaded"
like "$logs" "CapEff:[[:space:]]+0+$" "no effective capabilities"
bnd=$(sed -n 's/^CapBnd:[[:space:]]*//p' <<<"$logs")
is "$(( 0x${bnd:-ff} & 0xc0 ))" 0 "SETUID and SETGID are out of the bounding set (CapBnd $bnd)"
# ---- exec on the node ---------------------------------------------------------------
run ocx exec restricted --base-dir "$OCX_BASE" -- id -u
is "$out" "1000660000" "exec runs with the container's uid"

# ---- restart policy ---------------------------------------------------------------------
cat >"$OCX_TMP/crash.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"crash"},"spec":{
 "containers":[{"name":"c","image":"$IMG","command":["sh","-c","echo run; exit 3"]}]}}
EOF
ocx create -f "$OCX_TMP/crash.json" >/dev/null
ok "a crashing container is restarted" wait_for -t 20 bash -c "[ \"\$($OCX_BIN/ocx get pod crash -o jsonpath='{.status.containerStatuses[0].restartCount}')\" -ge 2 ]"
run ocx get pod crash -o jsonpath='{.status.containerStatuses[0].lastState.terminated.exitCode}'
is "$out" "3" "lastState records the exit code"
run ocx logs crash --previous
is "$out" "run" "logs --previous shows the previous instance"

# ---- graceful deletion ----------------------------------------------------------------------
cat >"$OCX_TMP/stubborn.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"stubborn"},"spec":{"terminationGracePeriodSeconds":2,
 "containers":[{"name":"c","image":"$IMG","command":["sleep","3600"]}]}}
EOF
ocx create -f "$OCX_TMP/stubborn.json" >/dev/null
ok "stubborn pod runs" wait_phase stubborn Running
spid=$(awk '{print $1}' "$OCX_BASE"/run/node/pods/*/c.pid 2>/dev/null | while read -r p; do grep -l "sleep" /proc/$p/cmdline >/dev/null 2>&1 && echo "$p"; done | tail -1)
t0=$(date +%s)
run ocx delete pod stubborn
t1=$(date +%s)
is "$rc" 0 "delete returns once the pod is gone"
run ocx get pod stubborn
like "$err" "not found" "pod object removed after the containers stopped"
ok "PID 1 ignoring SIGTERM is killed after the 2s grace period ($((t1 - t0))s)" test $((t1 - t0)) -ge 2 -a $((t1 - t0)) -le 10

# ---- ocxd restart keeps pods running -----------------------------------------------------
before=$(cat "$OCX_BASE"/run/node/pods/*/writer.pid | awk '{print $1}')
kill -QUIT "$(cat "$OCX_BASE/run/ocxd.pid")"
wait_for -t 10 bash -c "! kill -0 $(cat "$OCX_BASE/run/ocxd.pid") 2>/dev/null"
ok "writer survives ocxd exiting" kill -0 "$before"
run ocx cluster up --base-dir "$OCX_BASE" --listen "127.0.0.1:$OCX_PORT"
is "$rc" 0 "ocxd comes back"
sleep 1.5
after=$(cat "$OCX_BASE"/run/node/pods/*/writer.pid | awk '{print $1}')
is "$after" "$before" "the same container process was adopted"
run ocx get pod shared -o jsonpath='{.status.containerStatuses[0].restartCount}'
is "$out" "0" "no restart after adoption"
is "$(pod_phase shared)" "Running" "adopted pod is still Running"

# ---- cluster down stops pods and removes the network --------------------------------------
run ocx cluster down --base-dir "$OCX_BASE"
is "$rc" 0 "cluster down"
ok "containers are gone after cluster down" bash -c "! kill -0 $after 2>/dev/null"
run bash -c "ip netns list | grep -c '^ocx-' || true"
ok "bridge removed" bash -c "! ip link show $OCX_NODE_BRIDGE >/dev/null 2>&1"

done_testing
