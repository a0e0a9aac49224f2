#!/usr/bin/env bash
# new-project / project / projects with two users and three projects: what a
# project request creates, who sees which project, service-account tokens.
. "$(dirname "$0")/lib.sh"

ocx_up || bail_out "ocx cluster up failed"
S=$OCX_SERVER
CA=$OCX_BASE/pki/ca.crt
NICK=127-0-0-1:$OCX_PORT
ADMIN=(--kubeconfig "$OCX_BASE/admin.kubeconfig")

run ocx login -u developer -p developer "$S"
is "$rc" 0 "developer logs in"

# --- new-project
run ocx new-project p1 --display-name "Project One" --description "the first"
is "$rc" 0 "new-project p1 exits 0"
is "$out" "Now using project \"p1\" on server \"$S\".

You can add applications to this project with the 'new-app' command. For example, try:

    ocx new-app rails-postgresql-example

to build a new example application in Ruby. Or use kubectl to deploy a simple Kubernetes application:

    kubectl create deployment hello-node --image=registry.k8s.io/e2e-test-images/agnhost:2.43 -- /agnhost serve-hostname" \
        "new-project output"
is "$(ocx whoami -c)" "p1/$NICK/developer" "new-project switches to context p1/<cluster>/developer"
ann=$(ocx "${ADMIN[@]}" get namespace p1 -o jsonpath='{.metadata.annotations.openshift\.io/requester}|{.metadata.annotations.openshift\.io/display-name}|{.metadata.annotations.openshift\.io/description}')
is "$ann" "developer|Project One|the first" "namespace annotations: requester, display name, description"
rb=$(ocx "${ADMIN[@]}" get rolebindings -n p1 -o jsonpath='{range .items[*]}{.metadata.name}={.roleRef.name}:{.subjects[0].kind}/{.subjects[0].name}{"\n"}{end}')
like "$rb" "^admin=admin:User/developer$" "RoleBinding admin for the requester"
like "$rb" "^system:image-pullers=system:image-puller:Group/system:serviceaccounts:p1$" "system:image-pullers for the project's service accounts"
like "$rb" "^system:image-builders=system:image-builder:ServiceAccount/builder$" "system:image-builders for builder"
like "$rb" "^system:deployers=system:deployer:ServiceAccount/deployer$" "system:deployers for deployer"
run ocx "${ADMIN[@]}" get sa -n p1 -o name
is "$out" "serviceaccount/builder
serviceaccount/default
serviceaccount/deployer" "service accounts builder, default, deployer"
run ocx "${ADMIN[@]}" get secrets -n p1 -o jsonpath='{range .items[*]}{.type} {.metadata.annotations.kubernetes\.io/service-account\.name}{"\n"}{end}'
is "$(sort <<<"$out")" "kubernetes.io/service-account-token builder
kubernetes.io/service-account-token default
kubernetes.io/service-account-token deployer" "one token secret per service account"

run ocx new-project p2
is "$rc" 0 "new-project p2"
run ocx new-project p1
is "$err" 'Error from server (AlreadyExists): project.project.openshift.io "p1" already exists' "new-project of an existing name"
run ocx new-project kube-x
is "$err" 'Error from server (Forbidden): project.project.openshift.io "kube-x" is forbidden: cannot request a project starting with "kube-"' "reserved prefix"
run ocx new-project openshift
is "$err" 'Error from server (Forbidden): project.project.openshift.io "openshift" is forbidden: cannot request a project with the name "openshift"' "reserved name"
run ocx new-project Foo
like "$err" '^The ProjectRequest "Foo" is invalid: metadata.name: Invalid value: "Foo": a lowercase RFC 1123 label' "invalid name"
run ocx new-project
is "$err" "error: must have exactly one argument" "new-project without a name"

# --- projects / project
run ocx projects
is "$out" "You have access to the following projects and can switch between them with ' project <projectname>':

    p1 - Project One
  * p2

Using project \"p2\" on server \"$S\"." "projects: oc's layout, quirk and marker"
is "$(ocx projects -q)" "p1
p2" "projects -q"
run ocx projects extra
is "$err" "error: no arguments should be passed" "projects with an argument"
run ocx project p1
is "$out" "Now using project \"p1\" on server \"$S\"." "project p1 switches"
run ocx project p1
is "$out" "Already on project \"p1\" on server \"$S\"." "project p1 again"
run ocx project
is "$out" "Using project \"p1\" on server \"$S\"." "project shows the current one"
is "$(ocx project -q)" "p1" "project -q"
run ocx project a b
is "$err" "error: Only one argument is supported (project name or context name)." "project with two arguments"

