/* Store (SQLite backend), group commit: concurrent writers share one
 * transaction and one fsync. Gap-free distinct revisions under many writers,
 * a deterministic batch with failures in the middle (they consume no
 * revision and leave their neighbours alone), notification order, automatic
 * compaction across batches, and durability of acknowledged writes from
 * concurrent writers across SIGKILL; one measurement (prints figures,
 * asserts only correctness). */
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
        return fixture_setup(state, "ocx-test-store-batch", "store.db");
}

static int teardown(void **state) { return fixture_teardown(state); }

static void sleep_ms(long ms) {
        struct timespec t = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
        nanosleep(&t, NULL);
}

/* value callbacks */

/* what the callback was given; the value embeds the revision */
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
        return ocx_xasprintf("rv=%" PRId64, rev);
}

/* notification log */

#define LOG_MAX 4096

typedef struct notify_log {
        pthread_mutex_t lock;
        size_t n;
        int64_t revs[LOG_MAX];
        store_ev_type types[LOG_MAX];
        char *keys[LOG_MAX];
        char *values[LOG_MAX];
        pthread_t threads[LOG_MAX]; /* the thread that ran the notification */
        int behind;                 /* notified before store_revision reached the event */
        store *s;
} notify_log;

static void on_notify(const store_event *ev, void *userdata) {
        notify_log *l = userdata;
        pthread_mutex_lock(&l->lock);
        if (l->n < LOG_MAX) {
                l->revs[l->n] = ev->rev;
                l->types[l->n] = ev->type;
                l->keys[l->n] = ocx_xstrdup(ev->key);
                l->values[l->n] = ocx_xstrndup(ev->value, ev->value_len);
                l->threads[l->n] = pthread_self();
                l->n++;
        }
        if (store_revision(l->s) < ev->rev) l->behind++;
        pthread_mutex_unlock(&l->lock);
}

static notify_log *log_new(store *s) {
        notify_log *l = ocx_xcalloc(1, sizeof(*l));
        pthread_mutex_init(&l->lock, NULL);
        l->s = s;
        store_set_notify(s, on_notify, l);
        return l;
}

static void log_free(notify_log *l) {
        store_set_notify(l->s, NULL, NULL);
        for (size_t i = 0; i < l->n; i++) {
                free(l->keys[i]);
                free(l->values[i]);
        }
        pthread_mutex_destroy(&l->lock);
        free(l);
}

/* ---- many writers: distinct, gap-free revisions ---- */

#define MANY_THREADS 8
#define MANY_KEYS 25 /* per thread, each created, updated twice, deleted */

typedef struct many_arg {
        store *s;
        int id;
        pthread_t self;
        int64_t revs[MANY_KEYS * 5];
        size_t n_revs;
        int failures;
        int expected_failures; /* -EEXIST seen where the test asked for one */
} many_arg;

static void record(many_arg *a, int64_t rev) {
        if (a->n_revs > 0 && rev <= a->revs[a->n_revs - 1]) a->failures++; /* own writes in order */
        a->revs[a->n_revs++] = rev;
}

static void *many_main(void *p) {
        many_arg *a = p;
        a->self = pthread_self();
        char key[64];
        for (int i = 0; i < MANY_KEYS; i++) {
                snprintf(key, sizeof(key), "/g/t%d/%03d", a->id, i);
                seen sn = {0};
                store_kv kv = {0};
                if (store_create(a->s, key, val_record, &sn, &kv, NULL) < 0 || sn.rev != kv.mod_rev || sn.prev ||
                    kv.create_rev != kv.mod_rev)
                        a->failures++;
                record(a, kv.mod_rev);
                int64_t rev = kv.mod_rev;
                _cleanup_free_ char *last = TAKE_PTR(kv.value);
                store_kv_release(&kv);

                /* a refused create between writes: no revision, no effect */
                _cleanup_error_ ocx_error *e = NULL;
                if (store_create(a->s, key, val_record, &sn, NULL, &e) == -EEXIST && e && e->code == EEXIST)
                        a->expected_failures++;

                for (int u = 0; u < 2; u++) {
                        if (store_update(a->s, key, rev, val_record, &sn, &kv, NULL) < 0 || sn.rev != kv.mod_rev ||
                            !sn.prev || strcmp(sn.prev, last) != 0)
                                a->failures++;
                        record(a, kv.mod_rev);
                        rev = kv.mod_rev;
                        free(last);
                        last = TAKE_PTR(kv.value);
                        store_kv_release(&kv);
                }
                if (store_delete(a->s, key, rev, &kv) < 0 || !kv.value || strcmp(kv.value, last) != 0) a->failures++;
                record(a, kv.mod_rev);
                store_kv_release(&kv);
                /* recreate every other key, so the store is not empty at the end */
                if (i % 2 == 0) {
                        if (store_create(a->s, key, val_record, &sn, &kv, NULL) < 0) a->failures++;
                        record(a, kv.mod_rev);
                        store_kv_release(&kv);
                }
                free(sn.prev);
        }
        return NULL;
}

