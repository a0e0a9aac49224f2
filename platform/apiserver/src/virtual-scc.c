/* SCC review endpoints: run the SCC engine on a pod template without storing
 * anything and answer which SCC would admit it (status.allowedBy) or why not
 * (status.reason). */
#include <stdio.h>
#include "apiserver/admission.h"
#include "apiserver/virtual.h"
#include "auth/authz.h"
#include "ocx/json.h"
#include "scc/admission.h"
#include "ocx/banned.h"

static bool can_use(void *ud, const char *user, const char *const *groups, const char *scc, const char *ns) {
        api_user u = {.name = user, .groups = groups};
        auth_attrs a = {.verb = "use", .group = "security.openshift.io", .resource = "securitycontextconstraints",
                        .subresource = "", .ns = ns ? ns : "", .name = scc};
        return auth_authorize(ud, &u, &a, NULL);
}

/* Evaluates template (a PodTemplateSpec) for one subject; fills status. */
static void review(api_server *s, const char *ns, const cJSON *sccs, const cJSON *ns_ann, const cJSON *tmpl,
                   const char *user, const char *const *groups, const char *sa, cJSON *status) {
        _cleanup_json_ cJSON *pod = cJSON_CreateObject();
        cJSON_AddStringToObject(pod, "apiVersion", "v1");
        cJSON_AddStringToObject(pod, "kind", "Pod");
        const cJSON *md = ocx_json_get(tmpl, "metadata");
        cJSON *pmd = md ? cJSON_Duplicate(md, true) : cJSON_CreateObject();
        ocx_json_set_str(pmd, "namespace", ns);
        cJSON_AddItemToObject(pod, "metadata", pmd);
        const cJSON *spec = ocx_json_get(tmpl, "spec");
        cJSON_AddItemToObject(pod, "spec", spec ? cJSON_Duplicate(spec, true) : cJSON_CreateObject());
        if (sa) ocx_json_set_str(ocx_json_get(pod, "spec"), "serviceAccountName", sa);
        scc_request req = {.op = SCC_OP_CREATE, .pod = pod, .user = user, .groups = groups, .ns = ns,
                           .service_account = sa, .ns_annotations = ns_ann, .can_use = can_use, .userdata = s};
        scc_decision d = {0};
        _cleanup_error_ ocx_error *e = NULL;
        if (scc_admit_json(sccs, &req, &d, &e) == 0 && d.scc) {
                cJSON *by = cJSON_AddObjectToObject(status, "allowedBy");
                cJSON_AddStringToObject(by, "name", d.scc);
                cJSON_AddStringToObject(by, "kind", "SecurityContextConstraints");
                cJSON *t = cJSON_AddObjectToObject(status, "template");
                cJSON_AddItemToObject(t, "metadata", cJSON_Duplicate(ocx_json_get(d.pod, "metadata"), true));
                cJSON_AddItemToObject(t, "spec", cJSON_Duplicate(ocx_json_get(d.pod, "spec"), true));
        } else {
                cJSON_AddStringToObject(status, "reason", e ? e->message : "no SCC admits the pod");
        }
        scc_decision_release(&d);
}

void api_handle_scc_review(api_server *s, const api_kind *k, const api_path *p, const api_request *req,
                           api_response *resp) {
        _cleanup_error_ ocx_error *e = NULL;
        _cleanup_json_ cJSON *body = NULL;
        if (ocx_json_parse(req->body ? req->body : "", req->body_len, &body, &e) < 0) {
                api_respond_error(resp, -EBADMSG, e, k, NULL);
                return;
        }
        const cJSON *tmpl = ocx_json_path(body, "spec.template");
        if (!cJSON_IsObject(tmpl) || !cJSON_IsObject(ocx_json_get(tmpl, "spec"))) {
                api_respond_status(resp, 422, "Invalid", "spec.template.spec: Required value", NULL);
                return;
        }
        const api_kind *nsk = api_kind_by_plural("", "v1", "namespaces");
        _cleanup_json_ cJSON *nso = NULL;
        if (api_get_object(s, nsk, NULL, p->ns, &nso) < 0) {
                char *msg = ocx_xasprintf("namespaces \"%s\" not found", p->ns);
                api_respond_status(resp, 404, "NotFound", msg, NULL);
                free(msg);
                return;
        }
        const api_kind *sk = api_kind_by_plural("security.openshift.io", "v1", "securitycontextconstraints");
        _cleanup_free_ char *prefix = api_key_prefix(sk, NULL);
        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev;
        _cleanup_json_ cJSON *sccs = cJSON_CreateArray();
        if (store_list(s->st, prefix, NULL, 0, &items, &n, &rev) == 0) {
                for (size_t i = 0; i < n; i++) {
                        cJSON *o = NULL;
                        if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) == 0) cJSON_AddItemToArray(sccs, o);
                }
                store_kvs_free(items, n);
        }
        const cJSON *ns_ann = ocx_json_path(nso, "metadata.annotations");
        cJSON *out = cJSON_Duplicate(body, true);
        ocx_json_set_str(out, "apiVersion", "security.openshift.io/v1");
        ocx_json_set_str(out, "kind", k->kind);
        cJSON *status = cJSON_CreateObject();
        ocx_json_set(out, "status", status);
        if (ocx_streq(k->plural, "podsecuritypolicyreviews")) {
                /* each named service account (default: the template's, else "default") */
                cJSON *allowed = cJSON_AddArrayToObject(status, "allowedServiceAccounts");
                const cJSON *names = ocx_json_path(body, "spec.serviceAccountNames");
                _cleanup_json_ cJSON *dflt = cJSON_CreateArray();
                if (cJSON_GetArraySize(names) == 0) {
                        const char *san = ocx_json_path_str(tmpl, "spec.serviceAccountName");
                        cJSON_AddItemToArray(dflt, cJSON_CreateString(san && *san ? san : "default"));
                        names = dflt;
                }
                const cJSON *nm;
                cJSON_ArrayForEach(nm, names) {
                        if (!cJSON_IsString(nm)) continue;
                        char *user = ocx_xasprintf("system:serviceaccount:%s:%s", p->ns, nm->valuestring);
                        char *g2 = ocx_xasprintf("system:serviceaccounts:%s", p->ns);
                        const char *groups[] = {"system:serviceaccounts", g2, "system:authenticated", NULL};
                        cJSON *st = cJSON_CreateObject();
                        review(s, p->ns, sccs, ns_ann, tmpl, user, groups, nm->valuestring, st);
                        if (ocx_json_get(st, "allowedBy")) {
                                cJSON_AddStringToObject(st, "name", nm->valuestring);
                                cJSON_AddItemToArray(allowed, st);
                        } else {
                                cJSON_Delete(st);
                        }
                        free(user);
                        free(g2);
                }
        } else {
                const char *user = req->user.name;
                const char *const *groups = req->user.groups;
                const char *gbuf[66];
                if (ocx_streq(k->plural, "podsecuritypolicysubjectreviews")) {
                        user = ocx_json_path_str(body, "spec.user");
                        size_t ng = 0;
                        const cJSON *g;
                        cJSON_ArrayForEach(g, ocx_json_path(body, "spec.groups")) {
                                if (cJSON_IsString(g) && ng < 64) gbuf[ng++] = g->valuestring;
                        }
                        if (user && *user) gbuf[ng++] = "system:authenticated";
                        gbuf[ng] = NULL;
                        groups = gbuf;
                        if (!user || !*user) user = "";
                }
                review(s, p->ns, sccs, ns_ann, tmpl, user, groups, NULL, status);
        }
        api_respond_json(resp, 201, out);
        cJSON_Delete(out);
}
