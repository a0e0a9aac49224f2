#!/usr/bin/env bash
# ocx cluster up / status / down / down --clean against the real ocxd.
. "$(dirname "$0")/lib.sh"

ocx_up || bail_out "ocx cluster up failed"
like "$out" "^Cluster started\." "up reports the cluster started"
like "$out" "https://127\.0\.0\.1:$OCX_PORT" "up prints the server URL"
like "$out" "ocx login -u system:admin" "up prints how to log in as administrator"

# --- the API server is up and its certificates work for real clients
ok "readyz answers 200 with the cluster CA" \
        curl -sSf --max-time 5 --cacert "$OCX_BASE/pki/ca.crt" "$OCX_SERVER/readyz"
ok "the serving certificate covers localhost" \
        curl -sSf --max-time 5 --cacert "$OCX_BASE/pki/ca.crt" "https://localhost:$OCX_PORT/readyz"
ok "openssl verifies the serving certificate against the CA" \
        openssl verify -CAfile "$OCX_BASE/pki/ca.crt" -purpose sslserver "$OCX_BASE/pki/apiserver.crt"
ok "openssl verifies the admin client certificate against the CA" \
        openssl verify -CAfile "$OCX_BASE/pki/ca.crt" -purpose sslclient "$OCX_BASE/pki/admin.crt"
like "$(openssl x509 -noout -subject -in "$OCX_BASE/pki/admin.crt")" "O ?= ?system:masters, CN ?= ?system:admin" \
        "admin certificate names system:admin in system:masters"
for f in ca.key apiserver.key admin.key; do
        is "$(stat -c %a "$OCX_BASE/pki/$f")" 600 "pki/$f is mode 0600"
done

# --- pid file names the live ocxd
pid=$(cat "$OCX_BASE/run/ocxd.pid" 2>/dev/null)
like "$pid" '^[0-9]+$' "run/ocxd.pid holds a pid"
ok "ocxd (pid $pid) is alive" kill -0 "$pid"
cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
like "$cmdline" "ocxd .*--base-dir $OCX_BASE .*--listen 127\.0\.0\.1:$OCX_PORT" "the pid is ocxd for this base dir"
isnt "$(ps -o sid= -p "$pid" | tr -d ' ')" "$(ps -o sid= -p $$ | tr -d ' ')" "ocxd runs in its own session"
ok "ocxd logs to logs/ocxd.log" test -f "$OCX_BASE/logs/ocxd.log"

# --- kubeconfig: 0600, system:admin context current, namespace default
ctx="default/127-0-0-1:$OCX_PORT/system:admin"
is "$(stat -c %a "$KUBECONFIG")" 600 "kubeconfig is mode 0600"
like "$(cat "$KUBECONFIG")" "current-context: $ctx" "kubeconfig current context is $ctx"
like "$(cat "$KUBECONFIG")" "namespace: default" "context namespace is default"
like "$(cat "$KUBECONFIG")" "client-certificate-data: " "kubeconfig carries the admin client certificate"
is "$(stat -c %a "$OCX_BASE/admin.kubeconfig")" 600 "admin.kubeconfig is mode 0600"
like "$(cat "$OCX_BASE/admin.kubeconfig")" "current-context: $ctx" "admin.kubeconfig has the same context"
if command -v kubectl >/dev/null; then
        run kubectl --kubeconfig "$KUBECONFIG" get --raw /readyz
        is "$rc" 0 "kubectl (Go TLS) accepts the CA and the admin client certificate${err:+: $err}"
else
        skip "kubectl accepts the kubeconfig" "no kubectl"
fi

# --- up twice is harmless
run ocx cluster up --base-dir "$OCX_BASE" --listen "127.0.0.1:$OCX_PORT"
is "$rc" 0 "second up exits 0"
like "$out" "already running" "second up says the cluster is already running"
is "$(cat "$OCX_BASE/run/ocxd.pid")" "$pid" "second up keeps the same ocxd"

# --- another cluster cannot take the same port
run ocx cluster up --base-dir "$OCX_TMP/other" --listen "127.0.0.1:$OCX_PORT"
is "$rc" 1 "up on a port in use fails"
like "$err" "already in use" "and says the address is in use"

# --- status
run ocx cluster status --base-dir "$OCX_BASE"
is "$rc" 0 "status exits 0 while running"
like "$out" "ocxd +running \(pid $pid\), ready" "status shows ocxd's pid"
like "$out" "$OCX_SERVER" "status shows the server URL"

# --- down stops ocxd by pid
run ocx cluster down --base-dir "$OCX_BASE"
is "$rc" 0 "down exits 0"
like "$out" "Stopped ocxd \(pid $pid\)" "down reports what it stopped"
ok "ocxd is gone" wait_for -t 5 eval "! kill -0 $pid"
ok "pid file removed" test ! -e "$OCX_BASE/run/ocxd.pid"
run ocx cluster status --base-dir "$OCX_BASE"
is "$rc" 1 "status exits 1 when stopped"
like "$out" "ocxd +not running" "status says ocxd is not running"
run ocx cluster down --base-dir "$OCX_BASE"
is "$rc" 0 "down when already stopped exits 0"

# --- up again reuses the PKI; down --clean removes the state
ca_before=$(sha256sum <"$OCX_BASE/pki/ca.crt")
ocx_up || bail_out "second ocx cluster up failed"
is "$(sha256sum <"$OCX_BASE/pki/ca.crt")" "$ca_before" "restart keeps the CA"
diag "cluster up (restart) took ${OCX_UP_SECONDS}s"
run ocx cluster down --clean --base-dir "$OCX_BASE"
is "$rc" 0 "down --clean exits 0"
ok "down --clean removed the base dir" test ! -e "$OCX_BASE"

done_testing
