/* node/cgroup.h: the pure parts (limits from a container spec, Kubernetes'
 * cpu conversions, QoS class). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "node/cgroup.h"
#include "ocx/json.h"

static cJSON *parse(const char *s) {
        cJSON *o = NULL;
        assert_int_equal(ocx_json_parse(s, strlen(s), &o, NULL), 0);
        return o;
}

static void limits(void **state) {
        (void)state;
        cJSON *c =
            parse("{\"name\":\"c\",\"resources\":{\"limits\":{\"memory\":\"64Mi\",\"cpu\":\"500m\",\"pids\":\"100\"},"
                  "\"requests\":{\"cpu\":\"250m\"}}}");
        cg_limits l;
        assert_int_equal(cg_limits_from_container(c, &l, NULL), 0);
        assert_int_equal(l.memory, 67108864);
        assert_int_equal(l.cpu_limit_m, 500);
        assert_int_equal(l.cpu_request_m, 250);
        assert_int_equal(l.pids, 100);
        cJSON_Delete(c);
        /* a limit without a request requests the limit */
        c = parse("{\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1G\"}}}");
        assert_int_equal(cg_limits_from_container(c, &l, NULL), 0);
        assert_int_equal(l.cpu_request_m, 1000);
        assert_int_equal(l.memory, 1000000000);
        cJSON_Delete(c);
        /* nothing */
        c = parse("{\"name\":\"c\"}");
        assert_int_equal(cg_limits_from_container(c, &l, NULL), 0);
        assert_int_equal(l.memory + l.cpu_limit_m + l.cpu_request_m + l.pids, 0);
        cJSON_Delete(c);
        /* JSON numbers are quantities too */
        c = parse("{\"resources\":{\"limits\":{\"cpu\":2,\"memory\":1048576}}}");
        assert_int_equal(cg_limits_from_container(c, &l, NULL), 0);
        assert_int_equal(l.cpu_limit_m, 2000);
        assert_int_equal(l.memory, 1048576);
        cJSON_Delete(c);
}

static void bad_limits(void **state) {
        (void)state;
        const char *bad[] = {
            "{\"resources\":{\"limits\":{\"memory\":\"64MB\"}}}", "{\"resources\":{\"limits\":{\"memory\":\"-1Mi\"}}}",
            "{\"resources\":{\"requests\":{\"cpu\":\"lots\"}}}", "{\"resources\":{\"limits\":{\"cpu\":true}}}"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cJSON *c = parse(bad[i]);
                cg_limits l;
                ocx_error *e = NULL;
                assert_int_equal(cg_limits_from_container(c, &l, &e), -EINVAL);
                assert_non_null(e);
                assert_non_null(strstr(e->message, "resources."));
                ocx_error_free(e);
                cJSON_Delete(c);
        }
}

static void cpu(void **state) {
        (void)state;
        assert_int_equal(cg_cpu_shares(0), 2);
        assert_int_equal(cg_cpu_shares(1), 2);
        assert_int_equal(cg_cpu_shares(250), 256);
        assert_int_equal(cg_cpu_shares(1000), 1024);
        assert_int_equal(cg_cpu_shares(1000000), 262144);
        assert_int_equal(cg_cpu_quota_us(0, 100000), -1);
        assert_int_equal(cg_cpu_quota_us(500, 100000), 50000);
        assert_int_equal(cg_cpu_quota_us(2000, 100000), 200000);
        assert_int_equal(cg_cpu_quota_us(1, 100000), 1000); /* the kernel's minimum */
}

static void qos(void **state) {
        (void)state;
        struct {
                const char *pod, *want;
        } t[] = {
            {"{\"spec\":{\"containers\":[{\"name\":\"a\"}]}}", "BestEffort"},
            {"{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}}"
             "]}}",
             "Guaranteed"},
            {"{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},"
             "\"requests\":{\"cpu\":\"1000m\",\"memory\":\"1Gi\"}}}]}}",
             "Guaranteed"},
            {"{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"},"
             "\"requests\":{\"cpu\":\"500m\"}}}]}}",
             "Burstable"},
            {"{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"memory\":\"1Gi\"}}}]}}",
             "Burstable"},
            {"{\"spec\":{\"containers\":[{\"name\":\"a\",\"resources\":{\"limits\":{\"cpu\":\"1\",\"memory\":\"1Gi\"}}}"
             ",{\"name\":\"b\"}]}}",
             "Burstable"},
        };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                cJSON *p = parse(t[i].pod);
                assert_string_equal(cg_qos_class(p), t[i].want);
                cJSON_Delete(p);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(limits),
            cmocka_unit_test(bad_limits),
            cmocka_unit_test(cpu),
            cmocka_unit_test(qos),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
