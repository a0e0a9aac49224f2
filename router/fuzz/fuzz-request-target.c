/* ocx-router — fuzz the request-target and Host parsers. The input is split
 * at the first newline: request target, then Host header value. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "router/match.h"
#include "ocx/banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *s = (const char *)data;
        const char *nl = memchr(s, '\n', size);
        size_t tlen = nl ? (size_t)(nl - s) : size;
        const char *hv = nl ? nl + 1 : s;
        size_t hlen = nl ? size - tlen - 1 : size;
        char host[RT_HOST_MAX];
        uint16_t port;
        rt_target t;
        if (rt_parse_absolute_target(s, tlen, &t) == 0) {
                /* the pieces lie inside the input and the authority normalises */
                if (t.authority < s || t.authority + t.authority_len > s + tlen) abort();
                if (t.path < s || t.path + t.path_len > s + tlen) abort();
                if (rt_host_normalize(t.authority, t.authority_len, host, sizeof(host), &port) <= 0) abort();
                if (t.path_len && t.path[0] != '/' && t.path[0] != '?') abort();
                (void)rt_path_match("/foo", t.path, t.path_len);
        }
        int n = rt_host_normalize(hv, hlen, host, sizeof(host), &port);
        if (n > 0) {
                if ((size_t)n != strlen(host)) abort();
                for (int i = 0; i < n; i++)
                        if (host[i] >= 'A' && host[i] <= 'Z') abort();
                (void)rt_hostname_valid(host);
                (void)rt_host_domain(host);
        }
        /* the route path matcher with the input as a route path */
        char rp[64];
        size_t rl = tlen < sizeof(rp) - 1 ? tlen : sizeof(rp) - 1;
        memcpy(rp, s, rl);
        rp[rl] = '\0';
        (void)rt_path_match(rp, hv, hlen);
        return 0;
}
