/* Cluster DNS: parser, resolver and response building on hand-made packets. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "dns/dns.h"
#include "ocx/json.h"

/* a query packet for name/type; returns its length */
static size_t mkquery(uint8_t *p, uint16_t id, const char *name, uint16_t type) {
        memset(p, 0, 12);
        p[0] = (uint8_t)(id >> 8), p[1] = (uint8_t)id;
        p[2] = 0x01; /* RD */
        p[5] = 1;    /* QDCOUNT */
        size_t off = 12;
        const char *s = name;
        while (*s) {
                const char *dot = strchr(s, '.');
                size_t l = dot ? (size_t)(dot - s) : strlen(s);
                p[off++] = (uint8_t)l;
                memcpy(p + off, s, l);
                off += l;
                if (!dot) break;
                s = dot + 1;
        }
        p[off++] = 0;
        p[off++] = (uint8_t)(type >> 8), p[off++] = (uint8_t)type;
        p[off++] = 0, p[off++] = 1;
        return off;
}

/* a fake cluster: web/test (ClusterIP 172.30.1.2, port "http" 8080/TCP),
 * db/test headless with two ready endpoints on port "pg" 5432 */
static int fake_lookup(void *ud, const char *ns, const char *name, dns_service *ret) {
        (void)ud;
        const char *svc = NULL, *ep = NULL;
        if (!strcmp(ns, "test") && !strcmp(name, "web")) {
                svc = "{\"spec\":{\"clusterIP\":\"172.30.1.2\",\"ports\":[{\"name\":\"http\",\"port\":8080,\"protocol\":\"TCP\"}]}}";
        } else if (!strcmp(ns, "test") && !strcmp(name, "db")) {
                svc = "{\"spec\":{\"clusterIP\":\"None\",\"ports\":[{\"name\":\"pg\",\"port\":5432}]}}";
                ep = "{\"subsets\":[{\"addresses\":[{\"ip\":\"10.128.0.7\"},{\"ip\":\"10.128.0.8\"}],"
                     "\"notReadyAddresses\":[{\"ip\":\"10.128.0.9\"}],\"ports\":[{\"name\":\"pg\",\"port\":5432}]}]}";
        } else {
                return -ENOENT;
        }
        cJSON *s = NULL, *e = NULL;
        assert_int_equal(ocx_json_parse(svc, strlen(svc), &s, NULL), 0);
        if (ep) assert_int_equal(ocx_json_parse(ep, strlen(ep), &e, NULL), 0);
        dns_service_from_json(s, e, ret);
        cJSON_Delete(s);
        cJSON_Delete(e);
        return 0;
}

typedef struct result {
        int rcode, n_an, n_ad;
        bool tc, aa;
        uint8_t first_a[4];
        uint16_t srv_port;
        size_t len;
} result;

static result ask(const char *name, uint16_t type, bool udp) {
        uint8_t q[512], out[4096];
        size_t ql = mkquery(q, 0x1234, name, type);
        int n = dns_handle_packet(q, ql, udp, fake_lookup, NULL, NULL, out, sizeof(out));
        result r = {0};
        assert_true(n >= 12);
        r.len = (size_t)n;
        assert_int_equal(out[0], 0x12);
        assert_int_equal(out[1], 0x34);
        assert_true(out[2] & 0x80);
        r.aa = out[2] & 0x04;
        r.tc = out[2] & 0x02;
        r.rcode = out[3] & 0xF;
        r.n_an = out[6] << 8 | out[7];
        r.n_ad = out[10] << 8 | out[11];
        if (r.n_an > 0) {
                /* first answer right after the echoed question: name pointer, type, class, ttl, rdlen */
                size_t off = ql + 2;
                uint16_t t = (uint16_t)(out[off] << 8 | out[off + 1]);
                off += 8;
                size_t rdlen = (size_t)(out[off] << 8 | out[off + 1]);
                off += 2;
                if (t == DNS_TYPE_A && rdlen == 4) memcpy(r.first_a, out + off, 4);
                if (t == DNS_TYPE_SRV) r.srv_port = (uint16_t)(out[off + 4] << 8 | out[off + 5]);
        }
        return r;
}

