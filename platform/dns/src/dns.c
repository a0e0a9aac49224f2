/* Cluster DNS: the wire format, the resolver and the packet pipeline (pure
 * functions; the listeners are in dns-server.c). */
#include "dns/dns.h"
#include <stdio.h>
#include <string.h>
#include "ocx/macro.h"
#include "ocx/banned.h"

#define TTL_CLUSTER 30
#define TTL_NIPIO 300
#define MAX_HOPS 16

static uint16_t rd16(const uint8_t *p) { return (uint16_t)((p[0] << 8) | p[1]); }
static void wr16(uint8_t *p, uint16_t v) {
        p[0] = (uint8_t)(v >> 8);
        p[1] = (uint8_t)v;
}

/* ---- parsing ------------------------------------------------------------------------------ */

/* Reads a (possibly compressed) name starting at *off into text (lowercase,
 * dotted). Advances *off past the name as it appears at *off. */
static int read_name(const uint8_t *pkt, size_t len, size_t *off, char *text, bool *plain) {
        size_t pos = *off, out = 0, wire = 0;
        int hops = 0;
        bool jumped = false;
        *plain = true;
        for (;;) {
                if (pos >= len) return -EINVAL;
                uint8_t l = pkt[pos];
                if ((l & 0xC0) == 0xC0) {
                        if (pos + 1 >= len) return -EINVAL;
                        size_t target = (size_t)((l & 0x3F) << 8 | pkt[pos + 1]);
                        if (target >= pos || ++hops > MAX_HOPS) return -EINVAL; /* only backwards */
                        if (!jumped) *off = pos + 2;
                        jumped = true;
                        pos = target;
                        continue;
                }
                if (l & 0xC0) return -EINVAL; /* 0x40/0x80: reserved label types */
                pos++;
                wire += 1u + l;
                if (wire > DNS_NAME_MAX) return -EINVAL;
                if (l == 0) break;
                if (pos + l > len) return -EINVAL;
                if (out) text[out++] = '.';
                for (size_t i = 0; i < l; i++) {
                        uint8_t c = pkt[pos + i];
                        if (c >= 'A' && c <= 'Z') c = (uint8_t)(c + ('a' - 'A'));
                        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) {
                                *plain = false;
                                c = '?'; /* never matched: a '.' inside a label must not split it */
                        }
                        text[out++] = (char)c;
                }
                pos += l;
        }
        text[out] = 0;
        if (!jumped) *off = pos;
        return 0;
}

int dns_parse_query(const uint8_t *pkt, size_t len, dns_query *q) {
        memset(q, 0, sizeof(*q));
        if (!pkt || len < 12) return -EINVAL;
        q->id = rd16(pkt);
        q->flags = rd16(pkt + 2);
        if (q->flags & 0x8000) return -EINVAL; /* a response: never answer it */
        unsigned opcode = (q->flags >> 11) & 0xF;
        if (opcode != 0) return DNS_NOTIMP;
        if (rd16(pkt + 4) != 1) return DNS_FORMERR;
        if (rd16(pkt + 6) != 0 || rd16(pkt + 8) != 0) return DNS_FORMERR; /* queries carry no answers */
        size_t off = 12;
        if (read_name(pkt, len, &off, q->name, &q->name_plain) < 0) return DNS_FORMERR;
        if (off + 4 > len) return DNS_FORMERR;
        q->qtype = rd16(pkt + off);
        q->qclass = rd16(pkt + off + 2);
        q->question_end = off + 4;
        if (q->qclass != DNS_CLASS_IN && q->qclass != DNS_CLASS_ANY) return DNS_NOTIMP;
        return 0;
}

/* ---- resolution ---------------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix) {
        size_t n = strlen(s), m = strlen(suffix);
        return n >= m && memcmp(s + n - m, suffix, m) == 0;
}

/* decimal 0..255 without sign or leading zeros (but "0") */
static bool octet(const char *s, size_t n, uint8_t *ret) {
        if (n == 0 || n > 3 || (n > 1 && s[0] == '0')) return false;
        unsigned v = 0;
        for (size_t i = 0; i < n; i++) {
                if (s[i] < '0' || s[i] > '9') return false;
                v = v * 10 + (unsigned)(s[i] - '0');
        }
        if (v > 255) return false;
        *ret = (uint8_t)v;
        return true;
}

