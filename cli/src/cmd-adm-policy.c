/* ocx adm policy (and ocx policy): role and SCC grants through RBAC bindings
 * (oc spec 5.18, 5.19) and who-can, computed client-side from the listed
 * roles and bindings. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "cli/client.h"
#include "cli/command.h"
#include "cli/resources.h"
#include "ocx/json.h"
#include "ocx/banned.h"

#define RBAC_API "/apis/rbac.authorization.k8s.io/v1"
#define RBAC_GROUP "rbac.authorization.k8s.io"

extern const cli_flag_def cli_policy_flags[];
int cli_run_policy(cli_invocation *inv);

const cli_flag_def cli_policy_flags[] = {
        {"serviceaccount", 'z', CLI_FLAG_LIST, "", "service account in the current namespace to use as a user"},
        {"role-namespace", 0, CLI_FLAG_STRING, "", "namespace where the role is located: empty means a role defined in cluster policy"},
        {"rolebinding-name", 0, CLI_FLAG_STRING, "", "Name of the rolebinding to modify or create. If left empty, a new binding is created."},
        {"dry-run", 0, CLI_FLAG_STRING, "none", "Must be \"none\", \"server\", or \"client\". If client strategy, only print what would be done."},
        {"output", 'o', CLI_FLAG_STRING, "", "Output format (who-can): one of json|yaml."},
        {0},
};

typedef struct policy_ctx {
        cli_invocation *inv;
        cli_session *s;
        const char *sub;
        bool dry;
} policy_ctx;

static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        fputs("error: ", stderr);
        vfprintf(stderr, fmt, ap);
        fputc('\n', stderr);
        va_end(ap);
        return 1;
}

/* --- subjects */

static cJSON *subject(const char *kind, const char *name, const char *ns) {
        cJSON *s = cJSON_CreateObject();
        cJSON_AddStringToObject(s, "kind", kind);
        if (!ocx_streq(kind, "ServiceAccount")) cJSON_AddStringToObject(s, "apiGroup", RBAC_GROUP);
        cJSON_AddStringToObject(s, "name", name);
        if (ns) cJSON_AddStringToObject(s, "namespace", ns);
        return s;
}

/* users (or groups) and -z service accounts → subjects; "system:serviceaccount:ns:name" users become SAs */
static int build_subjects(policy_ctx *c, bool groups, char **names, size_t n, cJSON **ret, cJSON **ret_targets) {
        cJSON *subs = cJSON_CreateArray(), *targets = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
                const char *u = names[i];
                const char *rest = ocx_startswith(u, "system:serviceaccount:") ? u + strlen("system:serviceaccount:") : NULL;
                const char *colon = rest ? strchr(rest, ':') : NULL;
                if (!groups && colon && colon > rest && colon[1]) {
                        _cleanup_free_ char *ns = ocx_xstrndup(rest, (size_t)(colon - rest));
                        cJSON_AddItemToArray(subs, subject("ServiceAccount", colon + 1, ns));
                } else {
                        cJSON_AddItemToArray(subs, subject(groups ? "Group" : "User", u, NULL));
                }
                cJSON_AddItemToArray(targets, cJSON_CreateString(u));
        }
        size_t nsa = 0;
        char **sas = cli_flag_list(c->inv, "serviceaccount", &nsa);
        for (size_t i = 0; i < nsa; i++) {
                if (strchr(sas[i], ':')) {
                        cJSON_Delete(subs);
                        cJSON_Delete(targets);
                        fprintf(stderr, "error: --serviceaccount (-z) should only be used with short-form serviceaccount names (e.g. `default`)\n");
                        return -EINVAL;
                }
                cJSON_AddItemToArray(subs, subject("ServiceAccount", sas[i], c->s->ns));
                cJSON_AddItemToArray(targets, cJSON_CreateString(sas[i]));
        }
        *ret = subs;
        *ret_targets = targets;
        return 0;
}

