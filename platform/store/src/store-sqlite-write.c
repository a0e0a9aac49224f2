/* ocxd storage, SQLite backend: the write path (create, update, delete),
 * compaction (explicit and automatic) and notification. Writes are committed
 * in batches (store-sqlite-batch.c decides who commits what): each batch is
 * one BEGIN IMMEDIATE transaction on the writer connection under wlock, each
 * request in it a savepoint; see store-sqlite.c for the overall design. */
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
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

static void drop_value(write_req *q) {
        free(q->value);
        q->value = NULL;
}

static store_ev_type ev_type(write_op op) {
        return op == OP_CREATE ? STORE_EV_PUT_CREATE : op == OP_UPDATE ? STORE_EV_PUT_UPDATE : STORE_EV_DELETE;
}

/* Fails q with the writer connection's current error. Inside a savepoint the
 * request's writes are rolled back. Returns SQLITE_OK when the transaction
 * is still usable by the next request, otherwise rc (the batch is lost). */
static int fail_request(store_sqlite *s, write_req *q, int rc, bool in_savepoint) {
        q->result = ocx_error_set(q->reterr, store_sqlite_errno(rc), NULL, "store: writing '%s': %s", q->key,
                                  sqlite3_errmsg(s->wdb));
        drop_value(q);
        if (sqlite3_get_autocommit(s->wdb)) return rc; /* SQLite rolled the transaction back */
        if (!in_savepoint) return SQLITE_OK;
        int rc2 = store_sqlite_run(s->w[W_ROLLBACK_TO]);
        if (rc2 == SQLITE_OK) rc2 = store_sqlite_run(s->w[W_RELEASE]);
        return rc2 == SQLITE_OK ? SQLITE_OK : rc;
}

/* Applies q at revision rev inside the open transaction: checks its
 * precondition, calls its value callback, writes kv and the event row in a
 * savepoint. On return q->result is 0 (applied: q->rev, q->create_rev,
 * q->value set) or -errno (refused, nothing written). Returns SQLITE_OK
 * while the transaction stays usable, else the SQLite error code. */
static int apply_request(store_sqlite *s, write_req *q, int64_t rev) {
        _cleanup_free_ char *cur = NULL;
        _cleanup_error_ ocx_error *err = NULL; /* the value callback's */
        size_t cur_len = 0;
        int64_t create_rev = 0, mod_rev = 0;

        /* current value (including earlier requests of this batch) */
        sqlite3_stmt *st = s->w[W_GET];
        store_sqlite_bind_str(st, 1, q->key);
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                cur = store_sqlite_col_dup(st, 0, &cur_len);
                create_rev = sqlite3_column_int64(st, 1);
                mod_rev = sqlite3_column_int64(st, 2);
                rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE)
                rc = SQLITE_OK;
        store_sqlite_done(st);
        if (rc != SQLITE_OK) return fail_request(s, q, rc, false);

        if (q->op == OP_CREATE && cur)
                q->result = ocx_error_set(q->reterr, EEXIST, NULL, "key '%s' already exists", q->key);
        else if (q->op != OP_CREATE && !cur)
                q->result = ocx_error_set(q->reterr, ENOENT, NULL, "key '%s' not found", q->key);
        else if (q->op != OP_CREATE && q->expected_rev && mod_rev != q->expected_rev)
                q->result = ocx_error_set(q->reterr, ESTALE, NULL,
                                          "key '%s' was modified: revision %" PRId64 ", expected %" PRId64, q->key,
                                          mod_rev, q->expected_rev);
        if (q->result < 0) return SQLITE_OK;

        if (q->op == OP_DELETE) {
                q->value = TAKE_PTR(cur);
                q->value_len = cur_len;
        } else {
                q->value = q->fn(rev, cur, q->userdata, &err);
                if (!q->value) {
                        if (!err) {
                                q->result = ocx_error_set(q->reterr, EINVAL, NULL, "value for '%s' refused", q->key);
                                return SQLITE_OK;
                        }
                        q->result = -(err->code ? err->code : EINVAL);
                        if (q->reterr && !*q->reterr) *q->reterr = TAKE_PTR(err);
                        return SQLITE_OK;
                }
                q->value_len = strlen(q->value);
        }

        rc = store_sqlite_run(s->w[W_SAVEPOINT]);
        if (rc != SQLITE_OK) return fail_request(s, q, rc, false);
        st = s->w[q->op == OP_CREATE ? W_INSERT : q->op == OP_UPDATE ? W_UPDATE : W_DELETE];
        store_sqlite_bind_str(st, 1, q->key);
        if (q->op != OP_DELETE) {
                sqlite3_bind_blob64(st, 2, q->value, q->value_len, SQLITE_STATIC);
                sqlite3_bind_int64(st, 3, rev);
        }
        rc = store_sqlite_run(st);
        if (rc == SQLITE_OK) {
                st = s->w[W_EVENT];
                sqlite3_bind_int64(st, 1, rev);
                sqlite3_bind_int(st, 2, (int)ev_type(q->op));
                store_sqlite_bind_str(st, 3, q->key);
                sqlite3_bind_blob64(st, 4, q->value, q->value_len, SQLITE_STATIC);
                rc = store_sqlite_run(st);
        }
        if (rc == SQLITE_OK) rc = store_sqlite_run(s->w[W_RELEASE]);
        if (rc != SQLITE_OK) return fail_request(s, q, rc, true);

        q->rev = rev;
        q->create_rev = q->op == OP_CREATE ? rev : create_rev;
        return SQLITE_OK;
}

