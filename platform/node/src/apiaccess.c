/* ocxd: the API address pods use (see node/apiaccess.h). */
#include "node/apiaccess.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include "node/network.h"
#include "ocx/netaddr.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define DEFAULT_POD_PORT "8443"

static char service_host[48], service_port[8];

void apiaccess_set_service(const char *host, const char *port) {
        snprintf(service_host, sizeof(service_host), "%s", host ? host : "");
        snprintf(service_port, sizeof(service_port), "%s", port ? port : "");
}

const char *apiaccess_service_host(void) { return service_host[0] ? service_host : NULL; }
const char *apiaccess_service_port(void) { return service_port[0] ? service_port : NULL; }

/* "HOST:PORT" → host (IPv4 literal, or empty for every address) and port text */
static int split(const char *addr, char *host, size_t hcap, char *port, size_t pcap) {
        struct sockaddr_in sa;
        bool any;
        if (ocx_parse_hostport(addr, &sa, &any) < 0 || hcap < INET_ADDRSTRLEN) return -EINVAL;
        if (any) host[0] = 0;
        else inet_ntop(AF_INET, &sa.sin_addr, host, (socklen_t)hcap);
        return (size_t)snprintf(port, pcap, "%u", ntohs(sa.sin_port)) >= pcap ? -EINVAL : 0;
}

static bool wildcard(const char *h) { return !h[0] || ocx_streq(h, "0.0.0.0"); }

int apiaccess_resolve(const char *flag, const char *listen, bool node, const char *cidr, apiaccess_cfg *ret,
                      ocx_error **reterr) {
        memset(ret, 0, sizeof(*ret));
        char lhost[64], lport[8];
        if (split(listen, lhost, sizeof(lhost), lport, sizeof(lport)) < 0)
                return ocx_error_set(reterr, EINVAL, NULL, "invalid --listen '%s'", listen ? listen : "");
        if (!cidr) cidr = getenv("OCX_POD_CIDR");
        net_config nc;
        char gw[16] = "";
        if (node) {
                int r = net_config_parse("ocx0", cidr && *cidr ? cidr : "10.128.0.0/23", &nc, reterr);
                if (r < 0) return r;
                net_ip_str(nc.gateway, gw);
        }
        if (flag && *flag) {
                char h[64], p[8];
                if (split(flag, h, sizeof(h), p, sizeof(p)) < 0)
                        return ocx_error_set(reterr, EINVAL, NULL, "invalid --pod-listen '%s': want IPV4:PORT", flag);
                snprintf(ret->listen, sizeof(ret->listen), "%s:%s", wildcard(h) ? "0.0.0.0" : h, p);
                snprintf(ret->host, sizeof(ret->host), "%s", wildcard(h) ? gw : h);
                snprintf(ret->port, sizeof(ret->port), "%s", p);
                return 0;
        }
        snprintf(ret->host, sizeof(ret->host), "%s", gw);
        snprintf(ret->port, sizeof(ret->port), "%s", lport);
        if (!node || (flag && !*flag) || wildcard(lhost)) return 0;
        snprintf(ret->listen, sizeof(ret->listen), "%s:%s", gw, DEFAULT_POD_PORT);
        snprintf(ret->port, sizeof(ret->port), "%s", DEFAULT_POD_PORT);
        return 0;
}

int apiaccess_listen_socket(const char *addr, int *ret_fd, ocx_error **reterr) {
        struct sockaddr_in sa;
        if (ocx_parse_hostport(addr, &sa, NULL) < 0) return ocx_error_set(reterr, EINVAL, NULL, "invalid address '%s'", addr);
        _cleanup_close_ int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return ocx_error_set(reterr, errno, NULL, "socket: %s", strerror(errno));
        int one = 1;
        (void)setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        (void)setsockopt(fd, IPPROTO_IP, IP_FREEBIND, &one, sizeof(one));
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 128) < 0)
                return ocx_error_set(reterr, errno, NULL, "cannot listen on %s: %s", addr, strerror(errno));
        *ret_fd = TAKE_FD(fd);
        return 0;
}
