/* ocxd — the transport-independent request pipeline: a decoded request goes
 * in, a response (status, body) comes out. server.c adapts libmicrohttpd to it;
 * unit tests call it directly. */
#pragma once
#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "apiserver/kinds.h"
#include "ocx/error.h"
#include "store/store.h"

#define API_MAX_BODY (3u << 20) /* 3 MiB, as kube-apiserver */

typedef struct api_user {
        const char *name;
        const char *const *groups; /* NULL terminated */
} api_user;

typedef struct api_query {
        const char *label_selector, *field_selector, *resource_version, *cont, *propagation_policy,
                *dry_run, *field_validation, *include_object, *container, *tail_lines, *timeout_seconds;
        const char *limit;
        bool watch, allow_bookmarks, follow, previous;
} api_query;

typedef struct api_request {
        const char *method;
        const char *path; /* decoded, without query */
        api_query q;
        const char *accept, *content_type;
        const char *body;
        size_t body_len;
        bool body_too_large;
        api_user user;
        /* any query argument or request header, for handlers that need more
         * than the fields above (OAuth); NULL when absent */
        const char *(*get_arg)(const struct api_request *req, const char *key);
        const char *(*get_header)(const struct api_request *req, const char *name);
        void *conn; /* transport handle for get_arg/get_header */
        bool tls;   /* request arrived over TLS */
} api_request;

struct api_watch;

typedef struct api_response {
        int status;
        char *body;
        size_t body_len;
        const char *content_type;
        char *warning;
        char *location;         /* Location header (redirects) */
        char *www_authenticate; /* WWW-Authenticate header (401 challenges) */
        struct api_watch *watch; /* set: stream events instead of body */
} api_response;

typedef struct api_config {
        const char *base_dir;
        const char *routing_suffix;
        const char *listen;
        const char *version; /* git version string for /version */
} api_config;

typedef struct watch_hub watch_hub;

typedef struct api_server {
        store *st;
        watch_hub *hub;
        api_config cfg;
        pthread_t gc_thread;
        bool gc_started;
        volatile bool stopping;
} api_server;

int api_server_init(api_server *s, const api_config *cfg, const char *db_path, ocx_error **reterr);
void api_server_release(api_server *s);

void api_handle(api_server *s, const api_request *req, api_response *resp);
void api_response_release(api_response *r);

/* Builds the Status error response for a failed operation. code is -errno;
 * e carries the message (and for EINVAL the causes in e->field form) or NULL
 * for the standard message built from k/name. */
void api_respond_error(api_response *resp, int code, const ocx_error *e, const api_kind *k,
                       const char *name);
void api_respond_status(api_response *resp, int http, const char *reason, const char *message,
                        cJSON *details);
void api_respond_json(api_response *resp, int http, const cJSON *obj);
/* Takes a heap JSON string. */
void api_respond_raw(api_response *resp, int http, char *json, size_t len);

/* Storage key helpers. */
char *api_key(const api_kind *k, const char *ns, const char *name);
char *api_key_prefix(const api_kind *k, const char *ns);

/* Internal object operations used by handlers and controllers (no authz).
 * obj is consumed on success and failure. ret_obj (may be NULL) receives the
 * stored object. Validation problems are returned as -EINVAL with a
 * cJSON causes array in *ret_causes (may be NULL). */
int api_create_object(api_server *s, const api_kind *k, const char *ns, cJSON *obj, bool dry_run,
                      cJSON **ret_obj, cJSON **ret_causes, ocx_error **reterr);
int api_update_object(api_server *s, const api_kind *k, const char *ns, const char *name, cJSON *obj,
                      const char *sub, bool dry_run, cJSON **ret_obj, cJSON **ret_causes,
                      ocx_error **reterr);
int api_get_object(api_server *s, const api_kind *k, const char *ns, const char *name, cJSON **ret);
/* Deletes with a propagation policy ("Background", "Foreground", "Orphan"). */
int api_delete_object(api_server *s, const api_kind *k, const char *ns, const char *name,
                      const char *propagation, int64_t precondition_rev, cJSON **ret_obj,
                      ocx_error **reterr);

/* Creates what a fresh cluster needs when absent (namespaces default,
 * kube-system, kube-public, openshift, openshift-infra; the default SCCs
 * from policies/). Never overwrites existing objects. */
int api_bootstrap(api_server *s, ocx_error **reterr);
