#!/usr/bin/env bash
# ocx-router hardening and the features HAProxy users expect: the sticky
# cookie (HTTP and edge routes, disable_cookies), WebSockets through a route
# (and the tunnel timeout), HTTP/2 over TLS (ALPN), header floods (431/400),
# slowloris clients bounded by the header timeout while other routes serve,
# and the routes/custom-host permission in the API.
. "$(dirname "$0")/lib.sh"

command -v python3 >/dev/null || skip_all "python3 not installed"
command -v curl >/dev/null || skip_all "curl not installed"
command -v openssl >/dev/null || skip_all "openssl not installed"
[ -x "$OCX_BIN/ocx-router" ] || bail_out "$OCX_BIN/ocx-router not built"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocx-t5300.XXXXXX")
at_exit "rm -rf '$tmp'"

# --- backends: two named HTTP backends and a WebSocket echo server ---------------------
cat >"$tmp/backend.py" <<'PY'
import http.server, sys
name, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_GET(self):
        body = (name + "\n").encode()
        if self.path.startswith("/headers"):
            body = "".join("%s: %s\n" % kv for kv in self.headers.items()).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
PY
cat >"$tmp/ws.py" <<'PY'
# ws.py server PORT | ws.py client PORT HOST MSG [IDLE_SECONDS]
import base64, hashlib, os, socket, socketserver, struct, sys, time
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
def recv_exact(s, n):
    b = b""
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c: raise EOFError
        b += c
    return b
def read_frame(s):
    h = recv_exact(s, 2)
    op, n, masked = h[0] & 15, h[1] & 127, h[1] & 128
    if n == 126: n = struct.unpack("!H", recv_exact(s, 2))[0]
    elif n == 127: n = struct.unpack("!Q", recv_exact(s, 8))[0]
    mask = recv_exact(s, 4) if masked else b"\0\0\0\0"
    data = bytes(b ^ mask[i % 4] for i, b in enumerate(recv_exact(s, n)))
    return op, data
def frame(op, data, mask):
    h = bytes([0x80 | op])
    m = 0x80 if mask else 0
    h += bytes([m | len(data)]) if len(data) < 126 else bytes([m | 126]) + struct.pack("!H", len(data))
    if not mask: return h + data
    k = os.urandom(4)
    return h + k + bytes(b ^ k[i % 4] for i, b in enumerate(data))
class WS(socketserver.BaseRequestHandler):
    def handle(self):
        s, buf = self.request, b""
        while b"\r\n\r\n" not in buf:
            c = s.recv(4096)
            if not c: return
            buf += c
        hdrs = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip()
                for l in buf.decode().split("\r\n")[1:] if ":" in l}
        acc = base64.b64encode(hashlib.sha1((hdrs["sec-websocket-key"] + GUID).encode()).digest()).decode()
        s.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                   "Sec-WebSocket-Accept: %s\r\n\r\n" % acc).encode())
        try:
            while True:
                op, data = read_frame(s)
                if op == 8: return
                s.sendall(frame(1, b"echo: " + data, False))
        except (EOFError, ConnectionError):
            return
if sys.argv[1] == "server":
    socketserver.ThreadingTCPServer.allow_reuse_address = True
    socketserver.ThreadingTCPServer(("127.0.0.1", int(sys.argv[2])), WS).serve_forever()
port, host, msg = int(sys.argv[2]), sys.argv[3], sys.argv[4].encode()
idle = float(sys.argv[5]) if len(sys.argv) > 5 else 0
s = socket.create_connection(("127.0.0.1", port), timeout=5)
key = base64.b64encode(os.urandom(16)).decode()
s.sendall(("GET /chat HTTP/1.1\r\nHost: %s\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
           "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n\r\n" % (host, key)).encode())
buf = b""
while b"\r\n\r\n" not in buf:
    c = s.recv(4096)
    if not c: sys.exit("closed during the handshake: %r" % buf)
    buf += c
status = buf.split(b"\r\n")[0].decode()
want = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
if " 101 " not in status + " " or want.encode() not in buf: sys.exit("bad handshake: %r" % buf)
for i in range(3):
    s.sendall(frame(1, msg + b" %d" % i, True))
    op, data = read_frame(s)
    print(data.decode())
if idle:
    time.sleep(idle)
    try:
        s.sendall(frame(1, b"late", True))
        op, data = read_frame(s)
        print("still open: " + data.decode())
    except (EOFError, ConnectionError, socket.timeout):
        print("closed after idle")