static bool same_subject(const cJSON *a, const cJSON *b, const char *binding_ns) {
        const char *ak = ocx_json_get_str(a, "kind"), *bk = ocx_json_get_str(b, "kind");
        if (!ocx_streq(ak, bk) || !ocx_streq(ocx_json_get_str(a, "name"), ocx_json_get_str(b, "name"))) return false;
        if (!ocx_streq(ak, "ServiceAccount")) return true;
        const char *an = ocx_json_get_str(a, "namespace"), *bn = ocx_json_get_str(b, "namespace");
        return ocx_streq(an && *an ? an : binding_ns, bn && *bn ? bn : binding_ns);
}

static bool has_subject(const cJSON *binding, const cJSON *s) {
        const char *ns = ocx_json_path_str(binding, "metadata.namespace");
        const cJSON *x;
        cJSON_ArrayForEach(x, ocx_json_get(binding, "subjects")) if (same_subject(x, s, ns ? ns : "")) return true;
        return false;
}

/* `"a"` for one target, `["a" "b"]` for several (Go %q) */
static char *targets_text(const cJSON *targets) {
        ocx_buf b = OCX_BUF_INIT;
        int n = cJSON_GetArraySize(targets);
        if (n != 1) ocx_buf_puts(&b, "[");
        const cJSON *t;
        int i = 0;
        cJSON_ArrayForEach(t, targets) ocx_buf_printf(&b, "%s\"%s\"", i++ ? " " : "", t->valuestring);
        if (n != 1) ocx_buf_puts(&b, "]");
        return ocx_buf_detach(&b, NULL);
}

static void print_done(policy_ctx *c, bool cluster_role, const char *role, const char *what, const cJSON *targets) {
        _cleanup_free_ char *t = targets_text(targets);
        printf("%s.%s/%s %s: %s%s\n", cluster_role ? "clusterrole" : "role", RBAC_GROUP, role, what, t, c->dry ? " (dry run)" : "");
}

/* --- bindings */

static char *binding_path(bool cluster, const char *ns, const char *name) {
        if (cluster) return name ? ocx_xasprintf(RBAC_API "/clusterrolebindings/%s", name) : ocx_xstrdup(RBAC_API "/clusterrolebindings");
        return name ? ocx_xasprintf(RBAC_API "/namespaces/%s/rolebindings/%s", ns, name)
                    : ocx_xasprintf(RBAC_API "/namespaces/%s/rolebindings", ns);
}

static cJSON *new_binding(bool cluster, const char *ns, const char *name, bool cluster_role, const char *role) {
        cJSON *b = cJSON_CreateObject();
        cJSON_AddStringToObject(b, "apiVersion", RBAC_GROUP "/v1");
        cJSON_AddStringToObject(b, "kind", cluster ? "ClusterRoleBinding" : "RoleBinding");
        cJSON *md = cJSON_AddObjectToObject(b, "metadata");
        cJSON_AddStringToObject(md, "name", name);
        if (!cluster) cJSON_AddStringToObject(md, "namespace", ns);
        cJSON *ref = cJSON_AddObjectToObject(b, "roleRef");
        cJSON_AddStringToObject(ref, "apiGroup", RBAC_GROUP);
        cJSON_AddStringToObject(ref, "kind", cluster_role ? "ClusterRole" : "Role");
        cJSON_AddStringToObject(ref, "name", role);
        cJSON_AddArrayToObject(b, "subjects");
        return b;
}

static bool refers_to(const cJSON *b, bool cluster_role, const char *role) {
        return ocx_streq(ocx_json_path_str(b, "roleRef.name"), role) &&
               ocx_streq(ocx_json_path_str(b, "roleRef.kind"), cluster_role ? "ClusterRole" : "Role");
}

