#!/usr/bin/env bash
# Routes through the real router against the real ocxd: `ocx cluster up`
# starts ocx-router (API mode), generated and custom host+path routes,
# balancing over two endpoints written by hand, the 503 page,
# HostAlreadyClaimed across namespaces, an edge route with a test-made
# certificate and Redirect, route validation, service cluster IPs, the
# endpoints controller and the cluster DNS, and `cluster down`.
. "$(dirname "$0")/lib.sh"

for c in python3 curl openssl; do command -v $c >/dev/null || skip_all "$c not installed"; done
[ -x "$OCX_BIN/ocx-router" ] || bail_out "$OCX_BIN/ocx-router not built"

hp=$(free_port); hs=$(free_port); sp=$(free_port); dp=$(free_port)
ocx_up --router-http "127.0.0.1:$hp" --router-https "127.0.0.1:$hs" --router-stats "127.0.0.1:$sp" \
        --dns-listen "127.0.0.1:$dp" || bail_out "ocx cluster up failed"
tmp=$OCX_TMP
rpid=$(cat "$OCX_BASE/run/ocx-router.pid" 2>/dev/null)
ok "cluster up started ocx-router (pid ${rpid:-none})" kill -0 "${rpid:-0}"
like "$(tr '\0' ' ' <"/proc/$rpid/cmdline")" "--kubeconfig $OCX_BASE/router.kubeconfig .*--listen-http 127.0.0.1:$hp" \
        "the router runs in API mode on the requested listener"
run ocx cluster status --base-dir "$OCX_BASE"
like "$out" "ocx-router +running \(pid $rpid\), ready" "cluster status shows the router ready"

# two HTTP backends that name themselves
for b in a b; do
        mkdir -p "$tmp/www-$b/api"
        echo "backend-$b" >"$tmp/www-$b/index.html"
        echo "api-$b" >"$tmp/www-$b/api/x"
done
pa=$(free_port); pb=$(free_port)
while [ "$pb" = "$pa" ]; do pb=$(free_port); done
(cd "$tmp/www-a" && exec python3 -m http.server "$pa" --bind 127.0.0.1 >/dev/null 2>&1) &
ba=$!
(cd "$tmp/www-b" && exec python3 -m http.server "$pb" --bind 127.0.0.1 >/dev/null 2>&1) &
bb=$!
at_exit "kill $ba $bb 2>/dev/null; wait $ba $bb 2>/dev/null"
wait_for -t 10 curl -sf "http://127.0.0.1:$pa/" || bail_out "backend a did not start"
wait_for -t 10 curl -sf "http://127.0.0.1:$pb/" || bail_out "backend b did not start"

cat >"$tmp/objs.yaml" <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: test}
---
apiVersion: v1
kind: Namespace
metadata: {name: other}
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: test, labels: {app: web}}
spec:
  ports: [{name: 8080-tcp, port: 8080, targetPort: 8080}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: web, namespace: test}
subsets:
- addresses: [{ip: 127.0.0.1}]
  ports: [{name: 8080-tcp, port: $pa}]
- addresses: [{ip: 127.0.0.1}]
  ports: [{name: 8080-tcp, port: $pb}]
YAML
run ocx create -f "$tmp/objs.yaml"
is "$rc" 0 "namespaces, service and hand-written endpoints created${err:+: $err}"

# --- service cluster IP ---------------------------------------------------------------------
cip=$(ocx get svc web -n test -o 'jsonpath={.spec.clusterIP}')
like "$cip" '^172\.30\.[0-9]+\.[0-9]+$' "the service got a cluster IP from 172.30.0.0/16 ($cip)"
run ocx create -f - <<YAML
apiVersion: v1
kind: Service
metadata: {name: clash, namespace: test}
spec: {clusterIP: $cip, ports: [{port: 80}]}
YAML
like "$err" "spec.clusterIP: Invalid value: \"$cip\": provided IP is already allocated" "an allocated IP cannot be taken twice"
run ocx create -f - <<YAML
apiVersion: v1
kind: Service
metadata: {name: outside, namespace: test}
spec: {clusterIP: 10.0.0.1, ports: [{port: 80}]}
YAML
like "$err" "provided IP is not in the valid range" "an IP outside the range is refused"

# --- generated host ---------------------------------------------------------------------------
run ocx expose svc/web -n test
is "$out" "route.route.openshift.io/web exposed" "ocx expose svc/web"
host=web-test.127.0.0.1.nip.io
is "$(ocx get route web -n test -o 'jsonpath={.spec.host}')" "$host" "host generated as <name>-<namespace>.<suffix>"
is "$(ocx get route web -n test -o 'jsonpath={.metadata.annotations.openshift\.io/host\.generated}')" true \
        "openshift.io/host.generated annotation"
