/* ocxd storage, SQLite backend.
 *
 * Schema: kv(key, value, create_rev, mod_rev) holds the live objects,
 * events(rev, type, key, value) the watch history, meta(name, value) the
 * current revision ('rev'), the compacted revision ('compacted') and the
 * schema version ('schema').
 *
 * Two connections to the same WAL database:
 *  - the writer (wlock), with group commit: writers queue their requests and
 *    wait; one of them (the leader) takes the whole queue and applies it in
 *    one BEGIN IMMEDIATE transaction: it reads the revision from meta, and for
 *    each request in turn, inside its own savepoint, calls the value callback
 *    with the next revision and writes kv and the event row; then it writes
 *    meta and commits once (synchronous=FULL: the WAL is fsynced before
 *    COMMIT returns, so concurrent writers share one fsync). Only then, still
 *    under wlock and in revision order, does it publish each revision, run
 *    the notify callback and wake the waiters. A lone writer is a batch of
 *    one and does not wait for company.
 *  - the reader (rlock, query_only): gets, lists and event replays. Under WAL a
 *    reader sees the last committed snapshot and never waits for the writer's
 *    fsync. Lists and replays run in one read transaction so the revision they
 *    report matches the rows they return.
 *
 * A write refused by its precondition or aborted by the value callback (or
 * failing in SQLite) is rolled back to its savepoint and consumes no
 * revision, as in Kubernetes/etcd: the next successful write gets current + 1.
 *
 * This file: schema, statements, open/close and the read path;
 * store-sqlite-write.c: write transactions and compaction;
 * store-sqlite-batch.c: the group commit queue. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "ocx/macro.h"
#include "store-sqlite-internal.h"
#include "ocx/banned.h"

static const char *const w_sql[W__MAX] = {
        [W_BEGIN] = "BEGIN IMMEDIATE",
        [W_COMMIT] = "COMMIT",
        [W_ROLLBACK] = "ROLLBACK",
        [W_META] = "SELECT (SELECT value FROM meta WHERE name = 'rev'),"
                   " (SELECT value FROM meta WHERE name = 'compacted')",
        [W_GET] = "SELECT value, create_rev, mod_rev FROM kv WHERE key = ?1",
        [W_INSERT] = "INSERT INTO kv(key, value, create_rev, mod_rev) VALUES (?1, ?2, ?3, ?3)",
        [W_UPDATE] = "UPDATE kv SET value = ?2, mod_rev = ?3 WHERE key = ?1",
        [W_DELETE] = "DELETE FROM kv WHERE key = ?1",
        [W_EVENT] = "INSERT INTO events(rev, type, key, value) VALUES (?1, ?2, ?3, ?4)",
        [W_SET_META] = "UPDATE meta SET value = ?2 WHERE name = ?1",
        [W_COMPACT] = "DELETE FROM events WHERE rev <= ?1",
        [W_SAVEPOINT] = "SAVEPOINT w",
        [W_RELEASE] = "RELEASE w",
        [W_ROLLBACK_TO] = "ROLLBACK TO w",
};

#define KV_COLS "SELECT key, value, create_rev, mod_rev FROM kv WHERE "
#define EV_COLS "SELECT rev, type, key, value FROM events WHERE rev > ?4"
static const char *const r_sql[R__MAX] = {
        [R_BEGIN] = "BEGIN",
        [R_END] = "COMMIT",
        [R_META] = "SELECT (SELECT value FROM meta WHERE name = 'rev'),"
                   " (SELECT value FROM meta WHERE name = 'compacted')",
        [R_GET] = "SELECT value, create_rev, mod_rev FROM kv WHERE key = ?1",
        [R_LIST_GE] = KV_COLS "key >= ?1 AND key < ?2 ORDER BY key LIMIT ?3",
        [R_LIST_GE_OPEN] = KV_COLS "key >= ?1 ORDER BY key LIMIT ?3",
        [R_LIST_GT] = KV_COLS "key > ?1 AND key < ?2 ORDER BY key LIMIT ?3",
        [R_LIST_GT_OPEN] = KV_COLS "key > ?1 ORDER BY key LIMIT ?3",
        [R_EVENTS] = EV_COLS " AND key >= ?1 AND key < ?2 ORDER BY rev LIMIT ?3",
        [R_EVENTS_OPEN] = EV_COLS " AND key >= ?1 ORDER BY rev LIMIT ?3",
        [R_EVENTS_ALL] = EV_COLS " ORDER BY rev LIMIT ?3",
};

static const char schema_sql[] =
        "BEGIN IMMEDIATE;"
        "CREATE TABLE IF NOT EXISTS kv(key TEXT PRIMARY KEY, value BLOB NOT NULL,"
        " create_rev INTEGER NOT NULL, mod_rev INTEGER NOT NULL);"
        "CREATE TABLE IF NOT EXISTS events(rev INTEGER PRIMARY KEY, type INTEGER NOT NULL,"
        " key TEXT NOT NULL, value BLOB NOT NULL);"
        "CREATE TABLE IF NOT EXISTS meta(name TEXT PRIMARY KEY, value INTEGER NOT NULL);"
        "INSERT OR IGNORE INTO meta(name, value) VALUES ('rev', 0), ('compacted', 0), ('schema', 1);"
        "COMMIT;";

int store_sqlite_errno(int rc) {
        switch (rc & 0xff) {
        case SQLITE_OK:
        case SQLITE_ROW:
        case SQLITE_DONE: return 0;
        case SQLITE_BUSY:
        case SQLITE_LOCKED: return EBUSY;
        case SQLITE_NOMEM: return ENOMEM;
        case SQLITE_READONLY: return EROFS;
        case SQLITE_FULL: return ENOSPC;
        case SQLITE_PERM:
        case SQLITE_AUTH: return EACCES;
        case SQLITE_CANTOPEN: return ENOENT;
        case SQLITE_TOOBIG: return E2BIG;
        case SQLITE_CONSTRAINT: return EEXIST;
        case SQLITE_CORRUPT:
        case SQLITE_NOTADB: return EBADMSG;
        default: return EIO;
        }
}

int store_sqlite_fail(sqlite3 *db, int rc, ocx_error **reterr, const char *what) {
        return ocx_error_set(reterr, store_sqlite_errno(rc), NULL, "store: %s: %s", what,
                             db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
}

/* Steps a statement that returns no row (or whose rows are ignored) and
 * resets it. Returns the SQLite code: SQLITE_OK on success. */
