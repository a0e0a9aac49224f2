/* SCC review endpoints: run the SCC engine on a pod template without storing
 * anything and answer which SCC would admit it (status.allowedBy) or why not
 * (status.reason).
 *
 * Beyond upstream, a refusal carries status.suggestion, the smallest change
 * that would let the pod in (docs/scc.md):
 *   - when some SCC would admit the pod unchanged, the first one in the
 *     engine's order (priority, then restrictiveness, then name) and the
 *     subject to grant it to: {grant, subject{kind,name[,namespace]}, admittedBy};
 *   - otherwise the first single field removal (in a fixed order, least
 *     intrusive first) after which an SCC the subject may already use admits
 *     the pod, else one after which any SCC would (plus the grant):
 *     {field, change, admittedBy[, grant, subject]};
 *   - else {message}.
 * PodSecurityPolicyReview also lists the refused service accounts, with
 * their reason and suggestion, in status.deniedServiceAccounts. */
#include <stdio.h>
#include "apiserver/admission.h"
#include "apiserver/virtual.h"
#include "auth/authz.h"
#include "ocx/json.h"
#include "scc/admission.h"
#include "ocx/banned.h"

/* "What if the subject could use every SCC": the first SCC in order that
 * admits the pod. */
static bool can_use_any(void *ud, const char *user, const char *const *groups, const char *scc, const char *ns) {
        (void)ud, (void)user, (void)groups, (void)scc, (void)ns;
        return true;
}

typedef struct review_ctx {
        api_server *s;
        const char *ns;
        const scc_set *set;
        const cJSON *ns_ann;
} review_ctx;

/* Who a grant would go to. */
typedef struct subject {
        const char *kind; /* "ServiceAccount", "User", "Group" */
        const char *name;
} subject;

/* Admits pod as (user, groups, its service account); returns the chosen SCC
 * (caller frees) or NULL, and the error message when reason is not NULL. */
static char *try_admit(const review_ctx *c, const cJSON *pod, const char *user, const char *const *groups,
                       scc_can_use_fn use, cJSON **ret_pod, char **reason) {
        scc_request req = {.op = SCC_OP_CREATE,
                           .pod = pod,
                           .user = user,
                           .groups = groups,
                           .ns = c->ns,
                           .ns_annotations = c->ns_ann,
                           .can_use = use,
                           .userdata = c->s};
        scc_decision d = {0};
        ocx_error *e = NULL;
        char *scc = NULL;
        if (scc_admit(c->set, &req, &d, &e) == 0 && d.scc) {
                scc = TAKE_PTR(d.scc);
                if (ret_pod) *ret_pod = TAKE_PTR(d.pod);
        } else if (reason) {
                *reason = ocx_xstrdup(e ? e->message : "no SCC admits the pod");
        }
        scc_decision_release(&d);
        ocx_error_free(e);
        return scc;
}

/* ---- single-field edits, least intrusive first ---- */

typedef struct edit {
        char scope; /* 'c' pod and container securityContexts, 's' pod securityContext, 'h' pod spec,
                       'p' container hostPorts, 'v' hostPath volumes */
        const char *key;
        const char *sub; /* 'c': a member of key (capabilities.add) */
} edit;

static const edit edits[] = {
    {'c', "runAsUser", NULL},
    {'p', "hostPort", NULL},
    {'c', "capabilities", "add"},
    {'c', "privileged", NULL},
    {'c', "allowPrivilegeEscalation", NULL},
    {'c', "seLinuxOptions", NULL},
    {'c', "seccompProfile", NULL},
    {'s', "sysctls", NULL},
    {'s', "fsGroup", NULL},
    {'s', "supplementalGroups", NULL},
    {'h', "hostNetwork", NULL},
    {'h', "hostPID", NULL},
    {'h', "hostIPC", NULL},
    {'v', "hostPath", NULL},
};

static const char *const lists[] = {"initContainers", "containers", "ephemeralContainers"};

/* Removes key from o (NULL when absent); records the first hit. */
static void remove_key(cJSON *o, const char *key, const char *path, char **ret_field, char **ret_value) {
        cJSON *v = ocx_json_get(o, key);
        if (!v || cJSON_IsNull(v) || (cJSON_IsBool(v) && !cJSON_IsTrue(v))) return;
        if (!*ret_field) {
                *ret_field = ocx_xasprintf("%s.%s", path, key);
                *ret_value = cJSON_PrintUnformatted(v);
        }
        cJSON_DeleteItemFromObjectCaseSensitive(o, key);
}

