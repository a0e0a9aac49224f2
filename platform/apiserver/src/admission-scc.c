/* The SCC admission plugin inside ocxd: namespace security allocation, SCC
 * object defaulting/validation, and pod admission through the scc/ engine. */
#include <pthread.h>
#include <stdio.h>
#include "apiserver/admission.h"
#include "apiserver/validate.h"
#include "auth/authz.h"
#include "ocx/json.h"
#include "scc/admission.h"
#include "scc/allocation.h"
#include "scc/pod.h"
#include "scc/validation.h"
#include "ocx/banned.h"

static __thread const api_user *request_user;

void api_set_request_user(const api_user *u) { request_user = u; }
const api_user *api_request_user(void) { return request_user; }

#define ANN_UID "openshift.io/sa.scc.uid-range"
#define ANN_MCS "openshift.io/sa.scc.mcs"
#define ANN_GROUPS "openshift.io/sa.scc.supplemental-groups"

/* --- namespaces ------------------------------------------------------------ */

static char *list_values(api_server *s, const api_kind *k, size_t *ret_n, store_kv **ret_items) {
        char *prefix = api_key_prefix(k, NULL);
        int64_t rev;
        if (store_list(s->st, prefix, NULL, 0, ret_items, ret_n, &rev) < 0) {
                *ret_items = NULL;
                *ret_n = 0;
        }
        return prefix;
}

void api_admit_namespace_allocation(api_server *s, cJSON *obj, ocx_error **reterr) {
        cJSON *ann = ocx_json_ensure_obj(ocx_json_ensure_obj(obj, "metadata"), "annotations");
        if (ocx_json_get_str(ann, ANN_UID) && ocx_json_get_str(ann, ANN_MCS) && ocx_json_get_str(ann, ANN_GROUPS)) return;
        /* blocks in use by other namespaces */
        const api_kind *nsk = api_kind_by_plural("", "v1", "namespaces");
        store_kv *items;
        size_t n;
        free(list_values(s, nsk, &n, &items));
        size_t cap = n + 1;
        bool *used = ocx_xcalloc(cap, sizeof(bool));
        for (size_t i = 0; i < n; i++) {
                _cleanup_json_ cJSON *o = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) < 0) continue;
                const char *r = ocx_json_get_str(ocx_json_path(o, "metadata.annotations"), ANN_UID);
                scc_block b;
                if (!r || scc_block_parse(r, &b, NULL) < 0 || b.start < 1000000000 || b.end - b.start + 1 != 10000) continue;
                uint64_t idx = (b.start - 1000000000) / 10000;
                if (idx < cap) used[idx] = true;
        }
        store_kvs_free(items, n);
        uint32_t idx = 0;
        while (idx < cap && used[idx]) idx++;
        free(used);
        scc_ns_allocation a;
        if (scc_ns_allocation_for_index(idx, &a, reterr) < 0) return;
        if (!ocx_json_get_str(ann, ANN_UID)) ocx_json_set_str(ann, ANN_UID, a.uid_range);
        if (!ocx_json_get_str(ann, ANN_MCS)) ocx_json_set_str(ann, ANN_MCS, a.mcs);
        if (!ocx_json_get_str(ann, ANN_GROUPS)) ocx_json_set_str(ann, ANN_GROUPS, a.sup_groups);
        scc_ns_allocation_release(&a);
}

/* --- SCC objects --------------------------------------------------------------- */

void api_admit_scc_object(cJSON *obj, cJSON *causes) {
        scc_object_set_defaults(obj);
        scc_errlist errs = SCC_ERRLIST_INIT;
        scc_object_validate(obj, &errs);
        for (size_t i = 0; i < errs.n; i++) {
                /* the engine renders "<field>: <body>"; causes carry them apart */
                const char *text = errs.v[i].text, *field = errs.v[i].field;
                size_t fl = field ? strlen(field) : 0;
                const char *body = fl && strncmp(text, field, fl) == 0 && text[fl] == ':' ? text + fl + 2 : text;
                cJSON *c = cJSON_CreateObject();
                cJSON_AddStringToObject(c, "reason", ocx_startswith(body, "Required") ? "FieldValueRequired" : "FieldValueInvalid");
                cJSON_AddStringToObject(c, "message", body);
                cJSON_AddStringToObject(c, "field", field ? field : "");
                cJSON_AddItemToArray(causes, c);
        }
        scc_errlist_release(&errs);
}

/* --- pods -------------------------------------------------------------------------- */

bool api_scc_can_use(void *server, const char *user, const char *const *groups, const char *scc_name,
                     const char *ns) {
        api_user u = {.name = user, .groups = groups};
        auth_attrs a = {.verb = "use", .group = "security.openshift.io", .resource = "securitycontextconstraints",
                        .subresource = "", .ns = ns ? ns : "", .name = scc_name};
        return auth_authorize(server, &u, &a, NULL);
}

static const char *const system_groups[] = {"system:masters", "system:authenticated", NULL};

