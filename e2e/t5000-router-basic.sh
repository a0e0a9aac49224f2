#!/usr/bin/env bash
# ocx-router on its own (routes file, no API server): balancing across two
# endpoints, the 503 page, forwarded headers, absolute-form requests, a
# backend dying mid-run, table swaps without a restart, request framing.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
command -v curl >/dev/null || skip_all "curl not installed"
[ -x "$OCX_BIN/ocx-router" ] || bail_out "$OCX_BIN/ocx-router not built"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocx-t5000.XXXXXX")
at_exit "rm -rf '$tmp'"

# a backend that names itself and echoes what it received on /headers
cat >"$tmp/backend.py" <<'PY'
import http.server, sys
name, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (name + "\n").encode()
        if self.path.startswith("/headers"):
            body = ("path=%s\n%s" % (self.path, "".join("%s: %s\n" % kv for kv in self.headers.items()))).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    do_POST = do_GET
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY

start_backend() { # name port
        python3 "$tmp/backend.py" "$1" "$2" >"$tmp/$1.log" 2>&1 &
        echo $! >"$tmp/$1.pid"
        at_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
}

pa=$(free_port); pb=$(free_port)
while [ "$pb" = "$pa" ]; do pb=$(free_port); done
start_backend backend-a "$pa"
start_backend backend-b "$pb"
wait_for -t 10 curl -sf "http://127.0.0.1:$pa/" >/dev/null || bail_out "backend a did not start"
wait_for -t 10 curl -sf "http://127.0.0.1:$pb/" >/dev/null || bail_out "backend b did not start"

