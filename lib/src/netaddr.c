#include "ocx/netaddr.h"
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "ocx/banned.h"

int ocx_parse_hostport(const char *s, struct sockaddr_in *ret, bool *ret_any) {
        char host[64];
        const char *colon = s ? strrchr(s, ':') : NULL;
        if (!colon || (size_t)(colon - s) >= sizeof(host)) return -EINVAL;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = 0;
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (!colon[1] || *end || port <= 0 || port > 65535) return -EINVAL;
        memset(ret, 0, sizeof(*ret));
        ret->sin_family = AF_INET;
        ret->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, host[0] ? host : "0.0.0.0", &ret->sin_addr) != 1) return -EINVAL;
        if (ret_any) *ret_any = !host[0];
        return 0;
}
