/* ocxd — cluster DNS (RFC 1035 over UDP and TCP).
 *
 * Names answered (authoritatively):
 *  - nip.io: "anything.A.B.C.D.nip.io", "A.B.C.D.nip.io",
 *    "anything-A-B-C-D.nip.io", "A-B-C-D.nip.io" -> A A.B.C.D (other types:
 *    NOERROR without records; no address in the name: NXDOMAIN);
 *  - "<svc>.<ns>.svc.cluster.local" -> A cluster IP, or for a headless service
 *    (clusterIP None) the ready endpoint addresses;
 *    "<a-b-c-d>.<svc>.<ns>.svc.cluster.local" -> A of that ready endpoint of
 *    a headless service;
 *    "_<port>._<tcp|udp>.<svc>.<ns>.svc.cluster.local" -> SRV for a named
 *    service port (target <svc>.<ns>.svc.cluster.local, or one record per
 *    ready endpoint for a headless service), with the A records in the
 *    additional section;
 *    anything else under cluster.local -> NXDOMAIN.
 * Every other name is REFUSED, or forwarded to an upstream server when one
 * is configured (the upstream's answer is relayed as is; SERVFAIL when it
 * does not answer within 2 s).
 *
 * The parser is the only code that sees untrusted bytes: it bounds every
 * length, follows compression pointers only backwards (at most 16 hops),
 * limits names to 255 bytes, and answers FORMERR/NOTIMP instead of guessing. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocx/error.h"

enum {
        DNS_TYPE_A = 1,
        DNS_TYPE_NS = 2,
        DNS_TYPE_CNAME = 5,
        DNS_TYPE_SOA = 6,
        DNS_TYPE_PTR = 12,
        DNS_TYPE_AAAA = 28,
        DNS_TYPE_SRV = 33,
        DNS_TYPE_OPT = 41,
        DNS_TYPE_ANY = 255,
};
enum { DNS_CLASS_IN = 1, DNS_CLASS_ANY = 255 };
enum { DNS_NOERROR = 0, DNS_FORMERR = 1, DNS_SERVFAIL = 2, DNS_NXDOMAIN = 3, DNS_NOTIMP = 4, DNS_REFUSED = 5 };

#define DNS_NAME_MAX 255 /* wire form; the dotted text is at most 253 characters */
#define DNS_UDP_MAX 512
#define DNS_MAX_RRS 64

typedef struct dns_query {
        uint16_t id;
        uint16_t flags;  /* as received */
        char name[DNS_NAME_MAX + 1]; /* lowercase dotted, no trailing dot ("" = root) */
        bool name_plain; /* every label is [a-z0-9_-]: safe to interpret */
        uint16_t qtype, qclass;
        size_t question_end; /* offset just after the question in the packet */
} dns_query;

/* Parses a query packet. Returns 0, or a DNS rcode > 0 to answer with
 * (FORMERR, NOTIMP) when the header could be read (*ret->id valid), or -EINVAL
 * when the packet is not worth an answer (shorter than a header, or a
 * response). */
int dns_parse_query(const uint8_t *pkt, size_t len, dns_query *ret);

/* ---- what the cluster knows (the resolver's data source) ------------------------------- */

typedef struct dns_port {
        char name[64];
        char proto[8]; /* "tcp" / "udp" (lowercase) */
        uint16_t port;
} dns_port;

typedef struct dns_endpoint {
        uint8_t ip[4];
        dns_port port; /* one entry per ready address x port */
} dns_endpoint;

#define DNS_MAX_PORTS 32
#define DNS_MAX_ENDPOINTS 256

typedef struct dns_service {
        bool headless;
        bool has_ip;
        uint8_t cluster_ip[4];
        dns_port ports[DNS_MAX_PORTS];
        size_t n_ports;
        dns_endpoint eps[DNS_MAX_ENDPOINTS]; /* ready addresses only */
        size_t n_eps;
} dns_service;

