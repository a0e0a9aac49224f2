/* ocx-router — what the two halves of the upstream side share: upstream.c
 * (the registry of endpoints, keep-alive connection pools, table bindings and
 * the serving thread's state) and proxy.c (forwarding one request). Every
 * serving thread has its own event loop, upstream registry and balancing
 * state (thread-local rt_px); tables are shared read-only, and each thread
 * binds a table to its upstreams in a private binding. */
#pragma once
#include "rt-h2o.h"
#include <netinet/in.h>

#define UP_BUCKETS 1024
#define MAX_TIMEOUTS 32

typedef struct rt_upstream {
        struct rt_upstream *next;
        char key[64];
        union {
                struct sockaddr sa;
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } addr;
        socklen_t addrlen;
        h2o_linklist_t idle; /* upconn; the most recently used at the tail */
        size_t n_idle;
        unsigned refs;     /* bindings of tables */
        unsigned inflight; /* requests using it */
        uint64_t down_until, last_used;
} rt_upstream;

/* one upstream connection (lives as long as the socket) */
typedef struct upconn {
        h2o_linklist_t link; /* in up->idle while idle */
        h2o_socket_t *sock;
        rt_upstream *up;
        uint64_t idle_since;
} upconn;

/* a table as one serving thread sees it */
typedef struct binding {
        unsigned refs;     /* active table + requests in flight on this thread */
        rt_upstream **ups; /* by rt_endpoint.gidx */
        uint64_t *rr;      /* by route index */
        int32_t *wrr;      /* by gidx */
} binding;

typedef struct timeout_slot {
        long ms;
        h2o_timeout_t t;
} timeout_slot;

/* the serving thread's state (set up by rt_proxy_thread_init) */
typedef struct rt_proxy_thread {
        h2o_context_t *ctx;
        const rt_config *cfg;
        unsigned tid;
        rt_table *active;
        rt_upstream *buckets[UP_BUCKETS];
        size_t n_upstreams;
        h2o_timeout_t connect_timeout, tick_timeout;
        h2o_timeout_entry_t tick_entry;
        timeout_slot slots[MAX_TIMEOUTS];
        size_t n_slots;
        uint64_t rng, last_gc;
} rt_proxy_thread;
extern _Thread_local rt_proxy_thread rt_px;

/* Closes an upstream connection (idle or not) and frees it. */
void rt_conn_close(upconn *c);
/* Returns a connection whose response was read completely to its upstream's
 * idle pool when reusable and there is room, or closes it. */
void rt_conn_release(upconn *c, bool reusable);
/* A timeout list of this thread for ms (the first one when there are too many
 * distinct values). */
h2o_timeout_t *rt_timeout_for(long ms);
