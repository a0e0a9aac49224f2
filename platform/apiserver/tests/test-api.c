/* The request pipeline end to end in-process: api_handle over a real SQLite
 * store in a temporary directory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "apiserver/api.h"
#include "apiserver/watch.h"
#include "controllers/gc.h"
#include "ocx/json.h"

static api_server srv;
static char dir[64];

static int setup(void **state) {
        (void)state;
        snprintf(dir, sizeof(dir), "/tmp/ocx-test-api.XXXXXX");
        if (!mkdtemp(dir)) return -1;
        char db[128];
        snprintf(db, sizeof(db), "%s/ocx.db", dir);
        api_config cfg = {.base_dir = dir, .routing_suffix = "apps.example.com", .listen = "127.0.0.1:1"};
        return api_server_init(&srv, &cfg, db, NULL);
}

static int teardown(void **state) {
        (void)state;
        api_server_release(&srv);
        char cmd[160];
        snprintf(cmd, sizeof(cmd), "%s/ocx.db", dir);
        unlink(cmd);
        snprintf(cmd, sizeof(cmd), "%s/ocx.db-wal", dir);
        unlink(cmd);
        snprintf(cmd, sizeof(cmd), "%s/ocx.db-shm", dir);
        unlink(cmd);
        snprintf(cmd, sizeof(cmd), "%s/ocx.db.lock", dir);
        unlink(cmd);
        rmdir(dir);
        return 0;
}

/* Performs a request; returns the status and the parsed body in *ret (may be NULL). */
static int call(const char *method, const char *path, const char *ctype, const char *body, cJSON **ret) {
        api_request req = {.method = method, .path = path, .content_type = ctype ? ctype : "application/json",
                           .body = body, .body_len = body ? strlen(body) : 0};
        const char *q = strchr(path, '?');
        char p[512];
        if (q) {
                snprintf(p, sizeof(p), "%.*s", (int)(q - path), path);
                req.path = p;
                if (strstr(q, "propagationPolicy=Foreground")) req.q.propagation_policy = "Foreground";
                if (strstr(q, "propagationPolicy=Orphan")) req.q.propagation_policy = "Orphan";
                if (strstr(q, "labelSelector=app%3Dx")) req.q.label_selector = "app=x";
                if (strstr(q, "fieldValidation=Ignore")) req.q.field_validation = "Ignore";
        }
        api_response resp = {0};
        api_handle(&srv, &req, &resp);
        int st = resp.status;
        if (ret) {
                *ret = NULL;
                if (resp.body) ocx_json_parse(resp.body, resp.body_len, ret, NULL);
        }
        api_response_release(&resp);
        return st;
}

static const char *msg_of(const cJSON *st) { return ocx_json_get_str(st, "message"); }

static void create_get_list(void **state) {
        (void)state;
        cJSON *o;
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL,
                              "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c1\",\"labels\":{\"app\":\"x\"}},\"data\":{\"k\":\"v\"}}", &o),
                         201);
        assert_non_null(ocx_json_path_str(o, "metadata.uid"));
        assert_non_null(ocx_json_path_str(o, "metadata.resourceVersion"));
        assert_string_equal(o->child->string, "apiVersion");
        cJSON_Delete(o);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/c1", NULL, NULL, &o), 200);
        assert_string_equal(ocx_json_path_str(o, "data.k"), "v");
        cJSON_Delete(o);
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, "{\"metadata\":{\"name\":\"c1\"}}", &o), 409);
        assert_string_equal(ocx_json_get_str(o, "reason"), "AlreadyExists");
        assert_string_equal(msg_of(o), "configmaps \"c1\" already exists");
        cJSON_Delete(o);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/nope", NULL, NULL, &o), 404);
        assert_string_equal(msg_of(o), "configmaps \"nope\" not found");
        cJSON_Delete(o);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps?labelSelector=app%3Dx", NULL, NULL, &o), 200);
        assert_string_equal(ocx_json_get_str(o, "kind"), "ConfigMapList");
        assert_int_equal(cJSON_GetArraySize(ocx_json_get(o, "items")), 1);
        cJSON_Delete(o);
}

