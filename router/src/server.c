/* ocx-router — the h2o server: listeners, the catch-all handler (request
 * checks, absolute-form targets, Host normalisation, route lookup, TLS
 * policy, forwarded headers), the 503 page and the stats listener. */
#include "rt-h2o.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "ocx/log.h"
#include "ocx/macro.h"
#include "router/match.h"
#include "ocx/banned.h"

static const char page_503[] =
        "<html>\n<head>\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        "<style type=\"text/css\">body { font-family: \"Overpass\", \"Helvetica Neue\", Helvetica, Arial, sans-serif;"
        " line-height: 1.66666667; font-size: 16px; color: #333; background-color: #fff; margin: 2em 1em; }"
        " h1 { font-size: 28px; font-weight: 400; } p { margin: 0 0 10px; } .alert.alert-info { background-color:"
        " #F0F0F0; margin-top: 30px; padding: 30px; } .alert p { padding-left: 35px; } ul { padding-left: 51px;"
        " position: relative; } li { font-size: 14px; margin-bottom: 1em; }</style>\n</head>\n<body>\n"
        "<div>\n<h1>Application is not available</h1>\n"
        "<p>The application is currently not serving requests at this endpoint. It may not have been started or is"
        " still starting.</p>\n"
        "<div class=\"alert alert-info\">\n<p class=\"info\">Possible reasons you are seeing this page:</p>\n<ul>\n"
        "<li><strong>The host doesn't exist.</strong> Make sure the hostname was typed correctly and that a route"
        " matching this hostname exists.</li>\n"
        "<li><strong>The host exists, but doesn't have a matching path.</strong> Check if the URL path was typed"
        " correctly and that the route was created using the desired path.</li>\n"
        "<li><strong>Route and path matches, but all pods are down.</strong> Make sure that the resources exposed by"
        " this route (pods, services, deployment configs, etc) have at least one pod running.</li>\n"
        "</ul>\n</div>\n</div>\n</body>\n</html>\n";

/* one event loop per serving thread; each has its own listening sockets on
 * the same addresses (SO_REUSEPORT: the kernel spreads connections) */
typedef struct rt_thread {
        unsigned tid;
        pthread_t thread;
        h2o_context_t ctx;
        h2o_accept_ctx_t accept_http, accept_https, accept_stats;
        int fd_http, fd_https, fd_stats;
        int ret;
} rt_thread;

static struct {
        const rt_config *cfg;
        h2o_globalconf_t config;
        h2o_hostconf_t *main_hosts[2], *stats_hosts[2];
        SSL_CTX *ssl_ctx;
        uint16_t http_port, https_port;
        rt_thread threads[RT_MAX_THREADS];
        unsigned n_threads;
        volatile sig_atomic_t stop;
} S;

void rt_server_request_stop(void) {
        S.stop = 1;
}

/* ---- responses ------------------------------------------------------------------------- */

void rt_send_503(h2o_req_t *req) {
        req->res.status = 503;
        req->res.reason = "Service Unavailable";
        req->http1_is_persistent = 0; /* Connection: close, like the HAProxy errorfile */
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL, H2O_STRLIT("text/html"));
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CACHE_CONTROL, NULL,
                       H2O_STRLIT("private, max-age=0, no-cache, no-store"));
        h2o_add_header_by_str(&req->pool, &req->res.headers, H2O_STRLIT("pragma"), 0, NULL, H2O_STRLIT("no-cache"));
        h2o_send_inline(req, page_503, sizeof(page_503) - 1);
}

void rt_send_error(h2o_req_t *req, int status, const char *reason, const char *body) {
        req->res.status = status;
        req->res.reason = reason;
        req->http1_is_persistent = 0;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                       H2O_STRLIT("text/plain; charset=utf-8"));
        h2o_send_inline(req, body, strlen(body));
}

static void send_plain(h2o_req_t *req, int status, const char *reason, const char *body, bool close) {
        req->res.status = status;
        req->res.reason = reason;
        if (close) req->http1_is_persistent = 0;
        h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                       H2O_STRLIT("text/plain; charset=utf-8"));
        h2o_send_inline(req, body, strlen(body));
}

/* ---- request checks -------------------------------------------------------------------- */

/* h2o 2.2.5 consumes Content-Length/Transfer-Encoding itself (TE wins) and
 * never shows them to handlers; the raw header block is still at the head of
 * the connection's input buffer, so check it there. Returns 0 when fine. */
