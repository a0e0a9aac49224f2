#!/usr/bin/env bash
# kubectl's typed generators send protobuf bodies (application/vnd.kubernetes.protobuf):
# create namespace, configmap, secret generic and serviceaccount, read them
# back; malformed protobuf is 400, kinds without a protobuf decoder stay 415.
. "$(dirname "$0")/lib.sh"
command -v kubectl >/dev/null || skip_all "kubectl not installed"
ocx_up || bail_out "ocx cluster up failed"
W=$OCX_TMP/work
mkdir -p "$W"
P=$OCX_BASE/pki
k() { kubectl --request-timeout=10s "$@"; }

run k create namespace typed-ns
is "$out" "namespace/typed-ns created" "kubectl create namespace"
run k get namespace typed-ns -o jsonpath='{.metadata.name} {.status.phase}'
is "$out" "typed-ns Active" "namespace readable and Active"

run k -n typed-ns create configmap settings --from-literal=region=us-east-1 --from-literal=empty=
is "$out" "configmap/settings created" "kubectl create configmap --from-literal"
run k -n typed-ns get configmap settings -o jsonpath='{.data.region}|{.data.empty}|{.metadata.namespace}'
is "$out" "us-east-1||typed-ns" "configmap data read back"

printf '\000\001binary\377' >"$W/blob.bin"
run k -n typed-ns create configmap blobs --from-file=blob="$W/blob.bin"
is "$rc" 0 "kubectl create configmap --from-file with binary content"
run k -n typed-ns get configmap blobs -o jsonpath='{.binaryData.blob}'
is "$out" "$(base64 -w0 <"$W/blob.bin")" "binary content lands in binaryData, base64"

run k -n typed-ns create secret generic db --from-literal=password='s3cr3t!' --from-literal=user=admin
is "$out" "secret/db created" "kubectl create secret generic --from-literal"
run k -n typed-ns get secret db -o jsonpath='{.data.password}'
is "$(base64 -d <<<"$out")" 's3cr3t!' "secret value reads back base64-decoded"
run k -n typed-ns get secret db -o jsonpath='{.type}'
is "$out" "Opaque" "a secret without a type defaults to Opaque"

run k -n typed-ns create secret docker-registry pull --docker-server=r.example --docker-username=u --docker-password=p
is "$rc" 0 "kubectl create secret docker-registry"
run k -n typed-ns get secret pull -o jsonpath='{.type}'
is "$out" "kubernetes.io/dockerconfigjson" "docker-registry secret type carried over"

run k -n typed-ns create serviceaccount ci-bot
is "$out" "serviceaccount/ci-bot created" "kubectl create serviceaccount"
run k -n typed-ns get serviceaccount ci-bot -o jsonpath='{.metadata.name}'
is "$out" "ci-bot" "serviceaccount readable"

run k -n typed-ns get configmaps,secrets,serviceaccounts -o name
like "$out" "configmap/settings" "list shows the configmap"
like "$out" "secret/db" "list shows the secret"
like "$out" "serviceaccount/ci-bot" "list shows the serviceaccount"

run k -n typed-ns create configmap settings --from-literal=a=b
is "$rc" 1 "creating twice fails"
like "$err" 'configmaps "settings" already exists' "AlreadyExists through the protobuf path"
run k -n typed-ns create namespace x --dry-run=server
is "$rc" 0 "server-side dry run with a protobuf body"
run k get namespace x
is "$rc" 1 "dry run stored nothing"

# kinds without a protobuf decoder keep the 415 they had
run k -n typed-ns create service clusterip web --tcp=80
is "$rc" 1 "typed service generator still refused"
like "$err" "unknown format - accepted media types include: application/json, application/yaml" "415 message for services"

# malformed protobuf over the wire: 400 BadRequest naming the field, server keeps running
api() { # PATH BODY-FILE -> $code, $body
        code=$(curl -s -o "$W/body" -w '%{http_code}' --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" \
                -X POST -H "Content-Type: application/vnd.kubernetes.protobuf" --data-binary "@$2" "$OCX_SERVER$1")
        body=$(cat "$W/body")
}
C=/api/v1/namespaces/typed-ns/configmaps
# raw { metadata { name: length 9, only "abc" follows } }
printf 'k8s\000\022\007\012\005\012\011abc' >"$W/short.pb"
api $C "$W/short.pb"
is "$code" 400 "truncated protobuf: 400"
like "$body" '"reason":"BadRequest"' "truncated protobuf: BadRequest"
like "$body" 'metadata.name: length 9 exceeds' "truncated protobuf: field named"
printf 'k8s\000\200' >"$W/varint.pb"
api $C "$W/varint.pb"
is "$code" 400 "truncated varint: 400"
printf '{"kind":"ConfigMap"}' >"$W/json.pb"
api $C "$W/json.pb"
like "$body" "magic bytes" "JSON sent as protobuf: no magic bytes"
ok "ocxd still running" kill -0 "$(cat "$OCX_BASE/run/ocxd.pid")"

run k delete namespace typed-ns --wait=false
is "$rc" 0 "delete the namespace"
