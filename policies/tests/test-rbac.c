/* The RBAC engine: rule matching as Kubernetes' rbac authorizer
 * (plugin/pkg/auth/authorizer/rbac/rbac_test.go cases), bindings and
 * subjects, denial texts, the escalation "covers" check with upstream's
 * compacted missing-rule strings, and the shipped bootstrap policy. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocx/json.h"
#include "policies/data.h"
#include "policies/rbac.h"
#include "ocx/banned.h"

static cJSON *J(const char *s) {
        cJSON *j = NULL;
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, NULL), 0);
        return j;
}

static void put(pol_rbac *p, const char *json) {
        cJSON *j = J(json);
        ocx_error *e = NULL;
        int r = pol_rbac_put_json(p, j, &e);
        if (r < 0) fail_msg("put: %s", e ? e->message : "?");
        cJSON_Delete(j);
}

static pol_rule *rules(const char *json, size_t *n) {
        cJSON *j = J(json);
        pol_rule *r = NULL;
        assert_int_equal(pol_rules_from_json(j, &r, n, NULL), 0);
        cJSON_Delete(j);
        return r;
}

static pol_attrs RA(const char *verb, const char *group, const char *res, const char *sub, const char *ns, const char *name) {
        return (pol_attrs){.verb = verb, .group = group, .resource = res, .subresource = sub, .ns = ns, .name = name};
}

static bool rule_ok(const char *rule, pol_attrs a) {
        size_t n;
        pol_rule *r = rules(rule, &n);
        bool ok = pol_rule_allows(&r[0], &a);
        pol_rules_free(r, n);
        return ok;
}

static void rule_matching(void **state) {
        (void)state;
        const char *pods = "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}]";
        assert_true(rule_ok(pods, RA("get", "", "pods", "", "ns", "a")));
        assert_true(rule_ok(pods, RA("list", "", "pods", NULL, "ns", NULL)));
        assert_false(rule_ok(pods, RA("delete", "", "pods", "", "ns", "a")));
        assert_false(rule_ok(pods, RA("get", "apps", "pods", "", "ns", "a")));
        assert_false(rule_ok(pods, RA("get", "", "services", "", "ns", "a")));
        /* a subresource needs its own entry */
        assert_false(rule_ok(pods, RA("get", "", "pods", "log", "ns", "a")));
        const char *log = "[{\"apiGroups\":[\"\"],\"resources\":[\"pods/log\"],\"verbs\":[\"get\"]}]";
        assert_true(rule_ok(log, RA("get", "", "pods", "log", "ns", "a")));
        assert_false(rule_ok(log, RA("get", "", "pods", "", "ns", "a")));
        assert_false(rule_ok(log, RA("get", "", "pods", "exec", "ns", "a")));
        const char *anysub = "[{\"apiGroups\":[\"\"],\"resources\":[\"*/scale\"],\"verbs\":[\"update\"]}]";
        assert_true(rule_ok(anysub, RA("update", "", "replicationcontrollers", "scale", "ns", "a")));
        assert_false(rule_ok(anysub, RA("update", "", "replicationcontrollers", "", "ns", "a")));
        assert_false(rule_ok(anysub, RA("update", "", "pods", "status", "ns", "a")));
        const char *star = "[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]";
        assert_true(rule_ok(star, RA("deletecollection", "route.openshift.io", "routes", "", "", "")));
        assert_true(rule_ok(star, RA("get", "", "pods", "log", "ns", "x")));
        /* resource names restrict; a request without a name never matches them */
        const char *named = "[{\"apiGroups\":[\"security.openshift.io\"],\"resources\":[\"securitycontextconstraints\"],"
                            "\"resourceNames\":[\"anyuid\"],\"verbs\":[\"use\"]}]";
        assert_true(rule_ok(named, RA("use", "security.openshift.io", "securitycontextconstraints", "", "", "anyuid")));
        assert_false(rule_ok(named, RA("use", "security.openshift.io", "securitycontextconstraints", "", "", "privileged")));
        assert_false(rule_ok(named, RA("use", "security.openshift.io", "securitycontextconstraints", "", "", "")));
        assert_false(rule_ok(named, RA("use", "security.openshift.io", "securitycontextconstraints", "", "", NULL)));
        /* non-resource URLs */
        const char *urls = "[{\"nonResourceURLs\":[\"/healthz\",\"/apis/*\"],\"verbs\":[\"get\"]}]";
        pol_attrs nr = {.verb = "get", .path = "/healthz"};
        assert_true(rule_ok(urls, nr));
        nr.path = "/apis/route.openshift.io/v1";
        assert_true(rule_ok(urls, nr));
        nr.path = "/apis";
        assert_false(rule_ok(urls, nr));
        nr.path = "/healthz/etcd";
        assert_false(rule_ok(urls, nr));
        nr.verb = "post";
        nr.path = "/healthz";
        assert_false(rule_ok(urls, nr));
        /* resource rules never match paths and URL rules never match resources */
        assert_false(rule_ok(pods, (pol_attrs){.verb = "get", .path = "/api/v1/pods"}));
        assert_false(rule_ok("[{\"nonResourceURLs\":[\"*\"],\"verbs\":[\"*\"]}]", RA("get", "", "pods", "", "ns", "")));
        assert_true(rule_ok("[{\"nonResourceURLs\":[\"*\"],\"verbs\":[\"*\"]}]", (pol_attrs){.verb = "put", .path = "/x"}));
}

