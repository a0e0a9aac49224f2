#!/usr/bin/env bash
# Mount targets resolve inside the container root: a container that leaves a
# symlink to a host path in an emptyDir (absolute, relative with "..", or a
# /proc magic link) cannot make a later mount — the next container of the
# pod, or its own restart — create a directory or a file on the host, or
# mount there. Under the restricted SCC, as any project user.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, overlayfs, bridge)"
[ -x /bin/busybox ] || skip_all "needs busybox-static (/bin/busybox)"
command -v ip >/dev/null || skip_all "needs iproute2"

n=$(( $$ % 200 + 20 ))
export OCX_NODE_BRIDGE=ocxx$n OCX_POD_CIDR=10.$((n % 20 + 230)).$n.0/24 OCX_NODE_BACKOFF_MS=1000

# the host path the symlinks point at: nothing may ever appear in it
ESC=$(mktemp -d /tmp/ocx-escape-XXXXXX)
at_exit "rm -rf '$ESC'"
chmod 0755 "$ESC"
host_clean() { [ -z "$(ls -A "$ESC")" ]; }

ROOTFS=$(mktemp -d /tmp/ocx-rootfs.XXXXXX)
at_exit "rm -rf '$ROOTFS'"
chmod 0755 "$ROOTFS"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/var"
chmod 1777 "$ROOTFS/tmp"
ln -s /run "$ROOTFS/var/run"
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh cat ls ln mv echo sleep test touch; do ln -s busybox "$ROOTFS/bin/$a"; done
IMG="ocx-rootfs:$ROOTFS"

ocx_up || bail_out "cluster up failed"
at_exit "ip link del $OCX_NODE_BRIDGE"
ADMIN=(--kubeconfig "$OCX_BASE/admin.kubeconfig")

run ocx login -u developer -p developer "$OCX_SERVER"
is "$rc" 0 "developer logs in"
run ocx new-project escape
is "$rc" 0 "developer creates project escape"

pexec() { ocx "${ADMIN[@]}" exec -n escape "$1" --base-dir "$OCX_BASE" -- sh -c "$2"; }
wait_phase() { wait_for -t "${3:-20}" bash -c "[ \"\$($OCX_BIN/ocx get pod $1 -o jsonpath='{.status.phase}' 2>/dev/null)\" = $2 ]"; }
vol() { echo "$OCX_BASE/pods/escape/$1/volumes/$2"; }

printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"esc"},"data":{"greeting":"hello"}}' >"$OCX_TMP/cm.json"
run ocx create -f "$OCX_TMP/cm.json"
is "$rc" 0 "create a configMap"

# ---- an init container leaves links, the next container mounts through them -----------
cat >"$OCX_TMP/links.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"links"},"spec":{"terminationGracePeriodSeconds":1,
 "initContainers":[{"name":"mk","image":"$IMG",
   "command":["sh","-c","ln -s $ESC /shared/link && ln -s ../../../../../../../../..$ESC /shared/rel && ln -s $ESC/last /shared/last"],
   "volumeMounts":[{"name":"shared","mountPath":"/shared"}]}],
 "containers":[{"name":"c","image":"$IMG","command":["sh","-c","echo proof >/shared/link/sub/proof; exec sleep 3600"],
   "volumeMounts":[{"name":"shared","mountPath":"/shared"},
    {"name":"other","mountPath":"/shared/link/sub"},
    {"name":"cfg","mountPath":"/shared/rel/greeting.txt","subPath":"greeting"},
    {"name":"third","mountPath":"/shared/last"}]}],
 "volumes":[{"name":"shared","emptyDir":{}},{"name":"other","emptyDir":{}},{"name":"third","emptyDir":{}},
  {"name":"cfg","configMap":{"name":"esc"}}]}}