static void nipio(void **state) {
        (void)state;
        result r = ask("kinesis-test.127.0.0.1.nip.io", DNS_TYPE_A, true);
        assert_int_equal(r.rcode, DNS_NOERROR);
        assert_int_equal(r.n_an, 1);
        assert_true(r.aa);
        assert_memory_equal(r.first_a, ((uint8_t[]){127, 0, 0, 1}), 4);
        r = ask("App-10-1-2-3.NIP.io", DNS_TYPE_A, true);
        assert_int_equal(r.n_an, 1);
        assert_memory_equal(r.first_a, ((uint8_t[]){10, 1, 2, 3}), 4);
        r = ask("192.168.42.1.nip.io", DNS_TYPE_A, true);
        assert_memory_equal(r.first_a, ((uint8_t[]){192, 168, 42, 1}), 4);
        r = ask("x.127.0.0.1.nip.io", DNS_TYPE_AAAA, true);
        assert_int_equal(r.rcode, DNS_NOERROR);
        assert_int_equal(r.n_an, 0);
        assert_int_equal(ask("x.nip.io", DNS_TYPE_A, true).rcode, DNS_NXDOMAIN);
        assert_int_equal(ask("x.1.2.3.256.nip.io", DNS_TYPE_A, false).rcode, DNS_NXDOMAIN);
        assert_int_equal(ask("x-01-2-3-4.nip.io", DNS_TYPE_A, false).rcode, DNS_NXDOMAIN);
        uint8_t ip[4];
        assert_false(dns_nipio_address("1.2.3.nip.io", ip));
        assert_true(dns_nipio_address("a.b.1.2.3.4.nip.io", ip));
}

static void services(void **state) {
        (void)state;
        result r = ask("web.test.svc.cluster.local", DNS_TYPE_A, true);
        assert_int_equal(r.rcode, DNS_NOERROR);
        assert_int_equal(r.n_an, 1);
        assert_memory_equal(r.first_a, ((uint8_t[]){172, 30, 1, 2}), 4);
        r = ask("db.test.svc.cluster.local", DNS_TYPE_A, false);
        assert_int_equal(r.n_an, 2); /* ready endpoints only */
        r = ask("10-128-0-7.db.test.svc.cluster.local", DNS_TYPE_A, true);
        assert_int_equal(r.n_an, 1);
        assert_int_equal(ask("10-128-0-9.db.test.svc.cluster.local", DNS_TYPE_A, true).rcode, DNS_NXDOMAIN);
        assert_int_equal(ask("nope.test.svc.cluster.local", DNS_TYPE_A, true).rcode, DNS_NXDOMAIN);
        assert_int_equal(ask("web.other.svc.cluster.local", DNS_TYPE_A, true).rcode, DNS_NXDOMAIN);
        assert_int_equal(ask("test.svc.cluster.local", DNS_TYPE_A, true).rcode, DNS_NOERROR);
        assert_int_equal(ask("a.b.c.d.e.svc.cluster.local", DNS_TYPE_A, true).rcode, DNS_NXDOMAIN);
        assert_int_equal(ask("web.test.pod.cluster.local", DNS_TYPE_A, true).rcode, DNS_NXDOMAIN);
}

static void srv(void **state) {
        (void)state;
        result r = ask("_http._tcp.web.test.svc.cluster.local", DNS_TYPE_SRV, true);
        assert_int_equal(r.rcode, DNS_NOERROR);
        assert_int_equal(r.n_an, 1);
        assert_int_equal(r.n_ad, 1);
        assert_int_equal(r.srv_port, 8080);
        r = ask("_pg._tcp.db.test.svc.cluster.local", DNS_TYPE_SRV, true);
        assert_int_equal(r.n_an, 2);
        assert_int_equal(r.n_ad, 2);
        assert_int_equal(r.srv_port, 5432);
        assert_int_equal(ask("_http._udp.web.test.svc.cluster.local", DNS_TYPE_SRV, true).rcode, DNS_NXDOMAIN);
        assert_int_equal(ask("_nope._tcp.web.test.svc.cluster.local", DNS_TYPE_SRV, true).rcode, DNS_NXDOMAIN);
}

static void refused_and_forwarded(void **state) {
        (void)state;
        result r = ask("example.com", DNS_TYPE_A, true);
        assert_int_equal(r.rcode, DNS_REFUSED);
        assert_false(r.aa);
        uint8_t q[512], out[512];
        size_t ql = mkquery(q, 7, "example.com", DNS_TYPE_A);
        bool fwd = false;
        assert_int_equal(dns_handle_packet(q, ql, true, fake_lookup, NULL, &fwd, out, sizeof(out)), 1);
        assert_true(fwd);
        ql = mkquery(q, 7, "web.test.svc.cluster.local", DNS_TYPE_A);
        assert_true(dns_handle_packet(q, ql, true, fake_lookup, NULL, &fwd, out, sizeof(out)) > 12);
        assert_false(fwd);
}

