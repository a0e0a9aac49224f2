#!/usr/bin/env bash
# SCC bad input through the API: as developer, pods that ask for more than
# `restricted` allows get 403 with upstream's message and are not stored; as
# system:admin, SCC objects that would break admission get 422 with field
# paths and are not stored.
. "$(dirname "$0")/lib.sh"

# jx PATH: the value at a jq-style PATH (.a.b["k"][0]) of the JSON on stdin;
# strings raw, anything else as compact JSON ("null" when absent)
jx() {
        python3 -c '
import json, re, sys
v = json.load(sys.stdin)
for name, key, idx in re.findall(r"\.([A-Za-z0-9_]+)|\[\"([^\"]*)\"\]|\[([0-9]+)\]", sys.argv[1]):
        try:
                v = v[int(idx)] if idx else v[name or key]
        except (KeyError, IndexError, TypeError):
                v = None
                break
print(v if isinstance(v, str) else json.dumps(v, separators=(",", ":")))' "$1"
}

ocx_up || bail_out "cluster up failed"
S=$OCX_SERVER
P=$OCX_BASE/pki
W=$OCX_TMP

run ocx login -u developer -p developer
is "$rc" 0 "developer logs in"
run ocx new-project bad
is "$rc" 0 "developer creates project bad"
TOKEN=$(ocx whoami -t)
range=$(ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" get namespace bad -o json |
        jx '.metadata.annotations["openshift.io/sa.scc.uid-range"]')
