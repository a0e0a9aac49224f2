/* The RBAC engine (see policies/rbac.h). */
#include "policies/rbac.h"
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/banned.h"

#define SA_PREFIX "system:serviceaccount:"

/* ---------------------------------------------------------------- strings */

static void strv_free(char **v, size_t n) {
        for (size_t i = 0; i < n; i++) free(v[i]);
        free(v);
}

static bool strv_has(char *const *v, size_t n, const char *s) {
        for (size_t i = 0; i < n; i++)
                if (strcmp(v[i], s) == 0) return true;
        return false;
}

/* Go's %q for the plain strings RBAC deals with. */
static void go_quote(ocx_buf *b, const char *s) {
        ocx_buf_puts(b, "\"");
        for (const unsigned char *c = (const unsigned char *)(s ? s : ""); *c; c++) {
                if (*c == '"' || *c == '\\') ocx_buf_printf(b, "\\%c", *c);
                else if (*c == '\n') ocx_buf_puts(b, "\\n");
                else if (*c == '\t') ocx_buf_puts(b, "\\t");
                else if (*c < 0x20 || *c == 0x7f) ocx_buf_printf(b, "\\x%02x", *c);
                else ocx_buf_append(b, c, 1);
        }
        ocx_buf_puts(b, "\"");
}

static void go_quote_list(ocx_buf *b, char *const *v, size_t n) {
        ocx_buf_puts(b, "[");
        for (size_t i = 0; i < n; i++) {
                if (i) ocx_buf_puts(b, " ");
                go_quote(b, v[i]);
        }
        ocx_buf_puts(b, "]");
}

static int strv_from_json(const cJSON *arr, const char *path, char ***ret, size_t *ret_n, ocx_error **reterr) {
        *ret = NULL;
        *ret_n = 0;
        if (!arr || cJSON_IsNull(arr)) return 0;
        if (!cJSON_IsArray(arr)) return ocx_error_set(reterr, EINVAL, path, "must be a list of strings");
        size_t n = (size_t)cJSON_GetArraySize(arr), i = 0;
        char **v = ocx_xcalloc(n ? n : 1, sizeof(char *));
        const cJSON *it;
        cJSON_ArrayForEach(it, arr) {
                if (!cJSON_IsString(it)) {
                        strv_free(v, i);
                        return ocx_error_set(reterr, EINVAL, path, "must be a list of strings");
                }
                v[i++] = ocx_xstrdup(it->valuestring);
        }
        *ret = v;
        *ret_n = i;
        return 0;
}

/* ---------------------------------------------------------------- decoding */

void pol_rules_free(pol_rule *rules, size_t n) {
        for (size_t i = 0; i < n; i++) {
                pol_rule *r = &rules[i];
                strv_free(r->verbs, r->n_verbs);
                strv_free(r->groups, r->n_groups);
                strv_free(r->resources, r->n_resources);
                strv_free(r->names, r->n_names);
                strv_free(r->urls, r->n_urls);
        }
        free(rules);
}

int pol_rules_from_json(const cJSON *rules, pol_rule **ret, size_t *ret_n, ocx_error **reterr) {
        *ret = NULL;
        *ret_n = 0;
        if (!rules || cJSON_IsNull(rules)) return 0;
        if (!cJSON_IsArray(rules)) return ocx_error_set(reterr, EINVAL, "rules", "must be a list");
        size_t n = (size_t)cJSON_GetArraySize(rules), i = 0;
        pol_rule *v = ocx_xcalloc(n ? n : 1, sizeof(*v));
        const cJSON *it;
        cJSON_ArrayForEach(it, rules) {
                char path[96];
                int r = 0;
                if (!cJSON_IsObject(it)) {
                        snprintf(path, sizeof(path), "rules[%zu]", i);
                        r = ocx_error_set(reterr, EINVAL, path, "must be an object");
                }
#define FIELD(key, dst, cnt)                                                                       \
        if (r == 0) {                                                                              \
                snprintf(path, sizeof(path), "rules[%zu].%s", i, key);                             \
                r = strv_from_json(ocx_json_get(it, key), path, &v[i].dst, &v[i].cnt, reterr);     \
        }
                FIELD("verbs", verbs, n_verbs)
                FIELD("apiGroups", groups, n_groups)
                FIELD("resources", resources, n_resources)
                FIELD("resourceNames", names, n_names)
                FIELD("nonResourceURLs", urls, n_urls)
#undef FIELD
                i++;
                if (r < 0) {
                        pol_rules_free(v, i);
                        return r;
                }
        }
        *ret = v;
        *ret_n = i;
        return 0;
}