/* Applies edit e to pod; false when the pod has nothing it removes. */
static bool apply_edit(const edit *e, cJSON *pod, char **ret_field, char **ret_change) {
        cJSON *spec = ocx_json_get(pod, "spec");
        char *field = NULL, *value = NULL;
        if (e->scope == 'h') {
                remove_key(spec, e->key, "spec", &field, &value);
        } else if (e->scope == 'c' || e->scope == 's') {
                cJSON *psc = ocx_json_get(spec, "securityContext");
                if (e->sub)
                        remove_key(ocx_json_get(psc, e->key), e->sub, "spec.securityContext.capabilities", &field,
                                   &value);
                else
                        remove_key(psc, e->key, "spec.securityContext", &field, &value);
                for (size_t l = 0; e->scope == 'c' && l < OCX_ARRAY_SIZE(lists); l++) {
                        int i = 0;
                        cJSON *ct;
                        cJSON_ArrayForEach(ct, ocx_json_get(spec, lists[l])) {
                                char *p = ocx_xasprintf("spec.%s[%d].securityContext%s%s", lists[l], i++,
                                                        e->sub ? "." : "", e->sub ? e->key : "");
                                cJSON *sc = ocx_json_get(ct, "securityContext");
                                remove_key(e->sub ? ocx_json_get(sc, e->key) : sc, e->sub ? e->sub : e->key, p, &field,
                                           &value);
                                free(p);
                        }
                }
                if (ocx_streq(e->key, "seccompProfile")) {
                        /* the legacy annotations carry the same request */
                        cJSON *ann = ocx_json_path(pod, "metadata.annotations"), *a = ann ? ann->child : NULL;
                        while (a) {
                                cJSON *next = a->next;
                                if (ocx_startswith(a->string, "seccomp.security.alpha.kubernetes.io/") ||
                                    ocx_startswith(a->string, "container.seccomp.security.alpha.kubernetes.io/")) {
                                        if (!field) {
                                                field = ocx_xasprintf("metadata.annotations[%s]", a->string);
                                                value = cJSON_PrintUnformatted(a);
                                        }
                                        cJSON_Delete(cJSON_DetachItemViaPointer(ann, a));
                                }
                                a = next;
                        }
                }
        } else if (e->scope == 'p') {
                for (size_t l = 0; l < OCX_ARRAY_SIZE(lists); l++) {
                        int i = 0;
                        cJSON *ct;
                        cJSON_ArrayForEach(ct, ocx_json_get(spec, lists[l])) {
                                int k = 0;
                                cJSON *port;
                                cJSON_ArrayForEach(port, ocx_json_get(ct, "ports")) {
                                        char *p = ocx_xasprintf("spec.%s[%d].ports[%d]", lists[l], i, k++);
                                        cJSON *hp = ocx_json_get(port, "hostPort");
                                        if (cJSON_IsNumber(hp) && hp->valuedouble > 0)
                                                remove_key(port, "hostPort", p, &field, &value);
                                        free(p);
                                }
                                i++;
                        }
                }
        } else if (e->scope == 'v') {
                cJSON *vols = ocx_json_get(spec, "volumes"), *v = vols ? vols->child : NULL;
                int i = 0;
                while (v) {
                        cJSON *next = v->next;
                        const cJSON *src = ocx_json_get(v, e->key);
                        if (src && !cJSON_IsNull(src)) {
                                if (!field) {
                                        field = ocx_xasprintf("spec.volumes[%d]", i);
                                        value = cJSON_PrintUnformatted(ocx_json_get(v, "name"));
                                }
                                cJSON_Delete(cJSON_DetachItemViaPointer(vols, v));
                        }
                        v = next;
                        i++;
                }
        }
        if (!field) {
                free(value);
                return false;
        }
        if (e->scope == 'v')
                *ret_change = ocx_xasprintf("remove the %s volume %s", e->key, value ? value : "\"\"");
        else
                *ret_change = ocx_xasprintf("remove `%s: %s`", e->sub ? e->sub : e->key, value ? value : "null");
        *ret_field = field;
        free(value);
        return true;
}

static void add_grant(cJSON *sug, const char *scc, const subject *who, const char *ns) {
        cJSON_AddStringToObject(sug, "grant", scc);
        cJSON *sj = cJSON_AddObjectToObject(sug, "subject");
        cJSON_AddStringToObject(sj, "kind", who->kind);
        cJSON_AddStringToObject(sj, "name", who->name);
        if (ocx_streq(who->kind, "ServiceAccount")) cJSON_AddStringToObject(sj, "namespace", ns);
}

