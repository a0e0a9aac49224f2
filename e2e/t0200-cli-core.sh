#!/usr/bin/env bash
# ocx get / create / apply / patch / edit / describe / delete against a real
# cluster (TLS + client certificate from `cluster up`): output formats and
# error texts of the oc spec (1.1, 1.2, 1.4, 5.8-5.13).
. "$(dirname "$0")/lib.sh"

ocx_up || bail_out "ocx cluster up failed"
W=$OCX_TMP/work
mkdir -p "$W"

# --- usage errors
run ocx gett pods
is "$rc" 1 "unknown command exits 1"
like "$err" '^error: unknown command "gett" for "ocx"' "unknown command text"
like "$err" 'Did you mean this\?' "unknown command suggests"
run ocx get pods --bogus
is "$err" "error: unknown flag: --bogus
See 'ocx get --help' for usage." "unknown flag text"
run ocx get
is "$rc" 1 "get without a type exits 1"
like "$err" "error: Required resource not specified\." "get without a type explains"
run ocx get foos
is "$err" 'error: the server doesn'"'"'t have a resource type "foos"' "unknown resource type"

# --- empty namespace
run ocx get pods
is "$rc" 0 "empty get exits 0"
is "$out" "" "empty get prints nothing on stdout"
is "$err" "No resources found in default namespace." "empty get notice on stderr"

cat >"$W/app.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: localstack
  labels:
    app: localstack
spec:
  selector:
    app: localstack
  ports:
  - name: 4568-tcp
    port: 4568
---
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: kinesis-test
  labels:
    app: localstack
spec:
  host: kinesis-test.127.0.0.1.nip.io
  to:
    kind: Service
    name: localstack
  port:
    targetPort: 4568-tcp
YAML

# --- create
run ocx create -f "$W/app.yaml"
is "$rc" 0 "create exits 0"
is "$out" "service/localstack created
route.route.openshift.io/kinesis-test created" "create success lines"
run ocx create -f "$W/app.yaml"
is "$rc" 1 "second create exits 1"
like "$err" "^Error from server \(AlreadyExists\): error when creating \"$W/app.yaml\": " "AlreadyExists text"
is "$(grep -c 'AlreadyExists' <<<"$err")" 2 "every failure reported (create continues)"
run ocx create -f "$W/nothere.yaml"
is "$err" "error: the path \"$W/nothere.yaml\" does not exist" "missing file text"
printf 'apiVersion: v1\nkind: Foo\nmetadata:\n  name: x\n' >"$W/foo.yaml"
run ocx create -f "$W/foo.yaml"
like "$err" 'no matches for kind "Foo" in version "v1"' "unknown kind text"

# --- get tables
run ocx get routes
is "$(head -1 <<<"$out")" "NAME           HOST/PORT                       PATH   SERVICES     PORT       TERMINATION   WILDCARD" \
        "route header (minwidth 6, padding 3)"
like "$(sed -n 2p <<<"$out")" '^kinesis-test   kinesis-test\.127\.0\.0\.1\.nip\.io          localstack   4568-tcp                 None$' \
        "route row"
