/* ocx-router — forwarding one request: endpoint choice (sticky cookie,
 * balancing, retries on connect failure) and an HTTP/1.1 client that streams
 * the response back through h2o's generator interface (WebSocket upgrades
 * become tunnels). Connections come from the per-thread pools of upstream.c.
 *
 * Why not h2o 2.2.5's own proxy: it neither retries nor balances, and its
 * socket pool costs system calls per request (see upstream.c). */
#include "upstream.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include "ocx/log.h"
#include "ocx/macro.h"
#include "router/balance.h"
#include "ocx/banned.h"

#define MAX_RESPONSE_HEAD (64 * 1024)
#define MAX_RES_HEADERS 100
#define MAX_STALE_RETRIES 4
#define COPY_FINAL_MAX (64 * 1024)

/* picohttpparser's chunked decoder (bundled in libh2o-evloop, header not
 * installed); padded in case the library's copy is larger */
struct phr_chunked_decoder {
        size_t bytes_left_in_chunk;
        char consume_trailer;
        char hex_count_;
        char state_;
};
ssize_t phr_decode_chunked(struct phr_chunked_decoder *decoder, char *buf, size_t *bufsz);
int phr_parse_response(const char *buf, size_t len, int *minor_version, int *status, const char **msg,
                       size_t *msg_len, struct phr_header *headers, size_t *num_headers, size_t last_len);

/* ---- per request ------------------------------------------------------------------------ */

enum { BODY_NONE, BODY_LENGTH, BODY_CHUNKED, BODY_CLOSE };

typedef struct fwd {
        h2o_generator_t gen; /* first: h2o hands it back to proceed/stop */
        h2o_req_t *req;
        rt_table *table;
        binding *b;
        rt_route *route;
        h2o_iovec_t authority, path, head, sticky;
        uint64_t tried[4]; /* endpoints 0..255; beyond that only the down marks help */
        unsigned attempts, stale_retries;
        int cur;
        rt_upstream *up;
        upconn *conn;
        h2o_timeout_t *io_timeout;
        h2o_timeout_entry_t timeout;
        uint16_t port;
        bool https, is_ws, set_cookie, reused, connecting, got_head, done, keepalive, sending, stopped, received;
        int framing;
        size_t remaining; /* BODY_LENGTH */
        size_t body_end;  /* body bytes ready at the head of the upstream input buffer */
        size_t sent;      /* of those, handed to h2o_send and not yet consumed */
        union {
                struct phr_chunked_decoder d;
                char pad[64];
        } dec;
} fwd;

static uint32_t xrand(void *data) {
        (void)data;
        rt_px.rng ^= rt_px.rng << 13, rt_px.rng ^= rt_px.rng >> 7, rt_px.rng ^= rt_px.rng << 17; /* xorshift64 */
        return (uint32_t)(rt_px.rng >> 16);
}

static inline rt_upstream *up_of(const fwd *f, const rt_endpoint *ep) {
        return f->b->ups[ep->gidx];
}

static inline bool was_tried(const fwd *f, size_t i) {
        return i < 256 && (f->tried[i / 64] >> (i % 64)) & 1;
}

static bool ep_usable(const rt_endpoint *ep, size_t i, void *data) {
        fwd *f = data;
        const rt_upstream *u = up_of(f, ep);
        return u && !was_tried(f, i) && u->down_until <= h2o_now(rt_px.ctx->loop);
}

static bool ep_untried(const rt_endpoint *ep, size_t i, void *data) {
        fwd *f = data;
        return up_of(f, ep) && !was_tried(f, i);
}

static unsigned ep_load(const rt_endpoint *ep, void *data) {
        const rt_upstream *u = up_of(data, ep);
        return u ? u->inflight : 0;
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
                f->up->last_used = h2o_now(rt_px.ctx->loop);
                f->up = NULL;
        }
}

