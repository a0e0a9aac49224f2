#include <stdio.h>
#include <time.h>
#include "apiserver/table.h"
#include "apiserver/validate.h"
#include "apiserver/virtual.h"
#include "auth/authn.h"
#include "auth/authz.h"
#include "ocx/log.h"
#include "ocx/json.h"
#include "ocx/banned.h"

static const api_kind *ns_kind(void) { return api_kind_by_plural("", "v1", "namespaces"); }
static const api_kind *rb_kind(void) { return api_kind_by_plural("rbac.authorization.k8s.io", "v1", "rolebindings"); }

/* RBAC (auth/authz.h) decides when it is linked in; without it a user sees
 * the projects where a RoleBinding names them, one of their groups or their
 * service account. */
#pragma weak auth_authorize

static bool in_group(const api_user *u, const char *g) {
        for (const char *const *p = u->groups; p && *p; p++)
                if (ocx_streq(*p, g)) return true;
        return false;
}

static bool subject_matches(const api_user *u, const cJSON *sub, const char *ns) {
        const char *kind = ocx_json_get_str(sub, "kind"), *name = ocx_json_get_str(sub, "name");
        if (!kind || !name || !u->name) return false;
        if (ocx_streq(kind, "User")) return ocx_streq(name, u->name);
        if (ocx_streq(kind, "Group")) return in_group(u, name);
        if (ocx_streq(kind, "ServiceAccount")) {
                const char *sns = ocx_json_get_str(sub, "namespace");
                _cleanup_free_ char *full = ocx_xasprintf("system:serviceaccount:%s:%s", sns && *sns ? sns : ns, name);
                return ocx_streq(full, u->name);
        }
        return false;
}

static bool bound_in(api_server *s, const api_user *u, const char *ns) {
        _cleanup_free_ char *prefix = api_key_prefix(rb_kind(), ns);
        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev;
        if (store_list(s->st, prefix, NULL, 0, &items, &n, &rev) < 0) return false;
        bool found = false;
        for (size_t i = 0; i < n && !found; i++) {
                _cleanup_json_ cJSON *rb = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &rb, NULL) < 0) continue;
                const cJSON *sub;
                cJSON_ArrayForEach(sub, ocx_json_get(rb, "subjects")) if (subject_matches(u, sub, ns)) found = true;
        }
        store_kvs_free(items, n);
        return found;
}

static bool may(api_server *s, const api_user *u, const char *verb, const char *group, const char *resource, const char *ns) {
        if (in_group(u, "system:masters")) return true;
        if (auth_authorize) {
                auth_attrs a = {.verb = verb, .group = group, .resource = resource, .subresource = "", .ns = ns, .name = ns};
                return auth_authorize(s, u, &a, NULL);
        }
        return bound_in(s, u, ns);
}

/* A user sees a project when they may get the namespace. */
static bool can_see(api_server *s, const api_user *u, const char *ns) { return may(s, u, "get", "", "namespaces", ns); }

static void forbidden_project(api_response *resp, const api_user *u, const char *verb, const char *name) {
        _cleanup_free_ char *msg = ocx_xasprintf("projects.project.openshift.io \"%s\" is forbidden: User \"%s\" cannot %s resource "
                                                 "\"projects\" in API group \"project.openshift.io\" in the namespace \"%s\"",
                                                 name, u->name ? u->name : "system:anonymous", verb, name);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "name", name);
        cJSON_AddStringToObject(d, "group", "project.openshift.io");
        cJSON_AddStringToObject(d, "kind", "projects");
        api_respond_status(resp, 403, "Forbidden", msg, d);
}

/* Namespace JSON -> Project JSON (same metadata, spec/status carried over). */
static cJSON *to_project(const cJSON *ns) {
        cJSON *p = cJSON_Duplicate(ns, true);
        ocx_json_set_str(p, "kind", "Project");
        ocx_json_set_str(p, "apiVersion", "project.openshift.io/v1");
        return p;
}

