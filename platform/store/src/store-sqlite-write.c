/* ocxd storage, SQLite backend: the write path (create, update, delete),
 * compaction (explicit and automatic) and notification. Every write is one
 * BEGIN IMMEDIATE transaction on the writer connection under wlock; see
 * store-sqlite.c for the overall design. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <string.h>
#include "ocx/macro.h"
#include "store-sqlite-internal.h"
#include "store-sqlite.h"
#include "ocx/banned.h"

static int set_meta(store_sqlite *s, const char *name, int64_t value) {
        sqlite3_stmt *st = s->w[W_SET_META];
        store_sqlite_bind_str(st, 1, name);
        sqlite3_bind_int64(st, 2, value);
        return store_sqlite_run(st);
}

/* Drops events <= rev and records it; inside the caller's transaction. */
static int compact_locked(store_sqlite *s, int64_t rev) {
        sqlite3_stmt *st = s->w[W_COMPACT];
        sqlite3_bind_int64(st, 1, rev);
        int rc = store_sqlite_run(st);
        if (rc != SQLITE_OK) return rc;
        return set_meta(s, "compacted", rev);
}

typedef enum { OP_CREATE, OP_UPDATE, OP_DELETE } write_op;

static int write_locked(store_sqlite *s, write_op op, const char *key, int64_t expected_rev,
                        store_value_fn fn, void *userdata, store_kv *ret, ocx_error **reterr) {
        _cleanup_free_ char *cur = NULL, *value = NULL;
        _cleanup_error_ ocx_error *err = NULL; /* the value callback's */
        size_t cur_len = 0, value_len = 0;
        int64_t rev = 0, compacted = 0, new_compacted, create_rev = 0, mod_rev = 0;
        sqlite3_stmt *st;
        int r = 0;
        int rc = store_sqlite_run(s->w[W_BEGIN]);
        if (rc != SQLITE_OK) return store_sqlite_fail(s->wdb, rc, reterr, "begin");
        rc = store_sqlite_read_meta(s->w[W_META], &rev, &compacted);
        if (rc != SQLITE_OK) goto sql_error;

        /* current value */
        st = s->w[W_GET];
        store_sqlite_bind_str(st, 1, key);
        rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                cur = store_sqlite_col_dup(st, 0, &cur_len);
                create_rev = sqlite3_column_int64(st, 1);
                mod_rev = sqlite3_column_int64(st, 2);
                rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE)
                rc = SQLITE_OK;
        store_sqlite_done(st);
        if (rc != SQLITE_OK) goto sql_error;

        if (op == OP_CREATE && cur)
                r = ocx_error_set(reterr, EEXIST, NULL, "key '%s' already exists", key);
        else if (op != OP_CREATE && !cur)
                r = ocx_error_set(reterr, ENOENT, NULL, "key '%s' not found", key);
        else if (op != OP_CREATE && expected_rev && mod_rev != expected_rev)
                r = ocx_error_set(reterr, ESTALE, NULL,
                                  "key '%s' was modified: revision %" PRId64 ", expected %" PRId64,
                                  key, mod_rev, expected_rev);
        if (r < 0) {
                store_sqlite_run(s->w[W_ROLLBACK]);
                return r;
        }

        int64_t new_rev = rev + 1;
        if (op == OP_DELETE) {
                value = TAKE_PTR(cur);
                value_len = cur_len;
        } else {
                value = fn(new_rev, cur, userdata, &err);
                if (!value) {
                        store_sqlite_run(s->w[W_ROLLBACK]);
                        if (!err) return ocx_error_set(reterr, EINVAL, NULL, "value for '%s' refused", key);
                        int code = err->code ? err->code : EINVAL;
                        if (reterr && !*reterr) *reterr = TAKE_PTR(err);
                        return -code;
                }
                value_len = strlen(value);
        }

        st = s->w[op == OP_CREATE ? W_INSERT : op == OP_UPDATE ? W_UPDATE : W_DELETE];
        store_sqlite_bind_str(st, 1, key);
        if (op != OP_DELETE) {
                sqlite3_bind_blob64(st, 2, value, value_len, SQLITE_STATIC);
                sqlite3_bind_int64(st, 3, new_rev);
        }
        rc = store_sqlite_run(st);
        if (rc != SQLITE_OK) goto sql_error;

        store_ev_type type = op == OP_CREATE   ? STORE_EV_PUT_CREATE
                             : op == OP_UPDATE ? STORE_EV_PUT_UPDATE
                                               : STORE_EV_DELETE;
        st = s->w[W_EVENT];
        sqlite3_bind_int64(st, 1, new_rev);
        sqlite3_bind_int(st, 2, (int)type);
        store_sqlite_bind_str(st, 3, key);
        sqlite3_bind_blob64(st, 4, value, value_len, SQLITE_STATIC);
        rc = store_sqlite_run(st);
        if (rc != SQLITE_OK) goto sql_error;
        rc = set_meta(s, "rev", new_rev);
        if (rc != SQLITE_OK) goto sql_error;

        /* automatic compaction, in batches of ~1 % of the history */
        new_compacted = compacted;
        int64_t slack = s->history_max / 100 > 0 ? s->history_max / 100 : 1;
        if (new_rev - compacted > s->history_max + slack) {
                new_compacted = new_rev - s->history_max;
                rc = compact_locked(s, new_compacted);
                if (rc != SQLITE_OK) goto sql_error;
        }

        rc = store_sqlite_run(s->w[W_COMMIT]);
        if (rc != SQLITE_OK) goto sql_error;
        atomic_store(&s->compacted, new_compacted);
        atomic_store(&s->rev, new_rev);

        if (s->notify) {
                store_event ev = {.type = type, .rev = new_rev, .key = (char *)key, .value = value,
                                  .value_len = value_len};
                s->notify(&ev, s->notify_userdata);
        }
        if (ret) {
                ret->key = ocx_xstrdup(key);
                ret->value = TAKE_PTR(value);
                ret->value_len = value_len;
                ret->create_rev = op == OP_CREATE ? new_rev : create_rev;
                ret->mod_rev = new_rev;
        }
        return 0;

