/* ocx-router — where tables come from: three informers (routes, services,
 * endpoints) against the API server, or a routes file (JSON/YAML List of
 * Route, Service and Endpoints objects, re-read when it changes). A sync
 * thread coalesces changes, builds a new table off the serving thread,
 * publishes it (atomic swap, no reload) and writes route status. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include "rt.h"
#include "ocx/informer.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/macro.h"
#include "ocx/yaml.h"
#include "ocx/banned.h"

#define COALESCE_MS 50
#define STATUS_RETRY_MS 5000

static struct {
        const rt_config *cfg;
        pthread_t thread;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool dirty, stop, started;
        ocx_informer *inf[3]; /* routes, services, endpoints */
        rt_status_writer *status;
        uint64_t generation;
} SRC = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};

static void wait_ms(long ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_mutex_lock(&SRC.lock);
        while (!SRC.stop && !SRC.dirty)
                if (pthread_cond_timedwait(&SRC.cond, &SRC.lock, &ts) != 0) break;
        pthread_mutex_unlock(&SRC.lock);
}

static bool take_dirty(void) {
        pthread_mutex_lock(&SRC.lock);
        bool d = SRC.dirty;
        SRC.dirty = false;
        pthread_mutex_unlock(&SRC.lock);
        return d;
}

static bool stopping(void) {
        pthread_mutex_lock(&SRC.lock);
        bool s = SRC.stop;
        pthread_mutex_unlock(&SRC.lock);
        return s;
}

static rt_table *build(const cJSON *routes, const cJSON *services, const cJSON *endpoints) {
        rt_table *t = NULL;
        rt_table_build(routes, services, endpoints, &SRC.cfg->table, &t);
        t->generation = ++SRC.generation;
        size_t adm = 0;
        for (size_t i = 0; i < t->n_routes; i++) {
                const rt_route *r = &t->routes[i];
                adm += r->admitted;
                if (!r->admitted)
                        log_debug("route %s/%s not admitted: %s: %s", r->ns, r->name, r->reason, r->message ?: "");
        }
        atomic_fetch_add(&rt_stats.table_builds, 1);
        atomic_store(&rt_stats.routes_total, t->n_routes);
        atomic_store(&rt_stats.routes_admitted, adm);
        atomic_store(&rt_stats.routes_rejected, t->n_routes - adm);
        return t;
}

/* ---- routes file ----------------------------------------------------------------------- */

static int load_file(const char *path, cJSON **ret_routes, cJSON **ret_svcs, cJSON **ret_eps) {
        _cleanup_free_ char *data = NULL;
        _cleanup_error_ ocx_error *err = NULL;
        _cleanup_json_ cJSON *objs = NULL;
        size_t len;
        int r = ocx_read_file(path, 64u << 20, &data, &len);
        if (r < 0) {
                log_error("routes file '%s': %s", path, strerror(-r));
                return r;
        }
        r = ocx_decode_manifests(data, len, &objs, &err);
        if (r < 0) {
                log_error("routes file '%s': %s", path, err->message);
                return r;
        }
        rt_split_objects(objs, ret_routes, ret_svcs, ret_eps);
        return 0;
}

static void file_loop(void) {
        struct timespec seen = {0};
        off_t seen_size = -1;
        while (!stopping()) {
                struct stat st;
                if (stat(SRC.cfg->routes_file, &st) == 0 &&
                    (st.st_mtim.tv_sec != seen.tv_sec || st.st_mtim.tv_nsec != seen.tv_nsec || st.st_size != seen_size)) {
                        cJSON *routes = NULL, *svcs = NULL, *eps = NULL;
                        seen = st.st_mtim, seen_size = st.st_size;
                        if (load_file(SRC.cfg->routes_file, &routes, &svcs, &eps) == 0) {
                                rt_table *t = build(routes, svcs, eps);
                                log_info("routes file: %zu routes, table generation %llu", t->n_routes,
                                         (unsigned long long)t->generation);
                                rt_server_publish(t);
                        }
                        cJSON_Delete(routes), cJSON_Delete(svcs), cJSON_Delete(eps);
                }
                wait_ms(500);
        }
}

