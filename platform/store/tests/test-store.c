/* Store (SQLite backend): CRUD and error paths, value callbacks, listing and
 * pagination, watch history and compaction, notification order under
 * concurrent writers, reopen, durability across SIGKILL, and one measurement
 * (prints figures, asserts only correctness). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "ocx/error.h"
#include "ocx/macro.h"
#include "store/store.h"
#include "../src/store-sqlite.h"
#include "store-test-util.h"
#include "ocx/banned.h"

static int setup(void **state) {
        /* a missing parent directory is created by store_open_sqlite */
        return fixture_setup(state, "ocx-test-store", "sub/dir/store.db");
}

static int teardown(void **state) { return fixture_teardown(state); }

static void reopen(fixture *f) {
        f->s = store_close(f->s);
        assert_int_equal(store_open_sqlite(f->path, &f->s, NULL), 0);
}

/* value callbacks */

/* embeds the revision it is given, like the API server's resourceVersion */
static char *val_rev(int64_t rev, const char *prev, void *userdata, ocx_error **reterr) {
        (void)userdata;
        (void)reterr;
        return ocx_xasprintf("{\"rv\":\"%" PRId64 "\",\"prev\":\"%s\"}", rev, prev ? prev : "-");
}

typedef struct seen {
        int64_t rev;
        char *prev;
        int calls;
} seen;

static char *val_record(int64_t rev, const char *prev, void *userdata, ocx_error **reterr) {
        (void)reterr;
        seen *sn = userdata;
        sn->rev = rev;
        free(sn->prev);
        sn->prev = prev ? ocx_xstrdup(prev) : NULL;
        sn->calls++;
        return ocx_xstrdup("recorded");
}

static int64_t put(store *s, const char *key, const char *value) {
        store_kv kv = {0};
        assert_int_equal(store_create(s, key, val_const, (void *)value, &kv, NULL), 0);
        int64_t rev = kv.mod_rev;
        store_kv_release(&kv);
        return rev;
}

static void create_get_update_delete(void **state) {
        fixture *f = *state;
        store *s = f->s;
        assert_int_equal(store_revision(s), 0);
        assert_int_equal(store_oldest_revision(s), 1);

        store_kv kv = {0};
        assert_int_equal(store_create(s, "/pods/ns/a", val_const, "one", &kv, NULL), 0);
        assert_string_equal(kv.key, "/pods/ns/a");
        assert_string_equal(kv.value, "one");
        assert_int_equal(kv.value_len, 3);
        assert_int_equal(kv.create_rev, 1);
        assert_int_equal(kv.mod_rev, 1);
        store_kv_release(&kv);
        assert_int_equal(store_revision(s), 1);

        assert_int_equal(store_get(s, "/pods/ns/a", &kv), 0);
        assert_string_equal(kv.value, "one");
        assert_int_equal(kv.create_rev, 1);
        assert_int_equal(kv.mod_rev, 1);
        store_kv_release(&kv);

        assert_int_equal(store_update(s, "/pods/ns/a", 1, val_const, "two", &kv, NULL), 0);
        assert_int_equal(kv.create_rev, 1);
        assert_int_equal(kv.mod_rev, 2);
        assert_string_equal(kv.value, "two");
        store_kv_release(&kv);

        /* unconditional update */
        assert_int_equal(store_update(s, "/pods/ns/a", 0, val_const, "three", NULL, NULL), 0);
        assert_int_equal(store_get(s, "/pods/ns/a", &kv), 0);
        assert_string_equal(kv.value, "three");
        assert_int_equal(kv.mod_rev, 3);
        store_kv_release(&kv);

        assert_int_equal(store_delete(s, "/pods/ns/a", 3, &kv), 0);
        assert_string_equal(kv.value, "three");
        assert_int_equal(kv.create_rev, 1);
        assert_int_equal(kv.mod_rev, 4);
        store_kv_release(&kv);
        assert_int_equal(store_get(s, "/pods/ns/a", &kv), -ENOENT);
        assert_int_equal(store_revision(s), 4);

        /* re-create after delete starts a new life */
        assert_int_equal(store_create(s, "/pods/ns/a", val_const, "again", &kv, NULL), 0);
        assert_int_equal(kv.create_rev, 5);
        store_kv_release(&kv);
        assert_int_equal(store_delete(s, "/pods/ns/a", 0, NULL), 0);
}