PY

pa=$(free_port); pb=$(free_port)
while [ "$pb" = "$pa" ]; do pb=$(free_port); done
pw=$(free_port)
while [ "$pw" = "$pa" ] || [ "$pw" = "$pb" ]; do pw=$(free_port); done
for spec in "backend-a $pa" "backend-b $pb"; do
        set -- $spec
        python3 "$tmp/backend.py" "$1" "$2" >"$tmp/$1.log" 2>&1 &
        at_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
done
python3 "$tmp/ws.py" server "$pw" >"$tmp/ws.log" 2>&1 &
at_exit "kill $! 2>/dev/null; wait $! 2>/dev/null"
wait_for -t 10 curl -sf "http://127.0.0.1:$pa/" >/dev/null || bail_out "backend a did not start"
wait_for -t 10 curl -sf "http://127.0.0.1:$pb/" >/dev/null || bail_out "backend b did not start"

# --- certificate for the edge route, routes, router ------------------------------------------
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/tls.key" -out "$tmp/tls.crt" -days 1 \
        -subj "/CN=*.hard.test" -addext "subjectAltName=DNS:*.hard.test" 2>/dev/null || bail_out "openssl req failed"
route() { # name host extra-spec annotations-json
        printf '{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"%s","namespace":"t","uid":"%s","creationTimestamp":"2026-01-01T00:00:00Z","annotations":%s},"spec":{"host":"%s","to":{"kind":"Service","name":"%s"}%s}},\n' \
                "$1" "$1" "${4:-{\}}" "$2" "${5:-web}" "$3"
}
{
        echo '{"apiVersion":"v1","kind":"List","items":['
        route sticky sticky.hard.test ""
        route plain plain.hard.test "" '{"haproxy.router.openshift.io/disable_cookies":"true"}'
        route secure secure.hard.test ',"tls":{"termination":"edge"}'
        route ws ws.hard.test "" '{}' ws
        route wsshort wsshort.hard.test "" '{"haproxy.router.openshift.io/timeout-tunnel":"1s"}' ws
        cat <<JSON
 {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"web","namespace":"t"},
  "subsets":[{"addresses":[{"ip":"127.0.0.1","targetRef":{"kind":"Pod","name":"web-a"}}],"ports":[{"port":$pa,"protocol":"TCP"}]},
             {"addresses":[{"ip":"127.0.0.1","targetRef":{"kind":"Pod","name":"web-b"}}],"ports":[{"port":$pb,"protocol":"TCP"}]}]},
 {"apiVersion":"v1","kind":"Endpoints","metadata":{"name":"ws","namespace":"t"},
  "subsets":[{"addresses":[{"ip":"127.0.0.1"}],"ports":[{"port":$pw,"protocol":"TCP"}]}]}
]}
JSON
} >"$tmp/routes.json"

rp=$(free_port); rs=$(free_port); sp=$(free_port)
"$OCX_BIN/ocx-router" --routes-file "$tmp/routes.json" --listen-http "127.0.0.1:$rp" --listen-https "127.0.0.1:$rs" \
        --default-cert "$tmp/tls.crt" --default-key "$tmp/tls.key" --stats "127.0.0.1:$sp" \
        --header-timeout 1s --threads 2 >"$tmp/router.log" 2>&1 &
router=$!
at_exit "kill $router 2>/dev/null; wait $router 2>/dev/null"
wait_for -t 10 curl -sf "http://127.0.0.1:$sp/healthz" >/dev/null || bail_out "router not healthy: $(cat "$tmp/router.log")"
wait_for -t 10 curl -sf -H "Host: sticky.hard.test" "http://127.0.0.1:$rp/" >/dev/null || bail_out "route not served"

