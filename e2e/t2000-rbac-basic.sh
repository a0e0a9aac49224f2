#!/usr/bin/env bash
# RBAC against a real cluster: two extra users with client certificates issued
# by the cluster CA (openssl), upstream Forbidden texts, a `view` grant allows
# reads but not deletes, escalation refused (edit may not bind admin), refused
# requests change nothing, SCC grants, auth can-i, who-can.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip_all "openssl not installed"
ocx_up || bail_out "ocx cluster up failed"
PKI=$OCX_BASE/pki
U=$OCX_TMP/users
mkdir -p "$U"

# client certificate (CN = user, O = groups) + kubeconfig for one user
new_user() {
        local u=$1 subj="/CN=$1" g
        shift
        for g in "$@"; do subj="$subj/O=$g"; done
        openssl ecparam -name prime256v1 -genkey -noout -out "$U/$u.key" 2>/dev/null &&
                openssl req -new -key "$U/$u.key" -subj "$subj" -out "$U/$u.csr" 2>/dev/null &&
                printf 'extendedKeyUsage=clientAuth\nkeyUsage=critical,digitalSignature\n' >"$U/ext" &&
                openssl x509 -req -in "$U/$u.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 1 -sha256 \
                        -extfile "$U/ext" -out "$U/$u.crt" 2>/dev/null || return 1
        cat >"$U/$u.kubeconfig" <<EOF
apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority: $PKI/ca.crt
    server: $OCX_SERVER
  name: ocx
users:
- name: $u
  user:
    client-certificate: $U/$u.crt
    client-key: $U/$u.key
contexts:
- context:
    cluster: ocx
    namespace: default
    user: $u
  name: $u
current-context: $u
EOF
}
as() {
        local u=$1
        shift
        "$OCX_BIN/ocx" --kubeconfig "$U/$u.kubeconfig" "$@"
}

new_user alice || bail_out "cannot issue a certificate for alice"
new_user bob || bail_out "cannot issue a certificate for bob"

cat >"$U/cm.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: blue
YAML
run ocx create -f "$U/cm.yaml"
is "$rc" 0 "admin creates a configmap"

# --- nothing granted yet: upstream Forbidden texts
run as alice get pods
is "$rc" 1 "alice may not list pods"
is "$err" 'Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource "pods" in API group "" in the namespace "default"' \
        "list forbidden text"
run as alice get configmap settings
is "$err" 'Error from server (Forbidden): configmaps "settings" is forbidden: User "alice" cannot get resource "configmaps" in API group "" in the namespace "default"' \
        "get forbidden text names the object"
run as alice get scc
is "$err" 'Error from server (Forbidden): securitycontextconstraints.security.openshift.io is forbidden: User "alice" cannot list resource "securitycontextconstraints" in API group "security.openshift.io" at the cluster scope' \
        "cluster-scoped forbidden text"
run as alice auth can-i list pods
is "$out/$rc" "no/1" "can-i says no and exits 1"
run as alice auth can-i get /version
is "$out/$rc" "yes/0" "non-resource URL allowed to authenticated users"
run as alice auth can-i get /metrics
is "$out/$rc" "no/1" "other non-resource URLs are not"

# --- a view grant: reads yes, writes no
run ocx adm policy add-role-to-user view alice
is "$out" 'clusterrole.rbac.authorization.k8s.io/view added: "alice"' "add-role-to-user output"
run as alice get configmap settings -o jsonpath='{.data.color}'
is "$out/$rc" "blue/0" "view allows get"
run as alice auth can-i list pods
is "$out/$rc" "yes/0" "can-i follows the grant"
run as alice delete configmap settings
is "$rc" 1 "view does not allow delete"
is "$err" 'Error from server (Forbidden): configmaps "settings" is forbidden: User "alice" cannot delete resource "configmaps" in API group "" in the namespace "default"' \
        "delete forbidden text"
run ocx get configmap settings -o jsonpath='{.data.color}'
is "$out" "blue" "the refused delete changed nothing"
run as alice get secrets
is "$rc" 1 "view hides secrets"
run as alice get pods -n kube-system
is "$rc" 1 "the grant is limited to its namespace"
run as alice auth can-i delete configmaps
is "$out/$rc" "no/1" "can-i delete: no"
run ocx adm policy add-role-to-user view alice
is "$out/$rc" 'clusterrole.rbac.authorization.k8s.io/view added: "alice"/0' "granting again is a no-op"
run ocx get rolebindings -o name
is "$out" "rolebinding.rbac.authorization.k8s.io/view" "no second binding"