static void fwd_dispose(void *p) {
        fwd *f = p;
        h2o_timeout_unlink(&f->timeout);
        if (f->conn) {
                upconn *c = f->conn;
                bool reusable = f->done && f->keepalive && !f->stopped && c->sock->input->size == f->body_end;
                if (reusable) h2o_buffer_consume(&c->sock->input, c->sock->input->size);
                f->conn = NULL;
                rt_conn_release(c, reusable);
        }
        fwd_release_upstream(f);
        rt_proxy_table_unref(f->table);
        f->table = NULL;
}

static void try_next(fwd *f);
static void acquire(fwd *f);

static void link_timeout(fwd *f, h2o_timeout_t *t, h2o_timeout_cb cb) {
        h2o_timeout_unlink(&f->timeout);
        f->timeout.cb = cb;
        h2o_timeout_link(rt_px.ctx->loop, t, &f->timeout);
}

static void drop_conn(fwd *f) {
        if (f->conn) rt_conn_close(f->conn), f->conn = NULL;
}

/* an error before anything was sent to the client */
static void fail_request(fwd *f, int status, const char *reason, const char *body) {
        h2o_timeout_unlink(&f->timeout);
        drop_conn(f);
        f->req->res.headers = (h2o_headers_t){NULL, 0, 0}; /* whatever a bad response head left */
        f->req->res.content_length = SIZE_MAX;
        atomic_fetch_add(&rt_stats.upstream_errors, 1);
        rt_send_error(f->req, status, reason, body);
}

/* an error after the response started: cut the client connection */
static void abort_response(fwd *f) {
        h2o_timeout_unlink(&f->timeout);
        drop_conn(f);
        f->stopped = true;
        atomic_fetch_add(&rt_stats.upstream_errors, 1);
        h2o_send(f->req, NULL, 0, H2O_SEND_STATE_ERROR);
}

static void attempt_failed(fwd *f, const char *why) {
        rt_upstream *u = f->up;
        atomic_fetch_add(&rt_stats.connect_failures, 1);
        h2o_timeout_unlink(&f->timeout);
        drop_conn(f);
        if (u) {
                u->down_until = h2o_now(rt_px.ctx->loop) + (uint64_t)rt_px.cfg->down_ms;
                log_warn("endpoint %s of route %s/%s: %s; marked down for %ld ms", u->key, f->route->ns,
                         f->route->name, why, rt_px.cfg->down_ms);
        }
        fwd_release_upstream(f);
        f->set_cookie = f->route->cookie_name != NULL; /* redispatched: pin the client to the new endpoint */
        try_next(f);
}

/* The pooled connection turned out dead before any response byte: the
 * endpoint is fine, the connection was stale. Use another one. */
static bool retry_stale(fwd *f) {
        if (!f->reused || f->received || f->got_head || f->stale_retries >= MAX_STALE_RETRIES) return false;
        f->stale_retries++;
        h2o_timeout_unlink(&f->timeout);
        drop_conn(f);
        acquire(f);
        return true;
}

/* ---- upstream request ------------------------------------------------------------------- */

#define PUT(p, s, n) (memcpy((p), (s), (n)), (p) += (n))
#define PUTS(p, lit) PUT(p, "" lit, sizeof(lit) - 1) /* string literals only */

static bool is_hop_or_ours(const h2o_iovec_t *name) {
        if (h2o_iovec_is_token(name)) {
                const h2o_token_t *t = (const h2o_token_t *)name;
                return t->proxy_should_drop_for_req || t == H2O_TOKEN_CONNECTION || t == H2O_TOKEN_KEEP_ALIVE ||
                       t == H2O_TOKEN_TE || t == H2O_TOKEN_UPGRADE || t == H2O_TOKEN_TRANSFER_ENCODING ||
                       t == H2O_TOKEN_HOST || t == H2O_TOKEN_CONTENT_LENGTH || t == H2O_TOKEN_EXPECT ||
                       t == H2O_TOKEN_HTTP2_SETTINGS || t == H2O_TOKEN_X_FORWARDED_FOR || t == H2O_TOKEN_COOKIE;
        }
        if (h2o_memis(name->base, name->len, H2O_STRLIT("x-forwarded-proto"))) return true; /* ours replaces it */
        /* httpoxy, and client certificate headers nobody may spoof */
        return h2o_memis(name->base, name->len, H2O_STRLIT("proxy")) ||
               h2o_memis(name->base, name->len, H2O_STRLIT("proxy-connection")) ||
               (name->len >= 5 && strncasecmp(name->base, "x-ssl", 5) == 0);
}

