/* RBAC in the request pipeline: api_handle over a real store with the
 * bootstrap policy, requests as different users; the cache follows changes;
 * Forbidden texts; escalation refused and nothing written; SSAR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "apiserver/api.h"
#include "auth/authz.h"
#include "ocx/json.h"

static api_server srv;
static char dir[64];

static const char *const authn[] = {"system:authenticated", NULL};
static const char *const masters[] = {"system:masters", "system:authenticated", NULL};
static const char *const anon[] = {"system:unauthenticated", NULL};

static int setup(void **state) {
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/ocx-test-authz.XXXXXX");
        if (!mkdtemp(dir)) return -1;
        char db[128];
        snprintf(db, sizeof(db), "%s/ocx.db", dir);
        api_config cfg = {.base_dir = dir, .routing_suffix = "apps.example.com", .listen = "127.0.0.1:1"};
        return api_server_init(&srv, &cfg, db, NULL);
}

static int teardown(void **state) {
        (void)state;
        api_server_release(&srv);
        static const char *const files[] = {"ocx.db", "ocx.db-wal", "ocx.db-shm", "ocx.db.lock"};
        for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
                char p[128];
                snprintf(p, sizeof(p), "%s/%s", dir, files[i]);
                unlink(p);
        }
        rmdir(dir);
        return 0;
}

/* user NULL = in-process (trusted) caller */
static int call_as(const char *user, const char *const *groups, const char *method, const char *path, const char *body,
                   cJSON **ret) {
        api_request req = {.method = method, .path = path, .content_type = "application/json", .body = body,
                           .body_len = body ? strlen(body) : 0, .user = {user, groups}};
        char p[512];
        const char *q = strchr(path, '?');
        if (q) {
                snprintf(p, sizeof(p), "%.*s", (int)(q - path), path);
                req.path = p;
                req.q.watch = strstr(q, "watch=1") != NULL;
                if (strstr(q, "merge")) req.content_type = "application/merge-patch+json";
        }
        api_response resp = {0};
        api_handle(&srv, &req, &resp);
        int st = resp.status;
        if (ret) {
                *ret = NULL;
                if (resp.body && !resp.watch) ocx_json_parse(resp.body, resp.body_len, ret, NULL);
        }
        api_response_release(&resp);
        return st;
}

static void expect(const char *user, const char *const *groups, const char *method, const char *path, const char *body,
                   int want, const char *want_msg) {
        cJSON *o = NULL;
        int st = call_as(user, groups, method, path, body, &o);
        if (st != want) {
                char *s = o ? cJSON_PrintUnformatted(o) : NULL;
                fail_msg("%s %s as %s: got %d want %d: %s", method, path, user ? user : "(internal)", st, want, s ? s : "");
        }
        if (want_msg) assert_string_equal(ocx_json_get_str(o, "message"), want_msg);
        cJSON_Delete(o);
}

#define RB(name, ns, rk, role, skind, sname)                                                                          \
        "{\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"" name     \
        "\",\"namespace\":\"" ns "\"},\"roleRef\":{\"apiGroup\":\"rbac.authorization.k8s.io\",\"kind\":\"" rk         \
        "\",\"name\":\"" role "\"},\"subjects\":[{\"kind\":\"" skind "\",\"name\":\"" sname "\"}]}"

static void forbidden_texts(void **state) {
        (void)state;
        expect("developer", authn, "GET", "/api/v1/namespaces/default/pods", NULL, 403,
               "pods is forbidden: User \"developer\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        expect("developer", authn, "GET", "/api/v1/namespaces/default/pods?watch=1", NULL, 403,
               "pods is forbidden: User \"developer\" cannot watch resource \"pods\" in API group \"\" in the namespace \"default\"");
        expect("developer", authn, "GET", "/api/v1/namespaces/default/pods/web/log", NULL, 403,
               "pods \"web\" is forbidden: User \"developer\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"default\"");
        expect("developer", authn, "GET", "/apis/security.openshift.io/v1/securitycontextconstraints", NULL, 403,
               "securitycontextconstraints.security.openshift.io is forbidden: User \"developer\" cannot list resource "
               "\"securitycontextconstraints\" in API group \"security.openshift.io\" at the cluster scope");
        expect("developer", authn, "DELETE", "/api/v1/namespaces/default/configmaps", NULL, 403,
               "configmaps is forbidden: User \"developer\" cannot deletecollection resource \"configmaps\" in API group \"\" in the namespace \"default\"");
        expect("system:anonymous", anon, "GET", "/apis", NULL, 403, "forbidden: User \"system:anonymous\" cannot get path \"/apis\"");
        /* discovery for everyone authenticated, everything for system:masters */
        expect("developer", authn, "GET", "/apis", NULL, 200, NULL);
        expect("developer", authn, "GET", "/api/v1", NULL, 200, NULL);
        expect("root", masters, "GET", "/apis/security.openshift.io/v1/securitycontextconstraints", NULL, 200, NULL);
        /* Status details */
        cJSON *o = NULL;
        assert_int_equal(call_as("developer", authn, "GET", "/api/v1/namespaces/default/pods/web", NULL, &o), 403);
        assert_string_equal(ocx_json_get_str(o, "reason"), "Forbidden");
        assert_string_equal(ocx_json_path_str(o, "details.name"), "web");
        assert_string_equal(ocx_json_path_str(o, "details.kind"), "pods");
        cJSON_Delete(o);
}

