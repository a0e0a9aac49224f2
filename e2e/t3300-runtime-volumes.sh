#!/usr/bin/env bash
# Volumes the node writes (configMap, secret, downwardAPI, projected), the
# automatic service-account token mount, the token controller, and the API
# as a pod reaches it (the pod listener on the bridge address): in
# developer's project, under the restricted SCC.
. "$(dirname "$0")/lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (namespaces, overlayfs, bridge, tmpfs)"
[ -x /bin/busybox ] || skip_all "needs busybox-static (/bin/busybox)"
command -v ip >/dev/null || skip_all "needs iproute2"
command -v nsenter >/dev/null || skip_all "needs nsenter (util-linux)"

# a bridge and subnet of our own (t3000 uses 10.180-229.x)
n=$(( $$ % 200 + 20 ))
export OCX_NODE_BRIDGE=ocxw$n OCX_POD_CIDR=10.$((n % 50 + 130)).$n.0/24 OCX_NODE_BACKOFF_MS=1000
GW=10.$((n % 50 + 130)).$n.1

ROOTFS=$(mktemp -d /tmp/ocx-rootfs.XXXXXX)
at_exit "rm -rf '$ROOTFS'"
chmod 0755 "$ROOTFS"
mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp" "$ROOTFS/var"
chmod 1777 "$ROOTFS/tmp"
ln -s /run "$ROOTFS/var/run" # as Debian images have it: the token must land inside the root
cp /bin/busybox "$ROOTFS/bin/busybox"
for a in sh cat ls echo sleep test wget touch stat id env grep head; do ln -s busybox "$ROOTFS/bin/$a"; done
IMG="ocx-rootfs:$ROOTFS"

ocx_up || bail_out "cluster up failed"
at_exit "ip link del $OCX_NODE_BRIDGE"
ADMIN=(--kubeconfig "$OCX_BASE/admin.kubeconfig")
CA=$OCX_BASE/pki/ca.crt
SADIR=/var/run/secrets/kubernetes.io/serviceaccount

run ocx login -u developer -p developer "$OCX_SERVER"
is "$rc" 0 "developer logs in"
run ocx new-project vols
is "$rc" 0 "developer creates project vols"

phase() { ocx get pod "$1" -o jsonpath='{.status.phase}' 2>/dev/null; }
wait_phase() { wait_for -t "${3:-20}" bash -c "[ \"\$($OCX_BIN/ocx get pod $1 -o jsonpath='{.status.phase}' 2>/dev/null)\" = $2 ]"; }
cpid() { # host pid of a pod's container PID 1
        local uid
        uid=$(ocx get pod "$1" -o jsonpath='{.metadata.uid}')
        awk '{print $1}' "$OCX_BASE/run/node/pods/$uid/${2:-c}.pid"
}
pexec() { ocx "${ADMIN[@]}" exec -n vols "$1" --base-dir "$OCX_BASE" -- sh -c "$2"; }

# ---- the token controller ---------------------------------------------------------
cat >"$OCX_TMP/sa.json" <<EOF
{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"name":"robot"}}
EOF
run ocx create -f "$OCX_TMP/sa.json"
is "$rc" 0 "create service account robot"
ok "the token controller gives robot a token Secret" \
        wait_for -t 5 bash -c "$OCX_BIN/ocx get sa robot -o jsonpath='{.secrets[0].name}' | grep -q '^robot-token-'"
run ocx "${ADMIN[@]}" get sa default -n default -o jsonpath='{.secrets[0].name}'
like "$out" "^default-token-" "namespaces outside projects get service account default with a token"
old=$(ocx get sa robot -o jsonpath='{.secrets[0].name}')
ocx delete secret "$old" >/dev/null
ok "a deleted (revoked) token Secret is replaced" \
        wait_for -t 5 bash -c "s=\$($OCX_BIN/ocx get sa robot -o jsonpath='{.secrets[*].name}'); [ -n \"\$s\" ] && [ \"\$s\" != '$old' ]"

# ---- configMap, secret, downwardAPI, projected ------------------------------------------
cat >"$OCX_TMP/objs.json" <<EOF
{"apiVersion":"v1","kind":"List","items":[
 {"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"app-config"},
  "data":{"greeting":"hello from a configmap","app.properties":"a=1\nb=2\n"}},
 {"apiVersion":"v1","kind":"Secret","metadata":{"name":"app-secret"},"type":"Opaque",
  "data":{"password":"$(printf s3cret | base64)","user":"$(printf admin | base64)"}}]}
EOF
run ocx create -f "$OCX_TMP/objs.json"
is "$rc" 0 "create a configMap and a secret"