is "$(ocx get route web -n test -o 'jsonpath={.spec.port.targetPort}')" 8080-tcp "target port is the service's port name"
get() { curl -s --max-time 10 -H "Host: $1" "http://127.0.0.1:$hp$2"; }
code() { curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "Host: $1" "http://127.0.0.1:$hp$2"; }
served() { get "$host" / | grep -q backend-; }
if wait_for -t 10 served; then ok "generated host served through the router"; else
        not_ok "generated host served through the router" "$(tail -5 "$OCX_BASE/logs/ocx-router.log")"; fi
seen=""
for i in $(seq 1 30); do seen="$seen $(get "$host" /)"; done
like "$seen" backend-a "requests reach endpoint a"
like "$seen" backend-b "requests reach endpoint b"
admitted() { test "$(ocx get route web -n test -o 'jsonpath={.status.ingress[0].conditions[0].status}')" = True; }
ok "the router wrote status.ingress Admitted=True" wait_for -t 10 admitted

# --- custom host + path ------------------------------------------------------------------------
run ocx expose svc/web -n test --name api --hostname api.example.com --path /api -l tier=api
is "$rc" 0 "expose with --hostname, --path and -l${err:+: $err}"
is "$(ocx get route api -n test -o 'jsonpath={.metadata.labels.tier},{.metadata.labels.app}')" "api,web" \
        "route labels are the service's plus -l"
api_ok() { get api.example.com /api/x | grep -q '^api-'; }
ok "custom host + path served" wait_for -t 10 api_ok
is "$(code api.example.com /other)" 503 "a path outside the route's prefix gives 503"
is "$(code unknown.example.com /)" 503 "an unknown host gives 503"
like "$(get unknown.example.com /)" "Application is not available" "with the OpenShift 503 page"

# --- HostAlreadyClaimed across namespaces ---------------------------------------------------------
sleep 1.1 # creationTimestamp has seconds precision: make the thief strictly newer
run ocx expose svc/web -n other --name thief --hostname api.example.com --path /api --port 8080-tcp
is "$rc" 0 "a newer route for the same host in another namespace is accepted by the API${err:+: $err}"
claimed() { test "$(ocx get route thief -n other -o 'jsonpath={.status.ingress[0].conditions[0].reason}')" = HostAlreadyClaimed; }
ok "the router rejects it with HostAlreadyClaimed" wait_for -t 10 claimed
like "$(get api.example.com /api/x)" "^api-" "the owner keeps serving the host"

# --- edge route with a test-made certificate, Redirect ------------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/sec.key" -out "$tmp/sec.crt" -days 1 \
        -subj /CN=secure.example.com -addext subjectAltName=DNS:secure.example.com 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/other.key" -out "$tmp/other.crt" -days 1 -subj /CN=x 2>/dev/null
run ocx create route edge bad --service web -n test --hostname bad.example.com --cert "$tmp/sec.crt" --key "$tmp/other.key"
like "$err" "spec.tls.key: Invalid value: \"redacted key data\": private key does not match public key" \
        "a key that does not match the certificate is refused"
echo "not a certificate" >"$tmp/junk.pem"
run ocx create route edge bad --service web -n test --cert "$tmp/junk.pem" --key "$tmp/sec.key"
like "$err" "spec.tls.certificate: .*error decoding certificate data" "a certificate that does not parse is refused"
run ocx create route edge sec --service web -n test --hostname secure.example.com --cert "$tmp/sec.crt" \
        --key "$tmp/sec.key" --insecure-policy Redirect
is "$out" "route.route.openshift.io/sec created" "ocx create route edge${err:+: $err}"
https_ok() { curl -sf --max-time 5 --cacert "$tmp/sec.crt" --resolve "secure.example.com:$hs:127.0.0.1" \
        "https://secure.example.com:$hs/" | grep -q backend-; }
ok "edge route served over TLS with its certificate (verified with curl --resolve)" wait_for -t 10 https_ok
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: secure.example.com' \
        "http://127.0.0.1:$hp/x?y=1")" "302 https://secure.example.com/x?y=1" "insecure policy Redirect: 302 to https"