static void error_paths(void **state) {
        fixture *f = *state;
        store *s = f->s;
        put(s, "/x/a", "v");
        int64_t rev = store_revision(s);

        _cleanup_error_ ocx_error *e = NULL;
        store_kv kv = {0};
        assert_int_equal(store_create(s, "/x/a", val_const, "w", &kv, &e), -EEXIST);
        assert_non_null(e);
        assert_int_equal(e->code, EEXIST);
        assert_string_equal(e->message, "key '/x/a' already exists");
        e = ocx_error_free(e);

        assert_int_equal(store_update(s, "/x/missing", 0, val_const, "w", &kv, &e), -ENOENT);
        assert_int_equal(e->code, ENOENT);
        e = ocx_error_free(e);
        assert_int_equal(store_delete(s, "/x/missing", 0, NULL), -ENOENT);

        assert_int_equal(store_update(s, "/x/a", rev + 7, val_const, "w", &kv, &e), -ESTALE);
        assert_int_equal(e->code, ESTALE);
        e = ocx_error_free(e);
        assert_int_equal(store_delete(s, "/x/a", rev + 1, &kv), -ESTALE);

        /* nothing above consumed a revision or changed the value */
        assert_int_equal(store_revision(s), rev);
        assert_int_equal(store_get(s, "/x/a", &kv), 0);
        assert_string_equal(kv.value, "v");
        assert_int_equal(kv.mod_rev, rev);
        store_kv_release(&kv);

        assert_int_equal(store_get(s, "", &kv), -EINVAL);
        assert_int_equal(store_create(s, "", val_const, "w", NULL, NULL), -EINVAL);
}

static void value_callback(void **state) {
        fixture *f = *state;
        store *s = f->s;
        seen sn = {0};
        store_kv kv = {0};
        assert_int_equal(store_create(s, "/cb/a", val_record, &sn, NULL, NULL), 0);
        assert_int_equal(sn.calls, 1);
        assert_int_equal(sn.rev, 1);
        assert_null(sn.prev);

        put(s, "/cb/other", "x"); /* rev 2 */
        assert_int_equal(store_update(s, "/cb/a", 1, val_rev, NULL, &kv, NULL), 0);
        assert_int_equal(kv.mod_rev, 3);
        assert_string_equal(kv.value, "{\"rv\":\"3\",\"prev\":\"recorded\"}");
        store_kv_release(&kv);

        assert_int_equal(store_update(s, "/cb/a", 3, val_record, &sn, NULL, NULL), 0);
        assert_int_equal(sn.calls, 2);
        assert_int_equal(sn.rev, 4);
        assert_string_equal(sn.prev, "{\"rv\":\"3\",\"prev\":\"recorded\"}");
        free(sn.prev);

        /* the callback is not called when the precondition fails */
        sn = (seen){0};
        assert_int_equal(store_update(s, "/cb/a", 3, val_record, &sn, NULL, NULL), -ESTALE);
        assert_int_equal(store_create(s, "/cb/a", val_record, &sn, NULL, NULL), -EEXIST);
        assert_int_equal(sn.calls, 0);
}

/* Aborting from the callback consumes no revision (as in Kubernetes): the
 * counter is unchanged and the next write gets current + 1. */
static void callback_abort(void **state) {
        fixture *f = *state;
        store *s = f->s;
        int64_t rev = put(s, "/ab/a", "v");

        _cleanup_error_ ocx_error *e = NULL;
        store_kv kv = {0};
        assert_int_equal(store_create(s, "/ab/b", val_refuse, NULL, &kv, &e), -EINVAL);
        assert_non_null(e);
        assert_string_equal(e->message, "spec.x: invalid value");
        assert_string_equal(e->field, "spec.x");
        e = ocx_error_free(e);
        assert_int_equal(store_update(s, "/ab/a", rev, val_refuse, NULL, &kv, NULL), -EINVAL);

        assert_int_equal(store_revision(s), rev);
        assert_int_equal(store_get(s, "/ab/b", &kv), -ENOENT);
        assert_int_equal(store_get(s, "/ab/a", &kv), 0);
        assert_string_equal(kv.value, "v");
        store_kv_release(&kv);

        store_event *evs = NULL;
        size_t n = 0;
        assert_int_equal(store_events_since(s, "", 0, 0, &evs, &n), 0);
        assert_int_equal(n, 1);
        store_events_free(evs, n);

        assert_int_equal(put(s, "/ab/c", "w"), rev + 1);
        reopen(f);
        assert_int_equal(store_revision(f->s), rev + 1);
}