static void view_grant_follows_changes(void **state) {
        (void)state;
        expect(NULL, NULL, "POST", "/api/v1/namespaces/default/configmaps",
               "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c1\"},\"data\":{\"k\":\"v\"}}", 201, NULL);
        expect("alice", authn, "GET", "/api/v1/namespaces/default/configmaps/c1", NULL, 403, NULL);
        expect(NULL, NULL, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("alice-view", "default", "ClusterRole", "view", "User", "alice"), 201, NULL);
        /* the cache saw the new binding */
        expect("alice", authn, "GET", "/api/v1/namespaces/default/configmaps/c1", NULL, 200, NULL);
        expect("alice", authn, "GET", "/api/v1/namespaces/default/configmaps", NULL, 200, NULL);
        expect("alice", authn, "DELETE", "/api/v1/namespaces/default/configmaps/c1", NULL, 403,
               "configmaps \"c1\" is forbidden: User \"alice\" cannot delete resource \"configmaps\" in API group \"\" in the namespace \"default\"");
        expect("alice", authn, "GET", "/api/v1/namespaces/default/secrets", NULL, 403, NULL);
        expect("alice", authn, "GET", "/api/v1/namespaces/kube-system/configmaps", NULL, 403, NULL);
        /* nothing changed by the refused delete */
        expect(NULL, NULL, "GET", "/api/v1/namespaces/default/configmaps/c1", NULL, 200, NULL);
        /* removing the binding takes the grant away */
        expect(NULL, NULL, "DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/alice-view", NULL, 200, NULL);
        expect("alice", authn, "GET", "/api/v1/namespaces/default/configmaps/c1", NULL, 403, NULL);
}