/* The decoded, sorted SCC set is kept between pods: it is rebuilt only when
 * the stored SCC objects change (FNV-1a over their stored bytes, which carry
 * the resourceVersion). Readers hold a reference while admitting. */
typedef struct cached_set {
        scc_set *set;
        uint64_t key;
        size_t n;
        int refs;
} cached_set;

static pthread_mutex_t set_lock = PTHREAD_MUTEX_INITIALIZER;
static cached_set *current_set;

static void set_unref_locked(cached_set *c) {
        if (c && --c->refs == 0) {
                scc_set_free(c->set);
                free(c);
        }
}

static void set_release(cached_set *c) {
        pthread_mutex_lock(&set_lock);
        set_unref_locked(c);
        pthread_mutex_unlock(&set_lock);
}

static cached_set *set_acquire(api_server *s) {
        const api_kind *sccs_k = api_kind_by_plural("security.openshift.io", "v1", "securitycontextconstraints");
        store_kv *items;
        size_t n;
        free(list_values(s, sccs_k, &n, &items));
        /* FNV-1a style over 8-byte words (the bytes change with every write:
         * metadata.resourceVersion is stamped into the stored value) */
        uint64_t h = 1469598103934665603ull;
        for (size_t i = 0; i < n; i++) {
                const char *b = items[i].value;
                size_t len = items[i].value_len, k = 0;
                for (; k + 8 <= len; k += 8) {
                        uint64_t w;
                        memcpy(&w, b + k, 8);
                        h = (h ^ w) * 1099511628211ull;
                }
                for (; k < len; k++) h = (h ^ (unsigned char)b[k]) * 1099511628211ull;
                h = (h ^ len) * 1099511628211ull; /* separator */
        }
        pthread_mutex_lock(&set_lock);
        cached_set *c = current_set;
        if (c && c->key == h && c->n == n) {
                c->refs++;
                pthread_mutex_unlock(&set_lock);
                store_kvs_free(items, n);
                return c;
        }
        pthread_mutex_unlock(&set_lock);
        _cleanup_json_ cJSON *sccs = cJSON_CreateArray();
        for (size_t i = 0; i < n; i++) {
                cJSON *o = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) == 0) cJSON_AddItemToArray(sccs, o);
        }
        store_kvs_free(items, n);
        c = ocx_xcalloc(1, sizeof(*c));
        c->key = h;
        c->n = n;
        c->refs = 2; /* the caller's and current_set's */
        if (scc_set_new(sccs, &c->set, NULL) < 0) {
                free(c);
                return NULL;
        }
        pthread_mutex_lock(&set_lock);
        set_unref_locked(current_set);
        current_set = c;
        pthread_mutex_unlock(&set_lock);
        return c;
}

void api_admit_pod_scc(api_server *s, int op, const char *ns, cJSON *obj, const cJSON *old, ocx_error **reterr) {
        const api_user *u = api_request_user();
        /* Updates made inside ocxd (the scheduler setting spec.nodeName, the node
         * agent's finalizer) have no request user. Upstream makes these through
         * the binding subresource or as metadata-only changes, both of which SCC
         * admission ignores (spec 3.1); doing the same keeps the SCC chosen at
         * creation instead of re-deciding as a cluster admin. */
        if (op != ADMIT_CREATE && !u) return;
        const api_kind *nsk = api_kind_by_plural("", "v1", "namespaces");
        _cleanup_json_ cJSON *nso = NULL;
        if (api_get_object(s, nsk, NULL, ns, &nso) < 0) return; /* the namespace check reports it */
        cached_set *cs = set_acquire(s);
        if (!cs) {
                ocx_error_set(reterr, EACCES, NULL, "pods \"%s\" is forbidden: unable to read the security context constraints",
                              scc_pod_display_name(obj));
                return;
        }
        scc_request req = {
                .op = op == ADMIT_CREATE ? SCC_OP_CREATE : SCC_OP_UPDATE,
                .pod = obj,
                .old_pod = old,
                .user = u ? u->name : "system:admin",
                .groups = u ? u->groups : system_groups,
                .ns = ns,
                .ns_annotations = ocx_json_path(nso, "metadata.annotations"),
                .can_use = api_scc_can_use,
                .userdata = s,
        };
        scc_decision d = {0};
        _cleanup_error_ ocx_error *e = NULL;
        int r = scc_admit(cs->set, &req, &d, &e);
        set_release(cs);
        if (r < 0) {
                ocx_error_set(reterr, EACCES, NULL, "pods \"%s\" is forbidden: %s", scc_pod_display_name(obj),
                              e ? e->message : "unable to validate against any security context constraint");
                return;
        }
        if (!d.ignored && d.pod) {
                /* replace obj's content with the admitted pod's: move the member
                 * list over (no copy; cJSON keeps head->prev = tail, which moves with it) */
                while (obj->child) cJSON_Delete(cJSON_DetachItemViaPointer(obj, obj->child));
                obj->child = d.pod->child;
                d.pod->child = NULL;
        }
        scc_decision_release(&d);
}
