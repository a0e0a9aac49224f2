#include "apiserver/watch.h"
#include "apiserver/table.h"
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/banned.h"

typedef struct hub_event {
        int64_t rev;
        store_ev_type type;
        char *key;
        char *value;
        size_t len;
} hub_event;

struct watch_hub {
        pthread_mutex_t mu;
        pthread_cond_t cond;
        hub_event *ring;
        size_t cap, start, count;
        store *st;
        bool closing;
        size_t watchers;
        int64_t base_rev; /* store revision when the hub started: older events live in the store only */
};

struct api_watch {
        watch_hub *hub;
        const api_kind *kind;
        char *prefix;
        int64_t rev;
        ocx_selector *labels, *fields;
        bool bookmarks, done;
        bool checked_history; /* the start revision was compared with the compacted history */
        bool table, sent_columns; /* events carry meta.k8s.io Tables (kubectl get -w) */
        time_t deadline, next_bookmark;
        ocx_buf out;
        size_t out_pos;
};

watch_hub *watch_hub_new(store *st, size_t cap) {
        watch_hub *h = ocx_xcalloc(1, sizeof(*h));
        pthread_mutex_init(&h->mu, NULL);
        pthread_condattr_t ca;
        pthread_condattr_init(&ca);
        pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
        pthread_cond_init(&h->cond, &ca);
        pthread_condattr_destroy(&ca);
        h->cap = cap ? cap : 4096;
        h->ring = ocx_xcalloc(h->cap, sizeof(hub_event));
        h->st = st;
        h->base_rev = store_revision(st);
        return h;
}

void watch_hub_close(watch_hub *h) {
        pthread_mutex_lock(&h->mu);
        h->closing = true;
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->mu);
}

watch_hub *watch_hub_free(watch_hub *h) {
        if (!h) return NULL;
        for (size_t i = 0; i < h->count; i++) {
                hub_event *e = &h->ring[(h->start + i) % h->cap];
                free(e->key);
                free(e->value);
        }
        free(h->ring);
        pthread_mutex_destroy(&h->mu);
        pthread_cond_destroy(&h->cond);
        free(h);
        return NULL;
}

size_t watch_hub_watchers(watch_hub *h) {
        pthread_mutex_lock(&h->mu);
        size_t n = h->watchers;
        pthread_mutex_unlock(&h->mu);
        return n;
}

void watch_hub_notify(const store_event *ev, void *userdata) {
        watch_hub *h = userdata;
        char *key = ocx_xstrdup(ev->key);
        char *val = ocx_xmalloc(ev->value_len + 1);
        memcpy(val, ev->value, ev->value_len);
        val[ev->value_len] = 0;
        pthread_mutex_lock(&h->mu);
        if (h->count == h->cap) {
                hub_event *old = &h->ring[h->start];
                free(old->key);
                free(old->value);
                h->start = (h->start + 1) % h->cap;
                h->count--;
        }
        hub_event *e = &h->ring[(h->start + h->count) % h->cap];
        *e = (hub_event){ev->rev, ev->type, key, val, ev->value_len};
        h->count++;
        pthread_cond_broadcast(&h->cond);
        pthread_mutex_unlock(&h->mu);
}

api_watch *api_watch_new(watch_hub *h, const api_kind *k, const char *prefix, int64_t after_rev,
                         ocx_selector *labels, ocx_selector *fields, bool bookmarks, long timeout_s,
                         char *initial, size_t initial_len) {
        api_watch *w = ocx_xcalloc(1, sizeof(*w));
        w->hub = h;
        w->kind = k;
        w->prefix = ocx_xstrdup(prefix);
        w->rev = after_rev;
        w->labels = labels;
        w->fields = fields;
        w->bookmarks = bookmarks;
        time_t now = time(NULL);
        w->deadline = now + (timeout_s > 0 ? timeout_s : 1800);
        w->next_bookmark = now + 30;
        ocx_buf_init(&w->out, 0);
        if (initial) {
                w->out.data = initial;
                w->out.len = initial_len;
                w->out.alloc = initial_len + 1;
        }
        pthread_mutex_lock(&h->mu);
        h->watchers++;
        pthread_mutex_unlock(&h->mu);
        return w;
}

