#!/usr/bin/env bash
# Pod lifecycle on the node agent: probes (exec, httpGet, tcpSocket;
# readiness flipping Ready, liveness restarts with back-off, a startup probe
# gating the others), resource limits through cgroups (memory -> OOMKilled,
# pids against a fork bomb, cpu quota and shares), Events in `ocx describe`,
# and the cgroups removed with the pods and on `cluster down`.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, overlayfs, bridge, cgroups)"
[ -x /bin/busybox ] || skip_all "needs busybox-static (/bin/busybox)"
command -v ip >/dev/null || skip_all "needs iproute2"
[ -d /sys/fs/cgroup/memory ] || [ -f /sys/fs/cgroup/cgroup.controllers ] || skip_all "needs cgroups"
MEMHOG=$OCX_BIN/e2e/memhog
[ -x "$MEMHOG" ] || skip_all "no $MEMHOG (make builds e2e/helpers)"

n=$(( ($$ + 7) % 200 + 20 ))
export OCX_NODE_BRIDGE=ocxl$n OCX_POD_CIDR=10.$((n % 50 + 130)).$n.0/24 OCX_NODE_BACKOFF_MS=1000

ROOTFS=$(mktemp -d /tmp/ocx-rootfs.XXXXXX)
at_exit "rm -rf '$ROOTFS'"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/www"
chmod 1777 "$ROOTFS/tmp"
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh cat ls rm touch test true sleep echo httpd mkdir ps; do ln -s busybox "$ROOTFS/bin/$a"; done
cp "$MEMHOG" "$ROOTFS/bin/memhog"
echo ok >"$ROOTFS/www/index.html"
IMG="ocx-rootfs:$ROOTFS"

ocx_up || bail_out "cluster up failed"
at_exit "ip link del $OCX_NODE_BRIDGE"

jp() { "$OCX_BIN/ocx" get pod "$1" -o jsonpath="$2" 2>/dev/null; }
cond() { jp "$1" "{.status.conditions[?(@.type==\"$2\")].status}"; }
wait_jp() { # POD JSONPATH WANT [SECS]
        wait_for -t "${4:-20}" bash -c "[ \"\$($OCX_BIN/ocx get pod $1 -o jsonpath='$2' 2>/dev/null)\" = '$3' ]"
}
create() { printf '%s' "$1" | "$OCX_BIN/ocx" create -f - >/dev/null; }

# every pod at once: they run side by side
create '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"ready"},"spec":{"terminationGracePeriodSeconds":1,
 "containers":[{"name":"c","image":"'"$IMG"'","command":["sleep","3600"],
  "readinessProbe":{"exec":{"command":["cat","/tmp/ready"]},"periodSeconds":1,"failureThreshold":1}}]}}'
create '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"web"},"spec":{"terminationGracePeriodSeconds":1,
 "containers":[{"name":"c","image":"'"$IMG"'","command":["httpd","-f","-p","8080","-h","/www"],
  "ports":[{"name":"http","containerPort":8080}],
  "resources":{"requests":{"cpu":"250m","memory":"32Mi"},"limits":{"cpu":"500m","memory":"32Mi"}},
  "readinessProbe":{"httpGet":{"path":"/index.html","port":"http"},"periodSeconds":1,"failureThreshold":1},
  "livenessProbe":{"tcpSocket":{"port":8080},"periodSeconds":1}}]}}'
create '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"live"},"spec":{"terminationGracePeriodSeconds":1,
 "containers":[{"name":"c","image":"'"$IMG"'","command":["sleep","3600"],
  "livenessProbe":{"tcpSocket":{"port":9},"periodSeconds":1,"failureThreshold":1}}]}}'
create '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"slow"},"spec":{"terminationGracePeriodSeconds":1,
 "containers":[{"name":"c","image":"'"$IMG"'","command":["sh","-c","sleep 3; touch /tmp/started; exec sleep 3600"],
  "startupProbe":{"exec":{"command":["cat","/tmp/started"]},"periodSeconds":1,"failureThreshold":30},
  "livenessProbe":{"exec":{"command":["cat","/tmp/started"]},"periodSeconds":1,"failureThreshold":1}}]}}'
create '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"oom"},"spec":{"restartPolicy":"Never",
 "containers":[{"name":"c","image":"'"$IMG"'","command":["memhog","256"],"resources":{"limits":{"memory":"32Mi"}}}]}}'