/* Appends the cookie pairs of one Cookie header value, without the sticky
 * cookie (HAProxy's "indirect": the pod never sees it). */
static char *put_cookies(char *p, bool *first, const char *v, size_t len, const char *skip) {
        size_t skiplen = skip ? strlen(skip) : 0;
        while (len > 0) {
                while (len > 0 && (*v == ' ' || *v == ';')) v++, len--;
                const char *end = memchr(v, ';', len);
                size_t n = end ? (size_t)(end - v) : len;
                if (n == 0) break;
                if (!(skip && n > skiplen && v[skiplen] == '=' && memcmp(v, skip, skiplen) == 0)) {
                        if (!*first) PUTS(p, "; ");
                        PUT(p, v, n);
                        *first = false;
                }
                v += n, len -= n;
        }
        return p;
}

static h2o_iovec_t build_head(fwd *f) {
        h2o_req_t *req = f->req;
        char peer[INET6_ADDRSTRLEN + 2];
        size_t peerlen = 0;
        struct sockaddr_storage ss;
        socklen_t sl = req->conn->callbacks->get_peername(req->conn, (struct sockaddr *)&ss);
        if (sl) peerlen = h2o_socket_getnumerichost((struct sockaddr *)&ss, sl, peer);
        if (peerlen == 0 || peerlen == SIZE_MAX) peerlen = 0;
        size_t cap = req->method.len + f->path.len + 3 * f->authority.len + 2 * peerlen + 400 + req->upgrade.len;
        for (size_t i = 0; i < req->headers.size; i++)
                cap += req->headers.entries[i].name->len + req->headers.entries[i].value.len + 6;
        char *buf = h2o_mem_alloc_pool(&req->pool, cap), *p = buf;
        PUT(p, req->method.base, req->method.len);
        *p++ = ' ';
        PUT(p, f->path.base, f->path.len);
        PUTS(p, " HTTP/1.1\r\nhost: ");
        PUT(p, f->authority.base, f->authority.len);
        PUTS(p, "\r\n");
        bool have_xff = false, have_cookie = false, first_cookie = true;
        for (size_t i = 0; i < req->headers.size; i++) {
                const h2o_header_t *h = &req->headers.entries[i];
                if (is_hop_or_ours(h->name)) continue;
                PUT(p, h->name->base, h->name->len);
                PUTS(p, ": ");
                PUT(p, h->value.base, h->value.len);
                PUTS(p, "\r\n");
        }
        /* X-Forwarded-For: the client's list with its address appended */
        for (size_t i = 0; i < req->headers.size; i++) {
                const h2o_header_t *h = &req->headers.entries[i];
                if (h->name != &H2O_TOKEN_X_FORWARDED_FOR->buf) continue;
                if (have_xff) PUTS(p, ", ");
                else PUTS(p, "x-forwarded-for: ");
                PUT(p, h->value.base, h->value.len);
                have_xff = true;
        }
        if (peerlen) {
                if (have_xff) PUTS(p, ", ");
                else PUTS(p, "x-forwarded-for: ");
                PUT(p, peer, peerlen);
                have_xff = true;
        }
        if (have_xff) PUTS(p, "\r\n");
        /* one Cookie header (HTTP/2 clients send one per pair) */
        for (size_t i = 0; i < req->headers.size; i++) {
                const h2o_header_t *h = &req->headers.entries[i];
                if (h->name != &H2O_TOKEN_COOKIE->buf) continue;
                char *mark = p;
                if (!have_cookie) PUTS(p, "cookie: ");
                char *before = p;
                p = put_cookies(p, &first_cookie, h->value.base, h->value.len, f->route->cookie_name);
                if (!have_cookie && p == before) p = mark; /* only the sticky cookie */
                else have_cookie = true;
        }
        if (have_cookie) PUTS(p, "\r\n");
        if (f->https) PUTS(p, "x-forwarded-proto: https\r\n");
        else PUTS(p, "x-forwarded-proto: http\r\n");
        PUTS(p, "x-forwarded-host: ");
        PUT(p, f->authority.base, f->authority.len);
        char num[24];
        int nl = snprintf(num, sizeof(num), "%u", (unsigned)f->port);
        if (f->port) {
                PUTS(p, "\r\nx-forwarded-port: ");
                PUT(p, num, (size_t)nl);
        }
        /* Forwarded (RFC 7239): IPv6 "for" is quoted and bracketed */
        PUTS(p, "\r\nforwarded: for=");
        if (!peerlen) PUTS(p, "unknown");
        else if (memchr(peer, ':', peerlen)) PUTS(p, "\"["), PUT(p, peer, peerlen), PUTS(p, "]\"");
        else PUT(p, peer, peerlen);
        PUTS(p, ";host=");
        PUT(p, f->authority.base, f->authority.len);
        if (f->https) PUTS(p, ";proto=https\r\n");
        else PUTS(p, ";proto=http\r\n");
        if (f->is_ws) {
                PUTS(p, "connection: upgrade\r\nupgrade: ");
                PUT(p, req->upgrade.base, req->upgrade.len);
                PUTS(p, "\r\n");
        }
        if (req->entity.base) {
                nl = snprintf(num, sizeof(num), "%zu", req->entity.len);
                PUTS(p, "content-length: ");
                PUT(p, num, (size_t)nl);
                PUTS(p, "\r\n");
        }
        PUTS(p, "\r\n");
        return h2o_iovec_init(buf, (size_t)(p - buf));
}

