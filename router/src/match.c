/* ocx-router — Host normalisation, absolute-form targets, path matching. */
#include "router/match.h"
#include <errno.h>
#include <string.h>
#include "ocx/banned.h"

static char lower(char c) {
        return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static bool host_char(char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_';
}

static int parse_port(const char *s, size_t len, uint16_t *ret) {
        unsigned v = 0;
        if (len == 0) { /* "host:" is allowed by RFC 3986: default port */
                *ret = 0;
                return 0;
        }
        if (len > 5) return -EINVAL;
        for (size_t i = 0; i < len; i++) {
                if (s[i] < '0' || s[i] > '9') return -EINVAL;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v == 0 || v > 65535) return -EINVAL;
        *ret = (uint16_t)v;
        return 0;
}

int rt_host_normalize(const char *authority, size_t len, char *out, size_t outsz, uint16_t *ret_port) {
        size_t hlen, n = 0;
        uint16_t port = 0;
        if (outsz < 2) return -EINVAL;
        /* optional whitespace around a field value is not part of it */
        while (len > 0 && (authority[0] == ' ' || authority[0] == '\t')) authority++, len--;
        while (len > 0 && (authority[len - 1] == ' ' || authority[len - 1] == '\t')) len--;
        if (len == 0) {
                out[0] = '\0';
                if (ret_port) *ret_port = 0;
                return 0;
        }
        if (authority[0] == '[') { /* IPv6 literal */
                const char *close = memchr(authority, ']', len);
                if (!close) return -EINVAL;
                hlen = (size_t)(close - authority) + 1;
                if (hlen < 3) return -EINVAL;
                if (hlen < len) {
                        if (authority[hlen] != ':') return -EINVAL;
                        if (parse_port(authority + hlen + 1, len - hlen - 1, &port) < 0) return -EINVAL;
                }
                if (hlen + 1 > outsz) return -EINVAL;
                out[n++] = '[';
                for (size_t i = 1; i + 1 < hlen; i++) {
                        char c = lower(authority[i]);
                        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || c == ':' || c == '.'))
                                return -EINVAL;
                        out[n++] = c;
                }
                out[n++] = ']';
                out[n] = '\0';
                if (ret_port) *ret_port = port;
                return (int)n;
        }
        const char *colon = memchr(authority, ':', len);
        hlen = colon ? (size_t)(colon - authority) : len;
        if (colon && parse_port(colon + 1, len - hlen - 1, &port) < 0) return -EINVAL;
        if (hlen > 0 && authority[hlen - 1] == '.') hlen--; /* one trailing dot, like "\.?" */
        if (hlen == 0 || hlen >= outsz || hlen > 253) return -EINVAL;
        for (size_t i = 0; i < hlen; i++) {
                char c = lower(authority[i]);
                if (!host_char(c)) return -EINVAL;
                if (c == '.' && (i == 0 || out[n - 1] == '.')) return -EINVAL; /* empty label */
                out[n++] = c;
        }
        if (out[n - 1] == '.') return -EINVAL; /* "a.b.." */
        out[n] = '\0';
        if (ret_port) *ret_port = port;
        return (int)n;
}

static bool url_char_ok(unsigned char c) {
        return c > 0x20 && c < 0x7f;
}

int rt_parse_absolute_target(const char *s, size_t len, rt_target *ret) {
        size_t i, skip;
        *ret = (rt_target){0};
        for (i = 0; i < len; i++)
                if (!url_char_ok((unsigned char)s[i])) return -EINVAL;
        if (len >= 7 && strncasecmp(s, "http://", 7) == 0) {
                skip = 7;
        } else if (len >= 8 && strncasecmp(s, "https://", 8) == 0) {
                skip = 8;
                ret->https = true;
        } else {
                return -EINVAL;
        }
        const char *a = s + skip;
        size_t rest = len - skip, alen = 0;
        while (alen < rest && a[alen] != '/' && a[alen] != '?' && a[alen] != '#') alen++;
        if (alen == 0 || memchr(a, '@', alen)) return -EINVAL;
        /* the authority must be a valid host[:port] */
        char tmp[RT_HOST_MAX];
        uint16_t port;
        if (rt_host_normalize(a, alen, tmp, sizeof(tmp), &port) <= 0) return -EINVAL;
        ret->authority = a;
        ret->authority_len = alen;
        const char *p = a + alen;
        size_t plen = rest - alen;
        const char *hash = memchr(p, '#', plen);
        if (hash) plen = (size_t)(hash - p);
        ret->path = p;
        ret->path_len = plen;
        return 0;
}

bool rt_path_match(const char *route_path, const char *req_path, size_t req_len) {
        size_t rl = route_path ? strlen(route_path) : 0;
        const char *q = memchr(req_path, '?', req_len);
        if (q) req_len = (size_t)(q - req_path);
        if (rl == 0 || (rl == 1 && route_path[0] == '/')) return true;
        if (req_len < rl || memcmp(route_path, req_path, rl) != 0) return false;
        if (route_path[rl - 1] == '/') return true;
        return req_len == rl || req_path[rl] == '/';
}

bool rt_hostname_valid(const char *host) {
        size_t len = host ? strlen(host) : 0, label = 0;
        if (len == 0 || len > 253) return false;
        for (size_t i = 0; i < len; i++) {
                char c = host[i];
                if (c == '.') {
                        if (label == 0 || host[i - 1] == '-') return false;
                        label = 0;
                        continue;
                }
                if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) return false;
                if (label == 0 && c == '-') return false;
                if (++label > 63) return false;
        }
        return label > 0 && host[len - 1] != '-';
}

const char *rt_host_domain(const char *host) {
        const char *dot = host ? strchr(host, '.') : NULL;
        return (dot && dot[1]) ? dot + 1 : NULL;
}
