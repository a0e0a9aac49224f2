#!/usr/bin/env bash
# Bad input over the wire (HTTPS, admin client certificate): every case gets
# the right Status code and reason, ocxd keeps running, nothing is stored.
. "$(dirname "$0")/lib.sh"
ocx_up || bail_out "ocx cluster up failed"
W=$OCX_TMP/work
mkdir -p "$W"
P=$OCX_BASE/pki
api() { # METHOD PATH [CONTENT-TYPE] [BODY-FILE] -> $code, $body
        local m=$1 p=$2 ct=${3:-application/json} f=${4:-}
        local args=(-s -o "$W/body" -w '%{http_code}' --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key"
                -X "$m" -H "Content-Type: $ct")
        [ -n "$f" ] && args+=(--data-binary "@$f")
        code=$(curl "${args[@]}" "$OCX_SERVER$p")
        body=$(cat "$W/body")
}
R=/apis/route.openshift.io/v1/namespaces/default/routes
ocxd_pid=$(cat "$OCX_BASE/run/ocxd.pid")

printf '{"apiVersion":"route.openshift.io/v1","kind":"Route","metadata":{"name":"r1"},\n "spec": {"to": {"name": "svc"' >"$W/malformed.json"
api POST $R application/json "$W/malformed.json"
is "$code" 400 "malformed JSON: 400"
like "$body" '"reason":"BadRequest"' "malformed JSON: BadRequest"
like "$body" 'line 2, column' "malformed JSON: parser position"

printf 'apiVersion: route.openshift.io/v1\nkind: Route\nmetadata:\n  name: r1\n spec: [\n' >"$W/malformed.yaml"
api POST $R application/yaml "$W/malformed.yaml"
is "$code" 400 "malformed YAML: 400"
like "$body" 'yaml: line [0-9]+' "malformed YAML: line number"

api GET /apis/route.openshift.io/v9/namespaces/default/routes
is "$code" 404 "unknown version: 404"
api GET /apis/nope.example.com/v1/widgets
is "$code" 404 "unknown group: 404"

printf '{"metadata":{"name":"r1"},"spec":{"to":{"name":"svc","weight":"heavy"}}}' >"$W/type.json"
api POST $R application/json "$W/type.json"
is "$code" 422 "wrong field type: 422"
like "$body" '"field":"spec.to.weight"' "wrong field type: field path"

printf '{"metadata":{"name":"Not_A_Name"},"spec":{"to":{"name":"svc"}}}' >"$W/name.json"
api POST $R application/json "$W/name.json"
is "$code" 422 "non DNS-1123 name: 422"
like "$body" "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters" "upstream DNS-1123 message"

head -c $((3 * 1024 * 1024 + 100)) /dev/zero | tr '\0' 'a' | sed 's/^/{"metadata":{"name":"big"},"data":{"x":"/; s/$/"}}/' >"$W/big.json"
api POST /api/v1/namespaces/default/configmaps application/json "$W/big.json"
is "$code" 413 "body over 3 MiB: 413 with a response"
like "$body" '"reason":"RequestEntityTooLarge"' "413 Status reason"

python3 -c 'print("{\"metadata\":{\"name\":\"deep\"},\"data\":" + "{\"a\":" * 5000 + "1" + "}" * 5000 + "}")' >"$W/deep.json"
api POST /api/v1/namespaces/default/configmaps application/json "$W/deep.json"
is "$code" 400 "deeply nested JSON: 400"

printf '{"metadata":{"name":"dup","name":"dup2"},"spec":{"to":{"name":"svc"}}}' >"$W/dup.json"
api POST $R application/json "$W/dup.json"
is "$code" 400 "duplicate keys: 400"
like "$body" "duplicate key 'name'" "duplicate key named"

printf '{"metadata":{"name":"r2"},"spec":{"to":{"name":"svc"},"hots":"x"}}' >"$W/unknown.json"
api POST $R application/json "$W/unknown.json"
is "$code" 400 "unknown field: 400"
like "$body" 'unknown field \\"spec.hots\\"' "unknown field path"

printf '{"metadata":{"name":"r3"},"spec":{"to":{"name":"svc"}}}' >"$W/ok.json"
api POST $R application/json "$W/ok.json"
is "$code" 201 "valid route created"
# optimistic concurrency on a configmap (the router writes route status, which would race a route)
CMS=/api/v1/namespaces/default/configmaps
printf '{"metadata":{"name":"occ"},"data":{"a":"1"}}' >"$W/occ.json"
api POST $CMS application/json "$W/occ.json"
rv=$(sed 's/.*"resourceVersion":"\([0-9]*\)".*/\1/' <<<"$body")
printf '{"metadata":{"name":"occ","resourceVersion":"%s"},"data":{"a":"2"}}' "$rv" >"$W/upd.json"
api PUT $CMS/occ application/json "$W/upd.json"
is "$code" 200 "update with the current resourceVersion"
api PUT $CMS/occ application/json "$W/upd.json"
is "$code" 409 "stale resourceVersion: 409"
like "$body" '"reason":"Conflict"' "stale resourceVersion: Conflict"
printf '{"metadata":{"name":"r3","namespace":"other"},"spec":{"to":{"name":"svc"}}}' >"$W/ns.json"
api PUT $R/r3 application/json "$W/ns.json"
is "$code" 422 "changing metadata.namespace: 422"
printf '{"metadata":{"name":"zzz"},"spec":{"to":{"name":"svc"}}}' >"$W/rename.json"
api PUT $R/r3 application/json "$W/rename.json"
is "$code" 422 "changing metadata.name: 422"
printf '{"metadata":{"name":"r3","uid":"6f5bbb2e-0000-4000-8000-000000000000"},"spec":{"to":{"name":"svc"}}}' >"$W/uid.json"
api PUT $R/r3 application/json "$W/uid.json"
is "$code" 422 "changing metadata.uid: 422"
like "$body" 'field is immutable' "immutable message"

api POST /apis/route.openshift.io/v1/routes application/json "$W/ok.json"
is "$code" 404 "namespaced kind without a namespace: 404"
api GET "/api/v1/namespaces/default/secrets/..%2f..%2fetc"
like "$code" '^40[04]$' "encoded traversal in a name is refused"
code=$(curl -s -o /dev/null -w '%{http_code}' --path-as-is --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" \
        "$OCX_SERVER/api/v1/namespaces/default/../../secrets")
is "$code" 400 "path traversal: 400"

api DELETE $R application/json
is "$code" 200 "deletecollection answers"
api GET $R
like "$body" '"items":\[\]' "nothing left after deletecollection"

# unauthenticated and foreign-CA clients
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.crt" "$OCX_SERVER/api/v1/namespaces")
is "$code" 401 "no client certificate: 401"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$W/evil.key" -out "$W/evil.crt" \
        -subj "/CN=system:admin/O=system:masters" -days 1 2>/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$P/ca.crt" --cert "$W/evil.crt" --key "$W/evil.key" "$OCX_SERVER/api/v1/namespaces")
like "$code" '^(401|000)$' "certificate from another CA refused"

ok "ocxd survived all of it" kill -0 "$ocxd_pid"
api GET /api/v1/namespaces/default/configmaps
unlike "$body" '"name":"(big|deep|dup)"' "no rejected object was stored"