/* The last four sep-separated fields of s[0..n) as an address. */
static bool last_four(const char *s, size_t n, char sep, uint8_t ret[4]) {
        size_t end = n;
        for (int i = 3; i >= 0; i--) {
                size_t start = end;
                while (start > 0 && s[start - 1] != sep) start--;
                if (!octet(s + start, end - start, &ret[i])) return false;
                if (i > 0) {
                        if (start == 0) return false;
                        end = start - 1;
                }
        }
        return true;
}

bool dns_nipio_address(const char *name, uint8_t ret[4]) {
        if (!ends_with(name, ".nip.io")) return false;
        size_t n = strlen(name) - strlen(".nip.io");
        if (last_four(name, n, '.', ret)) return true;
        /* dashed form: the last label is "anything-a-b-c-d" or "a-b-c-d" */
        size_t ls = n;
        while (ls > 0 && name[ls - 1] != '.') ls--;
        return last_four(name + ls, n - ls, '-', ret);
}

static dns_rr *add_rr(dns_rr *arr, size_t *n, const char *name, uint16_t type, uint32_t ttl) {
        if (*n >= DNS_MAX_RRS) return NULL;
        dns_rr *r = &arr[(*n)++];
        memset(r, 0, sizeof(*r));
        snprintf(r->name, sizeof(r->name), "%s", name);
        r->type = type;
        r->ttl = ttl;
        return r;
}

static void add_a(dns_rr *arr, size_t *n, const char *name, const uint8_t ip[4], uint32_t ttl) {
        for (size_t i = 0; i < *n; i++)
                if (arr[i].type == DNS_TYPE_A && !strcmp(arr[i].name, name) && !memcmp(arr[i].a, ip, 4)) return;
        dns_rr *r = add_rr(arr, n, name, DNS_TYPE_A, ttl);
        if (r) memcpy(r->a, ip, 4);
}

static bool wants(uint16_t qtype, uint16_t t) { return qtype == t || qtype == DNS_TYPE_ANY; }

/* Splits "a.b.c" (the part before .svc.cluster.local) into at most 5 labels. */
static size_t split_labels(const char *s, char labels[][64], size_t max) {
        size_t n = 0;
        const char *p = s;
        while (*p) {
                const char *dot = strchr(p, '.');
                size_t l = dot ? (size_t)(dot - p) : strlen(p);
                if (n == max || l == 0 || l > 63) return max + 1;
                memcpy(labels[n], p, l);
                labels[n][l] = 0;
                n++;
                if (!dot) break;
                p = dot + 1;
        }
        return n;
}

static void ip_dashed(const uint8_t ip[4], char out[16]) { snprintf(out, 16, "%u-%u-%u-%u", ip[0], ip[1], ip[2], ip[3]); }