/* status.suggestion for a pod nobody may admit as (user, groups). */
static cJSON *suggest(const review_ctx *c, const cJSON *pod, const char *user, const char *const *groups,
                      const subject *who) {
        cJSON *sug = cJSON_CreateObject();
        _cleanup_free_ char *any = try_admit(c, pod, user, groups, can_use_any, NULL, NULL);
        if (any) {
                add_grant(sug, any, who, c->ns);
                cJSON_AddStringToObject(sug, "admittedBy", any);
                return sug;
        }
        /* no SCC admits the pod as it is: look for one field to drop */
        char *fallback_field = NULL, *fallback_change = NULL, *fallback_scc = NULL;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(edits); i++) {
                cJSON *cp = cJSON_Duplicate(pod, true);
                char *field = NULL, *change = NULL;
                if (!apply_edit(&edits[i], cp, &field, &change)) {
                        cJSON_Delete(cp);
                        continue;
                }
                char *usable = try_admit(c, cp, user, groups, api_scc_can_use, NULL, NULL);
                if (usable) {
                        cJSON_AddStringToObject(sug, "field", field);
                        cJSON_AddStringToObject(sug, "change", change);
                        cJSON_AddStringToObject(sug, "admittedBy", usable);
                        free(usable);
                        free(field);
                        free(change);
                        cJSON_Delete(cp);
                        free(fallback_field);
                        free(fallback_change);
                        free(fallback_scc);
                        return sug;
                }
                if (!fallback_scc && (fallback_scc = try_admit(c, cp, user, groups, can_use_any, NULL, NULL))) {
                        fallback_field = TAKE_PTR(field);
                        fallback_change = TAKE_PTR(change);
                }
                free(field);
                free(change);
                cJSON_Delete(cp);
        }
        if (fallback_scc) {
                cJSON_AddStringToObject(sug, "field", fallback_field);
                cJSON_AddStringToObject(sug, "change", fallback_change);
                add_grant(sug, fallback_scc, who, c->ns);
                cJSON_AddStringToObject(sug, "admittedBy", fallback_scc);
        } else {
                cJSON_AddStringToObject(sug, "message",
                                        "no SCC admits this pod, and no single field removal changes that");
        }
        free(fallback_field);
        free(fallback_change);
        free(fallback_scc);
        return sug;
}

/* The pod a template stands for: its metadata and spec, in the namespace,
 * with the service account pod creation would default ("default"). */
static cJSON *pod_from_template(const cJSON *tmpl, const char *ns, const char *sa) {
        cJSON *pod = cJSON_CreateObject();
        cJSON_AddStringToObject(pod, "apiVersion", "v1");
        cJSON_AddStringToObject(pod, "kind", "Pod");
        const cJSON *md = ocx_json_get(tmpl, "metadata");
        cJSON *pmd = cJSON_IsObject(md) ? cJSON_Duplicate(md, true) : cJSON_CreateObject();
        ocx_json_set_str(pmd, "namespace", ns);
        cJSON_AddItemToObject(pod, "metadata", pmd);
        const cJSON *spec = ocx_json_get(tmpl, "spec");
        cJSON *ps = cJSON_Duplicate(spec, true);
        cJSON_AddItemToObject(pod, "spec", ps);
        const char *cur = ocx_json_get_str(ps, "serviceAccountName");
        if (sa)
                ocx_json_set_str(ps, "serviceAccountName", sa);
        else if (!cur || !*cur)
                ocx_json_set_str(ps, "serviceAccountName", "default");
        return pod;
}

/* Evaluates template for one subject; fills status. */
static void review(const review_ctx *c, const cJSON *tmpl, const char *user, const char *const *groups, const char *sa,
                   const subject *who_hint, cJSON *status) {
        _cleanup_json_ cJSON *pod = pod_from_template(tmpl, c->ns, sa);
        cJSON *admitted = NULL;
        _cleanup_free_ char *reason = NULL;
        _cleanup_free_ char *scc = try_admit(c, pod, user, groups, api_scc_can_use, &admitted, &reason);
        if (scc) {
                cJSON *by = cJSON_AddObjectToObject(status, "allowedBy");
                cJSON_AddStringToObject(by, "name", scc);
                cJSON_AddStringToObject(by, "kind", "SecurityContextConstraints");
                cJSON *t = cJSON_AddObjectToObject(status, "template");
                cJSON_AddItemToObject(t, "metadata", cJSON_Duplicate(ocx_json_get(admitted, "metadata"), true));
                cJSON_AddItemToObject(t, "spec", cJSON_Duplicate(ocx_json_get(admitted, "spec"), true));
                cJSON_Delete(admitted);
                return;
        }
        cJSON_AddStringToObject(status, "reason", reason);
        subject who =
            who_hint ? *who_hint : (subject){"ServiceAccount", ocx_json_path_str(pod, "spec.serviceAccountName")};
        cJSON_AddItemToObject(status, "suggestion", suggest(c, pod, user, groups, &who));
}