static void many_writers_gapless(void **state) {
        fixture *f = *state;
        store *s = f->s;
        assert_int_equal(store_sqlite_set_history_limit(s, 50), 0);
        notify_log *l = log_new(s);

        pthread_t th[MANY_THREADS];
        many_arg *args = ocx_xcalloc(MANY_THREADS, sizeof(*args));
        for (int i = 0; i < MANY_THREADS; i++) {
                args[i].s = s;
                args[i].id = i;
                assert_int_equal(pthread_create(&th[i], NULL, many_main, &args[i]), 0);
        }
        size_t total = 0;
        for (int i = 0; i < MANY_THREADS; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(args[i].failures, 0);
                assert_int_equal(args[i].expected_failures, MANY_KEYS);
                total += args[i].n_revs;
        }
        assert_int_equal(total, MANY_THREADS * (MANY_KEYS * 4 + (MANY_KEYS + 1) / 2));

        /* every committed write has its own revision, together exactly 1..total */
        bool *used = ocx_xcalloc(total + 1, sizeof(bool));
        for (int i = 0; i < MANY_THREADS; i++)
                for (size_t j = 0; j < args[i].n_revs; j++) {
                        int64_t r = args[i].revs[j];
                        assert_true(r >= 1 && r <= (int64_t)total);
                        assert_false(used[r]);
                        used[r] = true;
                }
        free(used);
        assert_int_equal(store_revision(s), (int64_t)total);

        /* notified once per write, in revision order, never ahead of store_revision */
        assert_int_equal(l->n, total);
        assert_int_equal(l->behind, 0);
        size_t foreign = 0; /* notifications run by another writer's batch */
        for (size_t i = 0; i < l->n; i++) {
                assert_int_equal(l->revs[i], (int64_t)i + 1);
                unsigned id = (unsigned)(l->keys[i][4] - '0');
                assert_true(id < MANY_THREADS);
                if (!pthread_equal(l->threads[i], args[id].self)) foreign++;
        }
        print_message("# %zu writes from %d threads; %zu committed in another writer's batch\n", total, MANY_THREADS,
                      foreign);
        assert_true(foreign > 0); /* writes were grouped */

        /* the history kept by automatic compaction matches the notifications */
        int64_t oldest = store_oldest_revision(s);
        assert_true(store_revision(s) - oldest + 1 <= 51);
        store_event *evs = NULL;
        size_t n = 0;
        assert_int_equal(store_events_since(s, "", oldest - 1, 0, &evs, &n), 0);
        assert_int_equal(n, (size_t)(store_revision(s) - oldest + 1));
        for (size_t i = 0; i < n; i++) {
                size_t at = (size_t)(evs[i].rev - 1);
                assert_int_equal(evs[i].rev, oldest + (int64_t)i);
                assert_int_equal(evs[i].type, l->types[at]);
                assert_string_equal(evs[i].key, l->keys[at]);
                assert_string_equal(evs[i].value, l->values[at]);
        }
        store_events_free(evs, n);

        store_kv *items = NULL;
        assert_int_equal(store_list(s, "/g/", NULL, 0, &items, &n, NULL), 0);
        assert_int_equal(n, MANY_THREADS * ((MANY_KEYS + 1) / 2));
        store_kvs_free(items, n);
        free(args);
        log_free(l);
}

/* ---- one batch built deterministically, with failures in the middle ---- */

typedef struct gate {
        pthread_mutex_t lock;
        pthread_cond_t cond;
        bool entered, open;
} gate;

