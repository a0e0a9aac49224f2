/* ocx — HTTP client over libcurl for talking to ocxd (and registries). One
 * handle per thread; connections are kept alive. TLS material is passed as PEM
 * in memory (kubeconfig *-data fields) or as file paths. */
#pragma once
#include <cjson/cJSON.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include "ocx/buf.h"
#include "ocx/error.h"

typedef struct ocx_http_config {
        char *server;          /* "https://127.0.0.1:8443" (no trailing slash) */
        char *ca_pem;          /* PEM bundle or NULL */
        char *ca_file;
        char *cert_pem, *key_pem; /* client certificate */
        char *cert_file, *key_file;
        char *token;           /* bearer token */
        bool insecure;         /* skip TLS verification */
        long timeout_ms;       /* 0 = none (watches) */
} ocx_http_config;

void ocx_http_config_release(ocx_http_config *c);

typedef struct ocx_http ocx_http;

typedef struct ocx_http_response {
        long status;
        char *body; /* NUL terminated, may be empty; capped at 64 MiB */
        size_t body_len;
        char *content_type;
        char *location; /* Location header, if any */
        char *warning;  /* Warning header text, if any */
} ocx_http_response;

int ocx_http_new(const ocx_http_config *cfg, ocx_http **ret, ocx_error **reterr);
/* Makes every later transfer (requests and streams) end within about a
 * second once *flag becomes true; the call then fails (or a stream returns)
 * as if the connection dropped. flag must outlive the handle; NULL unsets. */
void ocx_http_set_abort(ocx_http *h, const atomic_bool *flag);
ocx_http *ocx_http_free(ocx_http *h);

/* method "GET", "POST", ...; path starts with '/' (joined to server) or is an
 * absolute URL; extra_headers NULL-terminated "Name: value" list (may be NULL).
 * Connection failures: -ECONNREFUSED ("The connection to the server
 * 127.0.0.1:8443 was refused - did you specify the right host or port?") or
 * -EIO ("Unable to connect to the server: ..."). Any HTTP status returns 0. */
int ocx_http_request(ocx_http *h, const char *method, const char *path, const char *content_type,
                     const char *body, size_t body_len, const char *const *extra_headers,
                     ocx_http_response *ret, ocx_error **reterr);
void ocx_http_response_release(ocx_http_response *r);

/* Streams a watch: calls on_line for every newline-terminated line of the
 * body until it returns non-zero or the server closes. Returns 0 on clean close. */
typedef int (*ocx_http_line_fn)(const char *line, size_t len, void *userdata);
int ocx_http_stream(ocx_http *h, const char *path, ocx_http_line_fn on_line, void *userdata,
                    long *ret_status, ocx_error **reterr);

/* Turns a non-2xx response carrying a Status into an ocx_error whose message
 * is the Status message and whose code maps the HTTP status to errno
 * (404→ENOENT, 409→EEXIST/ESTALE, 403→EACCES, 401→EPERM, 422→EINVAL, 413→E2BIG). */
int ocx_http_status_error(const ocx_http_response *r, ocx_error **reterr);