# --- escalation: bob with edit may not bind admin
run ocx adm policy add-role-to-user edit bob
is "$rc" 0 "bob gets edit"
run as bob adm policy add-role-to-user admin bob
is "$rc" 1 "edit cannot grant admin"
like "$err" 'User "bob" cannot list resource "rolebindings" in API group "rbac.authorization.k8s.io" in the namespace "default"' \
        "edit has no access to bindings"
cat >"$U/rb-writer.yaml" <<'YAML'
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: rb-writer
rules:
- apiGroups: ["rbac.authorization.k8s.io"]
  resources: ["rolebindings"]
  verbs: ["create", "get", "list", "update"]
YAML
run ocx create -f "$U/rb-writer.yaml"
is "$rc" 0 "admin creates a role that may write bindings"
run ocx adm policy add-role-to-user rb-writer bob
is "$rc" 0 "bob may now write bindings"
run as bob adm policy add-role-to-user admin bob
is "$rc" 1 "binding admin is still refused"
like "$err" '^Error from server \(Forbidden\): rolebindings.rbac.authorization.k8s.io "admin" is forbidden: user "bob" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held:' \
        "escalation message"
like "$err" '\{APIGroups:\["rbac.authorization.k8s.io"\], Resources:\["rolebindings"\], Verbs:\["delete" "deletecollection" "patch" "watch"\]\}' \
        "escalation lists the missing permissions"
run ocx get rolebinding admin
is "$rc" 1 "no admin binding was written"
run as bob auth can-i delete rolebindings
is "$out" "no" "bob gained nothing"
run as bob adm policy add-role-to-user view alice --rolebinding-name=bob-grants-view
is "$out/$rc" 'clusterrole.rbac.authorization.k8s.io/view added: "alice"/0' "bob may grant what he holds"
run as bob create -f "$U/rb-writer.yaml"
is "$rc" 1 "bob may not create cluster roles"

# --- remove
run ocx adm policy remove-role-from-user view alice
is "$out" 'clusterrole.rbac.authorization.k8s.io/view removed: "alice"' "remove-role-from-user output"
run as alice get configmap settings
is "$rc" 1 "the grant is gone"
run ocx get rolebindings -o name
unlike "$out" "rolebinding.rbac.authorization.k8s.io/view$" "emptied binding deleted"

# --- SCCs: restricted for everyone, -v2 for nobody, grants through RBAC
run as alice auth can-i use scc restricted
is "$out" "yes" "every authenticated user may use restricted"
run as alice auth can-i use scc restricted-v2
is "$out" "no" "restricted-v2 is granted to nobody"
run as alice auth can-i use scc anyuid
is "$out" "no" "anyuid is not for alice"
run ocx adm policy add-scc-to-user anyuid alice -z default
is "$out" 'clusterrole.rbac.authorization.k8s.io/system:openshift:scc:anyuid added: ["alice" "default"]' "add-scc-to-user output"
run as alice auth can-i use scc anyuid
is "$out" "yes" "the SCC grant applies"
run ocx get clusterrolebinding system:openshift:scc:anyuid -o jsonpath='{.subjects[*].name}'
like "$out" "alice default" "binding holds the user and the service account"
run ocx adm policy remove-scc-from-user anyuid alice
is "$out" 'clusterrole.rbac.authorization.k8s.io/system:openshift:scc:anyuid removed: "alice"' "remove-scc-from-user output"
run as alice auth can-i use scc anyuid
is "$out" "no" "the SCC grant is gone"
run ocx adm policy add-scc-to-user
is "$err" "error: you must specify a scc" "add-scc-to-user without arguments"

# --- who-can
run ocx adm policy who-can delete configmaps
like "$out" "bob" "who-can lists bob (edit)"
like "$out" "system:masters" "who-can lists system:masters"
unlike "$out" "alice" "who-can does not list alice"

# --- anonymous: health yes, discovery no
run curl -sk -o /dev/null -w '%{http_code}' "$OCX_SERVER/healthz"
is "$out" "200" "anonymous /healthz"

done_testing
