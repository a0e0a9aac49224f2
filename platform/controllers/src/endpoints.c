/* The endpoints controller (see controllers/endpoints.h). */
#include "controllers/endpoints.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include "controllers/ipalloc.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/banned.h"

#define POLL_MS 20
#define RESYNC_S 60

/* ---- the pure part ------------------------------------------------------------------- */

static bool selector_matches(const cJSON *sel, const cJSON *labels) {
        const cJSON *kv;
        cJSON_ArrayForEach(kv, sel) {
                const char *want = cJSON_IsString(kv) ? kv->valuestring : NULL;
                const char *have = ocx_json_get_str(labels, kv->string);
                if (!want || !have || strcmp(want, have) != 0) return false;
        }
        return true;
}

bool endpoints_pod_ready(const cJSON *pod) {
        const char *ip = ocx_json_path_str(pod, "status.podIP");
        if (!ip || !*ip) return false;
        const cJSON *c;
        cJSON_ArrayForEach(c, ocx_json_path(pod, "status.conditions")) {
                if (ocx_streq(ocx_json_get_str(c, "type"), "Ready"))
                        return ocx_streq(ocx_json_get_str(c, "status"), "True");
        }
        return false;
}

/* The pod port a service port's targetPort names: a number as is, a name
 * looked up among the pod's container ports. 0 when it does not resolve. */
static int64_t resolve_target(const cJSON *svc_port, const cJSON *pod) {
        const cJSON *tp = ocx_json_get(svc_port, "targetPort");
        int64_t v;
        if (!tp) tp = ocx_json_get(svc_port, "port");
        if (cJSON_IsNumber(tp)) return ocx_json_int(tp, 1, 65535, &v) == 0 ? v : 0;
        if (!cJSON_IsString(tp) || !*tp->valuestring) return 0;
        char *end;
        long n = strtol(tp->valuestring, &end, 10);
        if (!*end && n > 0 && n <= 65535) return n;
        const char *proto = ocx_json_get_str(svc_port, "protocol");
        const cJSON *c, *p;
        cJSON_ArrayForEach(c, ocx_json_path(pod, "spec.containers")) {
                cJSON_ArrayForEach(p, ocx_json_get(c, "ports")) {
                        const char *pp = ocx_json_get_str(p, "protocol");
                        if (!ocx_streq(ocx_json_get_str(p, "name"), tp->valuestring)) continue;
                        if (proto && pp && !ocx_streq(proto, pp)) continue;
                        if (ocx_json_int(ocx_json_get(p, "containerPort"), 1, 65535, &v) == 0) return v;
                }
        }
        return 0;
}

static int cmp_ip(const void *a, const void *b) {
        const cJSON *x = *(const cJSON *const *)a, *y = *(const cJSON *const *)b;
        int r = strcmp(ocx_json_get_str(x, "ip") ?: "", ocx_json_get_str(y, "ip") ?: "");
        return r ? r : strcmp(ocx_json_path_str(x, "targetRef.name") ?: "", ocx_json_path_str(y, "targetRef.name") ?: "");
}

/* Sorts the items of a JSON array of addresses by IP. */
static void sort_addresses(cJSON *arr) {
        int n = cJSON_GetArraySize(arr);
        if (n < 2) return;
        cJSON **v = ocx_xcalloc((size_t)n, sizeof(*v));
        for (int i = 0; i < n; i++) v[i] = cJSON_DetachItemFromArray(arr, 0);
        qsort(v, (size_t)n, sizeof(*v), cmp_ip);
        for (int i = 0; i < n; i++) cJSON_AddItemToArray(arr, v[i]);
        free(v);
}

static cJSON *address_for(const cJSON *pod) {
        cJSON *a = cJSON_CreateObject();
        ocx_json_set_str(a, "ip", ocx_json_path_str(pod, "status.podIP"));
        const char *node = ocx_json_path_str(pod, "spec.nodeName");
        if (node && *node) ocx_json_set_str(a, "nodeName", node);
        cJSON *ref = cJSON_CreateObject();
        ocx_json_set_str(ref, "kind", "Pod");
        ocx_json_set_str(ref, "namespace", ocx_json_path_str(pod, "metadata.namespace"));
        ocx_json_set_str(ref, "name", ocx_json_path_str(pod, "metadata.name"));
        const char *uid = ocx_json_path_str(pod, "metadata.uid");
        if (uid) ocx_json_set_str(ref, "uid", uid);
        ocx_json_set(a, "targetRef", ref);
        return a;
}