/* adds the missing subjects; true when something was added */
static bool add_subjects(cJSON *b, const cJSON *subs) {
        cJSON *list = ocx_json_get(b, "subjects");
        if (!cJSON_IsArray(list)) {
                list = cJSON_CreateArray();
                ocx_json_set(b, "subjects", list);
        }
        bool added = false;
        const cJSON *s;
        cJSON_ArrayForEach(s, subs) {
                if (has_subject(b, s)) continue;
                cJSON_AddItemToArray(list, cJSON_Duplicate(s, true));
                added = true;
        }
        return added;
}

static int write_binding(policy_ctx *c, bool cluster, const char *ns, cJSON *b, bool create) {
        if (c->dry) return 0;
        _cleanup_free_ char *path = binding_path(cluster, ns, create ? NULL : ocx_json_path_str(b, "metadata.name"));
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_json_ cJSON *out = NULL;
        const char *name = ocx_json_path_str(b, "metadata.name");
        if (!create && cJSON_GetArraySize(ocx_json_get(b, "subjects")) == 0) {
                _cleanup_free_ char *dp = binding_path(cluster, ns, name);
                if (cli_request_json(c->s, "DELETE", dp, NULL, NULL, &out, &e) < 0) return cli_print_error(e), -1;
                return 0;
        }
        if (cli_request_json(c->s, create ? "POST" : "PUT", path, "application/json", b, &out, &e) < 0) return cli_print_error(e), -1;
        return 0;
}

static int list_bindings(policy_ctx *c, bool cluster, const char *ns, cJSON **ret) {
        _cleanup_free_ char *path = binding_path(cluster, ns, NULL);
        _cleanup_error_ ocx_error *e = NULL;
        if (cli_request_json(c->s, "GET", path, NULL, NULL, ret, &e) < 0) return cli_print_error(e), -1;
        return 0;
}

/* add-role-to-*, add-cluster-role-to-* */
static int add_role(policy_ctx *c, bool cluster, bool cluster_role, const char *role, const cJSON *subs, const cJSON *targets) {
        const char *ns = c->s->ns;
        const char *rbname = cli_flag_str(c->inv, "rolebinding-name");
        _cleanup_error_ ocx_error *e = NULL;
        if (rbname && *rbname) {
                _cleanup_free_ char *path = binding_path(cluster, ns, rbname);
                ocx_http_response r = {0};
                if (cli_do(c->s, "GET", path, NULL, NULL, 0, NULL, &r, &e) < 0) return cli_print_error(e);
                _cleanup_json_ cJSON *b = NULL;
                if (r.status == 200) ocx_json_parse(r.body, r.body_len, &b, NULL);
                else if (r.status != 404) {
                        cli_status_error(&r, NULL, &e);
                        ocx_http_response_release(&r);
                        return cli_print_error(e);
                }
                ocx_http_response_release(&r);
                bool create = !b;
                if (b && !refers_to(b, cluster_role, role))
                        return fail("rolebinding %s found for role %s, not %s", rbname, ocx_json_path_str(b, "roleRef.name"), role);
                if (!b) b = new_binding(cluster, ns, rbname, cluster_role, role);
                if ((add_subjects(b, subs) || create) && write_binding(c, cluster, ns, b, create) < 0) return 1;
                print_done(c, cluster_role, role, "added", targets);
                return 0;
        }
        _cleanup_json_ cJSON *list = NULL;
        if (list_bindings(c, cluster, ns, &list) < 0) return 1;
        const cJSON *b;
        cJSON_ArrayForEach(b, ocx_json_get(list, "items")) {
                if (!refers_to(b, cluster_role, role)) continue;
                bool all = true;
                const cJSON *s;
                cJSON_ArrayForEach(s, subs) if (!has_subject(b, s)) all = false;
                if (all) {
                        print_done(c, cluster_role, role, "added", targets);
                        return 0;
                }
        }
        /* a new binding named ROLE, ROLE-0, ROLE-1, ... */
        _cleanup_free_ char *name = ocx_xstrdup(role);
        for (int i = 0;; i++) {
                bool taken = false;
                cJSON_ArrayForEach(b, ocx_json_get(list, "items")) if (ocx_streq(ocx_json_path_str(b, "metadata.name"), name)) taken = true;
                if (!taken) break;
                free(name);
                name = ocx_xasprintf("%s-%d", role, i);
        }
        _cleanup_json_ cJSON *nb = new_binding(cluster, ns, name, cluster_role, role);
        add_subjects(nb, subs);
        if (write_binding(c, cluster, ns, nb, true) < 0) return 1;
        print_done(c, cluster_role, role, "added", targets);
        return 0;
}

