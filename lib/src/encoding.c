#include "ocx/encoding.h"
#include <errno.h>
#include "ocx/buf.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

char *ocx_base64_encode(const void *data, size_t len, unsigned flags) {
        const char *alpha = (flags & OCX_B64_URL) ? "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                                  : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        const unsigned char *p = data;
        char *out = ocx_xmalloc((len + 2) / 3 * 4 + 1), *o = out;
        for (size_t i = 0; i < len; i += 3) {
                size_t left = len - i;
                unsigned v = (unsigned)p[i] << 16;
                if (left > 1) v |= (unsigned)p[i + 1] << 8;
                if (left > 2) v |= p[i + 2];
                size_t n = left >= 3 ? 4 : left + 1;
                for (size_t k = 0; k < n; k++) *o++ = alpha[(v >> (18 - 6 * k)) & 63];
                if (!(flags & OCX_B64_NOPAD))
                        for (size_t k = n; k < 4; k++) *o++ = '=';
        }
        *o = 0;
        return out;
}

static int value_of(int c) {
        if (c >= 'A' && c <= 'Z') return c - 'A';
        if (c >= 'a' && c <= 'z') return c - 'a' + 26;
        if (c >= '0' && c <= '9') return c - '0' + 52;
        if (c == '+' || c == '-') return 62;
        if (c == '/' || c == '_') return 63;
        return -1;
}

int ocx_base64_decode(const char *s, size_t n, bool lenient, unsigned char **ret, size_t *ret_len) {
        while (n > 0 && s[n - 1] == '=') n--;
        unsigned char *out = ocx_xmalloc(n * 3 / 4 + 2);
        size_t o = 0, used = 0;
        unsigned acc = 0;
        int bits = 0;
        for (size_t i = 0; i < n; i++) {
                int v = value_of((unsigned char)s[i]);
                if (v < 0) {
                        if (lenient) continue;
                        free(out);
                        return -EINVAL;
                }
                used++;
                acc = (acc << 6) | (unsigned)v;
                bits += 6;
                if (bits >= 8) {
                        bits -= 8;
                        out[o++] = (unsigned char)((acc >> bits) & 0xFF);
                }
        }
        if (used % 4 == 1) {
                free(out);
                return -EINVAL;
        }
        out[o] = 0;
        *ret = out;
        if (ret_len) *ret_len = o;
        return 0;
}

char *ocx_urlencode(const char *s) {
        ocx_buf b = OCX_BUF_INIT;
        for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
                if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
                    *p == '_' || *p == '.' || *p == '~')
                        ocx_buf_append(&b, p, 1);
                else
                        ocx_buf_printf(&b, "%%%02X", *p);
        }
        return ocx_buf_detach(&b, NULL);
}
