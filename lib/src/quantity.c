/* Kubernetes resource quantities (see ocx/quantity.h). Exact: the number is
 * read into a 128-bit mantissa with a decimal and a binary exponent, then
 * scaled once, rounding up. */
#include "ocx/quantity.h"
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include "ocx/banned.h"

#define MAX_DIGITS 36 /* 10^36 < 2^121 */

static int scaled(const char *s, int scale10, int64_t *ret) {
        if (!s || !*s) return -EINVAL;
        const char *p = s;
        bool neg = false;
        if (*p == '+' || *p == '-') neg = *p++ == '-';
        __int128 m = 0;
        int dexp = 0, bexp = 0, ndig = 0;
        bool dot = false, any = false;
        for (;; p++) {
                if (*p == '.' && !dot) {
                        dot = true;
                        continue;
                }
                if (*p < '0' || *p > '9') break;
                any = true;
                if (m == 0 && *p == '0') { /* leading zeros do not count */
                        if (dot) dexp--;
                        continue;
                }
                if (++ndig > MAX_DIGITS) return -ERANGE;
                m = m * 10 + (*p - '0');
                if (dot) dexp--;
        }
        if (!any) return -EINVAL;
        /* suffix */
        static const struct {
                const char *sfx;
                int d, b;
        } sfx[] = {{"Ki", 0, 10}, {"Mi", 0, 20}, {"Gi", 0, 30}, {"Ti", 0, 40}, {"Pi", 0, 50}, {"Ei", 0, 60},
                   {"n", -9, 0},  {"u", -6, 0},  {"m", -3, 0},  {"k", 3, 0},   {"M", 6, 0},   {"G", 9, 0},
                   {"T", 12, 0},  {"P", 15, 0},  {"E", 18, 0},  {"", 0, 0}};
        bool matched = false;
        if ((*p == 'e' || *p == 'E') && p[1] && (p[1] == '-' || p[1] == '+' || (p[1] >= '0' && p[1] <= '9'))) {
                const char *q = p + 1;
                bool eneg = false;
                if (*q == '+' || *q == '-') eneg = *q++ == '-';
                int e = 0;
                if (*q < '0' || *q > '9') return -EINVAL;
                while (*q >= '0' && *q <= '9') {
                        e = e * 10 + (*q++ - '0');
                        if (e > 1000) return -ERANGE;
                }
                if (*q) return -EINVAL;
                dexp += eneg ? -e : e;
                matched = true;
        } else {
                for (size_t i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++)
                        if (strcmp(p, sfx[i].sfx) == 0) {
                                dexp += sfx[i].d;
                                bexp = sfx[i].b;
                                matched = true;
                                break;
                        }
        }
        if (!matched) return -EINVAL;
        if (m == 0) {
                *ret = 0;
                return 0;
        }
        const __int128 lim = ((__int128)1 << 124);
        for (int i = 0; i < bexp; i++) {
                m *= 2;
                if (m > lim) return -ERANGE;
        }
        int d = dexp + scale10;
        for (; d > 0; d--) {
                m *= 10;
                if (m > lim) return -ERANGE;
        }
        bool frac = false;
        for (; d < 0; d++) {
                if (m % 10) frac = true;
                m /= 10;
                if (m == 0) {
                        frac = true;
                        break;
                }
        }
        /* round towards +infinity */
        if (frac && !neg) m += 1;
        if (m > INT64_MAX) return -ERANGE;
        *ret = neg ? -(int64_t)m : (int64_t)m;
        return 0;
}

int ocx_quantity_value(const char *s, int64_t *ret) { return scaled(s, 0, ret); }

int ocx_quantity_milli(const char *s, int64_t *ret) { return scaled(s, 3, ret); }
