/* ocxd — RBAC around the request pipeline: the privilege-escalation check on
 * writes of roles and bindings, SelfSubjectAccessReview, and the bootstrap
 * roles and bindings. */
#include <stdio.h>
#include "auth/authz.h"
#include "apiserver/patch.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/yaml.h"
#include "policies/data.h"
#include "ocx/banned.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"

static bool user_in(const api_user *u, const char *group) {
        for (const char *const *g = u->groups; g && *g; g++)
                if (strcmp(*g, group) == 0) return true;
        return false;
}

/* The object the write would store, or NULL when it cannot be worked out
 * (the handler then answers with the precise error). */
static cJSON *final_object(api_server *s, const api_request *req, const api_kind *k, const char *ns, const char *name) {
        if (!req->body || !req->body_len) return NULL;
        cJSON *body = NULL;
        if (req->content_type && strstr(req->content_type, "yaml")) {
                _cleanup_json_ cJSON *docs = NULL;
                if (ocx_yaml_parse_stream(req->body, req->body_len, &docs, NULL) < 0 || cJSON_GetArraySize(docs) != 1) return NULL;
                body = cJSON_DetachItemFromArray(docs, 0);
        } else if (ocx_json_parse(req->body, req->body_len, &body, NULL) < 0) {
                return NULL;
        }
        if (!ocx_streq(req->method, "PATCH")) return body;
        _cleanup_json_ cJSON *patch = body, *cur = NULL;
        if (api_get_object(s, k, ns, name, &cur) < 0) return NULL;
        api_patch_type t = PATCH_MERGE;
        if (ocx_startswith(req->content_type, "application/json-patch")) t = PATCH_JSON;
        else if (ocx_startswith(req->content_type, "application/strategic-merge-patch")) t = PATCH_STRATEGIC;
        cJSON *out = NULL;
        if (api_patch_apply(t, cur, patch, &out, NULL) < 0) return NULL;
        return out;
}

static int forbidden(const api_kind *k, const char *name, const api_user *u, const char *missing, ocx_error **reterr) {
        pol_user pu = {u->name ? u->name : "", u->groups};
        _cleanup_free_ char *why = pol_escalation_message(&pu, missing);
        if (name && *name) return ocx_error_set(reterr, EACCES, NULL, "%s \"%s\" is forbidden: %s", api_kind_qualified(k), name, why);
        return ocx_error_set(reterr, EACCES, NULL, "%s is forbidden: %s", api_kind_qualified(k), why);
}

int auth_check_escalation(api_server *s, const api_request *req, const api_kind *k, const char *ns, const char *name,
                          ocx_error **reterr) {
        if (!ocx_streq(k->group, RBAC_GROUP)) return 0;
        bool role = ocx_streq(k->plural, "roles") || ocx_streq(k->plural, "clusterroles");
        bool binding = ocx_streq(k->plural, "rolebindings") || ocx_streq(k->plural, "clusterrolebindings");
        if (!role && !binding) return 0;
        const char *m = req->method;
        if (!ocx_streq(m, "POST") && !ocx_streq(m, "PUT") && !ocx_streq(m, "PATCH")) return 0;
        const api_user *u = &req->user;
        /* in-process callers and system:masters may grant anything (EscalationAllowed) */
        if (!u->name || user_in(u, "system:masters")) return 0;
        _cleanup_json_ cJSON *obj = final_object(s, req, k, ns, name);
        if (!obj) return 0;
        const char *oname = name && *name ? name : ocx_json_path_str(obj, "metadata.name");
        if (!oname) oname = "";
        if (!k->namespaced) ns = "";
        if (role) {
                auth_attrs esc = {.verb = "escalate", .group = RBAC_GROUP, .resource = k->plural, .subresource = "",
                                  .ns = ns, .name = oname};
                if (auth_authorize(s, u, &esc, NULL)) return 0;
                pol_rule *rules = NULL;
                size_t n = 0;
                if (pol_rules_from_json(ocx_json_get(obj, "rules"), &rules, &n, NULL) < 0) return 0; /* validation reports it */
                _cleanup_free_ char *missing = NULL;
                int r = auth_covers(s, u, ns, rules, n, NULL, NULL, &missing);
                pol_rules_free(rules, n);
                return r == -EACCES ? forbidden(k, oname, u, missing, reterr) : 0;
        }
        const char *rk = ocx_json_path_str(obj, "roleRef.kind"), *rn = ocx_json_path_str(obj, "roleRef.name");
        if (!rn || !*rn || (!ocx_streq(rk, "ClusterRole") && !ocx_streq(rk, "Role"))) return 0; /* invalid: validation */
        bool cluster_role = ocx_streq(rk, "ClusterRole");
        auth_attrs bind = {.verb = "bind", .group = RBAC_GROUP, .resource = cluster_role ? "clusterroles" : "roles",
                           .subresource = "", .ns = ns, .name = rn};
        if (auth_authorize(s, u, &bind, NULL)) return 0;
        _cleanup_free_ char *missing = NULL;
        int r = auth_covers(s, u, ns, NULL, 0, cluster_role ? "" : ns, rn, &missing);
        if (r == -ENOENT) {
                const api_kind *rkind = api_kind_by_plural(RBAC_GROUP, "v1", cluster_role ? "clusterroles" : "roles");
                return ocx_error_set(reterr, ENOENT, NULL, "%s \"%s\" not found", api_kind_qualified(rkind), rn);
        }
        return r == -EACCES ? forbidden(k, oname, u, missing, reterr) : 0;
}