static void projects(api_server *s, const api_kind *k, const api_path *p, const api_request *req, api_response *resp) {
        const char *m = req->method;
        if (!p->name[0] && ocx_streq(m, "GET")) {
                _cleanup_free_ char *prefix = api_key_prefix(ns_kind(), NULL);
                store_kv *items = NULL;
                size_t n = 0;
                int64_t rev = 0;
                int r = store_list(s->st, prefix, NULL, 0, &items, &n, &rev);
                if (r < 0) {
                        api_respond_error(resp, r, NULL, k, NULL);
                        return;
                }
                cJSON *list = cJSON_CreateObject();
                cJSON_AddStringToObject(list, "kind", "ProjectList");
                cJSON_AddStringToObject(list, "apiVersion", "project.openshift.io/v1");
                char rvs[32];
                snprintf(rvs, sizeof(rvs), "%lld", (long long)rev);
                cJSON_AddStringToObject(cJSON_AddObjectToObject(list, "metadata"), "resourceVersion", rvs);
                cJSON *arr = cJSON_AddArrayToObject(list, "items");
                for (size_t i = 0; i < n; i++) {
                        _cleanup_json_ cJSON *o = NULL;
                        if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                        const char *name = ocx_json_path_str(o, "metadata.name");
                        if (name && can_see(s, &req->user, name)) cJSON_AddItemToArray(arr, to_project(o));
                }
                store_kvs_free(items, n);
                if (req->accept && strstr(req->accept, "as=Table")) {
                        cJSON *t = api_table_build(k, arr, rvs, TABLE_OBJ_METADATA, time(NULL));
                        api_respond_json(resp, 200, t);
                        cJSON_Delete(t);
                } else {
                        api_respond_json(resp, 200, list);
                }
                cJSON_Delete(list);
                return;
        }
        if (p->name[0] && ocx_streq(m, "GET")) {
                if (!can_see(s, &req->user, p->name)) {
                        forbidden_project(resp, &req->user, "get", p->name);
                        return;
                }
                _cleanup_json_ cJSON *o = NULL;
                int r = api_get_object(s, ns_kind(), NULL, p->name, &o);
                if (r < 0) {
                        api_respond_error(resp, r, NULL, k, p->name);
                        return;
                }
                _cleanup_json_ cJSON *proj = to_project(o);
                if (req->accept && strstr(req->accept, "as=Table")) {
                        cJSON *arr = cJSON_CreateArray();
                        cJSON_AddItemReferenceToArray(arr, proj);
                        cJSON *t = api_table_build(k, arr, NULL, TABLE_OBJ_METADATA, time(NULL));
                        api_respond_json(resp, 200, t);
                        cJSON_Delete(t);
                        cJSON_Delete(arr);
                } else {
                        api_respond_json(resp, 200, proj);
                }
                return;
        }
        if (p->name[0] && ocx_streq(m, "DELETE")) {
                if (!may(s, &req->user, "delete", "project.openshift.io", "projects", p->name) &&
                    !(auth_authorize ? false : can_see(s, &req->user, p->name))) {
                        forbidden_project(resp, &req->user, "delete", p->name);
                        return;
                }
                _cleanup_error_ ocx_error *e = NULL;
                int r = api_delete_object(s, ns_kind(), NULL, p->name, "Background", 0, NULL, &e);
                if (r < 0) api_respond_error(resp, r, e, k, p->name);
                else api_respond_status(resp, 200, NULL, NULL, NULL);
                return;
        }
        api_respond_error(resp, -EOPNOTSUPP, NULL, k, p->name);
}

/* Self-provisioning: OpenShift binds self-provisioner to
 * system:authenticated:oauth; cluster admins may always. */
static bool may_request(api_server *s, const api_user *u) {
        if (in_group(u, "system:masters") || in_group(u, "system:authenticated:oauth")) return true;
        if (auth_authorize) {
                auth_attrs a = {.verb = "create", .group = "project.openshift.io", .resource = "projectrequests",
                                .subresource = "", .ns = "", .name = ""};
                return auth_authorize(s, u, &a, NULL);
        }
        return false;
}

