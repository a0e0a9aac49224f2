#include "controllers/gc.h"
#include <pthread.h>
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/banned.h"

typedef struct gc_item {
        int mode;
        const api_kind *kind;
        char *ns, *name, *uid;
        struct gc_item *next;
} gc_item;

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static gc_item *head, *tail;
static bool busy, stop;

void gc_enqueue(api_server *s, int mode, const api_kind *k, const char *ns, const char *name, const char *uid) {
        (void)s;
        gc_item *it = ocx_xcalloc(1, sizeof(*it));
        it->mode = mode;
        it->kind = k;
        it->ns = ns ? ocx_xstrdup(ns) : NULL;
        it->name = ocx_xstrdup(name);
        it->uid = ocx_xstrdup(uid);
        pthread_mutex_lock(&mu);
        if (tail) tail->next = it;
        else head = it;
        tail = it;
        pthread_cond_signal(&cond);
        pthread_mutex_unlock(&mu);
}

static bool owned_by(const cJSON *o, const char *uid) {
        const cJSON *r;
        cJSON_ArrayForEach(r, ocx_json_path(o, "metadata.ownerReferences"))
                if (ocx_streq(ocx_json_get_str(r, "uid"), uid)) return true;
        return false;
}

/* Visits every stored object of every kind in ns (all namespaces when ns is
 * NULL and the kind is namespaced; cluster kinds only when ns is NULL). */
typedef void (*visit_fn)(api_server *s, const api_kind *k, cJSON *o, void *ud);
static void for_each_object(api_server *s, const char *ns, bool namespaced_only, visit_fn fn, void *ud) {
        for (size_t i = 0; i < api_kinds_n; i++) {
                const api_kind *k = &api_kinds[i];
                if (k->flags & (KIND_VIRTUAL | KIND_CREATE_ONLY)) continue;
                if (namespaced_only && !k->namespaced) continue;
                if (ns && !k->namespaced) continue;
                _cleanup_free_ char *prefix = api_key_prefix(k, ns);
                store_kv *items = NULL;
                size_t n = 0;
                int64_t rev;
                if (store_list(s->st, prefix, NULL, 0, &items, &n, &rev) < 0) continue;
                for (size_t j = 0; j < n; j++) {
                        _cleanup_json_ cJSON *o = NULL;
                        if (ocx_json_parse(items[j].value, items[j].value_len, &o, NULL) == 0) fn(s, k, o, ud);
                }
                store_kvs_free(items, n);
        }
}

typedef struct dep_ctx {
        const char *uid;
        int mode;
        int found;
} dep_ctx;

static void handle_dependent(api_server *s, const api_kind *k, cJSON *o, void *ud) {
        dep_ctx *c = ud;
        if (!owned_by(o, c->uid)) return;
        const char *ns = ocx_json_path_str(o, "metadata.namespace");
        const char *name = ocx_json_path_str(o, "metadata.name");
        c->found++;
        if (c->mode == GC_ORPHAN) {
                cJSON *refs = ocx_json_path(o, "metadata.ownerReferences");
                cJSON *r = refs ? refs->child : NULL;
                while (r) {
                        cJSON *next = r->next;
                        if (ocx_streq(ocx_json_get_str(r, "uid"), c->uid)) cJSON_Delete(cJSON_DetachItemViaPointer(refs, r));
                        r = next;
                }
                _cleanup_free_ char *nm = ocx_xstrdup(name);
                _cleanup_free_ char *nsc = ns ? ocx_xstrdup(ns) : NULL;
                api_update_object(s, k, nsc, nm, cJSON_Duplicate(o, true), NULL, false, NULL, NULL, NULL);
                return;
        }
        if (!ocx_json_path(o, "metadata.deletionTimestamp"))
                api_delete_object(s, k, ns, name, c->mode == GC_FOREGROUND ? "Foreground" : "Background", 0, NULL, NULL);
}

static void delete_namespaced(api_server *s, const api_kind *k, cJSON *o, void *ud) {
        (void)ud;
        const char *ns = ocx_json_path_str(o, "metadata.namespace");
        const char *name = ocx_json_path_str(o, "metadata.name");
        api_delete_object(s, k, ns, name, "Background", 0, NULL, NULL);
}

