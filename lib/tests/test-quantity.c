#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdint.h>
#include "ocx/quantity.h"

static int64_t v(const char *s) {
        int64_t r = -42;
        assert_int_equal(ocx_quantity_value(s, &r), 0);
        return r;
}

static int64_t milli(const char *s) {
        int64_t r = -42;
        assert_int_equal(ocx_quantity_milli(s, &r), 0);
        return r;
}

static void values(void **state) {
        (void)state;
        assert_int_equal(v("0"), 0);
        assert_int_equal(v("1"), 1);
        assert_int_equal(v("64Mi"), 67108864);
        assert_int_equal(v("1Gi"), 1073741824);
        assert_int_equal(v("1G"), 1000000000);
        assert_int_equal(v("128974848"), 128974848);
        assert_int_equal(v("129e6"), 129000000);
        assert_int_equal(v("129M"), 129000000);
        assert_int_equal(v("123Ki"), 125952);
        assert_int_equal(v("1.5Gi"), 1610612736);
        assert_int_equal(v("0.5Ki"), 512);
        assert_int_equal(v("1k"), 1000);
        assert_int_equal(v("+3"), 3);
        assert_int_equal(v("-3"), -3);
        assert_int_equal(v("00012"), 12);
        assert_int_equal(v(".5"), 1);   /* rounds up */
        assert_int_equal(v("100m"), 1); /* rounds up */
        assert_int_equal(v("1000m"), 1);
        assert_int_equal(v("1001m"), 2);
        assert_int_equal(v("1E3"), 1000);
        assert_int_equal(v("5e-1"), 1);
        assert_int_equal(v("7Ei"), 8070450532247928832LL);
}

static void millis(void **state) {
        (void)state;
        assert_int_equal(milli("500m"), 500);
        assert_int_equal(milli("2"), 2000);
        assert_int_equal(milli("0.1"), 100);
        assert_int_equal(milli("0.0001"), 1); /* rounds up */
        assert_int_equal(milli("250m"), 250);
        assert_int_equal(milli("1.25"), 1250);
        assert_int_equal(milli("100u"), 1);
        assert_int_equal(milli("1k"), 1000000);
        assert_int_equal(milli("0"), 0);
}

static void bad(void **state) {
        (void)state;
        int64_t r;
        const char *bad_inputs[] = {"",    "Mi",   "1 Mi", "1mi", "1MB", "1.2.3", "--1", "1e",
                                    "1e+", "0x10", "1Kii", " 1",  "1 ",  "e3",    ".",   "1.5e3Mi"};
        for (size_t i = 0; i < sizeof(bad_inputs) / sizeof(bad_inputs[0]); i++)
                assert_int_equal(ocx_quantity_value(bad_inputs[i], &r), -EINVAL);
        assert_int_equal(ocx_quantity_value(NULL, &r), -EINVAL);
        assert_int_equal(ocx_quantity_value("8Ei", &r), -ERANGE);
        assert_int_equal(ocx_quantity_value("10E", &r), -ERANGE);
        assert_int_equal(ocx_quantity_milli("10P", &r), -ERANGE);
        assert_int_equal(ocx_quantity_value("1e1001", &r), -ERANGE);
        assert_int_equal(ocx_quantity_value("1234567890123456789012345678901234567890", &r), -ERANGE);
}

int main(void) {
        const struct CMUnitTest tests[] = {
            cmocka_unit_test(values),
            cmocka_unit_test(millis),
            cmocka_unit_test(bad),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