static void resolve_cluster(const dns_query *q, dns_service_fn lookup, void *ud, dns_answer *a) {
#define ZONE "svc.cluster.local"
        const char *zone = ZONE;
        const char *name = q->name;
        a->authoritative = true;
        if (!strcmp(name, "cluster.local") || !strcmp(name, zone)) return; /* empty non-terminals */
        if (!ends_with(name, "." ZONE)) {
                a->rcode = DNS_NXDOMAIN;
                return;
        }
        char before[DNS_NAME_MAX + 1];
        size_t bl = strlen(name) - strlen(zone) - 1;
        memcpy(before, name, bl);
        before[bl] = 0;
        char labels[4][64];
        size_t n = split_labels(before, labels, 4);
        if (n == 1) return; /* <ns>.svc.cluster.local: exists, no data */
        if (n < 2 || n > 4 || !lookup) {
                a->rcode = DNS_NXDOMAIN;
                return;
        }
        const char *svc = labels[n - 2], *ns = labels[n - 1];
        dns_service *info = ocx_xcalloc(1, sizeof(*info));
        int r = lookup(ud, ns, svc, info);
        if (r == -ENOENT) {
                a->rcode = DNS_NXDOMAIN;
                goto out;
        }
        if (r < 0) {
                a->rcode = DNS_SERVFAIL;
                goto out;
        }
        char svc_fqdn[DNS_NAME_MAX + 1];
        snprintf(svc_fqdn, sizeof(svc_fqdn), "%s.%s.%s", svc, ns, zone);
        if (n == 2) {
                if (!wants(q->qtype, DNS_TYPE_A)) goto out;
                if (info->headless) {
                        for (size_t i = 0; i < info->n_eps; i++) add_a(a->an, &a->n_an, name, info->eps[i].ip, TTL_CLUSTER);
                } else if (info->has_ip) {
                        add_a(a->an, &a->n_an, name, info->cluster_ip, TTL_CLUSTER);
                }
                goto out;
        }
        if (n == 3) {
                /* <a-b-c-d>.<svc>.<ns>: one endpoint of a headless service */
                bool found = false;
                for (size_t i = 0; info->headless && i < info->n_eps; i++) {
                        char d[16];
                        ip_dashed(info->eps[i].ip, d);
                        if (strcmp(d, labels[0]) != 0) continue;
                        found = true;
                        if (wants(q->qtype, DNS_TYPE_A)) add_a(a->an, &a->n_an, name, info->eps[i].ip, TTL_CLUSTER);
                }
                if (!found) a->rcode = DNS_NXDOMAIN;
                goto out;
        }
        /* _<port>._<proto>.<svc>.<ns> */
        if (labels[0][0] != '_' || labels[1][0] != '_' || !labels[0][1] ||
            (strcmp(labels[1], "_tcp") != 0 && strcmp(labels[1], "_udp") != 0)) {
                a->rcode = DNS_NXDOMAIN;
                goto out;
        }
        const char *pname = labels[0] + 1, *proto = labels[1] + 1;
        bool found = false;
        for (size_t i = 0; i < info->n_ports; i++) {
                const dns_port *p = &info->ports[i];
                if (strcmp(p->name, pname) != 0 || strcmp(p->proto, proto) != 0) continue;
                found = true;
                if (!wants(q->qtype, DNS_TYPE_SRV)) break;
                if (!info->headless) {
                        dns_rr *rr = add_rr(a->an, &a->n_an, name, DNS_TYPE_SRV, TTL_CLUSTER);
                        if (rr) {
                                rr->prio = 0, rr->weight = 100, rr->port = p->port;
                                snprintf(rr->target, sizeof(rr->target), "%s", svc_fqdn);
                        }
                        if (info->has_ip) add_a(a->ad, &a->n_ad, svc_fqdn, info->cluster_ip, TTL_CLUSTER);
                        break;
                }
                for (size_t e = 0; e < info->n_eps; e++) {
                        const dns_endpoint *ep = &info->eps[e];
                        if (strcmp(ep->port.name, pname) != 0 || strcmp(ep->port.proto, proto) != 0) continue;
                        char d[16], target[DNS_NAME_MAX + 1];
                        ip_dashed(ep->ip, d);
                        snprintf(target, sizeof(target), "%s.%s", d, svc_fqdn);
                        dns_rr *rr = add_rr(a->an, &a->n_an, name, DNS_TYPE_SRV, TTL_CLUSTER);
                        if (rr) {
                                rr->prio = 0, rr->weight = 100, rr->port = ep->port.port;
                                snprintf(rr->target, sizeof(rr->target), "%s", target);
                        }
                        add_a(a->ad, &a->n_ad, target, ep->ip, TTL_CLUSTER);
                }
                break;
        }
        if (!found) a->rcode = DNS_NXDOMAIN;
out:
        free(info);
}

void dns_resolve(const dns_query *q, dns_service_fn lookup, void *ud, dns_answer *a) {
        memset(a, 0, sizeof(*a));
        const char *name = q->name;
        if (!strcmp(name, "cluster.local") || ends_with(name, ".cluster.local")) {
                if (!q->name_plain) {
                        a->authoritative = true;
                        a->rcode = DNS_NXDOMAIN;
                        return;
                }
                resolve_cluster(q, lookup, ud, a);
                return;
        }
        if (!strcmp(name, "nip.io") || ends_with(name, ".nip.io")) {
                uint8_t ip[4];
                a->authoritative = true;
                if (!q->name_plain || !dns_nipio_address(name, ip)) {
                        if (strcmp(name, "nip.io") != 0) a->rcode = DNS_NXDOMAIN;
                        return;
                }
                if (wants(q->qtype, DNS_TYPE_A)) add_a(a->an, &a->n_an, name, ip, TTL_NIPIO);
                return;
        }
        a->forward = true;
        a->rcode = DNS_REFUSED;
}

/* ---- building ------------------------------------------------------------------------------ */

typedef struct wbuf {
        uint8_t *p;
        size_t len, cap;
        bool overflow;
} wbuf;

static void put(wbuf *w, const void *d, size_t n) {
        if (w->overflow || w->len + n > w->cap) {
                w->overflow = true;
                return;
        }
        memcpy(w->p + w->len, d, n);
        w->len += n;
}

static void put16(wbuf *w, uint16_t v) {
        uint8_t b[2];
        wr16(b, v);
        put(w, b, 2);
}

static void put32(wbuf *w, uint32_t v) {
        uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};
        put(w, b, 4);
}