create '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"fits"},"spec":{"terminationGracePeriodSeconds":1,
 "containers":[{"name":"c","image":"'"$IMG"'","command":["memhog","16"],"resources":{"limits":{"memory":"64Mi"}}}]}}'

# ---- startup probe gates liveness ------------------------------------------------
ok "startup pod runs" wait_jp slow '{.status.phase}' Running
run jp slow '{.status.containerStatuses[0].started}'
is "$out" "false" "not started while the startup probe fails"
is "$(cond slow Ready)" "False" "not Ready before the startup probe passed"
ok "started once the startup probe passes" wait_jp slow '{.status.containerStatuses[0].started}' true 10
ok "then Ready" wait_jp slow '{.status.containerStatuses[0].ready}' true 5
is "$(jp slow '{.status.containerStatuses[0].restartCount}')" "0" "the liveness probe did not run before startup (no restart)"

# ---- readiness (exec) flips the Ready condition -------------------------------------
ok "readiness pod runs" wait_jp ready '{.status.phase}' Running
is "$(cond ready Ready)" "False" "Running but not Ready while /tmp/ready is missing"
is "$(jp ready '{.status.containerStatuses[0].ready}')" "false" "container not ready"
run ocx exec ready --base-dir "$OCX_BASE" -- touch /tmp/ready
is "$rc" 0 "the container's file is created"
ok "Ready turns True" wait_for -t 10 bash -c "[ \"\$($OCX_BIN/ocx get pod ready -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" = True ]"
is "$(jp ready '{.status.containerStatuses[0].ready}')" "true" "container ready"
run ocx get pods ready
like "$out" "ready +1/1 +Running" "ocx get pods: 1/1 Running"
run ocx exec ready --base-dir "$OCX_BASE" -- rm /tmp/ready
ok "Ready turns False again" wait_for -t 10 bash -c "[ \"\$($OCX_BIN/ocx get pod ready -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" = False ]"
is "$(jp ready '{.status.containerStatuses[0].restartCount}')" "0" "readiness failures do not restart"

# ---- httpGet readiness and tcpSocket liveness -----------------------------------------
ok "web pod becomes Ready through httpGet" wait_for -t 15 bash -c "[ \"\$($OCX_BIN/ocx get pod web -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" = True ]"
is "$(jp web '{.status.qosClass}')" "Burstable" "qosClass from requests and limits"
run ocx exec web --base-dir "$OCX_BASE" -- rm /www/index.html
ok "a 404 makes it unready" wait_for -t 10 bash -c "[ \"\$($OCX_BIN/ocx get pod web -o jsonpath='{.status.conditions[?(@.type==\"Ready\")].status}')\" = False ]"
is "$(jp web '{.status.containerStatuses[0].restartCount}')" "0" "the tcpSocket liveness probe keeps passing"

# ---- liveness failures restart with back-off -----------------------------------------------
ok "liveness restarts the container repeatedly" wait_for -t 30 bash -c "[ \"\$($OCX_BIN/ocx get pod live -o jsonpath='{.status.containerStatuses[0].restartCount}')\" -ge 3 ]"
ok "CrashLoopBackOff between restarts" wait_jp live '{.status.containerStatuses[0].state.waiting.reason}' CrashLoopBackOff 15
run jp live '{.status.containerStatuses[0].lastState.terminated.exitCode}'
is "$out" "137" "killed (SIGTERM ignored by PID 1, then SIGKILL after the grace period)"
run ocx describe pod live
desc=$out
for r in Scheduled Pulled Created Started Unhealthy Killing BackOff; do
        like "$desc" "(Normal|Warning) +$r " "describe shows the $r event"
done
like "$desc" "Liveness probe failed: dial tcp [0-9.]+:9: Connection refused" "Unhealthy says why"
like "$desc" "Started .*\(x[0-9]+ over" "repeated events are counted, not duplicated"
run ocx get events -o jsonpath='{range .items[?(@.reason=="Killing")]}{.involvedObject.name} {.count} {.involvedObject.fieldPath}{"\n"}{end}'
like "$out" "live [0-9]+ spec.containers\{c\}" "Killing event: involvedObject with fieldPath, count"
run ocx describe pod ready
like "$out" "Readiness probe failed" "describe ready: Unhealthy readiness event"