/* remove-role-from-*, remove-cluster-role-from-* (also the SCC bindings) */
static int remove_role(policy_ctx *c, bool cluster, bool cluster_role, const char *role, const char *only_name, const cJSON *subs,
                       const cJSON *targets) {
        const char *ns = c->s->ns;
        _cleanup_json_ cJSON *list = NULL;
        if (list_bindings(c, cluster, ns, &list) < 0) return 1;
        size_t found = 0;
        cJSON *b;
        cJSON_ArrayForEach(b, ocx_json_get(list, "items")) {
                if (!refers_to(b, cluster_role, role)) continue;
                if (only_name && !ocx_streq(ocx_json_path_str(b, "metadata.name"), only_name)) continue;
                found++;
                cJSON *ss = ocx_json_get(b, "subjects");
                bool changed = false;
                for (int i = cJSON_GetArraySize(ss) - 1; i >= 0; i--) {
                        const cJSON *s;
                        cJSON_ArrayForEach(s, subs) {
                                const char *bns = ocx_json_path_str(b, "metadata.namespace");
                                if (!same_subject(cJSON_GetArrayItem(ss, i), s, bns ? bns : "")) continue;
                                cJSON_DeleteItemFromArray(ss, i);
                                changed = true;
                                break;
                        }
                }
                if (changed && write_binding(c, cluster, ns, b, false) < 0) return 1;
        }
        if (!found)
                return fail("unable to locate any %s for %s \"%s\"", cluster ? "ClusterRoleBinding" : "RoleBinding",
                            cluster_role ? "ClusterRole" : "Role", role);
        print_done(c, cluster_role, role, "removed", targets);
        return 0;
}

/* --- SCC grants (4.x: ClusterRole system:openshift:scc:X + binding of that name) */

static int ensure_scc_role(policy_ctx *c, const char *role, const char *scc) {
        _cleanup_free_ char *path = ocx_xasprintf(RBAC_API "/clusterroles/%s", role);
        _cleanup_error_ ocx_error *e = NULL;
        ocx_http_response r = {0};
        if (cli_do(c->s, "GET", path, NULL, NULL, 0, NULL, &r, &e) < 0) return cli_print_error(e), -1;
        long st = r.status;
        if (st != 200 && st != 404) {
                cli_status_error(&r, NULL, &e);
                ocx_http_response_release(&r);
                return cli_print_error(e), -1;
        }
        ocx_http_response_release(&r);
        if (st == 200 || c->dry) return 0;
        _cleanup_json_ cJSON *cr = cJSON_CreateObject(), *out = NULL;
        cJSON_AddStringToObject(cr, "apiVersion", RBAC_GROUP "/v1");
        cJSON_AddStringToObject(cr, "kind", "ClusterRole");
        cJSON_AddStringToObject(cJSON_AddObjectToObject(cr, "metadata"), "name", role);
        cJSON *rule = cJSON_CreateObject();
        cJSON_AddItemToArray(cJSON_AddArrayToObject(rule, "apiGroups"), cJSON_CreateString("security.openshift.io"));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(rule, "resources"), cJSON_CreateString("securitycontextconstraints"));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(rule, "resourceNames"), cJSON_CreateString(scc));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(rule, "verbs"), cJSON_CreateString("use"));
        cJSON_AddItemToArray(cJSON_AddArrayToObject(cr, "rules"), rule);
        _cleanup_free_ char *cp = ocx_xstrdup(RBAC_API "/clusterroles");
        if (cli_request_json(c->s, "POST", cp, "application/json", cr, &out, &e) < 0) return cli_print_error(e), -1;
        return 0;
}

