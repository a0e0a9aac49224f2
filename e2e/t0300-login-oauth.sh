#!/usr/bin/env bash
# ocx login / logout / whoami against the real OAuth server in ocxd: htpasswd
# identity provider, access tokens, bearer authentication, kubectl with a token.
. "$(dirname "$0")/lib.sh"

ocx_up || bail_out "ocx cluster up failed"
S=$OCX_SERVER
CA=$OCX_BASE/pki/ca.crt
NICK=127-0-0-1:$OCX_PORT
curl_api() { curl -sS --max-time 10 --cacert "$CA" "$@"; }
b64url_sha256() { printf %s "$1" | openssl dgst -sha256 -binary | base64 | tr '+/' '-_' | tr -d '='; }

like "$out" "To login as a developer:" "cluster up banner names the developer user"
like "$out" "    User:     developer" "banner: developer user"
like "$out" "    Password: developer" "banner: developer password"
like "$(cat "$OCX_BASE/htpasswd")" '^developer:\$2y\$' "htpasswd holds developer with a bcrypt hash"
is "$(stat -c %a "$OCX_BASE/htpasswd")" 600 "htpasswd is mode 0600"

# --- system:admin: existing credentials
run ocx login -u system:admin
is "$rc" 0 "login -u system:admin exits 0"
is "$(head -n1 <<<"$out")" "Logged into \"$S\" as \"system:admin\" using existing credentials." "system:admin uses existing credentials"
like "$out" "  \* default" "admin sees the default project marked current"
like "$out" "Using project \"default\"\." "admin uses project default"

# --- discovery and the challenge
run curl_api "$S/.well-known/oauth-authorization-server"
like "$out" "\"issuer\":\"$S\"" "discovery: the issuer is the API server"
like "$out" "\"code_challenge_methods_supported\":\[\"plain\",\"S256\"\]" "discovery: PKCE methods"
hdrs=$(curl -sS -o /dev/null -D- --cacert "$CA" -H 'X-CSRF-Token: 1' "$S/oauth/authorize?client_id=openshift-challenging-client&response_type=token")
like "$hdrs" "^HTTP/[0-9.]+ 401" "authorize without credentials: 401"
like "$hdrs" 'WWW-Authenticate: Basic realm="openshift"' "authorize challenges with Basic realm openshift"
hdrs=$(curl -sS -o /dev/null -D- --cacert "$CA" "$S/oauth/authorize?client_id=openshift-challenging-client&response_type=token")
unlike "$hdrs" "WWW-Authenticate" "no challenge without X-CSRF-Token"
hdrs=$(curl -sS -o /dev/null -D- --cacert "$CA" -u developer:developer -H 'X-CSRF-Token: 1' "$S/oauth/authorize?client_id=openshift-challenging-client&response_type=token")
like "$hdrs" "Location: $S/oauth/token/implicit#access_token=sha256~[A-Za-z0-9_-]{43}&expires_in=86400&scope=user%3Afull&token_type=Bearer" \
        "implicit grant: 302 with the token in the fragment"
curl_token=$(sed -n 's/.*access_token=\([^&]*\).*/\1/p' <<<"$hdrs")

# --- developer: wrong, empty, then right password
run ocx login -u developer -p wrong
is "$rc" 1 "wrong password exits 1"
is "$out" "Login failed (401 Unauthorized)
Verify you have provided the correct credentials." "wrong password: oc's message"
run ocx login -u developer -p ""
is "$rc" 1 "empty password exits 1"
like "$out" "Login failed \(401 Unauthorized\)" "empty password: 401"
run ocx login -u developer </dev/null
is "$rc" 1 "no password and no terminal: refused"
run ocx login "$S" -u developer -p developer
is "$rc" 0 "developer login exits 0"
is "$out" "Login successful.

You don't have any projects. You can try to create a new project, by running

    ocx new-project <projectname>" "developer login output"
run ocx whoami
is "$out" "developer" "whoami: developer"
token=$(ocx whoami -t)
like "$token" '^sha256~[A-Za-z0-9_-]{43}$' "whoami -t: a sha256~ token"
is "$(ocx whoami --show-server)" "$S" "whoami --show-server"
is "$(ocx whoami -c)" "/$NICK/developer" "whoami -c: oc's context name without a project"
kc=$(cat "$KUBECONFIG")
like "$kc" "name: developer/$NICK" "kubeconfig user stanza developer/<cluster>"
like "$kc" "current-context: /$NICK/developer" "kubeconfig current context"
is "$(stat -c %a "$KUBECONFIG")" 600 "kubeconfig stays 0600"