/* 0 found (ret filled), -ENOENT no such service, other -errno: SERVFAIL. */
typedef int (*dns_service_fn)(void *userdata, const char *ns, const char *name, dns_service *ret);

/* ---- resolution -------------------------------------------------------------------------- */

typedef struct dns_rr {
        char name[DNS_NAME_MAX + 1];
        uint16_t type;
        uint32_t ttl;
        uint8_t a[4];                      /* A */
        uint16_t prio, weight, port;       /* SRV */
        char target[DNS_NAME_MAX + 1];     /* SRV */
} dns_rr;

typedef struct dns_answer {
        int rcode;
        bool authoritative;
        bool forward; /* not ours: relay to the upstream (or REFUSED without one) */
        dns_rr an[DNS_MAX_RRS];
        size_t n_an;
        dns_rr ad[DNS_MAX_RRS];
        size_t n_ad;
} dns_answer;

/* Decides the answer for q. lookup may be NULL (no cluster data: every
 * cluster.local name is NXDOMAIN). */
void dns_resolve(const dns_query *q, dns_service_fn lookup, void *userdata, dns_answer *ret);

/* "a.b.c.d" hidden in a nip.io name; false when there is none. */
bool dns_nipio_address(const char *name, uint8_t ret[4]);

/* Builds the response packet for q from the query bytes and the answer into
 * out (capacity cap, at most 65535). With udp, a response that does not fit
 * in 512 bytes is sent without records and with TC set. Returns the length,
 * or -ENOSPC. */
int dns_build_response(const uint8_t *pkt, const dns_query *q, const dns_answer *a, bool udp, uint8_t *out,
                       size_t cap);
/* A header-and-question response with rcode (FORMERR, NOTIMP, REFUSED,
 * SERVFAIL). q may be partially filled (only id/flags valid when the
 * question could not be parsed: the question is then left out). */
int dns_build_error(const uint8_t *pkt, size_t len, const dns_query *q, bool have_question, int rcode, uint8_t *out,
                    size_t cap);

/* Parses one packet and produces the response for it: the whole pipeline
 * used by the listeners and the fuzzer. Returns the response length, 0 when
 * nothing should be sent, or 1 with *ret_forward set when the query must be
 * relayed upstream (ret_forward NULL: no upstream, such names get REFUSED). */
int dns_handle_packet(const uint8_t *pkt, size_t len, bool udp, dns_service_fn lookup, void *userdata,
                      bool *ret_forward, uint8_t *out, size_t cap);

/* ---- the listeners ------------------------------------------------------------------------- */

typedef struct dns_server dns_server;

typedef struct dns_server_config {
        const char *listen;   /* "127.0.0.1:5353" (UDP and TCP) */
        const char *upstream; /* "HOST:PORT" (IPv4) or NULL: refuse other names */
        dns_service_fn lookup;
        void *userdata;
} dns_server_config;

/* Binds both sockets and starts the serving threads. -EADDRINUSE (and
 * other -errno) with a message when the address cannot be bound; -EINVAL for
 * a malformed listen/upstream address. */
int dns_server_start(const dns_server_config *cfg, dns_server **ret, ocx_error **reterr);
/* Stops the threads, closes the sockets and frees. NULL-safe. */
dns_server *dns_server_stop(dns_server *s);

/* ---- the cluster data source ------------------------------------------------------------------- */

struct cJSON;
/* Fills ret from a Service object and its Endpoints (ep may be NULL): the
 * cluster IP ("None" = headless), the named ports (lowercase protocol), and
 * one entry per ready IPv4 address x port of the endpoints. */
void dns_service_from_json(const struct cJSON *svc, const struct cJSON *ep, dns_service *ret);
/* dns_service_fn over the API server's store (userdata = api_server *):
 * reads the Service and Endpoints objects directly, no cache. */
int dns_cluster_lookup(void *api_server, const char *ns, const char *name, dns_service *ret);