static void count_namespaced(api_server *s, const api_kind *k, cJSON *o, void *ud) {
        (void)s;
        (void)k;
        (void)o;
        (*(int *)ud)++;
}

static void remove_finalizer(api_server *s, const api_kind *k, const char *ns, const char *name, const char *fin,
                             bool spec_finalizers) {
        for (int attempt = 0; attempt < 5; attempt++) {
                cJSON *o = NULL;
                if (api_get_object(s, k, ns, name, &o) < 0) return;
                cJSON *list = spec_finalizers ? ocx_json_path(o, "spec.finalizers") : ocx_json_path(o, "metadata.finalizers");
                cJSON *f = list ? list->child : NULL;
                while (f) {
                        cJSON *next = f->next;
                        if (cJSON_IsString(f) && ocx_streq(f->valuestring, fin)) cJSON_Delete(cJSON_DetachItemViaPointer(list, f));
                        f = next;
                }
                if (spec_finalizers) {
                        /* namespace: content gone, remove the object itself */
                        cJSON_Delete(o);
                        _cleanup_free_ char *key = api_key(k, ns, name);
                        if (store_delete(s->st, key, 0, NULL) == 0 || attempt == 4) return;
                        continue;
                }
                if (api_update_object(s, k, ns, name, o, NULL, false, NULL, NULL, NULL) != -ESTALE) return;
        }
}

static void process(api_server *s, gc_item *it) {
        if (it->mode == GC_NAMESPACE) {
                /* delete content until none is left, then the namespace */
                for (int round = 0; round < 50; round++) {
                        for_each_object(s, it->name, true, delete_namespaced, NULL);
                        int left = 0;
                        for_each_object(s, it->name, true, count_namespaced, &left);
                        if (!left) break;
                        usleep(20000);
                }
                remove_finalizer(s, it->kind, NULL, it->name, "kubernetes", true);
                return;
        }
        dep_ctx c = {.uid = it->uid, .mode = it->mode};
        for_each_object(s, it->ns, false, handle_dependent, &c);
        if (it->mode == GC_FOREGROUND) {
                /* wait for dependents to disappear, then release the owner */
                for (int round = 0; round < 100 && c.found; round++) {
                        dep_ctx again = {.uid = it->uid, .mode = GC_BACKGROUND};
                        for_each_object(s, it->ns, false, handle_dependent, &again);
                        c.found = again.found;
                        if (c.found) usleep(10000);
                }
                remove_finalizer(s, it->kind, it->ns, it->name, "foregroundDeletion", false);
        }
}

static void *gc_thread(void *arg) {
        api_server *s = arg;
        pthread_mutex_lock(&mu);
        for (;;) {
                while (!head && !stop) {
                        busy = false;
                        pthread_cond_broadcast(&idle_cond);
                        pthread_cond_wait(&cond, &mu);
                }
                if (stop) break;
                gc_item *it = head;
                head = it->next;
                if (!head) tail = NULL;
                busy = true;
                pthread_mutex_unlock(&mu);
                process(s, it);
                free(it->ns);
                free(it->name);
                free(it->uid);
                free(it);
                pthread_mutex_lock(&mu);
        }
        pthread_mutex_unlock(&mu);
        return NULL;
}

int gc_start(api_server *s) {
        stop = false;
        int r = pthread_create(&s->gc_thread, NULL, gc_thread, s);
        if (r) return -r;
        s->gc_started = true;
        return 0;
}

void gc_stop(api_server *s) {
        if (!s->gc_started) return;
        pthread_mutex_lock(&mu);
        stop = true;
        pthread_cond_broadcast(&cond);
        pthread_mutex_unlock(&mu);
        pthread_join(s->gc_thread, NULL);
        s->gc_started = false;
        while (head) {
                gc_item *it = head;
                head = it->next;
                free(it->ns);
                free(it->name);
                free(it->uid);
                free(it);
        }
        tail = NULL;
}

void gc_drain(api_server *s) {
        (void)s;
        pthread_mutex_lock(&mu);
        while (head || busy) pthread_cond_wait(&idle_cond, &mu);
        pthread_mutex_unlock(&mu);
}
