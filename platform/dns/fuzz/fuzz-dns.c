/* Fuzz entry: the whole DNS packet pipeline (parse, resolve against a fixed
 * fake cluster, build) over UDP and TCP limits. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "dns/dns.h"

static int lookup(void *ud, const char *ns, const char *name, dns_service *ret) {
        (void)ud;
        if (strcmp(ns, "test") != 0) return -ENOENT;
        memset(ret, 0, sizeof(*ret));
        ret->headless = name[0] == 'h';
        ret->has_ip = !ret->headless;
        ret->cluster_ip[0] = 172, ret->cluster_ip[1] = 30;
        ret->n_ports = 1;
        memcpy(ret->ports[0].name, "http", 5);
        memcpy(ret->ports[0].proto, "tcp", 4);
        ret->ports[0].port = 80;
        ret->n_eps = 3;
        for (int i = 0; i < 3; i++) {
                ret->eps[i].ip[0] = 10, ret->eps[i].ip[3] = (uint8_t)i;
                ret->eps[i].port = ret->ports[0];
        }
        return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static uint8_t out[65535];
        bool fwd;
        (void)dns_handle_packet(data, size, true, lookup, NULL, &fwd, out, sizeof(out));
        (void)dns_handle_packet(data, size, false, lookup, NULL, NULL, out, sizeof(out));
        return 0;
}