# --- the token object stores only the hash
name=sha256~$(b64url_sha256 "${token#sha256~}")
run ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" get oauthaccesstoken "$name" -o jsonpath='{.userName} {.expiresIn} {.scopes[0]}'
is "$out" "developer 86400 user:full" "OAuthAccessToken sha256~<hash> records user, lifetime, scope"
run ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" get oauthaccesstoken "$token"
is "$rc" 1 "no object is named after the token itself"
run ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" get users
like "$out" "developer +[0-9a-f-]{36} +htpasswd_provider:developer" "first login created User developer with its identity"
run ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" get identities -o name
like "$out" "identity.user.openshift.io/htpasswd_provider:developer" "and Identity htpasswd_provider:developer"

# --- bearer tokens against the API
run curl_api -H "Authorization: Bearer $token" "$S/apis/user.openshift.io/v1/users/~"
like "$out" '"name":"developer"' "users/~ with the token names developer"
like "$out" '"groups":\["system:authenticated","system:authenticated:oauth"\]' "users/~ lists the oauth groups"
echo '{"apiVersion":"user.openshift.io/v1","kind":"Group","metadata":{"name":"devs"},"users":["alice","developer"]}' >"$OCX_TMP/group.json"
ok "an admin creates Group devs with developer" ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" create -f "$OCX_TMP/group.json"
run curl_api -H "Authorization: Bearer $token" "$S/apis/user.openshift.io/v1/users/~"
like "$out" '"groups":\["system:authenticated","system:authenticated:oauth","devs"\]' "token users get the groups of Group objects"
run curl_api -H "Authorization: Bearer $curl_token" "$S/apis/user.openshift.io/v1/users/~"
like "$out" '"name":"developer"' "the token from curl's implicit grant works too"
if command -v kubectl >/dev/null; then
        run kubectl --kubeconfig=/dev/null --server "$S" --certificate-authority "$CA" --token "$token" get --raw /apis/user.openshift.io/v1/users/~
        like "$out" '"name":"developer"' "kubectl with the token: users/~"
        run kubectl --kubeconfig=/dev/null --server "$S" --certificate-authority "$CA" --token "garbage" get pods
        like "$err" "error: You must be logged in to the server" "kubectl with a bad token: must be logged in"
else
        skip "kubectl with a token" "no kubectl"
        skip "kubectl with a bad token" "no kubectl"
fi
run ocx whoami -o json
like "$out" '"kind": "User"' "whoami -o json prints the User"

# --- bad tokens: malformed, foreign, expired
for t in "garbage" "sha256~AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln" "sha256~$(printf 'x%.0s' $(seq 1 300))"; do
        code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $t" "$S/api/v1/namespaces")
        is "$code" 401 "token '${t:0:20}...' is refused with 401"
done
raw=ExpiredTokenExpiredTokenExpiredTokenExpire
cat >"$OCX_TMP/expired.json" <<EOF
{"apiVersion":"oauth.openshift.io/v1","kind":"OAuthAccessToken","metadata":{"name":"sha256~$(b64url_sha256 "$raw")"},
 "clientName":"openshift-challenging-client","expiresIn":1,"scopes":["user:full"],"userName":"developer",
 "userUID":"$(ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" get user developer -o jsonpath='{.metadata.uid}')"}
EOF
ok "an admin can create a short-lived token" ocx --kubeconfig "$OCX_BASE/admin.kubeconfig" create -f "$OCX_TMP/expired.json"
sleep 2.1
run ocx --token "sha256~$raw" get pods
is "$err" "error: You must be logged in to the server (Unauthorized)" "an expired token: Unauthorized"

# --- --token login
run ocx login --token=garbage "$S"
is "$err" "error: The token provided is invalid or expired." "login with a bad token"
is "$rc" 1 "login with a bad token exits 1"
run ocx login --token="$curl_token" "$S"
is "$(head -n1 <<<"$out")" "Logged into \"$S\" as \"developer\" using the token provided." "login with a good token"
run ocx login -u developer --token=x "$S"
is "$err" "error: --token and --username are mutually exclusive" "--token with -u"

# --- logout invalidates the token server-side
run ocx logout
is "$out" "Logged \"developer\" out on \"$S\"" "logout message"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $curl_token" "$S/api/v1/namespaces")
is "$code" 401 "the logged-out token is refused"
run ocx --token "$curl_token" get pods
is "$err" "error: You must be logged in to the server (Unauthorized)" "ocx with the old token: Unauthorized"
unlike "$(cat "$KUBECONFIG")" "$curl_token" "the token is gone from kubeconfig"
run ocx whoami -t
is "$err" "error: no token is currently in use for this session" "whoami -t after logout"
run ocx logout
is "$err" "error: You must have a token in order to logout." "logout without a token"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$CA" -H "Authorization: Bearer $token" "$S/api/v1/namespaces")
isnt "$code" 401 "logout removed only its own token (the earlier one still works)"