static const char *meta_str(const cJSON *obj, const char *key) {
        const char *s = ocx_json_get_str(ocx_json_get(obj, "metadata"), key);
        return s ? s : "";
}

pol_role *pol_role_free(pol_role *r) {
        if (!r) return NULL;
        free(r->ns);
        free(r->name);
        pol_rules_free(r->rules, r->n_rules);
        free(r);
        return NULL;
}

int pol_role_from_json(const cJSON *obj, pol_role **ret, ocx_error **reterr) {
        const char *kind = ocx_json_get_str(obj, "kind");
        bool cluster = ocx_streq(kind, "ClusterRole");
        if (!cluster && !ocx_streq(kind, "Role")) return ocx_error_set(reterr, EINVAL, "kind", "must be Role or ClusterRole");
        const char *name = meta_str(obj, "name");
        if (!*name) return ocx_error_set(reterr, EINVAL, "metadata.name", "name is required");
        pol_role *r = ocx_xcalloc(1, sizeof(*r));
        r->ns = ocx_xstrdup(cluster ? "" : meta_str(obj, "namespace"));
        r->name = ocx_xstrdup(name);
        int e = pol_rules_from_json(ocx_json_get(obj, "rules"), &r->rules, &r->n_rules, reterr);
        if (e < 0) {
                pol_role_free(r);
                return e;
        }
        *ret = r;
        return 0;
}

pol_binding *pol_binding_free(pol_binding *b) {
        if (!b) return NULL;
        for (size_t i = 0; i < b->n_subjects; i++) {
                free(b->subjects[i].name);
                free(b->subjects[i].ns);
        }
        free(b->subjects);
        free(b->ns);
        free(b->name);
        free(b->role);
        free(b);
        return NULL;
}

int pol_binding_from_json(const cJSON *obj, pol_binding **ret, ocx_error **reterr) {
        const char *kind = ocx_json_get_str(obj, "kind");
        bool cluster = ocx_streq(kind, "ClusterRoleBinding");
        if (!cluster && !ocx_streq(kind, "RoleBinding"))
                return ocx_error_set(reterr, EINVAL, "kind", "must be RoleBinding or ClusterRoleBinding");
        const char *name = meta_str(obj, "name");
        if (!*name) return ocx_error_set(reterr, EINVAL, "metadata.name", "name is required");
        const cJSON *ref = ocx_json_get(obj, "roleRef");
        const char *rk = ocx_json_get_str(ref, "kind"), *rn = ocx_json_get_str(ref, "name");
        if (!rn || !*rn) return ocx_error_set(reterr, EINVAL, "roleRef.name", "Required value");
        if (!ocx_streq(rk, "ClusterRole") && !(ocx_streq(rk, "Role") && !cluster))
                return ocx_error_set(reterr, EINVAL, "roleRef.kind", "Unsupported value: \"%s\"", rk ? rk : "");
        const cJSON *subs = ocx_json_get(obj, "subjects");
        if (subs && !cJSON_IsNull(subs) && !cJSON_IsArray(subs))
                return ocx_error_set(reterr, EINVAL, "subjects", "must be a list");
        pol_binding *b = ocx_xcalloc(1, sizeof(*b));
        b->ns = ocx_xstrdup(cluster ? "" : meta_str(obj, "namespace"));
        b->name = ocx_xstrdup(name);
        b->cluster_role = ocx_streq(rk, "ClusterRole");
        b->role = ocx_xstrdup(rn);
        size_t n = cJSON_IsArray(subs) ? (size_t)cJSON_GetArraySize(subs) : 0;
        b->subjects = ocx_xcalloc(n ? n : 1, sizeof(pol_subject));
        const cJSON *it;
        size_t i = 0;
        const cJSON *list = cJSON_IsArray(subs) ? subs : NULL;
        cJSON_ArrayForEach(it, list) {
                const char *sk = ocx_json_get_str(it, "kind"), *sn = ocx_json_get_str(it, "name");
                const char *sns = ocx_json_get_str(it, "namespace");
                pol_subject_kind k;
                if (ocx_streq(sk, "User")) k = POL_SUBJECT_USER;
                else if (ocx_streq(sk, "Group")) k = POL_SUBJECT_GROUP;
                else if (ocx_streq(sk, "ServiceAccount")) k = POL_SUBJECT_SA;
                else {
                        char path[64];
                        snprintf(path, sizeof(path), "subjects[%zu].kind", i);
                        pol_binding_free(b);
                        return ocx_error_set(reterr, EINVAL, path, "Unsupported value: \"%s\"", sk ? sk : "");
                }
                if (!sn || !*sn) {
                        char path[64];
                        snprintf(path, sizeof(path), "subjects[%zu].name", i);
                        pol_binding_free(b);
                        return ocx_error_set(reterr, EINVAL, path, "Required value");
                }
                b->subjects[i] = (pol_subject){k, ocx_xstrdup(sn), ocx_xstrdup(sns ? sns : "")};
                b->n_subjects = ++i;
        }
        *ret = b;
        return 0;
}

