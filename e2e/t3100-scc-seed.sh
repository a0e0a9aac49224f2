#!/usr/bin/env bash
# The seed chapter's SCC workflow through the API: as developer in a new
# project a pod whose image wants root runs under `restricted` with the
# project's first uid and SETUID/SETGID dropped; `ocx edit scc restricted`
# (RunAsAny, keep SETUID/SETGID) lets the same pod keep root; bad edits re-open
# the editor and change nothing; `add-scc-to-user anyuid -z default -n P1`
# works in P1 only; scc-subject-review / scc-review say who may run what and
# the smallest change that would admit a refused pod. When run as root with
# busybox-static, the pods really run and /proc/1/status is checked.
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

RUN=
if [ "$(id -u)" -eq 0 ] && [ -x /bin/busybox ] && command -v ip >/dev/null; then
        RUN=1
        n=$(($$ % 200 + 20))
        export OCX_NODE_BRIDGE=ocxs$n OCX_POD_CIDR=10.$((n % 50 + 130)).$n.0/24
        ROOTFS=$(mktemp -d /tmp/ocx-rootfs.XXXXXX)
        at_exit "rm -rf '$ROOTFS'"
        mkdir -p "$ROOTFS/bin" "$ROOTFS/etc" "$ROOTFS/tmp"
        cp /bin/busybox "$ROOTFS/bin/busybox"
        for a in sh grep sleep; do ln -s busybox "$ROOTFS/bin/$a"; done
        IMG="ocx-rootfs:$ROOTFS" # no image config: the image user is root
else
        IMG="ocx-rootfs:/nonexistent"
fi

ocx_up || bail_out "cluster up failed"
[ -n "$RUN" ] && at_exit "ip link del $OCX_NODE_BRIDGE"
ADMIN=$OCX_BASE/admin.kubeconfig
adm() { "$OCX_BIN/ocx" --kubeconfig "$ADMIN" "$@"; }
jget() { adm get "$@" -o json; }

