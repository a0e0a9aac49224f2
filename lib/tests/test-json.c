#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include "ocx/json.h"

static void parse_ok(void **state) {
        (void)state;
        _cleanup_json_ cJSON *j = NULL;
        const char *s = " {\"a\": [1, 2], \"b\": \"x\"} \n";
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, NULL), 0);
        assert_string_equal(ocx_json_get_str(j, "b"), "x");
        assert_null(ocx_json_get(j, "B"));
}

static void trailing_rejected(void **state) {
        (void)state;
        _cleanup_error_ ocx_error *e = NULL;
        cJSON *j = NULL;
        const char *s = "{}\n{}";
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, &e), -EINVAL);
        assert_null(j);
        assert_string_equal(e->message, "invalid JSON at line 2, column 1: trailing data after the value");
}

static void syntax_error_position(void **state) {
        (void)state;
        _cleanup_error_ ocx_error *e = NULL;
        cJSON *j = NULL;
        const char *s = "{\n  \"a\": tru\n}";
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, &e), -EINVAL);
        assert_non_null(strstr(e->message, "line 2"));
}

static void duplicate_keys_rejected(void **state) {
        (void)state;
        _cleanup_error_ ocx_error *e = NULL;
        cJSON *j = NULL;
        const char *s = "{\"m\":{\"x\":1,\"y\":2,\"x\":3}}";
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, &e), -EINVAL);
        assert_string_equal(e->message, "invalid JSON: duplicate key 'x'");
}

static void deep_nesting_rejected(void **state) {
        (void)state;
        char s[512];
        memset(s, '[', 300);
        memset(s + 300, ']', 200);
        cJSON *j = NULL;
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(ocx_json_parse(s, 500, &j, &e), -EINVAL);
        assert_non_null(strstr(e->message, "nesting deeper than 100"));
}

static void length_is_respected(void **state) {
        (void)state;
        cJSON *j = NULL;
        const char *s = "{\"a\":1}garbage";
        assert_int_equal(ocx_json_parse(s, 7, &j, NULL), 0);
        cJSON_Delete(j);
}

static void checked_int(void **state) {
        (void)state;
        _cleanup_json_ cJSON *j = NULL;
        const char *s = "{\"a\":2147483648,\"b\":1.5,\"c\":\"1\",\"d\":-5,\"e\":1e300}";
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, NULL), 0);
        int64_t v = 0;
        assert_int_equal(ocx_json_int(ocx_json_get(j, "a"), INT32_MIN, INT32_MAX, &v), -ERANGE);
        assert_int_equal(ocx_json_int(ocx_json_get(j, "a"), INT64_MIN, INT64_MAX, &v), 0);
        assert_int_equal(v, 2147483648LL);
        assert_int_equal(ocx_json_int(ocx_json_get(j, "b"), INT64_MIN, INT64_MAX, &v), -EINVAL);
        assert_int_equal(ocx_json_int(ocx_json_get(j, "c"), INT64_MIN, INT64_MAX, &v), -EINVAL);
        assert_int_equal(ocx_json_int(ocx_json_get(j, "d"), 0, 10, &v), -ERANGE);
        assert_int_equal(ocx_json_int(ocx_json_get(j, "e"), INT64_MIN, INT64_MAX, &v), -ERANGE);
}

static void pretty_print_four_spaces(void **state) {
        (void)state;
        _cleanup_json_ cJSON *j = NULL;
        const char *s = "{\"kind\":\"Pod\",\"a\":[1,\"x\\n\"],\"e\":{}}";
        assert_int_equal(ocx_json_parse(s, strlen(s), &j, NULL), 0);
        ocx_buf b = OCX_BUF_INIT;
        assert_int_equal(ocx_json_write(&b, j, 4), 0);
        assert_string_equal(b.data, "{\n    \"kind\": \"Pod\",\n    \"a\": [\n        1,\n        \"x\\n\"\n    ],\n    \"e\": {}\n}");
        ocx_buf_release(&b);
        _cleanup_free_ char *c = ocx_json_print(j);
        assert_string_equal(c, s);
}

static void merge_patch_rfc7386(void **state) {
        (void)state;
        const char *t = "{\"a\":\"b\",\"c\":{\"d\":\"e\",\"f\":\"g\"},\"s\":\"x\",\"z\":1}";
        const char *p = "{\"a\":\"z\",\"c\":{\"f\":null},\"s\":{\"k\":1},\"n\":[1]}";
        cJSON *tj = NULL, *pj = NULL;
        assert_int_equal(ocx_json_parse(t, strlen(t), &tj, NULL), 0);
        assert_int_equal(ocx_json_parse(p, strlen(p), &pj, NULL), 0);
        tj = ocx_json_merge_patch(tj, pj);
        _cleanup_free_ char *out = ocx_json_print(tj);
        /* members keep their order; an object replaces a string; null deletes */
        assert_string_equal(out, "{\"a\":\"z\",\"c\":{\"d\":\"e\"},\"s\":{\"k\":1},\"z\":1,\"n\":[1]}");
        cJSON_Delete(tj);
        cJSON_Delete(pj);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(parse_ok),
                cmocka_unit_test(trailing_rejected),
                cmocka_unit_test(syntax_error_position),
                cmocka_unit_test(duplicate_keys_rejected),
                cmocka_unit_test(deep_nesting_rejected),
                cmocka_unit_test(length_is_respected),
                cmocka_unit_test(checked_int),
                cmocka_unit_test(pretty_print_four_spaces),
                cmocka_unit_test(merge_patch_rfc7386),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
