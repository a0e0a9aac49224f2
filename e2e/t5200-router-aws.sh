#!/usr/bin/env bash
# The seed story's last step: Debian's aws CLI (/usr/bin/aws) against an AWS
# emulator (kinesalite, installed from npm into a cache) through the real
# router and the cluster DNS, by hostname (kinesis-test.127.0.0.1.nip.io) and
# through HTTP_PROXY pointed at the router.
#
# The test runs in its own network and mount namespaces (unshare --net
# --mount): a fresh loopback where the router can take 127.0.0.1:80 and the
# cluster DNS 127.0.0.1:53 without touching anything else on the machine, and
# a private /etc/resolv.conf ("nameserver 127.0.0.1"; resolv.conf cannot name
# a port). Everything stays on that loopback.
. "$(dirname "$0")/lib.sh"

KINESALITE_VERSION=3.3.3
cache=${OCX_TEST_CACHE:-/var/cache/ocx-test}/kinesalite-$KINESALITE_VERSION

if [ -z "${OCX_T5200_INNER:-}" ]; then
        [ -x /usr/bin/aws ] || skip_all "Debian's awscli (/usr/bin/aws) not installed"
        for c in node npm unshare ip curl; do command -v $c >/dev/null || skip_all "$c not installed"; done
        [ "$(id -u)" = 0 ] || skip_all "needs root (network namespace)"
        if [ ! -x "$cache/node_modules/.bin/kinesalite" ]; then
                mkdir -p "$cache.tmp.$$"
                if ! timeout 240 npm install --prefix "$cache.tmp.$$" "kinesalite@$KINESALITE_VERSION" --no-audit \
                        --no-fund --loglevel=error >"$cache.tmp.$$.log" 2>&1; then
                        log=$(tail -5 "$cache.tmp.$$.log")
                        rm -rf "$cache.tmp.$$" "$cache.tmp.$$.log"
                        skip_all "npm cannot fetch kinesalite@$KINESALITE_VERSION: $log"
                fi
                rm -f "$cache.tmp.$$.log"
                rm -rf "$cache" && mv "$cache.tmp.$$" "$cache"
        fi
        unshare --net --mount true 2>/dev/null || skip_all "cannot create network/mount namespaces"
        export OCX_T5200_INNER=1
        trap - EXIT
        exec unshare --net --mount -- bash "$0" "$@"
fi

ip link set lo up || bail_out "cannot bring up lo in the test's network namespace"
unset http_proxy HTTP_PROXY https_proxy HTTPS_PROXY all_proxy ALL_PROXY no_proxy NO_PROXY
# the router on its defaults (127.0.0.1:80/443/1936), the DNS on :53 (all free in this namespace)
ocx_up --dns-listen 127.0.0.1:53 || bail_out "ocx cluster up failed"
tmp=$OCX_TMP
like "$(tr '\0' ' ' <"/proc/$(cat "$OCX_BASE/run/ocx-router.pid")/cmdline")" "--listen-http 127\.0\.0\.1:80 " \
        "the router listens on 127.0.0.1:80"

kp=$(free_port)
node "$cache/node_modules/kinesalite/cli.js" --port "$kp" >"$tmp/kinesalite.log" 2>&1 &
kpid=$!
at_exit "kill $kpid 2>/dev/null; wait $kpid 2>/dev/null"
wait_for -t 15 curl -s -o /dev/null "http://127.0.0.1:$kp/" || bail_out "kinesalite did not start: $(cat "$tmp/kinesalite.log")"

run ocx create -f - <<YAML
apiVersion: v1
kind: Namespace
metadata: {name: test}
---
apiVersion: v1
kind: Service
metadata: {name: localstack, namespace: test}
spec:
  ports: [{name: 4568-tcp, port: 4568, targetPort: 4568}]
---
apiVersion: v1
kind: Endpoints
metadata: {name: localstack, namespace: test}
subsets:
- addresses: [{ip: 127.0.0.1}]
  ports: [{name: 4568-tcp, port: $kp}]
YAML
is "$rc" 0 "service localstack with endpoints on the emulator${err:+: $err}"
# the seed chapter's route.yaml, unchanged
cat >"$tmp/route.yaml" <<'YAML'
apiVersion: route.openshift.io/v1
kind: Route
metadata:
  name: kinesis
  namespace: test
spec:
  host: kinesis-test.127.0.0.1.nip.io
  port:
    targetPort: 4568-tcp
  to:
    kind: Service
    name: localstack
YAML
run ocx create -f "$tmp/route.yaml"
is "$out" "route.route.openshift.io/kinesis created" "ocx create -f route.yaml${err:+: $err}"

host=kinesis-test.127.0.0.1.nip.io
echo "nameserver 127.0.0.1" >"$tmp/resolv.conf"
echo "nameserver 127.0.0.2" >"$tmp/resolv.dead"
mount --bind "$tmp/resolv.conf" /etc/resolv.conf || bail_out "cannot bind-mount /etc/resolv.conf"
# (getent ahosts* would pass AI_ADDRCONFIG, which finds no address on a loopback-only namespace)
resolve() { python3 -c 'import socket, sys; print(socket.gethostbyname(sys.argv[1]))' "$1" 2>/dev/null; }
is "$(resolve "$host")" 127.0.0.1 "the system resolver finds $host through the cluster DNS"
routed() { curl -s -o /dev/null -w '%{http_code}' "http://$host/" | grep -qv 503; }
ok "the router serves the route" wait_for -t 10 routed

# a clean environment: the session's CA and proxy variables must not leak in
awsc() { env -i PATH=/usr/bin:/bin HOME="$tmp" AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x \
        AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= ${PROXY_ENV:-} /usr/bin/aws "$@"; }
run awsc --endpoint-url "http://$host" kinesis create-stream --stream-name teststream --shard-count 2
is "$rc" 0 "aws kinesis create-stream through the route${err:+: $err}"
run awsc --endpoint-url "http://$host" kinesis list-streams --output text
like "$out" "teststream" "aws kinesis list-streams shows it"
active() { awsc --endpoint-url "http://$host" kinesis describe-stream --stream-name teststream --output text \
        --query StreamDescription.StreamStatus | grep -q ACTIVE; }
ok "the stream becomes ACTIVE" wait_for -t 15 active
run awsc --endpoint-url "http://$host" kinesis describe-stream --stream-name teststream --query 'length(StreamDescription.Shards)'
is "$out" 2 "with 2 shards"

# --- through HTTP_PROXY: no name resolution at all, the router parses the absolute-form target
mount --bind "$tmp/resolv.dead" /etc/resolv.conf
isnt "$(resolve "$host")" 127.0.0.1 "with a dead resolver the name no longer resolves"
PROXY_ENV="HTTP_PROXY=http://127.0.0.1:80 NO_PROXY="
run awsc --endpoint-url "http://$host" kinesis put-record --stream-name teststream --partition-key k --data aGVsbG8= \
        --output text --query ShardId
like "$out" "^shardId-" "aws kinesis put-record through HTTP_PROXY=http://127.0.0.1:80${err:+: $err}"
run awsc --endpoint-url "http://$host" kinesis list-streams --output text
like "$out" "teststream" "aws kinesis list-streams through the proxy"
PROXY_ENV=
umount /etc/resolv.conf 2>/dev/null; umount /etc/resolv.conf 2>/dev/null
done_testing
