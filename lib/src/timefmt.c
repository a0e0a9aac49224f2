/* Time formatting as Kubernetes and oc print it. */
#include "ocx/timefmt.h"
#include <errno.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include "ocx/banned.h"

void ocx_time_rfc3339(time_t t, char *out, size_t n) {
        struct tm tm;
        if (n == 0) return;
        if (!gmtime_r(&t, &tm) || strftime(out, n, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) out[0] = 0;
}

static bool digits(const char *s, int n, int *ret) {
        int v = 0;
        for (int i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9') return false;
                v = v * 10 + (s[i] - '0');
        }
        *ret = v;
        return true;
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int ocx_time_parse_rfc3339(const char *s, time_t *ret) {
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int Y, M, D, h, m, sec, oh = 0, om = 0, sign = 0;
        if (!s || strlen(s) < 20) return -EINVAL;
        if (!digits(s, 4, &Y) || s[4] != '-' || !digits(s + 5, 2, &M) || s[7] != '-' || !digits(s + 8, 2, &D) ||
            (s[10] != 'T' && s[10] != 't') || !digits(s + 11, 2, &h) || s[13] != ':' || !digits(s + 14, 2, &m) ||
            s[16] != ':' || !digits(s + 17, 2, &sec))
                return -EINVAL;
        if (M < 1 || M > 12 || D < 1 || D > mdays[M - 1] + (M == 2 && is_leap(Y)) || h > 23 || m > 59 || sec > 59)
                return -EINVAL;
        const char *p = s + 19;
        if (*p == '.') {
                p++;
                if (*p < '0' || *p > '9') return -EINVAL;
                while (*p >= '0' && *p <= '9') p++;
        }
        if (*p == 'Z' || *p == 'z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                sign = *p == '-' ? -1 : 1;
                if (!digits(p + 1, 2, &oh) || p[3] != ':' || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
                        return -EINVAL;
                p += 6;
        } else {
                return -EINVAL;
        }
        if (*p) return -EINVAL;
        struct tm tm = {.tm_year = Y - 1900, .tm_mon = M - 1, .tm_mday = D, .tm_hour = h, .tm_min = m, .tm_sec = sec};
        time_t t = timegm(&tm);
        t -= (time_t)sign * (oh * 3600 + om * 60);
        *ret = t;
        return 0;
}

void ocx_human_duration(int64_t seconds, char *out, size_t n) {
        if (seconds < -1) {
                snprintf(out, n, "<invalid>");
                return;
        }
        if (seconds < 0) {
                snprintf(out, n, "0s");
                return;
        }
        if (seconds < 60 * 2) {
                snprintf(out, n, "%" PRId64 "s", seconds);
                return;
        }
        int64_t minutes = seconds / 60;
        if (minutes < 10) {
                int64_t s = seconds % 60;
                if (s == 0) snprintf(out, n, "%" PRId64 "m", minutes);
                else snprintf(out, n, "%" PRId64 "m%" PRId64 "s", minutes, s);
                return;
        }
        if (minutes < 60 * 3) {
                snprintf(out, n, "%" PRId64 "m", minutes);
                return;
        }
        int64_t hours = seconds / 3600;
        if (hours < 8) {
                int64_t m = minutes % 60;
                if (m == 0) snprintf(out, n, "%" PRId64 "h", hours);
                else snprintf(out, n, "%" PRId64 "h%" PRId64 "m", hours, m);
        } else if (hours < 48) {
                snprintf(out, n, "%" PRId64 "h", hours);
        } else if (hours < 24 * 8) {
                int64_t h = hours % 24;
                if (h == 0) snprintf(out, n, "%" PRId64 "d", hours / 24);
                else snprintf(out, n, "%" PRId64 "d%" PRId64 "h", hours / 24, h);
        } else if (hours < 24 * 365 * 2) {
                snprintf(out, n, "%" PRId64 "d", hours / 24);
        } else if (hours < 24 * 365 * 8) {
                int64_t dy = (hours / 24) % 365;
                if (dy == 0) snprintf(out, n, "%" PRId64 "y", hours / 24 / 365);
                else snprintf(out, n, "%" PRId64 "y%" PRId64 "d", hours / 24 / 365, dy);
        } else {
                snprintf(out, n, "%" PRId64 "y", hours / 24 / 365);
        }
}

void ocx_units_ago(int64_t seconds, char *out, size_t n) {
        if (seconds < 1) {
                snprintf(out, n, "Less than a second ago");
        } else if (seconds == 1) {
                snprintf(out, n, "1 second ago");
        } else if (seconds < 60) {
                snprintf(out, n, "%" PRId64 " seconds ago", seconds);
        } else if (seconds / 60 == 1) {
                snprintf(out, n, "About a minute ago");
        } else if (seconds / 60 < 60) {
                snprintf(out, n, "%" PRId64 " minutes ago", seconds / 60);
        } else {
                /* go-units rounds hours: int(d.Hours() + 0.5) */
                int64_t hours = (int64_t)((double)seconds / 3600.0 + 0.5);
                if (hours == 1) snprintf(out, n, "About an hour ago");
                else if (hours < 48) snprintf(out, n, "%" PRId64 " hours ago", hours);
                else if (hours < 24 * 7 * 2) snprintf(out, n, "%" PRId64 " days ago", hours / 24);
                else if (hours < 24 * 30 * 2) snprintf(out, n, "%" PRId64 " weeks ago", hours / 24 / 7);
                else if (hours < 24 * 365 * 2) snprintf(out, n, "%" PRId64 " months ago", hours / 24 / 30);
                else snprintf(out, n, "%" PRId64 " years ago", seconds / 3600 / 24 / 365);
        }
}
