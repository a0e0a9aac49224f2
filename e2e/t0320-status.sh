#!/usr/bin/env bash
# ocx status (spec 5.20): the project header, one block per service with its
# routes (or its cluster IP and ports) and the pods behind it, standalone
# pods, and the footers.
. "$(dirname "$0")/lib.sh"
ocx_up || bail_out "ocx cluster up failed"

run ocx new-project demo --display-name="Demo App"
is "$rc" 0 "new-project with a display name"
run ocx status
is "$out" "In project Demo App (demo) on server $OCX_SERVER

You have no services, deployment configs, or build configs.
Run 'ocx new-app' to create an application." "empty project: header with the display name, new-app hint"

run ocx create -f - <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: localstack}
spec:
  selector: {app: localstack}
  ports: [{name: 4568-tcp, port: 4568}, {name: 8080-tcp, port: 8080, targetPort: 8081}]
---
apiVersion: v1
kind: Service
metadata: {name: db}
spec:
  selector: {app: db}
  ports: [{port: 5432, targetPort: 5433}]
---
apiVersion: v1
kind: Pod
metadata: {name: ls-1, labels: {app: localstack}}
spec:
  nodeName: elsewhere
  containers: [{name: c, image: localstack-lite}]
---
apiVersion: v1
kind: Pod
metadata: {name: lone}
spec:
  nodeName: elsewhere
  containers: [{name: c, image: busybox}]
---
apiVersion: route.openshift.io/v1
kind: Route
metadata: {name: kinesis-test}
spec:
  host: kinesis-test.127.0.0.1.nip.io
  port: {targetPort: 4568-tcp}
  to: {kind: Service, name: localstack}
YAML
is "$rc" 0 "services, pods and a route created${err:+: $err}"
ip=$(ocx get svc db -o 'jsonpath={.spec.clusterIP}')
run ocx status
is "$out" "In project Demo App (demo) on server $OCX_SERVER

svc/db - $ip:5432->5433

http://kinesis-test.127.0.0.1.nip.io to pod port 4568-tcp (svc/localstack)
  pod/ls-1 runs localstack-lite

pod/lone runs busybox

View details with 'ocx describe <resource>/<name>' or list resources with 'ocx get all'." \
        "services with and without routes, the pod behind a service, a standalone pod, the footer"

run ocx status extra
is "$rc" 1 "status takes no arguments"