cJSON *endpoints_compute(const cJSON *svc, const cJSON *pods) {
        const cJSON *sel = ocx_json_path(svc, "spec.selector");
        if (!cJSON_IsObject(sel) || !sel->child) return NULL;
        const char *ns = ocx_json_path_str(svc, "metadata.namespace");
        const cJSON *sports = ocx_json_path(svc, "spec.ports");
        cJSON *ep = cJSON_CreateObject();
        ocx_json_set_str(ep, "apiVersion", "v1");
        ocx_json_set_str(ep, "kind", "Endpoints");
        cJSON *md = ocx_json_ensure_obj(ep, "metadata");
        ocx_json_set_str(md, "name", ocx_json_path_str(svc, "metadata.name"));
        if (ns) ocx_json_set_str(md, "namespace", ns);
        const cJSON *labels = ocx_json_path(svc, "metadata.labels");
        if (cJSON_IsObject(labels) && labels->child) ocx_json_set(md, "labels", cJSON_Duplicate(labels, true));
        cJSON *subsets = cJSON_CreateArray();
        /* one subset per distinct resolved port list, as the upstream repacker does */
        const cJSON *pod;
        cJSON_ArrayForEach(pod, pods) {
                if (!selector_matches(sel, ocx_json_path(pod, "metadata.labels"))) continue;
                if (ns && !ocx_streq(ocx_json_path_str(pod, "metadata.namespace"), ns)) continue;
                if (ocx_json_path(pod, "metadata.deletionTimestamp")) continue;
                const char *phase = ocx_json_path_str(pod, "status.phase");
                if (ocx_streq(phase, "Succeeded") || ocx_streq(phase, "Failed")) continue;
                const char *ip = ocx_json_path_str(pod, "status.podIP");
                if (!ip || !*ip) continue;
                cJSON *ports = cJSON_CreateArray();
                const cJSON *sp;
                cJSON_ArrayForEach(sp, sports) {
                        int64_t port = resolve_target(sp, pod);
                        if (!port) continue;
                        cJSON *p = cJSON_CreateObject();
                        const char *name = ocx_json_get_str(sp, "name");
                        if (name && *name) ocx_json_set_str(p, "name", name);
                        ocx_json_set_int(p, "port", port);
                        ocx_json_set_str(p, "protocol", ocx_json_get_str(sp, "protocol") ?: "TCP");
                        cJSON_AddItemToArray(ports, p);
                }
                if (cJSON_GetArraySize(sports) > 0 && cJSON_GetArraySize(ports) == 0) {
                        cJSON_Delete(ports);
                        continue;
                }
                cJSON *subset = NULL, *s;
                cJSON_ArrayForEach(s, subsets) if (ocx_json_equal(ocx_json_get(s, "ports"), ports)) subset = s;
                if (!subset) {
                        subset = cJSON_CreateObject();
                        cJSON_AddItemToArray(subsets, subset);
                        ocx_json_set(subset, "ports", ports);
                } else {
                        cJSON_Delete(ports);
                }
                const char *list = endpoints_pod_ready(pod) ? "addresses" : "notReadyAddresses";
                cJSON *arr = ocx_json_get(subset, list);
                if (!arr) {
                        arr = cJSON_CreateArray();
                        ocx_json_set(subset, list, arr);
                }
                cJSON_AddItemToArray(arr, address_for(pod));
        }
        cJSON *s;
        cJSON_ArrayForEach(s, subsets) {
                sort_addresses(ocx_json_get(s, "addresses"));
                sort_addresses(ocx_json_get(s, "notReadyAddresses"));
                /* addresses before ports, as kube writes them */
                cJSON *ports = cJSON_DetachItemFromObjectCaseSensitive(s, "ports");
                cJSON_AddItemToObject(s, "ports", ports);
        }
        ocx_json_set(ep, "subsets", subsets);
        return ep;
}

/* ---- the loop -------------------------------------------------------------------------- */

static struct {
        pthread_mutex_t mu;
        pthread_cond_t cond, done_cond;
        pthread_t thread;
        bool started, stop, want_full;
        uint64_t full_requested, full_done;
} C = {.mu = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER, .done_cond = PTHREAD_COND_INITIALIZER};

static const api_kind *kind(const char *plural) { return api_kind_by_plural("", "v1", plural); }

static cJSON *list_json(api_server *s, const char *prefix) {
        cJSON *arr = cJSON_CreateArray();
        store_kv *items = NULL;
        size_t n = 0;
        if (store_list(s->st, prefix, NULL, 0, &items, &n, NULL) < 0) return arr;
        for (size_t i = 0; i < n; i++) {
                cJSON *o = NULL;
                if (ocx_json_parse(items[i].value, items[i].value_len, &o, NULL) == 0) cJSON_AddItemToArray(arr, o);
        }
        store_kvs_free(items, n);
        return arr;
}