static int check_framing(h2o_req_t *req) {
        if (req->version >= 0x200 || !req->conn->callbacks->get_socket) return 0;
        h2o_socket_t *sock = req->conn->callbacks->get_socket(req->conn);
        if (!sock || !sock->input || sock->input->size == 0) return 0;
        struct phr_header hdrs[H2O_MAX_HEADERS];
        size_t nh = H2O_MAX_HEADERS, mlen, plen;
        const char *m, *p;
        int minor;
        int rl = phr_parse_request(sock->input->bytes, sock->input->size, &m, &mlen, &p, &plen, &minor, hdrs, &nh, 0);
        if (rl <= 0) return 0;
        if (rl > S.cfg->max_header_bytes) {
                atomic_fetch_add(&rt_stats.header_too_large, 1);
                send_plain(req, 431, "Request Header Fields Too Large", "Request Header Fields Too Large\n", true);
                return -1;
        }
        const char *cl = NULL;
        size_t cl_len = 0;
        bool te = false, bad = false;
        for (size_t i = 0; i < nh; i++) {
                if (!hdrs[i].name) continue; /* continuation line */
                if (hdrs[i].name_len == 14 && strncasecmp(hdrs[i].name, "content-length", 14) == 0) {
                        const char *v = hdrs[i].value;
                        size_t vl = hdrs[i].value_len;
                        if (vl == 0) bad = true; /* empty Content-Length (CVE-2023-40225) */
                        for (size_t k = 0; k < vl; k++)
                                if (v[k] < '0' || v[k] > '9') bad = true;
                        if (cl && (cl_len != vl || memcmp(cl, v, vl) != 0)) bad = true;
                        cl = v, cl_len = vl;
                } else if (hdrs[i].name_len == 17 && strncasecmp(hdrs[i].name, "transfer-encoding", 17) == 0) {
                        te = true;
                }
        }
        if (bad || (te && cl)) {
                atomic_fetch_add(&rt_stats.bad_request, 1);
                send_plain(req, 400, "Bad Request",
                           te && cl ? "Bad Request: both Content-Length and Transfer-Encoding\n"
                                    : "Bad Request: invalid Content-Length\n",
                           true);
                return -1;
        }
        return 0;
}

/* ---- the catch-all handler ------------------------------------------------------------- */

static int on_req(h2o_handler_t *self, h2o_req_t *req) {
        (void)self;
        RT_HOT_INC(requests);
        if (check_framing(req) < 0) return 0;
        if (h2o_memis(req->method.base, req->method.len, H2O_STRLIT("CONNECT"))) {
                send_plain(req, 405, "Method Not Allowed", "CONNECT is not supported\n", true);
                return 0;
        }
        h2o_iovec_t authority = req->input.authority, path = req->input.path;
        bool https = req->input.scheme == &H2O_URL_SCHEME_HTTPS;
        if (path.len > 0 && path.base[0] != '/' && !(path.len == 1 && path.base[0] == '*')) {
                /* absolute-form (h2o 2.2.5 passes it through unparsed): the URL's
                 * authority replaces Host (RFC 7230 5.4), the path goes on in origin-form */
                rt_target tg;
                if (rt_parse_absolute_target(path.base, path.len, &tg) < 0) {
                        atomic_fetch_add(&rt_stats.bad_request, 1);
                        send_plain(req, 400, "Bad Request", "Bad Request: invalid request target\n", true);
                        return 0;
                }
                authority = h2o_iovec_init(tg.authority, tg.authority_len);
                if (tg.path_len == 0) path = h2o_iovec_init(H2O_STRLIT("/"));
                else if (tg.path[0] == '?') path = h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("/")),
                                                             h2o_iovec_init(tg.path, tg.path_len));
                else path = h2o_iovec_init(tg.path, tg.path_len);
        }
        char host[RT_HOST_MAX];
        uint16_t port;
        int hl = authority.base ? rt_host_normalize(authority.base, authority.len, host, sizeof(host), &port) : 0;
        if (hl < 0) {
                atomic_fetch_add(&rt_stats.bad_request, 1);
                send_plain(req, 400, "Bad Request", "Bad Request: invalid host\n", true);
                return 0;
        }
        rt_table *t = rt_proxy_table_ref();
        rt_route *r = hl > 0 ? rt_table_lookup(t, host, path.base, path.len) : NULL;
        if (r && r->term != RT_TERM_NONE && !https) {
                if (r->insecure == RT_INSECURE_REDIRECT) {
                        h2o_iovec_t url = h2o_concat(&req->pool, h2o_iovec_init(H2O_STRLIT("https://")),
                                                     h2o_iovec_init(host, (size_t)hl), path);
                        atomic_fetch_add(&rt_stats.redirects, 1);
                        rt_proxy_table_unref(t);
                        h2o_send_redirect(req, 302, "Found", url.base, url.len);
                        return 0;
                }
                if (r->insecure != RT_INSECURE_ALLOW) r = NULL; /* policy None: not served over http */
        } else if (r && r->term == RT_TERM_NONE && https) {
                r = NULL; /* like OpenShift: only edge routes are served on the TLS listener */
        }
        if (!r) {
                atomic_fetch_add(&rt_stats.no_route_503, 1);
                rt_proxy_table_unref(t);
                rt_send_503(req);
                return 0;
        }
        rt_proxy_forward(req, t, r, authority, path, https, https ? S.https_port : S.http_port);
        return 0;
}

