/* ocx-router — counters and their Prometheus text exposition. */
#include <stdio.h>
#include "rt.h"
#include "ocx/buf.h"
#include "ocx/banned.h"

rt_metrics rt_stats;

static void counter(ocx_buf *b, const char *name, const char *type, const char *help, atomic_uint_fast64_t *v) {
        ocx_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name,
                       (unsigned long long)atomic_load(v));
}

#define HOT_SUM(field)                                                                                             \
        ({                                                                                                         \
                unsigned long long s_ = 0;                                                                         \
                for (size_t i_ = 0; i_ < RT_MAX_THREADS; i_++)                                                     \
                        s_ += atomic_load_explicit(&rt_hot[i_].field, memory_order_relaxed);                       \
                s_;                                                                                                \
        })

static void hot_counter(ocx_buf *b, const char *name, const char *type, const char *help, unsigned long long v) {
        ocx_buf_printf(b, "# HELP %s %s\n# TYPE %s %s\n%s %llu\n", name, help, name, type, name, v);
}

char *rt_metrics_render(size_t *ret_len) {
        ocx_buf b = OCX_BUF_INIT;
        rt_metrics *m = &rt_stats;
        hot_counter(&b, "ocx_router_requests_total", "counter", "Requests received on the public listeners.",
                    HOT_SUM(requests));
        ocx_buf_puts(&b, "# HELP ocx_router_responses_total Responses sent, by status class.\n"
                         "# TYPE ocx_router_responses_total counter\n");
        ocx_buf_printf(&b, "ocx_router_responses_total{code=\"2xx\"} %llu\n", HOT_SUM(responses_2xx));
        ocx_buf_printf(&b, "ocx_router_responses_total{code=\"3xx\"} %llu\n", HOT_SUM(responses_3xx));
        ocx_buf_printf(&b, "ocx_router_responses_total{code=\"4xx\"} %llu\n", HOT_SUM(responses_4xx));
        ocx_buf_printf(&b, "ocx_router_responses_total{code=\"5xx\"} %llu\n", HOT_SUM(responses_5xx));
        ocx_buf_puts(&b, "# HELP ocx_router_unavailable_total 503 pages sent, by cause.\n"
                         "# TYPE ocx_router_unavailable_total counter\n");
        ocx_buf_printf(&b, "ocx_router_unavailable_total{cause=\"no_route\"} %llu\n",
                       (unsigned long long)atomic_load(&m->no_route_503));
        ocx_buf_printf(&b, "ocx_router_unavailable_total{cause=\"no_endpoint\"} %llu\n",
                       (unsigned long long)atomic_load(&m->no_endpoint_503));
        counter(&b, "ocx_router_bad_requests_total", "counter", "Requests rejected with 400 by the router.", &m->bad_request);
        counter(&b, "ocx_router_header_too_large_total", "counter", "Requests rejected with 431.", &m->header_too_large);
        hot_counter(&b, "ocx_router_proxied_total", "counter", "Requests handed to an endpoint.", HOT_SUM(proxied));
        hot_counter(&b, "ocx_router_upstream_reused_total", "counter",
                    "Requests sent on a pooled keep-alive connection.", HOT_SUM(reused));
        hot_counter(&b, "ocx_router_sticky_hits_total", "counter", "Requests sent where the sticky cookie pointed.",
                    HOT_SUM(sticky_hits));
        counter(&b, "ocx_router_upstream_errors_total", "counter",
                "Requests that failed after reaching an endpoint (502, 504, cut responses).", &m->upstream_errors);
        counter(&b, "ocx_router_tunnels_total", "counter", "WebSocket tunnels established.", &m->tunnels);
        counter(&b, "ocx_router_connect_failures_total", "counter", "Failed connection attempts to endpoints.",
                &m->connect_failures);
        counter(&b, "ocx_router_retries_total", "counter", "Requests retried on another endpoint.", &m->retries);
        counter(&b, "ocx_router_redirects_total", "counter", "Redirects to https (insecureEdgeTerminationPolicy).",
                &m->redirects);
        counter(&b, "ocx_router_table_builds_total", "counter", "Route tables built.", &m->table_builds);
        counter(&b, "ocx_router_table_generation", "gauge", "Generation of the table in service.", &m->table_generation);
        counter(&b, "ocx_router_routes", "gauge", "Routes known.", &m->routes_total);
        counter(&b, "ocx_router_routes_admitted", "gauge", "Routes admitted.", &m->routes_admitted);
        counter(&b, "ocx_router_routes_rejected", "gauge", "Routes rejected.", &m->routes_rejected);
        counter(&b, "ocx_router_endpoints", "gauge", "Route endpoints in the table.", &m->endpoints);
        hot_counter(&b, "ocx_router_upstreams_down", "gauge", "Endpoints marked down after connect failures.",
                    HOT_SUM(upstreams_down));
        counter(&b, "ocx_router_status_writes_total", "counter", "status.ingress updates written.", &m->status_writes);
        counter(&b, "ocx_router_status_write_errors_total", "counter", "status.ingress updates that failed.",
                &m->status_write_errors);
        return ocx_buf_detach(&b, ret_len);
}
