#!/usr/bin/env bash
# Security probes (issue 5): e2e/helpers/probe.c runs inside a pod that
# developer creates in a project (admitted under the restricted SCC, with a
# read-only root and a small pids limit) and inside a privileged pod that
# system:admin creates. Every probe must be denied in the first; in the second
# the same probes are allowed, or reach the kernel (the call got past seccomp
# and the capability check and the kernel refused its harmless arguments),
# proving the probe tells the difference. Namespace isolation (host processes,
# another pod's files) holds for privileged pods too: a control run of the
# probe on the node shows those two probes do see what is there.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, overlayfs, bridge)"
[ -x /bin/busybox ] || skip_all "needs busybox-static (/bin/busybox)"
command -v ip >/dev/null || skip_all "needs iproute2"
command -v nsenter >/dev/null || skip_all "needs nsenter (util-linux)"
PROBE=$OCX_BIN/e2e/probe
[ -x "$PROBE" ] || skip_all "no $PROBE (make builds e2e/helpers)"

# a bridge and subnet of our own (t3000 uses 10.180-229.x, t3100-t3300 10.130-179.x)
n=$(( $$ % 200 + 20 ))
export OCX_NODE_BRIDGE=ocxp$n OCX_POD_CIDR=10.$((n % 50 + 80)).$n.0/24

OTHER_UID=4242 # uid of the process the kill probe signals
PIDS_LIMIT=16  # ocx.io/pids-limit of the restricted pod; the probe forks up to 64

# the image: busybox, the probe, the probe again as a setuid-root binary,
# a root-only file and a world-writable directory on the (read-only) root
ROOTFS=$(mktemp -d /tmp/ocx-rootfs.XXXXXX)
at_exit "rm -rf '$ROOTFS'"
chmod 0755 "$ROOTFS"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/var/tmp"
chmod 1777 "$ROOTFS/tmp" "$ROOTFS/var/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh cat sleep echo; do ln -s busybox "$ROOTFS/bin/$a"; done
cp "$PROBE" "$ROOTFS/bin/probe"
cp "$PROBE" "$ROOTFS/bin/suid-probe"
chown 0:0 "$ROOTFS/bin/suid-probe"
chmod 4755 "$ROOTFS/bin/suid-probe"
echo "root only" >"$ROOTFS/etc/probe-secret"
chown 0:0 "$ROOTFS/etc/probe-secret"
chmod 0600 "$ROOTFS/etc/probe-secret"
IMG="ocx-rootfs:$ROOTFS"

ocx_up || bail_out "cluster up failed"
at_exit "ip link del $OCX_NODE_BRIDGE"
ADMIN=(--kubeconfig "$OCX_BASE/admin.kubeconfig")
OCXD_PID=$(cat "$OCX_BASE/run/ocxd.pid")

run ocx login -u developer -p developer "$OCX_SERVER"
is "$rc" 0 "developer logs in"
run ocx new-project probes
is "$rc" 0 "developer creates project probes"

jsonpath() { ocx get pod "$1" -o jsonpath="$2" 2>/dev/null; }
wait_phase() { wait_for -t "${3:-20}" bash -c "[ \"\$($OCX_BIN/ocx get pod $1 -o jsonpath='{.status.phase}' 2>/dev/null)\" = $2 ]"; }
cpid() { awk '{print $1}' "$OCX_BASE/run/node/pods/$(jsonpath "$1" '{.metadata.uid}')/c.pid"; }

# ---- another pod, whose files the probes must not reach ----------------------------
cat >"$OCX_TMP/other.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"other"},"spec":{"terminationGracePeriodSeconds":1,
 "containers":[{"name":"c","image":"$IMG","command":["sh","-c","echo other-pod-data > /tmp/marker; exec sleep 3600"]}]}}
EOF
run ocx create -f "$OCX_TMP/other.json"
is "$rc" 0 "create pod other" || diag "$err"
OTHER_FILE=$OCX_BASE/pods/probes/other/rootfs/c/upper/tmp/marker
ok "other's file is on the node at $OTHER_FILE" wait_for -t 20 test -s "$OTHER_FILE"

# ---- control: on the node, the two isolation probes see what is there --------------
PROBE_ARGS="--root-file /etc/probe-secret --kill-uid $OTHER_UID --host-pid $OCXD_PID:ocxd --other-file $OTHER_FILE"
run "$PROBE" --only host-procs,other-pod-fs --host-pid "$OCXD_PID:ocxd" --other-file "$OTHER_FILE"
like "$out" "probe host-procs: allowed \(ocxd visible" "control: on the node the probe sees ocxd (pid $OCXD_PID)"
like "$out" "probe other-pod-fs: allowed \(read 15 bytes\)" "control: on the node the probe reads other's file"

# the probe pod: probes at start, /tmp an emptyDir
pod_json() { # name pids-limit|"" pod-securityContext container-securityContext
        local ann=""
        [ -n "$2" ] && ann=",\"annotations\":{\"ocx.io/pids-limit\":\"$2\"}"
        cat >"$OCX_TMP/$1.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$1"$ann},
 "spec":{"terminationGracePeriodSeconds":1,"securityContext":$3,
 "containers":[{"name":"c","image":"$IMG","command":["sh","-c","probe $PROBE_ARGS; exec sleep 3600"],
  "securityContext":$4,
  "volumeMounts":[{"name":"tmp","mountPath":"/tmp"}]}],
 "volumes":[{"name":"tmp","emptyDir":{}}]}}
