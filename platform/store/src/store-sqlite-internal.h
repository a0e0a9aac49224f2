/* SQLite backend internals shared by store-sqlite.c (open, close, reads),
 * store-sqlite-write.c (write transactions, compaction) and
 * store-sqlite-batch.c (the group commit queue). Internal to platform/store. */
#pragma once
#include <pthread.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocx/error.h"
#include "store-backend.h"

#define HISTORY_MAX_DEFAULT 100000
#define BUSY_TIMEOUT_MS 10000
#define SCHEMA_VERSION 1

/* writer statements */
enum {
        W_BEGIN,
        W_COMMIT,
        W_ROLLBACK,
        W_META,
        W_GET,
        W_INSERT,
        W_UPDATE,
        W_DELETE,
        W_EVENT,
        W_SET_META,
        W_COMPACT,
        W_SAVEPOINT,
        W_RELEASE,
        W_ROLLBACK_TO,
        W__MAX
};

/* reader statements; list/replay variants bind ?1 lower bound, ?2 upper
 * bound (absent in *_OPEN), ?3 limit (-1 = none), ?4 after_rev (events) */
enum {
        R_BEGIN,
        R_END,
        R_META,
        R_GET,
        R_LIST_GE,
        R_LIST_GE_OPEN,
        R_LIST_GT,
        R_LIST_GT_OPEN,
        R_EVENTS,
        R_EVENTS_OPEN,
        R_EVENTS_ALL,
        R__MAX
};

typedef enum { OP_CREATE, OP_UPDATE, OP_DELETE } write_op;

/* One create/update/delete waiting for (or taking part in) a group commit.
 * Lives on the calling thread's stack; the batch leader fills the results
 * and the caller's ret and *reterr, then sets done under qlock. */
typedef struct write_req {
        write_op op;
        const char *key;
        int64_t expected_rev;
        store_value_fn fn; /* NULL for deletes */
        void *userdata;
        store_kv *ret;      /* the caller's, may be NULL */
        ocx_error **reterr; /* the caller's, may be NULL */

        /* set by the leader: 0 or -errno; for applied requests the revision,
         * the create revision and the value (owned, handed to ret) */
        int result;
        int64_t rev;
        int64_t create_rev;
        char *value;
        size_t value_len;

        struct write_req *next; /* queue order = revision order */
        pthread_cond_t wake;
        bool done;
} write_req;

typedef struct store_sqlite {
        store base;
        char *path;
        int lock_fd; /* flock(LOCK_EX) on "<path>.lock" while open */

        /* group commit queue (store-sqlite-batch.c); lock order: wlock, then qlock */
        pthread_mutex_t qlock;
        write_req *q_head, *q_tail;
        bool q_leading; /* a writer is committing a batch */

        pthread_mutex_t wlock;
        sqlite3 *wdb;
        sqlite3_stmt *w[W__MAX];
        store_notify_fn notify;
        void *notify_userdata;
        int64_t history_max;

        pthread_mutex_t rlock;
        sqlite3 *rdb;
        sqlite3_stmt *r[R__MAX];

        /* latest committed values, for store_revision/store_oldest_revision */
        _Atomic int64_t rev;
        _Atomic int64_t compacted;
} store_sqlite;

extern const store_ops store_sqlite_ops;

static inline store_sqlite *to_sqlite(store *s) { return (store_sqlite *)s; }

static inline void store_sqlite_bind_str(sqlite3_stmt *st, int i, const char *v) {
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
}

/* SQLite result code → positive errno. */
int store_sqlite_errno(int rc);
/* Sets *reterr to "store: <what>: <sqlite message>"; returns -errno. */
int store_sqlite_fail(sqlite3 *db, int rc, ocx_error **reterr, const char *what);
/* Steps a statement whose rows are ignored, then resets it and clears its
 * bindings. Returns SQLITE_OK or the SQLite error code. */
int store_sqlite_run(sqlite3_stmt *st);
/* Resets a statement and clears its bindings. */
void store_sqlite_done(sqlite3_stmt *st);
/* Steps a META statement: current and compacted revision. */
int store_sqlite_read_meta(sqlite3_stmt *st, int64_t *ret_rev, int64_t *ret_compacted);
/* Column as a fresh NUL-terminated heap string (length in *ret_len when non-NULL). */
char *store_sqlite_col_dup(sqlite3_stmt *st, int col, size_t *ret_len);

/* store-sqlite-write.c */
/* Applies the requests of batch, in order, in one transaction with one
 * COMMIT; a refused request is rolled back to its savepoint and consumes no
 * revision. After the commit, in revision order: publishes the revision,
 * notifies, fills ret. Sets every request's result. Caller holds wlock. */
void store_sqlite_commit_batch(store_sqlite *s, write_req *batch);
int store_sqlite_create(store *s, const char *key, store_value_fn fn, void *userdata, store_kv *ret,
                        ocx_error **reterr);
int store_sqlite_update(store *s, const char *key, int64_t expected_rev, store_value_fn fn, void *userdata,
                        store_kv *ret, ocx_error **reterr);
int store_sqlite_delete(store *s, const char *key, int64_t expected_rev, store_kv *ret);
int store_sqlite_compact(store *s, int64_t rev);
void store_sqlite_set_notify(store *s, store_notify_fn fn, void *userdata);

/* store-sqlite-batch.c */
/* Queues q (its call fields set) and returns its result once it has been
 * committed or refused, leading the batch that carries it when no other
 * writer is. */
int store_sqlite_write(store_sqlite *s, write_req *q);