/* ---------------------------------------------------------------- matching */

static bool verb_matches(const pol_rule *r, const char *verb) {
        return strv_has(r->verbs, r->n_verbs, "*") || strv_has(r->verbs, r->n_verbs, verb);
}

static bool group_matches(const pol_rule *r, const char *group) {
        return strv_has(r->groups, r->n_groups, "*") || strv_has(r->groups, r->n_groups, group);
}

static bool resource_matches(const pol_rule *r, const char *resource, const char *sub) {
        size_t rl = strlen(resource), sl = sub ? strlen(sub) : 0;
        for (size_t i = 0; i < r->n_resources; i++) {
                const char *x = r->resources[i];
                if (strcmp(x, "*") == 0) return true;
                if (sl == 0) {
                        if (strcmp(x, resource) == 0) return true;
                        continue;
                }
                size_t xl = strlen(x);
                /* "pods/log" */
                if (xl == rl + 1 + sl && strncmp(x, resource, rl) == 0 && x[rl] == '/' && strcmp(x + rl + 1, sub) == 0)
                        return true;
                /* "* /log" */
                if (xl == sl + 2 && x[0] == '*' && x[1] == '/' && strcmp(x + 2, sub) == 0) return true;
        }
        return false;
}

static bool url_matches(const pol_rule *r, const char *path) {
        for (size_t i = 0; i < r->n_urls; i++) {
                const char *u = r->urls[i];
                if (strcmp(u, "*") == 0 || strcmp(u, path) == 0) return true;
                size_t ul = strlen(u);
                if (ul && u[ul - 1] == '*' && strncmp(u, path, ul - 1) == 0) return true;
        }
        return false;
}

bool pol_rule_allows(const pol_rule *rule, const pol_attrs *a) {
        if (!a->verb || !verb_matches(rule, a->verb)) return false;
        if (!a->resource) return a->path && url_matches(rule, a->path);
        if (!group_matches(rule, a->group ? a->group : "")) return false;
        if (!resource_matches(rule, a->resource, a->subresource)) return false;
        if (rule->n_names == 0) return true;
        return a->name && *a->name && strv_has(rule->names, rule->n_names, a->name);
}

/* For "system:serviceaccount:<ns>:<name>": the length of <ns>, else 0. */
static size_t sa_namespace_len(const char *user) {
        if (!user || !ocx_startswith(user, SA_PREFIX)) return 0;
        const char *ns = user + strlen(SA_PREFIX), *colon = strchr(ns, ':');
        if (!colon || colon == ns || !colon[1] || strchr(colon + 1, ':')) return 0;
        return (size_t)(colon - ns);
}