/* holds its batch (and so the writer) open until the test opens the gate */
static char *val_gate(int64_t rev, const char *prev, void *userdata, ocx_error **reterr) {
        (void)rev;
        (void)prev;
        (void)reterr;
        gate *g = userdata;
        pthread_mutex_lock(&g->lock);
        g->entered = true;
        pthread_cond_broadcast(&g->cond);
        while (!g->open) pthread_cond_wait(&g->cond, &g->lock);
        pthread_mutex_unlock(&g->lock);
        return ocx_xstrdup("a-v");
}

typedef struct call {
        store *s;
        const char *key;
        int64_t expected_rev;
        store_value_fn fn;
        void *userdata;
        store_kv kv;
        ocx_error *err;
        pthread_t th;
        enum { C_CREATE, C_UPDATE, C_DELETE } op;
        int result;
} call;

static void *call_main(void *p) {
        call *c = p;
        if (c->op == C_CREATE)
                c->result = store_create(c->s, c->key, c->fn, c->userdata, &c->kv, &c->err);
        else if (c->op == C_UPDATE)
                c->result = store_update(c->s, c->key, c->expected_rev, c->fn, c->userdata, &c->kv, &c->err);
        else
                c->result = store_delete(c->s, c->key, c->expected_rev, &c->kv);
        return NULL;
}

/* bounded wait until n writes are queued behind the running batch */
static void wait_queued(store *s, size_t n) {
        double deadline = now_ms() + 5000;
        while (store_sqlite_queued_writes(s) < n) {
                assert_true(now_ms() < deadline);
                sleep_ms(1);
        }
        assert_int_equal(store_sqlite_queued_writes(s), n);
}