static int scc_grant(policy_ctx *c, bool add, bool groups) {
        cli_invocation *inv = c->inv;
        if (inv->nargs < 2) return fail("you must specify a scc");
        const char *scc = inv->args[1];
        size_t nsa = 0;
        cli_flag_list(inv, "serviceaccount", &nsa);
        if (groups && inv->nargs < 3) return fail("you must specify at least two arguments: <scc> <group> [group]...");
        if (!groups && inv->nargs < 3 && nsa == 0) return fail("you must specify at least one user or service account");
        _cleanup_json_ cJSON *subs = NULL, *targets = NULL;
        if (build_subjects(c, groups, inv->args + 2, inv->nargs - 2, &subs, &targets) < 0) return 1;
        _cleanup_free_ char *role = ocx_xasprintf("system:openshift:scc:%s", scc);
        bool cluster = !c->s->ns_explicit;
        if (!add) return remove_role(c, cluster, true, role, role, subs, targets);
        if (ensure_scc_role(c, role, scc) < 0) return 1;
        _cleanup_free_ char *path = binding_path(cluster, c->s->ns, role);
        _cleanup_error_ ocx_error *e = NULL;
        ocx_http_response r = {0};
        if (cli_do(c->s, "GET", path, NULL, NULL, 0, NULL, &r, &e) < 0) return cli_print_error(e);
        _cleanup_json_ cJSON *b = NULL;
        if (r.status == 200) ocx_json_parse(r.body, r.body_len, &b, NULL);
        else if (r.status != 404) {
                cli_status_error(&r, NULL, &e);
                ocx_http_response_release(&r);
                return cli_print_error(e);
        }
        ocx_http_response_release(&r);
        bool create = !b;
        if (!b) b = new_binding(cluster, c->s->ns, role, true, role);
        if ((add_subjects(b, subs) || create) && write_binding(c, cluster, c->s->ns, b, create) < 0) return 1;
        print_done(c, true, role, "added", targets);
        return 0;
}

/* --- who-can */

static bool has(const cJSON *arr, const char *s) {
        const cJSON *x;
        cJSON_ArrayForEach(x, arr) if (cJSON_IsString(x) && (ocx_streq(x->valuestring, "*") || ocx_streq(x->valuestring, s))) return true;
        return false;
}

static bool rule_allows(const cJSON *rule, const char *verb, const char *group, const char *res, const char *name) {
        if (!has(ocx_json_get(rule, "verbs"), verb) || !has(ocx_json_get(rule, "apiGroups"), group) ||
            !has(ocx_json_get(rule, "resources"), res))
                return false;
        const cJSON *names = ocx_json_get(rule, "resourceNames");
        return cJSON_GetArraySize(names) == 0 || (name && has(names, name));
}

static void add_sorted_unique(cJSON *arr, const char *s) {
        int i = 0;
        const cJSON *x;
        cJSON_ArrayForEach(x, arr) {
                int c = strcmp(x->valuestring, s);
                if (c == 0) return;
                if (c > 0) break;
                i++;
        }
        cJSON_InsertItemInArray(arr, i, cJSON_CreateString(s));
}