cat >"$OCX_TMP/reader.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"reader","labels":{"tier":"backend","app":"vol-test"},
  "annotations":{"note":"line1\nline2","quote":"say \"hi\""}},
 "spec":{"terminationGracePeriodSeconds":1,"containers":[{"name":"c","image":"$IMG","command":["sh","-c","exec sleep 3600"],
   "volumeMounts":[{"name":"cfg","mountPath":"/etc/cfg"},{"name":"items","mountPath":"/etc/items"},
    {"name":"sec","mountPath":"/etc/sec"},{"name":"dw","mountPath":"/etc/podinfo"},
    {"name":"proj","mountPath":"/etc/proj"},{"name":"opt","mountPath":"/etc/opt"},
    {"name":"cfg","mountPath":"/etc/greeting.txt","subPath":"greeting"}]}],
  "volumes":[
   {"name":"cfg","configMap":{"name":"app-config"}},
   {"name":"items","configMap":{"name":"app-config","items":[{"key":"greeting","path":"sub/hello.txt","mode":256}]}},
   {"name":"sec","secret":{"secretName":"app-secret","defaultMode":288}},
   {"name":"dw","downwardAPI":{"items":[{"path":"labels","fieldRef":{"fieldPath":"metadata.labels"}},
     {"path":"annotations","fieldRef":{"fieldPath":"metadata.annotations"}},
     {"path":"name","fieldRef":{"fieldPath":"metadata.name"}},{"path":"ns","fieldRef":{"fieldPath":"metadata.namespace"}},
     {"path":"note","fieldRef":{"fieldPath":"metadata.annotations['note']"}}]}},
   {"name":"proj","projected":{"sources":[{"serviceAccountToken":{"path":"token"}},
     {"configMap":{"name":"app-config","items":[{"key":"greeting","path":"greeting"}]}},
     {"secret":{"name":"app-secret","items":[{"key":"user","path":"user"}]}},
     {"downwardAPI":{"items":[{"path":"app","fieldRef":{"fieldPath":"metadata.labels['app']"}}]}}]}},
   {"name":"opt","configMap":{"name":"no-such-config","optional":true}}]}}
EOF
run ocx create -f "$OCX_TMP/reader.json"
is "$rc" 0 "create a pod with configMap, secret, downwardAPI and projected volumes" || diag "$err"
ok "reader runs (restricted SCC)" wait_phase reader Running

run pexec reader 'cat /etc/cfg/greeting'
is "$out" "hello from a configmap" "configMap key as a file"
run pexec reader 'cat /etc/cfg/app.properties'
is "$out" "a=1
b=2" "multi-line configMap value"
run pexec reader 'cat /etc/items/sub/hello.txt; echo; stat -L -c %a /etc/items/sub/hello.txt'
is "$out" "hello from a configmap
440" "items: key to a nested path; mode 0400 plus group read for fsGroup"
run pexec reader 'cat /etc/sec/password; echo; stat -L -c %a /etc/sec/password'
is "$out" "s3cret
440" "secret key decoded, defaultMode 0440"
fsg=$(ocx get pod reader -o jsonpath='{.spec.securityContext.fsGroup}')
like "$fsg" "^[0-9]+$" "restricted SCC gave the pod an fsGroup" || fsg=none
run pexec reader 'stat -L -c "%u %g" /etc/sec/password; id -G'
like "$out" "^0 $fsg" "secret files belong to root, group fsGroup $fsg"
like "$out" "(^| )$fsg( |$)" "the container's supplementary groups include fsGroup"
run pexec reader 'cat /etc/podinfo/labels'
is "$out" 'app="vol-test"
tier="backend"' "downward API labels, sorted, quoted"
run pexec reader 'cat /etc/podinfo/annotations'
like "$out" '^note="line1\\nline2"$' "downward API annotations: newline escaped"
like "$out" '^quote="say \\"hi\\""$' "downward API annotations: quotes escaped"
run pexec reader 'cat /etc/podinfo/name; echo; cat /etc/podinfo/ns; echo; cat /etc/podinfo/note'
is "$out" "reader
vols
line1
line2" "downward API name, namespace, one annotation"
run pexec reader 'cat /etc/proj/greeting; echo; cat /etc/proj/user; echo; cat /etc/proj/app; echo; head -c 3 /etc/proj/token'
is "$out" "hello from a configmap
admin
vol-test
eyJ" "projected: configMap, secret, downwardAPI and serviceAccountToken sources"
run pexec reader 'cat /etc/greeting.txt'
is "$out" "hello from a configmap" "subPath mounts one key"
run pexec reader 'ls -A /etc/opt | grep -v "^\.\." | head -1'
is "$out" "" "optional configMap that does not exist: an empty volume"
run pexec reader 'touch /etc/cfg/x 2>&1 || echo refused'
like "$out" "refused" "configMap volume is read-only in the container"

