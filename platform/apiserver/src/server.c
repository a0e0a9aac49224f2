/* ocxd: flags, libmicrohttpd glue (TLS, body caps, query decoding, watch
 * streaming), signal handling. The request pipeline itself is api_handle. */
#include "apiserver/server.h"
#include <getopt.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <signal.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <gnutls/gnutls.h>
#include <microhttpd.h>
#include "apiserver/api.h"
#include "apiserver/watch.h"
#include "auth/authn.h"
#include "auth/authz.h"
#include "auth/oauth.h"
#include "controllers/endpoints.h"
#include "controllers/gc.h"
#include "node/node.h"
#include "node/apiaccess.h"
#include "controllers/ipalloc.h"
#include "dns/dns.h"
#include "ocx/buf.h"
#include "ocx/cert.h"
#include "ocx/log.h"
#include "ocx/netaddr.h"
#include "ocx/banned.h"

typedef struct conn_ctx {
        ocx_buf body;
        bool too_large;
} conn_ctx;

static const char *const admin_groups[] = {"system:masters", "system:authenticated", NULL};
static const char *const anonymous_groups[] = {"system:unauthenticated", NULL};

typedef struct server_ctx {
        api_server *api;
        bool insecure;               /* plain HTTP test mode: every request acts as system:admin */
        ocx_cert_verifier *verifier; /* client CA */
} server_ctx;

/* Who is asking: a verified client certificate (CN = user, O = groups), a
 * bearer token (OAuth access token or service-account token, auth/authn.h),
 * or anonymous. Returns -EPERM for a certificate or token that does not
 * verify, and for a bearer token sent over plain HTTP when TLS is required. */
/* Per-connection state: the client certificate is verified once per TLS
 * connection (the chain cannot change within it), not on every request. */
typedef struct conn_state {
        bool cert_checked;
        int cert_rc;
        ocx_cert_identity id;
} conn_state;

static void on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe) {
        (void)cls;
        (void)c;
        if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
                *socket_context = ocx_xcalloc(1, sizeof(conn_state));
        } else if (*socket_context) {
                conn_state *cs = *socket_context;
                ocx_cert_identity_release(&cs->id);
                free(cs);
                *socket_context = NULL;
        }
}

static void identity_copy(const ocx_cert_identity *src, ocx_cert_identity *dst) {
        dst->user = src->user ? ocx_xstrdup(src->user) : NULL;
        dst->n_groups = src->n_groups;
        dst->groups = src->n_groups ? ocx_xcalloc(src->n_groups, sizeof(char *)) : NULL;
        for (size_t i = 0; i < src->n_groups; i++) dst->groups[i] = ocx_xstrdup(src->groups[i]);
}

static int verify_client_cert(server_ctx *sc, struct MHD_Connection *c, gnutls_session_t session,
                              ocx_cert_identity *ret_id) {
        const union MHD_ConnectionInfo *sci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        conn_state *cs = sci ? sci->socket_context : NULL;
        if (cs && cs->cert_checked) {
                if (cs->cert_rc == 0) identity_copy(&cs->id, ret_id);
                return cs->cert_rc;
        }
        unsigned n = 0;
        const gnutls_datum_t *peers = gnutls_certificate_get_peers(session, &n);
        if (!peers || n == 0) return 1; /* no certificate */
        ocx_cert_blob blobs[16];
        if (n > 16) n = 16;
        for (unsigned i = 0; i < n; i++) blobs[i] = (ocx_cert_blob){peers[i].data, peers[i].size};
        int r = ocx_cert_verify_peer(sc->verifier, blobs, n, OCX_CERT_DER, ret_id, NULL);
        if (cs) {
                cs->cert_checked = true;
                cs->cert_rc = r;
                if (r == 0) identity_copy(ret_id, &cs->id);
        }
        return r;
}