/* ---- upstream response ------------------------------------------------------------------ */

static void on_io_timeout(h2o_timeout_entry_t *e) {
        fwd *f = H2O_STRUCT_FROM_MEMBER(fwd, timeout, e);
        if (!f->got_head) fail_request(f, 504, "Gateway Timeout", "Gateway Timeout: the endpoint did not answer in time\n");
        else abort_response(f);
}

/* Moves newly read bytes into the body region; 0, or -1 on bad chunking. */
static int body_collect(fwd *f) {
        h2o_buffer_t *in = f->conn->sock->input;
        switch (f->framing) {
        case BODY_NONE:
                f->done = true;
                if (in->size > f->body_end) f->keepalive = false;
                break;
        case BODY_LENGTH: {
                size_t n = in->size - f->body_end;
                if (n > f->remaining) n = f->remaining;
                f->body_end += n, f->remaining -= n;
                if (f->remaining == 0) {
                        f->done = true;
                        if (in->size > f->body_end) f->keepalive = false; /* junk after the body */
                }
                break;
        }
        case BODY_CHUNKED:
                if (in->size > f->body_end && !f->done) {
                        size_t len = in->size - f->body_end;
                        ssize_t r = phr_decode_chunked(&f->dec.d, in->bytes + f->body_end, &len);
                        if (r == -1) return -1;
                        in->size = f->body_end + len; /* the decoded bytes, in place */
                        f->body_end += len;
                        if (r >= 0) {
                                f->done = true;
                                if (r > 0) f->keepalive = false;
                        }
                }
                break;
        case BODY_CLOSE:
                f->body_end = in->size;
                break;
        }
        return 0;
}

static void on_upstream_read(h2o_socket_t *sock, const char *err);

