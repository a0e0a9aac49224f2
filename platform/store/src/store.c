/* ocxd storage: argument checks and dispatch to the backend (store-backend.h),
 * plus the result helpers shared by every backend. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ocx/macro.h"
#include "store-backend.h"
#include "ocx/banned.h"

store *store_close(store *s) {
        if (s) s->ops->close(s);
        return NULL;
}

void store_set_notify(store *s, store_notify_fn fn, void *userdata) {
        if (s) s->ops->set_notify(s, fn, userdata);
}

int64_t store_revision(store *s) {
        return s ? s->ops->revision(s) : 0;
}

int64_t store_oldest_revision(store *s) {
        return s ? s->ops->oldest_revision(s) : 1;
}

int store_get(store *s, const char *key, store_kv *ret) {
        if (!s || !key || !*key || !ret) return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        return s->ops->get(s, key, ret);
}

int store_list(store *s, const char *prefix, const char *continue_after, size_t limit,
               store_kv **ret_items, size_t *ret_n, int64_t *ret_rev) {
        if (!s || !ret_items || !ret_n) return -EINVAL;
        *ret_items = NULL;
        *ret_n = 0;
        int64_t rev = 0;
        int r = s->ops->list(s, prefix ? prefix : "", continue_after, limit, ret_items, ret_n, &rev);
        if (ret_rev) *ret_rev = rev;
        return r;
}

int store_create(store *s, const char *key, store_value_fn fn, void *userdata, store_kv *ret,
                 ocx_error **reterr) {
        if (ret) memset(ret, 0, sizeof(*ret));
        if (!s || !key || !*key || !fn)
                return ocx_error_set(reterr, EINVAL, NULL, "store: invalid create arguments");
        return s->ops->create(s, key, fn, userdata, ret, reterr);
}

int store_update(store *s, const char *key, int64_t expected_rev, store_value_fn fn, void *userdata,
                 store_kv *ret, ocx_error **reterr) {
        if (ret) memset(ret, 0, sizeof(*ret));
        if (!s || !key || !*key || !fn || expected_rev < 0)
                return ocx_error_set(reterr, EINVAL, NULL, "store: invalid update arguments");
        return s->ops->update(s, key, expected_rev, fn, userdata, ret, reterr);
}

int store_delete(store *s, const char *key, int64_t expected_rev, store_kv *ret) {
        if (ret) memset(ret, 0, sizeof(*ret));
        if (!s || !key || !*key || expected_rev < 0) return -EINVAL;
        return s->ops->delete(s, key, expected_rev, ret);
}

int store_events_since(store *s, const char *prefix, int64_t after_rev, size_t limit,
                       store_event **ret, size_t *ret_n) {
        if (!s || !ret || !ret_n || after_rev < 0) return -EINVAL;
        *ret = NULL;
        *ret_n = 0;
        return s->ops->events_since(s, prefix ? prefix : "", after_rev, limit, ret, ret_n);
}

int store_compact(store *s, int64_t rev) {
        if (!s || rev < 0) return -EINVAL;
        return s->ops->compact(s, rev);
}

void store_kv_release(store_kv *kv) {
        if (!kv) return;
        free(kv->key);
        free(kv->value);
        memset(kv, 0, sizeof(*kv));
}

void store_kvs_free(store_kv *kvs, size_t n) {
        if (!kvs) return;
        for (size_t i = 0; i < n; i++) store_kv_release(&kvs[i]);
        free(kvs);
}

void store_events_free(store_event *evs, size_t n) {
        if (!evs) return;
        for (size_t i = 0; i < n; i++) {
                free(evs[i].key);
                free(evs[i].value);
        }
        free(evs);
}