/* ---- stats listener -------------------------------------------------------------------- */

static int on_stats_req(h2o_handler_t *self, h2o_req_t *req) {
        (void)self;
        if (h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/healthz"))) {
                send_plain(req, 200, "OK", "ok\n", false);
                return 0;
        }
        if (h2o_memis(req->path_normalized.base, req->path_normalized.len, H2O_STRLIT("/metrics"))) {
                size_t len;
                char *text = rt_metrics_render(&len);
                h2o_iovec_t body = h2o_strdup(&req->pool, text, len);
                free(text);
                req->res.status = 200;
                req->res.reason = "OK";
                h2o_add_header(&req->pool, &req->res.headers, H2O_TOKEN_CONTENT_TYPE, NULL,
                               H2O_STRLIT("text/plain; version=0.0.4"));
                h2o_send_inline(req, body.base, body.len);
                return 0;
        }
        send_plain(req, 404, "Not Found", "not found\n", false);
        return 0;
}

static void on_log_access(h2o_logger_t *self, h2o_req_t *req) {
        (void)self;
        int s = req->res.status;
        if (s >= 200 && s < 300) RT_HOT_INC(responses_2xx);
        else if (s >= 300 && s < 400) RT_HOT_INC(responses_3xx);
        else if (s >= 400 && s < 500) RT_HOT_INC(responses_4xx);
        else if (s >= 500) RT_HOT_INC(responses_5xx);
}

/* ---- listeners ------------------------------------------------------------------------- */

static int listen_on(const char *spec, uint16_t *ret_port) {
        _cleanup_free_ char *copy = ocx_xstrdup(spec);
        char *colon = strrchr(copy, ':'), *host = copy;
        if (!colon) return -EINVAL;
        *colon = '\0';
        if (host[0] == '[') { /* [::1]:80 */
                host++;
                char *e = strchr(host, ']');
                if (e) *e = '\0';
        }
        struct addrinfo hints = {.ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                                 .ai_flags = AI_PASSIVE | AI_NUMERICSERV}, *res = NULL;
        if (getaddrinfo(*host ? host : NULL, colon + 1, &hints, &res) != 0 || !res) return -EINVAL;
        int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0), one = 1;
        if (fd < 0) {
                freeaddrinfo(res);
                return -errno;
        }
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
        if (bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
                int e = -errno;
                close(fd);
                freeaddrinfo(res);
                return e;
        }
        freeaddrinfo(res);
        struct sockaddr_storage ss;
        socklen_t sl = sizeof(ss);
        if (ret_port && getsockname(fd, (struct sockaddr *)&ss, &sl) == 0)
                *ret_port = (uint16_t)h2o_socket_getport((struct sockaddr *)&ss);
        return fd;
}

static void on_accept(h2o_socket_t *listener, const char *err) {
        h2o_accept_ctx_t *ac = listener->data;
        if (err) return;
        for (int i = 0; i < 32; i++) {
                h2o_socket_t *s = h2o_evloop_socket_accept(listener);
                if (!s) break;
                h2o_accept(ac, s);
        }
}

static void start_listener(rt_thread *t, int fd, h2o_accept_ctx_t *ac) {
        if (fd < 0) return;
        h2o_socket_t *ls = h2o_evloop_socket_create(t->ctx.loop, fd, H2O_SOCKET_FLAG_DONT_READ);
        ls->data = ac;
        h2o_socket_read_start(ls, on_accept);
}

static void on_signal(int sig) {
        (void)sig;
        S.stop = 1;
}