static void list_order_prefix_isolation(void **state) {
        fixture *f = *state;
        store *s = f->s;
        const char *keys[] = {"/ab/z", "/a/c", "/a0", "/a/a", "/a", "/b/a", "/a/b/deep", "/ab/a"};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(keys); i++) put(s, keys[i], keys[i]);

        store_kv *items = NULL;
        size_t n = 0;
        int64_t rev = -1;
        assert_int_equal(store_list(s, "/a/", NULL, 0, &items, &n, &rev), 0);
        assert_int_equal(rev, (int64_t)OCX_ARRAY_SIZE(keys));
        assert_int_equal(n, 3);
        assert_string_equal(items[0].key, "/a/a");
        assert_string_equal(items[1].key, "/a/b/deep");
        assert_string_equal(items[2].key, "/a/c");
        assert_string_equal(items[2].value, "/a/c");
        assert_int_equal(items[2].create_rev, 2);
        store_kvs_free(items, n);

        assert_int_equal(store_list(s, "/ab/", NULL, 0, &items, &n, &rev), 0);
        assert_int_equal(n, 2);
        assert_string_equal(items[0].key, "/ab/a");
        assert_string_equal(items[1].key, "/ab/z");
        store_kvs_free(items, n);

        assert_int_equal(store_list(s, "/c/", NULL, 0, &items, &n, &rev), 0);
        assert_int_equal(n, 0);
        store_kvs_free(items, n);

        /* everything, sorted bytewise */
        assert_int_equal(store_list(s, "", NULL, 0, &items, &n, &rev), 0);
        assert_int_equal(n, OCX_ARRAY_SIZE(keys));
        for (size_t i = 1; i < n; i++) assert_true(strcmp(items[i - 1].key, items[i].key) < 0);
        assert_string_equal(items[0].key, "/a");
        store_kvs_free(items, n);

        /* a prefix ending in 0xff has no upper bound computed by increment */
        put(s, "/\xff\xff/k", "v");
        put(s, "/\xff\xfe", "v");
        assert_int_equal(store_list(s, "/\xff\xff", NULL, 0, &items, &n, &rev), 0);
        assert_int_equal(n, 1);
        assert_string_equal(items[0].key, "/\xff\xff/k");
        store_kvs_free(items, n);
}

static void list_pagination(void **state) {
        fixture *f = *state;
        store *s = f->s;
        char key[64];
        for (int i = 0; i < 25; i++) {
                snprintf(key, sizeof(key), "/p/k%02d", 24 - i);
                put(s, key, "v");
        }
        put(s, "/q/after", "v");
        put(s, "/o/before", "v");

        _cleanup_free_ char *cont = NULL;
        size_t total = 0, pages = 0;
        for (;;) {
                store_kv *items = NULL;
                size_t n = 0;
                int64_t rev = 0;
                assert_int_equal(store_list(s, "/p/", cont, 10, &items, &n, &rev), 0);
                assert_int_equal(rev, 27);
                assert_true(n <= 10);
                for (size_t i = 0; i < n; i++) {
                        snprintf(key, sizeof(key), "/p/k%02zu", total + i);
                        assert_string_equal(items[i].key, key);
                }
                total += n;
                pages++;
                free(cont);
                cont = n ? ocx_xstrdup(items[n - 1].key) : NULL;
                store_kvs_free(items, n);
                if (n < 10) break;
        }
        assert_int_equal(total, 25);
        assert_int_equal(pages, 3);

        /* continue key before the prefix starts at the prefix */
        store_kv *items = NULL;
        size_t n = 0;
        assert_int_equal(store_list(s, "/p/", "/a", 2, &items, &n, NULL), 0);
        assert_int_equal(n, 2);
        assert_string_equal(items[0].key, "/p/k00");
        store_kvs_free(items, n);
        /* continue key past the range: nothing */
        assert_int_equal(store_list(s, "/p/", "/p/zz", 0, &items, &n, NULL), 0);
        assert_int_equal(n, 0);
        store_kvs_free(items, n);
}