EOF
}
# start pod $1 and, once it runs, put a process of OTHER_UID into its pid
# namespace for the kill probe; sets $logs to the probe's output
probe_pod() { # name kubeconfig-args...
        local name=$1 pid
        shift
        run ocx "$@" create -f "$OCX_TMP/$name.json"
        is "$rc" 0 "create pod $name" || diag "$err"
        ok "$name runs" wait_phase "$name" Running
        pid=$(cpid "$name")
        nsenter -t "$pid" -p -m -r -w -S "$OTHER_UID" -G "$OTHER_UID" -- /bin/sleep 30 </dev/null >/dev/null 2>&1 &
        at_exit "kill $! 2>/dev/null"
        wait_for -t 30 bash -c "$OCX_BIN/ocx $* logs $name 2>/dev/null | grep -q '^probe pids-limit:'" ||
                diag "probe in $name did not finish"
        run ocx "$@" logs "$name"
        logs=$out
}
# probe_is NAME ERE TEST-NAME: the probe's line, anchored
probe_is() { like "$(grep "^probe $1: " <<<"$logs")" "^probe $1: $2\$" "$3"; }

EPERM="denied \(Operation not permitted\)"
# every probe denied, each with the errno that says what denied it
restricted_probes() { # label uid
        local l=$1 uid=$2 p forks
        probe_is setuid0 "$EPERM" "$l: setuid(0) is denied"
        probe_is suid-root "denied \(Permission denied; euid $uid\)" \
                "$l: a setuid-root binary in the image keeps euid $uid and cannot read a 0600 root file"
        probe_is chown "$EPERM" "$l: chown to another uid is denied (CAP_CHOWN)"
        probe_is kill "denied \(Operation not permitted; pid [0-9]+, uid $OTHER_UID\)" \
                "$l: signalling a process of uid $OTHER_UID in its pid namespace is denied (CAP_KILL)"
        probe_is mknod "$EPERM" "$l: mknod of a char device is denied (CAP_MKNOD)"
        probe_is setuid "$EPERM" "$l: setuid($OTHER_UID) is denied (CAP_SETUID)"
        probe_is setgid "$EPERM" "$l: setgid($OTHER_UID) is denied (CAP_SETGID)"
        probe_is raw-socket "$EPERM" "$l: a raw socket is denied (CAP_NET_RAW)"
        # without any capability these get EINVAL/ENOENT/EBADF/ENOSYS from their
        # arguments, or succeed: EPERM means the seccomp filter stopped them
        for p in umount unshare-user clone-newuser setns keyctl bpf ptrace init-module clock-settime; do
                probe_is $p "$EPERM" "$l: $p is denied (seccomp)"
        done
        # the capability check comes first in these (seccomp denies them too)
        for p in mount unshare reboot swapon; do
                probe_is $p "$EPERM" "$l: $p is denied"
        done
        probe_is proc-sys-write "denied \(Permission denied\)" "$l: /proc/sys/kernel/hostname cannot be opened for writing"
        if [ -e /proc/sysrq-trigger ]; then
                probe_is sysrq-trigger "denied \((Permission denied|Read-only file system)\)" \
                        "$l: /proc/sysrq-trigger cannot be opened for writing"
        else
                skip "$l: /proc/sysrq-trigger cannot be opened for writing" "no /proc/sysrq-trigger on this kernel"
        fi
        if [ -e /proc/kcore ]; then
                probe_is kcore "denied \((masked: read 0 bytes|Permission denied|Operation not permitted)\)" "$l: /proc/kcore is masked"
        else
                skip "$l: /proc/kcore is masked" "no /proc/kcore on this kernel"
        fi
        probe_is sys-firmware "denied \(masked: empty\)" "$l: /sys/firmware is masked"
        probe_is host-procs "denied \(No such file or directory; [1-5] processes visible\)" \
                "$l: ocxd (pid $OCXD_PID) is not visible, only the container's own processes"
        probe_is other-pod-fs "denied \(No such file or directory\)" "$l: other's overlay upper dir does not exist inside"
        probe_is rootfs-write "denied \(Read-only file system\)" "$l: readOnlyRootFilesystem holds"
        probe_is pids-limit "denied \(Resource temporarily unavailable; after [0-9]+ forks\)" "$l: a fork loop hits the pids limit"
        forks=$(sed -n 's/^probe pids-limit: .*after \([0-9]*\) forks.*/\1/p' <<<"$logs")
        ok "$l: fewer than $PIDS_LIMIT forks succeeded (${forks:-none})" test "${forks:-99}" -lt "$PIDS_LIMIT"
        is "$(grep -c '^probe [a-z0-9-]*: ' <<<"$logs")" 29 "$l: every probe reported"
        unlike "$logs" "^probe [a-z0-9-]+: (allowed|reached-kernel|skipped)" "$l: nothing allowed, reached the kernel or skipped"
}

