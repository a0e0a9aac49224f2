/* ocx-router — request-side parsing and matching primitives (pure, no I/O):
 * Host normalisation, absolute-form request targets, path prefix matching on
 * segment boundaries, hostname validation. Every parser here is fuzzed
 * (router/fuzz/fuzz-request-target.c). */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RT_HOST_MAX 256 /* 253 + trailing dot + NUL, rounded */

/* Normalises a Host header value (or the authority of an absolute URL):
 * lowercases, strips ":port" (also after an IPv6 literal "[...]"), strips
 * ONE trailing dot, and checks the characters (letters, digits, '-', '.', '_',
 * and ':' inside brackets). Writes the NUL terminated host into out (size
 * outsz, at least RT_HOST_MAX) and the port (0 = none) into *ret_port.
 * Returns the host length (0 for an empty authority) or -EINVAL. */
int rt_host_normalize(const char *authority, size_t len, char *out, size_t outsz, uint16_t *ret_port);

/* An absolute-form request target ("http://Host:80/p?q", RFC 7230 5.3.2),
 * pointing into the input. path is "" when the URL has no path (the caller
 * then uses "/"; a query without a path, "http://h?x", gives path "?x"). */
typedef struct rt_target {
        bool https;
        const char *authority; /* host[:port] exactly as written */
        size_t authority_len;
        const char *path; /* from the first '/' or '?' up to '#' or the end */
        size_t path_len;
} rt_target;

/* Parses an absolute-form target: scheme http or https (any case), "://",
 * an authority without userinfo, then an optional path/query; a fragment is
 * dropped. Spaces, control bytes and bytes >= 0x7f are rejected. Returns 0 or
 * -EINVAL (garbage, other schemes, empty host, bad port). */
int rt_parse_absolute_target(const char *s, size_t len, rt_target *ret);

/* True when route_path (a spec.path; "" or "/" match everything) is a prefix
 * of the request path on a segment boundary: "/foo" matches "/foo", "/foo/x",
 * "/foo?q" but not "/foobar"; "/foo/" matches "/foo/x" but not "/foo". The
 * request path may carry a query string (ignored). */
bool rt_path_match(const char *route_path, const char *req_path, size_t req_len);

/* DNS-1123 subdomain check used for spec.host: lowercase labels of
 * [a-z0-9-], no leading/trailing '-', each <= 63, total <= 253. */
bool rt_hostname_valid(const char *host);

/* The domain a wildcard route claims: everything after the first dot
 * ("www.acme.test" -> "acme.test"), or NULL when there is no dot. */
const char *rt_host_domain(const char *host);