static void decoding_errors(void **state) {
        (void)state;
        ocx_error *e = NULL;
        cJSON *j = J("[{\"verbs\":[\"get\"],\"resources\":\"pods\"}]");
        pol_rule *r = NULL;
        size_t n = 0;
        assert_int_equal(pol_rules_from_json(j, &r, &n, &e), -EINVAL);
        assert_string_equal(e->field, "rules[0].resources");
        ocx_error_free(e);
        e = NULL;
        cJSON_Delete(j);
        pol_binding *b = NULL;
        j = J("{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"x\",\"namespace\":\"n\"},\"roleRef\":{\"kind\":\"Role\",\"name\":\"r\"},"
              "\"subjects\":[{\"kind\":\"Robot\",\"name\":\"a\"}]}");
        assert_int_equal(pol_binding_from_json(j, &b, &e), -EINVAL);
        assert_string_equal(e->field, "subjects[0].kind");
        ocx_error_free(e);
        e = NULL;
        cJSON_Delete(j);
        /* a ClusterRoleBinding cannot refer to a Role */
        j = J("{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"x\"},\"roleRef\":{\"kind\":\"Role\",\"name\":\"r\"}}");
        assert_int_equal(pol_binding_from_json(j, &b, &e), -EINVAL);
        assert_string_equal(e->field, "roleRef.kind");
        ocx_error_free(e);
        cJSON_Delete(j);
}

static const char *const authn[] = {"system:authenticated", NULL};
static const char *const devs[] = {"devs", "system:authenticated", NULL};

static pol_rbac *fixture(void) {
        pol_rbac *p = pol_rbac_new();
        put(p, "{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"view\"},\"rules\":[{\"apiGroups\":[\"\"],"
               "\"resources\":[\"pods\",\"pods/log\"],\"verbs\":[\"get\",\"list\",\"watch\"]}]}");
        put(p, "{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"edit\"},\"rules\":[{\"apiGroups\":[\"\"],"
               "\"resources\":[\"pods\"],\"verbs\":[\"*\"]}]}");
        put(p, "{\"kind\":\"ClusterRole\",\"metadata\":{\"name\":\"nodes-reader\"},\"rules\":[{\"apiGroups\":[\"\"],"
               "\"resources\":[\"nodes\"],\"verbs\":[\"get\"]},{\"nonResourceURLs\":[\"/metrics\"],\"verbs\":[\"get\"]}]}");
        put(p, "{\"kind\":\"Role\",\"metadata\":{\"name\":\"cm\",\"namespace\":\"a\"},\"rules\":[{\"apiGroups\":[\"\"],"
               "\"resources\":[\"configmaps\"],\"verbs\":[\"get\"]}]}");
        put(p, "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"alice-view\",\"namespace\":\"a\"},"
               "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"view\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"alice\"}]}");
        put(p, "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"devs-edit\",\"namespace\":\"b\"},"
               "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"edit\"},\"subjects\":[{\"kind\":\"Group\",\"name\":\"devs\"}]}");
        put(p, "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"sa-cm\",\"namespace\":\"a\"},"
               "\"roleRef\":{\"kind\":\"Role\",\"name\":\"cm\"},\"subjects\":[{\"kind\":\"ServiceAccount\",\"name\":\"builder\"}]}");
        put(p, "{\"kind\":\"ClusterRoleBinding\",\"metadata\":{\"name\":\"readers\"},"
               "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"nodes-reader\"},\"subjects\":[{\"kind\":\"Group\",\"name\":"
               "\"system:serviceaccounts:c\"}]}");
        return p;
}