# --- system:admin's project is invisible to developer
run ocx login -u system:admin
is "$rc" 0 "back to system:admin"
run ocx new-project adminp
is "$rc" 0 "system:admin creates adminp"
run ocx get projects -o name
like "$out" "adminp" "admin sees adminp"
like "$out" "p1" "admin sees developer's p1"
run ocx login -u developer -p developer "$S"
like "$out" "You have access to the following projects and can switch between them with 'ocx project <projectname>':" "developer login lists two projects"
like "$out" "  \* p1" "login keeps p1 current"
unlike "$out" "adminp" "login does not list adminp"
run ocx get projects
is "$out" "NAME   DISPLAY NAME   STATUS
p1     Project One    Active
p2                    Active" "get projects: only developer's"
run ocx get project adminp
is "$err" 'Error from server (Forbidden): projects.project.openshift.io "adminp" is forbidden: User "developer" cannot get resource "projects" in API group "project.openshift.io" in the namespace "adminp"' \
        "get project adminp: forbidden"
run ocx project adminp
is "$rc" 1 "project adminp fails"
like "$err" '^error: You are not a member of project "adminp"\.' "project adminp: not a member"
like "$err" "\* Project One \(p1\)" "and lists the projects developer has"
unlike "$(ocx projects)" "adminp" "projects does not show adminp"
run ocx project nosuch
like "$err" '^error: You are not a member of project "nosuch"\.' "a missing project looks the same to developer"
run ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" project nosuch
like "$err" "^error: A project named \"nosuch\" does not exist on \"$S\"\." "admin: a missing project does not exist"

# --- service-account token from the project's secret
sec=$(ocx get sa builder -n p1 -o jsonpath='{.secrets[0].name}')
satoken=$(ocx get secret "$sec" -n p1 -o jsonpath='{.data.token}' | base64 -d)
like "$satoken" '^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$' "the builder token is a JWT"
run curl -sS --cacert "$CA" -H "Authorization: Bearer $satoken" -H 'Content-Type: application/json' -X POST \
        -d '{"kind":"SelfSubjectReview","apiVersion":"authentication.k8s.io/v1"}' "$S/apis/authentication.k8s.io/v1/selfsubjectreviews"
like "$out" '"username":"system:serviceaccount:p1:builder"' "curl with the service-account token: who am I"
like "$out" '"groups":\["system:serviceaccounts","system:serviceaccounts:p1","system:authenticated"\]' "service-account groups"
is "$(ocx get secret "$sec" -n p1 -o jsonpath='{.data.namespace}' | base64 -d)" "p1" "the secret carries its namespace"
like "$(ocx get secret "$sec" -n p1 -o jsonpath='{.data.ca\.crt}' | base64 -d)" "BEGIN CERTIFICATE" "and the cluster CA"
ok "the signing key is private" test "$(stat -c %a "$OCX_BASE/pki/serviceaccount-signing.key")" = 600

# --- kubectl with the developer's token behaves like ocx
token=$(ocx whoami -t)
if command -v kubectl >/dev/null; then
        K=(kubectl --kubeconfig=/dev/null --server "$S" --certificate-authority "$CA" --token "$token")
        run "${K[@]}" get pods -n p1
        kerr=$err
        run ocx get pods -n p1
        is "$kerr" "$err" "kubectl and ocx agree on an empty project"
        run "${K[@]}" get projects.project.openshift.io -o name
        is "$out" "project.project.openshift.io/p1
project.project.openshift.io/p2" "kubectl lists developer's projects"
        run "${K[@]}" get projects.project.openshift.io adminp
        like "$err" 'projects.project.openshift.io "adminp" is forbidden' "kubectl: adminp forbidden"
else
        skip "kubectl with a token" "no kubectl"
fi

# --- deleting a project
run ocx delete project p2
is "$rc" 0 "developer deletes p2"
wait_for -t 20 bash -c "! '$OCX_BIN/ocx' --kubeconfig '$OCX_BASE/admin.kubeconfig' get namespace p2" || true
run ocx "${ADMIN[@]}" get namespace p2
is "$rc" 1 "the namespace p2 is gone"
run ocx delete project adminp
is "$rc" 1 "developer cannot delete adminp"

done_testing