EOF
run ocx create -f "$OCX_TMP/links.json"
is "$rc" 0 "create a pod whose init container leaves symlinks to '$ESC' in an emptyDir"
wait_phase links Running || diag "$(ocx get pod links -o jsonpath='{.status.containerStatuses[0].state}')"
is "$(ocx get pod links -o jsonpath='{.status.phase}')" "Running" "the pod runs"
ok "nothing appeared in '$ESC' on the host" host_clean || diag "$(ls -lA "$ESC")"
run pexec links "test -L /shared/link && test -d $ESC/sub && test -f $ESC/greeting.txt && test -d $ESC/last && echo inside"
is "$out" "inside" "the mount points were made at the links' targets inside the container root"
run pexec links "cat /shared/rel/greeting.txt"
is "$out" "hello" "the subPath file mount through a relative '..' link is in the container"
ok "a write under the absolute link reached the mounted emptyDir" \
        wait_for -t 5 test -f "$(vol links other)/proof"
run pexec links "touch /shared/last/x && echo ok"
is "$out" "ok" "a mount onto a dangling last-element link works inside the root"
ok "and lands in its own emptyDir" test -f "$(vol links third)/x"

# ---- a restart mounts through a link the previous run left ---------------------------------------
cat >"$OCX_TMP/again.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"again"},"spec":{"terminationGracePeriodSeconds":1,"restartPolicy":"OnFailure",
 "containers":[{"name":"c","image":"$IMG",
   "command":["sh","-c","test -e /shared/done && exec sleep 3600; touch /shared/done; mv /shared/link /shared/old && ln -s $ESC /shared/link; exit 1"],
   "volumeMounts":[{"name":"shared","mountPath":"/shared"},{"name":"other","mountPath":"/shared/link/sub"}]}],
 "volumes":[{"name":"shared","emptyDir":{}},{"name":"other","emptyDir":{}}]}}
EOF
run ocx create -f "$OCX_TMP/again.json"
is "$rc" 0 "create a pod that replaces its mount point's parent with a link to '$ESC' and exits"
ok "it restarts" wait_for -t 20 bash -c "[ \"\$($OCX_BIN/ocx get pod again -o jsonpath='{.status.containerStatuses[0].restartCount}')\" -ge 1 ]"
ok "and runs" wait_phase again Running
ok "the link was left for the restart" test -L "$(vol again shared)/link"
ok "nothing appeared in '$ESC' on the host after the restart" host_clean
run pexec again "test -d $ESC/sub && echo inside"
is "$out" "inside" "the restart made the mount point inside the root"

# ---- a /proc magic link is refused, clearly --------------------------------------------------
cat >"$OCX_TMP/magic.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"magic"},"spec":{"terminationGracePeriodSeconds":1,
 "initContainers":[{"name":"mk","image":"$IMG","command":["sh","-c","ln -s /proc/self/root$ESC /shared/magic"],
   "volumeMounts":[{"name":"shared","mountPath":"/shared"}]}],
 "containers":[{"name":"c","image":"$IMG","command":["sh","-c","exec sleep 3600"],
   "volumeMounts":[{"name":"shared","mountPath":"/shared"},{"name":"other","mountPath":"/shared/magic/sub"}]}],
 "volumes":[{"name":"shared","emptyDir":{}},{"name":"other","emptyDir":{}}]}}
EOF
run ocx create -f "$OCX_TMP/magic.json"
is "$rc" 0 "create a pod whose init container leaves a /proc/self/root link"
ok "the container is refused with RunContainerError" wait_for -t 20 bash -c \
        "[ \"\$($OCX_BIN/ocx get pod magic -o jsonpath='{.status.containerStatuses[0].state.waiting.reason}')\" = RunContainerError ]"
run ocx get pod magic -o jsonpath='{.status.containerStatuses[0].state.waiting.message}'
is "$out" "create mount point '/shared/magic/sub': Too many levels of symbolic links" "the message names the mount point"
ok "nothing appeared in '$ESC' on the host" host_clean

# ---- teardown ------------------------------------------------------------------------------
run ocx delete pod links again magic
is "$rc" 0 "delete the pods"
run ocx cluster down --base-dir "$OCX_BASE"
is "$rc" 0 "cluster down"
ok "no pod mounts left" bash -c "! grep -q ' $OCX_BASE/pods/' /proc/mounts"
ok "'$ESC' is still empty" host_clean

done_testing
