/* ocxd storage: one interface, pluggable backends (SQLite embedded default;
 * etcd v3 later). Keys are opaque byte strings chosen by the API layer
 * ("/routes/route.openshift.io/ns/name"); values are the serialized objects.
 *
 * Revisions: one global, strictly increasing 64-bit counter. Every write gets
 * the next revision. Values are produced by a caller callback that receives the
 * revision the write will get, so the serialized object can carry its own
 * resourceVersion without a second encode.
 *
 * Durability: a write is acknowledged (function returns 0) only after it is
 * durable (SQLite WAL + synchronous=FULL). Watch history is kept in an events
 * table until compacted.
 *
 * Thread safety: every function may be called from any thread. */
#pragma once
#include <stddef.h>
#include <stdint.h>
#include "ocx/error.h"

typedef struct store store;

typedef struct store_kv {
        char *key;
        char *value; /* NUL terminated */
        size_t value_len;
        int64_t create_rev;
        int64_t mod_rev;
} store_kv;

typedef enum { STORE_EV_PUT_CREATE = 1, STORE_EV_PUT_UPDATE = 2, STORE_EV_DELETE = 3 } store_ev_type;

typedef struct store_event {
        store_ev_type type;
        int64_t rev;     /* revision of this change */
        char *key;
        char *value;     /* new value; for DELETE the last value before deletion */
        size_t value_len;
} store_event;

/* Produces the value to store for a write at revision rev. prev is the current
 * value for updates (NULL for creates). Returns a heap string (store frees it),
 * or NULL with *reterr set to abort the write. */
typedef char *(*store_value_fn)(int64_t rev, const char *prev, void *userdata, ocx_error **reterr);

/* Called after every committed write, in revision order, with the store's write
 * lock held: keep it short (copy, enqueue, signal). */
typedef void (*store_notify_fn)(const store_event *ev, void *userdata);

typedef struct store_ops store_ops;

/* Opens (creating when absent) the SQLite store at path. */
int store_open_sqlite(const char *path, store **ret, ocx_error **reterr);
store *store_close(store *s);

void store_set_notify(store *s, store_notify_fn fn, void *userdata);

/* Current (latest committed) revision; 0 for an empty store. */
int64_t store_revision(store *s);
/* Oldest revision still available for watch replay (compacted revision + 1). */
int64_t store_oldest_revision(store *s);

/* -ENOENT when absent. ret is filled with heap copies (store_kv_release). */
int store_get(store *s, const char *key, store_kv *ret);
/* Every key with the given prefix, sorted by key. ret_rev = store revision the
 * list is consistent with. limit 0 = no limit; continue_after = key to start
 * after (NULL from the beginning). */
int store_list(store *s, const char *prefix, const char *continue_after, size_t limit,
               store_kv **ret_items, size_t *ret_n, int64_t *ret_rev);

/* -EEXIST when the key exists. */
int store_create(store *s, const char *key, store_value_fn fn, void *userdata, store_kv *ret,
                 ocx_error **reterr);
/* expected_rev 0 = unconditional; otherwise -ESTALE when the key's mod_rev
 * differs. -ENOENT when absent. fn receives the current value. */
int store_update(store *s, const char *key, int64_t expected_rev, store_value_fn fn, void *userdata,
                 store_kv *ret, ocx_error **reterr);
/* -ENOENT when absent, -ESTALE on revision mismatch. ret (may be NULL) gets
 * the deleted value; ret->mod_rev is the revision of the deletion. */
int store_delete(store *s, const char *key, int64_t expected_rev, store_kv *ret);

/* Events with rev > after_rev whose key has the prefix, oldest first, at most
 * limit (0 = all). -ERANGE when after_rev + 1 < store_oldest_revision (history
 * compacted: the caller answers 410 Expired). */
int store_events_since(store *s, const char *prefix, int64_t after_rev, size_t limit,
                       store_event **ret, size_t *ret_n);
/* Drops event history up to and including rev. */
int store_compact(store *s, int64_t rev);

void store_kv_release(store_kv *kv);
void store_kvs_free(store_kv *kvs, size_t n);
void store_events_free(store_event *evs, size_t n);