/* --- SelfSubjectAccessReview */

void auth_self_subject_access_review(api_server *s, const api_request *req, api_response *resp) {
        _cleanup_json_ cJSON *body = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        const api_kind *k = api_kind_by_plural("authorization.k8s.io", "v1", "selfsubjectaccessreviews");
        if (ocx_json_parse(req->body ? req->body : "", req->body_len, &body, &e) < 0 || !cJSON_IsObject(body)) {
                api_respond_status(resp, 400, "BadRequest", e ? e->message : "the request body must be a JSON object", NULL);
                return;
        }
        const cJSON *spec = ocx_json_get(body, "spec");
        const cJSON *ra = ocx_json_get(spec, "resourceAttributes"), *nra = ocx_json_get(spec, "nonResourceAttributes");
        if ((ra && nra) || (!ra && !nra)) {
                cJSON *causes = cJSON_CreateArray();
                cJSON *c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "reason", "FieldValueRequired");
                cJSON_AddStringToObject(c, "message",
                                        ra ? "Invalid value: \"\": cannot be specified in combination with resourceAttributes"
                                           : "Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified");
                cJSON_AddStringToObject(c, "field", ra ? "spec.nonResourceAttributes" : "spec.resourceAttributes");
                cJSON_AddItemToArray(causes, c);
                cJSON *d = cJSON_CreateObject();
                cJSON_AddStringToObject(d, "group", k->group);
                cJSON_AddStringToObject(d, "kind", k->kind);
                cJSON_AddItemToObject(d, "causes", causes);
                api_respond_status(resp, 422, "Invalid",
                                   ra ? "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.nonResourceAttributes: Invalid value: \"\": cannot be specified in combination with resourceAttributes"
                                      : "SelfSubjectAccessReview.authorization.k8s.io \"\" is invalid: spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified",
                                   d);
                return;
        }
        auth_attrs a = {0};
#define S(obj, key) (ocx_json_get_str(obj, key) ? ocx_json_get_str(obj, key) : "")
        if (ra) {
                a = (auth_attrs){.verb = S(ra, "verb"), .group = S(ra, "group"), .resource = S(ra, "resource"),
                                 .subresource = S(ra, "subresource"), .ns = S(ra, "namespace"), .name = S(ra, "name")};
        } else {
                a = (auth_attrs){.verb = S(nra, "verb"), .path = S(nra, "path")};
        }
#undef S
        _cleanup_free_ char *why = NULL;
        bool ok = auth_decide(s, &req->user, &a, &why, NULL);
        cJSON *st = cJSON_CreateObject();
        cJSON_AddBoolToObject(st, "allowed", ok);
        if (ok && why && *why) cJSON_AddStringToObject(st, "reason", why);
        ocx_json_set(body, "status", st);
        ocx_json_set_str(body, "kind", "SelfSubjectAccessReview");
        ocx_json_set_str(body, "apiVersion", "authorization.k8s.io/v1");
        ocx_json_ensure_obj(body, "metadata");
        api_respond_json(resp, 201, body);
}

/* --- bootstrap policy */

static void create_one(api_server *s, const char *file, cJSON *obj) {
        const char *kind = ocx_json_get_str(obj, "kind");
        const api_kind *k = kind ? api_kind_by_kind(RBAC_GROUP, kind) : NULL;
        if (!k) {
                log_error("policy file %s: unexpected kind '%s'", file, kind ? kind : "");
                cJSON_Delete(obj);
                return;
        }
        const char *ns = ocx_json_path_str(obj, "metadata.namespace");
        _cleanup_error_ ocx_error *e = NULL;
        cJSON *causes = NULL;
        _cleanup_free_ char *name = ocx_xstrdup(ocx_json_path_str(obj, "metadata.name"));
        int r = api_create_object(s, k, ns, obj, false, NULL, &causes, &e);
        if (r < 0 && r != -EEXIST) {
                _cleanup_free_ char *c = causes ? ocx_json_print(causes) : NULL;
                log_error("cannot create %s '%s' from %s: %s", kind, name ? name : "", file,
                          c ? c : e ? e->message : strerror(-r));
        }
        cJSON_Delete(causes);
}

int auth_bootstrap(api_server *s, ocx_error **reterr) {
        (void)reterr;
        /* roles first, so bindings never point at a role that is not there yet */
        for (int pass = 0; pass < 2; pass++) {
                for (size_t i = 0; i < pol_files_n; i++) {
                        const pol_file *f = &pol_files[i];
                        if (!ocx_startswith(f->name, "rbac/")) continue;
                        _cleanup_json_ cJSON *doc = NULL;
                        _cleanup_error_ ocx_error *e = NULL;
                        if (ocx_json_parse(f->data, f->len, &doc, &e) < 0) {
                                log_error("policy file %s: %s", f->name, e->message);
                                continue;
                        }
                        cJSON *items = ocx_streq(ocx_json_get_str(doc, "kind"), "List") ? ocx_json_get(doc, "items") : NULL;
                        size_t n = items ? (size_t)cJSON_GetArraySize(items) : 1;
                        for (size_t j = 0; j < n; j++) {
                                cJSON *o = items ? cJSON_GetArrayItem(items, (int)j) : doc;
                                const char *kind = ocx_json_get_str(o, "kind");
                                bool is_binding = kind && strstr(kind, "Binding");
                                if (is_binding != (pass == 1)) continue;
                                create_one(s, f->name, cJSON_Duplicate(o, true));
                        }
                }
        }
        return 0;
}