static void batch_mixed_failures(void **state) {
        fixture *f = *state;
        store *s = f->s;
        store_kv kv = {0};
        assert_int_equal(store_create(s, "/m/exists", val_const, "exists-v", NULL, NULL), 0); /* 1 */
        assert_int_equal(store_create(s, "/m/upd", val_const, "upd-v", NULL, NULL), 0);       /* 2 */
        assert_int_equal(store_create(s, "/m/stale", val_const, "stale-v", NULL, NULL), 0);   /* 3 */
        notify_log *l = log_new(s);

        /* batch 1: A alone, held open inside its value callback */
        gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
        call a = {.s = s, .op = C_CREATE, .key = "/m/a", .fn = val_gate, .userdata = &g};
        assert_int_equal(pthread_create(&a.th, NULL, call_main, &a), 0);
        pthread_mutex_lock(&g.lock);
        while (!g.entered) pthread_cond_wait(&g.cond, &g.lock);
        pthread_mutex_unlock(&g.lock);

        /* batch 2, queued in this order while A's batch is open */
        seen sn[9] = {0};
        call c[] = {
            {.op = C_CREATE, .key = "/m/b", .fn = val_record},                         /* rev 5 */
            {.op = C_CREATE, .key = "/m/exists", .fn = val_record},                    /* -EEXIST */
            {.op = C_UPDATE, .key = "/m/upd", .expected_rev = 2, .fn = val_record},    /* rev 6 */
            {.op = C_UPDATE, .key = "/m/stale", .expected_rev = 99, .fn = val_record}, /* -ESTALE */
            {.op = C_CREATE, .key = "/m/c", .fn = val_refuse},                         /* -EINVAL */
            {.op = C_DELETE, .key = "/m/missing"},                                     /* -ENOENT */
            {.op = C_DELETE, .key = "/m/exists", .expected_rev = 1},                   /* rev 7 */
            {.op = C_CREATE, .key = "/m/b", .fn = val_record}, /* -EEXIST: created earlier in this batch */
            {.op = C_UPDATE, .key = "/m/b", .expected_rev = 5, .fn = val_record}, /* rev 8 */
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(c); i++) {
                c[i].s = s;
                c[i].userdata = &sn[i];
                assert_int_equal(pthread_create(&c[i].th, NULL, call_main, &c[i]), 0);
                wait_queued(s, i + 1);
        }
        pthread_mutex_lock(&g.lock);
        g.open = true;
        pthread_cond_broadcast(&g.cond);
        pthread_mutex_unlock(&g.lock);
        pthread_join(a.th, NULL);
        for (size_t i = 0; i < OCX_ARRAY_SIZE(c); i++) pthread_join(c[i].th, NULL);

        assert_int_equal(a.result, 0);
        assert_int_equal(a.kv.mod_rev, 4);

        /* successes: consecutive revisions, each callback saw its own */
        assert_int_equal(c[0].result, 0);
        assert_int_equal(c[0].kv.mod_rev, 5);
        assert_int_equal(c[0].kv.create_rev, 5);
        assert_int_equal(sn[0].rev, 5);
        assert_null(sn[0].prev);
        assert_string_equal(c[0].kv.value, "rv=5");
        assert_int_equal(c[2].result, 0);
        assert_int_equal(c[2].kv.mod_rev, 6);
        assert_int_equal(c[2].kv.create_rev, 2);
        assert_int_equal(sn[2].rev, 6);
        assert_string_equal(sn[2].prev, "upd-v");
        assert_int_equal(c[6].result, 0);
        assert_int_equal(c[6].kv.mod_rev, 7);
        assert_string_equal(c[6].kv.value, "exists-v");
        assert_int_equal(c[8].result, 0);
        assert_int_equal(c[8].kv.mod_rev, 8);
        assert_int_equal(c[8].kv.create_rev, 5);
        assert_string_equal(sn[8].prev, "rv=5"); /* written earlier in the same batch */
        assert_string_equal(c[8].kv.value, "rv=8");

        /* failures: their own code and message, nothing returned, nothing written */
        assert_int_equal(c[1].result, -EEXIST);
        assert_string_equal(c[1].err->message, "key '/m/exists' already exists");
        assert_int_equal(c[3].result, -ESTALE);
        assert_int_equal(c[3].err->code, ESTALE);
        assert_int_equal(c[4].result, -EINVAL);
        assert_string_equal(c[4].err->field, "spec.x");
        assert_int_equal(c[5].result, -ENOENT);
        assert_int_equal(c[7].result, -EEXIST);
        int failed[] = {1, 3, 4, 5, 7};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(failed); i++) {
                assert_null(c[failed[i]].kv.key);
                assert_int_equal(c[failed[i]].kv.mod_rev, 0);
        }
        assert_int_equal(sn[1].calls + sn[3].calls + sn[7].calls, 0); /* preconditions first */
        for (size_t i = 0; i < OCX_ARRAY_SIZE(c); i++) {
                store_kv_release(&c[i].kv);
                ocx_error_free(c[i].err);
                free(sn[i].prev);
        }
        store_kv_release(&a.kv);

        /* one notification per committed write, in order; batch 2 was
         * committed, and notified, by one thread */
        assert_int_equal(store_revision(s), 8);
        assert_int_equal(l->n, 5);
        assert_int_equal(l->behind, 0);
        const char *keys[] = {"/m/a", "/m/b", "/m/upd", "/m/exists", "/m/b"};
        store_ev_type types[] = {STORE_EV_PUT_CREATE, STORE_EV_PUT_CREATE, STORE_EV_PUT_UPDATE, STORE_EV_DELETE,
                                 STORE_EV_PUT_UPDATE};
        for (size_t i = 0; i < l->n; i++) {
                assert_int_equal(l->revs[i], (int64_t)i + 4);
                assert_string_equal(l->keys[i], keys[i]);
                assert_int_equal(l->types[i], types[i]);
        }
        for (size_t i = 2; i < l->n; i++) assert_true(pthread_equal(l->threads[i], l->threads[1]));
        assert_false(pthread_equal(l->threads[0], l->threads[1]));
        log_free(l);

        /* the stored state and history, also after a reopen */
        for (int pass = 0; pass < 2; pass++) {
                store_event *evs = NULL;
                size_t n = 0;
                assert_int_equal(store_events_since(f->s, "", 3, 0, &evs, &n), 0);
                assert_int_equal(n, 5);
                for (size_t i = 0; i < n; i++) assert_int_equal(evs[i].rev, (int64_t)i + 4);
                store_events_free(evs, n);
                assert_int_equal(store_revision(f->s), 8);
                assert_int_equal(store_get(f->s, "/m/c", &kv), -ENOENT);
                assert_int_equal(store_get(f->s, "/m/exists", &kv), -ENOENT);
                assert_int_equal(store_get(f->s, "/m/stale", &kv), 0);
                assert_int_equal(kv.mod_rev, 3);
                store_kv_release(&kv);
                assert_int_equal(store_get(f->s, "/m/b", &kv), 0);
                assert_string_equal(kv.value, "rv=8");
                store_kv_release(&kv);
                f->s = store_close(f->s);
                assert_int_equal(store_open_sqlite(f->path, &f->s, NULL), 0);
        }
        assert_int_equal(store_create(f->s, "/m/next", val_const, "v", &kv, NULL), 0);
        assert_int_equal(kv.mod_rev, 9);
        store_kv_release(&kv);
}