static void events_prefix(void **state) {
        fixture *f = *state;
        store *s = f->s;
        put(s, "/e/a/1", "a1");                                                      /* 1 */
        put(s, "/e/b/1", "b1");                                                      /* 2 */
        assert_int_equal(store_update(s, "/e/a/1", 1, val_const, "a1'", NULL, NULL), 0); /* 3 */
        put(s, "/e/ab", "ab");                                                       /* 4 */
        assert_int_equal(store_delete(s, "/e/a/1", 0, NULL), 0);                     /* 5 */

        store_event *evs = NULL;
        size_t n = 0;
        assert_int_equal(store_events_since(s, "/e/a/", 0, 0, &evs, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(evs[0].type, STORE_EV_PUT_CREATE);
        assert_int_equal(evs[0].rev, 1);
        assert_string_equal(evs[0].value, "a1");
        assert_int_equal(evs[1].type, STORE_EV_PUT_UPDATE);
        assert_int_equal(evs[1].rev, 3);
        assert_string_equal(evs[1].value, "a1'");
        assert_int_equal(evs[2].type, STORE_EV_DELETE);
        assert_int_equal(evs[2].rev, 5);
        assert_string_equal(evs[2].key, "/e/a/1");
        assert_string_equal(evs[2].value, "a1'"); /* last value before deletion */
        assert_int_equal(evs[2].value_len, 3);
        store_events_free(evs, n);

        assert_int_equal(store_events_since(s, "/e/a/", 1, 1, &evs, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(evs[0].rev, 3);
        store_events_free(evs, n);

        assert_int_equal(store_events_since(s, "", 2, 0, &evs, &n), 0);
        assert_int_equal(n, 3);
        assert_int_equal(evs[0].rev, 3);
        assert_int_equal(evs[2].rev, 5);
        store_events_free(evs, n);

        assert_int_equal(store_events_since(s, "/e/", 5, 0, &evs, &n), 0);
        assert_int_equal(n, 0);
        store_events_free(evs, n);
}

static void compaction(void **state) {
        fixture *f = *state;
        store *s = f->s;
        for (int i = 0; i < 10; i++) {
                char key[32];
                snprintf(key, sizeof(key), "/c/%d", i);
                put(s, key, "v");
        }
        store_event *evs = NULL;
        size_t n = 0;

        assert_int_equal(store_compact(s, 4), 0);
        assert_int_equal(store_oldest_revision(s), 5);
        assert_int_equal(store_events_since(s, "", 0, 0, &evs, &n), -ERANGE);
        assert_int_equal(store_events_since(s, "/c/", 3, 0, &evs, &n), -ERANGE);
        assert_int_equal(store_events_since(s, "", 4, 0, &evs, &n), 0);
        assert_int_equal(n, 6);
        assert_int_equal(evs[0].rev, 5);
        store_events_free(evs, n);

        assert_int_equal(store_compact(s, 2), 0); /* older: no-op */
        assert_int_equal(store_oldest_revision(s), 5);
        assert_int_equal(store_compact(s, 11), -EINVAL); /* future */
        assert_int_equal(store_compact(s, 10), 0);
        assert_int_equal(store_events_since(s, "", 10, 0, &evs, &n), 0);
        assert_int_equal(n, 0);
        store_events_free(evs, n);

        /* objects are untouched, the history position survives a reopen */
        store_kv *items = NULL;
        assert_int_equal(store_list(s, "/c/", NULL, 0, &items, &n, NULL), 0);
        assert_int_equal(n, 10);
        store_kvs_free(items, n);
        reopen(f);
        assert_int_equal(store_oldest_revision(f->s), 11);
        assert_int_equal(store_events_since(f->s, "", 9, 0, &evs, &n), -ERANGE);
}

static void auto_compaction(void **state) {
        fixture *f = *state;
        store *s = f->s;
        assert_int_equal(store_sqlite_set_history_limit(s, 20), 0);
        for (int i = 0; i < 100; i++) {
                char key[32];
                snprintf(key, sizeof(key), "/auto/%03d", i);
                put(s, key, "v");
                int64_t kept = store_revision(s) - store_oldest_revision(s) + 1;
                assert_true(kept <= 21);
        }
        int64_t oldest = store_oldest_revision(s);
        assert_true(oldest >= 100 - 21 + 1);
        store_event *evs = NULL;
        size_t n = 0;
        assert_int_equal(store_events_since(s, "", oldest - 1, 0, &evs, &n), 0);
        assert_int_equal(n, (size_t)(100 - oldest + 1));
        assert_int_equal(evs[0].rev, oldest);
        store_events_free(evs, n);
        assert_int_equal(store_events_since(s, "", oldest - 2, 0, &evs, &n), -ERANGE);
}

/* notifications: 4 threads writing concurrently */

#define NOTIFY_THREADS 4
#define NOTIFY_PER_THREAD 100

typedef struct notify_log {
        pthread_mutex_t lock;
        int64_t revs[NOTIFY_THREADS * NOTIFY_PER_THREAD + 1];
        char *keys[NOTIFY_THREADS * NOTIFY_PER_THREAD + 1];
        store_ev_type types[NOTIFY_THREADS * NOTIFY_PER_THREAD + 1];
        size_t n;
        store *s;
        int64_t latest_seen_behind; /* notifications that ran before the revision was visible */
} notify_log;

static void on_notify(const store_event *ev, void *userdata) {
        notify_log *l = userdata;
        pthread_mutex_lock(&l->lock);
        if (l->n < OCX_ARRAY_SIZE(l->revs)) {
                l->revs[l->n] = ev->rev;
                l->keys[l->n] = ocx_xstrdup(ev->key);
                l->types[l->n] = ev->type;
                l->n++;
        }
        if (store_revision(l->s) < ev->rev) l->latest_seen_behind++;
        pthread_mutex_unlock(&l->lock);
}

typedef struct writer_arg {
        store *s;
        int id;
        int failures;
} writer_arg;

static void *writer_main(void *p) {
        writer_arg *a = p;
        char key[64];
        for (int i = 0; i < NOTIFY_PER_THREAD; i++) {
                snprintf(key, sizeof(key), "/n/t%d/%03d", a->id, i);
                store_kv kv = {0};
                if (store_create(a->s, key, val_rev, NULL, &kv, NULL) < 0) a->failures++;
                store_kv_release(&kv);
                if (i % 10 == 9) {
                        store_kv *items = NULL;
                        size_t n = 0;
                        int64_t rev = 0;
                        if (store_list(a->s, "/n/", NULL, 0, &items, &n, &rev) < 0) a->failures++;
                        /* the list is one snapshot: nothing newer than its revision */
                        for (size_t j = 0; j < n; j++)
                                if (items[j].mod_rev > rev) a->failures++;
                        if ((int64_t)n != rev) a->failures++; /* only creates under /n/ */
                        store_kvs_free(items, n);
                }
        }
        return NULL;
}

static void notify_order_concurrent(void **state) {
        fixture *f = *state;
        store *s = f->s;
        notify_log *l = ocx_xcalloc(1, sizeof(*l));
        pthread_mutex_init(&l->lock, NULL);
        l->s = s;
        store_set_notify(s, on_notify, l);

        pthread_t th[NOTIFY_THREADS];
        writer_arg args[NOTIFY_THREADS];
        for (int i = 0; i < NOTIFY_THREADS; i++) {
                args[i] = (writer_arg){.s = s, .id = i};
                assert_int_equal(pthread_create(&th[i], NULL, writer_main, &args[i]), 0);
        }
        for (int i = 0; i < NOTIFY_THREADS; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(args[i].failures, 0);
        }
        store_set_notify(s, NULL, NULL);

        assert_int_equal(l->n, NOTIFY_THREADS * NOTIFY_PER_THREAD);
        assert_int_equal(l->latest_seen_behind, 0);
        for (size_t i = 0; i < l->n; i++) {
                assert_int_equal(l->revs[i], (int64_t)i + 1); /* gapless, in order */
                assert_int_equal(l->types[i], STORE_EV_PUT_CREATE);
                store_kv kv = {0};
                assert_int_equal(store_get(s, l->keys[i], &kv), 0);
                assert_int_equal(kv.mod_rev, l->revs[i]);
                store_kv_release(&kv);
                free(l->keys[i]);
        }
        assert_int_equal(store_revision(s), NOTIFY_THREADS * NOTIFY_PER_THREAD);
        pthread_mutex_destroy(&l->lock);
        free(l);
}

static void reopen_keeps_state(void **state) {
        fixture *f = *state;
        put(f->s, "/r/a", "va");
        put(f->s, "/r/b", "vb");
        assert_int_equal(store_delete(f->s, "/r/a", 0, NULL), 0);
        reopen(f);
        assert_int_equal(store_revision(f->s), 3);
        store_kv kv = {0};
        assert_int_equal(store_get(f->s, "/r/b", &kv), 0);
        assert_string_equal(kv.value, "vb");
        assert_int_equal(kv.mod_rev, 2);
        store_kv_release(&kv);
        assert_int_equal(store_get(f->s, "/r/a", &kv), -ENOENT);
        assert_int_equal(put(f->s, "/r/c", "vc"), 4);

        /* a second handle on the same store is refused while one is open */
        store *other = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(store_open_sqlite(f->path, &other, &e), -EBUSY);
        assert_null(other);
        assert_non_null(strstr(e->message, "in use"));

        struct stat st;
        assert_int_equal(stat(f->path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        _cleanup_free_ char *dir = ocx_xasprintf("%s/sub", f->dir);
        assert_int_equal(stat(dir, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);
}

/* Acknowledged writes survive SIGKILL of the writing process. */
static void durability_sigkill(void **state) {
        fixture *f = *state;
        f->s = store_close(f->s); /* the child owns the store while it runs */

        int p[2];
        assert_int_equal(pipe2(p, O_CLOEXEC), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(p[0]);
                store *cs = NULL;
                if (store_open_sqlite(f->path, &cs, NULL) < 0) _exit(2);
                for (unsigned i = 0;; i++) {
                        char key[64];
                        int len = snprintf(key, sizeof(key), "/dur/%08u", i);
                        if (store_create(cs, key, val_rev, NULL, NULL, NULL) < 0) _exit(3);
                        key[len++] = '\n';
                        if (write(p[1], key, (size_t)len) != len) _exit(4);
                }
        }
        close(p[1]);

        /* read acknowledgements for ~300 ms, then kill, then drain */
        _cleanup_free_ char *buf = read_acks_then_sigkill(pid, p[0], 1 << 20);

        assert_int_equal(store_open_sqlite(f->path, &f->s, NULL), 0);
        int64_t rev = store_revision(f->s), prev_rev = 0;
        size_t acked = 0;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                store_kv kv = {0};
                assert_int_equal(store_get(f->s, line, &kv), 0);
                assert_true(kv.mod_rev <= rev);
                assert_true(kv.mod_rev > prev_rev);
                prev_rev = kv.mod_rev;
                store_kv_release(&kv);
                acked++;
        }
        print_message("# durability: %zu acknowledged creates in 300 ms, store revision %" PRId64
                      " after SIGKILL\n",
                      acked, rev);
        assert_true(acked > 0);
        assert_true(rev >= (int64_t)acked);

        store_kv kv = {0};
        assert_int_equal(store_create(f->s, "/dur/after", val_rev, NULL, &kv, NULL), 0);
        assert_int_equal(kv.mod_rev, rev + 1);
        store_kv_release(&kv);
        store_kv *items = NULL;
        size_t n = 0;
        assert_int_equal(store_list(f->s, "/dur/", NULL, 0, &items, &n, NULL), 0);
        assert_int_equal((int64_t)n, rev + 1);
        store_kvs_free(items, n);
}

typedef struct bg_writer {
        store *s;
        atomic_bool stop;
        long writes;
        int failures;
} bg_writer;

static void *bg_writer_main(void *p) {
        bg_writer *w = p;
        char key[64];
        while (!atomic_load(&w->stop)) {
                snprintf(key, sizeof(key), "/ns/w/obj-%06ld", w->writes);
                if (store_create(w->s, key, val_const, "background", NULL, NULL) < 0) w->failures++;
                w->writes++;
        }
        return NULL;
}

/* MEASUREMENT, not a pass/fail performance check: creates N small objects
 * (OCX_STORE_MEASURE_N, default 10000), lists
 * them, gets each; prints the timings as TAP comments and asserts only
 * correctness. */
static void measure_create_list_get(void **state) {
        fixture *f = *state;
        store *s = f->s;
        long n_obj = 10000;
        const char *env = getenv("OCX_STORE_MEASURE_N");
        if (env) n_obj = strtol(env, NULL, 10);
        if (n_obj < 1 || n_obj > 1000000) n_obj = 10000;
        char value[300];
        memset(value, 'x', sizeof(value) - 1);
        value[sizeof(value) - 1] = 0;
        char key[64];

        put(s, "/ns/9/other", "v"); /* neighbours that must not be listed */
        double t = now_ms();
        for (long i = 0; i < n_obj; i++) {
                snprintf(key, sizeof(key), "/ns/a/obj-%06ld", i);
                assert_int_equal(store_create(s, key, val_const, value, NULL, NULL), 0);
        }
        double create_ms = now_ms() - t;
        put(s, "/ns/b/other", "v");

        store_kv *items = NULL;
        size_t n = 0;
        double list_ms = 1e9;
        for (int rep = 0; rep < 5; rep++) {
                t = now_ms();
                assert_int_equal(store_list(s, "/ns/a/", NULL, 0, &items, &n, NULL), 0);
                double d = now_ms() - t;
                if (d < list_ms) list_ms = d;
                assert_int_equal(n, (size_t)n_obj);
                assert_string_equal(items[0].key, "/ns/a/obj-000000");
                store_kvs_free(items, n);
        }

        t = now_ms();
        for (long i = 0; i < n_obj; i++) {
                snprintf(key, sizeof(key), "/ns/a/obj-%06ld", (i * 7919) % n_obj);
                store_kv kv = {0};
                assert_int_equal(store_get(s, key, &kv), 0);
                store_kv_release(&kv);
        }
        double get_ms = now_ms() - t;

        print_message("# measurement: %ld creates %.0f ms (%.3f ms each, fsync per write); "
                      "list of %ld %.1f ms (best of 5); get %.1f us each\n",
                      n_obj, create_ms, create_ms / (double)n_obj, n_obj, list_ms,
                      get_ms * 1000.0 / (double)n_obj);

        /* gets while another thread writes continuously: reads use their own
         * connection and must not queue behind the writer's fsync */
        bg_writer bw = {.s = s};
        pthread_t th;
        assert_int_equal(pthread_create(&th, NULL, bg_writer_main, &bw), 0);
        long n_get = 0, slow = 0;
        double max_us = 0, sum_us = 0, t_end = now_ms() + 300;
        while (now_ms() < t_end) {
                snprintf(key, sizeof(key), "/ns/a/obj-%06ld", (n_get * 7919) % n_obj);
                store_kv kv = {0};
                t = now_ms();
                assert_int_equal(store_get(s, key, &kv), 0);
                double us = (now_ms() - t) * 1000.0;
                store_kv_release(&kv);
                sum_us += us;
                if (us > max_us) max_us = us;
                if (us > 200) slow++;
                n_get++;
        }
        atomic_store(&bw.stop, true);
        pthread_join(th, NULL);
        assert_int_equal(bw.failures, 0);
        print_message("# measurement: %ld gets during 300 ms of concurrent writes (%ld writes): "
                      "%.1f us avg, %ld over 200 us, %.0f us max\n",
                      n_get, bw.writes, sum_us / (double)n_get, slow, max_us);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(create_get_update_delete, setup, teardown),
                cmocka_unit_test_setup_teardown(error_paths, setup, teardown),
                cmocka_unit_test_setup_teardown(value_callback, setup, teardown),
                cmocka_unit_test_setup_teardown(callback_abort, setup, teardown),
                cmocka_unit_test_setup_teardown(list_order_prefix_isolation, setup, teardown),
                cmocka_unit_test_setup_teardown(list_pagination, setup, teardown),
                cmocka_unit_test_setup_teardown(events_prefix, setup, teardown),
                cmocka_unit_test_setup_teardown(compaction, setup, teardown),
                cmocka_unit_test_setup_teardown(auto_compaction, setup, teardown),
                cmocka_unit_test_setup_teardown(notify_order_concurrent, setup, teardown),
                cmocka_unit_test_setup_teardown(reopen_keeps_state, setup, teardown),
                cmocka_unit_test_setup_teardown(durability_sigkill, setup, teardown),
                cmocka_unit_test_setup_teardown(measure_create_list_get, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