/* Hands the ready body bytes to h2o; waits for proceed before reading on. */
static void body_flush(fwd *f) {
        if (f->sending || f->stopped) return;
        h2o_socket_t *sock = f->conn->sock;
        if (f->body_end == 0 && !f->done) {
                link_timeout(f, f->io_timeout, on_io_timeout);
                h2o_socket_read_start(sock, on_upstream_read);
                return;
        }
        h2o_iovec_t v = h2o_iovec_init(sock->input->bytes, f->body_end);
        h2o_timeout_unlink(&f->timeout); /* a slow client is not a slow endpoint */
        if (f->done && f->body_end <= COPY_FINAL_MAX) {
                /* small tail (the common case): copy it into the request's pool and
                 * hand the connection back to the pool at once; it stays polled for
                 * reading, so reuse costs no epoll_ctl */
                if (v.len) {
                        char *copy = h2o_mem_alloc_pool(&f->req->pool, v.len);
                        memcpy(copy, v.base, v.len);
                        v.base = copy;
                }
                upconn *c = f->conn;
                bool reusable = f->keepalive && sock->input->size == f->body_end;
                h2o_buffer_consume(&sock->input, sock->input->size);
                f->conn = NULL;
                f->body_end = 0;
                rt_conn_release(c, reusable);
                fwd_release_upstream(f);
                h2o_send(f->req, &v, v.len ? 1 : 0, H2O_SEND_STATE_FINAL);
                return;
        }
        h2o_socket_read_stop(sock);
        f->sent = f->body_end;
        if (f->done) {
                /* the bytes stay in the input buffer until the request is disposed */
                h2o_send(f->req, &v, v.len ? 1 : 0, H2O_SEND_STATE_FINAL);
                return;
        }
        f->sending = true;
        h2o_send(f->req, &v, 1, H2O_SEND_STATE_IN_PROGRESS);
}

static void on_proceed(h2o_generator_t *gen, h2o_req_t *req) {
        (void)req;
        fwd *f = (fwd *)gen;
        f->sending = false;
        if (!f->conn || f->stopped) return;
        h2o_buffer_consume(&f->conn->sock->input, f->sent);
        f->body_end -= f->sent;
        f->sent = 0;
        if (body_collect(f) < 0) {
                abort_response(f);
                return;
        }
        body_flush(f);
}

static void on_stop(h2o_generator_t *gen, h2o_req_t *req) {
        (void)req;
        fwd *f = (fwd *)gen;
        f->stopped = true;
        h2o_timeout_unlink(&f->timeout);
        drop_conn(f);
}

typedef struct ws_tunnel {
        h2o_context_t *ctx;
        h2o_socket_t *upstream;
        h2o_timeout_t *timeout;
} ws_tunnel;

static void on_ws_upgraded(void *data, h2o_socket_t *sock, size_t reqsize) {
        ws_tunnel *w = data;
        if (sock) {
                h2o_buffer_consume(&sock->input, reqsize);
                h2o_tunnel_establish(w->ctx, sock, w->upstream, w->timeout);
                atomic_fetch_add(&rt_stats.tunnels, 1);
        } else {
                h2o_socket_close(w->upstream);
        }
        free(w);
}

/* 101 Switching Protocols to a WebSocket handshake: the two sockets become a
 * tunnel (tunnel timeout: 1h, or haproxy.router.openshift.io/timeout-tunnel) */
static void ws_upgrade(fwd *f) {
        upconn *c = f->conn;
        h2o_timeout_unlink(&f->timeout);
        h2o_socket_read_stop(c->sock);
        ws_tunnel *w = ocx_xmalloc(sizeof(*w));
        *w = (ws_tunnel){.ctx = rt_px.ctx, .upstream = c->sock, .timeout = rt_timeout_for(f->route->tunnel_timeout_ms)};
        c->sock->data = NULL;
        free(c);
        f->conn = NULL;
        fwd_release_upstream(f);
        h2o_add_header(&f->req->pool, &f->req->res.headers, H2O_TOKEN_UPGRADE, NULL, H2O_STRLIT("websocket"));
        h2o_http1_upgrade(f->req, NULL, 0, on_ws_upgraded, w);
}

/* Parses the response head; 1 when the response started, 0 when more bytes
 * are needed, -1 when the request was finished with an error. */
