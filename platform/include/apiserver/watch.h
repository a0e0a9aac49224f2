/* ocxd — watch fan-out. The store's notify hook appends every committed
 * change to one in-memory ring (one copy, shared by all watchers) and wakes
 * them; each watcher filters by key prefix and selectors and streams
 * newline-delimited JSON events. Watchers that fall behind the ring read the
 * store's event history; history older than that gets a 410 Expired ERROR. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include "apiserver/kinds.h"
#include "ocx/selector.h"
#include "store/store.h"

typedef struct watch_hub watch_hub;
typedef struct api_watch api_watch;

watch_hub *watch_hub_new(store *st, size_t ring_capacity);
/* Wakes every watcher and makes them end their streams. */
void watch_hub_close(watch_hub *h);
watch_hub *watch_hub_free(watch_hub *h);
/* The store notify callback (userdata = hub). */
void watch_hub_notify(const store_event *ev, void *userdata);
/* Number of live watchers (for metrics and tests). */
size_t watch_hub_watchers(watch_hub *h);

/* Creates a watcher for keys under prefix, starting after revision after_rev.
 * Takes ownership of the selectors (may be NULL) and of initial (pre-rendered
 * ADDED events for the initial state, may be NULL). timeout_s 0 = 30 min. */
api_watch *api_watch_new(watch_hub *h, const api_kind *k, const char *prefix, int64_t after_rev,
                         ocx_selector *labels, ocx_selector *fields, bool bookmarks, long timeout_s,
                         char *initial, size_t initial_len);
/* Fills buf with the next bytes of the stream, blocking until there is
 * something to send. Returns the number of bytes (> 0), 0 at the end of the
 * stream, or -1 when the client went away (checked through fd). */
ssize_t api_watch_read(api_watch *w, char *buf, size_t max, int fd);
void api_watch_free(api_watch *w);
/* Render event objects as meta.k8s.io Tables (Accept: ...;as=Table). */
void api_watch_set_table(api_watch *w, bool columns_sent);
