/* ocx-router — libh2o-evloop 2.2.5 include (evloop, not libuv; its headers
 * are not clean under our warning flags) and the serving-thread interfaces
 * between server.c and upstream.c / proxy.c. */
#pragma once
#define H2O_USE_LIBUV 0
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wstrict-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wunused-parameter"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wvla"
#include <h2o.h>
#include <h2o/http1.h>
#include <h2o/tunnel.h>
#pragma GCC diagnostic pop
#include "rt.h"

/* ---- upstream.c (serving threads) ---- */
/* Per-thread set-up: tid indexes rt_hot and the tables' bindings. */
void rt_proxy_thread_init(h2o_context_t *ctx, const rt_config *cfg, unsigned tid);
/* At the end of a serving thread: drops its active and pending tables. */
void rt_proxy_thread_cleanup(void);
/* Installs a table published for this thread, if any (called per request
 * and on a timer). */
void rt_proxy_tick(void);
/* The active table with a reference taken (NULL before the first sync). */
rt_table *rt_proxy_table_ref(void);
void rt_proxy_table_unref(rt_table *t);

/* ---- proxy.c ---- */
/* Forwards req to one of route's endpoints (sticky cookie first, retrying
 * others on connect failure); takes over the table reference. authority
 * becomes the upstream Host header; path is origin-form; https and port
 * describe the listener (X-Forwarded-Proto/-Port). Sends the 503 page when
 * no endpoint can be reached, 502/504 on upstream errors. */
void rt_proxy_forward(h2o_req_t *req, rt_table *t, rt_route *route, h2o_iovec_t authority, h2o_iovec_t path,
                      bool https, uint16_t port);

/* ---- server.c ---- */
void rt_send_503(h2o_req_t *req);
/* text/plain error response; the client connection is closed after it. */
void rt_send_error(h2o_req_t *req, int status, const char *reason, const char *body);

/* picohttpparser (bundled and exported by libh2o-evloop, header not installed) */
struct phr_header {
        const char *name;
        size_t name_len;
        const char *value;
        size_t value_len;
};
int phr_parse_request(const char *buf, size_t len, const char **method, size_t *method_len, const char **path,
                      size_t *path_len, int *minor_version, struct phr_header *headers, size_t *num_headers,
                      size_t last_len);

/* ---- tls.c ---- */
/* SSL_CTX for the HTTPS listener: default certificate plus SNI selection of
 * edge route certificates from the active table. NULL + log on error. */
SSL_CTX *rt_tls_server_ctx(const rt_config *cfg);
/* Frees the calling serving thread's cache of route certificates. */
void rt_tls_thread_cleanup(void);