static int who_can(policy_ctx *c) {
        cli_invocation *inv = c->inv;
        if (inv->nargs < 3) return fail("you must specify two arguments: verb and resource");
        const char *verb = inv->args[1], *name = inv->nargs > 3 ? inv->args[3] : NULL;
        _cleanup_free_ char *resarg = ocx_xstrdup(inv->args[2]);
        char *sub = strchr(resarg, '/');
        if (sub) *sub++ = 0;
        _cleanup_error_ ocx_error *e = NULL;
        cli_discovery *d = NULL;
        const cli_resource *res = NULL;
        if (cli_discovery_get(c->s, &d, &e) < 0) return cli_print_error(e);
        const char *group = "", *plural = resarg;
        bool namespaced = true;
        if (cli_resolve(d, resarg, &res, &e) == 0) {
                group = res->group;
                plural = res->name;
                namespaced = res->namespaced;
        } else {
                ocx_error_free(e);
                e = NULL;
        }
        _cleanup_free_ char *full = sub ? ocx_xasprintf("%s/%s", plural, sub) : ocx_xstrdup(plural);
        const char *ns = namespaced ? c->s->ns : "";
        _cleanup_json_ cJSON *croles = NULL, *crbs = NULL, *roles = NULL, *rbs = NULL;
        _cleanup_free_ char *rp = ocx_xasprintf(RBAC_API "/namespaces/%s/roles", ns), *rbp = binding_path(false, ns, NULL);
        if (cli_request_json(c->s, "GET", RBAC_API "/clusterroles", NULL, NULL, &croles, &e) < 0 ||
            cli_request_json(c->s, "GET", RBAC_API "/clusterrolebindings", NULL, NULL, &crbs, &e) < 0 ||
            (*ns && (cli_request_json(c->s, "GET", rp, NULL, NULL, &roles, &e) < 0 ||
                     cli_request_json(c->s, "GET", rbp, NULL, NULL, &rbs, &e) < 0)))
                return cli_print_error(e);
        _cleanup_json_ cJSON *users = cJSON_CreateArray(), *groups = cJSON_CreateArray();
        for (int pass = 0; pass < 2; pass++) {
                const cJSON *b;
                cJSON_ArrayForEach(b, ocx_json_get(pass ? rbs : crbs, "items")) {
                        bool crole = ocx_streq(ocx_json_path_str(b, "roleRef.kind"), "ClusterRole");
                        const char *rn = ocx_json_path_str(b, "roleRef.name");
                        const cJSON *role = NULL, *r;
                        cJSON_ArrayForEach(r, ocx_json_get(crole ? croles : roles, "items")) if (ocx_streq(ocx_json_path_str(r, "metadata.name"), rn)) role = r;
                        bool ok = false;
                        const cJSON *rule;
                        cJSON_ArrayForEach(rule, ocx_json_get(role, "rules")) if (rule_allows(rule, verb, group, full, name)) ok = true;
                        if (!ok) continue;
                        const cJSON *s;
                        cJSON_ArrayForEach(s, ocx_json_get(b, "subjects")) {
                                const char *k = ocx_json_get_str(s, "kind"), *sn = ocx_json_get_str(s, "name");
                                if (!sn) continue;
                                if (ocx_streq(k, "Group")) add_sorted_unique(groups, sn);
                                else if (ocx_streq(k, "User")) add_sorted_unique(users, sn);
                                else if (ocx_streq(k, "ServiceAccount")) {
                                        const char *sns = ocx_json_get_str(s, "namespace");
                                        _cleanup_free_ char *u = ocx_xasprintf("system:serviceaccount:%s:%s", sns && *sns ? sns : ns, sn);
                                        add_sorted_unique(users, u);
                                }
                        }
                }
        }
        printf("resourceaccessreviewresponse.authorization.openshift.io/<unknown> \n\n");
        if (*ns) printf("Namespace: %s\n", ns);
        printf("Verb:      %s\nResource:  %s%s%s\n\n", verb, full, *group ? "." : "", group);
        const char *labels[] = {"Users:  ", "Groups: "};
        const cJSON *lists[] = {users, groups};
        for (int l = 0; l < 2; l++) {
                printf("%s", labels[l]);
                const cJSON *x;
                int i = 0;
                cJSON_ArrayForEach(x, lists[l]) printf("%s%s\n", i++ ? "        " : "", x->valuestring);
                if (!i) printf("\n");
                printf("\n");
        }
        return 0;
}