static void malformed(void **state) {
        (void)state;
        uint8_t p[600] = {0}, out[600];
        bool fwd;
        /* shorter than a header, and responses: no answer at all */
        assert_int_equal(dns_handle_packet(p, 5, true, NULL, NULL, &fwd, out, sizeof(out)), 0);
        size_t ql = mkquery(p, 1, "a.nip.io", DNS_TYPE_A);
        p[2] |= 0x80;
        assert_int_equal(dns_handle_packet(p, ql, true, NULL, NULL, &fwd, out, sizeof(out)), 0);
        /* truncated question: FORMERR */
        ql = mkquery(p, 1, "a.nip.io", DNS_TYPE_A);
        int n = dns_handle_packet(p, ql - 3, true, NULL, NULL, &fwd, out, sizeof(out));
        assert_int_equal(n, 12);
        assert_int_equal(out[3] & 0xF, DNS_FORMERR);
        /* two questions: FORMERR */
        p[5] = 2;
        n = dns_handle_packet(p, ql, true, NULL, NULL, &fwd, out, sizeof(out));
        assert_int_equal(out[3] & 0xF, DNS_FORMERR);
        /* opcode 2 (STATUS): NOTIMP */
        ql = mkquery(p, 1, "a.nip.io", DNS_TYPE_A);
        p[2] |= 2 << 3;
        n = dns_handle_packet(p, ql, true, NULL, NULL, &fwd, out, sizeof(out));
        assert_int_equal(out[3] & 0xF, DNS_NOTIMP);
        /* compression pointer to itself and forward: FORMERR */
        memset(p, 0, 12);
        p[5] = 1;
        p[12] = 0xC0, p[13] = 12, p[14] = 0, p[15] = 1, p[16] = 0, p[17] = 1;
        dns_query q;
        assert_int_equal(dns_parse_query(p, 18, &q), DNS_FORMERR);
        p[13] = 40;
        assert_int_equal(dns_parse_query(p, 18, &q), DNS_FORMERR);
        /* a name longer than 255 bytes */
        memset(p, 0, sizeof(p));
        p[5] = 1;
        size_t off = 12;
        for (int i = 0; i < 5; i++) {
                p[off++] = 60;
                memset(p + off, 'a', 60);
                off += 60;
        }
        p[off++] = 0;
        p[off++] = 0, p[off++] = 1, p[off++] = 0, p[off++] = 1;
        assert_int_equal(dns_parse_query(p, off, &q), DNS_FORMERR);
        /* label length with reserved bits */
        ql = mkquery(p, 1, "a.nip.io", DNS_TYPE_A);
        p[12] = 0x41;
        assert_int_equal(dns_parse_query(p, ql, &q), DNS_FORMERR);
        /* a '.' inside a label is not a separator */
        ql = mkquery(p, 1, "x.127.0.0.1.nip.io", DNS_TYPE_A);
        p[13] = '.';
        n = dns_handle_packet(p, ql, true, NULL, NULL, &fwd, out, sizeof(out));
        assert_int_equal(out[3] & 0xF, DNS_NXDOMAIN);
}

static void backward_pointer_ok(void **state) {
        (void)state;
        /* question name "a" + pointer to a name written earlier is not possible in a
         * query (the question is first), so check read via a pointer into the header
         * area is refused while a plain name works */
        uint8_t p[64];
        size_t ql = mkquery(p, 9, "A.B.nip.io", DNS_TYPE_A);
        dns_query q;
        assert_int_equal(dns_parse_query(p, ql, &q), 0);
        assert_string_equal(q.name, "a.b.nip.io");
        assert_true(q.name_plain);
        assert_int_equal(q.question_end, ql);
}

static int many_lookup(void *ud, const char *ns, const char *name, dns_service *ret) {
        (void)ud, (void)ns, (void)name;
        memset(ret, 0, sizeof(*ret));
        ret->headless = true;
        for (int i = 0; i < 60; i++) {
                ret->eps[i].ip[0] = 10, ret->eps[i].ip[3] = (uint8_t)i;
                snprintf(ret->eps[i].port.name, sizeof(ret->eps[i].port.name), "p");
                snprintf(ret->eps[i].port.proto, sizeof(ret->eps[i].port.proto), "tcp");
        }
        ret->n_eps = 60;
        return 0;
}

static void truncation(void **state) {
        (void)state;
        uint8_t q[512], out[4096];
        size_t ql = mkquery(q, 3, "big.test.svc.cluster.local", DNS_TYPE_A);
        int n = dns_handle_packet(q, ql, true, many_lookup, NULL, NULL, out, sizeof(out));
        assert_true(n > 0 && n <= 512);
        assert_true(out[2] & 0x02); /* TC */
        assert_int_equal(out[7], 0);
        n = dns_handle_packet(q, ql, false, many_lookup, NULL, NULL, out, sizeof(out));
        assert_true(n > 512);
        assert_false(out[2] & 0x02);
        assert_int_equal(out[7], 60);
}

int main(void) {
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(nipio),     cmocka_unit_test(services),
                cmocka_unit_test(srv),       cmocka_unit_test(refused_and_forwarded),
                cmocka_unit_test(malformed), cmocka_unit_test(backward_pointer_ok),
                cmocka_unit_test(truncation),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
