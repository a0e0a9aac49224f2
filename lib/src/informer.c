/* ocx — list + watch informer (see ocx/informer.h). */
#include "ocx/informer.h"
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

struct ocx_informer {
        char *path, *selector;
        ocx_informer_fn on_event;
        void *userdata;
        long backoff_min, backoff_max, watch_timeout_s;
        ocx_informer_transport transport;
        ocx_http_config http_cfg;
        ocx_http *http; /* informer thread only */
        bool own_transport;

        pthread_mutex_t lock;
        pthread_cond_t cond;
        cJSON *cache; /* object: key -> object */
        char rv[64];
        bool synced, running;
        uint64_t lists;
        atomic_bool stop;
        pthread_t thread;
};

static void take_str(char **dst, const char *src) {
        *dst = src ? ocx_xstrdup(src) : NULL;
}

/* ---- default transport over ocx_http ------------------------------------------------- */

static int http_ensure(ocx_informer *inf, ocx_error **reterr) {
        if (inf->http) return 0;
        int r = ocx_http_new(&inf->http_cfg, &inf->http, reterr);
        if (r >= 0) ocx_http_set_abort(inf->http, &inf->stop); /* stop ends a long watch promptly */
        return r;
}

static int http_list(void *tdata, const char *path, long *ret_status, char **ret_body, ocx_error **reterr) {
        ocx_informer *inf = tdata;
        ocx_http_response resp = {0};
        int r = http_ensure(inf, reterr);
        if (r < 0) return r;
        r = ocx_http_request(inf->http, "GET", path, NULL, NULL, 0, NULL, &resp, reterr);
        if (r < 0) return r;
        *ret_status = resp.status;
        *ret_body = TAKE_PTR(resp.body);
        ocx_http_response_release(&resp);
        return 0;
}

static int http_watch(void *tdata, const char *path, ocx_http_line_fn on_line, void *line_data, long *ret_status,
                      ocx_error **reterr) {
        ocx_informer *inf = tdata;
        int r = http_ensure(inf, reterr);
        if (r < 0) return r;
        return ocx_http_stream(inf->http, path, on_line, line_data, ret_status, reterr);
}

/* ---- cache ----------------------------------------------------------------------------- */

static char *key_of(const cJSON *obj) {
        const char *ns = ocx_json_path_str(obj, "metadata.namespace"), *name = ocx_json_path_str(obj, "metadata.name");
        if (!name || !*name) return NULL;
        return ns && *ns ? ocx_xasprintf("%s/%s", ns, name) : ocx_xstrdup(name);
}

static void emit(ocx_informer *inf, ocx_informer_event ev, const cJSON *obj) {
        if (inf->on_event) inf->on_event(inf, ev, obj, inf->userdata);
}

static void set_rv(ocx_informer *inf, const char *rv) {
        if (rv && *rv) snprintf(inf->rv, sizeof(inf->rv), "%s", rv);
}

/* Replaces the cache with a list body; emits the differences. */
static int apply_list(ocx_informer *inf, const char *body) {
        _cleanup_json_ cJSON *list = NULL;
        _cleanup_error_ ocx_error *err = NULL;
        if (ocx_json_parse(body, strlen(body), &list, &err) < 0) {
                log_warn("informer %s: %s", inf->path, err->message);
                return -EINVAL;
        }
        cJSON *items = ocx_json_get(list, "items");
        if (items && !cJSON_IsArray(items) && !cJSON_IsNull(items)) return -EINVAL;
        cJSON *fresh = cJSON_CreateObject(), *it, *events = cJSON_CreateArray();
        cJSON_ArrayForEach(it, items) {
                _cleanup_free_ char *k = key_of(it);
                if (k && !ocx_json_get(fresh, k)) cJSON_AddItemToObject(fresh, k, cJSON_Duplicate(it, 1));
        }
        pthread_mutex_lock(&inf->lock);
        cJSON_ArrayForEach(it, fresh) {
                const cJSON *old = ocx_json_get(inf->cache, it->string);
                if (!old) {
                        cJSON *e = cJSON_CreateArray();
                        cJSON_AddItemToArray(e, cJSON_CreateNumber(OCX_INFORMER_ADDED));
                        cJSON_AddItemToArray(e, cJSON_Duplicate(it, 1));
                        cJSON_AddItemToArray(events, e);
                } else if (!ocx_streq(ocx_json_path_str(old, "metadata.resourceVersion"),
                                      ocx_json_path_str(it, "metadata.resourceVersion")) ||
                           !ocx_json_equal(old, it)) {
                        cJSON *e = cJSON_CreateArray();
                        cJSON_AddItemToArray(e, cJSON_CreateNumber(OCX_INFORMER_MODIFIED));
                        cJSON_AddItemToArray(e, cJSON_Duplicate(it, 1));
                        cJSON_AddItemToArray(events, e);
                }
        }
        cJSON_ArrayForEach(it, inf->cache) {
                if (ocx_json_get(fresh, it->string)) continue;
                cJSON *e = cJSON_CreateArray();
                cJSON_AddItemToArray(e, cJSON_CreateNumber(OCX_INFORMER_DELETED));
                cJSON_AddItemToArray(e, cJSON_Duplicate(it, 1));
                cJSON_AddItemToArray(events, e);
        }
        cJSON_Delete(inf->cache);
        inf->cache = fresh;
        set_rv(inf, ocx_json_path_str(list, "metadata.resourceVersion"));
        inf->synced = true;
        inf->lists++;
        pthread_cond_broadcast(&inf->cond);
        pthread_mutex_unlock(&inf->lock);
        cJSON_ArrayForEach(it, events) {
                emit(inf, (ocx_informer_event)cJSON_GetArrayItem(it, 0)->valueint, cJSON_GetArrayItem(it, 1));
        }
        cJSON_Delete(events);
        emit(inf, OCX_INFORMER_SYNCED, NULL);
        return 0;
}