/* A dotted name in wire form (no compression); the question's name is
 * written as a pointer to offset 12. */
static void put_name(wbuf *w, const char *name, const char *qname) {
        if (!strcmp(name, qname)) {
                put16(w, 0xC00C);
                return;
        }
        const char *p = name;
        while (*p) {
                const char *dot = strchr(p, '.');
                size_t l = dot ? (size_t)(dot - p) : strlen(p);
                if (l == 0 || l > 63) {
                        w->overflow = true;
                        return;
                }
                uint8_t lb = (uint8_t)l;
                put(w, &lb, 1);
                put(w, p, l);
                if (!dot) break;
                p = dot + 1;
        }
        uint8_t z = 0;
        put(w, &z, 1);
}

static void put_rr(wbuf *w, const dns_rr *r, const char *qname) {
        put_name(w, r->name, qname);
        put16(w, r->type);
        put16(w, DNS_CLASS_IN);
        put32(w, r->ttl);
        if (r->type == DNS_TYPE_A) {
                put16(w, 4);
                put(w, r->a, 4);
                return;
        }
        /* SRV */
        size_t at = w->len;
        put16(w, 0);
        put16(w, r->prio);
        put16(w, r->weight);
        put16(w, r->port);
        put_name(w, r->target, "");
        if (!w->overflow) wr16(w->p + at, (uint16_t)(w->len - at - 2));
}

static void put_header(wbuf *w, uint16_t id, uint16_t qflags, bool aa, bool tc, int rcode, uint16_t qd, uint16_t an,
                       uint16_t ad) {
        uint16_t flags = 0x8000 | (qflags & 0x0100) /* RD */ | (aa ? 0x0400 : 0) | (tc ? 0x0200 : 0) |
                         (uint16_t)(rcode & 0xF);
        put16(w, id);
        put16(w, flags);
        put16(w, qd);
        put16(w, an);
        put16(w, 0);
        put16(w, ad);
}

int dns_build_response(const uint8_t *pkt, const dns_query *q, const dns_answer *a, bool udp, uint8_t *out,
                       size_t cap) {
        if (cap > 65535) cap = 65535;
        size_t limit = udp && cap > DNS_UDP_MAX ? DNS_UDP_MAX : cap;
        wbuf w = {out, 0, limit, false};
        put_header(&w, q->id, q->flags, a->authoritative, false, a->rcode, 1, (uint16_t)a->n_an, (uint16_t)a->n_ad);
        put(&w, pkt + 12, q->question_end - 12);
        for (size_t i = 0; i < a->n_an; i++) put_rr(&w, &a->an[i], q->name);
        for (size_t i = 0; i < a->n_ad; i++) put_rr(&w, &a->ad[i], q->name);
        if (!w.overflow) return (int)w.len;
        /* too big: header + question, TC set (UDP clients retry over TCP) */
        w = (wbuf){out, 0, limit, false};
        put_header(&w, q->id, q->flags, a->authoritative, true, a->rcode, 1, 0, 0);
        put(&w, pkt + 12, q->question_end - 12);
        return w.overflow ? -ENOSPC : (int)w.len;
}

int dns_build_error(const uint8_t *pkt, size_t len, const dns_query *q, bool have_question, int rcode, uint8_t *out,
                    size_t cap) {
        wbuf w = {out, 0, cap > 65535 ? 65535 : cap, false};
        bool withq = have_question && q->question_end > 12 && q->question_end <= len;
        put_header(&w, q->id, q->flags, false, false, rcode, withq ? 1 : 0, 0, 0);
        if (withq) put(&w, pkt + 12, q->question_end - 12);
        return w.overflow ? -ENOSPC : (int)w.len;
}

int dns_handle_packet(const uint8_t *pkt, size_t len, bool udp, dns_service_fn lookup, void *ud, bool *ret_forward,
                      uint8_t *out, size_t cap) {
        if (ret_forward) *ret_forward = false;
        dns_query q;
        int r = dns_parse_query(pkt, len, &q);
        if (r < 0) return 0;
        if (r > 0) {
                int n = dns_build_error(pkt, len, &q, false, r, out, cap);
                return n < 0 ? 0 : n;
        }
        dns_answer *a = ocx_xcalloc(1, sizeof(*a));
        dns_resolve(&q, lookup, ud, a);
        int n;
        if (a->forward && ret_forward) {
                *ret_forward = true;
                n = 1;
        } else {
                n = dns_build_response(pkt, &q, a, udp, out, cap);
                if (n < 0) n = 0;
        }
        free(a);
        return n;
}