int store_sqlite_run(sqlite3_stmt *st) {
        int rc = sqlite3_step(st);
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
        return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

void store_sqlite_done(sqlite3_stmt *st) {
        sqlite3_reset(st);
        sqlite3_clear_bindings(st);
}

int store_sqlite_read_meta(sqlite3_stmt *st, int64_t *ret_rev, int64_t *ret_compacted) {
        int rc = sqlite3_step(st);
        if (rc == SQLITE_ROW) {
                *ret_rev = sqlite3_column_int64(st, 0);
                *ret_compacted = sqlite3_column_int64(st, 1);
                rc = SQLITE_OK;
        } else if (rc == SQLITE_DONE)
                rc = SQLITE_CORRUPT;
        store_sqlite_done(st);
        return rc;
}

/* Column as a fresh NUL-terminated heap string. */
char *store_sqlite_col_dup(sqlite3_stmt *st, int col, size_t *ret_len) {
        const void *p = sqlite3_column_blob(st, col);
        size_t n = (size_t)sqlite3_column_bytes(st, col);
        char *v = ocx_xmalloc(n + 1);
        if (n) memcpy(v, p, n);
        v[n] = 0;
        if (ret_len) *ret_len = n;
        return v;
}

/* The smallest key greater than every key starting with prefix, or NULL when
 * there is none (empty prefix, or only 0xff bytes). */
static char *prefix_end(const char *prefix) {
        size_t n = strlen(prefix);
        while (n > 0 && (unsigned char)prefix[n - 1] == 0xff) n--;
        if (n == 0) return NULL;
        char *e = ocx_xstrndup(prefix, n);
        e[n - 1] = (char)((unsigned char)e[n - 1] + 1);
        return e;
}

static int mkdir_parents(const char *path) {
        _cleanup_free_ char *p = ocx_xstrdup(path);
        char *slash = strrchr(p, '/');
        if (!slash || slash == p) return 0;
        *slash = 0;
        for (char *c = p + 1;; c++) {
                if (*c != '/' && *c != 0) continue;
                char saved = *c;
                *c = 0;
                if (mkdir(p, 0700) < 0 && errno != EEXIST) return -errno;
                *c = saved;
                if (!saved) break;
        }
        return 0;
}

/* ---- reads ---- */

static int sqlite_get(store *base, const char *key, store_kv *ret) {
        store_sqlite *s = to_sqlite(base);
        pthread_mutex_lock(&s->rlock);
        sqlite3_stmt *st = s->r[R_GET];
        store_sqlite_bind_str(st, 1, key);
        int rc = sqlite3_step(st), r = 0;
        if (rc == SQLITE_ROW) {
                ret->key = ocx_xstrdup(key);
                ret->value = store_sqlite_col_dup(st, 0, &ret->value_len);
                ret->create_rev = sqlite3_column_int64(st, 1);
                ret->mod_rev = sqlite3_column_int64(st, 2);
        } else
                r = rc == SQLITE_DONE ? -ENOENT : -store_sqlite_errno(rc);
        store_sqlite_done(st);
        pthread_mutex_unlock(&s->rlock);
        return r;
}

/* Starts a read transaction (rlock held on success) and reads meta. */
static int read_begin(store_sqlite *s, int64_t *ret_rev, int64_t *ret_compacted) {
        pthread_mutex_lock(&s->rlock);
        int rc = store_sqlite_run(s->r[R_BEGIN]);
        if (rc == SQLITE_OK) {
                rc = store_sqlite_read_meta(s->r[R_META], ret_rev, ret_compacted);
                if (rc == SQLITE_OK) return 0;
                store_sqlite_run(s->r[R_END]);
        }
        pthread_mutex_unlock(&s->rlock);
        return -store_sqlite_errno(rc);
}

static void read_end(store_sqlite *s) {
        store_sqlite_run(s->r[R_END]);
        pthread_mutex_unlock(&s->rlock);
}

static int sqlite_list(store *base, const char *prefix, const char *continue_after, size_t limit,
                       store_kv **ret_items, size_t *ret_n, int64_t *ret_rev) {
        store_sqlite *s = to_sqlite(base);
        _cleanup_free_ char *end = prefix_end(prefix);
        bool after = continue_after && strcmp(continue_after, prefix) >= 0;
        int which = after ? (end ? R_LIST_GT : R_LIST_GT_OPEN) : (end ? R_LIST_GE : R_LIST_GE_OPEN);
        int64_t rev, compacted;
        int r = read_begin(s, &rev, &compacted);
        if (r < 0) return r;

        sqlite3_stmt *st = s->r[which];
        store_sqlite_bind_str(st, 1, after ? continue_after : prefix);
        if (end) store_sqlite_bind_str(st, 2, end);
        sqlite3_bind_int64(st, 3, limit ? (int64_t)limit : -1);

        store_kv *items = NULL;
        size_t n = 0, alloc = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 64;
                        if (limit && alloc > limit) alloc = limit;
                        items = ocx_xrealloc(items, alloc * sizeof(*items));
                }
                store_kv *kv = &items[n++];
                kv->key = store_sqlite_col_dup(st, 0, NULL);
                kv->value = store_sqlite_col_dup(st, 1, &kv->value_len);
                kv->create_rev = sqlite3_column_int64(st, 2);
                kv->mod_rev = sqlite3_column_int64(st, 3);
        }
        store_sqlite_done(st);
        read_end(s);
        if (rc != SQLITE_DONE) {
                store_kvs_free(items, n);
                return -store_sqlite_errno(rc);
        }
        *ret_items = items;
        *ret_n = n;
        *ret_rev = rev;
        return 0;
}

