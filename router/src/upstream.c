/* ocx-router — the upstream side's per-thread state: the registry of
 * endpoints (one rt_upstream per address), keep-alive connection pools per
 * endpoint, and the binding of published route tables to them.
 *
 * Why not h2o 2.2.5's own socket pool: it exports every idle connection out
 * of the event loop and imports it again for each request (epoll_ctl + fcntl
 * + a MSG_PEEK recv each way). Here an idle upstream connection stays
 * registered in its thread's loop, so a keep-alive request costs one read and
 * one write on each side. */
#include "upstream.h"
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include "ocx/macro.h"
#include "ocx/banned.h"

#define UP_IDLE_GC_MS 30000
#define POOL_IDLE_MS 10000
#define POOL_MAX_IDLE 512

_Thread_local rt_proxy_thread rt_px;
_Thread_local unsigned rt_tid;
rt_hot_stats rt_hot[RT_MAX_THREADS];
static unsigned n_threads = 1;
static _Atomic(rt_table *) pending[RT_MAX_THREADS];

/* ---- upstream registry ------------------------------------------------------------------ */

static unsigned hash_key(const char *s) {
        unsigned h = 2166136261u;
        for (; *s; s++) h = (h ^ (unsigned char)*s) * 16777619u;
        return h % UP_BUCKETS;
}

static rt_upstream *upstream_get(const rt_endpoint *ep) {
        unsigned b = hash_key(ep->key);
        for (rt_upstream *u = rt_px.buckets[b]; u; u = u->next)
                if (strcmp(u->key, ep->key) == 0) return u;
        rt_upstream *u = ocx_xcalloc(1, sizeof(*u));
        if (inet_pton(AF_INET, ep->addr, &u->addr.in.sin_addr) == 1) {
                u->addr.in.sin_family = AF_INET;
                u->addr.in.sin_port = htons(ep->port);
                u->addrlen = sizeof(u->addr.in);
        } else if (inet_pton(AF_INET6, ep->addr, &u->addr.in6.sin6_addr) == 1) {
                u->addr.in6.sin6_family = AF_INET6;
                u->addr.in6.sin6_port = htons(ep->port);
                u->addrlen = sizeof(u->addr.in6);
        } else {
                free(u);
                return NULL; /* not an IP literal: endpoints carry pod IPs only */
        }
        snprintf(u->key, sizeof(u->key), "%s", ep->key);
        h2o_linklist_init_anchor(&u->idle);
        u->last_used = h2o_now(rt_px.ctx->loop);
        u->next = rt_px.buckets[b];
        rt_px.buckets[b] = u;
        rt_px.n_upstreams++;
        return u;
}

void rt_conn_close(upconn *c) {
        if (h2o_linklist_is_linked(&c->link)) {
                h2o_linklist_unlink(&c->link);
                c->up->n_idle--;
        }
        h2o_socket_close(c->sock);
        free(c);
}

static void on_idle_read(h2o_socket_t *sock, const char *err) {
        (void)err; /* data or EOF on an idle connection: it is not reusable */
        rt_conn_close(sock->data);
}

/* Returns a connection whose response was read completely to the pool, or
 * closes it. */
void rt_conn_release(upconn *c, bool reusable) {
        rt_upstream *u = c->up;
        if (!reusable || u->n_idle >= POOL_MAX_IDLE || c->sock->input->size != 0) {
                rt_conn_close(c);
                return;
        }
        c->sock->data = c;
        c->idle_since = h2o_now(rt_px.ctx->loop);
        h2o_linklist_insert(&u->idle, &c->link);
        u->n_idle++;
        h2o_socket_read_start(c->sock, on_idle_read);
}

static void upstream_gc(void) {
        uint64_t now = h2o_now(rt_px.ctx->loop);
        size_t down = 0;
        for (size_t b = 0; b < UP_BUCKETS; b++) {
                for (rt_upstream **pp = &rt_px.buckets[b]; *pp;) {
                        rt_upstream *u = *pp;
                        while (!h2o_linklist_is_empty(&u->idle)) { /* oldest first */
                                upconn *c = H2O_STRUCT_FROM_MEMBER(upconn, link, u->idle.next);
                                if (now - c->idle_since < POOL_IDLE_MS && u->refs > 0) break;
                                rt_conn_close(c);
                        }
                        if (u->refs == 0 && u->inflight == 0 && u->n_idle == 0 && now - u->last_used > UP_IDLE_GC_MS) {
                                *pp = u->next;
                                free(u);
                                rt_px.n_upstreams--;
                        } else {
                                down += u->down_until > now;
                                pp = &u->next;
                        }
                }
        }
        atomic_store_explicit(&rt_hot[rt_px.tid].upstreams_down, down, memory_order_relaxed);
}

/* ---- tables ----------------------------------------------------------------------------- */

void rt_proxy_setup(unsigned threads) {
        n_threads = threads < 1 ? 1 : threads > RT_MAX_THREADS ? RT_MAX_THREADS : threads;
}