static void bad_input(void **state) {
        (void)state;
        cJSON *o;
        const char *routes = "/apis/route.openshift.io/v1/namespaces/default/routes";
        assert_int_equal(call("POST", routes, NULL, "{\"metadata\":{\"name\":\"r\"}, \"spec\":", &o), 400);
        assert_non_null(strstr(msg_of(o), "line 1"));
        cJSON_Delete(o);
        assert_int_equal(call("POST", routes, NULL, "{\"metadata\":{\"name\":\"r\",\"name\":\"s\"},\"spec\":{\"to\":{\"name\":\"a\"}}}", &o), 400);
        cJSON_Delete(o);
        assert_int_equal(call("POST", routes, NULL, "{\"metadata\":{\"name\":\"r\"},\"spec\":{\"to\":{\"name\":\"a\"},\"bogus\":1}}", &o), 400);
        assert_string_equal(msg_of(o), "strict decoding error: unknown field \"spec.bogus\"");
        cJSON_Delete(o);
        assert_int_equal(call("POST", "/apis/route.openshift.io/v1/namespaces/default/routes?fieldValidation=Ignore", NULL,
                              "{\"metadata\":{\"name\":\"lenient\"},\"spec\":{\"to\":{\"name\":\"a\"},\"bogus\":1}}", &o), 201);
        assert_null(ocx_json_path(o, "spec.bogus"));
        cJSON_Delete(o);
        assert_int_equal(call("POST", routes, NULL, "{\"metadata\":{\"name\":\"r\"},\"spec\":{\"to\":{\"name\":\"a\",\"weight\":\"x\"}}}", &o), 422);
        assert_string_equal(msg_of(o), "Route.route.openshift.io \"r\" is invalid: spec.to.weight: Invalid value: \"string\": spec.to.weight in body must be of type integer: \"string\"");
        cJSON_Delete(o);
        assert_int_equal(call("POST", routes, NULL, "{\"metadata\":{\"name\":\"Not_DNS\"},\"spec\":{\"to\":{\"name\":\"a\"}}}", &o), 422);
        assert_string_equal(ocx_json_path_str(cJSON_GetArrayItem(ocx_json_path(o, "details.causes"), 0), "field"), "metadata.name");
        cJSON_Delete(o);
        assert_int_equal(call("POST", "/apis/route.openshift.io/v1/namespaces/missing/routes", NULL,
                              "{\"metadata\":{\"name\":\"r\"},\"spec\":{\"to\":{\"name\":\"a\"}}}", &o), 404);
        assert_string_equal(msg_of(o), "namespaces \"missing\" not found");
        cJSON_Delete(o);
        assert_int_equal(call("POST", "/apis/route.openshift.io/v1/routes", NULL, "{}", &o), 404);
        cJSON_Delete(o);
        assert_int_equal(call("GET", "/apis/nothing.example.com/v1/things", NULL, NULL, &o), 404);
        cJSON_Delete(o);
        assert_int_equal(call("GET", "/api/v1/namespaces/../secrets", NULL, NULL, &o), 400);
        cJSON_Delete(o);
        api_request big = {.method = "POST", .path = "/api/v1/namespaces/default/configmaps", .body_too_large = true};
        api_response resp = {0};
        api_handle(&srv, &big, &resp);
        assert_int_equal(resp.status, 413);
        api_response_release(&resp);
        /* nothing above was stored */
        assert_int_equal(call("GET", "/apis/route.openshift.io/v1/namespaces/default/routes/r", NULL, NULL, &o), 404);
        cJSON_Delete(o);
}

static void update_conflict_and_immutable(void **state) {
        (void)state;
        cJSON *o;
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, "{\"metadata\":{\"name\":\"u1\"},\"data\":{\"a\":\"1\"}}", &o), 201);
        char *rv = strdup(ocx_json_path_str(o, "metadata.resourceVersion"));
        cJSON_Delete(o);
        char body[256];
        snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"u1\",\"resourceVersion\":\"%s\"},\"data\":{\"a\":\"2\"}}", rv);
        assert_int_equal(call("PUT", "/api/v1/namespaces/default/configmaps/u1", NULL, body, &o), 200);
        cJSON_Delete(o);
        /* the same (now stale) resourceVersion again */
        assert_int_equal(call("PUT", "/api/v1/namespaces/default/configmaps/u1", NULL, body, &o), 409);
        assert_string_equal(msg_of(o), "Operation cannot be fulfilled on configmaps \"u1\": the object has been modified; please apply your changes to the latest version and try again");
        cJSON_Delete(o);
        free(rv);
        assert_int_equal(call("PUT", "/api/v1/namespaces/default/configmaps/u1", NULL,
                              "{\"metadata\":{\"name\":\"u1\",\"uid\":\"00000000-0000-4000-8000-000000000000\"},\"data\":{}}", &o), 422);
        assert_non_null(strstr(msg_of(o), "metadata.uid: Invalid value: \"00000000-0000-4000-8000-000000000000\": field is immutable"));
        cJSON_Delete(o);
        assert_int_equal(call("PUT", "/api/v1/namespaces/default/configmaps/u1", NULL, "{\"metadata\":{\"name\":\"other\"},\"data\":{}}", &o), 422);
        cJSON_Delete(o);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/u1", NULL, NULL, &o), 200);
        assert_string_equal(ocx_json_path_str(o, "data.a"), "2");
        cJSON_Delete(o);
}