min=${range%/*}
max=$((min + ${range#*/} - 1))
mcs=$(ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" get namespace bad -o json | jx '.metadata.annotations["openshift.io/sa.scc.mcs"]')

# POST as developer (bearer token); sets $code and $body
post_dev() { # path json
        code=$(curl -s -o "$W/body" -w '%{http_code}' --cacert "$P/ca.crt" -H "Authorization: Bearer $TOKEN" \
                -H 'Content-Type: application/json' -X POST --data-binary "$2" "$S$1")
        body=$(cat "$W/body")
}
post_adm() { # path json
        code=$(curl -s -o "$W/body" -w '%{http_code}' --cacert "$P/ca.crt" --cert "$P/admin.crt" --key "$P/admin.key" \
                -H 'Content-Type: application/json' -X POST --data-binary "$2" "$S$1")
        body=$(cat "$W/body")
}
msg() { jx .message <<<"$body"; }

# pod NAME SPEC-EXTRA CONTAINER-EXTRA  (JSON fragments, each ending in a comma or empty)
pod() {
        echo "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"$1\"},\"spec\":{$2\"nodeName\":\"elsewhere\",
\"containers\":[{\"name\":\"c\",\"image\":\"registry.example/app:1\",$3\"ports\":[{\"containerPort\":8080}]}]}}"
}
refused() { # name spec-extra container-extra fragment what
        post_dev /api/v1/namespaces/bad/pods "$(pod "$1" "$2" "$3")"
        is "$code" 403 "$5: 403"
        like "$(msg)" "^pods \"$1\" is forbidden: unable to validate against any security context constraint: \[" \
                "$5: upstream's message"
        local m
        m=$(msg)
        if grep -qF -- "$4" <<<"$m"; then ok "$5: says '$4'"; else not_ok "$5: says '$4'" "$m"; fi
}

refused uid0 '' '"securityContext":{"runAsUser":0},' \
        "provider restricted: .containers[0].runAsUser: Invalid value: 0: must be in the ranges: [$min, $max]" "uid 0"
refused uid1000 '' '"securityContext":{"runAsUser":1000},' \
        "provider restricted: .containers[0].runAsUser: Invalid value: 1000: must be in the ranges: [$min, $max]" \
        "a uid outside the range"
refused priv '' '"securityContext":{"privileged":true},' \
        "provider restricted: .containers[0].privileged: Invalid value: true: Privileged containers are not allowed" "privileged"
refused cap '' '"securityContext":{"capabilities":{"add":["NET_ADMIN"]}},' \
        'provider restricted: .containers[0].capabilities.add: Invalid value: "NET_ADMIN": capability may not be added' \
        "a capability not allowed"
refused hostnet '"hostNetwork":true,' '' \
        "provider restricted: .spec.securityContext.hostNetwork: Invalid value: true: Host network is not allowed to be used" \
        "hostNetwork"
refused hostpid '"hostPID":true,' '' \
        "provider restricted: .spec.securityContext.hostPID: Invalid value: true: Host PID is not allowed to be used" "hostPID"
refused hostipc '"hostIPC":true,' '' \
        "provider restricted: .spec.securityContext.hostIPC: Invalid value: true: Host IPC is not allowed to be used" "hostIPC"
post_dev /api/v1/namespaces/bad/pods "$(pod hostport '' '' | sed 's/"containerPort":8080/"containerPort":8080,"hostPort":8080/')"
is "$code" 403 "hostPort: 403"
like "$(msg)" 'provider restricted: \.containers\[0\]\.containers\[0\]\.hostPort: Invalid value: 8080: Host ports are not allowed to be used' \
        "hostPort: upstream's doubled path"
refused hostpath '"volumes":[{"name":"h","hostPath":{"path":"/etc"}}],' '' \
        'spec.volumes[0]: Invalid value: "hostPath": hostPath volumes are not allowed to be used' "a hostPath volume"
refused selinux '"securityContext":{"seLinuxOptions":{"level":"s0:c1,c2"}},' '' \
        "provider restricted: .spec.securityContext.seLinuxOptions.level: Invalid value: \"s0:c1,c2\": must be $mcs" \
        "another SELinux level"
refused seccomp '"securityContext":{"seccompProfile":{"type":"Localhost","localhostProfile":"mine.json"}},' '' \
        "pod.metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: Forbidden: seccomp may not be set" \
        "a seccomp profile not listed"
refused sysctl '"securityContext":{"sysctls":[{"name":"kernel.msgmax","value":"65536"}]},' '' \
        'pod.spec.securityContext.sysctls[0]: Forbidden: unsafe sysctl "kernel.msgmax" is not allowed' "an unsafe sysctl"
post_dev /api/v1/namespaces/bad/pods "$(pod fine '' '')"
is "$code" 201 "the same pod without the request is admitted"
run ocx get pods -n bad -o name
is "$out" "pod/fine" "none of the refused pods was stored"

# ---- SCC objects that would break admission: 422 with field paths (as system:admin) ----------
scc() { # name extra-fields
        echo "{\"apiVersion\":\"security.openshift.io/v1\",\"kind\":\"SecurityContextConstraints\",\"metadata\":{\"name\":\"$1\"},
\"seLinuxContext\":{\"type\":\"RunAsAny\"},\"fsGroup\":{\"type\":\"RunAsAny\"},\"supplementalGroups\":{\"type\":\"RunAsAny\"},$2}"
}
invalid_scc() { # name extra field message what
        post_adm /apis/security.openshift.io/v1/securitycontextconstraints "$(scc "$1" "$2")"
        is "$code" 422 "$5: 422"
        is "$(jx .reason <<<"$body")" Invalid "$5: reason Invalid"
        is "$(jx '.details.causes[0].field' <<<"$body")" "$3" "$5: field path $3"
        like "$(jx '.details.causes[0].message' <<<"$body")" "$4" "$5: message"
        run ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" get scc "$1"
        like "$err" "not found" "$5: not stored"
}
invalid_scc big '"priority":3000000000,"runAsUser":{"type":"RunAsAny"}' priority \
        "Invalid value: 3000000000: must be a 32-bit integer" "priority beyond int32"
invalid_scc bogus '"runAsUser":{"type":"Bogus"}' runAsUser.type \
        'Invalid value: "Bogus": invalid strategy type\.  Valid values are MustRunAs, MustRunAsNonRoot, MustRunAsRange, RunAsAny' \
        "unknown strategy type"
invalid_scc neguid '"runAsUser":{"type":"MustRunAs","uid":-1}' runAsUser.uid "Invalid value: -1: uid cannot be negative" \
        "negative uid"
invalid_scc minmax '"runAsUser":{"type":"MustRunAsRange","uidRangeMin":2000,"uidRangeMax":1000}' runAsUser.uidRangeMin \
        "Invalid value: 2000: min cannot be greater than max" "uidRangeMin > uidRangeMax"
post_dev /api/v1/namespaces/bad/pods "$(pod after '' '')"
is "$code" 201 "admission still works after the refused SCCs"

done_testing
