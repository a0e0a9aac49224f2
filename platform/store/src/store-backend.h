/* ocxd storage: what a backend provides. Internal to platform/store: the
 * public functions in store/store.h validate their arguments and dispatch
 * through these operations (store.c). */
#pragma once
#include "store/store.h"

struct store_ops {
        const char *name;
        void (*close)(store *s);
        void (*set_notify)(store *s, store_notify_fn fn, void *userdata);
        int64_t (*revision)(store *s);
        int64_t (*oldest_revision)(store *s);
        int (*get)(store *s, const char *key, store_kv *ret);
        int (*list)(store *s, const char *prefix, const char *continue_after, size_t limit,
                    store_kv **ret_items, size_t *ret_n, int64_t *ret_rev);
        int (*create)(store *s, const char *key, store_value_fn fn, void *userdata, store_kv *ret,
                      ocx_error **reterr);
        int (*update)(store *s, const char *key, int64_t expected_rev, store_value_fn fn,
                      void *userdata, store_kv *ret, ocx_error **reterr);
        int (*delete)(store *s, const char *key, int64_t expected_rev, store_kv *ret);
        int (*events_since)(store *s, const char *prefix, int64_t after_rev, size_t limit,
                            store_event **ret, size_t *ret_n);
        int (*compact)(store *s, int64_t rev);
};

/* Every backend's handle starts with this. */
struct store {
        const store_ops *ops;
};