int ocx_informer_apply_line(ocx_informer *inf, const char *line, size_t len) {
        _cleanup_json_ cJSON *ev = NULL;
        if (ocx_json_parse(line, len, &ev, NULL) < 0) return -EINVAL;
        const char *type = ocx_json_get_str(ev, "type");
        cJSON *obj = ocx_json_get(ev, "object");
        if (!type || !cJSON_IsObject(obj)) return -EINVAL;
        if (strcmp(type, "ERROR") == 0) {
                int64_t code = 0;
                (void)ocx_json_int(ocx_json_get(obj, "code"), 0, 999, &code);
                log_info("informer %s: watch error %lld: %s", inf->path, (long long)code,
                         ocx_json_get_str(obj, "message") ?: "");
                return 1; /* 410 Expired and every other error: re-list */
        }
        if (strcmp(type, "BOOKMARK") == 0) {
                pthread_mutex_lock(&inf->lock);
                set_rv(inf, ocx_json_path_str(obj, "metadata.resourceVersion"));
                pthread_mutex_unlock(&inf->lock);
                return 0;
        }
        ocx_informer_event kind;
        if (strcmp(type, "ADDED") == 0) kind = OCX_INFORMER_ADDED;
        else if (strcmp(type, "MODIFIED") == 0) kind = OCX_INFORMER_MODIFIED;
        else if (strcmp(type, "DELETED") == 0) kind = OCX_INFORMER_DELETED;
        else return -EINVAL;
        _cleanup_free_ char *k = key_of(obj);
        if (!k) return -EINVAL;
        pthread_mutex_lock(&inf->lock);
        bool existed = ocx_json_get(inf->cache, k) != NULL;
        if (kind == OCX_INFORMER_DELETED) {
                cJSON_DeleteItemFromObjectCaseSensitive(inf->cache, k);
        } else {
                if (existed) cJSON_ReplaceItemInObjectCaseSensitive(inf->cache, k, cJSON_Duplicate(obj, 1));
                else cJSON_AddItemToObject(inf->cache, k, cJSON_Duplicate(obj, 1));
                kind = existed ? OCX_INFORMER_MODIFIED : OCX_INFORMER_ADDED;
        }
        set_rv(inf, ocx_json_path_str(obj, "metadata.resourceVersion"));
        pthread_mutex_unlock(&inf->lock);
        if (kind != OCX_INFORMER_DELETED || existed) emit(inf, kind, obj);
        return 0;
}

/* ---- thread ---------------------------------------------------------------------------- */

typedef struct watch_state {
        ocx_informer *inf;
        bool relist;
} watch_state;

static int on_watch_line(const char *line, size_t len, void *data) {
        watch_state *ws = data;
        if (atomic_load(&ws->inf->stop)) return 1;
        int r = ocx_informer_apply_line(ws->inf, line, len);
        if (r == 1) {
                ws->relist = true;
                return 1;
        }
        if (r < 0) log_warn("informer %s: ignoring a malformed watch event", ws->inf->path);
        return 0;
}