# ---- the service-account token -------------------------------------------------------------
sec=$(ocx get sa default -o jsonpath='{.secrets[0].name}')
want=$(ocx get secret "$sec" -o jsonpath='{.data.token}' | base64 -d)
run pexec reader "cat $SADIR/token"
is "$out" "$want" "the default account's token is mounted at $SADIR"
run pexec reader "cat $SADIR/namespace; echo; head -1 $SADIR/ca.crt"
is "$out" "vols
-----BEGIN CERTIFICATE-----" "namespace and ca.crt next to it"
run pexec reader 'test -f /run/secrets/kubernetes.io/serviceaccount/token && echo inside'
is "$out" "inside" "the mount followed the image's /var/run -> /run link inside the root"
ok "the files are on a tmpfs under the pod directory" grep -q " $OCX_BASE/pods/vols/reader/vfiles tmpfs " /proc/mounts
run pexec reader 'echo $KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT:$KUBERNETES_SERVICE_PORT_HTTPS'
is "$out" "$GW:8443:8443" "KUBERNETES_SERVICE_HOST/PORT point at the bridge address"

# ---- the API from inside the pod ---------------------------------------------------------------
apiget() { # in the pod: busybox wget with the mounted token
        pexec reader "wget -q -O - --no-check-certificate --header \"Authorization: Bearer \$(cat $SADIR/token)\" \
                https://\$KUBERNETES_SERVICE_HOST:\$KUBERNETES_SERVICE_PORT$1 2>&1"
}
run apiget /api/v1/namespaces/vols/pods
like "$out" "403" "before any grant the default account cannot list pods"
run ocx policy add-role-to-user view -z default
is "$rc" 0 "developer grants view to the project's default service account"
run apiget /api/v1/namespaces/vols/pods
like "$out" '"kind":"PodList"' "with view the pod lists pods through the API (busybox wget, bearer token)"
like "$out" '"name":"reader"' "and sees itself"
run apiget /api/v1/namespaces/vols/secrets
like "$out" "403" "view does not read secrets"
# DELETE: busybox wget has no method option; curl from the host inside the
# pod's network namespace, with the token read from the container's file,
# verifying the serving certificate for the bridge address
pid=$(cpid reader)
tok=$(cat "/proc/$pid/root/run/secrets/kubernetes.io/serviceaccount/token") # /var/run is a link to /run in this image
is "$tok" "$want" "the host reads the same token through the container's root"
run nsenter --net="/proc/$pid/ns/net" curl -sS --cacert "$CA" -H "Authorization: Bearer $tok" \
        "https://$GW:8443/apis/user.openshift.io/v1/users/~"
like "$out" '"name":"system:serviceaccount:vols:default"' "certificate valid for $GW; the token names system:serviceaccount:vols:default"
run nsenter --net="/proc/$pid/ns/net" curl -sS --cacert "$CA" -X DELETE -H "Authorization: Bearer $tok" \
        "https://$GW:8443/api/v1/namespaces/vols/pods/reader"
like "$out" 'User \\"system:serviceaccount:vols:default\\" cannot delete resource \\"pods\\" in API group \\"\\" in the namespace \\"vols\\"' \
        "deleting is forbidden with view"
is "$(phase reader)" "Running" "reader still runs"

# ---- automount off; waiting for a missing configMap ---------------------------------------------
cat >"$OCX_TMP/quiet.json" <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"quiet"},"spec":{"automountServiceAccountToken":false,"terminationGracePeriodSeconds":1,
 "containers":[{"name":"c","image":"$IMG","command":["sh","-c","exec sleep 3600"],
  "volumeMounts":[{"name":"late","mountPath":"/etc/late"}]}],
 "volumes":[{"name":"late","configMap":{"name":"late-config"}}]}}
EOF
run ocx create -f "$OCX_TMP/quiet.json"
is "$rc" 0 "create a pod whose configMap does not exist yet"
ok "it waits in ContainerCreating saying why" wait_for -t 10 bash -c \
        "$OCX_BIN/ocx get pod quiet -o jsonpath='{.status.containerStatuses[0].state.waiting.message}' | grep -q 'configmap \"late-config\" not found'"
is "$(phase quiet)" "Pending" "and stays Pending"
printf '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"late-config"},"data":{"k":"v"}}' >"$OCX_TMP/late.json"
run ocx create -f "$OCX_TMP/late.json"
is "$rc" 0 "create the configMap"
ok "then the pod runs" wait_phase quiet Running
run pexec quiet "cat /etc/late/k; test -e $SADIR/token || echo ' no-token'"
is "$out" "v no-token" "automountServiceAccountToken: false: no token mounted"

# ---- teardown ----------------------------------------------------------------------------------------
run ocx delete pod quiet
is "$rc" 0 "delete a pod"
ok "its tmpfs is unmounted" bash -c "! grep -q ' $OCX_BASE/pods/vols/quiet/' /proc/mounts"
run ocx cluster down --base-dir "$OCX_BASE"
is "$rc" 0 "cluster down"
ok "no pod tmpfs left after cluster down" bash -c "! grep -q ' $OCX_BASE/pods/' /proc/mounts"

done_testing
