/* ocx-router — route table: admission, lookup, endpoints, weights, balancing. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>
#include "ocx/json.h"
#include "router/balance.h"
#include "router/match.h"
#include "router/route-table.h"

static cJSON *J(const char *s) {
        cJSON *j = NULL;
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, NULL), 0);
        return j;
}

/* route(ns, name, created, uid, spec-json) */
static cJSON *route(const char *ns, const char *name, const char *created, const char *uid, const char *spec) {
        char buf[2048];
        snprintf(buf, sizeof(buf),
                 "{\"kind\":\"Route\",\"metadata\":{\"namespace\":\"%s\",\"name\":\"%s\",\"uid\":\"%s\","
                 "\"creationTimestamp\":\"%s\"},\"spec\":%s}",
                 ns, name, uid, created, spec);
        return J(buf);
}

static rt_table *build(cJSON *routes, cJSON *eps, bool wild) {
        rt_table_options o;
        rt_table *t = NULL;
        rt_table_options_default(&o);
        o.allow_wildcards = wild;
        assert_int_equal(rt_table_build(routes, NULL, eps, &o, &t), 0);
        return t;
}

static rt_route *lk(rt_table *t, const char *host_header, const char *path) {
        char h[RT_HOST_MAX];
        uint16_t port;
        if (rt_host_normalize(host_header, strlen(host_header), h, sizeof(h), &port) <= 0) return NULL;
        return rt_table_lookup(t, h, path, strlen(path));
}