/* Sleeps ms unless stopped; returns true when asked to stop. */
static bool sleep_or_stop(ocx_informer *inf, long ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += ms / 1000;
        ts.tv_nsec += (ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_mutex_lock(&inf->lock);
        while (!atomic_load(&inf->stop))
                if (pthread_cond_timedwait(&inf->cond, &inf->lock, &ts) == ETIMEDOUT) break;
        pthread_mutex_unlock(&inf->lock);
        return atomic_load(&inf->stop);
}

static void append_selector(ocx_informer *inf, ocx_buf *b, char sep) {
        if (!inf->selector || !*inf->selector) return;
        ocx_buf_printf(b, "%clabelSelector=", sep);
        for (const char *p = inf->selector; *p; p++) {
                unsigned char c = (unsigned char)*p;
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || strchr("-._~", c))
                        ocx_buf_append(b, p, 1);
                else
                        ocx_buf_printf(b, "%%%02X", c);
        }
}

static bool list_once(ocx_informer *inf) {
        _cleanup_error_ ocx_error *err = NULL;
        _cleanup_free_ char *body = NULL;
        ocx_buf path = OCX_BUF_INIT;
        long status = 0;
        ocx_buf_puts(&path, inf->path);
        append_selector(inf, &path, '?');
        int r = inf->transport.list(inf->transport.tdata, path.data, &status, &body, &err);
        ocx_buf_release(&path);
        if (r < 0) {
                log_warn("informer %s: list failed: %s", inf->path, err ? err->message : strerror(-r));
                return false;
        }
        if (status < 200 || status > 299 || !body) {
                log_warn("informer %s: list failed with HTTP %ld", inf->path, status);
                return false;
        }
        return apply_list(inf, body) == 0;
}

static void *informer_thread(void *arg) {
        ocx_informer *inf = arg;
        long backoff = inf->backoff_min;
        while (!atomic_load(&inf->stop)) {
                if (!list_once(inf)) {
                        if (sleep_or_stop(inf, backoff)) break;
                        backoff = backoff * 2 > inf->backoff_max ? inf->backoff_max : backoff * 2;
                        continue;
                }
                backoff = inf->backoff_min;
                /* watch until the server says the version is gone or the stream breaks */
                while (!atomic_load(&inf->stop)) {
                        _cleanup_error_ ocx_error *err = NULL;
                        watch_state ws = {.inf = inf};
                        char rv[64];
                        long status = 0;
                        ocx_buf path = OCX_BUF_INIT;
                        ocx_informer_resource_version(inf, rv, sizeof(rv));
                        ocx_buf_printf(&path, "%s?watch=1&resourceVersion=%s&allowWatchBookmarks=true&timeoutSeconds=%ld",
                                       inf->path, rv, inf->watch_timeout_s);
                        append_selector(inf, &path, '&');
                        int r = inf->transport.watch(inf->transport.tdata, path.data, on_watch_line, &ws, &status, &err);
                        ocx_buf_release(&path);
                        if (atomic_load(&inf->stop)) break;
                        if (ws.relist) break; /* 410: re-list at once */
                        if (r < 0 || status < 200 || status > 299) {
                                log_warn("informer %s: watch failed: %s", inf->path,
                                         err ? err->message : r < 0 ? strerror(-r) : "unexpected status");
                                if (sleep_or_stop(inf, backoff)) break;
                                backoff = backoff * 2 > inf->backoff_max ? inf->backoff_max : backoff * 2;
                                break;
                        }
                        /* clean end (timeoutSeconds): resume from the last version */
                }
        }
        ocx_http_free(TAKE_PTR(inf->http));
        return NULL;
}

/* ---- public ---------------------------------------------------------------------------- */

