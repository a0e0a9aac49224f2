/* ocx-router — writes this router's status.ingress entry (Admitted
 * True/False with a reason) back to each route through the API. Only entries
 * that differ from what the route already carries are written, so the
 * router's own writes (which come back as MODIFIED events) settle at once. */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "rt.h"
#include "ocx/json.h"
#include "ocx/log.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

struct rt_status_writer {
        const rt_config *cfg;
        ocx_http *http;
};

rt_status_writer *rt_status_writer_new(const rt_config *cfg) {
        rt_status_writer *w = ocx_xcalloc(1, sizeof(*w));
        w->cfg = cfg;
        return w;
}

rt_status_writer *rt_status_writer_free(rt_status_writer *w) {
        if (!w) return NULL;
        ocx_http_free(w->http);
        free(w);
        return NULL;
}

static const cJSON *find_entry(const cJSON *route, const char *router_name) {
        const cJSON *e;
        cJSON_ArrayForEach(e, ocx_json_path(route, "status.ingress"))
                if (ocx_streq(ocx_json_get_str(e, "routerName"), router_name)) return e;
        return NULL;
}

static const cJSON *admitted_cond(const cJSON *entry) {
        const cJSON *c;
        cJSON_ArrayForEach(c, ocx_json_get(entry, "conditions"))
                if (ocx_streq(ocx_json_get_str(c, "type"), "Admitted")) return c;
        return NULL;
}

cJSON *rt_status_ingress_entry(const rt_config *cfg, const rt_route *r, const cJSON *old_entry) {
        cJSON *e = cJSON_CreateObject(), *conds = cJSON_CreateArray(), *c = cJSON_CreateObject();
        const cJSON *oldc = admitted_cond(old_entry);
        const char *status = r->admitted ? "True" : "False";
        char ts[32];
        time_t now = time(NULL);
        struct tm tm;
        gmtime_r(&now, &tm);
        strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm);
        ocx_json_set_str(e, "host", r->host);
        ocx_json_set_str(e, "routerName", cfg->router_name);
        ocx_json_set_str(e, "wildcardPolicy", r->wildcard ? "Subdomain" : "None");
        ocx_json_set_str(c, "type", "Admitted");
        ocx_json_set_str(c, "status", status);
        if (!r->admitted) {
                ocx_json_set_str(c, "reason", r->reason);
                if (r->message) ocx_json_set_str(c, "message", r->message);
        }
        /* lastTransitionTime moves only when the status does */
        const char *old_ts = ocx_json_get_str(oldc, "lastTransitionTime");
        ocx_json_set_str(c, "lastTransitionTime",
                         old_ts && ocx_streq(ocx_json_get_str(oldc, "status"), status) ? old_ts : ts);
        cJSON_AddItemToArray(conds, c);
        ocx_json_set(e, "conditions", conds);
        return e;
}

static bool same_entry(const cJSON *a, const cJSON *b) {
        if (!a || !b) return false;
        const cJSON *ca = admitted_cond(a), *cb = admitted_cond(b);
        static const char *keys[] = {"host", "wildcardPolicy"};
        static const char *ckeys[] = {"status", "reason", "message"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(keys); i++)
                if (!ocx_streq(ocx_json_get_str(a, keys[i]) ?: "", ocx_json_get_str(b, keys[i]) ?: "")) return false;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(ckeys); i++)
                if (!ocx_streq(ocx_json_get_str(ca, ckeys[i]) ?: "", ocx_json_get_str(cb, ckeys[i]) ?: "")) return false;
        return ca && cb;
}

static int put_status(rt_status_writer *w, const cJSON *route, cJSON *entry) {
        _cleanup_error_ ocx_error *err = NULL;
        const char *ns = ocx_json_path_str(route, "metadata.namespace"), *name = ocx_json_path_str(route, "metadata.name");
        if (!w->http && ocx_http_new(&w->cfg->http, &w->http, &err) < 0) {
                log_warn("status: %s", err->message);
                cJSON_Delete(entry);
                return -EIO;
        }
        _cleanup_json_ cJSON *obj = cJSON_Duplicate(route, 1);
        cJSON *status = ocx_json_ensure_obj(obj, "status"), *ing = ocx_json_get(status, "ingress"), *e;
        if (!cJSON_IsArray(ing)) {
                ing = cJSON_CreateArray();
                ocx_json_set(status, "ingress", ing);
        }
        int i = 0, at = -1;
        cJSON_ArrayForEach(e, ing) {
                if (ocx_streq(ocx_json_get_str(e, "routerName"), w->cfg->router_name)) at = i;
                i++;
        }
        if (at >= 0) cJSON_ReplaceItemInArray(ing, at, entry);
        else cJSON_AddItemToArray(ing, entry);
        _cleanup_free_ char *body = ocx_json_print(obj);
        _cleanup_free_ char *path = ocx_xasprintf("/apis/route.openshift.io/v1/namespaces/%s/routes/%s/status", ns, name);
        ocx_http_response resp = {0};
        int r = ocx_http_request(w->http, "PUT", path, "application/json", body, strlen(body), NULL, &resp, &err);
        if (r == 0 && (resp.status < 200 || resp.status > 299)) {
                r = ocx_http_status_error(&resp, &err);
                if (r >= 0) r = -EIO;
        }
        ocx_http_response_release(&resp);
        if (r < 0) {
                log_warn("status of route %s/%s: %s", ns, name, err ? err->message : strerror(-r));
                return r;
        }
        return 0;
}

int rt_status_sync(rt_status_writer *w, const rt_table *t, const cJSON *routes) {
        const cJSON *route;
        int failed = 0;
        cJSON_ArrayForEach(route, routes) {
                const char *ns = ocx_json_path_str(route, "metadata.namespace"),
                           *name = ocx_json_path_str(route, "metadata.name");
                const rt_route *r = ns && name ? rt_table_find(t, ns, name) : NULL;
                if (!r) continue;
                const cJSON *old = find_entry(route, w->cfg->router_name);
                cJSON *entry = rt_status_ingress_entry(w->cfg, r, old);
                if (same_entry(old, entry)) {
                        cJSON_Delete(entry);
                        continue;
                }
                if (put_status(w, route, entry) < 0) {
                        failed++;
                        atomic_fetch_add(&rt_stats.status_write_errors, 1);
                } else {
                        atomic_fetch_add(&rt_stats.status_writes, 1);
                }
        }
        return failed;
}
