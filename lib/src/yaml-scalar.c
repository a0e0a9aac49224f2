/* YAML 1.1 plain scalars resolved like go-yaml v2 (which kubectl uses through
 * sigs.k8s.io/yaml), and numbers printed the way go-yaml prints them. */
#include "yaml-internal.h"
#include <inttypes.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "ocx/macro.h"
#include "ocx/banned.h"

static const struct {
        const char *s;
        rkind k;
        bool b;
} resolve_map[] = {
        {"y", R_BOOL, true},     {"Y", R_BOOL, true},      {"yes", R_BOOL, true},    {"Yes", R_BOOL, true},
        {"YES", R_BOOL, true},   {"true", R_BOOL, true},   {"True", R_BOOL, true},   {"TRUE", R_BOOL, true},
        {"on", R_BOOL, true},    {"On", R_BOOL, true},     {"ON", R_BOOL, true},     {"n", R_BOOL, false},
        {"N", R_BOOL, false},    {"no", R_BOOL, false},    {"No", R_BOOL, false},    {"NO", R_BOOL, false},
        {"false", R_BOOL, false}, {"False", R_BOOL, false}, {"FALSE", R_BOOL, false}, {"off", R_BOOL, false},
        {"Off", R_BOOL, false},  {"OFF", R_BOOL, false},   {"", R_NULL, false},      {"~", R_NULL, false},
        {"null", R_NULL, false}, {"Null", R_NULL, false},  {"NULL", R_NULL, false},  {".nan", R_INFNAN, false},
        {".NaN", R_INFNAN, false}, {".NAN", R_INFNAN, false}, {".inf", R_INFNAN, false}, {".Inf", R_INFNAN, false},
        {".INF", R_INFNAN, false}, {"+.inf", R_INFNAN, false}, {"+.Inf", R_INFNAN, false},
        {"+.INF", R_INFNAN, false}, {"-.inf", R_INFNAN, false}, {"-.Inf", R_INFNAN, false},
        {"-.INF", R_INFNAN, false}, {"<<", R_MERGE, false},
};

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* yamlStyleFloat: ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$ */
static bool match_yaml_float(const char *s) {
        if (*s == '-' || *s == '+') s++;
        if (*s == '.') {
                s++;
                if (!is_digit(*s)) return false;
                while (is_digit(*s)) s++;
        } else {
                if (!is_digit(*s)) return false;
                while (is_digit(*s)) s++;
                if (*s == '.') {
                        s++;
                        while (is_digit(*s)) s++;
                }
        }
        if (*s == 'e' || *s == 'E') {
                s++;
                if (*s == '-' || *s == '+') s++;
                if (!is_digit(*s)) return false;
                while (is_digit(*s)) s++;
        }
        return *s == 0;
}

/* strconv.ParseFloat on what match_yaml_float accepted: fails on overflow. */
static bool parse_float(const char *s, double *ret) {
        char *end = NULL;
        errno = 0;
        double d = strtod(s, &end);
        if (!end || *end || isinf(d)) return false;
        *ret = d;
        return true;
}

static int digit_val(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'z') return c - 'a' + 10;
        if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
        return 99;
}

/* strconv.ParseUint(s, 0, 64) (underscores already removed). */
static bool parse_uint0(const char *s, uint64_t *ret) {
        unsigned base = 10;
        if (!*s) return false;
        if (s[0] == '0') {
                size_t n = strlen(s);
                char l = (char)(s[1] | 0x20);
                if (n >= 3 && l == 'b') base = 2, s += 2;
                else if (n >= 3 && l == 'o') base = 8, s += 2;
                else if (n >= 3 && l == 'x') base = 16, s += 2;
                else base = 8, s += 1;
        }
        uint64_t v = 0;
        for (; *s; s++) {
                int d = digit_val(*s);
                if (d >= (int)base) return false;
                if (v > (UINT64_MAX - (uint64_t)d) / base) return false;
                v = v * base + (uint64_t)d;
        }
        *ret = v;
        return true;
}

/* strconv.ParseInt(s, 0, 64). */
static bool parse_int0(const char *s, int64_t *ret) {
        bool neg = false;
        if (*s == '+' || *s == '-') neg = *s++ == '-';
        uint64_t u;
        if (!parse_uint0(s, &u)) return false;
        if (!neg && u > (uint64_t)INT64_MAX) return false;
        if (neg && u > (uint64_t)INT64_MAX + 1) return false;
        *ret = neg ? (int64_t)(0 - u) : (int64_t)u;
        return true;
}

static int getnum12(const char **p) {
        const char *s = *p;
        if (!is_digit(s[0])) return -1;
        int v = s[0] - '0';
        s++;
        if (is_digit(s[0])) v = v * 10 + (*s++ - '0');
        *p = s;
        return v;
}

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

/* go-yaml v2 parseTimestamp: "2006-1-2", "2006-1-2T15:4:5.999999999Z07:00"
 * (T or t), "2006-1-2 15:4:5.999999999". */
