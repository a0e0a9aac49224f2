#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include "ocx/json.h"
#include "ocx/names.h"

#define LABEL_MSG                                                                                  \
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "   \
        "and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "   \
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
#define SUBDOMAIN_MSG                                                                              \
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' "  \
        "or '.', and must start and end with an alphanumeric character (e.g. 'example.com', "      \
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
#define DNS1035_MSG                                                                                \
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with "  \
        "an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "    \
        "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')"
#define QNAME_TAIL                                                                                 \
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "   \
        "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "  \
        "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
#define VALUE_MSG                                                                                  \
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' "   \
        "or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or "      \
        "'my_value',  or '12345', regex used for validation is "                                   \
        "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"

static char *rep(char c, size_t n) {
        char *s = ocx_xmalloc(n + 1);
        memset(s, c, n);
        s[n] = 0;
        return s;
}

#define assert_valid(call) do { char *_m = (call); if (_m) fail_msg("unexpected: %s", _m); } while (0)
#define assert_msg(call, want)                                                                     \
        do {                                                                                       \
                char *_m = (call);                                                                 \
                assert_non_null(_m);                                                               \
                assert_string_equal(_m, want);                                                     \
                free(_m);                                                                          \
        } while (0)

static void dns1123_label(void **state) {
        (void)state;
        assert_valid(ocx_validate_dns1123_label("my-name"));
        assert_valid(ocx_validate_dns1123_label("123-abc"));
        assert_valid(ocx_validate_dns1123_label("a"));
        assert_msg(ocx_validate_dns1123_label(""), LABEL_MSG);
        assert_msg(ocx_validate_dns1123_label("My-name"), LABEL_MSG);
        assert_msg(ocx_validate_dns1123_label("-a"), LABEL_MSG);
        assert_msg(ocx_validate_dns1123_label("a-"), LABEL_MSG);
        assert_msg(ocx_validate_dns1123_label("a.b"), LABEL_MSG);
        _cleanup_free_ char *l63 = rep('a', 63), *l64 = rep('a', 64);
        assert_valid(ocx_validate_dns1123_label(l63));
        assert_msg(ocx_validate_dns1123_label(l64), "must be no more than 63 characters");
        l64[63] = '-';
        assert_msg(ocx_validate_dns1123_label(l64), "must be no more than 63 characters; " LABEL_MSG);
}

static void dns1123_subdomain(void **state) {
        (void)state;
        assert_valid(ocx_validate_dns1123_subdomain("example.com"));
        assert_valid(ocx_validate_dns1123_subdomain("a.b-c.d"));
        assert_msg(ocx_validate_dns1123_subdomain("a..b"), SUBDOMAIN_MSG);
        assert_msg(ocx_validate_dns1123_subdomain(".a"), SUBDOMAIN_MSG);
        assert_msg(ocx_validate_dns1123_subdomain("a_b"), SUBDOMAIN_MSG);
        assert_msg(ocx_validate_dns1123_subdomain("a."), SUBDOMAIN_MSG);
        _cleanup_free_ char *s253 = rep('a', 253), *s254 = rep('a', 254);
        for (size_t i = 50; i < 253; i += 50) s253[i] = '.';
        assert_valid(ocx_validate_dns1123_subdomain(s253));
        for (size_t i = 50; i < 254; i += 50) s254[i] = '.';
        assert_msg(ocx_validate_dns1123_subdomain(s254), "must be no more than 253 characters");
}

static void dns1035(void **state) {
        (void)state;
        assert_valid(ocx_validate_dns1035_label("my-svc"));
        assert_msg(ocx_validate_dns1035_label("1abc"), DNS1035_MSG);
        assert_msg(ocx_validate_dns1035_label("abc-"), DNS1035_MSG);
}

static void qualified_name(void **state) {
        (void)state;
        assert_valid(ocx_validate_qualified_name("app"));
        assert_valid(ocx_validate_qualified_name("MyName"));
        assert_valid(ocx_validate_qualified_name("app.kubernetes.io/name"));
        assert_valid(ocx_validate_qualified_name("openshift.io/display-name"));
        assert_msg(ocx_validate_qualified_name("-app"), "name part " QNAME_TAIL);
        assert_msg(ocx_validate_qualified_name("a/b/c"),
                   "a qualified name " QNAME_TAIL " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')");
        assert_msg(ocx_validate_qualified_name("/a"), "prefix part must be non-empty");
        assert_msg(ocx_validate_qualified_name("Example.com/a"), "prefix part " SUBDOMAIN_MSG);
        assert_msg(ocx_validate_qualified_name("example.com/"), "name part must be non-empty; name part " QNAME_TAIL);
        _cleanup_free_ char *l64 = rep('x', 64);
        assert_msg(ocx_validate_qualified_name(l64), "name part must be no more than 63 characters");
}

