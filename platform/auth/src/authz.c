/* ocxd — RBAC authorization: an in-memory copy of every Role, ClusterRole,
 * RoleBinding and ClusterRoleBinding, loaded at start and kept current from
 * the store's change notifications (auth_notify), evaluated by the pure
 * engine in policies/rbac.h. Decisions take a read lock and never touch the
 * store; changes take the write lock for the time of one upsert. */
#include "auth/authz.h"
#include <pthread.h>
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/log.h"
#include "policies/rbac.h"
#include "ocx/banned.h"

#define RBAC_GROUP "rbac.authorization.k8s.io"

typedef struct auth_cache {
        api_server *s;
        pol_rbac *pol;
        struct auth_cache *next;
} auth_cache;

/* one lock for the registry and every cache: readers decide, writers are
 * store notifications (rare for RBAC keys) */
static pthread_rwlock_t lock = PTHREAD_RWLOCK_INITIALIZER;
static auth_cache *caches;

static auth_cache *cache_of(api_server *s) {
        for (auth_cache *c = caches; c; c = c->next)
                if (c->s == s) return c;
        return NULL;
}

static const char *const kinds[][2] = {
        {"roles", "Role"},
        {"clusterroles", "ClusterRole"},
        {"rolebindings", "RoleBinding"},
        {"clusterrolebindings", "ClusterRoleBinding"},
};

/* "/rbac.authorization.k8s.io/<plural>/[<ns>/]<name>" → kind, ns, name (in buf) */
static const char *parse_key(const char *key, char *buf, size_t bufsz, const char **ret_ns, const char **ret_name) {
        static const char prefix[] = "/" RBAC_GROUP "/";
        if (!ocx_startswith(key, prefix)) return NULL;
        const char *rest = key + sizeof(prefix) - 1;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(kinds); i++) {
                size_t l = strlen(kinds[i][0]);
                if (strncmp(rest, kinds[i][0], l) != 0 || rest[l] != '/') continue;
                if ((size_t)snprintf(buf, bufsz, "%s", rest + l + 1) >= bufsz) return NULL;
                bool namespaced = i == 0 || i == 2;
                char *slash = strchr(buf, '/');
                if (namespaced) {
                        if (!slash) return NULL;
                        *slash = 0;
                        *ret_ns = buf;
                        *ret_name = slash + 1;
                } else {
                        *ret_ns = "";
                        *ret_name = buf;
                }
                return kinds[i][1];
        }
        return NULL;
}

static void apply_locked(pol_rbac *pol, store_ev_type type, const char *key, const char *value, size_t len) {
        char buf[600];
        const char *ns = NULL, *name = NULL;
        const char *kind = parse_key(key, buf, sizeof(buf), &ns, &name);
        if (!kind) return;
        if (type == STORE_EV_DELETE) {
                pol_rbac_remove(pol, kind, ns, name);
                return;
        }
        _cleanup_json_ cJSON *obj = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        if (ocx_json_parse(value, len, &obj, &e) < 0) {
                log_error("rbac cache: cannot parse %s: %s", key, e ? e->message : "invalid JSON");
                return;
        }
        if (!ocx_json_get_str(obj, "kind")) ocx_json_set_str(obj, "kind", kind);
        if (pol_rbac_put_json(pol, obj, &e) < 0) {
                /* an object the engine cannot use grants nothing */
                pol_rbac_remove(pol, kind, ns, name);
                log_error("rbac cache: ignoring %s: %s%s%s", key, e && e->field ? e->field : "", e && e->field ? ": " : "",
                          e ? e->message : "invalid");
        }
}

void auth_notify(const store_event *ev, api_server *s) {
        if (!ocx_startswith(ev->key, "/" RBAC_GROUP "/")) return;
        pthread_rwlock_wrlock(&lock);
        auth_cache *c = cache_of(s);
        if (c) apply_locked(c->pol, ev->type, ev->key, ev->value, ev->value_len);
        pthread_rwlock_unlock(&lock);
}

int auth_init(api_server *s, ocx_error **reterr) {
        auth_cache *c = ocx_xcalloc(1, sizeof(*c));
        c->s = s;
        c->pol = pol_rbac_new();
        pthread_rwlock_wrlock(&lock);
        c->next = caches;
        caches = c;
        pthread_rwlock_unlock(&lock);
        /* changes from now on arrive through auth_notify; load what is there */
        for (size_t i = 0; i < OCX_ARRAY_SIZE(kinds); i++) {
                _cleanup_free_ char *prefix = ocx_xasprintf("/" RBAC_GROUP "/%s/", kinds[i][0]);
                store_kv *items = NULL;
                size_t n = 0;
                int64_t rev;
                int r = store_list(s->st, prefix, NULL, 0, &items, &n, &rev);
                if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot load %s: %s", kinds[i][0], strerror(-r));
                pthread_rwlock_wrlock(&lock);
                for (size_t j = 0; j < n; j++)
                        apply_locked(c->pol, STORE_EV_PUT_CREATE, items[j].key, items[j].value, items[j].value_len);
                pthread_rwlock_unlock(&lock);
                store_kvs_free(items, n);
        }
        return 0;
}