static bool allows(pol_rbac *p, const char *user, const char *const *groups, pol_attrs a) {
        pol_user u = {user, groups};
        return pol_rbac_allows(p, &u, &a, NULL);
}

static void bindings(void **state) {
        (void)state;
        pol_rbac *p = fixture();
        assert_int_equal(pol_rbac_n_roles(p), 4);
        assert_int_equal(pol_rbac_n_bindings(p), 4);
        /* RoleBinding to a ClusterRole: that namespace only */
        assert_true(allows(p, "alice", authn, RA("list", "", "pods", "", "a", "")));
        assert_true(allows(p, "alice", authn, RA("get", "", "pods", "log", "a", "web")));
        assert_false(allows(p, "alice", authn, RA("list", "", "pods", "", "b", "")));
        assert_false(allows(p, "alice", authn, RA("list", "", "pods", "", "", "")));
        assert_false(allows(p, "alice", authn, RA("delete", "", "pods", "", "a", "web")));
        assert_false(allows(p, "bob", authn, RA("list", "", "pods", "", "a", "")));
        /* groups */
        assert_true(allows(p, "carol", devs, RA("delete", "", "pods", "", "b", "x")));
        assert_false(allows(p, "carol", authn, RA("delete", "", "pods", "", "b", "x")));
        /* ServiceAccount subject without a namespace: the binding's */
        assert_true(allows(p, "system:serviceaccount:a:builder", NULL, RA("get", "", "configmaps", "", "a", "c")));
        assert_false(allows(p, "system:serviceaccount:b:builder", NULL, RA("get", "", "configmaps", "", "a", "c")));
        assert_false(allows(p, "system:serviceaccount:a:builder2", NULL, RA("get", "", "configmaps", "", "a", "c")));
        /* service accounts are in system:serviceaccounts:<ns> */
        assert_true(allows(p, "system:serviceaccount:c:default", NULL, RA("get", "", "nodes", "", "", "n1")));
        assert_true(allows(p, "system:serviceaccount:c:default", NULL, (pol_attrs){.verb = "get", .path = "/metrics"}));
        assert_false(allows(p, "system:serviceaccount:cc:default", NULL, RA("get", "", "nodes", "", "", "n1")));
        assert_false(allows(p, "system:serviceaccount:c", NULL, RA("get", "", "nodes", "", "", "n1")));
        /* ClusterRoleBindings apply in every namespace too */
        assert_true(allows(p, "system:serviceaccount:c:default", NULL, RA("get", "", "nodes", "", "zzz", "n1")));
        /* non-resource URLs only through ClusterRoleBindings */
        put(p, "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"m\",\"namespace\":\"a\"},"
               "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"nodes-reader\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"dan\"}]}");
        assert_false(allows(p, "dan", NULL, (pol_attrs){.verb = "get", .path = "/metrics"}));
        assert_true(allows(p, "dan", NULL, RA("get", "", "nodes", "", "a", "n1")));
        /* a binding to a missing role grants nothing */
        put(p, "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"ghost\",\"namespace\":\"a\"},"
               "\"roleRef\":{\"kind\":\"Role\",\"name\":\"ghost\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"eve\"}]}");
        assert_false(allows(p, "eve", NULL, RA("get", "", "configmaps", "", "a", "c")));
        /* a Role of namespace a is not usable from namespace b */
        put(p, "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"cross\",\"namespace\":\"b\"},"
               "\"roleRef\":{\"kind\":\"Role\",\"name\":\"cm\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"eve\"}]}");
        assert_false(allows(p, "eve", NULL, RA("get", "", "configmaps", "", "b", "c")));
        /* updates replace, deletes remove */
        put(p, "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"alice-view\",\"namespace\":\"a\"},"
               "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"edit\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"alice\"}]}");
        assert_true(allows(p, "alice", authn, RA("delete", "", "pods", "", "a", "web")));
        assert_false(allows(p, "alice", authn, RA("get", "", "pods", "log", "a", "web")));
        assert_true(pol_rbac_remove(p, "RoleBinding", "a", "alice-view"));
        assert_false(pol_rbac_remove(p, "RoleBinding", "a", "alice-view"));
        assert_false(allows(p, "alice", authn, RA("get", "", "pods", "", "a", "web")));
        assert_true(pol_rbac_remove(p, "ClusterRole", "", "nodes-reader"));
        assert_false(allows(p, "system:serviceaccount:c:default", NULL, RA("get", "", "nodes", "", "", "n1")));
        /* the rest still resolve after the index was rebuilt */
        assert_true(allows(p, "carol", devs, RA("delete", "", "pods", "", "b", "x")));
        pol_rbac_free(p);
}