void api_watch_free(api_watch *w) {
        if (!w) return;
        pthread_mutex_lock(&w->hub->mu);
        w->hub->watchers--;
        pthread_mutex_unlock(&w->hub->mu);
        free(w->prefix);
        ocx_selector_free(w->labels);
        ocx_selector_free(w->fields);
        ocx_buf_release(&w->out);
        free(w);
}

static const char *type_name(store_ev_type t) {
        return t == STORE_EV_PUT_CREATE ? "ADDED" : t == STORE_EV_PUT_UPDATE ? "MODIFIED" : "DELETED";
}

/* Appends one event line when it passes the selectors. */
static void render(api_watch *w, store_ev_type type, int64_t rev, const char *value, size_t len) {
        bool need_parse = w->table || type == STORE_EV_DELETE || (w->labels && !ocx_selector_empty(w->labels)) ||
                          (w->fields && !ocx_selector_empty(w->fields));
        if (!need_parse) {
                ocx_buf_printf(&w->out, "{\"type\":\"%s\",\"object\":", type_name(type));
                ocx_buf_append(&w->out, value, len);
                ocx_buf_puts(&w->out, "}\n");
                return;
        }
        _cleanup_json_ cJSON *obj = NULL;
        if (ocx_json_parse(value, len, &obj, NULL) < 0) return;
        if (w->labels && !ocx_label_selector_match(w->labels, ocx_json_path(obj, "metadata.labels"))) return;
        if (w->fields && !ocx_field_selector_match(w->fields, obj)) return;
        if (type == STORE_EV_DELETE) {
                char rv[32];
                snprintf(rv, sizeof(rv), "%lld", (long long)rev);
                ocx_json_set_str(ocx_json_ensure_obj(obj, "metadata"), "resourceVersion", rv);
        }
        ocx_buf_printf(&w->out, "{\"type\":\"%s\",\"object\":", type_name(type));
        if (w->table) {
                cJSON *arr = cJSON_CreateArray();
                cJSON_AddItemReferenceToArray(arr, obj);
                cJSON *t = api_table_build(w->kind, arr, ocx_json_path_str(obj, "metadata.resourceVersion"),
                                           TABLE_OBJ_METADATA, time(NULL));
                if (w->sent_columns) cJSON_ReplaceItemInObjectCaseSensitive(t, "columnDefinitions", cJSON_CreateArray());
                w->sent_columns = true;
                ocx_json_write(&w->out, t, 0);
                cJSON_Delete(t);
                cJSON_Delete(arr);
        } else {
                ocx_json_write(&w->out, obj, 0);
        }
        ocx_buf_puts(&w->out, "}\n");
}

void api_watch_set_table(api_watch *w, bool columns_sent) {
        w->table = true;
        w->sent_columns = columns_sent;
}

static void render_expired(api_watch *w, int64_t oldest) {
        ocx_buf_printf(&w->out,
                       "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"metadata\":{},"
                       "\"status\":\"Failure\",\"message\":\"too old resource version: %lld (%lld)\","
                       "\"reason\":\"Expired\",\"code\":410}}\n",
                       (long long)w->rev, (long long)(oldest - 1));
        w->done = true;
}

static void render_bookmark(api_watch *w) {
        ocx_buf_printf(&w->out,
                       "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":"
                       "{\"resourceVersion\":\"%lld\",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}}}}\n",
                       w->kind->kind, api_kind_api_version(w->kind), (long long)w->rev);
}

