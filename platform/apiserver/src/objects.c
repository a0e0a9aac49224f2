/* The object operations shared by REST handlers and controllers: storage
 * keys, metadata defaulting, validation + admission, optimistic concurrency
 * and deletion semantics. No authorization here. */
#include <stdio.h>
#include <time.h>
#include "apiserver/admission.h"
#include "apiserver/api.h"
#include "apiserver/validate.h"
#include "controllers/gc.h"
#include "ocx/json.h"
#include "ocx/names.h"
#include "ocx/timefmt.h"
#include "ocx/banned.h"

char *api_key(const api_kind *k, const char *ns, const char *name) {
        const char *g = k->group[0] ? k->group : "core";
        if (k->namespaced) return ocx_xasprintf("/%s/%s/%s/%s", g, k->plural, ns ? ns : "", name);
        return ocx_xasprintf("/%s/%s/%s", g, k->plural, name);
}

char *api_key_prefix(const api_kind *k, const char *ns) {
        const char *g = k->group[0] ? k->group : "core";
        if (k->namespaced && ns && *ns) return ocx_xasprintf("/%s/%s/%s/", g, k->plural, ns);
        return ocx_xasprintf("/%s/%s/", g, k->plural);
}

/* store value callback: stamps the revision into metadata.resourceVersion */
static char *stamp(int64_t rev, const char *prev, void *ud, ocx_error **reterr) {
        (void)prev;
        (void)reterr;
        cJSON *obj = ud;
        char rv[32];
        snprintf(rv, sizeof(rv), "%lld", (long long)rev);
        ocx_json_set_str(ocx_json_ensure_obj(obj, "metadata"), "resourceVersion", rv);
        return ocx_json_print(obj);
}

/* apiVersion, kind, metadata first, as the Kubernetes encoders write them */
static void canonical_order(cJSON *o) {
        static const char *const first[] = {"apiVersion", "kind", "metadata"};
        for (int i = 2; i >= 0; i--) {
                cJSON *it = cJSON_DetachItemFromObjectCaseSensitive(o, first[i]);
                if (!it) continue;
                cJSON *old = o->child;
                it->prev = old ? old->prev : it;
                it->next = old;
                if (old) old->prev = it;
                o->child = it;
        }
}

static void now_rfc3339(char out[32]) { ocx_time_rfc3339(time(NULL), out, 32); }