static void patches(void **state) {
        (void)state;
        cJSON *o;
        const char *r = "/apis/route.openshift.io/v1/namespaces/default/routes/p1";
        assert_int_equal(call("POST", "/apis/route.openshift.io/v1/namespaces/default/routes", NULL,
                              "{\"metadata\":{\"name\":\"p1\"},\"spec\":{\"to\":{\"name\":\"a\"}}}", &o), 201);
        assert_string_equal(ocx_json_path_str(o, "spec.host"), "p1-default.apps.example.com");
        cJSON_Delete(o);
        assert_int_equal(call("PATCH", r, "application/merge-patch+json", "{\"spec\":{\"path\":\"/x\"}}", &o), 200);
        assert_string_equal(ocx_json_path_str(o, "spec.path"), "/x");
        cJSON_Delete(o);
        assert_int_equal(call("PATCH", r, "application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/spec/path\",\"value\":\"/y\"}]", &o), 200);
        assert_string_equal(ocx_json_path_str(o, "spec.path"), "/y");
        cJSON_Delete(o);
        assert_int_equal(call("PATCH", r, "application/json-patch+json", "[{\"op\":\"test\",\"path\":\"/spec/path\",\"value\":\"/nope\"}]", &o), 422);
        cJSON_Delete(o);
        assert_int_equal(call("PATCH", r, "application/merge-patch+json", "{\"spec\":{\"path\":\"no-slash\"}}", &o), 422);
        assert_string_equal(msg_of(o), "Route.route.openshift.io \"p1\" is invalid: spec.path: Invalid value: \"no-slash\": path must begin with /");
        cJSON_Delete(o);
        assert_int_equal(call("PATCH", r, "application/merge-patch+json", "{\"metadata\":{\"name\":\"renamed\"}}", &o), 422);
        cJSON_Delete(o);
}

static void gc_modes(void **state) {
        (void)state;
        cJSON *o;
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, "{\"metadata\":{\"name\":\"owner\"}}", &o), 201);
        char *uid = strdup(ocx_json_path_str(o, "metadata.uid"));
        cJSON_Delete(o);
        char body[512];
        const char *names[] = {"dep1", "dep2"};
        for (int i = 0; i < 2; i++) {
                snprintf(body, sizeof(body),
                         "{\"metadata\":{\"name\":\"%s\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\"%s\"}]}}",
                         names[i], uid);
                assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, body, &o), 201);
                cJSON_Delete(o);
        }
        assert_int_equal(call("DELETE", "/api/v1/namespaces/default/configmaps/owner", NULL, NULL, &o), 200);
        cJSON_Delete(o);
        gc_drain(&srv);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/dep1", NULL, NULL, NULL), 404);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/dep2", NULL, NULL, NULL), 404);
        free(uid);

        /* orphan keeps the dependent and drops the reference */
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, "{\"metadata\":{\"name\":\"owner2\"}}", &o), 201);
        uid = strdup(ocx_json_path_str(o, "metadata.uid"));
        cJSON_Delete(o);
        snprintf(body, sizeof(body),
                 "{\"metadata\":{\"name\":\"kept\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner2\",\"uid\":\"%s\"}]}}", uid);
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, body, NULL), 201);
        assert_int_equal(call("DELETE", "/api/v1/namespaces/default/configmaps/owner2?propagationPolicy=Orphan", NULL, NULL, NULL), 200);
        gc_drain(&srv);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/kept", NULL, NULL, &o), 200);
        assert_int_equal(cJSON_GetArraySize(ocx_json_path(o, "metadata.ownerReferences")), 0);
        cJSON_Delete(o);
        free(uid);

        /* foreground: the owner stays (with a finalizer) until dependents are gone */
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, "{\"metadata\":{\"name\":\"owner3\"}}", &o), 201);
        uid = strdup(ocx_json_path_str(o, "metadata.uid"));
        cJSON_Delete(o);
        snprintf(body, sizeof(body),
                 "{\"metadata\":{\"name\":\"child3\",\"ownerReferences\":[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"owner3\",\"uid\":\"%s\"}]}}", uid);
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, body, NULL), 201);
        assert_int_equal(call("DELETE", "/api/v1/namespaces/default/configmaps/owner3?propagationPolicy=Foreground", NULL, NULL, &o), 202);
        assert_non_null(ocx_json_path(o, "metadata.deletionTimestamp"));
        cJSON_Delete(o);
        gc_drain(&srv);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/child3", NULL, NULL, NULL), 404);
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps/owner3", NULL, NULL, NULL), 404);
        free(uid);
}