void auth_release(api_server *s) {
        pthread_rwlock_wrlock(&lock);
        for (auth_cache **pp = &caches; *pp; pp = &(*pp)->next) {
                if ((*pp)->s != s) continue;
                auth_cache *c = *pp;
                *pp = c->next;
                pol_rbac_free(c->pol);
                free(c);
                break;
        }
        pthread_rwlock_unlock(&lock);
}

static bool is_master(const api_user *u) {
        for (const char *const *g = u->groups; g && *g; g++)
                if (strcmp(*g, "system:masters") == 0) return true;
        return false;
}

static pol_attrs to_pol(const auth_attrs *a) {
        return (pol_attrs){.verb = a->verb,
                           .group = a->group ? a->group : "",
                           .resource = a->resource,
                           .subresource = a->subresource,
                           .ns = a->ns,
                           .name = a->name,
                           .path = a->path};
}

bool auth_decide(api_server *s, const api_user *u, const auth_attrs *a, char **ret_why, char **ret_reason) {
        if (ret_why) *ret_why = NULL;
        if (ret_reason) *ret_reason = NULL;
        pol_user pu = {u->name ? u->name : "", u->groups};
        pol_attrs pa = to_pol(a);
        if (is_master(u)) {
                if (ret_why) *ret_why = ocx_xstrdup("");
                return true;
        }
        pthread_rwlock_rdlock(&lock);
        auth_cache *c = cache_of(s);
        bool ok = c && pol_rbac_allows(c->pol, &pu, &pa, ret_why);
        pthread_rwlock_unlock(&lock);
        if (!ok && ret_reason) *ret_reason = pol_deny_reason(&pu, &pa);
        return ok;
}

bool auth_authorize(api_server *s, const api_user *u, const auth_attrs *a, char **ret_reason) {
        return auth_decide(s, u, a, NULL, ret_reason);
}

static const char *method_verb(const char *m) {
        static const char *const map[][2] = {{"GET", "get"},    {"HEAD", "get"},     {"POST", "create"},
                                             {"PUT", "update"}, {"PATCH", "patch"}, {"DELETE", "delete"}};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(map); i++)
                if (ocx_streq(m, map[i][0])) return map[i][1];
        return "";
}

void auth_attrs_for_request(const api_request *req, const api_path *p, auth_attrs *ret) {
        memset(ret, 0, sizeof(*ret));
        const char *m = req->method;
        if (p->type != PATH_RESOURCE) {
                /* non-resource verbs are the lowercase method */
                static const char *const nr[][2] = {{"GET", "get"},   {"HEAD", "head"},     {"POST", "post"},
                                                    {"PUT", "put"},   {"PATCH", "patch"},   {"DELETE", "delete"},
                                                    {"OPTIONS", "options"}};
                ret->verb = "";
                for (size_t i = 0; i < OCX_ARRAY_SIZE(nr); i++)
                        if (ocx_streq(m, nr[i][0])) ret->verb = nr[i][1];
                ret->path = req->path;
                return;
        }
        ret->group = p->group;
        ret->resource = p->resource;
        ret->subresource = p->sub;
        ret->ns = p->ns;
        ret->name = p->name;
        ret->verb = method_verb(m);
        bool get = ocx_streq(m, "GET") || ocx_streq(m, "HEAD");
        if (!p->name[0]) {
                if (get) ret->verb = req->q.watch ? "watch" : "list";
                else if (ocx_streq(m, "DELETE")) ret->verb = "deletecollection";
        } else if (get && req->q.watch) {
                ret->verb = "watch";
        }
        /* OpenShift authorizes projects/NAME inside namespace NAME */
        if (ocx_streq(p->group, "project.openshift.io") && ocx_streq(p->resource, "projects") && p->name[0])
                ret->ns = p->name;
}

int auth_covers(api_server *s, const api_user *u, const char *ns, const pol_rule *rules, size_t n,
                const char *role_ns, const char *role_name, char **ret_missing) {
        pol_user pu = {u->name ? u->name : "", u->groups};
        pthread_rwlock_rdlock(&lock);
        auth_cache *c = cache_of(s);
        int r = 0;
        if (!c) {
                r = -ESRCH;
                goto out;
        }
        if (role_name) {
                const pol_role *role = pol_rbac_role(c->pol, role_ns, role_name);
                if (!role) {
                        r = -ENOENT;
                        goto out;
                }
                rules = role->rules;
                n = role->n_rules;
        }
        const pol_rule **owner = NULL;
        size_t no = pol_rbac_rules_for(c->pol, &pu, ns, &owner);
        r = pol_rules_cover(owner, no, rules, n, ret_missing) ? 0 : -EACCES;
        free(owner);
out:
        pthread_rwlock_unlock(&lock);
        return r;
}