static void table_release_holder(rt_table *t) {
        if (t && atomic_fetch_sub(&t->holders, 1) == 1) rt_table_free(t);
}

void rt_server_publish(rt_table *t) {
        atomic_store(&t->holders, n_threads);
        for (unsigned i = 0; i < n_threads; i++) table_release_holder(atomic_exchange(&pending[i], t));
}

static binding *table_bind(rt_table *t) {
        binding *b = ocx_xcalloc(1, sizeof(*b));
        size_t n = 0;
        b->ups = ocx_xcalloc(t->n_eps_total + 1, sizeof(*b->ups));
        b->wrr = ocx_xcalloc(t->n_eps_total + 1, sizeof(*b->wrr));
        b->rr = ocx_xcalloc(t->n_routes + 1, sizeof(*b->rr));
        for (size_t i = 0; i < t->n_routes; i++) {
                rt_route *r = &t->routes[i];
                for (size_t j = 0; j < r->n_eps; j++) {
                        rt_upstream *u = upstream_get(&r->eps[j]);
                        b->ups[r->eps[j].gidx] = u;
                        if (u) u->refs++, n++;
                }
        }
        b->refs = 1;
        t->per_thread[rt_px.tid] = b;
        if (rt_px.tid == 0) atomic_store(&rt_stats.endpoints, n);
        return b;
}

void rt_proxy_table_unref(rt_table *t) {
        if (!t) return;
        binding *b = t->per_thread[rt_px.tid];
        if (--b->refs > 0) return;
        uint64_t now = h2o_now(rt_px.ctx->loop);
        for (size_t i = 0; i < t->n_eps_total; i++)
                if (b->ups[i]) b->ups[i]->refs--, b->ups[i]->last_used = now;
        free(b->ups), free(b->wrr), free(b->rr), free(b);
        t->per_thread[rt_px.tid] = NULL;
        table_release_holder(t);
}

void rt_proxy_tick(void) {
        if (!atomic_load_explicit(&pending[rt_px.tid], memory_order_relaxed)) return;
        rt_table *t = atomic_exchange(&pending[rt_px.tid], NULL);
        if (t) {
                table_bind(t);
                rt_table *old = rt_px.active;
                rt_px.active = t;
                if (rt_px.tid == 0) atomic_store(&rt_stats.table_generation, t->generation);
                rt_proxy_table_unref(old);
        }
}

void rt_proxy_thread_cleanup(void) {
        table_release_holder(atomic_exchange(&pending[rt_px.tid], NULL));
        rt_table *t = rt_px.active;
        rt_px.active = NULL;
        rt_proxy_table_unref(t);
}

void rt_proxy_drain_pending(void) {
        for (unsigned i = 0; i < n_threads; i++) table_release_holder(atomic_exchange(&pending[i], NULL));
}

rt_table *rt_proxy_table_ref(void) {
        rt_proxy_tick();
        if (rt_px.active) ((binding *)rt_px.active->per_thread[rt_px.tid])->refs++;
        return rt_px.active;
}

static void on_tick(h2o_timeout_entry_t *e) {
        (void)e;
        rt_proxy_tick();
        uint64_t now = h2o_now(rt_px.ctx->loop);
        if (now - rt_px.last_gc > 1000) {
                upstream_gc();
                rt_px.last_gc = now;
        }
        h2o_timeout_link(rt_px.ctx->loop, &rt_px.tick_timeout, &rt_px.tick_entry);
}

void rt_proxy_thread_init(h2o_context_t *ctx, const rt_config *cfg, unsigned tid) {
        rt_px.ctx = ctx;
        rt_px.cfg = cfg;
        rt_px.tid = rt_tid = tid;
        h2o_timeout_init(ctx->loop, &rt_px.connect_timeout, (uint64_t)cfg->connect_timeout_ms);
        h2o_timeout_init(ctx->loop, &rt_px.tick_timeout, 100);
        rt_px.tick_entry.cb = on_tick;
        h2o_timeout_link(ctx->loop, &rt_px.tick_timeout, &rt_px.tick_entry);
        if (getrandom(&rt_px.rng, sizeof(rt_px.rng), 0) != sizeof(rt_px.rng))
                rt_px.rng = (uint64_t)time(NULL) * 2654435761u;
        rt_px.rng |= 1;
}

h2o_timeout_t *rt_timeout_for(long ms) {
        for (size_t i = 0; i < rt_px.n_slots; i++)
                if (rt_px.slots[i].ms == ms) return &rt_px.slots[i].t;
        if (rt_px.n_slots == MAX_TIMEOUTS) return &rt_px.slots[0].t; /* many distinct values: the first one */
        timeout_slot *s = &rt_px.slots[rt_px.n_slots++];
        s->ms = ms;
        h2o_timeout_init(rt_px.ctx->loop, &s->t, (uint64_t)ms);
        return &s->t;
}
