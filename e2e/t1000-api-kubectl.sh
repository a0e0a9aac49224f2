#!/usr/bin/env bash
# kubectl (the machine's 1.32 client) against ocxd: discovery, create, get,
# list, watch, update, patch, delete of routes, services, pods (as objects),
# configmaps and SCCs; server-side tables with the oc columns.
. "$(dirname "$0")/lib.sh"
command -v kubectl >/dev/null || skip_all "kubectl not installed"
ocx_up || bail_out "ocx cluster up failed"
W=$OCX_TMP/work
mkdir -p "$W"
k() { kubectl --request-timeout=10s "$@"; }

run k api-resources
is "$rc" 0 "api-resources works"
like "$out" "routes +route.openshift.io/v1 +true +Route" "routes in discovery"
like "$out" "securitycontextconstraints +scc +security.openshift.io/v1 +false" "scc short name in discovery"
unlike "$err" "[Ww]arning|couldn't get" "no discovery warnings"

cat >"$W/route.yaml" <<'YAML'
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: kinesis-test
spec:
  host: kinesis-test.127.0.0.1.nip.io
  port:
    targetPort: 4568-tcp
  to:
    kind: Service
    name: localstack
YAML
cat >"$W/objs.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata:
  name: localstack
  labels: {app: localstack}
spec:
  selector: {app: localstack}
  ports:
  - name: 4568-tcp
    port: 4568
---
apiVersion: v1
kind: Pod
metadata:
  name: web
  labels: {app: localstack}
spec:
  containers:
  - name: web
    image: localstack-lite
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  region: us-east-1
YAML

run k create -f "$W/route.yaml"
is "$out" "route.route.openshift.io/kinesis-test created" "kubectl create route"
run k create -f "$W/objs.yaml"
is "$rc" 0 "kubectl create service, pod, configmap"
like "$out" "pod/web created" "pod created"
run k create -f "$W/route.yaml"
is "$rc" 1 "creating twice fails"
like "$err" 'Error from server \(AlreadyExists\).*routes.route.openshift.io "kinesis-test" already exists' "AlreadyExists text"

run k get routes
is "$(head -1 <<<"$out" | tr -s ' ')" "NAME HOST/PORT PATH SERVICES PORT TERMINATION WILDCARD" "route table columns"
like "$out" "kinesis-test +kinesis-test.127.0.0.1.nip.io +localstack +4568-tcp +None" "route row"
run k get svc
is "$(head -1 <<<"$out" | tr -s ' ')" "NAME TYPE CLUSTER-IP EXTERNAL-IP PORT(S) AGE" "service table columns"
like "$out" "localstack +ClusterIP .*4568/TCP" "service row"
run k get pods
is "$(head -1 <<<"$out" | tr -s ' ')" "NAME READY STATUS RESTARTS AGE" "pod table columns"
like "$out" "web +0/1 +(Pending|ContainerCreating|ErrImagePull|ImagePullBackOff) +0" "pod row (nothing can pull image localstack-lite here)"
run k get cm settings -o jsonpath='{.data.region}'
is "$out" "us-east-1" "configmap jsonpath"
run k get scc restricted
like "$(head -1 <<<"$out" | tr -s ' ')" "^NAME PRIV CAPS SELINUX RUNASUSER FSGROUP SUPGROUP PRIORITY READONLYROOTFS VOLUMES" "scc table columns"
like "$out" "restricted +false" "restricted SCC listed"
run k get all
like "$out" "pod/web" "get all lists pods"
like "$out" "service/localstack" "get all lists services"
like "$out" "route.route.openshift.io/kinesis-test" "get all lists routes"

# watch: a change made while `kubectl get -w` runs shows up as a row
k get configmaps -w >"$W/watch.out" 2>&1 &
wpid=$!
at_exit "kill $wpid"
sleep 0.7
run k patch cm settings --type merge -p '{"data":{"region":"eu-west-1"}}'
is "$out" "configmap/settings patched" "kubectl patch (merge)"
run k label route kinesis-test tier=edge
is "$rc" 0 "kubectl label"
wait_for -t 5 grep -c settings "$W/watch.out" >/dev/null
sleep 0.5
kill "$wpid" 2>/dev/null; wait "$wpid" 2>/dev/null
is "$(grep -c '^settings' "$W/watch.out")" "2" "watch printed the list row and the change"

# update (PUT) via kubectl replace with a stale resourceVersion: 409
k get cm settings -o json >"$W/cm.json"
run k patch cm settings --type json -p '[{"op":"replace","path":"/data/region","value":"ap-south-1"}]'
is "$rc" 0 "kubectl patch (json)"
run k replace -f "$W/cm.json"
is "$rc" 1 "replace with a stale resourceVersion fails"
like "$err" "Conflict.*the object has been modified" "Conflict text"
sed -i '/"resourceVersion"/d' "$W/cm.json"
run k replace -f "$W/cm.json"
is "$rc" 0 "replace without resourceVersion succeeds"
is "$(k get cm settings -o jsonpath='{.data.region}')" "eu-west-1" "replace wrote the data"

# apply: create then configure
cat >"$W/applied.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: applied
data:
  a: "1"
YAML
run k apply -f "$W/applied.yaml"
is "$out" "configmap/applied created" "kubectl apply creates"
sed -i 's/a: "1"/a: "2"/' "$W/applied.yaml"
run k apply -f "$W/applied.yaml"
is "$out" "configmap/applied configured" "kubectl apply configures"
is "$(k get cm applied -o jsonpath='{.data.a}')" "2" "applied value stored"

# edit an SCC through kubectl (the seed's edit, non-interactively)
run k patch scc restricted --type merge -p '{"runAsUser":{"type":"RunAsAny"}}'
is "$rc" 0 "patch scc restricted"
is "$(k get scc restricted -o jsonpath='{.runAsUser.type}')" "RunAsAny" "scc change stored"

# describe works for our kinds and core kinds
run k describe route kinesis-test
like "$out" "Name: +kinesis-test" "describe route"
run k describe cm settings
is "$rc" 0 "describe configmap"

# delete
run k delete route kinesis-test
is "$out" 'route.route.openshift.io "kinesis-test" deleted' "kubectl delete route"
run k get route kinesis-test
like "$err" 'Error from server \(NotFound\): routes.route.openshift.io "kinesis-test" not found' "NotFound after delete"
run k delete -f "$W/objs.yaml"
is "$rc" 0 "kubectl delete -f"
run k get pods
like "$err" "No resources found in default namespace" "pods gone"

# --validate=false still works against strict server-side validation
cat >"$W/bad-route.yaml" <<'YAML'
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: lenient
spec:
  to: {kind: Service, name: x}
  notAField: true
YAML
run k create -f "$W/bad-route.yaml"
is "$rc" 1 "unknown field rejected by default"
like "$err" 'unknown field "spec.notAField"' "unknown field named with its path"
run k create --validate=false -f "$W/bad-route.yaml"
is "$rc" 0 "--validate=false accepts it"