# --- route validation -------------------------------------------------------------------------------
run ocx create -f - <<'YAML'
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: bad, namespace: test}
spec: {host: Bad_Host.example.com, path: nope, to: {kind: Pod, name: web}, port: {targetPort: 0}}
YAML
like "$err" "spec.host: Invalid value: \"Bad_Host.example.com\"" "an invalid host is refused"
like "$err" "spec.path: Invalid value: \"nope\": path must begin with /" "a path without / is refused"
like "$err" "spec.to.kind: Invalid value: \"Pod\": must reference a Service" "to.kind must be Service"
like "$err" "spec.port.targetPort: Required value" "targetPort 0 is refused"
run ocx create -f - <<'YAML'
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: sub, namespace: test}
spec: {subdomain: shop, to: {name: web}, port: {targetPort: 8080-tcp}}
YAML
is "$rc" 0 "a route with only spec.subdomain is accepted${err:+: $err}"
is "$(ocx get route sub -n test -o 'jsonpath={.spec.host}')" "" "the API server does not set a host for a subdomain"
sub_host() { test "$(ocx get route sub -n test -o 'jsonpath={.status.ingress[0].host}')" = shop.127.0.0.1.nip.io; }
ok "the router serves it as <subdomain>.<router domain>" wait_for -t 10 sub_host

# --- endpoints controller -----------------------------------------------------------------------------
run ocx create -f - <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: sel, namespace: test}
spec:
  selector: {app: sel}
  ports: [{name: http, port: 80, targetPort: http}]
---
apiVersion: v1
kind: Pod
metadata: {name: p1, namespace: test, labels: {app: sel}}
spec:
  # bound to a node that does not exist: the local node agent leaves it alone and the test owns its status
  nodeName: elsewhere
  containers: [{name: c, image: busybox, ports: [{name: http, containerPort: 8080}]}]
YAML
is "$rc" 0 "service with a selector and a matching pod${err:+: $err}"
ep_empty() { ocx get ep sel -n test >/dev/null 2>&1; }
ok "the endpoints controller created Endpoints for it" wait_for -t 10 ep_empty
curl -s --max-time 5 --cacert "$OCX_BASE/pki/ca.crt" --cert "$OCX_BASE/pki/admin.crt" --key "$OCX_BASE/pki/admin.key" \
        -X PATCH -H 'Content-Type: application/merge-patch+json' "$OCX_SERVER/api/v1/namespaces/test/pods/p1/status" \
        -d '{"status":{"podIP":"10.128.0.5","conditions":[{"type":"Ready","status":"True"}]}}' >/dev/null
ep_ready() { test "$(ocx get ep sel -n test -o 'jsonpath={.subsets[0].addresses[0].ip}:{.subsets[0].ports[0].port}')" = 10.128.0.5:8080; }
ok "a ready pod appears in Endpoints with its named port resolved" wait_for -t 10 ep_ready
curl -s --max-time 5 --cacert "$OCX_BASE/pki/ca.crt" --cert "$OCX_BASE/pki/admin.crt" --key "$OCX_BASE/pki/admin.key" \
        -X PATCH -H 'Content-Type: application/merge-patch+json' "$OCX_SERVER/api/v1/namespaces/test/pods/p1/status" \
        -d '{"status":{"conditions":[{"type":"Ready","status":"False"}]}}' >/dev/null
ep_notready() { test "$(ocx get ep sel -n test -o 'jsonpath={.subsets[0].notReadyAddresses[0].ip}')" = 10.128.0.5; }
ok "a pod that is no longer ready moves to notReadyAddresses" wait_for -t 10 ep_notready
ocx delete svc sel -n test >/dev/null 2>&1
ep_gone() { ! ocx get ep sel -n test >/dev/null 2>&1; }
ok "deleting the service deletes its Endpoints" wait_for -t 10 ep_gone

# --- cluster DNS --------------------------------------------------------------------------------------
if command -v dig >/dev/null; then
        is "$(dig +short +time=2 +tries=1 -p "$dp" @127.0.0.1 web.test.svc.cluster.local)" "$cip" \
                "DNS: <svc>.<ns>.svc.cluster.local -> cluster IP"
        is "$(dig +short +tcp +time=2 +tries=1 -p "$dp" @127.0.0.1 $host)" 127.0.0.1 "DNS (TCP): the route host via nip.io"
        is "$(dig +short +time=2 +tries=1 -p "$dp" @127.0.0.1 _8080-tcp._tcp.web.test.svc.cluster.local SRV)" \
                "0 100 8080 web.test.svc.cluster.local." "DNS: SRV for a named service port"
        like "$(dig +time=2 +tries=1 -p "$dp" @127.0.0.1 example.com)" "status: REFUSED" "DNS: other names are refused"
else
        skip "cluster DNS answers" "dig not installed"
fi

# --- cluster down stops the router --------------------------------------------------------------------
run ocx cluster down --base-dir "$OCX_BASE"
like "$out" "Stopped ocx-router \(pid $rpid\)" "cluster down stops the router"
ok "the router is gone" wait_for -t 5 eval "! kill -0 $rpid"
done_testing