/* ---- API informers --------------------------------------------------------------------- */

static void on_event(ocx_informer *inf, ocx_informer_event ev, const cJSON *obj, void *userdata) {
        (void)inf, (void)ev, (void)obj, (void)userdata;
        pthread_mutex_lock(&SRC.lock);
        SRC.dirty = true;
        pthread_cond_signal(&SRC.cond);
        pthread_mutex_unlock(&SRC.lock);
}

static void api_loop(void) {
        static const char *paths[3] = {"/apis/route.openshift.io/v1/routes", "/api/v1/services", "/api/v1/endpoints"};
        for (int i = 0; i < 3; i++) {
                _cleanup_error_ ocx_error *err = NULL;
                ocx_informer_options o = {.path = paths[i], .on_event = on_event, .http_config = &SRC.cfg->http};
                if (ocx_informer_new(&o, &SRC.inf[i], &err) < 0 || ocx_informer_start(SRC.inf[i]) < 0) {
                        log_error("informer %s: %s", paths[i], err ? err->message : "cannot start");
                        return;
                }
        }
        if (SRC.cfg->update_status) SRC.status = rt_status_writer_new(SRC.cfg);
        bool status_retry = false;
        while (!stopping()) {
                wait_ms(status_retry ? STATUS_RETRY_MS : 1000);
                bool dirty = take_dirty();
                if (!dirty && !status_retry) continue;
                if (!ocx_informer_has_synced(SRC.inf[0]) || !ocx_informer_has_synced(SRC.inf[1]) ||
                    !ocx_informer_has_synced(SRC.inf[2])) {
                        pthread_mutex_lock(&SRC.lock);
                        SRC.dirty = true; /* build once all three have listed */
                        pthread_mutex_unlock(&SRC.lock);
                        wait_ms(COALESCE_MS);
                        continue;
                }
                struct timespec ts = {0, COALESCE_MS * 1000000L};
                if (dirty) nanosleep(&ts, NULL); /* let a burst of events land in one build */
                take_dirty();
                cJSON *routes = ocx_informer_snapshot(SRC.inf[0]), *svcs = ocx_informer_snapshot(SRC.inf[1]),
                      *eps = ocx_informer_snapshot(SRC.inf[2]);
                rt_table *t = build(routes, svcs, eps);
                log_debug("table generation %llu: %zu routes", (unsigned long long)t->generation, t->n_routes);
                /* status is computed from our own copy: the published table belongs to the server */
                rt_table *mine = NULL;
                if (SRC.status) rt_table_build(routes, svcs, eps, &SRC.cfg->table, &mine);
                rt_server_publish(t);
                if (mine) {
                        status_retry = rt_status_sync(SRC.status, mine, routes) > 0;
                        rt_table_free(mine);
                }
                cJSON_Delete(routes), cJSON_Delete(svcs), cJSON_Delete(eps);
        }
}

static void *source_thread(void *arg) {
        (void)arg;
        if (SRC.cfg->routes_file) file_loop();
        else api_loop();
        return NULL;
}

int rt_source_start(const rt_config *cfg) {
        SRC.cfg = cfg;
        int r = pthread_create(&SRC.thread, NULL, source_thread, NULL);
        if (r != 0) return -r;
        SRC.started = true;
        return 0;
}

void rt_source_stop(void) {
        if (!SRC.started) return;
        pthread_mutex_lock(&SRC.lock);
        SRC.stop = true;
        pthread_cond_broadcast(&SRC.cond);
        pthread_mutex_unlock(&SRC.lock);
        pthread_join(SRC.thread, NULL);
        /* before exit: an informer still in libcurl would race OpenSSL's exit-time cleanup */
        for (size_t i = 0; i < OCX_ARRAY_SIZE(SRC.inf); i++) SRC.inf[i] = ocx_informer_free(SRC.inf[i]);
        rt_status_writer_free(TAKE_PTR(SRC.status));
}