static void generate_name(cJSON *md) {
        static const char alphabet[] = "bcdfghjklmnpqrstvwxz2456789";
        const char *gen = ocx_json_get_str(md, "generateName");
        unsigned char rnd[5];
        ocx_random_bytes(rnd, sizeof(rnd));
        char suffix[6];
        for (int i = 0; i < 5; i++) suffix[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
        suffix[5] = 0;
        size_t glen = strlen(gen);
        if (glen > 58) glen = 58;
        char *name = ocx_xasprintf("%.*s%s", (int)glen, gen, suffix);
        ocx_json_set_str(md, "name", name);
        free(name);
}

int api_get_object(api_server *s, const api_kind *k, const char *ns, const char *name, cJSON **ret) {
        _cleanup_free_ char *key = api_key(k, ns, name);
        store_kv kv = {0};
        int r = store_get(s->st, key, &kv);
        if (r < 0) return r;
        r = ocx_json_parse(kv.value, kv.value_len, ret, NULL);
        store_kv_release(&kv);
        return r < 0 ? -EIO : 0;
}

static int check_namespace(api_server *s, const api_kind *k, const char *ns, ocx_error **reterr) {
        if (!k->namespaced) return 0;
        if (!ns || !*ns) return ocx_error_set(reterr, EBADMSG, NULL, "the namespace of the object is required");
        const api_kind *nsk = api_kind_by_plural("", "v1", "namespaces");
        _cleanup_json_ cJSON *nso = NULL;
        int r = api_get_object(s, nsk, NULL, ns, &nso);
        if (r == -ENOENT) return ocx_error_set(reterr, ENOENT, NULL, "namespaces \"%s\" not found", ns);
        if (r < 0) return r;
        if (ocx_json_path(nso, "metadata.deletionTimestamp"))
                return ocx_error_set(reterr, EACCES, NULL,
                                     "%s is forbidden: unable to create new content in namespace %s because it is being terminated",
                                     api_kind_qualified(k), ns);
        return 0;
}

/* Validation, then admission when it passed. Field problems → -EINVAL with
 * the causes in *ret_causes (may be NULL); other refusals → reterr's code. */
static int validate_and_admit(api_server *s, const api_kind *k, int op, const char *ns, cJSON *obj, const cJSON *old,
                              cJSON **ret_causes, ocx_error **reterr) {
        cJSON *causes = cJSON_CreateArray();
        api_validate(k, obj, old, causes);
        if (cJSON_GetArraySize(causes) == 0) api_admit(s, k, op, ns, obj, old, causes, reterr);
        if (reterr && *reterr) {
                cJSON_Delete(causes);
                return -(*reterr)->code;
        }
        if (cJSON_GetArraySize(causes) > 0) {
                if (ret_causes) *ret_causes = causes;
                else cJSON_Delete(causes);
                return -EINVAL;
        }
        cJSON_Delete(causes);
        return 0;
}

int api_create_object(api_server *s, const api_kind *k, const char *ns, cJSON *obj, bool dry_run, cJSON **ret_obj,
                      cJSON **ret_causes, ocx_error **reterr) {
        _cleanup_json_ cJSON *o = obj;
        cJSON *md = ocx_json_ensure_obj(o, "metadata");
        ocx_json_set_str(o, "apiVersion", api_kind_api_version(k));
        ocx_json_set_str(o, "kind", k->kind);
        if (k->namespaced) ocx_json_set_str(md, "namespace", ns);
        else cJSON_DeleteItemFromObjectCaseSensitive(md, "namespace");
        const char *name = ocx_json_get_str(md, "name");
        if ((!name || !*name) && ocx_json_get_str(md, "generateName") && *ocx_json_get_str(md, "generateName"))
                generate_name(md);
        int r = validate_and_admit(s, k, ADMIT_CREATE, ns, o, NULL, ret_causes, reterr);
        if (r < 0) return r;
        r = check_namespace(s, k, ns, reterr);
        if (r < 0) return r;
        md = ocx_json_ensure_obj(o, "metadata"); /* admission may have rebuilt the object */
        char uid[37], ts[32];
        ocx_uuid4(uid);
        now_rfc3339(ts);
        ocx_json_set_str(md, "uid", uid);
        ocx_json_set_str(md, "creationTimestamp", ts);
        ocx_json_set_int(md, "generation", 1);
        cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
        cJSON_DeleteItemFromObjectCaseSensitive(md, "deletionTimestamp");
        cJSON_DeleteItemFromObjectCaseSensitive(md, "selfLink");
        cJSON_DeleteItemFromObjectCaseSensitive(md, "managedFields");
        canonical_order(o);
        name = ocx_json_get_str(md, "name");
        _cleanup_free_ char *key = api_key(k, ns, name);
        if (dry_run) {
                store_kv kv = {0};
                if (store_get(s->st, key, &kv) == 0) {
                        store_kv_release(&kv);
                        return -EEXIST;
                }
        } else {
                r = store_create(s->st, key, stamp, o, NULL, NULL);
                if (r < 0) return r;
        }
        if (ret_obj) *ret_obj = TAKE_PTR(o);
        return 0;
}

static bool finalizers_empty(const cJSON *o) { return cJSON_GetArraySize(ocx_json_path(o, "metadata.finalizers")) == 0; }

int api_update_object(api_server *s, const api_kind *k, const char *ns, const char *name, cJSON *obj, const char *sub,
                      bool dry_run, cJSON **ret_obj, cJSON **ret_causes, ocx_error **reterr) {
        _cleanup_json_ cJSON *o = obj;
        _cleanup_free_ char *key = api_key(k, ns, name);
        cJSON *md = ocx_json_ensure_obj(o, "metadata");
        const char *want_rv = ocx_json_get_str(md, "resourceVersion");
        int64_t want = 0;
        if (want_rv && *want_rv) {
                char *end;
                want = strtoll(want_rv, &end, 10);
                if (*end || want <= 0) {
                        cJSON *causes = cJSON_CreateArray();
                        api_cause_str(causes, "FieldValueInvalid", "metadata.resourceVersion", want_rv,
                                      "must be a decimal revision");
                        if (ret_causes) *ret_causes = causes;
                        else cJSON_Delete(causes);
                        return -EINVAL;
                }
        }
        for (int attempt = 0; attempt < 8; attempt++) {
                store_kv cur = {0};
                int r = store_get(s->st, key, &cur);
                if (r < 0) return r;
                _cleanup_json_ cJSON *old = NULL;
                r = ocx_json_parse(cur.value, cur.value_len, &old, NULL);
                int64_t cur_rev = cur.mod_rev;
                store_kv_release(&cur);
                if (r < 0) return -EIO;
                if (want && want != cur_rev) return -ESTALE;
                _cleanup_json_ cJSON *next = cJSON_Duplicate(o, true);
                cJSON *nmd = ocx_json_ensure_obj(next, "metadata");
                const cJSON *omd = ocx_json_get(old, "metadata");
                ocx_json_set_str(next, "apiVersion", api_kind_api_version(k));
                ocx_json_set_str(next, "kind", k->kind);
                canonical_order(next);
                if (!ocx_json_get(nmd, "name")) ocx_json_set_str(nmd, "name", name);
                if (k->namespaced && !ocx_json_get(nmd, "namespace")) ocx_json_set_str(nmd, "namespace", ns);
                if (sub && ocx_streq(sub, "status")) {
                        /* status: everything but status comes from the stored object */
                        cJSON *st = cJSON_DetachItemFromObjectCaseSensitive(next, "status");
                        cJSON_Delete(next);
                        next = cJSON_Duplicate(old, true);
                        if (st) ocx_json_set(next, "status", st);
                        nmd = ocx_json_get(next, "metadata");
                } else if (k->flags & KIND_STATUS) {
                        const cJSON *ost = ocx_json_get(old, "status");
                        if (ost) ocx_json_set(next, "status", cJSON_Duplicate(ost, true));
                        else cJSON_DeleteItemFromObjectCaseSensitive(next, "status");
                }
                r = validate_and_admit(s, k, ADMIT_UPDATE, ns, next, old, ret_causes, reterr);
                if (r < 0) return r;
                nmd = ocx_json_ensure_obj(next, "metadata"); /* admission may have rebuilt the object */
                /* server-owned metadata */
                static const char *const keep[] = {"uid", "creationTimestamp", "deletionTimestamp", "generation"};
                for (size_t i = 0; i < OCX_ARRAY_SIZE(keep); i++) {
                        const cJSON *v = ocx_json_get(omd, keep[i]);
                        if (v) ocx_json_set(nmd, keep[i], cJSON_Duplicate(v, true));
                        else cJSON_DeleteItemFromObjectCaseSensitive(nmd, keep[i]);
                }
                cJSON_DeleteItemFromObjectCaseSensitive(nmd, "managedFields");
                int64_t gen = 1;
                ocx_json_int(ocx_json_get(omd, "generation"), 0, INT64_MAX, &gen);
                if (!ocx_json_equal(ocx_json_get(next, "spec"), ocx_json_get(old, "spec"))) gen++;
                ocx_json_set_int(nmd, "generation", gen);
                /* nothing changed: no write, same resourceVersion (as kube-apiserver) */
                char rvs[32];
                snprintf(rvs, sizeof(rvs), "%lld", (long long)cur_rev);
                ocx_json_set_str(nmd, "resourceVersion", rvs);
                if (ocx_json_equal(next, old) || dry_run) {
                        if (ret_obj) *ret_obj = TAKE_PTR(next);
                        return 0;
                }
                if (ocx_json_get(nmd, "deletionTimestamp") && finalizers_empty(next)) {
                        r = store_delete(s->st, key, cur_rev, NULL);
                        if (r == -ESTALE && !want) continue;
                        if (r < 0) return r;
                        if (ret_obj) *ret_obj = TAKE_PTR(next);
                        return 0;
                }
                r = store_update(s->st, key, cur_rev, stamp, next, NULL, NULL);
                if (r == -ESTALE && !want) continue;
                if (r < 0) return r;
                if (ret_obj) *ret_obj = TAKE_PTR(next);
                return 0;
        }
        return -ESTALE;
}

static int mark_deleting(api_server *s, const api_kind *k, const char *ns, const char *name, cJSON *cur,
                         const char *add_finalizer, cJSON **ret_obj) {
        cJSON *md = ocx_json_ensure_obj(cur, "metadata");
        if (!ocx_json_get(md, "deletionTimestamp")) {
                char ts[32];
                now_rfc3339(ts);
                ocx_json_set_str(md, "deletionTimestamp", ts);
                ocx_json_set_int(md, "deletionGracePeriodSeconds", 0);
        }
        if (add_finalizer) {
                cJSON *fin = ocx_json_get(md, "finalizers");
                if (!cJSON_IsArray(fin)) {
                        fin = cJSON_CreateArray();
                        ocx_json_set(md, "finalizers", fin);
                }
                bool have = false;
                const cJSON *f;
                cJSON_ArrayForEach(f, fin) have |= cJSON_IsString(f) && ocx_streq(f->valuestring, add_finalizer);
                if (!have) cJSON_AddItemToArray(fin, cJSON_CreateString(add_finalizer));
        }
        if (ocx_streq(k->plural, "namespaces")) ocx_json_set_str(ocx_json_ensure_obj(cur, "status"), "phase", "Terminating");
        _cleanup_free_ char *key = api_key(k, ns, name);
        int64_t rev = 0;
        const char *rvs = ocx_json_path_str(cur, "metadata.resourceVersion");
        if (rvs) rev = strtoll(rvs, NULL, 10);
        int r = store_update(s->st, key, rev, stamp, cur, NULL, NULL);
        if (r < 0) return r;
        if (ret_obj) *ret_obj = cJSON_Duplicate(cur, true);
        return 0;
}

int api_delete_object(api_server *s, const api_kind *k, const char *ns, const char *name, const char *propagation,
                      int64_t precondition_rev, cJSON **ret_obj, ocx_error **reterr) {
        (void)reterr; /* deletion admission (later) reports through it */
        _cleanup_free_ char *key = api_key(k, ns, name);
        for (int attempt = 0; attempt < 8; attempt++) {
                _cleanup_json_ cJSON *cur = NULL;
                int r = api_get_object(s, k, ns, name, &cur);
                if (r < 0) return r;
                const char *rvs = ocx_json_path_str(cur, "metadata.resourceVersion");
                int64_t rev = rvs ? strtoll(rvs, NULL, 10) : 0;
                if (precondition_rev && precondition_rev != rev) return -ESTALE;
                const char *uid = ocx_json_path_str(cur, "metadata.uid");
                _cleanup_free_ char *uidc = ocx_xstrdup(uid);
                if (ocx_streq(k->plural, "namespaces")) {
                        r = mark_deleting(s, k, ns, name, cur, NULL, ret_obj);
                        if (r == -ESTALE) continue;
                        if (r == 0) gc_enqueue(s, GC_NAMESPACE, k, NULL, name, uidc);
                        return r;
                }
                if (ocx_streq(propagation, "Foreground")) {
                        r = mark_deleting(s, k, ns, name, cur, "foregroundDeletion", ret_obj);
                        if (r == -ESTALE) continue;
                        if (r == 0) gc_enqueue(s, GC_FOREGROUND, k, ns, name, uidc);
                        return r;
                }
                if (!finalizers_empty(cur)) {
                        r = mark_deleting(s, k, ns, name, cur, NULL, ret_obj);
                        if (r == -ESTALE) continue;
                        return r;
                }
                r = store_delete(s->st, key, rev, NULL);
                if (r == -ESTALE && !precondition_rev) continue;
                if (r < 0) return r;
                gc_enqueue(s, ocx_streq(propagation, "Orphan") ? GC_ORPHAN : GC_BACKGROUND, k, ns, name, uidc);
                if (ret_obj) *ret_obj = TAKE_PTR(cur);
                return 0;
        }
        return -ESTALE;
}