void store_sqlite_commit_batch(store_sqlite *s, write_req *batch) {
        int64_t rev = 0, compacted = 0, new_compacted;
        size_t applied = 0;
        int rc = store_sqlite_run(s->w[W_BEGIN]);
        if (rc == SQLITE_OK) rc = store_sqlite_read_meta(s->w[W_META], &rev, &compacted);

        int64_t new_rev = rev;
        for (write_req *q = batch; q && rc == SQLITE_OK; q = q->next) {
                rc = apply_request(s, q, new_rev + 1);
                if (rc == SQLITE_OK && q->result == 0) {
                        new_rev++;
                        applied++;
                }
        }
        if (rc == SQLITE_OK && applied == 0) {
                /* nothing to commit: every request was refused */
                store_sqlite_run(s->w[W_ROLLBACK]);
                return;
        }
        if (rc == SQLITE_OK) rc = set_meta(s, "rev", new_rev);

        /* automatic compaction, in batches of ~1 % of the history */
        new_compacted = compacted;
        int64_t slack = s->history_max / 100 > 0 ? s->history_max / 100 : 1;
        if (rc == SQLITE_OK && new_rev - compacted > s->history_max + slack) {
                new_compacted = new_rev - s->history_max;
                rc = compact_locked(s, new_compacted);
        }
        if (rc == SQLITE_OK) rc = store_sqlite_run(s->w[W_COMMIT]);

        if (rc != SQLITE_OK) {
                /* the batch is lost: applied requests and those not reached
                 * fail with the error (refused ones keep their own) */
                _cleanup_free_ char *msg = ocx_xstrdup(sqlite3_errmsg(s->wdb));
                if (sqlite3_get_autocommit(s->wdb) == 0) store_sqlite_run(s->w[W_ROLLBACK]);
                for (write_req *q = batch; q; q = q->next) {
                        if (q->result < 0) continue;
                        q->result = ocx_error_set(q->reterr, store_sqlite_errno(rc), NULL, "store: writing '%s': %s",
                                                  q->key, msg);
                        drop_value(q);
                }
                return;
        }

        /* committed: in revision order, still the only writer */
        for (write_req *q = batch; q; q = q->next) {
                if (q->result < 0) continue;
                atomic_store(&s->rev, q->rev);
                if (s->notify) {
                        store_event ev = {.type = ev_type(q->op),
                                          .rev = q->rev,
                                          .key = (char *)q->key,
                                          .value = q->value,
                                          .value_len = q->value_len};
                        s->notify(&ev, s->notify_userdata);
                }
                if (q->ret) {
                        q->ret->key = ocx_xstrdup(q->key);
                        q->ret->value = TAKE_PTR(q->value);
                        q->ret->value_len = q->value_len;
                        q->ret->create_rev = q->create_rev;
                        q->ret->mod_rev = q->rev;
                } else
                        drop_value(q);
        }
        atomic_store(&s->compacted, new_compacted);
}

static int sqlite_write(store *base, write_op op, const char *key, int64_t expected_rev, store_value_fn fn,
                        void *userdata, store_kv *ret, ocx_error **reterr) {
        write_req q = {.op = op,
                       .key = key,
                       .expected_rev = expected_rev,
                       .fn = fn,
                       .userdata = userdata,
                       .ret = ret,
                       .reterr = reterr};
        return store_sqlite_write(to_sqlite(base), &q);
}

int store_sqlite_create(store *s, const char *key, store_value_fn fn, void *userdata, store_kv *ret,
                        ocx_error **reterr) {
        return sqlite_write(s, OP_CREATE, key, 0, fn, userdata, ret, reterr);
}

int store_sqlite_update(store *s, const char *key, int64_t expected_rev, store_value_fn fn, void *userdata,
                        store_kv *ret, ocx_error **reterr) {
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