/* A batch in which every request fails commits nothing and consumes nothing. */
static void batch_all_refused(void **state) {
        fixture *f = *state;
        store *s = f->s;
        assert_int_equal(store_create(s, "/r/a", val_const, "v", NULL, NULL), 0);
        gate g = {.lock = PTHREAD_MUTEX_INITIALIZER, .cond = PTHREAD_COND_INITIALIZER};
        call a = {.s = s, .op = C_CREATE, .key = "/r/gate", .fn = val_gate, .userdata = &g};
        assert_int_equal(pthread_create(&a.th, NULL, call_main, &a), 0);
        pthread_mutex_lock(&g.lock);
        while (!g.entered) pthread_cond_wait(&g.cond, &g.lock);
        pthread_mutex_unlock(&g.lock);
        call c[] = {
            {.op = C_CREATE, .key = "/r/a", .fn = val_const, .userdata = "w"},
            {.op = C_DELETE, .key = "/r/none"},
            {.op = C_UPDATE, .key = "/r/a", .expected_rev = 7, .fn = val_const, .userdata = "w"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(c); i++) {
                c[i].s = s;
                assert_int_equal(pthread_create(&c[i].th, NULL, call_main, &c[i]), 0);
                wait_queued(s, i + 1);
        }
        pthread_mutex_lock(&g.lock);
        g.open = true;
        pthread_cond_broadcast(&g.cond);
        pthread_mutex_unlock(&g.lock);
        pthread_join(a.th, NULL);
        for (size_t i = 0; i < OCX_ARRAY_SIZE(c); i++) pthread_join(c[i].th, NULL);
        assert_int_equal(a.result, 0);
        assert_int_equal(a.kv.mod_rev, 2);
        store_kv_release(&a.kv);
        assert_int_equal(c[0].result, -EEXIST);
        assert_int_equal(c[1].result, -ENOENT);
        assert_int_equal(c[2].result, -ESTALE);
        for (size_t i = 0; i < OCX_ARRAY_SIZE(c); i++) ocx_error_free(c[i].err);
        assert_int_equal(store_revision(s), 2);
        store_kv kv = {0};
        assert_int_equal(store_create(s, "/r/b", val_const, "v", &kv, NULL), 0);
        assert_int_equal(kv.mod_rev, 3);
        store_kv_release(&kv);
}

/* ---- acknowledged writes of concurrent writers survive SIGKILL ---- */

#define DUR_THREADS 8

typedef struct dur_arg {
        store *s;
        int id;
        int fd;
} dur_arg;

static void *dur_main(void *p) {
        dur_arg *a = p;
        for (unsigned i = 0;; i++) {
                char key[64];
                int len = snprintf(key, sizeof(key), "/dur/t%d/%08u", a->id, i);
                if (store_create(a->s, key, val_const, "v", NULL, NULL) < 0) _exit(3);
                key[len++] = '\n';
                /* one write of less than PIPE_BUF: lines do not interleave */
                if (write(a->fd, key, (size_t)len) != len) _exit(4);
        }
        return NULL;
}

static void durability_concurrent_sigkill(void **state) {
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
                dur_arg args[DUR_THREADS];
                pthread_t th[DUR_THREADS];
                for (int i = 0; i < DUR_THREADS; i++) {
                        args[i] = (dur_arg){.s = cs, .id = i, .fd = p[1]};
                        if (pthread_create(&th[i], NULL, dur_main, &args[i]) != 0) _exit(5);
                }
                for (;;) pause();
        }
        close(p[1]);

        /* read acknowledgements for ~300 ms, then kill, then drain */
        _cleanup_free_ char *buf = read_acks_then_sigkill(pid, p[0], 1 << 22);

        assert_int_equal(store_open_sqlite(f->path, &f->s, NULL), 0);
        int64_t rev = store_revision(f->s), prev_rev[DUR_THREADS] = {0};
        size_t acked = 0;
        char *save = NULL;
        for (char *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                store_kv kv = {0};
                assert_int_equal(store_get(f->s, line, &kv), 0);
                unsigned id = (unsigned)(line[6] - '0');
                assert_true(id < DUR_THREADS);
                assert_true(kv.mod_rev <= rev);
                assert_true(kv.mod_rev > prev_rev[id]);
                prev_rev[id] = kv.mod_rev;
                store_kv_release(&kv);
                acked++;
        }
        print_message("# durability: %zu acknowledged creates from %d threads in 300 ms, store revision %" PRId64
                      " after SIGKILL\n",
                      acked, DUR_THREADS, rev);
        assert_true(acked > 0);
        assert_true(rev >= (int64_t)acked);

        /* what was committed is whole: one object per revision, no gap */
        store_kv *items = NULL;
        size_t n = 0;
        assert_int_equal(store_list(f->s, "/dur/", NULL, 0, &items, &n, NULL), 0);
        assert_int_equal((int64_t)n, rev);
        bool *used = ocx_xcalloc((size_t)rev + 1, sizeof(bool));
        for (size_t i = 0; i < n; i++) {
                assert_true(items[i].mod_rev >= 1 && items[i].mod_rev <= rev);
                assert_false(used[items[i].mod_rev]);
                used[items[i].mod_rev] = true;
        }
        free(used);
        store_kvs_free(items, n);
        store_kv kv = {0};
        assert_int_equal(store_create(f->s, "/dur/after", val_const, "v", &kv, NULL), 0);
        assert_int_equal(kv.mod_rev, rev + 1);
        store_kv_release(&kv);
}

