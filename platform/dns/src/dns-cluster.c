/* Cluster DNS data source: Services and Endpoints read from ocxd's store. */
#include "dns/dns.h"
#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include "apiserver/api.h"
#include "ocx/json.h"
#include "ocx/banned.h"

static void set_port(dns_port *p, const char *name, const char *proto, int64_t port) {
        snprintf(p->name, sizeof(p->name), "%s", name ? name : "");
        snprintf(p->proto, sizeof(p->proto), "%s", proto ? proto : "TCP");
        for (char *c = p->proto; *c; c++) *c = (char)tolower((unsigned char)*c);
        p->port = (uint16_t)port;
}

void dns_service_from_json(const cJSON *svc, const cJSON *ep, dns_service *ret) {
        memset(ret, 0, sizeof(*ret));
        const char *cip = ocx_json_path_str(svc, "spec.clusterIP");
        struct in_addr a;
        if (cip && !strcmp(cip, "None")) ret->headless = true;
        else if (cip && inet_pton(AF_INET, cip, &a) == 1) {
                memcpy(ret->cluster_ip, &a.s_addr, 4);
                ret->has_ip = true;
        }
        const cJSON *p;
        int64_t v;
        cJSON_ArrayForEach(p, ocx_json_path(svc, "spec.ports")) {
                if (ret->n_ports == DNS_MAX_PORTS) break;
                if (ocx_json_int(ocx_json_get(p, "port"), 1, 65535, &v) < 0) continue;
                set_port(&ret->ports[ret->n_ports++], ocx_json_get_str(p, "name"), ocx_json_get_str(p, "protocol"), v);
        }
        const cJSON *ss, *addr;
        cJSON_ArrayForEach(ss, ocx_json_get(ep, "subsets")) {
                cJSON_ArrayForEach(addr, ocx_json_get(ss, "addresses")) {
                        const char *ip = ocx_json_get_str(addr, "ip");
                        if (!ip || inet_pton(AF_INET, ip, &a) != 1) continue;
                        cJSON_ArrayForEach(p, ocx_json_get(ss, "ports")) {
                                if (ret->n_eps == DNS_MAX_ENDPOINTS) return;
                                if (ocx_json_int(ocx_json_get(p, "port"), 1, 65535, &v) < 0) continue;
                                dns_endpoint *e = &ret->eps[ret->n_eps++];
                                memcpy(e->ip, &a.s_addr, 4);
                                set_port(&e->port, ocx_json_get_str(p, "name"), ocx_json_get_str(p, "protocol"), v);
                        }
                        if (cJSON_GetArraySize(ocx_json_get(ss, "ports")) == 0 && ret->n_eps < DNS_MAX_ENDPOINTS) {
                                dns_endpoint *e = &ret->eps[ret->n_eps++];
                                memcpy(e->ip, &a.s_addr, 4);
                        }
                }
        }
}

int dns_cluster_lookup(void *userdata, const char *ns, const char *name, dns_service *ret) {
        api_server *s = userdata;
        const api_kind *sk = api_kind_by_plural("", "v1", "services"), *ek = api_kind_by_plural("", "v1", "endpoints");
        _cleanup_json_ cJSON *svc = NULL, *ep = NULL;
        int r = api_get_object(s, sk, ns, name, &svc);
        if (r < 0) return r == -ENOENT ? -ENOENT : -EIO;
        (void)api_get_object(s, ek, ns, name, &ep);
        dns_service_from_json(svc, ep, ret);
        return 0;
}
