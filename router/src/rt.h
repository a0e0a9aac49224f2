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
        char *access_log;
} rt_config;

/* ---- metrics.c ---- */
typedef struct rt_metrics {
        atomic_uint_fast64_t requests, responses_2xx, responses_3xx, responses_4xx, responses_5xx;
        atomic_uint_fast64_t no_route_503, no_endpoint_503, bad_request, header_too_large;
        atomic_uint_fast64_t connect_failures, retries, redirects, proxied;
        atomic_uint_fast64_t table_builds, routes_total, routes_admitted, routes_rejected, endpoints;
        atomic_uint_fast64_t status_writes, status_write_errors;
        atomic_uint_fast64_t table_generation, upstreams_down;
} rt_metrics;
extern rt_metrics rt_stats;
/* Prometheus text exposition into a heap string; caller frees. */
char *rt_metrics_render(size_t *ret_len);

/* ---- server.c ---- */
/* Hands a freshly built table to the serving thread (takes ownership). Any
 * table published before and not yet picked up is freed. Thread-safe. */
void rt_server_publish(rt_table *t);
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
