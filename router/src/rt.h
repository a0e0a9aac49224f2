/* ocx-router — internal interfaces between the router's source files. */
#pragma once
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include "ocx/http.h"
#include "router/route-table.h"

typedef struct rt_config {
        /* API source */
        char *api_server, *kubeconfig, *token, *ca_file;
        bool insecure;
        ocx_http_config http; /* resolved from the flags / kubeconfig */
        /* file source (tests) */
        char *routes_file;
        /* listeners */
        char *listen_http, *listen_https, *stats;
        char *default_cert, *default_key;
        /* behaviour */
        char *router_name;
        bool update_status;
        rt_table_options table;
        long connect_timeout_ms; /* 5000 */
        long down_ms;            /* passive ejection after a connect failure */
        unsigned max_attempts;   /* endpoints tried per request */
        long max_header_bytes;   /* 431 above this */
        long header_timeout_ms;  /* whole request head (and body) must arrive within this: slowloris */
        unsigned threads;        /* serving threads (event loops, SO_REUSEPORT listeners) */
        char *access_log;
} rt_config;

/* ---- metrics.c ---- */
typedef struct rt_metrics {
        atomic_uint_fast64_t no_route_503, no_endpoint_503, bad_request, header_too_large;
        atomic_uint_fast64_t connect_failures, retries, redirects, upstream_errors, tunnels;
        atomic_uint_fast64_t table_builds, routes_total, routes_admitted, routes_rejected, endpoints;
        atomic_uint_fast64_t status_writes, status_write_errors;
        atomic_uint_fast64_t table_generation;
} rt_metrics;
extern rt_metrics rt_stats;
/* Per-request counters, one cache line per serving thread (no sharing on
 * the hot path); /metrics sums them. */
typedef struct rt_hot_stats {
        _Alignas(64) atomic_uint_fast64_t requests;
        atomic_uint_fast64_t responses_2xx, responses_3xx, responses_4xx, responses_5xx, proxied, reused;
        atomic_uint_fast64_t upstreams_down, sticky_hits;
} rt_hot_stats;
extern rt_hot_stats rt_hot[RT_MAX_THREADS];
extern _Thread_local unsigned rt_tid; /* index of the serving thread */
#define RT_HOT_INC(field) atomic_fetch_add_explicit(&rt_hot[rt_tid].field, 1, memory_order_relaxed)
/* Prometheus text exposition into a heap string; caller frees. */
char *rt_metrics_render(size_t *ret_len);

/* ---- upstream.c ---- */
/* Hands a freshly built table to the serving threads (takes ownership). A
 * table published before and not yet picked up by a thread is released for
 * that thread. Thread-safe; rt_proxy_setup() must have run. */
void rt_server_publish(rt_table *t);
/* Number of serving threads tables are published to (before the source starts). */
void rt_proxy_setup(unsigned threads);
/* After the serving threads ended and the source stopped: frees tables
 * published but never picked up. */
void rt_proxy_drain_pending(void);

/* ---- server.c ---- */
int rt_server_run(const rt_config *cfg);
void rt_server_request_stop(void);

/* ---- source.c ---- */
/* Starts the thread that feeds tables to the server (API informers or the
 * routes file). */
int rt_source_start(const rt_config *cfg);
void rt_source_stop(void);

/* ---- status-writer.c ---- */
typedef struct rt_status_writer rt_status_writer;
rt_status_writer *rt_status_writer_new(const rt_config *cfg);
rt_status_writer *rt_status_writer_free(rt_status_writer *w);
/* For each route in routes (informer snapshot) whose status.ingress entry for
 * this router differs from the table's admission result, PUT .../status.
 * Returns the number of failed writes (the caller retries later). */
int rt_status_sync(rt_status_writer *w, const rt_table *t, const cJSON *routes);
/* Builds the status.ingress entry this router would write (for tests). */
cJSON *rt_status_ingress_entry(const rt_config *cfg, const rt_route *r, const cJSON *old_entry);