static int parse_head(fwd *f) {
        h2o_req_t *req = f->req;
        h2o_buffer_t *in = f->conn->sock->input;
        struct phr_header hdrs[MAX_RES_HEADERS];
        const char *msg;
        size_t nh, msglen;
        int minor, status, rlen;
        for (;;) {
                nh = MAX_RES_HEADERS;
                rlen = phr_parse_response(in->bytes, in->size, &minor, &status, &msg, &msglen, hdrs, &nh, 0);
                if (rlen == -2) {
                        if (in->size < MAX_RESPONSE_HEAD) return 0;
                        fail_request(f, 502, "Bad Gateway", "Bad Gateway: response head too large\n");
                        return -1;
                }
                if (rlen < 0) {
                        fail_request(f, 502, "Bad Gateway", "Bad Gateway: invalid response from the endpoint\n");
                        return -1;
                }
                if (status >= 200 || status == 101) break;
                h2o_buffer_consume(&f->conn->sock->input, (size_t)rlen); /* 100 Continue and friends: skip */
                in = f->conn->sock->input;
                if (in->size == 0) return 0;
        }
        /* the header values must outlive the input buffer */
        char *copy = h2o_mem_alloc_pool(&req->pool, (size_t)rlen);
        memcpy(copy, in->bytes, (size_t)rlen);
        ptrdiff_t delta = copy - in->bytes;
        bool close = minor == 0, chunked = false, has_cc = false;
        size_t cl = SIZE_MAX;
        req->res.status = status;
        req->res.reason = h2o_strdup(&req->pool, msg, msglen).base;
        for (size_t i = 0; i < nh; i++) {
                if (!hdrs[i].name) continue; /* obsolete line folding */
                char *name = (char *)hdrs[i].name + delta;
                const char *val = hdrs[i].value + delta;
                size_t vl = hdrs[i].value_len;
                h2o_strtolower(name, hdrs[i].name_len);
                const h2o_token_t *t = h2o_lookup_token(name, hdrs[i].name_len);
                if (t == H2O_TOKEN_CONNECTION) {
                        if (h2o_contains_token(val, vl, H2O_STRLIT("close"), ',')) close = true;
                        else if (minor == 0 && h2o_contains_token(val, vl, H2O_STRLIT("keep-alive"), ',')) close = false;
                        continue;
                }
                if (t == H2O_TOKEN_TRANSFER_ENCODING) {
                        chunked = true;
                        continue;
                }
                if (t == H2O_TOKEN_CONTENT_LENGTH) {
                        size_t v = h2o_strtosize(val, vl);
                        if (v == SIZE_MAX || (cl != SIZE_MAX && cl != v)) {
                                fail_request(f, 502, "Bad Gateway", "Bad Gateway: invalid response from the endpoint\n");
                                return -1;
                        }
                        cl = v;
                        continue;
                }
                if (t) {
                        if (t->proxy_should_drop_for_res || t == H2O_TOKEN_KEEP_ALIVE || t == H2O_TOKEN_UPGRADE) continue;
                        if (t == H2O_TOKEN_CACHE_CONTROL) has_cc = true;
                        h2o_add_header(&req->pool, &req->res.headers, t, NULL, val, vl);
                } else {
                        h2o_add_header_by_str(&req->pool, &req->res.headers, name, hdrs[i].name_len, 0, NULL, val, vl);
                }
        }
        h2o_buffer_consume(&f->conn->sock->input, (size_t)rlen);
        f->got_head = true;
        if (status == 101) {
                if (!f->is_ws) {
                        f->got_head = false;
                        fail_request(f, 502, "Bad Gateway", "Bad Gateway: unexpected protocol switch\n");
                        return -1;
                }
                ws_upgrade(f);
                return -1;
        }
        if (f->set_cookie) {
                const rt_route *r = f->route;
                const char *ck = r->eps[f->cur].cookie;
                h2o_iovec_t v = h2o_concat(&req->pool, h2o_iovec_init(r->cookie_name, strlen(r->cookie_name)),
                                           h2o_iovec_init(H2O_STRLIT("=")), h2o_iovec_init(ck, strlen(ck)),
                                           h2o_iovec_init(H2O_STRLIT("; path=/; HttpOnly")));
                if (r->cookie_secure)
                        v = h2o_concat(&req->pool, v, h2o_iovec_init(H2O_STRLIT("; Secure; SameSite=")),
                                       h2o_iovec_init(r->cookie_same_site, strlen(r->cookie_same_site)));
                h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_SET_COOKIE, NULL, v.base, v.len);
                if (!has_cc) /* nocache */
                        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                                       H2O_STRLIT("private"));
        }
        bool head = h2o_memis(req->method.base, req->method.len, H2O_STRLIT("HEAD"));
        if (head || status == 204 || status == 304) {
                f->framing = BODY_NONE;
                if (head && cl != SIZE_MAX && !chunked) req->res.content_length = cl;
        } else if (chunked) {
                f->framing = BODY_CHUNKED;
                f->dec.d.consume_trailer = 1;
        } else if (cl != SIZE_MAX) {
                f->framing = BODY_LENGTH;
                f->remaining = cl;
                req->res.content_length = cl;
        } else {
                f->framing = BODY_CLOSE;
                close = true;
        }
        f->keepalive = !close;
        f->gen.proceed = on_proceed;
        f->gen.stop = on_stop;
        h2o_start_response(req, &f->gen);
        return 1;
}