static int authenticate(server_ctx *sc, struct MHD_Connection *c, ocx_cert_identity *ret_id, authn_user *ret_bearer) {
        memset(ret_id, 0, sizeof(*ret_id));
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        bool tls = ci && ci->tls_session;
        if (sc->verifier && tls) {
                int r = verify_client_cert(sc, c, (gnutls_session_t)ci->tls_session, ret_id);
                if (r <= 0) return r;
        }
        const char *a = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
        if (a && strncasecmp(a, "Bearer ", 7) == 0) {
                if (!tls && !sc->insecure) return -EPERM;
                const char *token = a + 7;
                while (*token == ' ') token++;
                return authn_token_authenticate(sc->api, token, ret_bearer);
        }
        return 0;
}

/* Paths anyone may read without credentials (as kube-apiserver's
 * system:public-info-viewer role allows). */
static bool public_path(const char *url) {
        return ocx_streq(url, "/healthz") || ocx_streq(url, "/readyz") || ocx_streq(url, "/livez") ||
               ocx_streq(url, "/version") || ocx_startswith(url, "/.well-known/");
}

static const char *arg(struct MHD_Connection *c, const char *key) {
        return MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, key);
}

static const char *req_arg(const api_request *req, const char *key) { return arg(req->conn, key); }
static const char *req_header(const api_request *req, const char *name) {
        return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

static bool arg_true(struct MHD_Connection *c, const char *key) {
        const char *v = arg(c, key);
        return v && (ocx_streq(v, "true") || ocx_streq(v, "1") || (*v == 0));
}

typedef struct watch_stream {
        api_watch *w;
        int fd;
} watch_stream;

static ssize_t watch_reader(void *cls, uint64_t pos, char *buf, size_t max) {
        (void)pos;
        watch_stream *ws = cls;
        ssize_t n = api_watch_read(ws->w, buf, max, ws->fd);
        if (n < 0) return MHD_CONTENT_READER_END_WITH_ERROR;
        if (n == 0) return MHD_CONTENT_READER_END_OF_STREAM;
        return n;
}

static void watch_free(void *cls) {
        watch_stream *ws = cls;
        api_watch_free(ws->w);
        free(ws);
}

static enum MHD_Result send_response(struct MHD_Connection *c, api_response *resp) {
        struct MHD_Response *r;
        if (resp->watch) {
                watch_stream *ws = ocx_xcalloc(1, sizeof(*ws));
                ws->w = resp->watch;
                const union MHD_ConnectionInfo *ci = MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
                ws->fd = ci ? ci->connect_fd : -1;
                r = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 4096, watch_reader, ws, watch_free);
                resp->watch = NULL;
        } else {
                r = MHD_create_response_from_buffer(resp->body_len, resp->body ? resp->body : (void *)"",
                                                    resp->body ? MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
                resp->body = NULL;
        }
        MHD_add_response_header(r, "Content-Type", resp->content_type ? resp->content_type : "application/json");
        MHD_add_response_header(r, "Cache-Control", "no-cache, private");
        if (resp->location) MHD_add_response_header(r, "Location", resp->location);
        if (resp->www_authenticate) MHD_add_response_header(r, "WWW-Authenticate", resp->www_authenticate);
        if (resp->warning) {
                char *w = ocx_xasprintf("299 - \"%s\"", resp->warning);
                MHD_add_response_header(r, "Warning", w);
                free(w);
        }
        enum MHD_Result ret = MHD_queue_response(c, (unsigned)resp->status, r);
        MHD_destroy_response(r);
        api_response_release(resp);
        return ret;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_size, void **con_cls) {
        (void)version;
        server_ctx *sc = cls;
        api_server *s = sc->api;
        conn_ctx *ctx = *con_cls;
        if (!ctx) {
                ctx = ocx_xcalloc(1, sizeof(*ctx));
                ocx_buf_init(&ctx->body, API_MAX_BODY);
                *con_cls = ctx;
                const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
                if (cl && strtoull(cl, NULL, 10) > API_MAX_BODY) {
                        /* answer before reading the body; MHD closes the connection after it */
                        api_response resp = {0};
                        api_respond_error(&resp, -E2BIG, NULL, NULL, NULL);
                        ctx->too_large = true;
                        return send_response(c, &resp);
                }
                return MHD_YES;
        }
        if (*upload_size) {
                if (!ctx->too_large && ocx_buf_append(&ctx->body, upload_data, *upload_size) < 0) ctx->too_large = true;
                *upload_size = 0;
                return MHD_YES;
        }
        _cleanup_(ocx_cert_identity_release) ocx_cert_identity id = {0};
        _cleanup_(authn_user_release) authn_user bearer = {0};
        const char *user = "system:admin";
        const char *const *groups = admin_groups;
        const char *group_buf[34];
        bool oauth = oauth_is_oauth_path(url); /* authenticates with its own credentials */
        int ar = oauth ? 0 : authenticate(sc, c, &id, &bearer);
        if (ar < 0) {
                api_response resp = {0};
                api_respond_error(&resp, -EPERM, NULL, NULL, NULL);
                return send_response(c, &resp);
        }
        if (bearer.name) {
                user = bearer.name;
                groups = (const char *const *)bearer.groups;
        } else if (!sc->insecure) {
                if (!id.user && !public_path(url) && !oauth) {
                        api_response resp = {0};
                        api_respond_error(&resp, -EPERM, NULL, NULL, NULL);
                        return send_response(c, &resp);
                }
                if (id.user) {
                        size_t n = 0;
                        for (size_t i = 0; i < id.n_groups && n < 32; i++) group_buf[n++] = id.groups[i];
                        group_buf[n++] = "system:authenticated";
                        group_buf[n] = NULL;
                        user = id.user;
                        groups = group_buf;
                } else {
                        user = "system:anonymous";
                        groups = anonymous_groups;
                }
        }
        api_request req = {
                .method = method,
                .path = url,
                .accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Accept"),
                .content_type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type"),
                .body = ctx->body.data,
                .body_len = ctx->body.len,
                .body_too_large = ctx->too_large,
                .user = {.name = user, .groups = groups},
                .get_arg = req_arg,
                .get_header = req_header,
                .conn = c,
                .tls = !sc->insecure,
        };
        req.q.label_selector = arg(c, "labelSelector");
        req.q.field_selector = arg(c, "fieldSelector");
        req.q.resource_version = arg(c, "resourceVersion");
        req.q.cont = arg(c, "continue");
        req.q.limit = arg(c, "limit");
        req.q.propagation_policy = arg(c, "propagationPolicy");
        req.q.dry_run = arg(c, "dryRun");
        req.q.field_validation = arg(c, "fieldValidation");
        req.q.include_object = arg(c, "includeObject");
        req.q.container = arg(c, "container");
        req.q.tail_lines = arg(c, "tailLines");
        req.q.timeout_seconds = arg(c, "timeoutSeconds");
        req.q.watch = arg_true(c, "watch");
        req.q.allow_bookmarks = arg_true(c, "allowWatchBookmarks");
        req.q.follow = arg_true(c, "follow");
        req.q.previous = arg_true(c, "previous");
        api_response resp = {0};
        if (!oauth_handle(s, &req, &resp)) api_handle(s, &req, &resp);
        return send_response(c, &resp);
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls, enum MHD_RequestTerminationCode toe) {
        (void)cls;
        (void)c;
        (void)toe;
        conn_ctx *ctx = *con_cls;
        if (ctx) {
                ocx_buf_release(&ctx->body);
                free(ctx);
                *con_cls = NULL;
        }
}

static volatile sig_atomic_t got_signal;
static void on_signal(int sig) { got_signal = sig; }

static void usage(void) {
        fprintf(stderr,
                "usage: ocxd [--base-dir DIR] [--listen HOST:PORT] [--insecure-http]\n"
                "            [--tls-cert FILE --tls-key FILE] [--client-ca FILE]\n"
                "            [--routing-suffix SUFFIX] [--public-hostname HOST]\n"
                "            [--node-name NAME] [--no-node]\n"
                "            [--pod-listen ADDR:PORT (default: pod bridge address:8443, \"\" disables)]\n"
                "            [--dns-listen ADDR:PORT (127.0.0.1:5353, \"\" disables)] [--dns-upstream ADDR:PORT]\n");
}

int api_main(int argc, char **argv) {
        ocx_log_init("ocxd");
        if (argc > 1 && ocx_streq(argv[1], "node-exec")) return node_exec_main(argc - 1, argv + 1);
        const char *node_name = NULL, *pod_listen = NULL;
        bool no_node = false;
        const char *base = "/var/lib/ocx", *listen = "127.0.0.1:8443", *cert = NULL, *key = NULL, *ca = NULL;
        const char *suffix = "127.0.0.1.nip.io";
        bool insecure = false;
        const char *dns_listen = "127.0.0.1:5353", *dns_upstream = NULL;
        bool dns_listen_given = false;
        static const struct option opts[] = {
                {"dns-listen", required_argument, NULL, 'D'}, {"dns-upstream", required_argument, NULL, 'U'},
                {"base-dir", required_argument, NULL, 'b'},   {"listen", required_argument, NULL, 'l'},
                {"insecure-http", no_argument, NULL, 'i'},     {"tls-cert", required_argument, NULL, 'c'},
                {"tls-key", required_argument, NULL, 'k'},     {"client-ca", required_argument, NULL, 'a'},
                {"routing-suffix", required_argument, NULL, 's'}, {"public-hostname", required_argument, NULL, 'p'},
                {"node-name", required_argument, NULL, 'N'}, {"no-node", no_argument, NULL, 'M'},
                {"pod-listen", required_argument, NULL, 'P'},
                {"help", no_argument, NULL, 'h'},             {NULL, 0, NULL, 0},
        };
        int o;
        while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
                switch (o) {
                case 'b': base = optarg; break;
                case 'l': listen = optarg; break;
                case 'i': insecure = true; break;
                case 'c': cert = optarg; break;
                case 'k': key = optarg; break;
                case 'a': ca = optarg; break;
                case 's': suffix = optarg; break;
                case 'p': break;
                case 'D': dns_listen = optarg, dns_listen_given = true; break;
                case 'U': dns_upstream = optarg; break;
                case 'N': node_name = optarg; break;
                case 'M': no_node = true; break;
                case 'P': pod_listen = optarg; break;
                case 'h': usage(); return 0;
                default: usage(); return 2;
                }
        }
        struct sockaddr_in sa;
        if (ocx_parse_hostport(listen, &sa, NULL) < 0) {
                log_error("invalid --listen '%s'", listen);
                return 2;
        }
        _cleanup_free_ char *certf = cert ? ocx_xstrdup(cert) : ocx_xasprintf("%s/pki/apiserver.crt", base);
        _cleanup_free_ char *keyf = key ? ocx_xstrdup(key) : ocx_xasprintf("%s/pki/apiserver.key", base);
        _cleanup_free_ char *caf = ca ? ocx_xstrdup(ca) : ocx_xasprintf("%s/pki/ca.crt", base);
        _cleanup_free_ char *cert_pem = NULL, *key_pem = NULL, *ca_pem = NULL;
        if (!insecure) {
                size_t n;
                int r = ocx_read_file(certf, 1 << 20, &cert_pem, &n);
                if (r >= 0) r = ocx_read_file(keyf, 1 << 20, &key_pem, &n);
                if (r < 0) {
                        log_error("cannot read TLS certificate/key (%s, %s): %s; use --insecure-http for plain HTTP", certf, keyf,
                                  strerror(-r));
                        return 1;
                }
                if (ocx_read_file(caf, 1 << 20, &ca_pem, &n) < 0) ca_pem = NULL;
        }
        mkdir(base, 0700);
        _cleanup_free_ char *datadir = ocx_xasprintf("%s/data", base);
        mkdir(datadir, 0700);
        _cleanup_free_ char *db = ocx_xasprintf("%s/ocx.db", datadir);
        api_server s;
        api_config cfg = {.base_dir = base, .routing_suffix = suffix, .listen = listen};
        _cleanup_error_ ocx_error *e = NULL;
        if (api_server_init(&s, &cfg, db, &e) < 0) {
                log_error("cannot open the store: %s", e ? e->message : "unknown error");
                return 1;
        }
        unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                         MHD_USE_ERROR_LOG;
        if (!insecure) flags |= MHD_USE_TLS;
        struct MHD_OptionItem tls_opts[] = {
                {MHD_OPTION_HTTPS_MEM_CERT, 0, cert_pem},
                {MHD_OPTION_HTTPS_MEM_KEY, 0, key_pem},
                {ca_pem ? MHD_OPTION_HTTPS_MEM_TRUST : MHD_OPTION_END, 0, ca_pem},
                {MHD_OPTION_END, 0, NULL},
        };
        server_ctx sc = {.api = &s, .insecure = insecure};
        if (!insecure && ca_pem && ocx_cert_verifier_new(ca_pem, strlen(ca_pem), &sc.verifier, &e) < 0) {
                log_error("cannot load the client CA %s: %s", caf, e ? e->message : "invalid");
                api_server_release(&s);
                return 1;
        }
        struct MHD_Daemon *d = MHD_start_daemon(
                flags, 0, NULL, NULL, on_request, &sc, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa,
                MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_CONNECTION_LIMIT, (unsigned)4000,
                MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024), MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024), MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)0,
                MHD_OPTION_ARRAY, insecure ? &tls_opts[3] : tls_opts, MHD_OPTION_END);
        if (!d) {
                log_error("cannot listen on %s", listen);
                api_server_release(&s);
                ocx_cert_verifier_free(sc.verifier);
                return 1;
        }
        log_info("serving on %s://%s (store %s)", insecure ? "http" : "https", listen, db);
        /* the same API where pods reach it (node/apiaccess.h): a second daemon */
        struct MHD_Daemon *pod_d = NULL;
        apiaccess_cfg ac;
        if (apiaccess_resolve(pod_listen, listen, !no_node, NULL, &ac, &e) < 0) {
                log_error("%s", e ? e->message : "invalid --pod-listen");
                MHD_stop_daemon(d);
                api_server_release(&s);
                ocx_cert_verifier_free(sc.verifier);
                return 2;
        }
        if (ac.listen[0] && insecure) {
                log_info("--insecure-http: not serving the API to pods on %s", ac.listen);
        } else if (ac.listen[0]) {
                int pfd = -1;
                _cleanup_error_ ocx_error *pe = NULL;
                if (apiaccess_listen_socket(ac.listen, &pfd, &pe) >= 0)
                        pod_d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, &sc, MHD_OPTION_LISTEN_SOCKET, pfd,
                                                 MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_NOTIFY_CONNECTION, on_connection, NULL, MHD_OPTION_CONNECTION_LIMIT,
                                                 (unsigned)1000, MHD_OPTION_THREAD_STACK_SIZE, (size_t)(256 * 1024),
                                                 MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(16 * 1024),
                                                 MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)0, MHD_OPTION_ARRAY, tls_opts,
                                                 MHD_OPTION_END);
                if (!pod_d) {
                        if (pfd >= 0) close(pfd);
                        log_error("cannot serve the API to pods on %s: %s", ac.listen, pe ? pe->message : "daemon failed");
                        if (pod_listen) {
                                MHD_stop_daemon(d);
                                api_server_release(&s);
                                ocx_cert_verifier_free(sc.verifier);
                                return 1;
                        }
                } else {
                        log_info("serving pods on https://%s", ac.listen);
                }
        }
        apiaccess_set_service(ac.host, ac.port);
        /* cluster DNS: the default address being taken is not fatal, an explicit one is */
        dns_server *dns = NULL;
        if (dns_listen && *dns_listen) {
                _cleanup_error_ ocx_error *de = NULL;
                dns_server_config dc = {.listen = dns_listen, .upstream = dns_upstream, .lookup = dns_cluster_lookup,
                                        .userdata = &s};
                if (dns_server_start(&dc, &dns, &de) < 0) {
                        log_error("%s", de ? de->message : "dns: cannot start");
                        if (dns_listen_given) {
                                if (pod_d) MHD_stop_daemon(pod_d);
                                MHD_stop_daemon(d);
                                api_server_release(&s);
                                ocx_cert_verifier_free(sc.verifier);
                                return 1;
                        }
                } else {
                        log_info("cluster DNS on %s (udp, tcp)%s%s", dns_listen, dns_upstream ? ", upstream " : "",
                                 dns_upstream ? dns_upstream : "");
                }
        }
        /* started after every fatal error path: it must be stopped before the store closes */
        if (authn_sa_controller_start(&s) < 0) log_error("cannot start the service-account token controller");
        /* node agent: SIGTERM/SIGINT stop its pods, SIGQUIT leaves them for the next ocxd */
        if (!no_node) {
                _cleanup_error_ ocx_error *ne = NULL;
                node_config nc = {.name = node_name, .base_dir = base, .api_port = ac.port};
                if (node_start(&s, &nc, &ne) < 0) log_error("node agent: %s", ne ? ne->message : "cannot start");
        }
        struct sigaction act = {.sa_handler = on_signal};
        sigaction(SIGQUIT, &act, NULL);
        sigaction(SIGTERM, &act, NULL);
        sigaction(SIGINT, &act, NULL);
        signal(SIGPIPE, SIG_IGN);
        while (!got_signal) pause();
        log_info("shutting down (signal %d)", (int)got_signal);
        node_stop(&s, got_signal != SIGQUIT);
        authn_sa_controller_stop();
        dns = dns_server_stop(dns);
        watch_hub_close(s.hub);
        if (pod_d) MHD_stop_daemon(pod_d);
        MHD_stop_daemon(d);
        api_server_release(&s);
        ocx_cert_verifier_free(sc.verifier);
        return 0;
}