static int sqlite_events_since(store *base, const char *prefix, int64_t after_rev, size_t limit,
                               store_event **ret, size_t *ret_n) {
        store_sqlite *s = to_sqlite(base);
        _cleanup_free_ char *end = prefix_end(prefix);
        int which = !*prefix ? R_EVENTS_ALL : end ? R_EVENTS : R_EVENTS_OPEN;
        int64_t rev, compacted;
        int r = read_begin(s, &rev, &compacted);
        if (r < 0) return r;
        if (after_rev < compacted) {
                read_end(s);
                return -ERANGE;
        }

        sqlite3_stmt *st = s->r[which];
        if (*prefix) store_sqlite_bind_str(st, 1, prefix);
        if (end) store_sqlite_bind_str(st, 2, end);
        sqlite3_bind_int64(st, 3, limit ? (int64_t)limit : -1);
        sqlite3_bind_int64(st, 4, after_rev);

        store_event *evs = NULL;
        size_t n = 0, alloc = 0;
        int rc;
        while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
                if (n == alloc) {
                        alloc = alloc ? alloc * 2 : 16;
                        if (limit && alloc > limit) alloc = limit;
                        evs = ocx_xrealloc(evs, alloc * sizeof(*evs));
                }
                store_event *ev = &evs[n++];
                ev->rev = sqlite3_column_int64(st, 0);
                ev->type = (store_ev_type)sqlite3_column_int(st, 1);
                ev->key = store_sqlite_col_dup(st, 2, NULL);
                ev->value = store_sqlite_col_dup(st, 3, &ev->value_len);
        }
        store_sqlite_done(st);
        read_end(s);
        if (rc != SQLITE_DONE) {
                store_events_free(evs, n);
                return -store_sqlite_errno(rc);
        }
        *ret = evs;
        *ret_n = n;
        return 0;
}