# --- sticky cookie -------------------------------------------------------------------------
cookie_name=$(python3 -c 'import hashlib; print(hashlib.md5(b" t:sticky").hexdigest())')
run curl -s -D - -o /dev/null -H "Host: sticky.hard.test" "http://127.0.0.1:$rp/"
like "$out" "set-cookie: $cookie_name=[0-9a-f]{32}; path=/; HttpOnly" "first response sets OpenShift's cookie (md5 of ' ns:route')"
like "$out" "cache-control: private" "a response that sets the cookie is not cacheable (nocache)"
seen=""
for i in $(seq 1 12); do seen="$seen $(curl -s -b "$tmp/jar" -c "$tmp/jar" -H "Host: sticky.hard.test" "http://127.0.0.1:$rp/")"; done
n=$(tr ' ' '\n' <<<"$seen" | grep -c . ); distinct=$(tr ' ' '\n' <<<"$seen" | grep . | sort -u | wc -l)
is "$n/$distinct" "12/1" "with the cookie, 12 requests stay on one endpoint"
seen=""
for i in $(seq 1 30); do seen="$seen $(curl -s -H "Host: sticky.hard.test" "http://127.0.0.1:$rp/")"; done
like "$seen" "backend-a" "without the cookie, endpoint a gets requests"
like "$seen" "backend-b" "without the cookie, endpoint b gets requests"
run curl -s -b "$tmp/jar" -b "other=1" -H "Host: sticky.hard.test" "http://127.0.0.1:$rp/headers"
like "$out" "other=1" "other cookies reach the pod"
unlike "$out" "$cookie_name" "the sticky cookie itself does not (indirect)"
run curl -s -D - -o /dev/null -H "Host: plain.hard.test" "http://127.0.0.1:$rp/"
unlike "$out" "set-cookie" "disable_cookies=true: no cookie"
run curl -sk -D - -o /dev/null --resolve "secure.hard.test:$rs:127.0.0.1" "https://secure.hard.test:$rs/"
like "$out" "set-cookie: [0-9a-f]{32}=[0-9a-f]{32}; path=/; HttpOnly; Secure; SameSite=None" "edge route: Secure; SameSite=None"

# --- HTTP/2 ----------------------------------------------------------------------------------
run curl -sk --http2 -o /dev/null -w '%{http_version} %{http_code}' --resolve "secure.hard.test:$rs:127.0.0.1" \
        "https://secure.hard.test:$rs/"
is "$out" "2 200" "HTTP/2 over TLS (ALPN h2)"
run curl -sk --http2 -b "a=1" -b "b=2" --resolve "secure.hard.test:$rs:127.0.0.1" "https://secure.hard.test:$rs/headers"
like "$out" "(x-forwarded-proto|X-Forwarded-Proto): https" "HTTP/2 request forwarded with X-Forwarded-Proto https"

# --- WebSockets --------------------------------------------------------------------------------
run python3 "$tmp/ws.py" client "$rp" ws.hard.test hello
is "$out" "echo: hello 0
echo: hello 1
echo: hello 2" "WebSocket echo through the route"
run python3 "$tmp/ws.py" client "$rp" wsshort.hard.test idle 2.5
like "$out" "closed after idle" "an idle tunnel closes after timeout-tunnel (1s)"
run python3 "$tmp/ws.py" client "$rp" ws.hard.test idle 1.5
like "$out" "still open: echo: late" "the default tunnel timeout (1h) keeps an idle WebSocket"

# --- header floods ----------------------------------------------------------------------------
big=$(head -c 40000 /dev/zero | tr '\0' a)
run curl -s -o /dev/null -w '%{http_code}' -H "Host: sticky.hard.test" -H "X-Big: $big" "http://127.0.0.1:$rp/"
is "$out" "431" "a 40 kB header block: 431"
args=()
for i in $(seq 1 150); do args+=(-H "X-Flood-$i: v"); done
run curl -s -o /dev/null -w '%{http_code}' -H "Host: sticky.hard.test" "${args[@]}" "http://127.0.0.1:$rp/"
is "$out" "400" "150 header fields: 400"

# --- slowloris ---------------------------------------------------------------------------------
cat >"$tmp/slow.py" <<'PY'
# opens N connections that send a request head one byte at a time and
# reports how many the router closed within the deadline
import socket, sys, time
port, n, deadline = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
head = b"GET / HTTP/1.1\r\nHost: sticky.hard.test\r\nX-Slow: " + b"a" * 1000
socks = []
for i in range(n):
    s = socket.create_connection(("127.0.0.1", port)); s.setblocking(False); socks.append(s)
open("/dev/stdout", "w").write("open %d\n" % len(socks))
sys.stdout.flush()
t0, pos, closed = time.time(), 0, set()
while time.time() - t0 < deadline and len(closed) < n:
    for i, s in enumerate(socks):
        if i in closed: continue
        try:
            s.send(head[pos:pos + 1])
            try:
                if s.recv(4096) == b"": closed.add(i)
            except BlockingIOError: pass
        except (BrokenPipeError, ConnectionResetError): closed.add(i)
    pos = min(pos + 1, len(head) - 1)
    time.sleep(0.1)