/* --- dispatch */

static const char *const policy_help =
        "Manage policy on the cluster\n\n"
        "These commands assist in managing policy on the cluster, including roles, role bindings and SCC grants.\n\n"
        "Usage:\n  ocx adm policy COMMAND [flags]\n\n"
        "Available Commands:\n"
        "  add-role-to-user              Add a role to users or service accounts for the current project\n"
        "  add-role-to-group             Add a role to groups for the current project\n"
        "  add-cluster-role-to-user      Add a role to users for all projects in the cluster\n"
        "  add-cluster-role-to-group     Add a role to groups for all projects in the cluster\n"
        "  remove-role-from-user         Remove a role from users for the current project\n"
        "  remove-role-from-group        Remove a role from groups for the current project\n"
        "  remove-cluster-role-from-user Remove a role from users for all projects in the cluster\n"
        "  remove-cluster-role-from-group Remove a role from groups for all projects in the cluster\n"
        "  add-scc-to-user               Add a security context constraint to users or a service account\n"
        "  add-scc-to-group              Add a security context constraint to groups\n"
        "  remove-scc-from-user          Remove a user from a security context constraint\n"
        "  remove-scc-from-group         Remove a group from a security context constraint\n"
        "  who-can                       List who can perform the specified action on a resource\n";

int cli_run_policy(cli_invocation *inv) {
        if (inv->nargs == 0) {
                fputs(policy_help, stdout);
                return 0;
        }
        const char *sub = inv->args[0];
        const char *dry = cli_flag_str(inv, "dry-run");
        policy_ctx c = {.inv = inv, .sub = sub, .dry = ocx_streq(dry, "client")};
        static const char *const known[] = {"add-role-to-user",           "add-role-to-group",        "add-cluster-role-to-user",
                                            "add-cluster-role-to-group",  "remove-role-from-user",    "remove-role-from-group",
                                            "remove-cluster-role-from-user", "remove-cluster-role-from-group",
                                            "add-scc-to-user",            "add-scc-to-group",         "remove-scc-from-user",
                                            "remove-scc-from-group",      "who-can"};
        bool ok = false;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(known); i++) ok = ok || ocx_streq(sub, known[i]);
        if (!ok) return fail("unknown command \"%s\" for \"%s\"", sub, inv->path);
        _cleanup_error_ ocx_error *e = NULL;
        if (cli_session_get(inv, &c.s, &e) < 0) return cli_print_error(e);
        if (ocx_streq(sub, "who-can")) return who_can(&c);
        bool groups = strstr(sub, "-group") != NULL, add = ocx_startswith(sub, "add-");
        if (strstr(sub, "-scc-")) return scc_grant(&c, add, groups);
        bool cluster = strstr(sub, "cluster-role") != NULL;
        size_t nsa = 0;
        cli_flag_list(inv, "serviceaccount", &nsa);
        if (inv->nargs < 2) return cli_usage_error(inv, "you must specify a role");
        if (inv->nargs < 3 && (groups || nsa == 0))
                return cli_usage_error(inv, "you must specify at least one %s", groups ? "group" : "user or service account");
        const char *role = inv->args[1];
        const char *rns = cli_flag_str(inv, "role-namespace");
        bool cluster_role = true;
        if (!cluster && rns && *rns) {
                if (!ocx_streq(rns, c.s->ns))
                        return fail("role binding in namespace \"%s\" can't reference role in different namespace \"%s\"", c.s->ns, rns);
                cluster_role = false;
        }
        _cleanup_json_ cJSON *subs = NULL, *targets = NULL;
        if (build_subjects(&c, groups, inv->args + 2, inv->nargs - 2, &subs, &targets) < 0) return 1;
        if (add) return add_role(&c, cluster, cluster_role, role, subs, targets);
        return remove_role(&c, cluster, cluster_role, role, NULL, subs, targets);
}
