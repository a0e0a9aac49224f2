/* ocx-router — the route table: built from Route, Service and Endpoints
 * objects (informer snapshots or a routes file), admission (oldest route owns
 * a host, HostAlreadyClaimed across namespaces, InvalidHost, NoHostValue,
 * wildcard claims), per-route endpoints (ready pod addresses, targetPort by
 * name or number, weights over to + alternateBackends) and lookup (exact host
 * before wildcard, longest path on segment boundaries).
 *
 * A table is immutable after rt_table_build() except for the load-balancing
 * state and the `upstream` binding, which belong to the one thread that
 * serves requests with it. */
#pragma once
#include <cjson/cJSON.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "ocx/error.h"

#define RT_MAX_THREADS 16

typedef enum { RT_TERM_NONE, RT_TERM_EDGE, RT_TERM_PASSTHROUGH, RT_TERM_REENCRYPT } rt_termination;
typedef enum { RT_INSECURE_NONE, RT_INSECURE_ALLOW, RT_INSECURE_REDIRECT } rt_insecure;
typedef enum { RT_BAL_RANDOM, RT_BAL_ROUNDROBIN, RT_BAL_LEASTCONN, RT_BAL_SOURCE } rt_balance;

typedef struct rt_endpoint {
        char addr[48];   /* IP literal, IPv6 without brackets */
        uint16_t port;
        uint16_t weight; /* 0..256 after B.4 scaling; 0 = no new traffic */
        uint8_t unit;    /* index of the service unit (0 = spec.to) */
        char key[64];    /* "addr:port" or "[v6]:port": upstream identity */
        char cookie[33]; /* sticky cookie value: md5 hex of the endpoint ID (OpenShift's IdHash) */
        uint32_t gidx;   /* index among all endpoints of the table (per-thread state) */
} rt_endpoint;

typedef struct rt_route {
        char *ns, *name, *uid, *created; /* created: metadata.creationTimestamp */
        char *host;   /* normalised spec.host ("" if none) */
        char *domain; /* wildcard routes: the claimed domain, else NULL */
        bool wildcard;
        char *path; /* spec.path or "" */
        rt_termination term;
        rt_insecure insecure;
        char *cert_pem, *key_pem, *ca_pem; /* edge/reencrypt serving cert, may be NULL */
        rt_balance balance;
        long timeout_ms;        /* server timeout */
        long tunnel_timeout_ms; /* WebSocket tunnels (timeout-tunnel annotation, default 1h) */
        char *cookie_name;      /* sticky cookie; NULL when disabled (disable_cookies) */
        bool cookie_secure;     /* edge route: Secure; SameSite=<cookie_same_site> */
        const char *cookie_same_site; /* static: "None", "Lax" or "Strict" */
        rt_endpoint *eps;
        size_t n_eps;
        unsigned n_units; /* service units with weight > 0 and endpoints */
        /* admission */
        bool admitted;
        const char *reason; /* static string when !admitted */
        char *message;
        /* load-balancing state for single-threaded callers (unit tests);
         * the router keeps its own per serving thread (rt_pick_ops) */
        uint64_t rr;
        int32_t *wrr_cur; /* smooth weighted round robin, n_eps entries */
} rt_route;

typedef struct rt_table {
        rt_route *routes; /* every route, sorted by namespace/name */
        size_t n_routes;
        rt_route **exact; /* admitted, non-wildcard: host asc, then longer path first */
        size_t n_exact;
        rt_route **wild; /* admitted wildcard: domain asc, then longer path first */
        size_t n_wild;
        size_t n_eps_total; /* endpoints over all routes (rt_endpoint.gidx < n_eps_total) */
        uint64_t generation;
        /* serving threads: how many may still use the table (the last one frees
         * it) and each thread's private binding (upstreams, balancing state) */
        _Atomic unsigned holders;
        void *per_thread[RT_MAX_THREADS];
} rt_table;

typedef struct rt_table_options {
        bool allow_wildcards;     /* --allow-wildcard-routes */
        bool ns_ownership_check;  /* true (default): other namespaces get HostAlreadyClaimed */
        long default_timeout_ms;  /* 30000 */
        const char *router_domain; /* --router-domain: host of a route with only spec.subdomain */
} rt_table_options;

void rt_table_options_default(rt_table_options *o);

/* routes, services, endpoints: JSON arrays of objects (any may be NULL).
 * Objects that are not usable (no name, wrong shape) are skipped; the table
 * never fails on input content. Caller frees with rt_table_free(). */
int rt_table_build(const cJSON *routes, const cJSON *services, const cJSON *endpoints,
                   const rt_table_options *opt, rt_table **ret);
rt_table *rt_table_free(rt_table *t);

/* host: normalised (rt_host_normalize); path: request path, query allowed.
 * Exact host first (longest matching path), then the wildcard for the
 * host's domain. NULL when nothing matches. */
rt_route *rt_table_lookup(const rt_table *t, const char *host, const char *path, size_t path_len);

/* Finds a route by namespace/name (any admission state). */
rt_route *rt_table_find(const rt_table *t, const char *ns, const char *name);

/* Parses a HAProxy-style timeout ("30s", "500ms", "2m", "1h", "1d", "100us",
 * bare number = ms). Returns milliseconds (clipped to 2147483647) or -1. */
long rt_parse_timeout(const char *s);

/* Splits a kind:List (or a plain array) of Route/Service/Endpoints objects
 * into three new arrays (references are deep copies). */
void rt_split_objects(const cJSON *list, cJSON **ret_routes, cJSON **ret_services, cJSON **ret_endpoints);
