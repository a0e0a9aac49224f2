/* ocx — informer: list, watch events, bookmarks, 410 re-list, dropped
 * connections, snapshots; over a scripted fake transport. */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include "ocx/informer.h"
#include "ocx/json.h"
#include "ocx/macro.h"

#define MAXS 8
typedef struct fake {
        const char *lists[MAXS];
        size_t n_lists, list_calls;
        const char *const *watches[MAXS]; /* NULL-terminated line lists */
        int watch_rc[MAXS];
        size_t n_watches, watch_calls;
        char watch_paths[MAXS][256];
        char list_paths[MAXS][256];
        pthread_mutex_t lock;
        /* events seen */
        char log[4096];
} fake;

static int f_list(void *td, const char *path, long *st, char **body, ocx_error **err) {
        (void)err;
        fake *f = td;
        pthread_mutex_lock(&f->lock);
        size_t i = f->list_calls++;
        if (i < MAXS) snprintf(f->list_paths[i], sizeof(f->list_paths[i]), "%s", path);
        pthread_mutex_unlock(&f->lock);
        if (i >= f->n_lists) return -ECONNREFUSED;
        *st = 200;
        *body = ocx_xstrdup(f->lists[i]);
        return 0;
}

static int f_watch(void *td, const char *path, ocx_http_line_fn fn, void *ld, long *st, ocx_error **err) {
        (void)err;
        fake *f = td;
        pthread_mutex_lock(&f->lock);
        size_t i = f->watch_calls++;
        if (i < MAXS) snprintf(f->watch_paths[i], sizeof(f->watch_paths[i]), "%s", path);
        pthread_mutex_unlock(&f->lock);
        *st = 200;
        if (i < f->n_watches) {
                for (const char *const *l = f->watches[i]; *l; l++)
                        if (fn(*l, strlen(*l), ld)) return 0;
                return f->watch_rc[i];
        }
        /* idle: an empty bookmark now and then until the informer stops */
        static const char bm[] = "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{}}}";
        for (;;) {
                struct timespec ts = {0, 5000000};
                nanosleep(&ts, NULL);
                if (fn(bm, strlen(bm), ld)) return 0;
        }
}

static void on_event(ocx_informer *inf, ocx_informer_event ev, const cJSON *obj, void *ud) {
        (void)inf;
        fake *f = ud;
        static const char *names[] = {"A", "M", "D", "S"};
        pthread_mutex_lock(&f->lock);
        size_t n = strlen(f->log);
        snprintf(f->log + n, sizeof(f->log) - n, "%s%s%s ", names[ev], obj ? ":" : "",
                 obj ? ocx_json_path_str(obj, "metadata.name") : "");
        pthread_mutex_unlock(&f->lock);
}

static ocx_informer *start(fake *f) {
        ocx_informer_transport tr = {f_list, f_watch, f};
        ocx_informer_options o = {.path = "/apis/route.openshift.io/v1/routes", .on_event = on_event, .userdata = f,
                                  .transport = &tr, .backoff_min_ms = 5, .backoff_max_ms = 20, .watch_timeout_s = 7};
        ocx_informer *inf = NULL;
        pthread_mutex_init(&f->lock, NULL);
        assert_int_equal(ocx_informer_new(&o, &inf, NULL), 0);
        assert_int_equal(ocx_informer_start(inf), 0);
        return inf;
}

static void wait_for(fake *f, size_t watch_calls) {
        for (int i = 0; i < 400; i++) {
                pthread_mutex_lock(&f->lock);
                size_t n = f->watch_calls;
                pthread_mutex_unlock(&f->lock);
                if (n >= watch_calls) return;
                struct timespec ts = {0, 5000000};
                nanosleep(&ts, NULL);
        }
        fail_msg("watch was not called %zu times", watch_calls);
}

#define OBJ(name, rv) "{\"metadata\":{\"namespace\":\"ns\",\"name\":\"" name "\",\"resourceVersion\":\"" rv "\"}}"