run ocx get all
like "$out" '^NAME +TYPE +CLUSTER-IP' "get all prints the service table"
like "$out" 'service/localstack ' "get all prefixes kind"
like "$out" 'route\.route\.openshift\.io/kinesis-test ' "get all prefixes kind.group"
like "$out" $'\n\nNAME +HOST/PORT' "tables separated by one blank line"
run ocx get svc,route -o name
is "$out" "service/localstack
route.route.openshift.io/kinesis-test" "-o name"
run ocx get route/kinesis-test -o jsonpath='{.spec.host}'
is "$out" "kinesis-test.127.0.0.1.nip.io" "-o jsonpath on one object"
run ocx get svc -o jsonpath='{range .items[*]}{.metadata.name}{"\n"}{end}'
is "$out" "localstack" "-o jsonpath range over a list"
run ocx get svc -o json
like "$out" '^\{
    "apiVersion": "v1",
    "items": \[' "-o json of a list is a List with 4-space indent"
run ocx get route kinesis-test -o yaml
like "$out" '^apiVersion: route\.openshift\.io/v1
kind: Route
metadata:' "-o yaml sorted keys"
run ocx get routes -A --show-labels
like "$(head -1 <<<"$out")" '^NAMESPACE +NAME .* LABELS$' "-A and --show-labels columns"
like "$out" 'app=localstack' "labels shown"
run ocx get routes -l app=nothing
is "$err" "No resources found in default namespace." "label selector filters"
run ocx get route kinesis-test nope
is "$rc" 1 "partial get exits 1"
like "$out" 'kinesis-test' "found object still printed"
is "$err" 'Error from server (NotFound): routes.route.openshift.io "nope" not found' "NotFound text"

# --- describe
run ocx describe route kinesis-test
like "$out" '^Name: +kinesis-test' "describe Name"
like "$out" $'\nLabels: +app=localstack' "describe Labels"
like "$out" $'\nEvents: +<none>' "describe Events none"
run ocx describe svc local
like "$out" '^Name: +localstack' "describe by prefix"

# --- apply
run ocx apply -f "$W/app.yaml"
is "$rc" 0 "apply on created objects exits 0"
like "$err" "missing the kubectl.kubernetes.io/last-applied-configuration annotation" "apply warns about the annotation"
run ocx apply -f "$W/app.yaml"
is "$out" "service/localstack unchanged
route.route.openshift.io/kinesis-test unchanged" "apply again is unchanged"
sed -i 's/targetPort: 4568-tcp/targetPort: 8080-tcp/' "$W/app.yaml"
run ocx apply -f "$W/app.yaml"
like "$out" "route.route.openshift.io/kinesis-test configured" "apply configures the changed route"
run ocx get route kinesis-test -o jsonpath='{.spec.port.targetPort}'
is "$out" "8080-tcp" "apply changed the live object"

# --- patch
run ocx patch route kinesis-test -p '{"spec":{"port":{"targetPort":"9090-tcp"}}}'
is "$out" "route.route.openshift.io/kinesis-test patched" "patch success line"
run ocx patch route kinesis-test -p '{"spec":{"port":{"targetPort":"9090-tcp"}}}'
is "$out" "route.route.openshift.io/kinesis-test patched (no change)" "patch no change"

# --- edit
cat >"$W/ed-ok.sh" <<'SH'
#!/bin/sh
sed -i 's/targetPort: 9090-tcp/targetPort: 7070-tcp/' "$1"
SH
cat >"$W/ed-bad.sh" <<'SH'
#!/bin/sh
cp "$1" "$(dirname "$0")/seen.$(date +%s%N)"
sed -i 's/^  host: .*/  host: BAD_HOST/' "$1"
SH
chmod +x "$W"/ed-*.sh
OC_EDITOR="$W/ed-ok.sh" run ocx edit route kinesis-test
is "$out" "route.route.openshift.io/kinesis-test edited" "edit success line"
run ocx get route kinesis-test -o jsonpath='{.spec.port.targetPort}'
is "$out" "7070-tcp" "edit changed the object"
EDITOR=true run ocx edit route/kinesis-test
is "$rc" 0 "unchanged edit exits 0"
is "$err" "Edit cancelled, no changes made." "unchanged edit text"
OC_EDITOR="$W/ed-bad.sh" run ocx edit route kinesis-test
is "$rc" 1 "invalid edit saved twice exits 1"
like "$err" '^error: routes\.route\.openshift\.io "kinesis-test" is invalid' "invalid edit error"
like "$err" 'Edit cancelled, no valid changes were saved\.' "invalid edit cancelled"
like "$err" 'A copy of your changes has been stored to "' "invalid edit keeps a copy"
second=$(ls "$W"/seen.* 2>/dev/null | sort | tail -1)
like "$(cat "$second" 2>/dev/null)" $'# routes\\.route\\.openshift\\.io "kinesis-test" was not valid:\n# \\* spec\\.host: ' \
        "reopened file lists the errors after the header"

# --- watch: list first, then one row per event with the widths of the list
timeout 20 "$OCX_BIN/ocx" get svc -w --output-watch-events >"$W/watch.out" 2>&1 &
wpid=$!
at_exit "kill $wpid"
wait_for -t 5 grep -q localstack "$W/watch.out"
printf 'apiVersion: v1\nkind: Service\nmetadata:\n  name: w2\nspec:\n  ports:\n  - port: 80\n' | ocx create -f - >/dev/null
wait_for -t 5 grep -Eq '^ADDED +w2 ' "$W/watch.out"
ocx delete svc w2 >/dev/null
wait_for -t 5 grep -Eq '^DELETED +w2 ' "$W/watch.out"
like "$(head -1 "$W/watch.out")" '^EVENT +NAME +TYPE' "watch prints one header"
like "$(cat "$W/watch.out")" $'\nADDED +w2 +ClusterIP' "watch prints ADDED rows"
like "$(cat "$W/watch.out")" $'\nDELETED +w2 ' "watch prints DELETED rows"
kill "$wpid" 2>/dev/null
wait "$wpid" 2>/dev/null

# --- config
run ocx config current-context
is "$out" "default/127-0-0-1:$OCX_PORT/system:admin" "config current-context"
run ocx config use-context nope
is "$err" 'error: no context exists with the name: "nope"' "use-context unknown"
run ocx config view
like "$out" 'client-key-data: DATA\+OMITTED' "config view redacts keys"

# --- delete
run ocx delete route nope
is "$err" 'Error from server (NotFound): routes.route.openshift.io "nope" not found' "delete missing"
is "$rc" 1 "delete missing exits 1"
run ocx delete route nope --ignore-not-found
is "$rc" 0 "--ignore-not-found"
run ocx delete all -l app=localstack
is "$out" 'service "localstack" deleted
route.route.openshift.io "kinesis-test" deleted' "delete all -l"
run ocx delete svc -l app=localstack
is "$out" "No resources found" "selector matching nothing"

# --- connection errors
run ocx --server "https://127.0.0.1:$(free_port)" get pods
is "$rc" 1 "refused exits 1"
like "$err" '^The connection to the server 127\.0\.0\.1:[0-9]+ was refused - did you specify the right host or port\?$' \
        "connection refused text"

done_testing