sql_error:
        r = ocx_error_set(reterr, store_sqlite_errno(rc), NULL, "store: writing '%s': %s", key,
                          sqlite3_errmsg(s->wdb));
        if (sqlite3_get_autocommit(s->wdb) == 0) store_sqlite_run(s->w[W_ROLLBACK]);
        return r;
}

static int sqlite_write(store *base, write_op op, const char *key, int64_t expected_rev,
                        store_value_fn fn, void *userdata, store_kv *ret, ocx_error **reterr) {
        store_sqlite *s = to_sqlite(base);
        pthread_mutex_lock(&s->wlock);
        int r = write_locked(s, op, key, expected_rev, fn, userdata, ret, reterr);
        pthread_mutex_unlock(&s->wlock);
        return r;
}

int store_sqlite_create(store *s, const char *key, store_value_fn fn, void *userdata, store_kv *ret,
                         ocx_error **reterr) {
        return sqlite_write(s, OP_CREATE, key, 0, fn, userdata, ret, reterr);
}

int store_sqlite_update(store *s, const char *key, int64_t expected_rev, store_value_fn fn,
                         void *userdata, store_kv *ret, ocx_error **reterr) {
        return sqlite_write(s, OP_UPDATE, key, expected_rev, fn, userdata, ret, reterr);
}

int store_sqlite_delete(store *s, const char *key, int64_t expected_rev, store_kv *ret) {
        return sqlite_write(s, OP_DELETE, key, expected_rev, NULL, NULL, ret, NULL);
}

/* -EINVAL for a revision in the future; compacting to an already compacted
 * revision is a no-op. */
int store_sqlite_compact(store *base, int64_t rev) {
        store_sqlite *s = to_sqlite(base);
        int64_t cur, compacted;
        int r = 0;
        pthread_mutex_lock(&s->wlock);
        int rc = store_sqlite_run(s->w[W_BEGIN]);
        if (rc != SQLITE_OK) goto out;
        rc = store_sqlite_read_meta(s->w[W_META], &cur, &compacted);
        if (rc == SQLITE_OK && rev > cur) r = -EINVAL;
        if (rc == SQLITE_OK && r == 0 && rev > compacted) rc = compact_locked(s, rev);
        if (rc == SQLITE_OK && r == 0) rc = store_sqlite_run(s->w[W_COMMIT]);
        if (rc != SQLITE_OK || r < 0) {
                if (sqlite3_get_autocommit(s->wdb) == 0) store_sqlite_run(s->w[W_ROLLBACK]);
        } else if (rev > compacted)
                atomic_store(&s->compacted, rev);
out:
        pthread_mutex_unlock(&s->wlock);
        return r < 0 ? r : -store_sqlite_errno(rc);
}

void store_sqlite_set_notify(store *base, store_notify_fn fn, void *userdata) {
        store_sqlite *s = to_sqlite(base);
        pthread_mutex_lock(&s->wlock);
        s->notify = fn;
        s->notify_userdata = userdata;
        pthread_mutex_unlock(&s->wlock);
}

int store_sqlite_set_history_limit(store *base, int64_t max_events) {
        if (!base || base->ops != &store_sqlite_ops || max_events < 1) return -EINVAL;
        store_sqlite *s = to_sqlite(base);
        pthread_mutex_lock(&s->wlock);
        s->history_max = max_events;
        pthread_mutex_unlock(&s->wlock);
        return 0;
}