static void label_value(void **state) {
        (void)state;
        assert_valid(ocx_validate_label_value(""));
        assert_valid(ocx_validate_label_value("My_value.1"));
        assert_msg(ocx_validate_label_value("a b"), VALUE_MSG);
        assert_msg(ocx_validate_label_value("_a"), VALUE_MSG);
        _cleanup_free_ char *l64 = rep('v', 64);
        assert_msg(ocx_validate_label_value(l64), "must be no more than 63 characters");
}

static void metadata(void **state) {
        (void)state;
        const char *ok = "{\"labels\":{\"app\":\"x\",\"app.kubernetes.io/part-of\":\"\"},"
                         "\"annotations\":{\"openshift.io/Display-Name\":\"Any text: at all\"}}";
        _cleanup_json_ cJSON *j = NULL;
        assert_int_equal(ocx_json_parse(ok, strlen(ok), &j, NULL), 0);
        assert_int_equal(ocx_validate_labels_annotations(j, NULL), 0);
        assert_int_equal(ocx_validate_labels_annotations(NULL, NULL), 0);

        struct {
                const char *json, *field, *msg;
        } bad[] = {
                {"{\"labels\":{\"app\":\"a b\"}}", "metadata.labels", "Invalid value: \"a b\": " VALUE_MSG},
                {"{\"labels\":{\"-x\":\"v\"}}", "metadata.labels", "Invalid value: \"-x\": name part " QNAME_TAIL},
                {"{\"labels\":{\"app\":1}}", "metadata.labels.app", "must be a string"},
                {"{\"labels\":[]}", "metadata.labels", "must be an object of strings"},
                {"{\"annotations\":{\"a/b/c\":\"v\"}}", "metadata.annotations",
                 "Invalid value: \"a/b/c\": a qualified name " QNAME_TAIL
                 " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"},
        };
        for (size_t i = 0; i < OCX_ARRAY_SIZE(bad); i++) {
                _cleanup_json_ cJSON *b = NULL;
                _cleanup_error_ ocx_error *e = NULL;
                assert_int_equal(ocx_json_parse(bad[i].json, strlen(bad[i].json), &b, NULL), 0);
                assert_int_equal(ocx_validate_labels_annotations(b, &e), -EINVAL);
                assert_string_equal(e->field, bad[i].field);
                assert_string_equal(e->message, bad[i].msg);
        }
}

static void annotation_size(void **state) {
        (void)state;
        /* exactly 256 KiB of key + value is allowed, one byte more is not */
        cJSON *m = cJSON_CreateObject();
        cJSON *a = cJSON_AddObjectToObject(m, "annotations");
        _cleanup_free_ char *v = rep('v', 256 * 1024 - 1);
        cJSON_AddStringToObject(a, "k", v);
        assert_int_equal(ocx_validate_labels_annotations(m, NULL), 0);
        cJSON_AddStringToObject(a, "x", "");
        _cleanup_error_ ocx_error *e = NULL;
        assert_int_equal(ocx_validate_labels_annotations(m, &e), -EINVAL);
        assert_string_equal(e->field, "metadata.annotations");
        assert_string_equal(e->message, "Too long: must have at most 262144 bytes");
        cJSON_Delete(m);
}

static void uuid(void **state) {
        (void)state;
        char a[37], b[37];
        ocx_uuid4(a);
        ocx_uuid4(b);
        assert_int_equal(strlen(a), 36);
        assert_string_not_equal(a, b);
        for (int i = 0; i < 36; i++) {
                if (i == 8 || i == 13 || i == 18 || i == 23) assert_int_equal(a[i], '-');
                else assert_non_null(strchr("0123456789abcdef", a[i]));
        }
        assert_int_equal(a[14], '4');
        assert_non_null(strchr("89ab", a[19]));
        unsigned char buf[64] = {0}, zero[64] = {0};
        ocx_random_bytes(buf, sizeof(buf));
        assert_memory_not_equal(buf, zero, sizeof(buf));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(dns1123_label), cmocka_unit_test(dns1123_subdomain), cmocka_unit_test(dns1035),
                cmocka_unit_test(qualified_name), cmocka_unit_test(label_value),     cmocka_unit_test(metadata),
                cmocka_unit_test(annotation_size), cmocka_unit_test(uuid),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