static void namespace_deletion(void **state) {
        (void)state;
        cJSON *o;
        assert_int_equal(call("POST", "/api/v1/namespaces", NULL, "{\"metadata\":{\"name\":\"doomed\"}}", NULL), 201);
        assert_int_equal(call("POST", "/api/v1/namespaces/doomed/configmaps", NULL, "{\"metadata\":{\"name\":\"x\"}}", NULL), 201);
        assert_int_equal(call("DELETE", "/api/v1/namespaces/doomed", NULL, NULL, &o), 202);
        assert_string_equal(ocx_json_path_str(o, "status.phase"), "Terminating");
        cJSON_Delete(o);
        gc_drain(&srv);
        assert_int_equal(call("GET", "/api/v1/namespaces/doomed/configmaps/x", NULL, NULL, NULL), 404);
        assert_int_equal(call("GET", "/api/v1/namespaces/doomed", NULL, NULL, NULL), 404);
        /* the name can be used again */
        assert_int_equal(call("POST", "/api/v1/namespaces", NULL, "{\"metadata\":{\"name\":\"doomed\"}}", NULL), 201);
}

static void watch_from_revision(void **state) {
        (void)state;
        cJSON *o;
        assert_int_equal(call("GET", "/api/v1/namespaces/default/configmaps", NULL, NULL, &o), 200);
        char *rv = strdup(ocx_json_path_str(o, "metadata.resourceVersion"));
        cJSON_Delete(o);
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, "{\"metadata\":{\"name\":\"w1\",\"labels\":{\"app\":\"x\"}}}", NULL), 201);
        assert_int_equal(call("POST", "/api/v1/namespaces/default/configmaps", NULL, "{\"metadata\":{\"name\":\"w2\"}}", NULL), 201);
        assert_int_equal(call("DELETE", "/api/v1/namespaces/default/configmaps/w2", NULL, NULL, NULL), 200);
        api_request req = {.method = "GET", .path = "/api/v1/namespaces/default/configmaps"};
        req.q.watch = true;
        req.q.resource_version = rv;
        req.q.timeout_seconds = "1";
        api_response resp = {0};
        api_handle(&srv, &req, &resp);
        assert_non_null(resp.watch);
        char buf[65536];
        size_t len = 0;
        ssize_t n;
        while ((n = api_watch_read(resp.watch, buf + len, sizeof(buf) - 1 - len, -1)) > 0) len += (size_t)n;
        buf[len] = 0;
        api_watch_free(resp.watch);
        char *first = strstr(buf, "\"ADDED\""), *del = strstr(buf, "\"DELETED\"");
        assert_non_null(first);
        assert_non_null(del);
        assert_true(first < del);
        assert_non_null(strstr(buf, "\"name\":\"w1\""));
        free(rv);
        /* a revision older than the kept history: 410 Expired */
        store_compact(srv.st, store_revision(srv.st) - 1);
        req.q.resource_version = "1";
        resp = (api_response){0};
        api_handle(&srv, &req, &resp);
        len = 0;
        while ((n = api_watch_read(resp.watch, buf + len, sizeof(buf) - 1 - len, -1)) > 0) len += (size_t)n;
        buf[len] = 0;
        api_watch_free(resp.watch);
        assert_non_null(strstr(buf, "\"type\":\"ERROR\""));
        assert_non_null(strstr(buf, "\"code\":410"));
}

static void table_and_discovery(void **state) {
        (void)state;
        cJSON *o;
        api_request req = {.method = "GET", .path = "/api/v1/namespaces", .accept = "application/json;as=Table;v=v1;g=meta.k8s.io"};
        api_response resp = {0};
        api_handle(&srv, &req, &resp);
        assert_int_equal(resp.status, 200);
        assert_int_equal(ocx_json_parse(resp.body, resp.body_len, &o, NULL), 0);
        api_response_release(&resp);
        assert_string_equal(ocx_json_get_str(o, "kind"), "Table");
        assert_string_equal(ocx_json_get_str(cJSON_GetArrayItem(ocx_json_get(o, "columnDefinitions"), 1), "name"), "Status");
        cJSON_Delete(o);
        assert_int_equal(call("GET", "/apis/route.openshift.io/v1", NULL, NULL, &o), 200);
        assert_string_equal(ocx_json_get_str(o, "groupVersion"), "route.openshift.io/v1");
        cJSON *res = cJSON_GetArrayItem(ocx_json_get(o, "resources"), 0);
        assert_string_equal(ocx_json_get_str(res, "name"), "routes");
        cJSON *cat = cJSON_GetArrayItem(ocx_json_get(res, "categories"), 0);
        assert_true(cJSON_IsString(cat) && strcmp(cat->valuestring, "all") == 0);
        cJSON_Delete(o);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(create_get_list),        cmocka_unit_test(bad_input),
                cmocka_unit_test(update_conflict_and_immutable), cmocka_unit_test(patches),
                cmocka_unit_test(gc_modes),               cmocka_unit_test(namespace_deletion),
                cmocka_unit_test(watch_from_revision),    cmocka_unit_test(table_and_discovery),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
