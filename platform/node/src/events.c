/* ocxd node: Event objects (see node/events.h). */
#include "node/events.h"
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/timefmt.h"
#include "ocx/banned.h"

#define EV_TTL_S 3600
#define EV_CACHE_MAX 4096
#define EV_MSG_MAX 1024

typedef struct ev_entry {
        char *ns, *name;
        time_t last;
        struct ev_entry *next;
} ev_entry;

static struct {
        api_server *s;
        char *node;
        ev_entry *cache; /* newest first */
        size_t n;
        time_t next_expire;
} E;

static const api_kind *ev_kind(void) { return api_kind_by_plural("", "v1", "events"); }

void ev_init(api_server *s, const char *node_name) {
        ev_release();
        E.s = s;
        E.node = ocx_xstrdup(node_name);
        E.next_expire = time(NULL) + 60;
}

static void entry_free(ev_entry *e) {
        free(e->ns);
        free(e->name);
        free(e);
}

void ev_release(void) {
        while (E.cache) {
                ev_entry *e = E.cache;
                E.cache = e->next;
                entry_free(e);
        }
        free(E.node);
        memset(&E, 0, sizeof(E));
}

static uint64_t fnv1a64(const char *s, uint64_t h) {
        for (; *s; s++) h = (h ^ (uint8_t)*s) * 1099511628211ull;
        return h;
}

void ev_name(const char *pod_name, const char *key, char *out, size_t n) {
        uint64_t h = fnv1a64(key, 14695981039346656037ull);
        /* names are at most 253 characters */
        snprintf(out, n, "%.200s.%016llx", pod_name, (unsigned long long)h);
}

static void remember(const char *ns, const char *name, time_t now) {
        ev_entry **pp = &E.cache;
        for (; *pp; pp = &(*pp)->next)
                if (ocx_streq((*pp)->name, name) && ocx_streq((*pp)->ns, ns)) {
                        ev_entry *e = *pp;
                        *pp = e->next;
                        e->last = now;
                        e->next = E.cache;
                        E.cache = e;
                        return;
                }
        ev_entry *e = ocx_xcalloc(1, sizeof(*e));
        e->ns = ocx_xstrdup(ns);
        e->name = ocx_xstrdup(name);
        e->last = now;
        e->next = E.cache;
        E.cache = e;
        if (++E.n > EV_CACHE_MAX) { /* drop the oldest from the cache (the object stays) */
                ev_entry **q = &E.cache;
                while ((*q)->next) q = &(*q)->next;
                entry_free(*q);
                *q = NULL;
                E.n--;
        }
}

void ev_pod(const cJSON *pod, const char *ctr, const char *component, const char *type, const char *reason,
            const char *fmt, ...) {
        if (!E.s) return;
        const char *ns = ocx_json_path_str(pod, "metadata.namespace");
        const char *pname = ocx_json_path_str(pod, "metadata.name");
        const char *uid = ocx_json_path_str(pod, "metadata.uid");
        if (!ns || !pname || !uid) return;
        char msg[EV_MSG_MAX];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        _cleanup_free_ char *key = ocx_xasprintf("%s\n%s\n%s\n%s\n%s", uid, ctr ? ctr : "", reason, msg, component);
        char name[256];
        ev_name(pname, key, name, sizeof(name));
        time_t now = time(NULL);
        char ts[32];
        ocx_time_rfc3339(now, ts, sizeof(ts));
        const api_kind *k = ev_kind();
        if (!k) return;
        /* a repeat: count + 1 */
        cJSON *old = NULL;
        int64_t count = 1;
        char first[32];
        snprintf(first, sizeof(first), "%s", ts);
        if (api_get_object(E.s, k, ns, name, &old) == 0) {
                if (ocx_json_int(ocx_json_get(old, "count"), 1, INT32_MAX - 1, &count) == 0)
                        count++;
                else
                        count = 2;
                const char *ft = ocx_json_get_str(old, "firstTimestamp");
                if (ft) snprintf(first, sizeof(first), "%s", ft);
                cJSON_Delete(old);
        } else {
                count = 0;
        }
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "apiVersion", "v1");
        cJSON_AddStringToObject(o, "kind", "Event");
        cJSON *md = cJSON_AddObjectToObject(o, "metadata");
        cJSON_AddStringToObject(md, "name", name);
        cJSON_AddStringToObject(md, "namespace", ns);
        cJSON *io = cJSON_AddObjectToObject(o, "involvedObject");
        cJSON_AddStringToObject(io, "apiVersion", "v1");
        cJSON_AddStringToObject(io, "kind", "Pod");
        cJSON_AddStringToObject(io, "namespace", ns);
        cJSON_AddStringToObject(io, "name", pname);
        cJSON_AddStringToObject(io, "uid", uid);
        if (ctr) {
                char fp[320];
                snprintf(fp, sizeof(fp), "spec.containers{%s}", ctr);
                cJSON_AddStringToObject(io, "fieldPath", fp);
        }
        cJSON_AddStringToObject(o, "reason", reason);
        cJSON_AddStringToObject(o, "message", msg);
        cJSON *src = cJSON_AddObjectToObject(o, "source");
        cJSON_AddStringToObject(src, "component", component);
        if (E.node && !ocx_streq(component, EV_SCHEDULER)) cJSON_AddStringToObject(src, "host", E.node);
        cJSON_AddStringToObject(o, "firstTimestamp", first);
        cJSON_AddStringToObject(o, "lastTimestamp", ts);
        cJSON_AddNumberToObject(o, "count", (double)(count ? count : 1));
        cJSON_AddStringToObject(o, "type", type);
        cJSON_AddNullToObject(o, "eventTime");
        cJSON_AddStringToObject(o, "reportingComponent", component);
        cJSON_AddStringToObject(o, "reportingInstance", E.node ? E.node : "");
        int r;
        if (count) {
                r = api_update_object(E.s, k, ns, name, o, NULL, false, NULL, NULL, NULL);
        } else {
                r = api_create_object(E.s, k, ns, o, false, NULL, NULL, NULL);
                if (r == -EEXIST) log_debug("event %s/%s: created meanwhile", ns, name);
        }
        if (r < 0 && r != -EEXIST)
                log_warn("event %s/%s (%s): cannot record: %s", ns, name, reason, strerror(-r));
        else
                remember(ns, name, now);
}

void ev_expire(void) {
        time_t now = time(NULL);
        if (!E.s || now < E.next_expire) return;
        E.next_expire = now + 60;
        const api_kind *k = ev_kind();
        for (ev_entry **pp = &E.cache; *pp;) {
                ev_entry *e = *pp;
                if (now - e->last < EV_TTL_S) {
                        pp = &e->next;
                        continue;
                }
                (void)api_delete_object(E.s, k, e->ns, e->name, "Background", 0, NULL, NULL);
                *pp = e->next;
                entry_free(e);
                E.n--;
        }
}
