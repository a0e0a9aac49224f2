/* ocx-router — Host normalisation, absolute-form targets, path matching. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include <cmocka.h>
#include "router/match.h"

static int norm(const char *in, char *out, uint16_t *port) {
        return rt_host_normalize(in, strlen(in), out, RT_HOST_MAX, port);
}

static void host_normalize(void **state) {
        (void)state;
        char h[RT_HOST_MAX];
        uint16_t port;
        assert_int_equal(norm("SQS-Test.127.0.0.1.NIP.io", h, &port), 25);
        assert_string_equal(h, "sqs-test.127.0.0.1.nip.io");
        assert_int_equal(port, 0);
        assert_true(norm("Web.Example.com.:8080", h, &port) > 0);
        assert_string_equal(h, "web.example.com");
        assert_int_equal(port, 8080);
        assert_true(norm("web.example.com:", h, &port) > 0); /* empty port = default */
        assert_int_equal(port, 0);
        assert_true(norm("  web.example.com \t", h, &port) > 0);
        assert_string_equal(h, "web.example.com");
        assert_true(norm("[::1]:8443", h, &port) > 0);
        assert_string_equal(h, "[::1]");
        assert_int_equal(port, 8443);
        assert_true(norm("[FE80::1]", h, &port) > 0);
        assert_string_equal(h, "[fe80::1]");
        assert_int_equal(norm("", h, &port), 0);
}

static void host_edge_cases(void **state) {
        (void)state;
        char h[RT_HOST_MAX];
        uint16_t port;
        /* only ONE trailing dot is ignored */
        assert_int_equal(norm("a.example.com..", h, &port), -EINVAL);
        assert_int_equal(norm(".", h, &port), -EINVAL);
        assert_int_equal(norm("a..b", h, &port), -EINVAL);
        assert_int_equal(norm("a b", h, &port), -EINVAL);
        assert_int_equal(norm("a/b", h, &port), -EINVAL);
        assert_int_equal(norm("user@host", h, &port), -EINVAL);
        assert_int_equal(norm("host:80:80", h, &port), -EINVAL);
        assert_int_equal(norm("host:0", h, &port), -EINVAL);
        assert_int_equal(norm("host:65536", h, &port), -EINVAL);
        assert_int_equal(norm("host:8o", h, &port), -EINVAL);
        assert_int_equal(norm("[::1", h, &port), -EINVAL);
        assert_int_equal(norm("[::1]x", h, &port), -EINVAL);
        assert_int_equal(norm("[zz]", h, &port), -EINVAL);
        assert_int_equal(norm("h\xc3\xa9llo", h, &port), -EINVAL);
        char big[400];
        memset(big, 'a', sizeof(big) - 1);
        big[sizeof(big) - 1] = '\0';
        assert_int_equal(norm(big, h, &port), -EINVAL);
}

static void absolute_form(void **state) {
        (void)state;
        rt_target t;
        const char *s = "http://Host:80/p?q";
        assert_int_equal(rt_parse_absolute_target(s, strlen(s), &t), 0);
        assert_false(t.https);
        assert_int_equal(t.authority_len, 7);
        assert_memory_equal(t.authority, "Host:80", 7);
        assert_int_equal(t.path_len, 4);
        assert_memory_equal(t.path, "/p?q", 4);
        s = "HTTPS://h.example";
        assert_int_equal(rt_parse_absolute_target(s, strlen(s), &t), 0);
        assert_true(t.https);
        assert_int_equal(t.path_len, 0);
        s = "http://h?x=1";
        assert_int_equal(rt_parse_absolute_target(s, strlen(s), &t), 0);
        assert_memory_equal(t.path, "?x=1", 4);
        s = "http://h/a#frag";
        assert_int_equal(rt_parse_absolute_target(s, strlen(s), &t), 0);
        assert_int_equal(t.path_len, 2);
        s = "http://[::1]:8080/x";
        assert_int_equal(rt_parse_absolute_target(s, strlen(s), &t), 0);
        assert_int_equal(t.authority_len, 10);
}

static void absolute_form_garbage(void **state) {
        (void)state;
        rt_target t;
        static const char *bad[] = {"ftp://h/", "http:/h/", "http//h", "http://", "http:///p", "http://u@h/",
                                    "http://h:99999/", "http://h:x/", "http://h h/", "http://h/\x01", "garbage",
                                    "", "http://a..b/", "http://h/\x80"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(rt_parse_absolute_target(bad[i], strlen(bad[i]), &t), -EINVAL);
}

static bool pm(const char *route, const char *req) {
        return rt_path_match(route, req, strlen(req));
}

static void path_segments(void **state) {
        (void)state;
        assert_true(pm("", "/anything"));
        assert_true(pm("/", "/anything"));
        assert_true(pm("/foo", "/foo"));
        assert_true(pm("/foo", "/foo/"));
        assert_true(pm("/foo", "/foo/bar"));
        assert_true(pm("/foo", "/foo?x=1"));
        assert_false(pm("/foo", "/foobar"));
        assert_false(pm("/foo", "/fo"));
        assert_false(pm("/foo", "/"));
        assert_true(pm("/foo/", "/foo/x"));
        assert_false(pm("/foo/", "/foo"));
        assert_false(pm("/foo", "/FOO")); /* paths are case-sensitive */
}

static void hostname_validation(void **state) {
        (void)state;
        assert_true(rt_hostname_valid("kinesis-test.127.0.0.1.nip.io"));
        assert_true(rt_hostname_valid("a"));
        assert_false(rt_hostname_valid(""));
        assert_false(rt_hostname_valid("-a.b"));
        assert_false(rt_hostname_valid("a-.b"));
        assert_false(rt_hostname_valid("a..b"));
        assert_false(rt_hostname_valid("a.b."));
        assert_false(rt_hostname_valid("A.b"));
        assert_false(rt_hostname_valid("a_b.c"));
        char label[70];
        memset(label, 'a', 64);
        label[64] = '\0';
        assert_false(rt_hostname_valid(label));
        label[63] = '\0';
        assert_true(rt_hostname_valid(label));
        assert_string_equal(rt_host_domain("www.acme.test"), "acme.test");
        assert_null(rt_host_domain("localhost"));
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(host_normalize),        cmocka_unit_test(host_edge_cases),
                cmocka_unit_test(absolute_form),         cmocka_unit_test(absolute_form_garbage),
                cmocka_unit_test(path_segments),         cmocka_unit_test(hostname_validation),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