int ocx_informer_new(const ocx_informer_options *opt, ocx_informer **ret, ocx_error **reterr) {
        if (!opt || !opt->path || opt->path[0] != '/')
                return ocx_error_set(reterr, EINVAL, NULL, "informer: a collection path is required");
        if (!opt->transport && !opt->http_config)
                return ocx_error_set(reterr, EINVAL, NULL, "informer: no transport and no http config");
        ocx_informer *inf = ocx_xcalloc(1, sizeof(*inf));
        inf->path = ocx_xstrdup(opt->path);
        take_str(&inf->selector, opt->label_selector);
        inf->on_event = opt->on_event;
        inf->userdata = opt->userdata;
        inf->backoff_min = opt->backoff_min_ms > 0 ? opt->backoff_min_ms : 500;
        inf->backoff_max = opt->backoff_max_ms > 0 ? opt->backoff_max_ms : 30000;
        if (inf->backoff_max < inf->backoff_min) inf->backoff_max = inf->backoff_min;
        inf->watch_timeout_s = opt->watch_timeout_s > 0 ? opt->watch_timeout_s : 300;
        if (opt->transport) {
                inf->transport = *opt->transport;
        } else {
                const ocx_http_config *c = opt->http_config;
                take_str(&inf->http_cfg.server, c->server);
                take_str(&inf->http_cfg.ca_pem, c->ca_pem);
                take_str(&inf->http_cfg.ca_file, c->ca_file);
                take_str(&inf->http_cfg.cert_pem, c->cert_pem);
                take_str(&inf->http_cfg.key_pem, c->key_pem);
                take_str(&inf->http_cfg.cert_file, c->cert_file);
                take_str(&inf->http_cfg.key_file, c->key_file);
                take_str(&inf->http_cfg.token, c->token);
                inf->http_cfg.insecure = c->insecure;
                inf->http_cfg.timeout_ms = c->timeout_ms;
                inf->transport = (ocx_informer_transport){http_list, http_watch, inf};
                inf->own_transport = true;
        }
        pthread_mutex_init(&inf->lock, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_cond_init(&inf->cond, &ca);
        pthread_condattr_destroy(&ca);
        inf->cache = cJSON_CreateObject();
        atomic_init(&inf->stop, false);
        *ret = inf;
        return 0;
}

int ocx_informer_start(ocx_informer *inf) {
        if (inf->running) return 0;
        atomic_store(&inf->stop, false);
        int r = pthread_create(&inf->thread, NULL, informer_thread, inf);
        if (r != 0) return -r;
        inf->running = true;
        return 0;
}

void ocx_informer_stop(ocx_informer *inf) {
        if (!inf || !inf->running) return;
        pthread_mutex_lock(&inf->lock);
        atomic_store(&inf->stop, true);
        pthread_cond_broadcast(&inf->cond);
        pthread_mutex_unlock(&inf->lock);
        pthread_join(inf->thread, NULL);
        inf->running = false;
}

ocx_informer *ocx_informer_free(ocx_informer *inf) {
        if (!inf) return NULL;
        ocx_informer_stop(inf);
        cJSON_Delete(inf->cache);
        pthread_mutex_destroy(&inf->lock);
        pthread_cond_destroy(&inf->cond);
        ocx_http_config_release(&inf->http_cfg);
        free(inf->path), free(inf->selector), free(inf);
        return NULL;
}

bool ocx_informer_has_synced(ocx_informer *inf) {
        pthread_mutex_lock(&inf->lock);
        bool s = inf->synced;
        pthread_mutex_unlock(&inf->lock);
        return s;
}

bool ocx_informer_wait_synced(ocx_informer *inf, long timeout_ms) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += timeout_ms / 1000;
        ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) ts.tv_sec++, ts.tv_nsec -= 1000000000L;
        pthread_mutex_lock(&inf->lock);
        while (!inf->synced)
                if (pthread_cond_timedwait(&inf->cond, &inf->lock, &ts) == ETIMEDOUT) break;
        bool s = inf->synced;
        pthread_mutex_unlock(&inf->lock);
        return s;
}

static int item_key_cmp(const void *a, const void *b) {
        return strcmp((*(cJSON *const *)a)->string, (*(cJSON *const *)b)->string);
}

cJSON *ocx_informer_snapshot(ocx_informer *inf) {
        cJSON *arr = cJSON_CreateArray(), *it;
        pthread_mutex_lock(&inf->lock);
        size_t n = (size_t)cJSON_GetArraySize(inf->cache), i = 0;
        cJSON **v = ocx_xcalloc(n + 1, sizeof(*v));
        cJSON_ArrayForEach(it, inf->cache) v[i++] = it;
        qsort(v, n, sizeof(*v), item_key_cmp);
        for (i = 0; i < n; i++) {
                cJSON *d = cJSON_Duplicate(v[i], 1);
                free(d->string), d->string = NULL;
                cJSON_AddItemToArray(arr, d);
        }
        pthread_mutex_unlock(&inf->lock);
        free(v);
        return arr;
}

cJSON *ocx_informer_get(ocx_informer *inf, const char *ns, const char *name) {
        _cleanup_free_ char *k = ns && *ns ? ocx_xasprintf("%s/%s", ns, name) : ocx_xstrdup(name);
        pthread_mutex_lock(&inf->lock);
        cJSON *o = ocx_json_get(inf->cache, k), *d = o ? cJSON_Duplicate(o, 1) : NULL;
        pthread_mutex_unlock(&inf->lock);
        if (d) free(d->string), d->string = NULL;
        return d;
}

void ocx_informer_resource_version(ocx_informer *inf, char *out, size_t n) {
        pthread_mutex_lock(&inf->lock);
        snprintf(out, n, "%s", inf->rv);
        pthread_mutex_unlock(&inf->lock);
}

uint64_t ocx_informer_list_count(ocx_informer *inf) {
        pthread_mutex_lock(&inf->lock);
        uint64_t n = inf->lists;
        pthread_mutex_unlock(&inf->lock);
        return n;
}
