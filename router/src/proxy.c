/* ocx-router — upstream selection, keep-alive pools per endpoint, retries.
 *
 * h2o 2.2.5's proxy turns a connect failure into a 502 and never retries, so
 * the router connects first: it asks the endpoint's socketpool for a
 * connection (a live pooled one, checked by h2o with MSG_PEEK, or a new
 * one), and on failure marks the endpoint down for a while and tries the next
 * choice. A connected socket is returned to the pool and the request is
 * handed to h2o's proxy with that pool as override, which picks the very same
 * socket up again. Everything here runs on the serving thread. */
#include "rt-h2o.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include "ocx/log.h"
#include "ocx/macro.h"
#include "router/balance.h"
#include "ocx/banned.h"

#define UP_BUCKETS 1024
#define UP_IDLE_GC_MS 30000
#define MAX_CLIENT_CTX 32
#define POOL_IDLE_MS 10000

typedef struct rt_upstream {
        struct rt_upstream *next;
        char key[64];
        h2o_socketpool_t pool;
        unsigned refs;     /* bound tables */
        unsigned inflight; /* requests holding it */
        uint64_t down_until, last_used;
} rt_upstream;

typedef struct client_slot {
        long ms;
        h2o_timeout_t io;
        h2o_http1client_ctx_t ctx;
} client_slot;

static struct {
        h2o_context_t *ctx;
        const rt_config *cfg;
        rt_table *active;
        _Atomic(rt_table *) pending;
        rt_upstream *buckets[UP_BUCKETS];
        size_t n_upstreams;
        h2o_timeout_t connect_timeout, ws_timeout;
        client_slot slots[MAX_CLIENT_CTX];
        size_t n_slots;
        uint64_t rng;
} P;

/* ---- upstream registry ------------------------------------------------------------------ */

static unsigned hash_key(const char *s) {
        unsigned h = 2166136261u;
        for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
        return h % UP_BUCKETS;
}

static rt_upstream *upstream_get(const rt_endpoint *ep) {
        unsigned b = hash_key(ep->key);
        for (rt_upstream *u = P.buckets[b]; u; u = u->next)
                if (strcmp(u->key, ep->key) == 0) return u;
        union {
                struct sockaddr_in in;
                struct sockaddr_in6 in6;
        } sa;
        socklen_t salen;
        memset(&sa, 0, sizeof(sa));
        if (inet_pton(AF_INET, ep->addr, &sa.in.sin_addr) == 1) {
                sa.in.sin_family = AF_INET;
                sa.in.sin_port = htons(ep->port);
                salen = sizeof(sa.in);
        } else if (inet_pton(AF_INET6, ep->addr, &sa.in6.sin6_addr) == 1) {
                sa.in6.sin6_family = AF_INET6;
                sa.in6.sin6_port = htons(ep->port);
                salen = sizeof(sa.in6);
        } else {
                return NULL; /* not an IP literal: endpoints carry pod IPs only */
        }
        rt_upstream *u = ocx_xcalloc(1, sizeof(*u));
        snprintf(u->key, sizeof(u->key), "%s", ep->key);
        h2o_socketpool_init_by_address(&u->pool, (struct sockaddr *)&sa, salen, 0, SIZE_MAX);
        h2o_socketpool_set_timeout(&u->pool, P.ctx->loop, POOL_IDLE_MS);
        u->last_used = h2o_now(P.ctx->loop);
        u->next = P.buckets[b];
        P.buckets[b] = u;
        P.n_upstreams++;
        return u;
}

static void upstream_gc(void) {
        uint64_t now = h2o_now(P.ctx->loop);
        for (size_t b = 0; b < UP_BUCKETS; b++) {
                for (rt_upstream **pp = &P.buckets[b]; *pp;) {
                        rt_upstream *u = *pp;
                        if (u->refs == 0 && u->inflight == 0 && now - u->last_used > UP_IDLE_GC_MS) {
                                *pp = u->next;
                                h2o_socketpool_dispose(&u->pool);
                                free(u);
                                P.n_upstreams--;
                        } else {
                                pp = &u->next;
                        }
                }
        }
}

void rt_proxy_upstream_counts(size_t *ret_total, size_t *ret_down) {
        size_t down = 0;
        uint64_t now = P.ctx ? h2o_now(P.ctx->loop) : 0;
        for (size_t b = 0; b < UP_BUCKETS; b++)
                for (rt_upstream *u = P.buckets[b]; u; u = u->next) down += u->down_until > now;
        *ret_total = P.n_upstreams;
        *ret_down = down;
}

/* ---- tables ----------------------------------------------------------------------------- */

static void table_bind(rt_table *t) {
        size_t n = 0;
        for (size_t i = 0; i < t->n_routes; i++) {
                rt_route *r = &t->routes[i];
                for (size_t j = 0; j < r->n_eps; j++) {
                        rt_upstream *u = upstream_get(&r->eps[j]);
                        r->eps[j].upstream = u;
                        if (u) u->refs++, n++;
                }
        }
        t->refs = 1;
        atomic_store(&rt_stats.endpoints, n);
}

