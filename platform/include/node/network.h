/* ocxd node — the pod network: a Linux bridge (default ocx0, 10.128.0.1/23)
 * and, per pod, a network namespace (/run/netns/<name>, through iproute2's
 * `ip`) with a veth pair: eth0 inside, the host end on the bridge. Pod IPs
 * come from the node's subnet; allocation is in memory, rebuilt from the pod
 * state directories on restart. No NAT, no forwarding changes. */
#pragma once
#include <stdbool.h>
#include <stdint.h>
#include "ocx/error.h"

typedef struct net_config {
        char bridge[16];   /* interface name */
        uint32_t subnet;   /* host order, e.g. 10.128.0.0 */
        int prefix;        /* 23 */
        uint32_t gateway;  /* bridge address, subnet + 1 */
} net_config;

/* Parses "10.128.0.0/23" (prefix 8..30). */
int net_config_parse(const char *bridge, const char *cidr, net_config *ret, ocx_error **reterr);
/* Creates the bridge when absent and gives it the gateway address. */
int net_ensure_bridge(const net_config *c, ocx_error **reterr);
/* Removes the bridge when no interface is attached to it any more. */
void net_remove_bridge(const net_config *c);
/* Marks an address as used (adoption) / takes a free one / gives one back. */
void net_ip_mark(const net_config *c, uint32_t ip);
int net_ip_alloc(const net_config *c, uint32_t *ret_ip);
void net_ip_release(const net_config *c, uint32_t ip);
/* Creates /run/netns/<ns_name> with lo up and eth0 = ip/prefix, default
 * route via the gateway; the host end, <host_if>, joins the bridge. */
int net_pod_setup(const net_config *c, const char *ns_name, const char *host_if, uint32_t ip, ocx_error **reterr);
/* Deletes the namespace (and with it the veth pair). */
void net_pod_teardown(const char *ns_name);
/* "a.b.c.d" into out (16 bytes). */
void net_ip_str(uint32_t ip, char out[16]);