print("closed %d of %d after %.1fs" % (len(closed), n, time.time() - t0))
PY
python3 "$tmp/slow.py" "$rp" 300 6 >"$tmp/slow.out" 2>&1 &
slow=$!
wait_for -t 5 grep -q open "$tmp/slow.out"
t0=$(date +%s%N)
codes=""
for i in $(seq 1 10); do codes="$codes$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 -H "Host: plain.hard.test" "http://127.0.0.1:$rp/")"; done
ms=$((($(date +%s%N) - t0) / 1000000))
is "$codes" "200200200200200200200200200200" "300 slowloris connections: other requests still served"
ok "... promptly (10 requests in ${ms} ms)" [ "$ms" -lt 3000 ]
wait "$slow"
run cat "$tmp/slow.out"
like "$out" "closed 300 of 300 after [0-3]\." "the router closes slow request heads after --header-timeout (1s)"

# --- routes/custom-host --------------------------------------------------------------------------
ocx_up || bail_out "ocx cluster up failed"
PKI=$OCX_BASE/pki
U=$OCX_TMP/users
mkdir -p "$U"
new_user() { # name: a client certificate and kubeconfig
        openssl ecparam -name prime256v1 -genkey -noout -out "$U/$1.key" 2>/dev/null &&
                openssl req -new -key "$U/$1.key" -subj "/CN=$1" -out "$U/$1.csr" 2>/dev/null &&
                printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >"$U/ext" &&
                openssl x509 -req -in "$U/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 1 \
                        -sha256 -extfile "$U/ext" -out "$U/$1.crt" 2>/dev/null || return 1
        printf 'apiVersion: v1\nkind: Config\nclusters:\n- cluster:\n    certificate-authority: %s\n    server: %s\n  name: ocx\nusers:\n- name: %s\n  user:\n    client-certificate: %s\n    client-key: %s\ncontexts:\n- context:\n    cluster: ocx\n    namespace: default\n    user: %s\n  name: %s\ncurrent-context: %s\n' \
                "$PKI/ca.crt" "$OCX_SERVER" "$1" "$U/$1.crt" "$U/$1.key" "$1" "$1" "$1" >"$U/$1.kubeconfig"
}
as() { local u=$1; shift; "$OCX_BIN/ocx" --kubeconfig "$U/$u.kubeconfig" "$@"; }
new_user carol || bail_out "cannot issue a certificate for carol"
new_user dave || bail_out "cannot issue a certificate for dave"
cat >"$U/route-creator.yaml" <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: route-creator
rules:
- apiGroups: ["route.openshift.io"]
  resources: ["routes"]
  verbs: ["create", "update", "patch", "get"]
YAML
run ocx create -f "$U/route-creator.yaml"
is "$rc" 0 "admin creates a role that may create routes (without routes/custom-host)"
run ocx adm policy add-role-to-user view carol
run ocx adm policy add-role-to-user route-creator carol
run ocx adm policy add-role-to-user edit dave
route_yaml() { # name [host]
        printf 'apiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: %s\nspec:\n%s  to:\n    kind: Service\n    name: web\n' \
                "$1" "${2:+  host: $2
}"
}
route_yaml custom custom.apps.test >"$U/custom.yaml"
route_yaml generated >"$U/generated.yaml"
run as carol create -f "$U/custom.yaml"
is "$rc" 1 "view + create routes: a route with spec.host is refused"
like "$err" 'spec.host: Forbidden: you do not have permission to set the host field of the route' "... with OpenShift's message"
run as carol create -f "$U/generated.yaml"
is "$rc" 0 "... a route without a host is created (generated host)"
run as carol get route generated -o 'jsonpath={.spec.host}'
is "$out" "generated-default.127.0.0.1.nip.io" "... and gets the generated host"
run as dave create -f "$U/custom.yaml"
is "$rc" 0 "edit (has routes/custom-host): a route with spec.host is created"
move='{"spec":{"host":"moved.apps.test"}}'
run as carol patch route generated --type=merge -p "$move"
is "$rc" 1 "changing spec.host without update on routes/custom-host is refused"
like "$err" 'spec.host: Invalid value: "moved.apps.test": field is immutable' "... as immutable"
run as carol patch route generated --type=merge -p '{"metadata":{"labels":{"x":"y"}}}'
is "$rc" 0 "... other changes to the route are allowed"
run as dave patch route generated --type=merge -p "$move"
is "$rc" 0 "edit may change spec.host"
run ocx get route generated -o 'jsonpath={.spec.host}'
is "$out" "moved.apps.test" "... and the host changed"

done_testing