# --- htpasswd changes apply without restart; other hash formats
ok "adm htpasswd add alice" ocx adm htpasswd add alice -p s3cret --base-dir "$OCX_BASE"
run ocx login -u alice -p s3cret "$S"
like "$out" "^Login successful\." "a user added to htpasswd logs in without a restart"
echo "carol:$(openssl passwd -apr1 carolpw)" >>"$OCX_BASE/htpasswd"
echo "dave:{SHA}$(printf davepw | openssl sha1 -binary | base64)" >>"$OCX_BASE/htpasswd"
echo "erin:$(openssl passwd -crypt erinpw 2>/dev/null || echo abBPGAO4kvHBc)" >>"$OCX_BASE/htpasswd"
run ocx login -u carol -p carolpw "$S"
like "$out" "^Login successful\." "an Apache MD5 (\$apr1\$) entry logs in"
run ocx login -u dave -p davepw "$S"
like "$out" "^Login successful\." "a {SHA} entry logs in"
run ocx login -u erin -p erinpw "$S"
like "$out" "Login failed \(401 Unauthorized\)" "a crypt(3) DES entry is refused"
echo "carol:$(openssl passwd -apr1 newpw)" >>"$OCX_BASE/htpasswd"
run ocx login -u carol -p newpw "$S"
like "$out" "^Login successful\." "the last line for a user wins"
ok "adm htpasswd remove alice" ocx adm htpasswd remove alice --base-dir "$OCX_BASE"
run ocx login -u alice -p s3cret "$S"
like "$out" "Login failed" "a removed user can no longer log in"
run ocx login -u sys:x -p y "$S"
is "$err" "error: username sys:x is invalid for basic auth" "user names with ':' are refused client-side"

# --- throttling: 5 failures in a minute lock the user for 30 s
for i in 1 2 3 4 5; do ocx login -u dave -p wrong "$S" >/dev/null 2>&1; done
run ocx login -u dave -p davepw "$S"
like "$out" "Login failed \(401 Unauthorized\)" "after 5 failures even the right password is refused"
run ocx login -u carol -p newpw "$S"
like "$out" "^Login successful\." "other users are not affected"
unlike "$(cat "$OCX_BASE/logs/ocxd.log")" "davepw|newpw|s3cret|$token" "no password or token in the ocxd log"

# --- server URL and TLS handling (fresh kubeconfig, no terminal)
fresh=(env KUBECONFIG="$OCX_TMP/fresh")
run "${fresh[@]}" "$OCX_BIN/ocx" login "$S" -u developer -p developer
is "$err" "error: The server uses a certificate signed by unknown authority. You may need to use the --certificate-authority flag to provide the path to a certificate file for the certificate authority, or --insecure-skip-tls-verify to bypass the certificate check and use insecure connections." \
        "unknown CA without a terminal"
run "${fresh[@]}" "$OCX_BIN/ocx" login "127.0.0.1:$OCX_PORT" -u developer -p developer --certificate-authority "$CA"
like "$out" "^Login successful\." "login with --certificate-authority and a URL without scheme"
like "$out" "Welcome! See 'ocx help' to get started\." "first kubeconfig: welcome line"
like "$(cat "$OCX_TMP/fresh")" "certificate-authority: $CA" "the CA path is kept in kubeconfig"
run "${fresh[@]}" "$OCX_BIN/ocx" login
like "$out" "^Logged into \"$S\" as \"developer\" using existing credentials\." "login without arguments reuses the current credentials"
rm -f "$OCX_TMP/fresh"
run "${fresh[@]}" "$OCX_BIN/ocx" login "$S" -u developer -p developer --insecure-skip-tls-verify
like "$out" "^WARNING: Using insecure TLS client config. Setting this option is not supported!" "insecure warning"
like "$(cat "$OCX_TMP/fresh")" "insecure-skip-tls-verify: true" "insecure is recorded on the cluster"
run env KUBECONFIG="$OCX_TMP/none" "$OCX_BIN/ocx" login
is "$err" "error: A server URL must be specified" "no server and no terminal"
run "${fresh[@]}" "$OCX_BIN/ocx" login https://127.0.0.1:1 -u developer -p x
is "$err" "error: dial tcp 127.0.0.1:1: connect: connection refused - verify you have provided the correct host and port and that the server is currently running." "connection refused"

done_testing