static void list_then_watch(void **state) {
        (void)state;
        static const char *const w0[] = {
                "{\"type\":\"ADDED\",\"object\":" OBJ("c", "11") "}",
                "{\"type\":\"MODIFIED\",\"object\":" OBJ("a", "12") "}",
                "not json",
                "{\"type\":\"DELETED\",\"object\":" OBJ("b", "13") "}",
                "{\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"20\"}}}",
                NULL};
        fake f = {.lists = {"{\"metadata\":{\"resourceVersion\":\"10\"},\"items\":[" OBJ("b", "5") "," OBJ("a", "4") "]}"},
                  .n_lists = 1, .watches = {w0}, .n_watches = 1};
        ocx_informer *inf = start(&f);
        assert_true(ocx_informer_wait_synced(inf, 2000));
        wait_for(&f, 2);
        ocx_informer_stop(inf);
        assert_string_equal(f.list_paths[0], "/apis/route.openshift.io/v1/routes");
        assert_string_equal(f.watch_paths[0], "/apis/route.openshift.io/v1/routes?watch=1&resourceVersion=10"
                                              "&allowWatchBookmarks=true&timeoutSeconds=7");
        /* a clean end resumes from the last version seen (the bookmark's) */
        assert_string_equal(f.watch_paths[1], "/apis/route.openshift.io/v1/routes?watch=1&resourceVersion=20"
                                              "&allowWatchBookmarks=true&timeoutSeconds=7");
        assert_string_equal(f.log, "A:b A:a S A:c M:a D:b "); /* list order, then events */
        cJSON *snap = ocx_informer_snapshot(inf);
        assert_int_equal(cJSON_GetArraySize(snap), 2);
        assert_string_equal(ocx_json_path_str(cJSON_GetArrayItem(snap, 0), "metadata.name"), "a");
        assert_string_equal(ocx_json_path_str(cJSON_GetArrayItem(snap, 0), "metadata.resourceVersion"), "12");
        assert_null(cJSON_GetArrayItem(snap, 0)->string);
        cJSON_Delete(snap);
        cJSON *c = ocx_informer_get(inf, "ns", "c");
        assert_non_null(c);
        cJSON_Delete(c);
        assert_null(ocx_informer_get(inf, "ns", "b"));
        ocx_informer_free(inf);
}

static void expired_relists_with_diff(void **state) {
        (void)state;
        static const char *const w0[] = {
                "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"code\":410,\"reason\":\"Expired\","
                "\"message\":\"too old resource version: 1 (30)\"}}",
                "{\"type\":\"ADDED\",\"object\":" OBJ("never", "99") "}", NULL};
        fake f = {.lists = {"{\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[" OBJ("a", "1") "," OBJ("b", "1") "]}",
                            "{\"metadata\":{\"resourceVersion\":\"30\"},\"items\":[" OBJ("a", "25") "," OBJ("c", "26") "]}"},
                  .n_lists = 2, .watches = {w0}, .n_watches = 1};
        ocx_informer *inf = start(&f);
        wait_for(&f, 2);
        ocx_informer_stop(inf);
        assert_int_equal(ocx_informer_list_count(inf), 2);
        /* the re-list reports only the differences */
        assert_string_equal(f.log, "A:a A:b S M:a A:c D:b S ");
        assert_non_null(strstr(f.watch_paths[1], "resourceVersion=30&"));
        ocx_informer_free(inf);
}

static void dropped_connection_backs_off_and_relists(void **state) {
        (void)state;
        static const char *const w0[] = {"{\"type\":\"ADDED\",\"object\":" OBJ("x", "3") "}", NULL};
        fake f = {.lists = {"{\"metadata\":{\"resourceVersion\":\"2\"},\"items\":[]}",
                            "{\"metadata\":{\"resourceVersion\":\"9\"},\"items\":[" OBJ("x", "3") "]}"},
                  .n_lists = 2, .watches = {w0}, .watch_rc = {-EIO}, .n_watches = 1};
        ocx_informer *inf = start(&f);
        wait_for(&f, 2);
        ocx_informer_stop(inf);
        assert_int_equal(f.list_calls, 2);
        assert_string_equal(f.log, "S A:x S ");
        char rv[16];
        ocx_informer_resource_version(inf, rv, sizeof(rv));
        assert_true(strcmp(rv, "9") == 0);
        ocx_informer_free(inf);
}

static void list_failures_retry(void **state) {
        (void)state;
        fake f = {.n_lists = 0};
        ocx_informer *inf = start(&f);
        assert_false(ocx_informer_wait_synced(inf, 100));
        ocx_informer_stop(inf);
        assert_true(f.list_calls >= 3); /* 5, 10, 20, 20 ms back-off */
        assert_false(ocx_informer_has_synced(inf));
        ocx_informer_free(inf);
}

static void bad_options(void **state) {
        (void)state;
        ocx_informer *inf = NULL;
        _cleanup_error_ ocx_error *err = NULL;
        ocx_informer_options o = {.path = "routes"};
        assert_int_equal(ocx_informer_new(&o, &inf, &err), -EINVAL);
        assert_null(ocx_informer_free(NULL));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(list_then_watch),
                cmocka_unit_test(expired_relists_with_diff),
                cmocka_unit_test(dropped_connection_backs_off_and_relists),
                cmocka_unit_test(list_failures_retry),
                cmocka_unit_test(bad_options),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