static void lookup_host_and_paths(void **state) {
        (void)state;
        cJSON *rs = cJSON_CreateArray();
        cJSON_AddItemToArray(rs, route("a", "root", "2026-01-01T00:00:00Z", "1", "{\"host\":\"app.example.com\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "foo", "2026-01-01T00:00:01Z", "2", "{\"host\":\"app.example.com\",\"path\":\"/foo\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "foobar", "2026-01-01T00:00:02Z", "3", "{\"host\":\"app.example.com\",\"path\":\"/foo/bar\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "upper", "2026-01-01T00:00:03Z", "4", "{\"host\":\"Other.Example.com\",\"to\":{\"name\":\"s\"}}"));
        rt_table *t = build(rs, NULL, false);
        assert_string_equal(lk(t, "app.example.com", "/")->name, "root");
        assert_string_equal(lk(t, "APP.example.COM:8080", "/foo")->name, "foo");
        assert_string_equal(lk(t, "app.example.com.", "/foo/x")->name, "foo");
        assert_string_equal(lk(t, "app.example.com", "/foobar")->name, "root"); /* not /foo */
        assert_string_equal(lk(t, "app.example.com", "/foo/bar/baz?q")->name, "foobar"); /* longest */
        assert_string_equal(lk(t, "other.example.com", "/x")->name, "upper");      /* spec.host lowercased */
        assert_null(lk(t, "nope.example.com", "/"));
        assert_null(lk(t, "app.example.com..", "/"));
        assert_null(rt_table_lookup(t, "", "/", 1));
        rt_table_free(t);
        cJSON_Delete(rs);
}

static void wildcard(void **state) {
        (void)state;
        cJSON *rs = cJSON_CreateArray();
        cJSON_AddItemToArray(rs, route("a", "wild", "2026-01-01T00:00:00Z", "1",
                                       "{\"host\":\"www.acme.test\",\"wildcardPolicy\":\"Subdomain\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "exact", "2026-01-01T00:00:01Z", "2", "{\"host\":\"api.acme.test\",\"to\":{\"name\":\"s\"}}"));
        rt_table *t = build(rs, NULL, true);
        assert_string_equal(lk(t, "api.acme.test", "/")->name, "exact"); /* exact before wildcard */
        assert_string_equal(lk(t, "foo.acme.test", "/")->name, "wild");
        assert_string_equal(lk(t, "www.acme.test", "/")->name, "wild");
        assert_null(lk(t, "acme.test", "/"));          /* not the domain itself */
        assert_null(lk(t, "a.b.acme.test", "/"));      /* one label only */
        rt_table_free(t);
        /* without --allow-wildcard-routes the route is not admitted */
        t = build(rs, NULL, false);
        assert_null(lk(t, "foo.acme.test", "/"));
        rt_route *w = rt_table_find(t, "a", "wild");
        assert_false(w->admitted);
        assert_string_equal(w->reason, "RouteNotAdmitted");
        rt_table_free(t);
        cJSON_Delete(rs);
}

static void admission_oldest_wins(void **state) {
        (void)state;
        cJSON *rs = cJSON_CreateArray();
        /* listed newest first: order in the input must not matter */
        cJSON_AddItemToArray(rs, route("b", "late", "2026-01-02T00:00:00Z", "9", "{\"host\":\"h.example.com\",\"path\":\"/other\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "same-path", "2026-01-01T00:00:05Z", "5", "{\"host\":\"h.example.com\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "owner", "2026-01-01T00:00:00Z", "7", "{\"host\":\"h.example.com\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "sibling", "2026-01-01T00:00:09Z", "8", "{\"host\":\"h.example.com\",\"path\":\"/api\",\"to\":{\"name\":\"s\"}}"));
        /* same creation time: smaller uid is older */
        cJSON_AddItemToArray(rs, route("c", "tie-b", "2026-01-03T00:00:00Z", "bbb", "{\"host\":\"t.example.com\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("d", "tie-a", "2026-01-03T00:00:00Z", "aaa", "{\"host\":\"t.example.com\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "nohost", "2026-01-01T00:00:00Z", "10", "{\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "badhost", "2026-01-01T00:00:00Z", "11", "{\"host\":\"bad_host..x\",\"to\":{\"name\":\"s\"}}"));
        rt_table *t = build(rs, NULL, false);
        assert_true(rt_table_find(t, "a", "owner")->admitted);
        assert_true(rt_table_find(t, "a", "sibling")->admitted);
        rt_route *r = rt_table_find(t, "a", "same-path");
        assert_false(r->admitted);
        assert_string_equal(r->reason, "HostAlreadyClaimed");
        assert_non_null(strstr(r->message, "owner"));
        r = rt_table_find(t, "b", "late"); /* other namespace, even with another path */
        assert_false(r->admitted);
        assert_string_equal(r->reason, "HostAlreadyClaimed");
        assert_true(rt_table_find(t, "d", "tie-a")->admitted);
        assert_false(rt_table_find(t, "c", "tie-b")->admitted);
        assert_string_equal(rt_table_find(t, "a", "nohost")->reason, "NoHostValue");
        assert_string_equal(rt_table_find(t, "a", "badhost")->reason, "InvalidHost");
        assert_string_equal(lk(t, "h.example.com", "/api/x")->name, "sibling");
        assert_string_equal(lk(t, "h.example.com", "/other")->name, "owner");
        rt_table_free(t);
        /* deleting the owner activates the next oldest: rebuild without it */
        cJSON_DeleteItemFromArray(rs, 2);
        t = build(rs, NULL, false);
        assert_true(rt_table_find(t, "a", "same-path")->admitted);
        rt_table_free(t);
        cJSON_Delete(rs);
}

static void wildcard_claims_across_namespaces(void **state) {
        (void)state;
        cJSON *rs = cJSON_CreateArray();
        cJSON_AddItemToArray(rs, route("a", "exact", "2026-01-01T00:00:00Z", "1", "{\"host\":\"x.acme.test\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("b", "wild", "2026-01-02T00:00:00Z", "2",
                                       "{\"host\":\"www.acme.test\",\"wildcardPolicy\":\"Subdomain\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "wild2", "2026-01-03T00:00:00Z", "3",
                                       "{\"host\":\"y.acme.test\",\"wildcardPolicy\":\"Subdomain\",\"to\":{\"name\":\"s\"}}"));
        rt_table *t = build(rs, NULL, true);
        assert_string_equal(rt_table_find(t, "b", "wild")->reason, "HostAlreadyClaimed");
        assert_true(rt_table_find(t, "a", "wild2")->admitted); /* same namespace coexists */
        rt_table_free(t);
        cJSON_Delete(rs);
}

static const char *EPS =
        "[{\"kind\":\"Endpoints\",\"metadata\":{\"namespace\":\"a\",\"name\":\"s\"},\"subsets\":["
        "{\"addresses\":[{\"ip\":\"10.0.0.1\"},{\"ip\":\"10.0.0.2\"}],\"notReadyAddresses\":[{\"ip\":\"10.0.0.9\"}],"
        "\"ports\":[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"},{\"name\":\"metrics\",\"port\":9090},"
        "{\"name\":\"dns\",\"port\":53,\"protocol\":\"UDP\"}]}]},"
        "{\"kind\":\"Endpoints\",\"metadata\":{\"namespace\":\"a\",\"name\":\"t\"},\"subsets\":["
        "{\"addresses\":[{\"ip\":\"10.0.1.1\"},{\"ip\":\"10.0.1.2\"},{\"ip\":\"10.0.1.3\"},{\"ip\":\"10.0.1.4\"}],"
        "\"ports\":[{\"name\":\"http\",\"port\":8080}]}]},"
        "{\"kind\":\"Endpoints\",\"metadata\":{\"namespace\":\"b\",\"name\":\"s\"},\"subsets\":["
        "{\"addresses\":[{\"ip\":\"fd00::1\"}],\"ports\":[{\"port\":80}]}]}]";

static void target_port(void **state) {
        (void)state;
        cJSON *rs = cJSON_CreateArray(), *eps = J(EPS);
        cJSON_AddItemToArray(rs, route("a", "all", "2026-01-01T00:00:00Z", "1", "{\"host\":\"all.x\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToArray(rs, route("a", "byname", "2026-01-01T00:00:00Z", "2", "{\"host\":\"name.x\",\"to\":{\"name\":\"s\"},\"port\":{\"targetPort\":\"metrics\"}}"));
        cJSON_AddItemToArray(rs, route("a", "bynum", "2026-01-01T00:00:00Z", "3", "{\"host\":\"num.x\",\"to\":{\"name\":\"s\"},\"port\":{\"targetPort\":8080}}"));
        cJSON_AddItemToArray(rs, route("a", "numstr", "2026-01-01T00:00:00Z", "4", "{\"host\":\"numstr.x\",\"to\":{\"name\":\"s\"},\"port\":{\"targetPort\":\"9090\"}}"));
        cJSON_AddItemToArray(rs, route("a", "none", "2026-01-01T00:00:00Z", "5", "{\"host\":\"none.x\",\"to\":{\"name\":\"s\"},\"port\":{\"targetPort\":\"nope\"}}"));
        cJSON_AddItemToArray(rs, route("a", "nosvc", "2026-01-01T00:00:00Z", "6", "{\"host\":\"nosvc.x\",\"to\":{\"name\":\"missing\"}}"));
        cJSON_AddItemToArray(rs, route("b", "v6", "2026-01-01T00:00:00Z", "7", "{\"host\":\"v6.x\",\"to\":{\"name\":\"s\"}}"));
        rt_table *t = build(rs, eps, false);
        rt_route *r = rt_table_find(t, "a", "all");
        assert_int_equal(r->n_eps, 4); /* 2 ready addresses x 2 TCP ports; not-ready and UDP skipped */
        r = rt_table_find(t, "a", "byname");
        assert_int_equal(r->n_eps, 2);
        assert_int_equal(r->eps[0].port, 9090);
        assert_string_equal(r->eps[0].key, "10.0.0.1:9090");
        r = rt_table_find(t, "a", "bynum");
        assert_int_equal(r->n_eps, 2);
        assert_int_equal(r->eps[1].port, 8080);
        assert_string_equal(r->eps[1].addr, "10.0.0.2");
        assert_int_equal(rt_table_find(t, "a", "numstr")->n_eps, 2);
        assert_int_equal(rt_table_find(t, "a", "none")->n_eps, 0);
        assert_int_equal(rt_table_find(t, "a", "nosvc")->n_eps, 0);
        assert_true(rt_table_find(t, "a", "nosvc")->admitted); /* admitted, served as 503 */
        assert_string_equal(rt_table_find(t, "b", "v6")->eps[0].key, "[fd00::1]:80");
        rt_table_free(t);
        cJSON_Delete(rs);
        cJSON_Delete(eps);
}

static void weights(void **state) {
        (void)state;
        cJSON *rs = cJSON_CreateArray(), *eps = J(EPS);
        /* B.4 example: A weight 20 with 2 endpoints, B weight 10 with 4 -> 256 and 64 */
        cJSON_AddItemToArray(rs, route("a", "ab", "2026-01-01T00:00:00Z", "1",
                                       "{\"host\":\"ab.x\",\"to\":{\"name\":\"s\",\"weight\":20},\"port\":{\"targetPort\":\"http\"},"
                                       "\"alternateBackends\":[{\"kind\":\"Service\",\"name\":\"t\",\"weight\":10}]}"));
        cJSON_AddItemToArray(rs, route("a", "one", "2026-01-01T00:00:00Z", "2",
                                       "{\"host\":\"one.x\",\"to\":{\"name\":\"s\",\"weight\":50},\"port\":{\"targetPort\":\"http\"},"
                                       "\"alternateBackends\":[{\"name\":\"t\",\"weight\":0}]}"));
        cJSON_AddItemToArray(rs, route("a", "zero", "2026-01-01T00:00:00Z", "3",
                                       "{\"host\":\"zero.x\",\"to\":{\"name\":\"s\",\"weight\":0}}"));
        rt_table *t = build(rs, eps, false);
        rt_route *r = rt_table_find(t, "a", "ab");
        assert_int_equal(r->n_eps, 6);
        assert_int_equal(r->n_units, 2);
        assert_int_equal(r->balance, RT_BAL_ROUNDROBIN);
        for (size_t i = 0; i < r->n_eps; i++) assert_int_equal(r->eps[i].weight, r->eps[i].unit == 0 ? 256 : 64);
        r = rt_table_find(t, "a", "one");
        assert_int_equal(r->n_units, 1);
        assert_int_equal(r->balance, RT_BAL_RANDOM);
        for (size_t i = 0; i < r->n_eps; i++) assert_int_equal(r->eps[i].weight, r->eps[i].unit == 0 ? 1 : 0);
        r = rt_table_find(t, "a", "zero");
        for (size_t i = 0; i < r->n_eps; i++) assert_int_equal(r->eps[i].weight, 0);
        rt_table_free(t);
        cJSON_Delete(rs);
        cJSON_Delete(eps);
}

/* ---- balancing ---- */

typedef struct { unsigned load[16]; bool down[16]; uint64_t seed; } lbstate;

static bool usable(const rt_endpoint *ep, size_t i, void *d) {
        (void)ep;
        return !((lbstate *)d)->down[i];
}
static unsigned load(const rt_endpoint *ep, void *d) { /* by the last digit of the address */
        return ((lbstate *)d)->load[(unsigned)(ep->addr[strlen(ep->addr) - 1] - '0') % 16];
}
static uint32_t rnd(void *d) {
        lbstate *s = d;
        s->seed = s->seed * 6364136223846793005ull + 1442695040888963407ull;
        return (uint32_t)(s->seed >> 33);
}

static void round_robin_weights(void **state) {
        (void)state;
        cJSON *rs = cJSON_CreateArray(), *eps = J(EPS);
        cJSON_AddItemToArray(rs, route("a", "ab", "2026-01-01T00:00:00Z", "1",
                                       "{\"host\":\"ab.x\",\"to\":{\"name\":\"s\",\"weight\":20},\"port\":{\"targetPort\":\"http\"},"
                                       "\"alternateBackends\":[{\"kind\":\"Service\",\"name\":\"t\",\"weight\":10}]}"));
        rt_table *t = build(rs, eps, false);
        rt_route *r = rt_table_find(t, "a", "ab");
        lbstate s = {.seed = 1};
        rt_pick_ops ops = {.usable = usable, .load = load, .random = rnd, .data = &s};
        unsigned per_unit[2] = {0}, per_ep[6] = {0};
        for (int i = 0; i < 768; i++) {
                int k = rt_pick(r, &ops);
                assert_true(k >= 0);
                per_unit[r->eps[k].unit]++, per_ep[k]++;
        }
        /* service shares 20:10 -> 2/3 : 1/3, exactly, with smooth WRR over a full cycle */
        assert_int_equal(per_unit[0], 512);
        assert_int_equal(per_unit[1], 256);
        /* an endpoint that is down gets nothing, the others absorb its share */
        s.down[0] = true;
        unsigned got0 = 0;
        for (int i = 0; i < 100; i++) got0 += rt_pick(r, &ops) == 0;
        assert_int_equal(got0, 0);
        for (int i = 0; i < 6; i++) s.down[i] = true;
        assert_int_equal(rt_pick(r, &ops), -1);
        rt_table_free(t);
        cJSON_Delete(rs);
        cJSON_Delete(eps);
}

static void random_two_choices(void **state) {
        (void)state;
        cJSON *rs = cJSON_CreateArray(), *eps = J(EPS);
        cJSON_AddItemToArray(rs, route("a", "r", "2026-01-01T00:00:00Z", "1", "{\"host\":\"r.x\",\"to\":{\"name\":\"t\"}}"));
        cJSON_AddItemToArray(rs, route("a", "lc", "2026-01-01T00:00:00Z", "2",
                                       "{\"host\":\"lc.x\",\"to\":{\"name\":\"t\"}}"));
        cJSON *ann = J("{\"haproxy.router.openshift.io/balance\":\"leastconn\"}");
        cJSON_AddItemToObject(ocx_json_get(cJSON_GetArrayItem(rs, 1), "metadata"), "annotations", ann);
        rt_table *t = build(rs, eps, false);
        rt_route *r = rt_table_find(t, "a", "r");
        assert_int_equal(r->balance, RT_BAL_RANDOM);
        lbstate s = {.seed = 7};
        rt_pick_ops ops = {.usable = usable, .load = load, .random = rnd, .data = &s};
        unsigned hits[4] = {0};
        for (int i = 0; i < 4000; i++) hits[rt_pick(r, &ops)]++;
        for (int i = 0; i < 4; i++) assert_true(hits[i] > 700 && hits[i] < 1300); /* spread over all four */
        /* two distinct choices, the less loaded wins: a busy endpoint is never
         * chosen while the others are idle */
        s.load[1] = 100; /* 10.0.1.1 = eps[0] */
        unsigned first = 0;
        for (int i = 0; i < 1000; i++) first += rt_pick(r, &ops) == 0;
        assert_int_equal(first, 0);
        /* with only it and one other usable, the other always wins */
        s.down[2] = s.down[3] = true;
        for (int i = 0; i < 100; i++) assert_int_equal(rt_pick(r, &ops), 1);
        rt_route *l = rt_table_find(t, "a", "lc");
        assert_int_equal(l->balance, RT_BAL_LEASTCONN);
        assert_true(rt_pick(l, &ops) >= 0);
        rt_table_free(t);
        cJSON_Delete(rs);
        cJSON_Delete(eps);
}

static void timeouts_and_split(void **state) {
        (void)state;
        assert_int_equal(rt_parse_timeout("30s"), 30000);
        assert_int_equal(rt_parse_timeout("500ms"), 500);
        assert_int_equal(rt_parse_timeout("2m"), 120000);
        assert_int_equal(rt_parse_timeout("1500"), 1500);
        assert_int_equal(rt_parse_timeout("100us"), 1);
        assert_int_equal(rt_parse_timeout("30d"), 2147483647L);
        assert_int_equal(rt_parse_timeout("0s"), -1);
        assert_int_equal(rt_parse_timeout("5x"), -1);
        assert_int_equal(rt_parse_timeout(NULL), -1);
        cJSON *list = J("{\"kind\":\"List\",\"items\":[{\"kind\":\"Route\"},{\"kind\":\"Service\"},{\"kind\":\"Endpoints\"},"
                        "{\"kind\":\"Endpoints\"},{\"kind\":\"Pod\"}]}");
        cJSON *r, *s, *e;
        rt_split_objects(list, &r, &s, &e);
        assert_int_equal(cJSON_GetArraySize(r), 1);
        assert_int_equal(cJSON_GetArraySize(s), 1);
        assert_int_equal(cJSON_GetArraySize(e), 2);
        cJSON_Delete(r), cJSON_Delete(s), cJSON_Delete(e), cJSON_Delete(list);
        /* route timeout annotation */
        cJSON *rs = cJSON_CreateArray();
        cJSON_AddItemToArray(rs, route("a", "t", "2026-01-01T00:00:00Z", "1", "{\"host\":\"t.x\",\"to\":{\"name\":\"s\"}}"));
        cJSON_AddItemToObject(ocx_json_get(cJSON_GetArrayItem(rs, 0), "metadata"), "annotations",
                              J("{\"haproxy.router.openshift.io/timeout\":\"2m\"}"));
        rt_table *t = build(rs, NULL, false);
        assert_int_equal(rt_table_find(t, "a", "t")->timeout_ms, 120000);
        rt_table_free(t);
        cJSON_Delete(rs);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(lookup_host_and_paths),
                cmocka_unit_test(wildcard),
                cmocka_unit_test(admission_oldest_wins),
                cmocka_unit_test(wildcard_claims_across_namespaces),
                cmocka_unit_test(target_port),
                cmocka_unit_test(weights),
                cmocka_unit_test(round_robin_weights),
                cmocka_unit_test(random_two_choices),
                cmocka_unit_test(timeouts_and_split),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
