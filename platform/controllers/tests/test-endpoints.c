/* The endpoints controller's pure part and the cluster IP allocator. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "controllers/endpoints.h"
#include "controllers/ipalloc.h"
#include "ocx/json.h"

static cJSON *parse(const char *s) {
        cJSON *o = NULL;
        assert_int_equal(ocx_json_parse(s, strlen(s), &o, NULL), 0);
        return o;
}

#define SVC \
        "{\"metadata\":{\"name\":\"web\",\"namespace\":\"t\",\"labels\":{\"app\":\"web\"}},\"spec\":{\"selector\":{\"app\":\"web\"}," \
        "\"ports\":[{\"name\":\"http\",\"port\":80,\"targetPort\":\"http\",\"protocol\":\"TCP\"},{\"name\":\"m\",\"port\":9,\"targetPort\":9100}]}}"

static const char *pod(char *buf, size_t n, const char *name, const char *ip, const char *ready, const char *app, int cport) {
        snprintf(buf, n,
                 "{\"metadata\":{\"name\":\"%s\",\"namespace\":\"t\",\"uid\":\"u-%s\",\"labels\":{\"app\":\"%s\"}},"
                 "\"spec\":{\"containers\":[{\"name\":\"c\",\"ports\":[{\"name\":\"http\",\"containerPort\":%d}]}]},"
                 "\"status\":{%s%s%s\"conditions\":[{\"type\":\"Ready\",\"status\":\"%s\"}]}}",
                 name, name, app, cport, ip ? "\"podIP\":\"" : "", ip ? ip : "", ip ? "\"," : "", ready);
        return buf;
}

static void compute(void **state) {
        (void)state;
        char b[4][1024];
        char *list = NULL;
        cJSON *svc = parse(SVC);
        int l = asprintf(&list, "[%s,%s,%s,%s]", pod(b[0], sizeof(b[0]), "b", "10.0.0.2", "True", "web", 8080),
                         pod(b[1], sizeof(b[1]), "a", "10.0.0.1", "True", "web", 8080),
                         pod(b[2], sizeof(b[2]), "c", "10.0.0.3", "False", "web", 8080),
                         pod(b[3], sizeof(b[3]), "d", "10.0.0.4", "True", "other", 8080));
        assert_true(l > 0);
        cJSON *pods = parse(list);
        free(list);
        cJSON *ep = endpoints_compute(svc, pods);
        assert_non_null(ep);
        assert_string_equal(ocx_json_path_str(ep, "metadata.name"), "web");
        assert_string_equal(ocx_json_path_str(ep, "metadata.labels.app"), "web");
        cJSON *subsets = ocx_json_get(ep, "subsets");
        assert_int_equal(cJSON_GetArraySize(subsets), 1);
        cJSON *s0 = cJSON_GetArrayItem(subsets, 0);
        cJSON *addrs = ocx_json_get(s0, "addresses");
        assert_int_equal(cJSON_GetArraySize(addrs), 2);
        assert_string_equal(ocx_json_get_str(cJSON_GetArrayItem(addrs, 0), "ip"), "10.0.0.1"); /* sorted */
        assert_string_equal(ocx_json_path_str(cJSON_GetArrayItem(addrs, 0), "targetRef.name"), "a");
        assert_int_equal(cJSON_GetArraySize(ocx_json_get(s0, "notReadyAddresses")), 1);
        cJSON *ports = ocx_json_get(s0, "ports");
        assert_int_equal(cJSON_GetArraySize(ports), 2);
        assert_string_equal(ocx_json_get_str(cJSON_GetArrayItem(ports, 0), "name"), "http");
        assert_int_equal(ocx_json_get(cJSON_GetArrayItem(ports, 0), "port")->valueint, 8080); /* named target */
        assert_int_equal(ocx_json_get(cJSON_GetArrayItem(ports, 1), "port")->valueint, 9100);
        cJSON_Delete(ep);
        cJSON_Delete(pods);
        cJSON_Delete(svc);
}

static void different_ports_make_subsets(void **state) {
        (void)state;
        char b[2][1024], *list = NULL;
        cJSON *svc = parse(SVC);
        assert_true(asprintf(&list, "[%s,%s]", pod(b[0], sizeof(b[0]), "a", "10.0.0.1", "True", "web", 8080),
                             pod(b[1], sizeof(b[1]), "b", "10.0.0.2", "True", "web", 8081)) > 0);
        cJSON *pods = parse(list);
        free(list);
        cJSON *ep = endpoints_compute(svc, pods);
        assert_int_equal(cJSON_GetArraySize(ocx_json_get(ep, "subsets")), 2);
        cJSON_Delete(ep);
        cJSON_Delete(pods);
        cJSON_Delete(svc);
}

static void readiness(void **state) {
        (void)state;
        char b[1024];
        cJSON *p = parse(pod(b, sizeof(b), "a", "10.0.0.1", "True", "web", 1));
        assert_true(endpoints_pod_ready(p));
        cJSON_Delete(p);
        p = parse(pod(b, sizeof(b), "a", NULL, "True", "web", 1)); /* no IP */
        assert_false(endpoints_pod_ready(p));
        cJSON_Delete(p);
        p = parse(pod(b, sizeof(b), "a", "10.0.0.1", "False", "web", 1));
        assert_false(endpoints_pod_ready(p));
        cJSON_Delete(p);
}

static void no_selector(void **state) {
        (void)state;
        cJSON *svc = parse("{\"metadata\":{\"name\":\"x\",\"namespace\":\"t\"},\"spec\":{\"ports\":[{\"port\":80}]}}");
        cJSON *pods = parse("[]");
        assert_null(endpoints_compute(svc, pods));
        cJSON_Delete(svc);
        cJSON_Delete(pods);
}

static void ip_range(void **state) {
        (void)state;
        uint32_t idx;
        assert_true(ipalloc_in_range("172.30.1.2", &idx));
        assert_int_equal(idx, 258);
        assert_false(ipalloc_in_range("172.31.0.1", &idx));
        assert_false(ipalloc_in_range("10.0.0.1", &idx));
        assert_false(ipalloc_in_range("None", &idx));
        assert_false(ipalloc_in_range(NULL, &idx));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(compute), cmocka_unit_test(different_ports_make_subsets), cmocka_unit_test(readiness),
                cmocka_unit_test(no_selector), cmocka_unit_test(ip_range),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
