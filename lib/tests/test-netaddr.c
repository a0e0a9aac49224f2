#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include "ocx/netaddr.h"

static void valid(void **state) {
        (void)state;
        struct sockaddr_in sa;
        bool any = true;
        assert_int_equal(ocx_parse_hostport("127.0.0.1:8443", &sa, &any), 0);
        assert_false(any);
        assert_int_equal(ntohs(sa.sin_port), 8443);
        assert_int_equal(ntohl(sa.sin_addr.s_addr), 0x7f000001);
        assert_int_equal(ocx_parse_hostport(":53", &sa, &any), 0);
        assert_true(any);
        assert_int_equal(sa.sin_addr.s_addr, 0);
}

static void invalid(void **state) {
        (void)state;
        struct sockaddr_in sa;
        static const char *const bad[] = {"", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
                                          "127.0.0.1:80x", "localhost:80", "1.2.3:80", "::1:80"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(ocx_parse_hostport(bad[i], &sa, NULL), -EINVAL);
        assert_int_equal(ocx_parse_hostport(NULL, &sa, NULL), -EINVAL);
}

int main(void) {
        const struct CMUnitTest tests[] = {cmocka_unit_test(valid), cmocka_unit_test(invalid)};
        return cmocka_run_group_tests(tests, NULL, NULL);
}
