/* node/probe.h: probe specs as the kubelet reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "node/probe.h"
#include "ocx/json.h"

static cJSON *parse(const char *s) {
        cJSON *o = NULL;
        assert_int_equal(ocx_json_parse(s, strlen(s), &o, NULL), 0);
        return o;
}

static const char *ctr =
    "{\"name\":\"c\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080},{\"name\":\"db\",\"containerPort\":5432}]}";

static void exec_probe(void **state) {
        (void)state;
        cJSON *c = parse(ctr), *p = parse("{\"exec\":{\"command\":[\"cat\",\"/tmp/ready\"]}}");
        probe_spec s;
        assert_int_equal(probe_spec_parse(p, c, &s, NULL), 0);
        assert_int_equal(s.type, PROBE_EXEC);
        assert_string_equal(s.command[0], "cat");
        assert_string_equal(s.command[1], "/tmp/ready");
        assert_null(s.command[2]);
        /* Kubernetes' defaults */
        assert_int_equal(s.initial_delay_s, 0);
        assert_int_equal(s.period_s, 10);
        assert_int_equal(s.timeout_s, 1);
        assert_int_equal(s.success_threshold, 1);
        assert_int_equal(s.failure_threshold, 3);
        assert_int_equal(s.grace_s, -1);
        probe_spec_release(&s);
        cJSON_Delete(p);
        cJSON_Delete(c);
}

static void http_probe(void **state) {
        (void)state;
        cJSON *c = parse(ctr);
        cJSON *p = parse("{\"httpGet\":{\"path\":\"healthz\",\"port\":\"http\",\"scheme\":\"HTTPS\",\"httpHeaders\":[{"
                         "\"name\":\"X-A\",\"value\":\"b\"}]},"
                         "\"initialDelaySeconds\":5,\"periodSeconds\":2,\"timeoutSeconds\":3,\"successThreshold\":2,"
                         "\"failureThreshold\":4,"
                         "\"terminationGracePeriodSeconds\":7}");
        probe_spec s;
        assert_int_equal(probe_spec_parse(p, c, &s, NULL), 0);
        assert_int_equal(s.type, PROBE_HTTP);
        assert_int_equal(s.port, 8080);
        assert_string_equal(s.scheme, "https");
        assert_string_equal(s.path, "/healthz");
        assert_null(s.host);
        assert_string_equal(s.headers[0], "X-A: b");
        assert_null(s.headers[1]);
        assert_int_equal(s.initial_delay_s, 5);
        assert_int_equal(s.period_s, 2);
        assert_int_equal(s.timeout_s, 3);
        assert_int_equal(s.success_threshold, 2);
        assert_int_equal(s.failure_threshold, 4);
        assert_int_equal(s.grace_s, 7);
        probe_spec_release(&s);
        cJSON_Delete(p);
        p = parse("{\"tcpSocket\":{\"port\":5432,\"host\":\"127.0.0.1\"},\"periodSeconds\":0}");
        assert_int_equal(probe_spec_parse(p, c, &s, NULL), 0);
        assert_int_equal(s.type, PROBE_TCP);
        assert_int_equal(s.port, 5432);
        assert_string_equal(s.host, "127.0.0.1");
        assert_int_equal(s.period_s, 1); /* at least 1 */
        probe_spec_release(&s);
        cJSON_Delete(p);
        p = parse("{\"tcpSocket\":{\"port\":\"db\"}}");
        assert_int_equal(probe_spec_parse(p, c, &s, NULL), 0);
        assert_int_equal(s.port, 5432);
        probe_spec_release(&s);
        cJSON_Delete(p);
        cJSON_Delete(c);
}

static void bad_probes(void **state) {
        (void)state;
        cJSON *c = parse(ctr);
        const char *bad[] = {
            "{}",
            "{\"exec\":{\"command\":[]}}",
            "{\"exec\":{\"command\":[1]}}",
            "{\"httpGet\":{\"port\":\"nope\"}}",
            "{\"httpGet\":{\"port\":70000}}",
            "{\"tcpSocket\":{}}",
            "{\"tcpSocket\":{\"port\":80,\"host\":\"example.com\"}}",
            "{\"httpGet\":{\"port\":80,\"path\":\"/a\\r\\nX: y\"}}",
            "{\"grpc\":{\"port\":9000}}",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                cJSON *p = parse(bad[i]);
                probe_spec s;
                ocx_error *e = NULL;
                assert_int_equal(probe_spec_parse(p, c, &s, &e), -EINVAL);
                assert_non_null(e);
                ocx_error_free(e);
                probe_spec_release(&s);
                cJSON_Delete(p);
        }
        cJSON_Delete(c);
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(exec_probe),
            cmocka_unit_test(http_probe),
            cmocka_unit_test(bad_probes),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