static void add_binding(api_server *s, const char *ns, const char *name, const char *role, const char *skind,
                        const char *sname) {
        cJSON *rb = cJSON_CreateObject();
        cJSON_AddStringToObject(rb, "apiVersion", "rbac.authorization.k8s.io/v1");
        cJSON_AddStringToObject(rb, "kind", "RoleBinding");
        cJSON *md = cJSON_AddObjectToObject(rb, "metadata");
        cJSON_AddStringToObject(md, "name", name);
        cJSON_AddStringToObject(md, "namespace", ns);
        cJSON *ref = cJSON_AddObjectToObject(rb, "roleRef");
        cJSON_AddStringToObject(ref, "apiGroup", "rbac.authorization.k8s.io");
        cJSON_AddStringToObject(ref, "kind", "ClusterRole");
        cJSON_AddStringToObject(ref, "name", role);
        cJSON *sub = cJSON_CreateObject();
        cJSON_AddStringToObject(sub, "kind", skind);
        if (ocx_streq(skind, "ServiceAccount")) cJSON_AddStringToObject(sub, "namespace", ns);
        else cJSON_AddStringToObject(sub, "apiGroup", "rbac.authorization.k8s.io");
        cJSON_AddStringToObject(sub, "name", sname);
        cJSON_AddItemToArray(cJSON_AddArrayToObject(rb, "subjects"), sub);
        _cleanup_error_ ocx_error *e = NULL;
        int r = api_create_object(s, rb_kind(), ns, rb, false, NULL, NULL, &e);
        if (r < 0 && r != -EEXIST) log_error("project %s: rolebinding %s: %s", ns, name, e ? e->message : strerror(-r));
}

static void project_forbidden(api_response *resp, const char *name, const char *why) {
        _cleanup_free_ char *msg = ocx_xasprintf("project.project.openshift.io \"%s\" is forbidden: %s", name, why);
        cJSON *d = cJSON_CreateObject();
        cJSON_AddStringToObject(d, "name", name);
        cJSON_AddStringToObject(d, "group", "project.openshift.io");
        cJSON_AddStringToObject(d, "kind", "project");
        api_respond_status(resp, 403, "Forbidden", msg, d);
}