static bool same_endpoints(const cJSON *want, const cJSON *have) {
        const cJSON *ws = ocx_json_get(want, "subsets"), *hs = ocx_json_get(have, "subsets");
        bool empty_w = cJSON_GetArraySize(ws) == 0, empty_h = cJSON_GetArraySize(hs) == 0;
        if (!(empty_w && empty_h) && !ocx_json_equal(ws, hs)) return false;
        const cJSON *wl = ocx_json_path(want, "metadata.labels"), *hl = ocx_json_path(have, "metadata.labels");
        if (cJSON_GetArraySize(wl) == 0 && cJSON_GetArraySize(hl) == 0) return true;
        return ocx_json_equal(wl, hl);
}

static void write_endpoints(api_server *s, const char *ns, const char *name, cJSON *want) {
        const api_kind *ek = kind("endpoints");
        for (int attempt = 0; attempt < 3; attempt++) {
                _cleanup_json_ cJSON *have = NULL;
                int r = api_get_object(s, ek, ns, name, &have);
                if (r == -ENOENT) {
                        _cleanup_error_ ocx_error *e = NULL;
                        r = api_create_object(s, ek, ns, cJSON_Duplicate(want, true), false, NULL, NULL, &e);
                        if (r == -EEXIST) continue;
                        if (r < 0 && r != -EACCES && r != -ENOENT)
                                log_warn("endpoints %s/%s: create: %s", ns, name, e ? e->message : strerror(-r));
                        return;
                }
                if (r < 0) return;
                if (same_endpoints(want, have)) return;
                cJSON *next = cJSON_Duplicate(have, true);
                ocx_json_set(next, "subsets", cJSON_Duplicate(ocx_json_get(want, "subsets"), true));
                const cJSON *labels = ocx_json_path(want, "metadata.labels");
                cJSON *md = ocx_json_ensure_obj(next, "metadata");
                if (labels) ocx_json_set(md, "labels", cJSON_Duplicate(labels, true));
                else cJSON_DeleteItemFromObjectCaseSensitive(md, "labels");
                _cleanup_error_ ocx_error *e = NULL;
                r = api_update_object(s, ek, ns, name, next, NULL, false, NULL, NULL, &e);
                if (r == -ESTALE) continue;
                if (r < 0 && r != -ENOENT) log_warn("endpoints %s/%s: update: %s", ns, name, e ? e->message : strerror(-r));
                return;
        }
}

static void reconcile_namespace(api_server *s, const char *ns) {
        _cleanup_free_ char *sp = ocx_xasprintf("/core/services/%s/", ns);
        _cleanup_free_ char *pp = ocx_xasprintf("/core/pods/%s/", ns);
        _cleanup_json_ cJSON *svcs = list_json(s, sp);
        if (cJSON_GetArraySize(svcs) == 0) return;
        _cleanup_json_ cJSON *pods = list_json(s, pp);
        const cJSON *svc;
        cJSON_ArrayForEach(svc, svcs) {
                if (ocx_json_path(svc, "metadata.deletionTimestamp")) continue;
                _cleanup_json_ cJSON *want = endpoints_compute(svc, pods);
                if (!want) continue;
                write_endpoints(s, ns, ocx_json_path_str(svc, "metadata.name"), want);
        }
}

/* "/core/<plural>/<ns>/<name>" -> ns (heap) */
static char *ns_of_key(const char *key, size_t skip) {
        const char *p = key + skip, *slash = strchr(p, '/');
        return slash ? ocx_xstrndup(p, (size_t)(slash - p)) : NULL;
}

typedef struct ns_set {
        char **v;
        size_t n;
} ns_set;

static void ns_add(ns_set *set, char *ns) {
        if (!ns) return;
        for (size_t i = 0; i < set->n; i++)
                if (strcmp(set->v[i], ns) == 0) {
                        free(ns);
                        return;
                }
        set->v = ocx_xrealloc(set->v, (set->n + 1) * sizeof(char *));
        set->v[set->n++] = ns;
}

static void ns_free(ns_set *set) {
        for (size_t i = 0; i < set->n; i++) free(set->v[i]);
        free(set->v);
        set->v = NULL;
        set->n = 0;
}