static int load_sccs(api_server *s, scc_set **ret) {
        const api_kind *sk = api_kind_by_plural("security.openshift.io", "v1", "securitycontextconstraints");
        _cleanup_free_ char *prefix = api_key_prefix(sk, NULL);
        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev;
        _cleanup_json_ cJSON *sccs = cJSON_CreateArray();
        if (store_list(s->st, prefix, NULL, 0, &items, &n, &rev) == 0) {
                for (size_t i = 0; i < n; i++) {
                        cJSON *o = NULL;
                        if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) == 0)
                                cJSON_AddItemToArray(sccs, o);
                }
                store_kvs_free(items, n);
        }
        return scc_set_new(sccs, ret, NULL);
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
                _cleanup_free_ char *msg = ocx_xasprintf("namespaces \"%s\" not found", p->ns);
                api_respond_status(resp, 404, "NotFound", msg, NULL);
                return;
        }
        scc_set *set = NULL;
        if (load_sccs(s, &set) < 0) {
                api_respond_status(resp, 500, "InternalError", "unable to read the security context constraints", NULL);
                return;
        }
        review_ctx c = {s, p->ns, set, ocx_json_path(nso, "metadata.annotations")};
        cJSON *out = cJSON_Duplicate(body, true);
        ocx_json_set_str(out, "apiVersion", "security.openshift.io/v1");
        ocx_json_set_str(out, "kind", k->kind);
        cJSON *status = cJSON_CreateObject();
        ocx_json_set(out, "status", status);
        if (ocx_streq(k->plural, "podsecuritypolicyreviews")) {
                /* each named service account (default: the template's, else "default") */
                cJSON *allowed = cJSON_AddArrayToObject(status, "allowedServiceAccounts");
                cJSON *denied = cJSON_CreateArray();
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
                        _cleanup_free_ char *user =
                            ocx_xasprintf("system:serviceaccount:%s:%s", p->ns, nm->valuestring);
                        _cleanup_free_ char *g2 = ocx_xasprintf("system:serviceaccounts:%s", p->ns);
                        const char *groups[] = {"system:serviceaccounts", g2, "system:authenticated", NULL};
                        cJSON *st = cJSON_CreateObject();
                        subject who = {"ServiceAccount", nm->valuestring};
                        review(&c, tmpl, user, groups, nm->valuestring, &who, st);
                        cJSON_AddStringToObject(st, "name", nm->valuestring);
                        cJSON_AddItemToArray(ocx_json_get(st, "allowedBy") ? allowed : denied, st);
                }
                if (cJSON_GetArraySize(denied))
                        cJSON_AddItemToObject(status, "deniedServiceAccounts", denied);
                else
                        cJSON_Delete(denied);
        } else {
                const char *user = req->user.name;
                const char *const *groups = req->user.groups;
                const char *gbuf[66];
                subject who_buf, *who = NULL;
                if (ocx_streq(k->plural, "podsecuritypolicysubjectreviews")) {
                        user = ocx_json_path_str(body, "spec.user");
                        size_t ng = 0;
                        const cJSON *g;
                        const char *first_group = NULL;
                        cJSON_ArrayForEach(g, ocx_json_path(body, "spec.groups")) {
                                if (cJSON_IsString(g) && ng < 64) gbuf[ng++] = g->valuestring;
                                if (cJSON_IsString(g) && !first_group) first_group = g->valuestring;
                        }
                        if (user && *user) gbuf[ng++] = "system:authenticated";
                        gbuf[ng] = NULL;
                        groups = gbuf;
                        if (user && *user)
                                who_buf = (subject){"User", user}, who = &who_buf;
                        else if (first_group)
                                who_buf = (subject){"Group", first_group}, who = &who_buf;
                        if (!user || !*user) user = "";
                }
                review(&c, tmpl, user, groups, NULL, who, status);
        }
        scc_set_free(set);
        api_respond_json(resp, 201, out);
        cJSON_Delete(out);
}