static void *thread_main(void *arg) {
        rt_thread *t = arg;
        h2o_context_init(&t->ctx, h2o_evloop_create(), &S.config);
        rt_proxy_thread_init(&t->ctx, S.cfg, t->tid);
        t->accept_http = (h2o_accept_ctx_t){.ctx = &t->ctx, .hosts = S.main_hosts};
        t->accept_https = (h2o_accept_ctx_t){.ctx = &t->ctx, .hosts = S.main_hosts, .ssl_ctx = S.ssl_ctx};
        t->accept_stats = (h2o_accept_ctx_t){.ctx = &t->ctx, .hosts = S.stats_hosts};
        start_listener(t, t->fd_http, &t->accept_http);
        start_listener(t, t->fd_https, &t->accept_https);
        start_listener(t, t->fd_stats, &t->accept_stats);
        while (!S.stop) h2o_evloop_run(t->ctx.loop, 200);
        rt_tls_thread_cleanup();
        rt_proxy_thread_cleanup();
        return NULL;
}

/* opens the listening sockets of every thread; logs and fails on the first error */
static int open_listeners(const char *spec, const char *what, size_t field, unsigned n, uint16_t *ret_port) {
        for (unsigned i = 0; i < S.n_threads; i++) {
                int *slot = (int *)((char *)&S.threads[i] + field);
                *slot = -1;
                if (!spec || !*spec || i >= n) continue;
                int fd = listen_on(spec, ret_port);
                if (fd < 0) {
                        log_error("cannot listen on '%s' (%s): %s", spec, what, strerror(-fd));
                        return fd;
                }
                *slot = fd;
        }
        if (spec && *spec) log_info("listening on %s (%s)", spec, what);
        return 0;
}

int rt_server_run(const rt_config *cfg) {
        S.cfg = cfg;
        S.n_threads = cfg->threads < 1 ? 1 : cfg->threads > RT_MAX_THREADS ? RT_MAX_THREADS : cfg->threads;
        signal(SIGPIPE, SIG_IGN);
        struct sigaction sa = {.sa_handler = on_signal};
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);

        h2o_config_init(&S.config);
        S.config.server_name = h2o_iovec_init(NULL, 0); /* the pod's Server header passes through */
        S.config.max_request_entity_size = 1024 * 1024 * 1024;
        /* slowloris: the request head (and body) must arrive within this, as
         * HAProxy's "timeout http-request"; also the keep-alive idle limit */
        S.config.http1.req_timeout = (uint64_t)cfg->header_timeout_ms;

        h2o_hostconf_t *hc = h2o_config_register_host(&S.config, h2o_iovec_init(H2O_STRLIT("default")), 65535);
        h2o_pathconf_t *pc = h2o_config_register_path(hc, "/", 0);
        h2o_create_handler(pc, sizeof(h2o_handler_t))->on_req = on_req;
        h2o_create_logger(pc, sizeof(h2o_logger_t))->log_access = on_log_access;
        if (cfg->access_log)
                h2o_access_log_register(pc, h2o_access_log_open_handle(cfg->access_log, NULL, H2O_LOGCONF_ESCAPE_APACHE));
        h2o_hostconf_t *shc = h2o_config_register_host(&S.config, h2o_iovec_init(H2O_STRLIT("stats")), 65535);
        h2o_create_handler(h2o_config_register_path(shc, "/", 0), sizeof(h2o_handler_t))->on_req = on_stats_req;
        S.main_hosts[0] = hc;
        S.stats_hosts[0] = shc;

        const char *https = cfg->listen_https && *cfg->listen_https ? cfg->listen_https : NULL;
        if (https && !cfg->default_cert) {
                log_warn("no --default-cert/--default-key: not listening on %s", https);
                https = NULL;
        }
        if (https && !(S.ssl_ctx = rt_tls_server_ctx(cfg))) return -EINVAL;
        if (open_listeners(cfg->listen_http, "http", offsetof(rt_thread, fd_http), S.n_threads, &S.http_port) < 0 ||
            open_listeners(https, "https", offsetof(rt_thread, fd_https), S.n_threads, &S.https_port) < 0 ||
            open_listeners(cfg->stats, "stats", offsetof(rt_thread, fd_stats), 1, NULL) < 0)
                return -EADDRINUSE;
        log_info("%u serving thread%s", S.n_threads, S.n_threads == 1 ? "" : "s");
        for (unsigned i = 0; i < S.n_threads; i++) {
                S.threads[i].tid = i;
                if (i > 0 && pthread_create(&S.threads[i].thread, NULL, thread_main, &S.threads[i]) != 0) {
                        log_error("cannot start serving thread %u", i);
                        S.stop = 1;
                        S.n_threads = i;
                        break;
                }
        }
        thread_main(&S.threads[0]);
        for (unsigned i = 1; i < S.n_threads; i++) pthread_join(S.threads[i].thread, NULL);
        log_info("shutting down");
        return 0;
}