static void many_entries(void **state) {
        (void)state;
        pol_rbac *p = pol_rbac_new();
        char buf[512];
        for (int i = 0; i < 300; i++) {
                snprintf(buf, sizeof(buf),
                         "{\"kind\":\"Role\",\"metadata\":{\"name\":\"r%d\",\"namespace\":\"ns%d\"},\"rules\":[{\"apiGroups\":[\"\"],"
                         "\"resources\":[\"secrets\"],\"verbs\":[\"get\"]}]}",
                         i, i % 7);
                put(p, buf);
                snprintf(buf, sizeof(buf),
                         "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"b%d\",\"namespace\":\"ns%d\"},\"roleRef\":{\"kind\":\"Role\","
                         "\"name\":\"r%d\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"u%d\"}]}",
                         i, i % 7, i, i);
                put(p, buf);
        }
        assert_int_equal(pol_rbac_n_roles(p), 300);
        assert_int_equal(pol_rbac_n_bindings(p), 300);
        for (int i = 0; i < 300; i += 13) {
                char u[16], ns[16];
                snprintf(u, sizeof(u), "u%d", i);
                snprintf(ns, sizeof(ns), "ns%d", i % 7);
                assert_true(allows(p, u, NULL, RA("get", "", "secrets", "", ns, "s")));
                snprintf(ns, sizeof(ns), "ns%d", (i + 1) % 7);
                assert_false(allows(p, u, NULL, RA("get", "", "secrets", "", ns, "s")));
        }
        for (int i = 0; i < 300; i += 2) {
                snprintf(buf, sizeof(buf), "b%d", i);
                char ns[16];
                snprintf(ns, sizeof(ns), "ns%d", i % 7);
                assert_true(pol_rbac_remove(p, "RoleBinding", ns, buf));
        }
        assert_int_equal(pol_rbac_n_bindings(p), 150);
        assert_false(allows(p, "u0", NULL, RA("get", "", "secrets", "", "ns0", "s")));
        assert_true(allows(p, "u1", NULL, RA("get", "", "secrets", "", "ns1", "s")));
        assert_non_null(pol_rbac_role(p, "ns5", "r299")); /* 299 % 7 */
        assert_null(pol_rbac_role(p, "ns6", "r299"));
        pol_rbac_free(p);
}