static void project_request(api_server *s, const api_kind *k, const api_request *req, api_response *resp) {
        if (!ocx_streq(req->method, "GET") && !ocx_streq(req->method, "POST")) {
                api_respond_error(resp, -EOPNOTSUPP, NULL, k, NULL);
                return;
        }
        if (!may_request(s, &req->user)) {
                api_respond_status(resp, 403, "Forbidden", "You may not request a new project via this API.", NULL);
                return;
        }
        if (ocx_streq(req->method, "GET")) {
                api_respond_status(resp, 200, NULL, NULL, NULL);
                return;
        }
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_json_ cJSON *body = NULL;
        if (ocx_json_parse(req->body ? req->body : "", req->body_len, &body, &e) < 0) {
                api_respond_error(resp, -EBADMSG, e, k, NULL);
                return;
        }
        const char *name = ocx_json_path_str(body, "metadata.name");
        static const char *const reserved[] = {"openshift", "kubernetes", "kube"};
        static const char *const reserved_prefix[] = {"openshift-", "kubernetes-", "kube-"};
        for (size_t i = 0; name && i < OCX_ARRAY_SIZE(reserved); i++) {
                if (ocx_streq(name, reserved[i])) {
                        _cleanup_free_ char *why = ocx_xasprintf("cannot request a project with the name \"%s\"", reserved[i]);
                        project_forbidden(resp, name, why);
                        return;
                }
                if (ocx_startswith(name, reserved_prefix[i])) {
                        _cleanup_free_ char *why = ocx_xasprintf("cannot request a project starting with \"%s\"", reserved_prefix[i]);
                        project_forbidden(resp, name, why);
                        return;
                }
        }
        const char *requester = req->user.name ? req->user.name : "";
        cJSON *ns = cJSON_CreateObject();
        cJSON *md = cJSON_AddObjectToObject(ns, "metadata");
        cJSON_AddStringToObject(md, "name", name ? name : "");
        cJSON *ann = cJSON_AddObjectToObject(md, "annotations");
        const char *dn = ocx_json_get_str(body, "displayName"), *desc = ocx_json_get_str(body, "description");
        cJSON_AddStringToObject(ann, "openshift.io/description", desc ? desc : "");
        cJSON_AddStringToObject(ann, "openshift.io/display-name", dn ? dn : "");
        cJSON_AddStringToObject(ann, "openshift.io/requester", requester);
        cJSON *out = NULL, *causes = NULL;
        int r = api_create_object(s, ns_kind(), NULL, ns, false, &out, &causes, &e);
        if (r == -EINVAL && causes) {
                char *msg = api_invalid_message(k, name, causes);
                cJSON *d = cJSON_CreateObject();
                if (name) cJSON_AddStringToObject(d, "name", name);
                cJSON_AddStringToObject(d, "group", k->group);
                cJSON_AddStringToObject(d, "kind", k->kind);
                cJSON_AddItemToObject(d, "causes", causes);
                api_respond_status(resp, 422, "Invalid", msg, d);
                free(msg);
                return;
        }
        cJSON_Delete(causes);
        if (r == -EEXIST) {
                _cleanup_free_ char *msg = ocx_xasprintf("project.project.openshift.io \"%s\" already exists", name);
                cJSON *d = cJSON_CreateObject();
                cJSON_AddStringToObject(d, "name", name);
                cJSON_AddStringToObject(d, "group", "project.openshift.io");
                cJSON_AddStringToObject(d, "kind", "project");
                api_respond_status(resp, 409, "AlreadyExists", msg, d);
                return;
        }
        if (r < 0) {
                api_respond_error(resp, r, e, k, name);
                return;
        }
        /* what the default project template and the controllers add */
        if (*requester) add_binding(s, name, "admin", "admin", "User", requester);
        _cleanup_free_ char *sagroup = ocx_xasprintf("system:serviceaccounts:%s", name);
        add_binding(s, name, "system:image-pullers", "system:image-puller", "Group", sagroup);
        add_binding(s, name, "system:image-builders", "system:image-builder", "ServiceAccount", "builder");
        add_binding(s, name, "system:deployers", "system:deployer", "ServiceAccount", "deployer");
        static const char *const accounts[] = {"builder", "default", "deployer"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(accounts); i++) {
                _cleanup_error_ ocx_error *se = NULL;
                if (authn_sa_ensure(s, name, accounts[i], &se) < 0)
                        log_error("project %s: service account %s: %s", name, accounts[i], se ? se->message : "failed");
        }
        _cleanup_json_ cJSON *proj = to_project(out);
        cJSON_Delete(out);
        api_respond_json(resp, 201, proj);
}

static void self_subject_review(const api_request *req, api_response *resp) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "kind", "SelfSubjectReview");
        cJSON_AddStringToObject(r, "apiVersion", "authentication.k8s.io/v1");
        cJSON_AddObjectToObject(r, "metadata");
        cJSON *ui = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "status"), "userInfo");
        cJSON_AddStringToObject(ui, "username", req->user.name ? req->user.name : "system:anonymous");
        cJSON *groups = cJSON_AddArrayToObject(ui, "groups");
        for (const char *const *g = req->user.groups; g && *g; g++) cJSON_AddItemToArray(groups, cJSON_CreateString(*g));
        api_respond_json(resp, 201, r);
        cJSON_Delete(r);
}

void api_handle_virtual(api_server *s, const api_kind *k, const api_path *p, const api_request *req, api_response *resp) {
        if (ocx_streq(k->plural, "projects")) projects(s, k, p, req, resp);
        else if (ocx_streq(k->plural, "projectrequests")) project_request(s, k, req, resp);
        else if (ocx_streq(k->plural, "selfsubjectreviews") && ocx_streq(req->method, "POST")) self_subject_review(req, resp);
        else if (ocx_streq(k->plural, "selfsubjectaccessreviews") && ocx_streq(req->method, "POST"))
                auth_self_subject_access_review(s, req, resp); /* RBAC decision (auth/authz.h) */
        else if (ocx_startswith(k->plural, "podsecuritypolicy") && ocx_streq(req->method, "POST"))
                api_handle_scc_review(s, k, p, req, resp); /* virtual-scc.c */
        else api_respond_error(resp, -EOPNOTSUPP, NULL, k, p->name);
}
