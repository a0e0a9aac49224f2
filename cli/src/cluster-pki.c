/* ocx — the cluster PKI under DIR/pki: CA, API serving certificate and the
 * system:admin client certificate. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include "cli/cluster.h"
#include "ocx/cert.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define RENEW_BEFORE (30L * 24 * 3600)

static bool exists(const char *p) { return access(p, F_OK) == 0; }

static bool is_ip(const char *h) {
        unsigned char raw[16];
        return inet_pton(AF_INET, h, raw) == 1 || inet_pton(AF_INET6, h, raw) == 1;
}

static bool is_wildcard(const char *h) { return ocx_streq(h, "0.0.0.0") || ocx_streq(h, "::"); }

typedef struct name_list {
        const char *v[24];
        size_t n;
} name_list;

static void add_name(name_list *l, const char *s) {
        if (!s || !*s || l->n + 1 >= OCX_ARRAY_SIZE(l->v)) return;
        for (size_t i = 0; i < l->n; i++)
                if (strcmp(l->v[i], s) == 0) return;
        l->v[l->n++] = s;
        l->v[l->n] = NULL;
}

/* The hosts a client may use to reach the API server. */
static void server_names(const cli_cluster_opts *o, name_list *ips, name_list *dns) {
        static const char *const fixed_dns[] = {
                "localhost", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local", "openshift", "openshift.default",
                "openshift.default.svc", "openshift.default.svc.cluster.local"};
        add_name(ips, "127.0.0.1");
        add_name(ips, "::1");
        /* where pods reach the API: the pod bridge address (ocxd --pod-listen),
         * the default one and the first host of $OCX_POD_CIDR when set */
        static char pod_gw[16];
        add_name(ips, "10.128.0.1");
        const char *cidr = getenv("OCX_POD_CIDR");
        struct in_addr a;
        char net[16];
        size_t nl = cidr ? strcspn(cidr, "/") : 0;
        if (cidr && nl < sizeof(net)) {
                memcpy(net, cidr, nl);
                net[nl] = 0;
                if (inet_pton(AF_INET, net, &a) == 1) {
                        a.s_addr = htonl(ntohl(a.s_addr) + 1);
                        if (inet_ntop(AF_INET, &a, pod_gw, sizeof(pod_gw))) add_name(ips, pod_gw);
                }
        }
        for (size_t i = 0; i < OCX_ARRAY_SIZE(fixed_dns); i++) add_name(dns, fixed_dns[i]);
        const char *extra[] = {o->public_hostname, o->listen_host};
        for (size_t i = 0; i < OCX_ARRAY_SIZE(extra); i++) {
                const char *h = extra[i];
                if (!h || !*h || is_wildcard(h)) continue;
                add_name(is_ip(h) ? ips : dns, h);
        }
}

/* A leaf needs reissuing when missing, expiring soon or (server) not
 * covering a name. */
static bool leaf_ok(const char *crt, const char *key, const name_list *ips, const name_list *dns) {
        if (!exists(crt) || !exists(key)) return false;
        _cleanup_cert_pair_ ocx_cert_pair p = OCX_CERT_PAIR_INIT;
        if (ocx_cert_pair_read(crt, key, &p, NULL) < 0) return false;
        if (ocx_cert_covers(p.cert_pem, NULL, time(NULL) + RENEW_BEFORE, NULL) != 1) return false;
        const name_list *lists[] = {ips, dns};
        for (size_t l = 0; l < 2; l++)
                for (size_t i = 0; lists[l] && i < lists[l]->n; i++)
                        if (ocx_cert_covers(p.cert_pem, lists[l]->v[i], 0, NULL) != 1) return false;
        return true;
}

int cli_cluster_pki_ensure(const cli_cluster_opts *o, ocx_error **reterr) {
        _cleanup_free_ char *dir = ocx_xasprintf("%s/pki", o->base_dir);
        if (mkdir(dir, 0700) < 0 && errno != EEXIST)
                return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", dir, strerror(errno));
        _cleanup_free_ char *ca_crt = ocx_xasprintf("%s/ca.crt", dir);
        _cleanup_free_ char *ca_key = ocx_xasprintf("%s/ca.key", dir);
        _cleanup_free_ char *api_crt = ocx_xasprintf("%s/apiserver.crt", dir);
        _cleanup_free_ char *api_key = ocx_xasprintf("%s/apiserver.key", dir);
        _cleanup_free_ char *adm_crt = ocx_xasprintf("%s/admin.crt", dir);
        _cleanup_free_ char *adm_key = ocx_xasprintf("%s/admin.key", dir);
        _cleanup_cert_pair_ ocx_cert_pair ca = OCX_CERT_PAIR_INIT;
        int r;
        bool new_ca = false;

        if (exists(ca_crt) && exists(ca_key)) {
                if ((r = ocx_cert_pair_read(ca_crt, ca_key, &ca, reterr)) < 0) return r;
        } else {
                _cleanup_free_ char *cn = ocx_xasprintf("ocx-signer@%lld", (long long)time(NULL));
                if ((r = ocx_cert_ca_new(cn, 0, 0, &ca, reterr)) < 0) return r;
                if ((r = ocx_cert_pair_write(&ca, ca_crt, ca_key, reterr)) < 0) return r;
                new_ca = true;
        }

        name_list ips = {{NULL}, 0}, dns = {{NULL}, 0};
        server_names(o, &ips, &dns);
        if (new_ca || !leaf_ok(api_crt, api_key, &ips, &dns)) {
                _cleanup_cert_pair_ ocx_cert_pair p = OCX_CERT_PAIR_INIT;
                ocx_cert_spec s = {.common_name = "ocx-apiserver", .dns_names = dns.v,
                                   .ip_addresses = ips.v, .usage = OCX_CERT_SERVER};
                if ((r = ocx_cert_issue(&ca, &s, &p, reterr)) < 0 ||
                    (r = ocx_cert_pair_write(&p, api_crt, api_key, reterr)) < 0)
                        return ocx_error_wrap(reterr, "API server certificate");
        }
        if (new_ca || !leaf_ok(adm_crt, adm_key, NULL, NULL)) {
                _cleanup_cert_pair_ ocx_cert_pair p = OCX_CERT_PAIR_INIT;
                const char *groups[] = {"system:masters", NULL};
                ocx_cert_spec s = {.common_name = "system:admin", .organizations = groups,
                                   .usage = OCX_CERT_CLIENT};
                if ((r = ocx_cert_issue(&ca, &s, &p, reterr)) < 0 ||
                    (r = ocx_cert_pair_write(&p, adm_crt, adm_key, reterr)) < 0)
                        return ocx_error_wrap(reterr, "admin certificate");
        }
        return 0;
}