static bool is_timestamp(const char *s) {
        for (int i = 0; i < 4; i++)
                if (!is_digit(s[i])) return false;
        if (s[4] != '-') return false;
        int year = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
        const char *p = s + 5;
        int mon = getnum12(&p);
        if (mon < 1 || mon > 12 || *p++ != '-') return false;
        int day = getnum12(&p);
        static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int maxd = mdays[mon - 1] + (mon == 2 && is_leap(year));
        if (day < 1 || day > maxd) return false;
        if (!*p) return true;
        char sep = *p++;
        if (sep != 'T' && sep != 't' && sep != ' ') return false;
        int h = getnum12(&p);
        if (h < 0 || h > 23 || *p++ != ':') return false;
        int m = getnum12(&p);
        if (m < 0 || m > 59 || *p++ != ':') return false;
        int sec = getnum12(&p);
        if (sec < 0 || sec > 59) return false;
        if ((*p == '.' || *p == ',') && is_digit(p[1])) {
                p++;
                while (is_digit(*p)) p++;
        }
        if (sep == ' ') return *p == 0;
        if (*p == 'Z') return p[1] == 0;
        if (*p != '+' && *p != '-') return false;
        return is_digit(p[1]) && is_digit(p[2]) && p[3] == ':' && is_digit(p[4]) && is_digit(p[5]) &&
               p[6] == 0;
}

/* Resolves a plain scalar (go-yaml v2 resolve() with an empty tag). */
rkind ocx_yaml_resolve_plain(const char *s, double *num, bool *bval) {
        for (size_t i = 0; i < OCX_ARRAY_SIZE(resolve_map); i++)
                if (strcmp(s, resolve_map[i].s) == 0) {
                        *bval = resolve_map[i].b;
                        return resolve_map[i].k;
                }
        char c = s[0];
        if (c == '.') {
                /* strconv.ParseFloat: only ".5", ".5e3" forms can start with '.' */
                if (match_yaml_float(s) && parse_float(s, num)) return R_NUM;
                return R_STR;
        }
        if (!is_digit(c) && c != '+' && c != '-') return R_STR;
        if (is_timestamp(s)) return R_TIMESTAMP;
        size_t n = strlen(s);
        _cleanup_free_ char *plain = ocx_xmalloc(n + 1);
        size_t j = 0;
        for (size_t i = 0; i < n; i++)
                if (s[i] != '_') plain[j++] = s[i];
        plain[j] = 0;
        int64_t iv;
        uint64_t uv;
        if (parse_int0(plain, &iv)) {
                *num = (double)iv;
                return R_NUM;
        }
        if (plain[0] != '+' && plain[0] != '-' && parse_uint0(plain, &uv)) {
                *num = (double)uv;
                return R_NUM;
        }
        if (match_yaml_float(plain) && parse_float(plain, num)) return R_NUM;
        return R_STR;
}

/* isBase60Float: ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$ */
bool ocx_yaml_is_base60_float(const char *s) {
        if (*s == '-' || *s == '+') s++;
        if (!is_digit(*s)) return false;
        while (is_digit(*s) || *s == '_') s++;
        int groups = 0;
        while (*s == ':') {
                s++;
                if (is_digit(s[0]) && is_digit(s[1])) {
                        if (s[0] > '5') return false;
                        s += 2;
                } else if (is_digit(s[0])) {
                        s += 1;
                } else {
                        return false;
                }
                groups++;
        }
        if (!groups) return false;
        if (*s == '.') {
                s++;
                while (is_digit(*s) || *s == '_') s++;
        }
        return *s == 0;
}

/* Go's strconv.FormatFloat(d, 'g', -1, 64). */
static void format_go_float(double d, char *out, size_t n) {
        if (isnan(d)) {
                snprintf(out, n, ".nan");
                return;
        }
        if (isinf(d)) {
                snprintf(out, n, d > 0 ? ".inf" : "-.inf");
                return;
        }
        char e[40];
        int prec = 1;
        for (; prec <= 17; prec++) {
                snprintf(e, sizeof(e), "%.*e", prec - 1, d);
                if (strtod(e, NULL) == d) break;
        }
        const char *x = strchr(e, 'e');
        long exp = x ? strtol(x + 1, NULL, 10) : 0;
        if (exp < -4 || exp >= 6) {
                snprintf(out, n, "%s", e);
                return;
        }
        /* %f with exactly the shortest digits */
        int frac = prec - 1 - (int)exp;
        if (frac < 0) frac = 0;
        snprintf(out, n, "%.*f", frac, d);
}

/* Number text as go-yaml prints it: integers without a fraction. */
void ocx_yaml_format_number(double d, char *out, size_t n) {
        if (isfinite(d) && d == trunc(d) && fabs(d) < 9.2e18) {
                snprintf(out, n, "%" PRId64, (int64_t)d);
                return;
        }
        format_go_float(d, out, n);
}