static void escalation(void **state) {
        (void)state;
        /* bob: edit, plus the right to write rolebindings and roles (but no bind/escalate) */
        expect(NULL, NULL, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
               "{\"kind\":\"ClusterRole\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\"rb-writer\"},"
               "\"rules\":[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"rolebindings\",\"roles\"],"
               "\"verbs\":[\"create\",\"get\",\"update\",\"patch\"]}]}",
               201, NULL);
        expect(NULL, NULL, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("bob-edit", "default", "ClusterRole", "edit", "User", "bob"), 201, NULL);
        /* edit alone may not even create bindings */
        expect("bob", authn, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("x", "default", "ClusterRole", "admin", "User", "bob"), 403,
               "rolebindings.rbac.authorization.k8s.io is forbidden: User \"bob\" cannot create resource \"rolebindings\" in API "
               "group \"rbac.authorization.k8s.io\" in the namespace \"default\"");
        expect(NULL, NULL, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("bob-rb", "default", "ClusterRole", "rb-writer", "User", "bob"), 201, NULL);
        /* binding admin needs admin's permissions */
        cJSON *o = NULL;
        assert_int_equal(call_as("bob", authn, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
                                 RB("bob-admin", "default", "ClusterRole", "admin", "User", "bob"), &o),
                         403);
        const char *msg = ocx_json_get_str(o, "message");
        const char *head = "rolebindings.rbac.authorization.k8s.io \"bob-admin\" is forbidden: user \"bob\" (groups=[\"system:authenticated\"]) "
                           "is attempting to grant RBAC permissions not currently held:\n";
        assert_true(strncmp(msg, head, strlen(head)) == 0);
        assert_non_null(strstr(msg, "{APIGroups:[\"rbac.authorization.k8s.io\"], Resources:[\"rolebindings\"], Verbs:[\"delete\" \"deletecollection\" \"list\" \"watch\"]}"));
        cJSON_Delete(o);
        expect(NULL, NULL, "GET", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/bob-admin", NULL, 404, NULL);
        /* still only edit: no admin powers gained */
        expect("bob", authn, "DELETE", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings/bob-edit", NULL, 403, NULL);
        /* binding view (held through edit) is fine */
        expect("bob", authn, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("carol-view", "default", "ClusterRole", "view", "User", "carol"), 201, NULL);
        expect("carol", authn, "GET", "/api/v1/namespaces/default/pods", NULL, 200, NULL);
        /* a missing role */
        expect("bob", authn, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("ghost", "default", "ClusterRole", "ghost", "User", "carol"), 404,
               "clusterroles.rbac.authorization.k8s.io \"ghost\" not found");
        /* roles: only what is held */
        expect("bob", authn, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
               "{\"kind\":\"Role\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\"nodes\"},"
               "\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"nodes\"],\"verbs\":[\"get\"]}]}",
               403,
               "roles.rbac.authorization.k8s.io \"nodes\" is forbidden: user \"bob\" (groups=[\"system:authenticated\"]) is "
               "attempting to grant RBAC permissions not currently held:\n{APIGroups:[\"\"], Resources:[\"nodes\"], Verbs:[\"get\"]}");
        expect("bob", authn, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles",
               "{\"kind\":\"Role\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\"pods\"},"
               "\"rules\":[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"delete\"]}]}",
               201, NULL);
        /* a patch that would escalate is judged on the patched object */
        expect("bob", authn, "PATCH", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles/pods?merge",
               "{\"rules\":[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]}", 403, NULL);
        /* the bind verb lets a user bind what they do not hold */
        expect(NULL, NULL, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
               "{\"kind\":\"ClusterRole\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\"admin-binder\"},"
               "\"rules\":[{\"apiGroups\":[\"rbac.authorization.k8s.io\"],\"resources\":[\"clusterroles\"],"
               "\"resourceNames\":[\"admin\"],\"verbs\":[\"bind\"]}]}",
               201, NULL);
        expect(NULL, NULL, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("bob-binder", "default", "ClusterRole", "admin-binder", "User", "bob"), 201, NULL);
        expect("bob", authn, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("dave-admin", "default", "ClusterRole", "admin", "User", "dave"), 201, NULL);
        /* system:masters may grant anything */
        expect("root", masters, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
               "{\"kind\":\"ClusterRoleBinding\",\"apiVersion\":\"rbac.authorization.k8s.io/v1\",\"metadata\":{\"name\":\"x\"},"
               "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"cluster-admin\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"erin\"}]}",
               201, NULL);
        expect("erin", authn, "GET", "/apis/security.openshift.io/v1/securitycontextconstraints", NULL, 200, NULL);
}

static void ssar(void **state) {
        (void)state;
        cJSON *o = NULL;
        assert_int_equal(call_as("frank", authn, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                                 "{\"apiVersion\":\"authorization.k8s.io/v1\",\"kind\":\"SelfSubjectAccessReview\",\"spec\":{"
                                 "\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"list\",\"resource\":\"pods\"}}}",
                                 &o),
                         201);
        assert_false(ocx_json_get_bool(ocx_json_get(o, "status"), "allowed", true));
        cJSON_Delete(o);
        expect(NULL, NULL, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings",
               RB("frank-view", "default", "ClusterRole", "view", "User", "frank"), 201, NULL);
        assert_int_equal(call_as("frank", authn, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                                 "{\"spec\":{\"resourceAttributes\":{\"namespace\":\"default\",\"verb\":\"list\",\"resource\":\"pods\"}}}", &o),
                         201);
        assert_true(ocx_json_get_bool(ocx_json_get(o, "status"), "allowed", false));
        assert_string_equal(ocx_json_path_str(o, "status.reason"),
                            "RBAC: allowed by RoleBinding \"frank-view/default\" of ClusterRole \"view\" to User \"frank\"");
        cJSON_Delete(o);
        assert_int_equal(call_as("frank", authn, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                                 "{\"spec\":{\"nonResourceAttributes\":{\"verb\":\"get\",\"path\":\"/version\"}}}", &o),
                         201);
        assert_true(ocx_json_get_bool(ocx_json_get(o, "status"), "allowed", false));
        cJSON_Delete(o);
        expect("frank", authn, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "{\"spec\":{}}", 422, NULL);
        /* SCC use as the SCC admission asks it */
        auth_attrs use = {.verb = "use", .group = "security.openshift.io", .resource = "securitycontextconstraints",
                          .subresource = "", .ns = "default", .name = "restricted"};
        api_user u = {"frank", authn};
        assert_true(auth_authorize(&srv, &u, &use, NULL));
        use.name = "anyuid";
        char *why = NULL;
        assert_false(auth_authorize(&srv, &u, &use, &why));
        assert_string_equal(why, "User \"frank\" cannot use resource \"securitycontextconstraints\" in API group "
                                 "\"security.openshift.io\" in the namespace \"default\"");
        free(why);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(forbidden_texts),
                cmocka_unit_test(view_grant_follows_changes),
                cmocka_unit_test(escalation),
                cmocka_unit_test(ssar),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