static int64_t sqlite_revision(store *base) {
        return atomic_load(&to_sqlite(base)->rev);
}

static int64_t sqlite_oldest_revision(store *base) {
        return atomic_load(&to_sqlite(base)->compacted) + 1;
}

/* ---- open / close ---- */

static void close_conn(sqlite3 **db, sqlite3_stmt **stmts, size_t n) {
        for (size_t i = 0; i < n; i++) {
                sqlite3_finalize(stmts[i]);
                stmts[i] = NULL;
        }
        if (*db) sqlite3_close(*db);
        *db = NULL;
}

static void sqlite_close(store *base) {
        store_sqlite *s = to_sqlite(base);
        /* reader first: the writer's close is the last one, it checkpoints the WAL */
        close_conn(&s->rdb, s->r, R__MAX);
        close_conn(&s->wdb, s->w, W__MAX);
        if (s->lock_fd >= 0) close(s->lock_fd);
        pthread_mutex_destroy(&s->rlock);
        pthread_mutex_destroy(&s->wlock);
        pthread_mutex_destroy(&s->qlock);
        free(s->path);
        free(s);
}

static int journal_mode_cb(void *userdata, int ncols, char **values, char **names) {
        (void)names;
        if (ncols > 0 && values[0]) *(bool *)userdata = strcmp(values[0], "wal") == 0;
        return 0;
}

static int open_conn(store_sqlite *s, bool writer, sqlite3 **ret, ocx_error **reterr) {
        const char *what = writer ? "open" : "open reader";
        int rc = sqlite3_open_v2(s->path, ret, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                 NULL);
        if (rc != SQLITE_OK)
                return ocx_error_set(reterr, store_sqlite_errno(rc), NULL, "store: %s '%s': %s", what, s->path,
                                     *ret ? sqlite3_errmsg(*ret) : sqlite3_errstr(rc));
        sqlite3 *db = *ret;
        sqlite3_extended_result_codes(db, 1);
        sqlite3_busy_timeout(db, BUSY_TIMEOUT_MS);
        if (writer) {
                bool wal = false;
                rc = sqlite3_exec(db, "PRAGMA journal_mode=WAL", journal_mode_cb, &wal, NULL);
                if (rc != SQLITE_OK) return store_sqlite_fail(db, rc, reterr, what);
                if (!wal)
                        return ocx_error_set(reterr, EIO, NULL, "store: '%s': cannot use WAL journal mode",
                                             s->path);
                rc = sqlite3_exec(db, "PRAGMA synchronous=FULL; PRAGMA journal_size_limit=67108864;", NULL,
                                  NULL, NULL);
        } else
                rc = sqlite3_exec(db, "PRAGMA query_only=1; PRAGMA cache_size=-16000;", NULL, NULL, NULL);
        if (rc != SQLITE_OK) return store_sqlite_fail(db, rc, reterr, what);
        return 0;
}

static int prepare_all(sqlite3 *db, const char *const *sql, sqlite3_stmt **stmts, size_t n,
                       ocx_error **reterr) {
        for (size_t i = 0; i < n; i++) {
                int rc = sqlite3_prepare_v3(db, sql[i], -1, SQLITE_PREPARE_PERSISTENT, &stmts[i], NULL);
                if (rc != SQLITE_OK) return store_sqlite_fail(db, rc, reterr, "prepare");
        }
        return 0;
}