bool pol_user_in_group(const pol_user *u, const char *group) {
        for (const char *const *g = u->groups; g && *g; g++)
                if (strcmp(*g, group) == 0) return true;
        size_t nl = sa_namespace_len(u->name);
        if (nl == 0) return false;
        if (strcmp(group, "system:serviceaccounts") == 0) return true;
        const char *ns = u->name + strlen(SA_PREFIX);
        return ocx_startswith(group, "system:serviceaccounts:") && strlen(group) == strlen("system:serviceaccounts:") + nl &&
               strncmp(group + strlen("system:serviceaccounts:"), ns, nl) == 0;
}

bool pol_subject_applies(const pol_subject *s, const pol_user *u, const char *binding_ns) {
        switch (s->kind) {
        case POL_SUBJECT_USER: return u->name && strcmp(u->name, s->name) == 0;
        case POL_SUBJECT_GROUP: return pol_user_in_group(u, s->name);
        case POL_SUBJECT_SA: {
                const char *ns = s->ns && *s->ns ? s->ns : binding_ns;
                if (!ns || !*ns || !u->name || !ocx_startswith(u->name, SA_PREFIX)) return false;
                const char *rest = u->name + strlen(SA_PREFIX);
                size_t nl = strlen(ns);
                return strncmp(rest, ns, nl) == 0 && rest[nl] == ':' && strcmp(rest + nl + 1, s->name) == 0;
        }
        }
        return false;
}

/* ---------------------------------------------------------------- the set */

/* open addressing index over (ns, name) → position + 1 */
typedef struct pol_index {
        size_t *slots;
        size_t cap; /* power of two, > 2 * entries */
} pol_index;

struct pol_rbac {
        pol_role **roles;
        size_t n_roles, cap_roles;
        pol_binding **bindings;
        size_t n_bindings, cap_bindings;
        pol_index role_idx, binding_idx;
};