static void on_upstream_read(h2o_socket_t *sock, const char *err) {
        fwd *f = sock->data;
        if (err) {
                if (!f->got_head) {
                        if (retry_stale(f)) return;
                        fail_request(f, 502, "Bad Gateway", "Bad Gateway: the endpoint closed the connection\n");
                        return;
                }
                if (f->framing == BODY_CLOSE) {
                        f->done = true;
                        f->keepalive = false;
                        body_flush(f);
                        return;
                }
                abort_response(f);
                return;
        }
        f->received = true;
        link_timeout(f, f->io_timeout, on_io_timeout);
        if (!f->got_head && parse_head(f) <= 0) return;
        if (body_collect(f) < 0) {
                abort_response(f);
                return;
        }
        body_flush(f);
}

static void on_write_done(h2o_socket_t *sock, const char *err) {
        fwd *f = sock->data;
        if (!err || f->got_head) return; /* a failed write is seen by the reader too, once the head is in */
        if (retry_stale(f)) return;
        fail_request(f, 502, "Bad Gateway", "Bad Gateway: cannot send the request to the endpoint\n");
}

static void send_request(fwd *f) {
        h2o_iovec_t bufs[2];
        size_t n = 0;
        if (!f->head.base) f->head = build_head(f);
        bufs[n++] = f->head;
        if (f->req->entity.len) bufs[n++] = f->req->entity;
        h2o_socket_t *sock = f->conn->sock;
        sock->data = f;
        f->received = false;
        link_timeout(f, f->io_timeout, on_io_timeout);
        h2o_socket_write(sock, bufs, n, on_write_done);
        h2o_socket_read_start(sock, on_upstream_read);
}

static void on_connect_timeout(h2o_timeout_entry_t *e) {
        fwd *f = H2O_STRUCT_FROM_MEMBER(fwd, timeout, e);
        f->connecting = false;
        attempt_failed(f, "connect timeout");
}

static void on_connect(h2o_socket_t *sock, const char *err) {
        fwd *f = sock->data;
        f->connecting = false;
        h2o_timeout_unlink(&f->timeout);
        if (err) {
                attempt_failed(f, err);
                return;
        }
        send_request(f);
}

/* A connection to f->up: the most recently pooled idle one, or a new one. */
static void acquire(fwd *f) {
        rt_upstream *u = f->up;
        if (!h2o_linklist_is_empty(&u->idle)) {
                upconn *c = H2O_STRUCT_FROM_MEMBER(upconn, link, u->idle.prev);
                h2o_linklist_unlink(&c->link);
                u->n_idle--;
                h2o_socket_read_stop(c->sock);
                f->conn = c;
                f->reused = true;
                RT_HOT_INC(reused);
                send_request(f);
                return;
        }
        f->reused = false;
        h2o_socket_t *sock = h2o_socket_connect(rt_px.ctx->loop, &u->addr.sa, u->addrlen, on_connect);
        if (!sock) {
                attempt_failed(f, "connection refused");
                return;
        }
        upconn *c = ocx_xcalloc(1, sizeof(*c));
        c->sock = sock;
        c->up = u;
        sock->data = f;
        f->conn = c;
        f->connecting = true;
        link_timeout(f, &rt_px.connect_timeout, on_connect_timeout);
}