run ocx login -u developer -p developer
is "$rc" 0 "developer logs in"
run ocx new-project p1
is "$rc" 0 "developer creates project p1"
range=$(jget namespace p1 | jx '.metadata.annotations["openshift.io/sa.scc.uid-range"]')
min=${range%/*}
like "$min" '^1[0-9]{9}$' "p1 has a uid block ($range)"

# a pod with no securityContext; its image runs as root unless told otherwise
pod() { # name [nodeName]
        local node=
        [ -z "$RUN" ] && node='"nodeName":"elsewhere",'
        cat <<EOF
{"apiVersion":"v1","kind":"Pod","metadata":{"name":"$1"},"spec":{$node
 "containers":[{"name":"c","image":"$IMG","command":["sh","-c","grep -E '^(Uid|CapBnd):' /proc/1/status; exec sleep 3600"]}]}}
EOF
}
pod app1 >"$OCX_TMP/app1.json"
run ocx create -f "$OCX_TMP/app1.json"
is "$rc" 0 "developer creates the pod"
p=$(jget pod app1 -n p1)
is "$(jx '.metadata.annotations["openshift.io/scc"]' <<<"$p")" restricted "admitted under restricted"
is "$(jx '.spec.containers[0].securityContext.runAsUser' <<<"$p")" "$min" "runAsUser = the first uid of the project's range"
is "$(jx '.spec.containers[0].securityContext.capabilities.drop' <<<"$p")" '["KILL","MKNOD","SETGID","SETUID"]' \
        "KILL, MKNOD, SETGID and SETUID dropped"
is "$(jx '.spec.securityContext.fsGroup' <<<"$p")" "$min" "fsGroup = the first gid of the block"

logs_of() { wait_for -t 20 bash -c "$OCX_BIN/ocx logs $1 -n p1 2>/dev/null | grep -q CapBnd" && ocx logs "$1" -n p1; }
capbnd() { sed -n 's/^CapBnd:[[:space:]]*//p' <<<"$1"; }
if [ -n "$RUN" ]; then
        logs=$(logs_of app1)
        like "$logs" "Uid:[[:space:]]+$min[[:space:]]" "the process runs as uid $min, not root"
        b=$(capbnd "$logs")
        is "$(((0x${b:-ff}) & 0xc0))" 0 "SETUID and SETGID are not in its bounding set (CapBnd $b)"
else
        skip "the process runs as the range uid" "needs root and busybox-static"
        skip "SETUID and SETGID out of the bounding set" "needs root and busybox-static"
fi

# ---- the reviews say the same before anything runs -----------------------------------------
cat >"$OCX_TMP/asroot.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: asroot
spec:
  containers:
  - name: c
    image: $IMG
    securityContext:
      runAsUser: 0
EOF
run adm adm policy scc-subject-review -n p1 -u developer -f "$OCX_TMP/app1.json"
is "$out" "RESOURCE   ALLOWED BY   
Pod/app1   restricted   " "scc-subject-review -u developer: oc's table, restricted"
run adm adm policy scc-subject-review -n p1 -u developer -f "$OCX_TMP/asroot.yaml"
is "$out" "RESOURCE     ALLOWED BY   
Pod/asroot   <none>       " "a uid 0 pod: <none>"
like "$err" "provider restricted: \.containers\[0\]\.runAsUser: Invalid value: 0: must be in the ranges: \[$min, $((min + 9999))\]" \
        "the refusal says why restricted refused"
like "$err" "not usable by user or serviceaccount: anyuid, " "and which SCCs the user may not use"
like "$err" "smallest change: grant SCC \"anyuid\"" "the smallest change is anyuid (first in admission order)"
like "$err" "ocx adm policy add-scc-to-user anyuid developer -n p1" "with the exact command for the user"
run adm adm policy scc-review -n p1 -z default -f "$OCX_TMP/asroot.yaml"
is "$out" "RESOURCE   SERVICE ACCOUNT   ALLOWED BY   " "scc-review: no service account may run it"
like "$err" "ocx adm policy add-scc-to-user anyuid -z default -n p1" "scc-review suggests the -z command"
run ocx adm policy scc-subject-review -n p1 -f "$OCX_TMP/app1.json"
is "$out" "RESOURCE   ALLOWED BY   
Pod/app1   restricted   " "developer reviews their own pod in their project (admin/edit may create reviews)"
run adm adm policy scc-subject-review -n p1 -z default -f "$OCX_TMP/asroot.yaml" -o json
is "$(jx .status.suggestion.grant <<<"$out") $(jx .status.suggestion.subject.kind <<<"$out") $(jx .status.suggestion.subject.name <<<"$out")" \
        "anyuid ServiceAccount default" "-o json carries the suggestion"

# ---- ocx edit scc restricted: the seed's edit ------------------------------------------------
cat >"$OCX_TMP/seed-editor.sh" <<'EOF'
#!/bin/sh
sed -i -e '/^runAsUser:/,/^[a-zA-Z]/ s/^  type: MustRunAsRange$/  type: RunAsAny/' -e '/^- SETUID$/d' -e '/^- SETGID$/d' "$1"
EOF
chmod +x "$OCX_TMP/seed-editor.sh"
run env EDITOR="$OCX_TMP/seed-editor.sh" "$OCX_BIN/ocx" --kubeconfig "$ADMIN" edit scc restricted
is "$rc" 0 "system:admin edits scc restricted"
is "$out" "securitycontextconstraints.security.openshift.io/restricted edited" "edit reports the change"
s=$(jget scc restricted)
is "$(jx .runAsUser.type <<<"$s")" RunAsAny "runAsUser.type is now RunAsAny"
is "$(jx .requiredDropCapabilities <<<"$s")" '["KILL","MKNOD"]' "SETUID and SETGID no longer required to drop"

pod app2 >"$OCX_TMP/app2.json"
run ocx create -f "$OCX_TMP/app2.json"
is "$rc" 0 "the same pod again"
p=$(jget pod app2 -n p1)
is "$(jx '.metadata.annotations["openshift.io/scc"]' <<<"$p")" restricted "still restricted"
is "$(jx '.spec.containers[0].securityContext.runAsUser' <<<"$p")" null "no runAsUser: the image's user (root) applies"
is "$(jx '.spec.containers[0].securityContext.capabilities.drop' <<<"$p")" '["KILL","MKNOD"]' "SETUID and SETGID kept"
if [ -n "$RUN" ]; then
        logs=$(logs_of app2)
        like "$logs" "Uid:[[:space:]]+0[[:space:]]" "the process runs as root"
        b=$(capbnd "$logs")
        is "$(((0x${b:-0}) & 0xc0))" 192 "SETUID and SETGID are in its bounding set (CapBnd $b)"
else
        skip "the process runs as root" "needs root and busybox-static"
        skip "SETUID and SETGID in the bounding set" "needs root and busybox-static"
fi
run adm adm policy scc-subject-review -n p1 -u developer -f "$OCX_TMP/asroot.yaml"
like "$out" "Pod/asroot +restricted" "after the edit the uid 0 pod is allowed by restricted"

# ---- bad edits re-open the editor and store nothing -----------------------------------------
bad_edit() { # sed-expression expected-error name
        local ed=$OCX_TMP/bad-editor.sh
        rm -f "$OCX_TMP/reopened" "$OCX_TMP/calls"
        cat >"$ed" <<EOF
#!/bin/sh
echo x >>"$OCX_TMP/calls"
if [ ! -f "$OCX_TMP/reopened.flag" ]; then touch "$OCX_TMP/reopened.flag"; sed -i -e '$1' "\$1"; exit 0; fi
cp "\$1" "$OCX_TMP/reopened"
EOF
        chmod +x "$ed"
        rm -f "$OCX_TMP/reopened.flag"
        local before after
        before=$(jget scc restricted | python3 -c 'import json,sys; d=json.load(sys.stdin); d["metadata"].pop("resourceVersion",None); print(json.dumps(d,sort_keys=True))')
        run env EDITOR="$ed" "$OCX_BIN/ocx" --kubeconfig "$ADMIN" edit scc restricted
        is "$rc" 1 "$3: edit fails"
        like "$err" 'error: securitycontextconstraints.security.openshift.io "restricted" is invalid' "$3: the server refuses it"
        is "$(wc -l <"$OCX_TMP/calls")" 2 "$3: the editor is re-opened"
        like "$(cat "$OCX_TMP/reopened" 2>/dev/null)" "^# .*$2" "$3: the re-opened file carries the error"
        like "$err" "A copy of your changes has been stored" "$3: the changes are kept in a file"
        after=$(jget scc restricted | python3 -c 'import json,sys; d=json.load(sys.stdin); d["metadata"].pop("resourceVersion",None); print(json.dumps(d,sort_keys=True))')
        like "$before" '"name": "restricted"' "$3: the SCC was read"
        is "$after" "$before" "$3: the stored SCC is unchanged"
}
bad_edit '/^runAsUser:/,/^[a-zA-Z]/ s/^  type: .*/  type: Bogus/' \
        'runAsUser.type: Invalid value: "Bogus": invalid strategy type' "unknown strategy type"
bad_edit '/^runAsUser:/,/^[a-zA-Z]/ s/^  type: .*/  type: MustRunAs\n  uid: -1/' \
        'runAsUser.uid: Invalid value: -1: uid cannot be negative' "negative uid"
bad_edit '/^runAsUser:/,/^[a-zA-Z]/ s/^  type: .*/  type: MustRunAsRange\n  uidRangeMax: 1000\n  uidRangeMin: 2000/' \
        'runAsUser.uidRangeMin: Invalid value: 2000: min cannot be greater than max' "uidRangeMin > uidRangeMax"

# ---- add-scc-to-user anyuid -z default -n p1: that project only ------------------------------
cat >"$OCX_TMP/restore-editor.sh" <<'EOF'
#!/bin/sh
sed -i -e '/^runAsUser:/,/^[a-zA-Z]/ s/^  type: RunAsAny$/  type: MustRunAsRange/' -e 's/^- MKNOD$/- MKNOD\n- SETUID\n- SETGID/' "$1"
EOF
chmod +x "$OCX_TMP/restore-editor.sh"
run env EDITOR="$OCX_TMP/restore-editor.sh" "$OCX_BIN/ocx" --kubeconfig "$ADMIN" edit scc restricted
is "$rc" 0 "restricted restored"
run ocx new-project p2
is "$rc" 0 "developer creates project p2"
run adm adm policy add-scc-to-user anyuid -z default -n p1
is "$rc" 0 "add-scc-to-user anyuid -z default -n p1"
is "$out" 'clusterrole.rbac.authorization.k8s.io/system:openshift:scc:anyuid added: "default"' "oc's message"
run ocx create -n p2 -f "$OCX_TMP/app1.json"
is "$rc" 0 "p2: the pod"
p=$(jget pod app1 -n p2)
is "$(jx '.metadata.annotations["openshift.io/scc"]' <<<"$p")" restricted "p2: still restricted"
range2=$(jget namespace p2 | jx '.metadata.annotations["openshift.io/sa.scc.uid-range"]')
is "$(jx '.spec.containers[0].securityContext.runAsUser' <<<"$p")" "${range2%/*}" "p2: the range uid"
# app1 exists in p1 already: a new name there
sed 's/"app1"/"app3"/' "$OCX_TMP/app1.json" >"$OCX_TMP/app3.json"
run ocx create -n p1 -f "$OCX_TMP/app3.json"
is "$rc" 0 "p1: the pod again"
p=$(jget pod app3 -n p1)
is "$(jx '.metadata.annotations["openshift.io/scc"]' <<<"$p")" anyuid "p1: anyuid (priority 10) now wins"
is "$(jx '.metadata.annotations["security.openshift.io/validated-scc-subject-type"]' <<<"$p")" serviceaccount \
        "p1: through the service account"
is "$(jx '.spec.containers[0].securityContext.runAsUser' <<<"$p")" null "p1: no runAsUser, the image's root"
is "$(jx '.spec.containers[0].securityContext.capabilities.drop' <<<"$p")" '["MKNOD"]' "p1: only MKNOD dropped"
run adm adm policy scc-review -n p1 -f "$OCX_TMP/asroot.yaml"
like "$out" "Pod/asroot +default +anyuid" "scc-review: default may run the uid 0 pod in p1"
run adm adm policy scc-review -n p2 -f "$OCX_TMP/asroot.yaml"
unlike "$out" "Pod/asroot" "scc-review: but not in p2"

# ---- a pod no SCC admits: the smallest field change ------------------------------------------
for scc in privileged hostaccess hostnetwork hostnetwork-v2; do
        adm patch scc "$scc" --type merge -p '{"allowHostNetwork":false}' >/dev/null
done
cat >"$OCX_TMP/hostnet.yaml" <<EOF
apiVersion: v1
kind: Pod
metadata:
  name: hostnet
spec:
  hostNetwork: true
  containers:
  - name: c
    image: $IMG
EOF
run adm adm policy scc-subject-review -n p2 -u developer -f "$OCX_TMP/hostnet.yaml"
like "$out" "Pod/hostnet +<none>" "no SCC allows host networking any more"
like "$err" 'smallest change: remove `hostNetwork: true` \(spec.hostNetwork\); then SCC "restricted" admits it' \
        "the suggestion is the pod field to drop"

done_testing