static uint64_t key_hash(const char *ns, const char *name) {
        uint64_t h = 1469598103934665603ull;
        for (const char *c = ns; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ull;
        h = (h ^ 0xff) * 1099511628211ull;
        for (const char *c = name; *c; c++) h = (h ^ (unsigned char)*c) * 1099511628211ull;
        return h;
}

#define ROLE_KEY(p, i) (p)->roles[i]->ns, (p)->roles[i]->name
#define BINDING_KEY(p, i) (p)->bindings[i]->ns, (p)->bindings[i]->name

/* slot for (ns, name): either the one holding it or the empty one to use */
static size_t idx_slot(const pol_rbac *p, const pol_index *ix, bool roles, const char *ns, const char *name) {
        size_t m = ix->cap - 1, s = (size_t)key_hash(ns, name) & m;
        for (;; s = (s + 1) & m) {
                size_t v = ix->slots[s];
                if (!v) return s;
                const char *ens = roles ? p->roles[v - 1]->ns : p->bindings[v - 1]->ns;
                const char *ename = roles ? p->roles[v - 1]->name : p->bindings[v - 1]->name;
                if (strcmp(ens, ns) == 0 && strcmp(ename, name) == 0) return s;
        }
}

static void idx_rebuild(pol_rbac *p, bool roles) {
        pol_index *ix = roles ? &p->role_idx : &p->binding_idx;
        size_t n = roles ? p->n_roles : p->n_bindings, cap = 16;
        while (cap < 2 * n + 2) cap *= 2;
        free(ix->slots);
        ix->slots = ocx_xcalloc(cap, sizeof(size_t));
        ix->cap = cap;
        for (size_t i = 0; i < n; i++) {
                size_t s = roles ? idx_slot(p, ix, true, ROLE_KEY(p, i)) : idx_slot(p, ix, false, BINDING_KEY(p, i));
                ix->slots[s] = i + 1;
        }
}

pol_rbac *pol_rbac_new(void) {
        pol_rbac *p = ocx_xcalloc(1, sizeof(*p));
        idx_rebuild(p, true);
        idx_rebuild(p, false);
        return p;
}

pol_rbac *pol_rbac_free(pol_rbac *p) {
        if (!p) return NULL;
        for (size_t i = 0; i < p->n_roles; i++) pol_role_free(p->roles[i]);
        for (size_t i = 0; i < p->n_bindings; i++) pol_binding_free(p->bindings[i]);
        free(p->roles);
        free(p->bindings);
        free(p->role_idx.slots);
        free(p->binding_idx.slots);
        free(p);
        return NULL;
}

void pol_rbac_put_role(pol_rbac *p, pol_role *r) {
        size_t s = idx_slot(p, &p->role_idx, true, r->ns, r->name);
        size_t v = p->role_idx.slots[s];
        if (v) {
                pol_role_free(p->roles[v - 1]);
                p->roles[v - 1] = r;
                return;
        }
        if (p->n_roles == p->cap_roles) {
                p->cap_roles = p->cap_roles ? 2 * p->cap_roles : 16;
                p->roles = ocx_xrealloc(p->roles, p->cap_roles * sizeof(*p->roles));
        }
        p->roles[p->n_roles++] = r;
        if (2 * p->n_roles + 2 > p->role_idx.cap) idx_rebuild(p, true);
        else p->role_idx.slots[s] = p->n_roles;
}

void pol_rbac_put_binding(pol_rbac *p, pol_binding *b) {
        size_t s = idx_slot(p, &p->binding_idx, false, b->ns, b->name);
        size_t v = p->binding_idx.slots[s];
        if (v) {
                pol_binding_free(p->bindings[v - 1]);
                p->bindings[v - 1] = b;
                return;
        }
        if (p->n_bindings == p->cap_bindings) {
                p->cap_bindings = p->cap_bindings ? 2 * p->cap_bindings : 16;
                p->bindings = ocx_xrealloc(p->bindings, p->cap_bindings * sizeof(*p->bindings));
        }
        p->bindings[p->n_bindings++] = b;
        if (2 * p->n_bindings + 2 > p->binding_idx.cap) idx_rebuild(p, false);
        else p->binding_idx.slots[s] = p->n_bindings;
}

int pol_rbac_put_json(pol_rbac *p, const cJSON *obj, ocx_error **reterr) {
        const char *kind = ocx_json_get_str(obj, "kind");
        if (ocx_streq(kind, "Role") || ocx_streq(kind, "ClusterRole")) {
                pol_role *r = NULL;
                int e = pol_role_from_json(obj, &r, reterr);
                if (e < 0) return e;
                pol_rbac_put_role(p, r);
                return 0;
        }
        if (ocx_streq(kind, "RoleBinding") || ocx_streq(kind, "ClusterRoleBinding")) {
                pol_binding *b = NULL;
                int e = pol_binding_from_json(obj, &b, reterr);
                if (e < 0) return e;
                pol_rbac_put_binding(p, b);
                return 0;
        }
        return ocx_error_set(reterr, ENOTSUP, "kind", "not an RBAC kind");
}

bool pol_rbac_remove(pol_rbac *p, const char *kind, const char *ns, const char *name) {
        bool roles = ocx_streq(kind, "Role") || ocx_streq(kind, "ClusterRole");
        bool cluster = ocx_streq(kind, "ClusterRole") || ocx_streq(kind, "ClusterRoleBinding");
        if (!roles && !ocx_streq(kind, "RoleBinding") && !ocx_streq(kind, "ClusterRoleBinding")) return false;
        if (cluster || !ns) ns = "";
        pol_index *ix = roles ? &p->role_idx : &p->binding_idx;
        size_t v = ix->slots[idx_slot(p, ix, roles, ns, name)];
        if (!v) return false;
        if (roles) {
                pol_role_free(p->roles[v - 1]);
                p->roles[v - 1] = p->roles[--p->n_roles];
        } else {
                pol_binding_free(p->bindings[v - 1]);
                p->bindings[v - 1] = p->bindings[--p->n_bindings];
        }
        idx_rebuild(p, roles);
        return true;
}

const pol_role *pol_rbac_role(const pol_rbac *p, const char *ns, const char *name) {
        size_t v = p->role_idx.slots[idx_slot(p, &p->role_idx, true, ns ? ns : "", name)];
        return v ? p->roles[v - 1] : NULL;
}

size_t pol_rbac_n_roles(const pol_rbac *p) { return p->n_roles; }
size_t pol_rbac_n_bindings(const pol_rbac *p) { return p->n_bindings; }
const pol_binding *pol_rbac_binding_at(const pol_rbac *p, size_t i) { return i < p->n_bindings ? p->bindings[i] : NULL; }

/* ---------------------------------------------------------------- decisions */

static const pol_role *binding_role(const pol_rbac *p, const pol_binding *b) {
        return pol_rbac_role(p, b->cluster_role ? "" : b->ns, b->role);
}

/* the binding's first subject that applies to u, or NULL */
static const pol_subject *binding_subject(const pol_binding *b, const pol_user *u) {
        for (size_t i = 0; i < b->n_subjects; i++)
                if (pol_subject_applies(&b->subjects[i], u, b->ns)) return &b->subjects[i];
        return NULL;
}

static bool binding_in_scope(const pol_binding *b, const char *ns) {
        return !b->ns[0] || (ns && strcmp(b->ns, ns) == 0);
}

static const char *subject_kind_name(pol_subject_kind k) {
        return k == POL_SUBJECT_USER ? "User" : k == POL_SUBJECT_GROUP ? "Group" : "ServiceAccount";
}

static char *allow_reason(const pol_binding *b, const pol_subject *s) {
        ocx_buf o = OCX_BUF_INIT;
        _cleanup_free_ char *bn = b->ns[0] ? ocx_xasprintf("%s/%s", b->name, b->ns) : NULL;
        ocx_buf_printf(&o, "RBAC: allowed by %s ", b->ns[0] ? "RoleBinding" : "ClusterRoleBinding");
        go_quote(&o, bn ? bn : b->name);
        ocx_buf_printf(&o, " of %s ", b->cluster_role ? "ClusterRole" : "Role");
        go_quote(&o, b->role);
        ocx_buf_printf(&o, " to %s ", subject_kind_name(s->kind));
        _cleanup_free_ char *sn = s->kind == POL_SUBJECT_SA ? ocx_xasprintf("%s/%s", s->name, s->ns[0] ? s->ns : b->ns) : NULL;
        go_quote(&o, sn ? sn : s->name);
        return ocx_buf_detach(&o, NULL);
}

bool pol_rbac_allows(const pol_rbac *p, const pol_user *u, const pol_attrs *a, char **ret_why) {
        if (ret_why) *ret_why = NULL;
        const char *ns = a->resource ? a->ns : NULL;
        for (size_t i = 0; i < p->n_bindings; i++) {
                const pol_binding *b = p->bindings[i];
                if (!binding_in_scope(b, ns)) continue;
                const pol_subject *s = binding_subject(b, u);
                if (!s) continue;
                const pol_role *r = binding_role(p, b);
                if (!r) continue;
                for (size_t j = 0; j < r->n_rules; j++) {
                        if (!pol_rule_allows(&r->rules[j], a)) continue;
                        if (ret_why) *ret_why = allow_reason(b, s);
                        return true;
                }
        }
        return false;
}

char *pol_deny_reason(const pol_user *u, const pol_attrs *a) {
        ocx_buf o = OCX_BUF_INIT;
        ocx_buf_puts(&o, "User ");
        go_quote(&o, u->name);
        ocx_buf_printf(&o, " cannot %s ", a->verb ? a->verb : "");
        if (!a->resource) {
                ocx_buf_puts(&o, "path ");
                go_quote(&o, a->path);
                return ocx_buf_detach(&o, NULL);
        }
        ocx_buf_puts(&o, "resource ");
        _cleanup_free_ char *res = a->subresource && *a->subresource ? ocx_xasprintf("%s/%s", a->resource, a->subresource) : NULL;
        go_quote(&o, res ? res : a->resource);
        ocx_buf_puts(&o, " in API group ");
        go_quote(&o, a->group ? a->group : "");
        if (a->ns && *a->ns) {
                ocx_buf_puts(&o, " in the namespace ");
                go_quote(&o, a->ns);
        } else {
                ocx_buf_puts(&o, " at the cluster scope");
        }
        return ocx_buf_detach(&o, NULL);
}

size_t pol_rbac_rules_for(const pol_rbac *p, const pol_user *u, const char *ns, const pol_rule ***ret) {
        size_t n = 0, cap = 16;
        const pol_rule **v = ocx_xmalloc(cap * sizeof(*v));
        for (size_t i = 0; i < p->n_bindings; i++) {
                const pol_binding *b = p->bindings[i];
                if (!binding_in_scope(b, ns && *ns ? ns : NULL) || !binding_subject(b, u)) continue;
                const pol_role *r = binding_role(p, b);
                for (size_t j = 0; r && j < r->n_rules; j++) {
                        if (n == cap) v = ocx_xrealloc(v, (cap *= 2) * sizeof(*v));
                        v[n++] = &r->rules[j];
                }
        }
        *ret = v;
        return n;
}

/* ---------------------------------------------------------------- escalation */

/* one permission of a broken-down servant rule */
typedef struct perm {
        const char *verb, *group, *resource, *name, *url; /* NULL when absent */
} perm;

static bool resource_covered(const pol_rule *o, const char *res) {
        if (strv_has(o->resources, o->n_resources, "*") || strv_has(o->resources, o->n_resources, res)) return true;
        const char *slash = strchr(res, '/');
        if (!slash) return false;
        _cleanup_free_ char *star = ocx_xasprintf("*%s", slash);
        return strv_has(o->resources, o->n_resources, star);
}

static bool url_covered(const pol_rule *o, const char *url) {
        for (size_t i = 0; i < o->n_urls; i++) {
                const char *u = o->urls[i];
                if (strcmp(u, url) == 0) return true;
                size_t l = strlen(u);
                while (l && u[l - 1] == '*') l--;
                if (l < strlen(u) && strncmp(url, u, l) == 0) return true;
        }
        return false;
}

static bool rule_covers(const pol_rule *o, const perm *s) {
        if (!strv_has(o->verbs, o->n_verbs, "*") && !strv_has(o->verbs, o->n_verbs, s->verb)) return false;
        if (s->url) return url_covered(o, s->url);
        if (!strv_has(o->groups, o->n_groups, "*") && !strv_has(o->groups, o->n_groups, s->group)) return false;
        if (!resource_covered(o, s->resource)) return false;
        if (!s->name) return o->n_names == 0;
        return o->n_names == 0 || strv_has(o->names, o->n_names, s->name);
}

/* compacted missing rule: one group + resource (+ at most one name) with verbs, or a URL rule */
typedef struct missing {
        const char *group, *resource, *name, *url;
        const char **verbs;
        size_t n_verbs;
} missing;

static void missing_add(missing **v, size_t *n, const perm *m) {
        for (size_t i = 0; !m->url && i < *n; i++) {
                missing *x = &(*v)[i];
                if (x->url || !ocx_streq(x->group, m->group) || !ocx_streq(x->resource, m->resource) ||
                    !((x->name == NULL && m->name == NULL) || (x->name && m->name && strcmp(x->name, m->name) == 0)))
                        continue;
                x->verbs = ocx_xrealloc(x->verbs, (x->n_verbs + 1) * sizeof(char *));
                x->verbs[x->n_verbs++] = m->verb;
                return;
        }
        *v = ocx_xrealloc(*v, (*n + 1) * sizeof(missing));
        missing *x = &(*v)[(*n)++];
        *x = (missing){m->group, m->resource, m->name, m->url, ocx_xmalloc(sizeof(char *)), 1};
        x->verbs[0] = m->verb;
}

static char *missing_string(const missing *m) {
        ocx_buf o = OCX_BUF_INIT;
        ocx_buf_puts(&o, "{");
        char *one[1];
        if (!m->url) {
                one[0] = (char *)m->group;
                ocx_buf_puts(&o, "APIGroups:");
                go_quote_list(&o, one, 1);
                one[0] = (char *)m->resource;
                ocx_buf_puts(&o, ", Resources:");
                go_quote_list(&o, one, 1);
                if (m->name) {
                        one[0] = (char *)m->name;
                        ocx_buf_puts(&o, ", ResourceNames:");
                        go_quote_list(&o, one, 1);
                }
                ocx_buf_puts(&o, ", ");
        } else {
                one[0] = (char *)m->url;
                ocx_buf_puts(&o, "NonResourceURLs:");
                go_quote_list(&o, one, 1);
                ocx_buf_puts(&o, ", ");
        }
        ocx_buf_puts(&o, "Verbs:");
        go_quote_list(&o, (char *const *)m->verbs, m->n_verbs);
        ocx_buf_puts(&o, "}");
        return ocx_buf_detach(&o, NULL);
}

static int cmp_str(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

static bool perm_covered(const pol_rule *const *owner, size_t n_owner, const perm *s) {
        for (size_t i = 0; i < n_owner; i++)
                if (rule_covers(owner[i], s)) return true;
        return false;
}

bool pol_rules_cover(const pol_rule *const *owner, size_t n_owner, const pol_rule *servant, size_t n_servant,
                     char **ret_missing) {
        missing *miss = NULL;
        size_t n_miss = 0;
        for (size_t r = 0; r < n_servant; r++) {
                const pol_rule *sr = &servant[r];
                for (size_t g = 0; g < sr->n_groups; g++)
                        for (size_t x = 0; x < sr->n_resources; x++)
                                for (size_t v = 0; v < sr->n_verbs; v++) {
                                        size_t nn = sr->n_names ? sr->n_names : 1;
                                        for (size_t k = 0; k < nn; k++) {
                                                perm p = {sr->verbs[v], sr->groups[g], sr->resources[x],
                                                          sr->n_names ? sr->names[k] : NULL, NULL};
                                                if (!perm_covered(owner, n_owner, &p)) missing_add(&miss, &n_miss, &p);
                                        }
                                }
                for (size_t u = 0; u < sr->n_urls; u++)
                        for (size_t v = 0; v < sr->n_verbs; v++) {
                                perm p = {sr->verbs[v], NULL, NULL, NULL, sr->urls[u]};
                                if (!perm_covered(owner, n_owner, &p)) missing_add(&miss, &n_miss, &p);
                        }
        }
        if (ret_missing) *ret_missing = NULL;
        if (n_miss == 0) return true;
        char **lines = ocx_xcalloc(n_miss, sizeof(char *));
        for (size_t i = 0; i < n_miss; i++) lines[i] = missing_string(&miss[i]);
        qsort(lines, n_miss, sizeof(char *), cmp_str);
        ocx_buf o = OCX_BUF_INIT;
        for (size_t i = 0; i < n_miss; i++) {
                /* a set: identical lines once */
                if (i && strcmp(lines[i], lines[i - 1]) == 0) continue;
                if (o.len) ocx_buf_puts(&o, "\n");
                ocx_buf_puts(&o, lines[i]);
        }
        for (size_t i = 0; i < n_miss; i++) {
                free(lines[i]);
                free(miss[i].verbs);
        }
        free(lines);
        free(miss);
        if (ret_missing) *ret_missing = ocx_buf_detach(&o, NULL);
        else ocx_buf_release(&o);
        return false;
}

char *pol_escalation_message(const pol_user *u, const char *missing_text) {
        ocx_buf o = OCX_BUF_INIT;
        ocx_buf_puts(&o, "user ");
        go_quote(&o, u->name);
        ocx_buf_puts(&o, " (groups=[");
        bool first = true;
        for (const char *const *g = u->groups; g && *g; g++) {
                if (!first) ocx_buf_puts(&o, " ");
                first = false;
                go_quote(&o, *g);
        }
        ocx_buf_printf(&o, "]) is attempting to grant RBAC permissions not currently held:\n%s", missing_text ? missing_text : "");
        return ocx_buf_detach(&o, NULL);
}
