/* ocx — list + watch "informer": keeps a local cache of one collection
 * (e.g. "/apis/route.openshift.io/v1/routes") in step with the API server.
 *
 * It runs in its own thread: GET the collection, replace the cache (reporting
 * the differences as ADDED/MODIFIED/DELETED), then watch from the list's
 * resourceVersion (`?watch=1&resourceVersion=N&allowWatchBookmarks=true
 * &timeoutSeconds=T`) and apply each event. A watch that ends cleanly is
 * resumed from the last resourceVersion seen; an ERROR event with code 410
 * (Expired/Gone), a non-2xx answer or a dropped connection leads to a re-list
 * after a back-off (doubling from backoff_min_ms to backoff_max_ms, reset by
 * a successful list).
 *
 * Objects are keyed by "namespace/name" ("name" for cluster-scoped ones).
 * Callbacks run on the informer thread, without the cache lock held. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stdint.h>
#include "ocx/error.h"
#include "ocx/http.h"

typedef struct ocx_informer ocx_informer;

typedef enum {
        OCX_INFORMER_ADDED,
        OCX_INFORMER_MODIFIED,
        OCX_INFORMER_DELETED,
        OCX_INFORMER_SYNCED, /* a list was applied (obj is NULL); sent after every (re-)list */
} ocx_informer_event;

/* obj is owned by the informer and valid only during the call. For DELETED it
 * is the last known state. */
typedef void (*ocx_informer_fn)(ocx_informer *inf, ocx_informer_event ev, const cJSON *obj, void *userdata);

/* Transport, replaceable for tests. list: GET path, return the body (heap,
 * NUL terminated) and the HTTP status. watch: stream path, call on_line for
 * each line until it returns non-zero or the stream ends; 0 on clean end. */
typedef struct ocx_informer_transport {
        int (*list)(void *tdata, const char *path, long *ret_status, char **ret_body, ocx_error **reterr);
        int (*watch)(void *tdata, const char *path, ocx_http_line_fn on_line, void *line_data, long *ret_status,
                     ocx_error **reterr);
        void *tdata;
} ocx_informer_transport;

typedef struct ocx_informer_options {
        const char *path;               /* collection path, no query ("/api/v1/endpoints") */
        const char *label_selector;     /* optional, passed as labelSelector= */
        ocx_informer_fn on_event;       /* may be NULL */
        void *userdata;
        long backoff_min_ms, backoff_max_ms; /* 0 = 500 ms / 30 s */
        long watch_timeout_s;           /* timeoutSeconds for each watch; 0 = 300 */
        const ocx_informer_transport *transport; /* NULL = ocx_http with http_config */
        const ocx_http_config *http_config;     /* copied; used when transport is NULL */
} ocx_informer_options;

/* Creates a stopped informer. Errors: -EINVAL (no path, no transport/config). */
int ocx_informer_new(const ocx_informer_options *opt, ocx_informer **ret, ocx_error **reterr);
/* Starts the thread. -errno when the thread cannot be created. */
int ocx_informer_start(ocx_informer *inf);
/* Asks the thread to stop and joins it; a running list or watch is abandoned
 * within about a second (the HTTP transfer is aborted). */
void ocx_informer_stop(ocx_informer *inf);
/* Stops (if running) and frees. NULL-safe; returns NULL. */
ocx_informer *ocx_informer_free(ocx_informer *inf);

/* True once the first list has been applied. */
bool ocx_informer_has_synced(ocx_informer *inf);
/* Waits up to timeout_ms for the first sync; true when synced. */
bool ocx_informer_wait_synced(ocx_informer *inf, long timeout_ms);
/* Deep copy of every cached object as a JSON array, sorted by key. Caller
 * frees with cJSON_Delete. Never NULL. */
cJSON *ocx_informer_snapshot(ocx_informer *inf);
/* Deep copy of one object or NULL. ns may be NULL for cluster-scoped. */
cJSON *ocx_informer_get(ocx_informer *inf, const char *ns, const char *name);
/* resourceVersion of the last applied list or event ("" before the first). */
void ocx_informer_resource_version(ocx_informer *inf, char *out, size_t n);
/* Number of successful (re-)lists so far. */
uint64_t ocx_informer_list_count(ocx_informer *inf);

/* Applies one watch event line (`{"type":...,"object":{...}}`) to the cache
 * as the thread does. Returns 0, 1 when the line was an ERROR requiring a
 * re-list (410 Expired), or -EINVAL for garbage. Exposed for tests. */
int ocx_informer_apply_line(ocx_informer *inf, const char *line, size_t len);