/* store change fan-out: watch streams, then the RBAC cache */
static void notify_all(const store_event *ev, void *userdata) {
        api_server *s = userdata;
        watch_hub_notify(ev, s->hub);
        auth_notify(ev, s);
        authn_sa_controller_notify(ev);
}

int api_server_init(api_server *s, const api_config *cfg, const char *db_path, ocx_error **reterr) {
        memset(s, 0, sizeof(*s));
        s->cfg = *cfg;
        int r = store_open_sqlite(db_path, &s->st, reterr);
        if (r < 0) return r;
        s->hub = watch_hub_new(s->st, 8192);
        store_set_notify(s->st, notify_all, s);
        r = auth_init(s, reterr);
        if (r < 0) {
                api_server_release(s);
                return r;
        }
        r = gc_start(s);
        if (r < 0) {
                api_server_release(s);
                return ocx_error_set(reterr, -r, NULL, "cannot start the garbage collector");
        }
        ipalloc_reset();
        r = api_bootstrap(s, reterr);
        if (r >= 0 && (r = endpoints_start(s)) < 0) {
                api_server_release(s);
                return ocx_error_set(reterr, -r, NULL, "cannot start the endpoints controller");
        }
        return r;
}

void api_server_release(api_server *s) {
        endpoints_stop(s);
        gc_stop(s);
        if (s->st) store_set_notify(s->st, NULL, NULL);
        auth_release(s);
        s->hub = watch_hub_free(s->hub);
        s->st = store_close(s->st);
}