static void texts(void **state) {
        (void)state;
        pol_user u = {"developer", authn};
        char *s = pol_deny_reason(&u, &(pol_attrs){.verb = "list", .group = "", .resource = "pods", .ns = "default"});
        assert_string_equal(s, "User \"developer\" cannot list resource \"pods\" in API group \"\" in the namespace \"default\"");
        free(s);
        s = pol_deny_reason(&u, &(pol_attrs){.verb = "list", .group = "security.openshift.io", .resource = "securitycontextconstraints"});
        assert_string_equal(s, "User \"developer\" cannot list resource \"securitycontextconstraints\" in API group "
                               "\"security.openshift.io\" at the cluster scope");
        free(s);
        s = pol_deny_reason(&u, &(pol_attrs){.verb = "get", .group = "", .resource = "pods", .subresource = "log", .ns = "p", .name = "x"});
        assert_string_equal(s, "User \"developer\" cannot get resource \"pods/log\" in API group \"\" in the namespace \"p\"");
        free(s);
        u.name = "x";
        s = pol_deny_reason(&u, &(pol_attrs){.verb = "get", .path = "/foo"});
        assert_string_equal(s, "User \"x\" cannot get path \"/foo\"");
        free(s);
        u.name = "we\"ird";
        s = pol_deny_reason(&u, &(pol_attrs){.verb = "get", .path = "/"});
        assert_string_equal(s, "User \"we\\\"ird\" cannot get path \"/\"");
        free(s);
        /* allow reasons */
        pol_rbac *p = fixture();
        char *why = NULL;
        pol_user a = {"alice", authn};
        assert_true(pol_rbac_allows(p, &a, &(pol_attrs){.verb = "get", .group = "", .resource = "pods", .ns = "a"}, &why));
        assert_string_equal(why, "RBAC: allowed by RoleBinding \"alice-view/a\" of ClusterRole \"view\" to User \"alice\"");
        free(why);
        pol_user sa = {"system:serviceaccount:a:builder", NULL};
        assert_true(pol_rbac_allows(p, &sa, &(pol_attrs){.verb = "get", .group = "", .resource = "configmaps", .ns = "a"}, &why));
        assert_string_equal(why, "RBAC: allowed by RoleBinding \"sa-cm/a\" of Role \"cm\" to ServiceAccount \"builder/a\"");
        free(why);
        pol_user c = {"system:serviceaccount:c:x", NULL};
        assert_true(pol_rbac_allows(p, &c, &(pol_attrs){.verb = "get", .path = "/metrics"}, &why));
        assert_string_equal(why, "RBAC: allowed by ClusterRoleBinding \"readers\" of ClusterRole \"nodes-reader\" to Group "
                                 "\"system:serviceaccounts:c\"");
        free(why);
        assert_false(pol_rbac_allows(p, &c, &(pol_attrs){.verb = "get", .path = "/other"}, &why));
        assert_null(why);
        pol_rbac_free(p);
}

static bool covers(const char *owner_json, const char *servant_json, char **missing) {
        size_t no, ns;
        pol_rule *o = rules(owner_json, &no), *s = rules(servant_json, &ns);
        const pol_rule **op = calloc(no + 1, sizeof(*op));
        for (size_t i = 0; i < no; i++) op[i] = &o[i];
        bool ok = pol_rules_cover(op, no, s, ns, missing);
        free(op);
        pol_rules_free(o, no);
        pol_rules_free(s, ns);
        return ok;
}