/* MEASUREMENT, not a pass/fail performance check: 50 threads creating 100
 * small objects each (the API benchmark's create phase without HTTP); prints
 * per-create latency and the number of commits as TAP comments. */

#define MEASURE_THREADS 50
#define MEASURE_PER 100

typedef struct measure_arg {
        store *s;
        double *ms;
        int id;
        int failures;
} measure_arg;

static void *measure_main(void *p) {
        measure_arg *a = p;
        char key[64];
        for (int i = 0; i < MEASURE_PER; i++) {
                snprintf(key, sizeof(key), "/ns/bench/b%d-%d", a->id, i);
                double t = now_ms();
                if (store_create(a->s, key, val_const, "{\"data\":{\"k\":\"v\"}}", NULL, NULL) < 0) a->failures++;
                a->ms[i] = now_ms() - t;
        }
        return NULL;
}

static int cmp_double(const void *x, const void *y) {
        double a = *(const double *)x, b = *(const double *)y;
        return a < b ? -1 : a > b;
}

static void on_notify_count(const store_event *ev, void *userdata) {
        (void)ev;
        (*(size_t *)userdata)++; /* under the store's write lock */
}

static void measure_concurrent_creates(void **state) {
        fixture *f = *state;
        size_t n_notified = 0;
        store_set_notify(f->s, on_notify_count, &n_notified);
        double *ms = ocx_xcalloc((size_t)MEASURE_THREADS * MEASURE_PER, sizeof(double));
        measure_arg args[MEASURE_THREADS];
        pthread_t th[MEASURE_THREADS];
        double t = now_ms();
        for (int i = 0; i < MEASURE_THREADS; i++) {
                args[i] = (measure_arg){.s = f->s, .id = i, .ms = ms + (size_t)i * MEASURE_PER};
                assert_int_equal(pthread_create(&th[i], NULL, measure_main, &args[i]), 0);
        }
        for (int i = 0; i < MEASURE_THREADS; i++) {
                pthread_join(th[i], NULL);
                assert_int_equal(args[i].failures, 0);
        }
        double total_ms = now_ms() - t;
        store_set_notify(f->s, NULL, NULL);
        size_t n = (size_t)MEASURE_THREADS * MEASURE_PER;
        assert_int_equal(n_notified, n);
        assert_int_equal(store_revision(f->s), (int64_t)n);
        qsort(ms, n, sizeof(double), cmp_double);
        print_message("# measurement: %zu creates from %d threads in %.0f ms: p50 %.2f ms, p99 %.2f ms, "
                      "max %.2f ms\n",
                      n, MEASURE_THREADS, total_ms, ms[n / 2], ms[n * 99 / 100], ms[n - 1]);
        free(ms);
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test_setup_teardown(many_writers_gapless, setup, teardown),
            cmocka_unit_test_setup_teardown(batch_mixed_failures, setup, teardown),
            cmocka_unit_test_setup_teardown(batch_all_refused, setup, teardown),
            cmocka_unit_test_setup_teardown(durability_concurrent_sigkill, setup, teardown),
            cmocka_unit_test_setup_teardown(measure_concurrent_creates, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
