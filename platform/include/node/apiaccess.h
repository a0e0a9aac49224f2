/* ocxd — the API as pods reach it. ocxd's main listener is usually on
 * 127.0.0.1, which a pod's network namespace cannot reach; ocxd therefore
 * serves the same API (same TLS certificate, same authentication) on a
 * second address on the pod bridge, by default the bridge address
 * (10.128.0.1) port 8443, and containers get KUBERNETES_SERVICE_HOST /
 * KUBERNETES_SERVICE_PORT / KUBERNETES_SERVICE_PORT_HTTPS pointing at it.
 * Traffic stays on the bridge: no NAT, ip_forward untouched. */
#pragma once
#include <stdbool.h>
#include "ocx/error.h"

typedef struct apiaccess_cfg {
        char listen[64]; /* "IP:PORT" of the second listener; "" = none */
        char host[48];   /* KUBERNETES_SERVICE_HOST */
        char port[8];    /* KUBERNETES_SERVICE_PORT */
} apiaccess_cfg;

/* Decides the pod-side address.
 *   flag  --pod-listen: NULL = default, "" = no second listener
 *   listen  ocxd's --listen HOST:PORT
 *   node  whether the node agent runs (no default listener without it)
 *   cidr  the pod CIDR (NULL: $OCX_POD_CIDR, else 10.128.0.0/23)
 * Default: the bridge address (first host of the CIDR) port 8443; none when
 * --listen is a wildcard address (the main listener already covers the
 * bridge: the service then points at bridge:listen-port). -EINVAL with a
 * message for a malformed flag or CIDR. */
int apiaccess_resolve(const char *flag, const char *listen, bool node, const char *cidr, apiaccess_cfg *ret,
                      ocx_error **reterr);

/* A listening TCP socket on "IP:PORT" (CLOEXEC, SO_REUSEADDR, IP_FREEBIND so
 * it can be bound before the bridge has its address). The caller owns *ret_fd. */
int apiaccess_listen_socket(const char *addr, int *ret_fd, ocx_error **reterr);

/* What containers get as KUBERNETES_SERVICE_HOST/PORT; set once by ocxd
 * before the node agent starts. The getters return NULL when unset. */
void apiaccess_set_service(const char *host, const char *port);
const char *apiaccess_service_host(void);
const char *apiaccess_service_port(void);