/* Collects pending events into w->out. Called without the hub lock. */
static void collect(api_watch *w) {
        watch_hub *h = w->hub;
        typedef struct {
                int64_t rev;
                store_ev_type type;
                char *value;
                size_t len;
        } pending;
        pending *ev = NULL;
        size_t n = 0;
        bool from_store = false;
        size_t plen = strlen(w->prefix);
        if (!w->checked_history) {
                w->checked_history = true;
                int64_t oldest = store_oldest_revision(h->st);
                if (w->rev + 1 < oldest) {
                        render_expired(w, oldest);
                        return;
                }
        }
        pthread_mutex_lock(&h->mu);
        int64_t covered_from = h->count ? h->ring[h->start].rev - 1 : h->base_rev;
        if (w->rev < covered_from) from_store = true;
        else {
                for (size_t i = 0; i < h->count; i++) {
                        hub_event *e = &h->ring[(h->start + i) % h->cap];
                        if (e->rev <= w->rev || strncmp(e->key, w->prefix, plen) != 0) continue;
                        ev = ocx_xrealloc(ev, (n + 1) * sizeof(*ev));
                        ev[n].rev = e->rev;
                        ev[n].type = e->type;
                        ev[n].value = ocx_xstrndup(e->value, e->len);
                        ev[n].len = e->len;
                        n++;
                }
                if (h->count) {
                        /* nothing matched: still advance past what we saw */
                        int64_t newest = h->ring[(h->start + h->count - 1) % h->cap].rev;
                        if (!n && newest > w->rev) w->rev = newest;
                }
        }
        pthread_mutex_unlock(&h->mu);
        if (from_store) {
                store_event *se = NULL;
                size_t sn = 0;
                int r = store_events_since(h->st, w->prefix, w->rev, 1000, &se, &sn);
                if (r == -ERANGE) {
                        render_expired(w, store_oldest_revision(h->st));
                        return;
                }
                if (r < 0) {
                        w->done = true;
                        return;
                }
                for (size_t i = 0; i < sn; i++) {
                        render(w, se[i].type, se[i].rev, se[i].value, se[i].value_len);
                        w->rev = se[i].rev;
                }
                if (sn == 0) {
                        /* caught up with the store: jump to the ring */
                        pthread_mutex_lock(&h->mu);
                        w->rev = h->count ? h->ring[h->start].rev - 1 : h->base_rev;
                        pthread_mutex_unlock(&h->mu);
                }
                store_events_free(se, sn);
                return;
        }
        for (size_t i = 0; i < n; i++) {
                render(w, ev[i].type, ev[i].rev, ev[i].value, ev[i].len);
                w->rev = ev[i].rev;
                free(ev[i].value);
        }
        free(ev);
}

static bool client_gone(int fd) {
        if (fd < 0) return false;
        struct pollfd p = {.fd = fd, .events = POLLRDHUP};
        return poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

ssize_t api_watch_read(api_watch *w, char *buf, size_t max, int fd) {
        watch_hub *h = w->hub;
        for (;;) {
                if (w->out_pos < w->out.len) {
                        size_t n = w->out.len - w->out_pos;
                        if (n > max) n = max;
                        memcpy(buf, w->out.data + w->out_pos, n);
                        w->out_pos += n;
                        if (w->out_pos == w->out.len) {
                                ocx_buf_reset(&w->out);
                                w->out_pos = 0;
                        }
                        return (ssize_t)n;
                }
                if (w->done) return 0;
                collect(w);
                if (w->out.len) continue;
                time_t now = time(NULL);
                if (now >= w->deadline) return 0;
                if (client_gone(fd)) return -1;
                if (w->bookmarks && now >= w->next_bookmark) {
                        render_bookmark(w);
                        w->next_bookmark = now + 30;
                        continue;
                }
                pthread_mutex_lock(&h->mu);
                bool closing = h->closing;
                int64_t newest = h->count ? h->ring[(h->start + h->count - 1) % h->cap].rev : 0;
                if (!closing && newest <= w->rev) {
                        struct timespec ts;
                        clock_gettime(CLOCK_MONOTONIC, &ts);
                        ts.tv_sec += 1;
                        pthread_cond_timedwait(&h->cond, &h->mu, &ts);
                }
                closing = h->closing;
                pthread_mutex_unlock(&h->mu);
                if (closing) return 0;
        }
}