void rt_proxy_table_unref(rt_table *t) {
        if (!t || --t->refs > 0) return;
        uint64_t now = h2o_now(P.ctx->loop);
        for (size_t i = 0; i < t->n_routes; i++)
                for (size_t j = 0; j < t->routes[i].n_eps; j++) {
                        rt_upstream *u = t->routes[i].eps[j].upstream;
                        if (u) u->refs--, u->last_used = now;
                }
        rt_table_free(t);
}

void rt_server_publish(rt_table *t) {
        rt_table *old = atomic_exchange(&P.pending, t);
        rt_table_free(old); /* never bound */
}

void rt_proxy_tick(void) {
        rt_table *t = atomic_exchange(&P.pending, NULL);
        if (t) {
                table_bind(t);
                rt_table *old = P.active;
                P.active = t;
                atomic_store(&rt_stats.table_generation, t->generation);
                rt_proxy_table_unref(old);
        }
}

rt_table *rt_proxy_table_ref(void) {
        rt_proxy_tick();
        if (P.active) P.active->refs++;
        return P.active;
}

static void on_tick(h2o_timeout_entry_t *e);
static h2o_timeout_t tick_timeout;
static h2o_timeout_entry_t tick_entry = {.cb = on_tick};
static uint64_t last_gc;

static void on_tick(h2o_timeout_entry_t *e) {
        (void)e;
        rt_proxy_tick();
        uint64_t now = h2o_now(P.ctx->loop);
        if (now - last_gc > 1000) {
                upstream_gc();
                size_t total, down;
                rt_proxy_upstream_counts(&total, &down);
                atomic_store(&rt_stats.upstreams_down, down);
                last_gc = now;
        }
        h2o_timeout_link(P.ctx->loop, &tick_timeout, &tick_entry);
}

void rt_proxy_init(h2o_context_t *ctx, const rt_config *cfg) {
        P.ctx = ctx;
        P.cfg = cfg;
        h2o_timeout_init(ctx->loop, &P.connect_timeout, (uint64_t)cfg->connect_timeout_ms);
        h2o_timeout_init(ctx->loop, &P.ws_timeout, 3600 * 1000);
        h2o_timeout_init(ctx->loop, &tick_timeout, 100);
        h2o_timeout_link(ctx->loop, &tick_timeout, &tick_entry);
        if (getrandom(&P.rng, sizeof(P.rng), 0) != sizeof(P.rng)) P.rng = (uint64_t)time(NULL) | 1;
}

static h2o_http1client_ctx_t *client_ctx_for(long ms) {
        for (size_t i = 0; i < P.n_slots; i++)
                if (P.slots[i].ms == ms) return &P.slots[i].ctx;
        if (P.n_slots == MAX_CLIENT_CTX) return NULL; /* h2o's default (30 s) */
        client_slot *s = &P.slots[P.n_slots++];
        s->ms = ms;
        h2o_timeout_init(P.ctx->loop, &s->io, (uint64_t)ms);
        s->ctx = (h2o_http1client_ctx_t){.loop = P.ctx->loop,
                                         .getaddr_receiver = &P.ctx->receivers.hostinfo_getaddr,
                                         .io_timeout = &s->io,
                                         .websocket_timeout = &P.ws_timeout};
        return &s->ctx;
}

/* ---- per request ------------------------------------------------------------------------ */

typedef struct fwd {
        h2o_req_t *req;
        rt_table *table;
        rt_route *route;
        h2o_iovec_t authority, path;
        uint64_t tried[4]; /* endpoints 0..255; beyond that only the down marks help */
        unsigned attempts;
        int cur;
        rt_upstream *up;
        h2o_socketpool_connect_request_t *connreq;
        h2o_timeout_entry_t timeout;
} fwd;

static uint32_t xrand(void *data) {
        (void)data;
        P.rng ^= P.rng << 13, P.rng ^= P.rng >> 7, P.rng ^= P.rng << 17; /* xorshift64 */
        return (uint32_t)(P.rng >> 16);
}

static bool ep_usable(const rt_endpoint *ep, size_t i, void *data) {
        fwd *f = data;
        const rt_upstream *u = ep->upstream;
        if (!u) return false;
        if (i < 256 && (f->tried[i / 64] >> (i % 64)) & 1) return false;
        return u->down_until <= h2o_now(P.ctx->loop);
}

static bool ep_untried(const rt_endpoint *ep, size_t i, void *data) {
        fwd *f = data;
        return ep->upstream && !(i < 256 && (f->tried[i / 64] >> (i % 64)) & 1);
}

static unsigned ep_load(const rt_endpoint *ep, void *data) {
        (void)data;
        return ep->upstream ? ((const rt_upstream *)ep->upstream)->inflight : 0;
}