static int open_locked(store_sqlite *s, ocx_error **reterr) {
        int r = mkdir_parents(s->path);
        if (r < 0)
                return ocx_error_set(reterr, -r, NULL, "store: cannot create the directory of '%s': %s",
                                     s->path, strerror(-r));
        /* one process at a time: the cached revision and the notifications
         * would miss another process's writes */
        _cleanup_free_ char *lock_path = ocx_xasprintf("%s.lock", s->path);
        s->lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (s->lock_fd < 0)
                return ocx_error_set(reterr, errno, NULL, "store: cannot open '%s': %s", lock_path,
                                     strerror(errno));
        if (flock(s->lock_fd, LOCK_EX | LOCK_NB) < 0)
                return ocx_error_set(reterr, errno == EWOULDBLOCK ? EBUSY : errno, NULL,
                                     "store: '%s' is in use by another process", s->path);

        /* create the file ourselves so that it (and the -wal/-shm files SQLite
         * derives from it) is private: it holds secrets. Closed before SQLite
         * opens it: closing a descriptor drops the process's POSIX locks. */
        int fd = open(s->path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
        if (fd < 0)
                return ocx_error_set(reterr, errno, NULL, "store: cannot open '%s': %s", s->path,
                                     strerror(errno));
        close(fd);

        r = open_conn(s, true, &s->wdb, reterr);
        if (r < 0) return r;
        char *errmsg = NULL;
        int rc = sqlite3_exec(s->wdb, schema_sql, NULL, NULL, &errmsg);
        if (rc != SQLITE_OK) {
                r = ocx_error_set(reterr, store_sqlite_errno(rc), NULL, "store: '%s': creating the schema: %s",
                                  s->path, errmsg ? errmsg : sqlite3_errstr(rc));
                sqlite3_free(errmsg);
                if (sqlite3_get_autocommit(s->wdb) == 0) sqlite3_exec(s->wdb, "ROLLBACK", NULL, NULL, NULL);
                return r;
        }
        r = prepare_all(s->wdb, w_sql, s->w, W__MAX, reterr);
        if (r < 0) return r;

        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(s->wdb, "SELECT value FROM meta WHERE name = 'schema'", -1, &st, NULL);
        int64_t schema = 0;
        if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) schema = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        if (rc != SQLITE_OK) return store_sqlite_fail(s->wdb, rc, reterr, "schema");
        if (schema != SCHEMA_VERSION)
                return ocx_error_set(reterr, EPROTO, NULL, "store: '%s': unsupported schema version %" PRId64,
                                     s->path, schema);

        int64_t rev, compacted;
        rc = store_sqlite_read_meta(s->w[W_META], &rev, &compacted);
        if (rc != SQLITE_OK) return store_sqlite_fail(s->wdb, rc, reterr, "read revision");
        atomic_store(&s->rev, rev);
        atomic_store(&s->compacted, compacted);

        r = open_conn(s, false, &s->rdb, reterr);
        if (r < 0) return r;
        return prepare_all(s->rdb, r_sql, s->r, R__MAX, reterr);
}

int store_open_sqlite(const char *path, store **ret, ocx_error **reterr) {
        if (!path || !*path || !ret) return ocx_error_set(reterr, EINVAL, NULL, "store: no database path");
        *ret = NULL;
        store_sqlite *s = ocx_xcalloc(1, sizeof(*s));
        s->base.ops = &store_sqlite_ops;
        s->path = ocx_xstrdup(path);
        s->history_max = HISTORY_MAX_DEFAULT;
        s->lock_fd = -1;
        pthread_mutex_init(&s->wlock, NULL);
        pthread_mutex_init(&s->rlock, NULL);
        pthread_mutex_init(&s->qlock, NULL);
        int r = open_locked(s, reterr);
        if (r < 0) {
                sqlite_close(&s->base);
                return r;
        }
        *ret = &s->base;
        return 0;
}

const store_ops store_sqlite_ops = {
        .name = "sqlite",
        .close = sqlite_close,
        .set_notify = store_sqlite_set_notify,
        .revision = sqlite_revision,
        .oldest_revision = sqlite_oldest_revision,
        .get = sqlite_get,
        .list = sqlite_list,
        .create = store_sqlite_create,
        .update = store_sqlite_update,
        .delete = store_sqlite_delete,
        .events_since = sqlite_events_since,
        .compact = store_sqlite_compact,
};