static void escalation(void **state) {
        (void)state;
        char *m = NULL;
        /* validation_test.go: exact, star, subresource and URL cases */
        assert_true(covers("[{\"apiGroups\":[\"v1\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}]",
                           "[{\"apiGroups\":[\"v1\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]", NULL));
        assert_true(covers("[{\"apiGroups\":[\"*\"],\"resources\":[\"*\"],\"verbs\":[\"*\"]}]",
                           "[{\"apiGroups\":[\"v1\"],\"resources\":[\"pods\",\"pods/log\"],\"verbs\":[\"*\"],\"resourceNames\":[\"a\"]}]",
                           NULL));
        assert_true(covers("[{\"apiGroups\":[\"\"],\"resources\":[\"*/log\"],\"verbs\":[\"get\"]}]",
                           "[{\"apiGroups\":[\"\"],\"resources\":[\"pods/log\",\"builds/log\"],\"verbs\":[\"get\"]}]", NULL));
        assert_true(covers("[{\"nonResourceURLs\":[\"/apis/*\"],\"verbs\":[\"get\"]}]",
                           "[{\"nonResourceURLs\":[\"/apis/v1\",\"/apis/x/y\"],\"verbs\":[\"get\"]}]", NULL));
        /* named owner rules do not cover unnamed servant rules; unnamed cover named */
        assert_false(covers("[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"resourceNames\":[\"a\"],\"verbs\":[\"get\"]}]",
                            "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]", &m));
        assert_string_equal(m, "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"get\"]}");
        free(m);
        assert_true(covers("[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]",
                           "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"resourceNames\":[\"a\",\"b\"],\"verbs\":[\"get\"]}]", NULL));
        /* a "*" verb is only covered by "*" */
        assert_false(covers("[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\",\"delete\"]}]",
                            "[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"*\"]}]", &m));
        assert_string_equal(m, "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"*\"]}");
        free(m);
        /* compaction merges verbs per group/resource and sorts the lines */
        assert_false(covers("[{\"apiGroups\":[\"\"],\"resources\":[\"pods\"],\"verbs\":[\"get\"]}]",
                            "[{\"apiGroups\":[\"\",\"apps\"],\"resources\":[\"pods\",\"deployments\"],\"verbs\":[\"get\",\"create\",\"delete\"]},"
                            "{\"nonResourceURLs\":[\"/x\"],\"verbs\":[\"get\"]},"
                            "{\"apiGroups\":[\"\"],\"resources\":[\"secrets\"],\"resourceNames\":[\"s\"],\"verbs\":[\"get\"]}]",
                            &m));
        assert_string_equal(m, "{APIGroups:[\"\"], Resources:[\"deployments\"], Verbs:[\"get\" \"create\" \"delete\"]}\n"
                               "{APIGroups:[\"\"], Resources:[\"pods\"], Verbs:[\"create\" \"delete\"]}\n"
                               "{APIGroups:[\"\"], Resources:[\"secrets\"], ResourceNames:[\"s\"], Verbs:[\"get\"]}\n"
                               "{APIGroups:[\"apps\"], Resources:[\"deployments\"], Verbs:[\"get\" \"create\" \"delete\"]}\n"
                               "{APIGroups:[\"apps\"], Resources:[\"pods\"], Verbs:[\"get\" \"create\" \"delete\"]}\n"
                               "{NonResourceURLs:[\"/x\"], Verbs:[\"get\"]}");
        pol_user u = {"alice", authn};
        char *msg = pol_escalation_message(&u, m);
        assert_true(strncmp(msg, "user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not "
                                 "currently held:\n{APIGroups:[\"\"], Resources:[\"deployments\"]",
                            strlen("user \"alice\" (groups=[\"system:authenticated\"]) is attempting to grant RBAC permissions not "
                                   "currently held:\n{APIGroups:[\"\"], Resources:[\"deployments\"]")) == 0);
        free(msg);
        free(m);
        /* empty servant rules are always covered */
        assert_true(covers("[]", "[]", NULL));
}

static void rules_for_user(void **state) {
        (void)state;
        pol_rbac *p = fixture();
        pol_user carol = {"carol", devs};
        const pol_rule **r = NULL;
        assert_int_equal(pol_rbac_rules_for(p, &carol, "b", &r), 1);
        free(r);
        assert_int_equal(pol_rbac_rules_for(p, &carol, "a", &r), 0);
        free(r);
        pol_rbac_free(p);
}