# ---- memory limit: OOMKilled ---------------------------------------------------------------
ok "memory hog is OOM-killed" wait_jp oom '{.status.containerStatuses[0].state.terminated.reason}' OOMKilled 20
is "$(jp oom '{.status.containerStatuses[0].state.terminated.exitCode}')" "137" "exit code 137"
is "$(jp oom '{.status.phase}')" "Failed" "pod Failed (restartPolicy Never)"
run ocx get pods oom
like "$out" "oom +0/1 +OOMKilled" "ocx get pods shows OOMKilled"
ok "the same hog under a higher limit finishes" wait_for -t 15 bash -c "$OCX_BIN/ocx logs fits | grep -q 'memhog: done'"
is "$(jp fits '{.status.phase}')" "Running" "and keeps running"

cgfile=$OCX_BASE/run/node/cgroups
ok "the node recorded its cgroups" test -s "$cgfile"
memroot=$(awk '$1 == "memory" {print $2}' "$cgfile")
cpuroot=$(awk '$1 == "cpu" {print $2}' "$cgfile")
pidsroot=$(awk '$1 == "pids" {print $2}' "$cgfile")
webuid=$(jp web '{.metadata.uid}')
if head -1 "$cgfile" | grep -q v1; then
        is "$(cat "$memroot/pod-$webuid/c/memory.limit_in_bytes")" "33554432" "web: memory.limit_in_bytes = 32Mi"
        is "$(cat "$cpuroot/pod-$webuid/c/cpu.cfs_quota_us")" "50000" "web: 500m = 50ms per 100ms period"
        is "$(cat "$cpuroot/pod-$webuid/c/cpu.shares")" "256" "web: 250m requested = 256 shares"
        is "$(cat "$pidsroot/pod-$webuid/pids.max")" "1024" "default pod pids limit"
else
        is "$(cat "$memroot/pod-$webuid/c/memory.max")" "33554432" "web: memory.max = 32Mi"
        is "$(cat "$cpuroot/pod-$webuid/c/cpu.max")" "50000 100000" "web: cpu.max for 500m"
        is "$(cat "$pidsroot/pod-$webuid/pids.max")" "1024" "default pod pids limit"
fi

# ---- pids limit: a fork bomb stays inside its pod --------------------------------------------
before=$(ls -d /proc/[0-9]* | wc -l)
create '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"bomb","annotations":{"ocx.io/pids-limit":"64"}},
 "spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"'"$IMG"'",
  "command":["sh","-c","b() { b | b & }; b; exec sleep 3600"],"resources":{"limits":{"cpu":"200m"}}}]}}'
ok "fork bomb pod runs" wait_jp bomb '{.status.phase}' Running
bombuid=$(jp bomb '{.metadata.uid}')
ok "the bomb reaches its pids limit" wait_for -t 15 bash -c "[ \$(cat $pidsroot/pod-$bombuid/pids.current 2>/dev/null || echo 0) -ge 60 ]"
sleep 1
is "$(cat "$pidsroot/pod-$bombuid/pids.max")" "64" "pod pids.max from the annotation"
cur=$(cat "$pidsroot/pod-$bombuid/pids.current")
ok "never more than 64 processes in the pod ($cur)" test "$cur" -le 64
forkfail=$(cat "$pidsroot/pod-$bombuid/pids.events" "$pidsroot/pod-$bombuid/c/pids.events" 2>/dev/null | awk '$1 == "max" {s += $2} END {print s + 0}')
ok "fork failures counted by the kernel ($forkfail)" test "$forkfail" -gt 0
after=$(ls -d /proc/[0-9]* | wc -l)
ok "host process count bounded ($before -> $after)" test "$after" -le $((before + 64 + 40))
ok "the host still forks" /bin/true
run ocx get pod ready -o name
is "$rc" 0 "the API still answers"
run ocx delete pod bomb
is "$rc" 0 "delete the bomb"
ok "every bomb process is gone" wait_for -t 10 bash -c "[ ! -d $pidsroot/pod-$bombuid ]"

# ---- cgroups go with their pods and with the cluster --------------------------------------------
olduid=$(jp oom '{.metadata.uid}')
run ocx delete pod oom
ok "pod cgroups removed on deletion" test ! -d "$memroot/pod-$olduid" -a ! -d "$pidsroot/pod-$olduid"
run ocx cluster down --base-dir "$OCX_BASE"
is "$rc" 0 "cluster down"
ok "the node cgroups are removed" test ! -d "$memroot" -a ! -d "$cpuroot" -a ! -d "$pidsroot"

done_testing