# ---- restricted: developer's pod, as admitted by default -------------------------------
pod_json restricted "$PIDS_LIMIT" '{}' '{"readOnlyRootFilesystem":true}'
probe_pod restricted
is "$(jsonpath restricted '{.metadata.annotations.openshift\.io/scc}')" restricted "admitted under restricted"
ruid=$(jsonpath restricted '{.spec.containers[0].securityContext.runAsUser}')
like "$ruid" "^[1-9][0-9]+$" "restricted gave the container a uid from the project's range ($ruid)"
ctx=$(grep '^probe-context: ' <<<"$logs")
like "$ctx" "uid=$ruid euid=$ruid NoNewPrivs=1 " "restricted: runs as $ruid with no_new_privs"
like "$ctx" " CapEff=0+ " "restricted: no effective capabilities"
like "$ctx" " Seccomp=2 " "restricted: a seccomp filter is loaded"
restricted_probes restricted "$ruid"

# ---- restricted-v2: the same pod, seccomp runtime/default --------------------------------
run ocx "${ADMIN[@]}" adm policy add-scc-to-user restricted-v2 developer
is "$rc" 0 "system:admin lets developer use restricted-v2" || diag "$err"
# restricted refuses any seccomp profile, so this pod can only be restricted-v2
pod_json restricted-v2 "$PIDS_LIMIT" '{"seccompProfile":{"type":"RuntimeDefault"}}' '{"readOnlyRootFilesystem":true}'
probe_pod restricted-v2
is "$(jsonpath restricted-v2 '{.metadata.annotations.openshift\.io/scc}')" restricted-v2 "admitted under restricted-v2"
v2uid=$(jsonpath restricted-v2 '{.spec.containers[0].securityContext.runAsUser}')
like "$(grep '^probe-context: ' <<<"$logs")" "uid=$v2uid euid=$v2uid NoNewPrivs=1 Seccomp=2 CapEff=0+ CapBnd=0+$" \
        "restricted-v2: uid $v2uid, no_new_privs, a seccomp filter, no capabilities at all"
restricted_probes restricted-v2 "$v2uid"

# ---- privileged: system:admin's pod ----------------------------------------------------
pod_json priv "" '{}' '{"privileged":true,"runAsUser":0}'
probe_pod priv "${ADMIN[@]}" -n probes
is "$(ocx "${ADMIN[@]}" -n probes get pod priv -o jsonpath='{.metadata.annotations.openshift\.io/scc}')" privileged \
        "admitted under privileged"
like "$(grep '^probe-context: ' <<<"$logs")" "uid=0 euid=0 NoNewPrivs=0 Seccomp=0 " "privileged: root, no no_new_privs, no seccomp"
for p in setuid0 chown mknod setuid setgid raw-socket mount umount unshare unshare-user clone-newuser keyctl ptrace \
        proc-sys-write rootfs-write; do
        probe_is $p allowed "privileged: $p is allowed"
done
probe_is suid-root "allowed \(euid 0, read 10 bytes\)" \
        "privileged: the setuid bit works (nobody runs the helper from a tmpfs without nosuid and reads the file as euid 0)"
probe_is kill "allowed \(pid [0-9]+, uid $OTHER_UID\)" "privileged: signalling a process of uid $OTHER_UID is allowed"
probe_is setns "reached-kernel \(Bad file descriptor\)" "privileged: setns reaches the kernel (EBADF)"
probe_is bpf "reached-kernel \(Invalid argument\)" "privileged: bpf reaches the kernel (EINVAL)"
# ENOSYS on a kernel without module support, ENOEXEC (empty image) with it
probe_is init-module "reached-kernel \((Function not implemented|Exec format error)\)" "privileged: init_module reaches the kernel"
probe_is reboot "reached-kernel \(Invalid argument\)" "privileged: reboot reaches the kernel (EINVAL: wrong magic)"
probe_is clock-settime "reached-kernel \(Invalid argument\)" "privileged: clock_settime reaches the kernel (EINVAL: no such clock)"
probe_is swapon "reached-kernel \(No such file or directory\)" "privileged: swapon reaches the kernel (ENOENT)"
for f in sysrq-trigger kcore; do
        if [ -e /proc/$f ]; then
                probe_is $f allowed "privileged: /proc/$f is not masked"
        else
                skip "privileged: /proc/$f is not masked" "no /proc/$f on this kernel"
        fi
done
probe_is sys-firmware "allowed \([1-9][0-9]* entries\)" "privileged: /sys/firmware is readable"
probe_is pids-limit "allowed \(64 forks\)" "privileged (default pids limit): the same fork loop completes"
# namespaces are not privileges: a privileged pod still has its own pid and
# mount namespaces (the node has no hostPID); the control run above shows the
# two probes see what is there
probe_is host-procs "denied \(No such file or directory; [1-5] processes visible\)" "privileged: still its own pid namespace"
probe_is other-pod-fs "denied \(No such file or directory\)" "privileged: still its own mount namespace"

done_testing
