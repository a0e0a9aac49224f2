#!/usr/bin/env bash
# ocx-router edge TLS: SNI picks the route's certificate, the default
# certificate otherwise, HTTP/2 by ALPN, insecureEdgeTerminationPolicy.
. "$(dirname "$0")/lib.sh"

for c in python3 curl openssl; do command -v $c >/dev/null || skip_all "$c not installed"; done
[ -x "$OCX_BIN/ocx-router" ] || bail_out "$OCX_BIN/ocx-router not built"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/ocx-t5001.XXXXXX")
at_exit "rm -rf '$tmp'"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/def.key" -out "$tmp/def.crt" -days 1 -subj /CN=default 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/r.key" -out "$tmp/r.crt" -days 1 -subj /CN=secure.example.com 2>/dev/null
mkdir "$tmp/www" && echo backend > "$tmp/www/who"
bp=$(free_port)
(cd "$tmp/www" && exec python3 -m http.server "$bp" --bind 127.0.0.1 >/dev/null 2>&1) &
backend=$!
at_exit "kill $backend 2>/dev/null; wait $backend 2>/dev/null"
python3 - "$tmp" "$bp" <<'PY'
import json, sys
d, port = sys.argv[1], int(sys.argv[2])
cert, key = open(d + "/r.crt").read(), open(d + "/r.key").read()
def route(name, host, tls):
    return {"kind": "Route", "metadata": {"name": name, "namespace": "t", "uid": name,
            "creationTimestamp": "2026-01-01T00:00:00Z"}, "spec": {"host": host, "to": {"name": "web"}, "tls": tls}}
items = [route("sec", "secure.example.com", {"termination": "edge", "insecureEdgeTerminationPolicy": "Redirect",
                                             "certificate": cert, "key": key}),
         route("dflt", "plain-tls.example.com", {"termination": "edge"}),
         route("allow", "allow.example.com", {"termination": "edge", "insecureEdgeTerminationPolicy": "Allow"}),
         {"kind": "Endpoints", "metadata": {"name": "web", "namespace": "t"},
          "subsets": [{"addresses": [{"ip": "127.0.0.1"}], "ports": [{"port": port}]}]}]
json.dump({"kind": "List", "items": items}, open(d + "/routes.json", "w"))
PY
hp=$(free_port); sp=$(free_port)
"$OCX_BIN/ocx-router" --routes-file "$tmp/routes.json" --listen-http "127.0.0.1:$hp" --listen-https "127.0.0.1:$sp" \
        --stats "" --default-cert "$tmp/def.crt" --default-key "$tmp/def.key" >"$tmp/router.log" 2>&1 &
router=$!
at_exit "kill $router 2>/dev/null; wait $router 2>/dev/null"
served() { curl -sf --max-time 5 --cacert "$tmp/r.crt" --resolve "secure.example.com:$sp:127.0.0.1" \
        "https://secure.example.com:$sp/who" >/dev/null; }
wait_for -t 10 served || bail_out "https route not served: $(cat "$tmp/router.log")"

is "$(curl -s --max-time 5 --cacert "$tmp/r.crt" --resolve "secure.example.com:$sp:127.0.0.1" \
        "https://secure.example.com:$sp/who")" backend "route certificate chosen by SNI (verified against it)"
run sh -c "echo | openssl s_client -connect 127.0.0.1:$sp -servername plain-tls.example.com 2>/dev/null"
like "$out" "subject=CN ?= ?default" "default certificate for an edge route without its own"
is "$(curl -sk --max-time 5 -o /dev/null -w '%{http_version}' --resolve "plain-tls.example.com:$sp:127.0.0.1" \
        "https://plain-tls.example.com:$sp/who")" 2 "HTTP/2 via ALPN"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code} %{redirect_url}' -H 'Host: secure.example.com' \
        "http://127.0.0.1:$hp/who")" "302 https://secure.example.com/who" "insecure policy Redirect: 302 to https"
is "$(curl -s --max-time 5 -o /dev/null -w '%{http_code}' -H 'Host: plain-tls.example.com' "http://127.0.0.1:$hp/who")" \
        503 "insecure policy None: not served over http"
is "$(curl -s --max-time 5 -H 'Host: allow.example.com' "http://127.0.0.1:$hp/who")" backend \
        "insecure policy Allow: served over http"
done_testing
