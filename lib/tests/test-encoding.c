#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ocx/encoding.h"

static void rfc4648_vectors(void **state) {
        (void)state;
        static const char *const in[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
        static const char *const std[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
        for (size_t i = 0; i < 7; i++) {
                char *e = ocx_base64_encode(in[i], strlen(in[i]), 0);
                assert_string_equal(e, std[i]);
                unsigned char *d;
                size_t n;
                assert_int_equal(ocx_base64_decode(e, strlen(e), false, &d, &n), 0);
                assert_int_equal(n, strlen(in[i]));
                assert_memory_equal(d, in[i], n);
                free(d);
                free(e);
        }
}

static void url_alphabet_without_padding(void **state) {
        (void)state;
        const unsigned char raw[] = {0xfb, 0xff, 0xbf};
        char *e = ocx_base64_encode(raw, 3, OCX_B64_URL | OCX_B64_NOPAD);
        assert_string_equal(e, "-_-_");
        free(e);
        e = ocx_base64_encode(raw, 2, OCX_B64_URL | OCX_B64_NOPAD);
        assert_string_equal(e, "-_8");
        free(e);
}

static void decode_errors_and_leniency(void **state) {
        (void)state;
        unsigned char *d;
        size_t n;
        assert_int_equal(ocx_base64_decode("Zm9v\nYmFy", 9, false, &d, &n), -EINVAL);
        assert_int_equal(ocx_base64_decode("Zm9v\nYmFy", 9, true, &d, &n), 0);
        assert_string_equal((char *)d, "foobar");
        free(d);
        assert_int_equal(ocx_base64_decode("Z", 1, false, &d, &n), -EINVAL);
}

static void urlencode(void **state) {
        (void)state;
        char *e = ocx_urlencode("a b&c=d/é~");
        assert_string_equal(e, "a%20b%26c%3Dd%2F%C3%A9~");
        free(e);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rfc4648_vectors),
                cmocka_unit_test(url_alphabet_without_padding),
                cmocka_unit_test(decode_errors_and_leniency),
                cmocka_unit_test(urlencode),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
