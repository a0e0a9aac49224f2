#!/usr/bin/env bash
# Router benchmark: wrk through ocx-router (API mode against a real ocxd),
# through HAProxy 2.6 configured for the same 100 routes (one thread, as the
# reference figures, and two), and straight to the nginx backend (1 kB body),
# with keep-alive and with `Connection: close`, plain HTTP and edge TLS;
# route created -> first 200 (median over 20 routes); router RSS with 10 000
# routes. Prints the figures; with WRITE_DOCS=1 appends them to
# docs/benchmarks.md under "Router". Never part of the pass/fail suite.
# Usage: e2e/bench/router.sh   (OCX_BIN defaults to ./build; DURATION=4s CONNS=32 ROUTES_RSS=10000)
set -u
root=$(cd "$(dirname "$0")/../.." && pwd)
OCX_BIN=${OCX_BIN:-$root/build}
DURATION=${DURATION:-4s}
CONNS=${CONNS:-32}
ROUTES_RSS=${ROUTES_RSS:-10000}
for c in wrk nginx haproxy python3 curl; do command -v $c >/dev/null || { echo "router bench: $c not installed"; exit 0; }; done
tmp=$(mktemp -d /tmp/ocx-bench-router.XXXXXX)
pids=()
cleanup() {
        for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
        "$OCX_BIN/ocx" cluster down --clean --base-dir "$tmp/base" >/dev/null 2>&1
        rm -rf "$tmp"
}
trap cleanup EXIT
freeport() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
np=$(freeport); hx=$(freeport); rh=$(freeport); rs=$(freeport); rt=$(freeport); ap=$(freeport)
hx2=$(freeport); hxs=$(freeport); hxs2=$(freeport)

# --- nginx backend: 1 kB body ------------------------------------------------------------------
mkdir -p "$tmp/nginx/logs" "$tmp/www"
head -c 1024 /dev/zero | tr '\0' x >"$tmp/www/index.html"
cat >"$tmp/nginx/nginx.conf" <<NGINX
daemon off; master_process off; worker_processes 1; error_log $tmp/nginx/logs/error.log; pid $tmp/nginx/nginx.pid;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 1000000;
  server { listen 127.0.0.1:$np; root $tmp/www; location / { } } }
NGINX
nginx -p "$tmp/nginx" -c "$tmp/nginx/nginx.conf" 2>/dev/null &
pids+=($!)

# --- the cluster: 100 routes to one service whose endpoints are the nginx ----------------------
export KUBECONFIG=$tmp/kubeconfig
"$OCX_BIN/ocx" cluster up --base-dir "$tmp/base" --listen "127.0.0.1:$ap" --router-http "127.0.0.1:$rh" \
        --router-https "127.0.0.1:$rt" --router-stats "127.0.0.1:$rs" --dns-listen "" >/dev/null || { echo "cluster up failed"; exit 1; }
B=$tmp/base
cat >"$tmp/api.py" <<'PY'
import http.client, json, ssl, sys, time, statistics, socket
base, port, cmd = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ctx = ssl.create_default_context(cafile=base + "/pki/ca.crt")
ctx.load_cert_chain(base + "/pki/admin.crt", base + "/pki/admin.key")
conn = http.client.HTTPSConnection("127.0.0.1", port, context=ctx)
def req(method, path, obj=None):
    body = json.dumps(obj) if obj is not None else None
    conn.request(method, path, body, {"Content-Type": "application/json"} if body else {})
    r = conn.getresponse(); data = r.read()
    if r.status >= 300 and r.status != 409: raise SystemExit("%s %s: %d %s" % (method, path, r.status, data[:200]))
    return data
def route(ns, name, host, edge=False):
    r = {"apiVersion": "route.openshift.io/v1", "kind": "Route", "metadata": {"name": name, "namespace": ns},
         "spec": {"host": host, "to": {"kind": "Service", "name": "web"}, "port": {"targetPort": "http"}}}
    if edge: r["spec"]["tls"] = {"termination": "edge"}
    return r