host=web-test.127.0.0.1.nip.io
write_routes() { # extra-items
        cat >"$tmp/routes.json.new" <<JSON
{"apiVersion":"v1","kind":"List","items":[
 {"apiVersion":"route.openshift.io/v1","kind":"Route",
  "metadata":{"name":"web","namespace":"test","uid":"1","creationTimestamp":"2026-01-01T00:00:00Z"},
  "spec":{"host":"$host","to":{"kind":"Service","name":"web","weight":100},"port":{"targetPort":"http"}}},
 {"apiVersion":"route.openshift.io/v1","kind":"Route",
  "metadata":{"name":"thief","namespace":"other","uid":"2","creationTimestamp":"2026-02-01T00:00:00Z"},
  "spec":{"host":"$host","path":"/stolen","to":{"kind":"Service","name":"web"}}},
 {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web","namespace":"test"},
  "subsets":[{"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"http","port":$pa,"protocol":"TCP"}]},
             {"addresses":[{"ip":"127.0.0.1"}],"ports":[{"name":"http","port":$pb,"protocol":"TCP"}]}]}
 $1
]}
JSON
        mv "$tmp/routes.json.new" "$tmp/routes.json"
}
write_routes ""

rp=$(free_port); sp=$(free_port)
"$OCX_BIN/ocx-router" --routes-file "$tmp/routes.json" --listen-http "127.0.0.1:$rp" --listen-https "" \
        --stats "127.0.0.1:$sp" >"$tmp/router.log" 2>&1 &
router=$!
at_exit "kill $router 2>/dev/null; wait $router 2>/dev/null"
wait_for -t 10 curl -sf "http://127.0.0.1:$sp/healthz" >/dev/null || bail_out "router did not become healthy: $(cat "$tmp/router.log")"
wait_for -t 10 curl -sf -H "Host: $host" "http://127.0.0.1:$rp/" >/dev/null || bail_out "route not served: $(cat "$tmp/router.log")"

get() { curl -s --max-time 10 -H "Host: $1" "http://127.0.0.1:$rp$2"; }
code() { curl -s --max-time 10 -o /dev/null -w '%{http_code}' -H "Host: $1" "http://127.0.0.1:$rp$2"; }

# --- balancing ---------------------------------------------------------------
seen=""
for i in $(seq 1 40); do seen="$seen $(get "$host" /)"; done
like "$seen" "backend-a" "requests reach endpoint a"
like "$seen" "backend-b" "requests reach endpoint b"
is "$(get "WEB-Test.127.0.0.1.nip.io.:$rp" / | grep -c '^backend-')" 1 "Host is case-insensitive, port and a trailing dot ignored"

# --- 503 page ----------------------------------------------------------------
is "$(code unknown.example.com /)" 503 "unknown host gives 503"
like "$(get unknown.example.com /)" "Application is not available" "with the OpenShift page"
# "thief" (another namespace, newer) is HostAlreadyClaimed: /stolen falls to the owner's route
# instead of thief's service, which has no endpoints and would answer 503
is "$(code "$host" /stolen)" 200 "a newer route from another namespace does not take a path of an owned host"
run curl -s -D - -o /dev/null --max-time 10 -H "Host: nope" "http://127.0.0.1:$rp/"
like "$out" "[Cc]ache-[Cc]ontrol: private, max-age=0, no-cache, no-store" "503 page is not cacheable"

# --- forwarded headers -------------------------------------------------------
h=$(get "$host" /headers)
like "$h" "[Hh]ost: $host" "Host passed to the pod unchanged"
like "$h" "x-forwarded-for: 127.0.0.1" "X-Forwarded-For added"
like "$h" "x-forwarded-proto: http" "X-Forwarded-Proto added"
like "$h" "x-forwarded-host: $host" "X-Forwarded-Host added"
like "$h" "x-forwarded-port: $rp" "X-Forwarded-Port added"
like "$h" "forwarded: for=127.0.0.1;host=$host;proto=http" "Forwarded added"
h=$(curl -s --max-time 10 -H "Host: $host" -H "Proxy: http://evil" "http://127.0.0.1:$rp/headers")
unlike "$h" "[Pp]roxy: http://evil" "Proxy header stripped (httpoxy)"

# --- absolute-form (router used as an HTTP proxy) ----------------------------
run curl -s --max-time 10 -x "http://127.0.0.1:$rp" "http://$host/headers?q=1"
is "$rc" 0 "absolute-form request through curl -x"
like "$out" "path=/headers\?q=1" "forwarded in origin-form"
like "$out" "[Hh]ost: $host" "URL authority becomes the Host"
is "$(curl -s --max-time 10 -o /dev/null -w '%{http_code}' -x "http://127.0.0.1:$rp" "http://unknown.example.com/")" 503 \
        "absolute-form to an unknown host gives 503"

# --- request framing ---------------------------------------------------------
raw() { # bytes (printf format) -> status line
        python3 - "$rp" "$1" <<'PY'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
data = b""
try:
    while b"\r\n" not in data:
        b = s.recv(4096)
        if not b: break
        data += b
except Exception: pass
print(data.split(b"\r\n")[0].decode())
PY
}
like "$(raw "POST / HTTP/1.1\r\nHost: $host\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")" " 400 " \
        "Content-Length with Transfer-Encoding rejected"
like "$(raw "POST / HTTP/1.1\r\nHost: $host\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab")" " 400 " \
        "conflicting Content-Length rejected"
big=$(head -c 40000 /dev/zero | tr '\0' a)
like "$(raw "GET / HTTP/1.1\r\nHost: $host\r\nX-Big: $big\r\n\r\n")" " 431 " "oversize headers get 431"

# --- table swap without restart ----------------------------------------------
write_routes ',{"apiVersion":"route.openshift.io/v1","kind":"Route",
  "metadata":{"name":"api","namespace":"test","uid":"3","creationTimestamp":"2026-01-03T00:00:00Z"},
  "spec":{"host":"'"$host"'","path":"/api","to":{"kind":"Service","name":"api"}}}'
api_is_503() { test "$(code "$host" /api/x)" = 503; }
if wait_for -t 10 api_is_503; then ok "new route /api (no endpoints) served as 503 after a file change"
else not_ok "new route /api (no endpoints) served as 503 after a file change" "$(cat "$tmp/router.log")"; fi
is "$(code "$host" /apix)" 200 "/api does not capture /apix"
is "$(kill -0 $router 2>&1 && echo alive)" alive "same router process"

# --- an endpoint dies mid-run ------------------------------------------------
kill "$(cat "$tmp/backend-b.pid")"
wait "$(cat "$tmp/backend-b.pid")" 2>/dev/null
codes=""
for i in $(seq 1 30); do codes="$codes$(code "$host" /) "; done
unlike "$codes" "50[0-9]" "requests keep succeeding after endpoint b died"
like "$(curl -s "http://127.0.0.1:$sp/metrics")" "ocx_router_retries_total [1-9]" "the failed connect was retried"

# --- stats ---------------------------------------------------------------------
m=$(curl -s "http://127.0.0.1:$sp/metrics")
like "$m" "ocx_router_requests_total [0-9]+" "/metrics in Prometheus format"
like "$m" "ocx_router_routes_rejected 1" "the claimed route is counted as rejected"

done_testing