static void try_next(fwd *f) {
        rt_route *r = f->route;
        size_t ridx = (size_t)(r - f->table->routes);
        rt_pick_ops ops = {.usable = ep_usable, .load = ep_load, .random = xrand, .data = f,
                           .source_hash = r->balance == RT_BAL_SOURCE ? source_hash(f->req) : 0,
                           .rr = &f->b->rr[ridx], .wrr_cur = r->n_eps ? &f->b->wrr[r->eps[0].gidx] : NULL};
        int i = -1;
        if (f->attempts < rt_px.cfg->max_attempts) {
                i = rt_pick(r, &ops);
                if (i < 0 && f->attempts == 0) {
                        /* everything is marked down: try anyway rather than fail blind */
                        ops.usable = ep_untried;
                        i = rt_pick(r, &ops);
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
        f->up = up_of(f, &r->eps[i]);
        f->up->inflight++;
        acquire(f);
}

/* The endpoint named by the client's sticky cookie, if it is usable. */
static int sticky_endpoint(fwd *f) {
        const rt_route *r = f->route;
        size_t nlen = strlen(r->cookie_name);
        const h2o_headers_t *hs = &f->req->headers;
        for (ssize_t k = -1; (k = h2o_find_header(hs, H2O_TOKEN_COOKIE, k)) >= 0;) {
                const char *v = hs->entries[k].value.base, *end = v + hs->entries[k].value.len;
                while (v < end) {
                        while (v < end && (*v == ' ' || *v == ';')) v++;
                        const char *e = memchr(v, ';', (size_t)(end - v));
                        if (!e) e = end;
                        if ((size_t)(e - v) == nlen + 33 && v[nlen] == '=' && memcmp(v, r->cookie_name, nlen) == 0) {
                                for (size_t i = 0; i < r->n_eps; i++)
                                        if (memcmp(r->eps[i].cookie, v + nlen + 1, 32) == 0) {
                                                const rt_upstream *u = up_of(f, &r->eps[i]);
                                                /* weight 0 keeps pinned sessions; a down endpoint does not */
                                                return u && u->down_until <= h2o_now(rt_px.ctx->loop) ? (int)i : -1;
                                        }
                                return -1;
                        }
                        v = e;
                }
        }
        return -1;
}

void rt_proxy_forward(h2o_req_t *req, rt_table *t, rt_route *route, h2o_iovec_t authority, h2o_iovec_t path,
                      bool https, uint16_t port) {
        fwd *f = h2o_mem_alloc_shared(&req->pool, sizeof(*f), fwd_dispose);
        memset(f, 0, sizeof(*f)); /* owned by the request's pool: disposed with it */
        f->req = req;
        f->table = t;
        f->b = t->per_thread[rt_px.tid];
        f->route = route;
        f->authority = authority;
        f->path = path;
        f->https = https;
        f->port = port;
        f->io_timeout = rt_timeout_for(route->timeout_ms);
        f->is_ws = req->upgrade.base && req->version < 0x200 &&
                   h2o_lcstris(req->upgrade.base, req->upgrade.len, H2O_STRLIT("websocket"));
        RT_HOT_INC(proxied);
        if (route->cookie_name) {
                int i = sticky_endpoint(f);
                if (i >= 0) {
                        RT_HOT_INC(sticky_hits);
                        f->attempts = 1;
                        if (i < 256) f->tried[i / 64] |= 1ull << (i % 64);
                        f->cur = i;
                        f->up = up_of(f, &route->eps[i]);
                        f->up->inflight++;
                        acquire(f);
                        return;
                }
                f->set_cookie = true;
        }
        try_next(f);
}