RP = "/apis/route.openshift.io/v1/namespaces/%s/routes"
if cmd == "setup":
    ns, backend = sys.argv[4], int(sys.argv[5])
    req("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}})
    req("POST", "/api/v1/namespaces/%s/services" % ns, {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
        "spec": {"ports": [{"name": "http", "port": 80, "targetPort": 80}]}})
    req("POST", "/api/v1/namespaces/%s/endpoints" % ns, {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "web"},
        "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"name": "http", "port": backend}]}]})
elif cmd == "routes":
    ns, prefix, n = sys.argv[4], sys.argv[5], int(sys.argv[6])
    edge = len(sys.argv) > 7 and sys.argv[7] == "edge"
    for i in range(n):
        req("POST", RP % ns, route(ns, "%s%d" % (prefix, i), "%s%d.bench.test" % (prefix, i), edge))
elif cmd == "first200":
    ns, rport, n = sys.argv[4], int(sys.argv[5]), int(sys.argv[6])
    out = []
    for i in range(n):
        host = "fresh%d.bench.test" % i
        t0 = time.monotonic()
        req("POST", RP % ns, route(ns, "fresh%d" % i, host))
        while True:
            c = http.client.HTTPConnection("127.0.0.1", rport, timeout=5)
            c.request("GET", "/", headers={"Host": host}); st = c.getresponse().status; c.close()
            if st == 200: break
            if time.monotonic() - t0 > 10: raise SystemExit("route %s not served within 10s" % host)
            time.sleep(0.001)
        out.append((time.monotonic() - t0) * 1000)
    print("%.1f %.1f %.1f" % (statistics.median(out), min(out), max(out)))
PY
py() { python3 "$tmp/api.py" "$B" "$ap" "$@"; }
py setup bench "$np" || exit 1
py routes bench r 100 || exit 1
py routes bench e 100 edge || exit 1
# wait until the router serves the last ones
for i in $(seq 1 200); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' -H 'Host: r99.bench.test' "http://127.0.0.1:$rh/")" = 200 ] &&
                [ "$(curl -sk -o /dev/null -w '%{http_code}' -H 'Host: e99.bench.test' "https://127.0.0.1:$rt/")" = 200 ] && break
        sleep 0.05
done
rthreads=$(grep -o '[0-9]* serving thread' "$B/logs/ocx-router.log" | tail -1 | cut -d' ' -f1)

# --- HAProxy 2.6 with the same 100 routes (host map -> backend, as the OpenShift template does) ---
# (edge: the same map for e<N> hosts behind `bind ... ssl`, the router's default certificate)
cat "$B/pki/router-default.crt" "$B/pki/router-default.key" >"$tmp/haproxy.pem"
for i in $(seq 0 99); do
        echo "r$i.bench.test be_http:bench:r$i"
        echo "e$i.bench.test be_http:bench:r$i"
done >"$tmp/hosts.map"
haproxy_cfg() { # threads http-port https-port
        echo "global"; echo "  maxconn 4000"; echo "  nbthread $1"
        echo "defaults"; echo "  mode http"; echo "  timeout connect 5s"; echo "  timeout client 30s"; echo "  timeout server 30s"
        echo "  option http-keep-alive"
        echo "frontend public"; echo "  bind 127.0.0.1:$2"; echo "  bind 127.0.0.1:$3 ssl crt $tmp/haproxy.pem"
        echo "  http-request set-header Host %[req.hdr(Host),lower]"
        echo "  use_backend %[req.hdr(host),lower,map($tmp/hosts.map)]"
        echo "  default_backend openshift_default"
        echo "backend openshift_default"; echo "  http-request deny deny_status 503"
        for i in $(seq 0 99); do
                echo "backend be_http:bench:r$i"; echo "  server pod 127.0.0.1:$np"
        done
}
haproxy_cfg 1 "$hx" "$hxs" >"$tmp/haproxy.cfg"
haproxy_cfg 2 "$hx2" "$hxs2" >"$tmp/haproxy2.cfg"
haproxy -q -db -f "$tmp/haproxy.cfg" &
pids+=($!)
haproxy -q -db -f "$tmp/haproxy2.cfg" &
pids+=($!)
sleep 0.5

# --- wrk: random route host per request ----------------------------------------------------------
cat >"$tmp/hosts.lua" <<'LUA'
local close = os.getenv("WRK_CLOSE") == "1"
local prefix = os.getenv("WRK_PREFIX") or "r"
request = function()
  local h = { Host = prefix .. math.random(0, 99) .. ".bench.test" }
  if close then h["Connection"] = "close" end
  return wrk.format("GET", "/", h)
end
LUA
bench() { # name port close [https]
        local o scheme=http prefix=r
        [ "${4:-}" = https ] && scheme=https prefix=e
        o=$(WRK_CLOSE=$3 WRK_PREFIX=$prefix wrk -t1 -c"$CONNS" -d"$DURATION" --latency -s "$tmp/hosts.lua" \
                "$scheme://127.0.0.1:$2/" 2>&1)
        local rps p50 p99 non2xx
        rps=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$o")
        p50=$(awk '$1=="50%" {print $2}' <<<"$o")
        p99=$(awk '$1=="99%" {print $2}' <<<"$o")
        non2xx=$(awk '/Non-2xx/ {print $NF}' <<<"$o")
        printf "| %-22s | %-5s | %-10s | %8s | %8s | %8s | %s |\n" "$1" "$scheme" \
                "$([ "$3" = 1 ] && echo close || echo keep-alive)" "$rps" "$p50" "$p99" "${non2xx:-0}"
}
results=$tmp/results.md
{
        echo "| target                 | proto | connection | req/s    | p50      | p99      | non-2xx |"
        echo "|---|---|---|---|---|---|---|"
        for mode in 0 1; do
                bench "direct nginx" "$np" $mode
                bench "ocx-router (${rthreads:-?} threads)" "$rh" $mode
                bench "HAProxy 2.6 (1 thread)" "$hx" $mode
                bench "HAProxy 2.6 (2 threads)" "$hx2" $mode
        done
        for mode in 0 1; do
                bench "ocx-router (${rthreads:-?} threads)" "$rt" $mode https
                bench "HAProxy 2.6 (1 thread)" "$hxs" $mode https
                bench "HAProxy 2.6 (2 threads)" "$hxs2" $mode https
        done
} | tee "$results"

# --- route created -> first 200 -------------------------------------------------------------------
f=$(py first200 bench "$rh" 20) || exit 1
read -r med lo hi <<<"$f"
echo "route created -> first 200: median ${med} ms (min $lo, max $hi) over 20 routes" | tee -a "$results"

# --- RSS with many routes ----------------------------------------------------------------------------
rpid=$(cat "$B/run/ocx-router.pid")
rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$rpid/status")
t0=$(date +%s.%N)
py routes bench m "$ROUTES_RSS" || exit 1
last=$((ROUTES_RSS - 1))
for i in $(seq 1 600); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' -H "Host: m$last.bench.test" "http://127.0.0.1:$rh/")" = 200 ] && break
        sleep 0.1
done
t1=$(date +%s.%N)
sleep 1
rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$rpid/status")
total=$(curl -s "http://127.0.0.1:$rs/metrics" | awk '$1=="ocx_router_routes" {print $2}')
awk -v a="$rss_before" -v b="$rss_after" -v n="$total" -v t0="$t0" -v t1="$t1" -v k="$ROUTES_RSS" 'BEGIN {
        printf "router RSS: %.1f MiB with 220 routes, %.1f MiB with %d routes (%.1f KiB per route); %d routes created through the API and served in %.1f s\n",
                a / 1024, b / 1024, n, (b - a) / (n - 220), k, t1 - t0 }' | tee -a "$results"

if [ "${WRITE_DOCS:-0}" = 1 ]; then
        doc=$root/docs/benchmarks.md
        [ -f "$doc" ] || printf "# Benchmarks\n" >"$doc"
        {
                echo
                grep -q '^## Router' "$doc" || echo "## Router"
                echo
                echo "- $(date +%F) \`e2e/bench/router.sh\` (DURATION=$DURATION CONNS=$CONNS, wrk -t1, ocx-router ${rthreads:-?} threads, HAProxy nbthread 1 and 2, nginx 1 worker) on $(nproc) CPUs ($(uname -r)): 100 routes, 1 kB body, random route host per request"
                echo
                cat "$results"
        } >>"$doc"
        echo "appended to $doc"
fi
