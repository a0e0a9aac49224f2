#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include "ocx/timefmt.h"

static void rfc3339(void **state) {
        (void)state;
        char out[32];
        ocx_time_rfc3339(0, out, sizeof(out));
        assert_string_equal(out, "1970-01-01T00:00:00Z");
        ocx_time_rfc3339(1795725878, out, sizeof(out));
        assert_string_equal(out, "2026-11-26T20:44:38Z");
        time_t t;
        assert_int_equal(ocx_time_parse_rfc3339("2026-11-26T20:44:38Z", &t), 0);
        assert_int_equal(t, 1795725878);
        assert_int_equal(ocx_time_parse_rfc3339("2026-11-26T21:44:38.123456+01:00", &t), 0);
        assert_int_equal(t, 1795725878);
        assert_int_equal(ocx_time_parse_rfc3339("2026-11-26T15:14:38-05:30", &t), 0);
        assert_int_equal(t, 1795725878);
        assert_int_equal(ocx_time_parse_rfc3339("2024-02-29T00:00:00Z", &t), 0);
        const char *bad[] = {"",
                             "2026-11-26",
                             "2026-11-26 20:44:38Z",
                             "2026-11-26T20:44:38",
                             "2026-13-01T00:00:00Z",
                             "2023-02-29T00:00:00Z",
                             "2026-11-26T24:00:00Z",
                             "2026-11-26T20:44:60Z",
                             "2026-11-26T20:44:38.Z",
                             "2026-11-26T20:44:38Zjunk",
                             "2026-11-26T20:44:38+0100",
                             "2026-1-26T20:44:38Z"};
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
                assert_int_equal(ocx_time_parse_rfc3339(bad[i], &t), -EINVAL);
}

static void human_duration(void **state) {
        (void)state;
        static const struct {
                int64_t s;
                const char *want;
        } cases[] = {
                {-2, "<invalid>"},
                {-1, "0s"},
                {0, "0s"},
                {45, "45s"},
                {119, "119s"},
                {120, "2m"},
                {270, "4m30s"},
                {599, "9m59s"},
                {600, "10m"},
                {95 * 60, "95m"},
                {3 * 3600 - 1, "179m"},
                {3 * 3600, "3h"},
                {3 * 3600 + 20 * 60 + 59, "3h20m"},
                {8 * 3600 - 1, "7h59m"},
                {8 * 3600, "8h"},
                {48 * 3600 - 1, "47h"},
                {48 * 3600, "2d"},
                {5 * 86400 + 2 * 3600, "5d2h"},
                {8 * 86400 - 1, "7d23h"},
                {8 * 86400, "8d"},
                {45 * 86400, "45d"},
                {400 * 86400, "400d"},
                {730 * 86400 - 1, "729d"},
                {730 * 86400, "2y"},
                {(3 * 365 + 20) * 86400LL, "3y20d"},
                {(8 * 365) * 86400LL - 1, "7y364d"},
                {(8 * 365) * 86400LL, "8y"},
                {(100 * 365 + 5) * 86400LL, "100y"},
        };
        char out[32];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ocx_human_duration(cases[i].s, out, sizeof(out));
                assert_string_equal(out, cases[i].want);
        }
}

static void units_ago(void **state) {
        (void)state;
        static const struct {
                int64_t s;
                const char *want;
        } cases[] = {
                {-5, "Less than a second ago"},
                {0, "Less than a second ago"},
                {1, "1 second ago"},
                {2, "2 seconds ago"},
                {59, "59 seconds ago"},
                {60, "About a minute ago"},
                {119, "About a minute ago"},
                {120, "2 minutes ago"},
                {58 * 60, "58 minutes ago"},
                {3599, "59 minutes ago"},
                {3600, "About an hour ago"},
                {5399, "About an hour ago"},
                {5400, "2 hours ago"},
                {47 * 3600 + 1799, "47 hours ago"},
                {47 * 3600 + 1800, "2 days ago"},
                {3 * 86400, "3 days ago"},
                {14 * 86400 - 1801, "13 days ago"},
                {14 * 86400, "2 weeks ago"},
                {59 * 86400, "8 weeks ago"},
                {60 * 86400, "2 months ago"},
                {729 * 86400, "24 months ago"},
                {730 * 86400, "2 years ago"},
                {3 * 365 * 86400LL + 100, "3 years ago"},
        };
        char out[64];
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                ocx_units_ago(cases[i].s, out, sizeof(out));
                assert_string_equal(out, cases[i].want);
        }
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(rfc3339),
                cmocka_unit_test(human_duration),
                cmocka_unit_test(units_ago),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