static uint32_t source_hash(h2o_req_t *req) {
        struct sockaddr_storage ss;
        socklen_t n = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
        uint32_t h = 2166136261u;
        const unsigned char *p = (const unsigned char *)&ss;
        if (ss.ss_family == AF_INET) p = (const unsigned char *)&((struct sockaddr_in *)&ss)->sin_addr, n = 4;
        else if (ss.ss_family == AF_INET6) p = (const unsigned char *)&((struct sockaddr_in6 *)&ss)->sin6_addr, n = 16;
        for (socklen_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
        return h;
}

static void fwd_release_upstream(fwd *f) {
        if (f->up) {
                f->up->inflight--;
                f->up->last_used = h2o_now(P.ctx->loop);
                f->up = NULL;
        }
}

static void fwd_dispose(void *p) {
        fwd *f = p;
        if (f->connreq) h2o_socketpool_cancel_connect(f->connreq), f->connreq = NULL;
        h2o_timeout_unlink(&f->timeout);
        fwd_release_upstream(f);
        rt_proxy_table_unref(f->table);
        f->table = NULL;
}

static void try_next(fwd *f);

static void attempt_failed(fwd *f, const char *why) {
        rt_upstream *u = f->up;
        atomic_fetch_add(&rt_stats.connect_failures, 1);
        if (u) {
                u->down_until = h2o_now(P.ctx->loop) + (uint64_t)P.cfg->down_ms;
                log_warn("endpoint %s of route %s/%s: %s; marked down for %ld ms", u->key, f->route->ns,
                         f->route->name, why, P.cfg->down_ms);
        }
        fwd_release_upstream(f);
        try_next(f);
}

static void on_connect_timeout(h2o_timeout_entry_t *e) {
        fwd *f = H2O_STRUCT_FROM_MEMBER(fwd, timeout, e);
        if (f->connreq) h2o_socketpool_cancel_connect(f->connreq), f->connreq = NULL;
        attempt_failed(f, "connect timeout");
}

static void on_connect(h2o_socket_t *sock, const char *errstr, void *data) {
        fwd *f = data;
        f->connreq = NULL;
        h2o_timeout_unlink(&f->timeout);
        if (errstr) {
                attempt_failed(f, errstr);
                return;
        }
        rt_upstream *u = f->up;
        /* hand the live connection back: h2o's proxy takes it from the pool at once */
        if (h2o_socketpool_return(&u->pool, sock) != 0) {
                attempt_failed(f, "cannot pool the connection");
                return;
        }
        h2o_req_overrides_t *ov = h2o_mem_alloc_pool(&f->req->pool, sizeof(*ov));
        memset(ov, 0, sizeof(*ov));
        ov->socketpool = &u->pool;
        ov->client_ctx = client_ctx_for(f->route->timeout_ms);
        atomic_fetch_add(&rt_stats.proxied, 1);
        h2o_reprocess_request(f->req, f->req->method, f->req->scheme, f->authority, f->path, ov, 0);
}

static void try_next(fwd *f) {
        rt_pick_ops ops = {.usable = ep_usable, .load = ep_load, .random = xrand, .data = f,
                           .source_hash = f->route->balance == RT_BAL_SOURCE ? source_hash(f->req) : 0};
        int i = -1;
        if (f->attempts < P.cfg->max_attempts) {
                i = rt_pick(f->route, &ops);
                if (i < 0 && f->attempts == 0) {
                        /* everything is marked down: try anyway rather than fail blind */
                        ops.usable = ep_untried;
                        i = rt_pick(f->route, &ops);
                }
        }
        if (i < 0) {
                atomic_fetch_add(&rt_stats.no_endpoint_503, 1);
                rt_send_503(f->req);
                return;
        }
        if (f->attempts > 0) atomic_fetch_add(&rt_stats.retries, 1);
        f->attempts++;
        if (i < 256) f->tried[i / 64] |= 1ull << (i % 64);
        f->cur = i;
        f->up = f->route->eps[i].upstream;
        f->up->inflight++;
        f->timeout.cb = on_connect_timeout;
        h2o_timeout_link(P.ctx->loop, &P.connect_timeout, &f->timeout);
        h2o_socketpool_connect(&f->connreq, &f->up->pool, P.ctx->loop, &P.ctx->receivers.hostinfo_getaddr, on_connect,
                               f);
}

void rt_proxy_forward(h2o_req_t *req, rt_table *t, rt_route *route, h2o_iovec_t authority, h2o_iovec_t path) {
        fwd *f = h2o_mem_alloc_shared(&req->pool, sizeof(*f), fwd_dispose);
        memset(f, 0, sizeof(*f)); /* owned by the request's pool: disposed with it */
        f->req = req;
        f->table = t;
        f->route = route;
        f->authority = authority;
        f->path = path;
        try_next(f);
}