static void on_service_deleted(api_server *s, const store_event *ev) {
        _cleanup_json_ cJSON *o = NULL;
        if (ocx_json_parse(ev->value, ev->value_len, &o, NULL) < 0) return;
        const char *ns = ocx_json_path_str(o, "metadata.namespace"), *name = ocx_json_path_str(o, "metadata.name");
        ipalloc_release(ocx_json_path_str(o, "spec.clusterIP"));
        /* a service of the same name created since keeps its endpoints */
        _cleanup_json_ cJSON *again = NULL;
        if (!ns || !name || api_get_object(s, kind("services"), ns, name, &again) == 0) return;
        api_delete_object(s, kind("endpoints"), ns, name, "Background", 0, NULL, NULL);
}

static void full_resync(api_server *s) {
        ipalloc_resync(s);
        _cleanup_json_ cJSON *svcs = list_json(s, "/core/services/");
        ns_set set = {NULL, 0};
        const cJSON *svc;
        cJSON_ArrayForEach(svc, svcs) {
                const char *ns = ocx_json_path_str(svc, "metadata.namespace");
                if (ns) ns_add(&set, ocx_xstrdup(ns));
        }
        for (size_t i = 0; i < set.n; i++) reconcile_namespace(s, set.v[i]);
        ns_free(&set);
}

/* Handles the events in (after, upto]. -ERANGE when history is gone. */
static int handle_events(api_server *s, int64_t after, int64_t upto) {
        static const char *const prefixes[] = {"/core/services/", "/core/pods/", "/core/endpoints/"};
        ns_set dirty = {NULL, 0};
        for (size_t p = 0; p < 3; p++) {
                store_event *evs = NULL;
                size_t n = 0;
                int r = store_events_since(s->st, prefixes[p], after, 0, &evs, &n);
                if (r < 0) {
                        ns_free(&dirty);
                        return r;
                }
                size_t skip = strlen(prefixes[p]);
                for (size_t i = 0; i < n; i++) {
                        const store_event *ev = &evs[i];
                        if (ev->rev > upto) break;
                        if (p == 2 && ev->type != STORE_EV_DELETE) continue; /* our own writes, mostly */
                        if (p == 0 && ev->type == STORE_EV_DELETE) on_service_deleted(s, ev);
                        ns_add(&dirty, ns_of_key(ev->key, skip));
                }
                store_events_free(evs, n);
        }
        for (size_t i = 0; i < dirty.n; i++) reconcile_namespace(s, dirty.v[i]);
        ns_free(&dirty);
        return 0;
}

static void *loop(void *arg) {
        api_server *s = arg;
        int64_t rev = store_revision(s->st);
        full_resync(s);
        time_t next_full = time(NULL) + RESYNC_S;
        pthread_mutex_lock(&C.mu);
        while (!C.stop) {
                uint64_t req = C.full_requested;
                bool full = C.want_full || time(NULL) >= next_full;
                C.want_full = false;
                pthread_mutex_unlock(&C.mu);
                int64_t cur = store_revision(s->st);
                if (full) {
                        full_resync(s);
                        rev = cur;
                        next_full = time(NULL) + RESYNC_S;
                } else if (cur > rev) {
                        if (handle_events(s, rev, cur) == -ERANGE) {
                                full_resync(s);
                                next_full = time(NULL) + RESYNC_S;
                        }
                        rev = cur;
                }
                pthread_mutex_lock(&C.mu);
                if (full) {
                        C.full_done = req;
                        pthread_cond_broadcast(&C.done_cond);
                }
                if (C.stop || C.want_full) continue;
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                ts.tv_nsec += POLL_MS * 1000000L;
                if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
                pthread_cond_timedwait(&C.cond, &C.mu, &ts);
        }
        pthread_mutex_unlock(&C.mu);
        return NULL;
}

int endpoints_start(api_server *s) {
        if (C.started) return 0;
        C.stop = false;
        C.want_full = false;
        int r = pthread_create(&C.thread, NULL, loop, s);
        if (r) return -r;
        C.started = true;
        return 0;
}

void endpoints_stop(api_server *s) {
        (void)s;
        if (!C.started) return;
        pthread_mutex_lock(&C.mu);
        C.stop = true;
        pthread_cond_broadcast(&C.cond);
        pthread_mutex_unlock(&C.mu);
        pthread_join(C.thread, NULL);
        C.started = false;
}

void endpoints_sync_now(api_server *s) {
        (void)s;
        if (!C.started) return;
        pthread_mutex_lock(&C.mu);
        uint64_t want = ++C.full_requested;
        C.want_full = true;
        pthread_cond_broadcast(&C.cond);
        while (C.full_done < want && !C.stop) pthread_cond_wait(&C.done_cond, &C.mu);
        pthread_mutex_unlock(&C.mu);
}