/* the shipped bootstrap policy parses and means what OpenShift ships */
static void bootstrap_policy(void **state) {
        (void)state;
        pol_rbac *p = pol_rbac_new();
        size_t files = 0;
        for (size_t i = 0; i < pol_files_n; i++) {
                if (strncmp(pol_files[i].name, "rbac/", 5) != 0) continue;
                files++;
                cJSON *doc = NULL;
                assert_int_equal(ocx_json_parse(pol_files[i].data, pol_files[i].len, &doc, NULL), 0);
                const cJSON *it;
                cJSON_ArrayForEach(it, ocx_json_get(doc, "items")) {
                        ocx_error *e = NULL;
                        if (pol_rbac_put_json(p, it, &e) < 0) fail_msg("%s: %s", pol_files[i].name, e->message);
                }
                cJSON_Delete(doc);
        }
        assert_true(files >= 3);
        static const char *const want[] = {"cluster-admin", "admin", "edit", "view", "basic-user", "self-provisioner",
                                           "cluster-reader", "system:deployer", "system:image-puller", "system:image-builder",
                                           "system:discovery", "system:public-info-viewer", "system:openshift:scc:restricted",
                                           "system:openshift:scc:restricted-v2", "system:openshift:scc:privileged",
                                           "system:openshift:scc:hostmount"};
        for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
                if (!pol_rbac_role(p, "", want[i])) fail_msg("missing ClusterRole %s", want[i]);
        static const char *const admin_groups[] = {"system:masters", "system:authenticated", NULL};
        static const char *const cadm[] = {"system:cluster-admins", "system:authenticated", NULL};
        pol_attrs use = RA("use", "security.openshift.io", "securitycontextconstraints", "", "p", "restricted");
        assert_true(allows(p, "dev", authn, use));
        use.name = "restricted-v2";
        assert_false(allows(p, "dev", authn, use));
        use.name = "anyuid";
        assert_false(allows(p, "dev", authn, use));
        assert_true(allows(p, "ca", cadm, use));
        use.name = "privileged";
        assert_true(allows(p, "system:admin", admin_groups, use));
        assert_true(allows(p, "system:serviceaccount:openshift-infra:build-controller", NULL, use));
        assert_false(allows(p, "dev", authn, use));
        /* cluster-admin through system:masters; discovery for everyone authenticated */
        assert_true(allows(p, "x", admin_groups, RA("delete", "", "nodes", "", "", "n")));
        assert_true(allows(p, "dev", authn, (pol_attrs){.verb = "get", .path = "/apis/route.openshift.io/v1"}));
        assert_false(allows(p, "dev", authn, (pol_attrs){.verb = "get", .path = "/metrics"}));
        static const char *const anon[] = {"system:unauthenticated", NULL};
        assert_true(allows(p, "system:anonymous", anon, (pol_attrs){.verb = "get", .path = "/healthz"}));
        assert_false(allows(p, "system:anonymous", anon, (pol_attrs){.verb = "get", .path = "/api"}));
        /* basic-user: whoami, SSAR; nothing in namespaces */
        assert_true(allows(p, "dev", authn, RA("get", "user.openshift.io", "users", "", "", "~")));
        assert_false(allows(p, "dev", authn, RA("get", "user.openshift.io", "users", "", "", "bob")));
        assert_true(allows(p, "dev", authn, RA("create", "authorization.k8s.io", "selfsubjectaccessreviews", "", "", "")));
        assert_false(allows(p, "dev", authn, RA("list", "", "pods", "", "default", "")));
        /* view < edit < admin, checked through the escalation check */
        const pol_role *view = pol_rbac_role(p, "", "view"), *edit = pol_rbac_role(p, "", "edit"), *admin = pol_rbac_role(p, "", "admin");
        const pol_rule **er = calloc(edit->n_rules, sizeof(*er));
        for (size_t i = 0; i < edit->n_rules; i++) er[i] = &edit->rules[i];
        assert_true(pol_rules_cover(er, edit->n_rules, view->rules, view->n_rules, NULL));
        char *m = NULL;
        assert_false(pol_rules_cover(er, edit->n_rules, admin->rules, admin->n_rules, &m));
        assert_non_null(strstr(m, "{APIGroups:[\"rbac.authorization.k8s.io\"], Resources:[\"rolebindings\"]"));
        free(m);
        free(er);
        /* view hides secrets */
        put(p, "{\"kind\":\"RoleBinding\",\"metadata\":{\"name\":\"v\",\"namespace\":\"p\"},"
               "\"roleRef\":{\"kind\":\"ClusterRole\",\"name\":\"view\"},\"subjects\":[{\"kind\":\"User\",\"name\":\"dev\"}]}");
        assert_true(allows(p, "dev", authn, RA("get", "", "pods", "", "p", "x")));
        assert_false(allows(p, "dev", authn, RA("get", "", "secrets", "", "p", "x")));
        assert_false(allows(p, "dev", authn, RA("delete", "", "pods", "", "p", "x")));
        pol_rbac_free(p);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rule_matching), cmocka_unit_test(decoding_errors), cmocka_unit_test(bindings),
                cmocka_unit_test(many_entries),  cmocka_unit_test(texts),           cmocka_unit_test(escalation),
                cmocka_unit_test(rules_for_user), cmocka_unit_test(bootstrap_policy),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
