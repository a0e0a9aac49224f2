/* ocx — the daemons `ocx cluster up` runs: one table of {name, argv
 * builder, readiness check}, and starting/stopping them in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include "cli/cluster.h"
#include "ocx/buf.h"
#include "ocx/cert.h"
#include "ocx/json.h"
#include "ocx/http.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define LOG_TAIL_LINES 20

char *cli_cluster_pid_path(const cli_cluster_opts *o, const char *name) {
        return ocx_xasprintf("%s/run/%s.pid", o->base_dir, name);
}

char *cli_cluster_log_path(const cli_cluster_opts *o, const char *name) {
        return ocx_xasprintf("%s/logs/%s.log", o->base_dir, name);
}

/* ---- ocxd ------------------------------------------------------------------ */

typedef struct argv_builder {
        char **v;
        size_t n;
} argv_builder;

static void argv_add(argv_builder *b, const char *s) {
        b->v = ocx_xrealloc(b->v, (b->n + 2) * sizeof(char *));
        b->v[b->n++] = ocx_xstrdup(s);
        b->v[b->n] = NULL;
}

static void argv_add_path(argv_builder *b, const char *flag, const cli_cluster_opts *o, const char *rel) {
        argv_add(b, flag);
        b->v = ocx_xrealloc(b->v, (b->n + 2) * sizeof(char *));
        b->v[b->n++] = ocx_xasprintf("%s/%s", o->base_dir, rel);
        b->v[b->n] = NULL;
}

static char **ocxd_argv(const cli_cluster_opts *o, const char *exe) {
        argv_builder b = {NULL, 0};
        argv_add(&b, exe);
        argv_add(&b, "--base-dir");
        argv_add(&b, o->base_dir);
        argv_add(&b, "--listen");
        argv_add(&b, o->listen);
        argv_add_path(&b, "--tls-cert", o, "pki/apiserver.crt");
        argv_add_path(&b, "--tls-key", o, "pki/apiserver.key");
        argv_add_path(&b, "--client-ca", o, "pki/ca.crt");
        argv_add(&b, "--routing-suffix");
        argv_add(&b, o->routing_suffix);
        if (o->public_hostname) {
                argv_add(&b, "--public-hostname");
                argv_add(&b, o->public_hostname);
        }
        if (o->dns_listen) {
                argv_add(&b, "--dns-listen");
                argv_add(&b, o->dns_listen);
        }
        return b.v;
}

/* GET https://<connect host>:<port>/readyz, verifying the serving
 * certificate against the cluster CA. */
static int ocxd_ready(const cli_cluster_opts *o, ocx_error **reterr) {
        _cleanup_free_ char *ca_path = ocx_xasprintf("%s/pki/ca.crt", o->base_dir);
        _cleanup_free_ char *ca = NULL;
        size_t len = 0;
        int r = ocx_read_file(ca_path, 64 * 1024, &ca, &len);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot read '%s': %s", ca_path, strerror(-r));
        _cleanup_free_ char *url = cli_cluster_url(o->connect_host, o->listen_port);
        ocx_http_config cfg = {.server = url, .ca_pem = ca, .timeout_ms = 2000};
        ocx_http *h = NULL;
        if ((r = ocx_http_new(&cfg, &h, reterr)) < 0) return 0;
        ocx_http_response resp = {0};
        r = ocx_http_request(h, "GET", "/readyz", NULL, NULL, 0, NULL, &resp, reterr);
        ocx_http_free(h);
        if (r < 0) return 0; /* not listening yet: keep the reason, try again */
        long status = resp.status;
        ocx_http_response_release(&resp);
        if (status == 200) return 1;
        ocx_error_set(reterr, EAGAIN, NULL, "GET %s/readyz answered %ld", url, status);
        return 0;
}

static int ocxd_preflight(const cli_cluster_opts *o, ocx_error **reterr) {
        return cli_cluster_check_port_free(o->connect_host, o->listen_port, reterr);
}

/* ---- ocx-router ------------------------------------------------------------- */

/* The router's listeners: the flag when given ("" disables), else the
 * default; a default address that is taken is replaced by a free loopback
 * port (with a warning) so a second cluster or a busy port 80 does not stop
 * `up`. What was chosen is kept in run/ocx-router.json for later readiness
 * checks (`cluster status`). */
typedef struct router_addrs {
        char *http, *https, *stats;
} router_addrs;

static void router_addrs_release(router_addrs *a) {
        free(a->http), free(a->https), free(a->stats);
        memset(a, 0, sizeof(*a));
}

static char *router_state_path(const cli_cluster_opts *o) { return ocx_xasprintf("%s/run/ocx-router.json", o->base_dir); }

static int split_hostport(const char *addr, char **ret_host, int *ret_port) {
        const char *colon = strrchr(addr, ':');
        if (!colon || colon == addr) return -EINVAL;
        char *end;
        long port = strtol(colon + 1, &end, 10);
        if (*end || port < 1 || port > 65535) return -EINVAL;
        const char *h = addr;
        size_t hl = (size_t)(colon - addr);
        if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') h++, hl -= 2;
        *ret_host = ocx_xstrndup(h, hl);
        *ret_port = (int)port;
        return 0;
}

/* A port the kernel considers free on 127.0.0.1 right now. */
static int free_loopback_port(void) {
        int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0) return -errno;
        struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
        socklen_t len = sizeof(sa);
        int port = -EADDRNOTAVAIL;
        if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 && getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
                port = ntohs(sa.sin_port);
        close(fd);
        return port;
}

static int choose_addr(const char *flag, const char *given, const char *dflt, char **ret, ocx_error **reterr) {
        if (given) {
                *ret = ocx_xstrdup(given);
                if (!*given) return 0;
                _cleanup_free_ char *host = NULL;
                int port;
                if (split_hostport(given, &host, &port) < 0)
                        return ocx_error_set(reterr, EINVAL, NULL, "invalid --%s '%s': want HOST:PORT", flag, given);
                return cli_cluster_check_port_free(host, port, reterr);
        }
        _cleanup_free_ char *host = NULL;
        int port;
        (void)split_hostport(dflt, &host, &port);
        _cleanup_error_ ocx_error *busy = NULL;
        if (cli_cluster_check_port_free(host, port, &busy) == 0) {
                *ret = ocx_xstrdup(dflt);
                return 0;
        }
        int p = free_loopback_port();
        if (p < 0) return ocx_error_set(reterr, -p, NULL, "no free port for the router");
        *ret = ocx_xasprintf("127.0.0.1:%d", p);
        fprintf(stderr, "Warning: %s is in use; the router listens on %s instead (see --%s)\n", dflt, *ret, flag);
        return 0;
}

static void router_addrs_load(const cli_cluster_opts *o, router_addrs *a) {
        _cleanup_free_ char *path = router_state_path(o);
        _cleanup_free_ char *text = NULL;
        _cleanup_json_ cJSON *j = NULL;
        size_t len;
        if (ocx_read_file(path, 64 * 1024, &text, &len) == 0) (void)ocx_json_parse(text, len, &j, NULL);
        const char *h = ocx_json_get_str(j, "http"), *hs = ocx_json_get_str(j, "https"), *st = ocx_json_get_str(j, "stats");
        a->http = ocx_xstrdup(h ? h : o->router_http ? o->router_http : "127.0.0.1:80");
        a->https = ocx_xstrdup(hs ? hs : o->router_https ? o->router_https : "127.0.0.1:443");
        a->stats = ocx_xstrdup(st ? st : o->router_stats ? o->router_stats : "127.0.0.1:1936");
}

static int issue_if_missing(const ocx_cert_pair *ca, const char *crt, const char *key, const ocx_cert_spec *spec,
                            ocx_error **reterr) {
        if (access(crt, F_OK) == 0 && access(key, F_OK) == 0) {
                _cleanup_cert_pair_ ocx_cert_pair p = OCX_CERT_PAIR_INIT;
                if (ocx_cert_pair_read(crt, key, &p, NULL) == 0 && ocx_cert_covers(p.cert_pem, NULL, time(NULL) + 86400, NULL) == 1)
                        return 0;
        }
        _cleanup_cert_pair_ ocx_cert_pair p = OCX_CERT_PAIR_INIT;
        int r = ocx_cert_issue(ca, spec, &p, reterr);
        if (r >= 0) r = ocx_cert_pair_write(&p, crt, key, reterr);
        return r;
}

/* pki/router.{crt,key}: the router's client certificate (CN
 * system:openshift-router, group system:routers: the bootstrap policy's
 * system:router ClusterRole, least privilege); pki/router-default.{crt,key}:
 * the default serving certificate for *.<routing suffix>; router.kubeconfig. */
static int router_credentials(const cli_cluster_opts *o, ocx_error **reterr) {
        _cleanup_free_ char *ca_crt = ocx_xasprintf("%s/pki/ca.crt", o->base_dir);
        _cleanup_free_ char *ca_key = ocx_xasprintf("%s/pki/ca.key", o->base_dir);
        _cleanup_free_ char *crt = ocx_xasprintf("%s/pki/router.crt", o->base_dir);
        _cleanup_free_ char *key = ocx_xasprintf("%s/pki/router.key", o->base_dir);
        _cleanup_free_ char *dcrt = ocx_xasprintf("%s/pki/router-default.crt", o->base_dir);
        _cleanup_free_ char *dkey = ocx_xasprintf("%s/pki/router-default.key", o->base_dir);
        _cleanup_cert_pair_ ocx_cert_pair ca = OCX_CERT_PAIR_INIT;
        int r = ocx_cert_pair_read(ca_crt, ca_key, &ca, reterr);
        if (r < 0) return ocx_error_wrap(reterr, "router credentials");
        const char *groups[] = {"system:routers", NULL};
        ocx_cert_spec cs = {.common_name = "system:openshift-router", .organizations = groups, .usage = OCX_CERT_CLIENT};
        if ((r = issue_if_missing(&ca, crt, key, &cs, reterr)) < 0) return ocx_error_wrap(reterr, "router client certificate");
        _cleanup_free_ char *wild = ocx_xasprintf("*.%s", o->routing_suffix);
        const char *dns[] = {wild, o->routing_suffix, NULL};
        ocx_cert_spec ss = {.common_name = wild, .dns_names = dns, .usage = OCX_CERT_SERVER};
        if ((r = issue_if_missing(&ca, dcrt, dkey, &ss, reterr)) < 0)
                return ocx_error_wrap(reterr, "router default certificate");
        _cleanup_free_ char *kc_path = ocx_xasprintf("%s/router.kubeconfig", o->base_dir);
        _cleanup_free_ char *api = cli_cluster_url(o->connect_host, o->listen_port);
        _cleanup_free_ char *kc = ocx_xasprintf(
                "apiVersion: v1\nkind: Config\nclusters:\n- name: ocx\n  cluster:\n    server: %s\n"
                "    certificate-authority: %s\nusers:\n- name: router\n  user:\n    client-certificate: %s\n"
                "    client-key: %s\ncontexts:\n- name: router\n  context:\n    cluster: ocx\n    user: router\n"
                "current-context: router\n",
                api, ca_crt, crt, key);
        r = ocx_write_file_atomic(kc_path, kc, strlen(kc), 0600);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot write '%s': %s", kc_path, strerror(-r));
        return 0;
}

static int router_preflight(const cli_cluster_opts *o, ocx_error **reterr) {
        int r = router_credentials(o, reterr);
        if (r < 0) return r;
        router_addrs a = {NULL, NULL, NULL};
        if ((r = choose_addr("router-http", o->router_http, "127.0.0.1:80", &a.http, reterr)) < 0 ||
            (r = choose_addr("router-https", o->router_https, "127.0.0.1:443", &a.https, reterr)) < 0 ||
            (r = choose_addr("router-stats", o->router_stats, "127.0.0.1:1936", &a.stats, reterr)) < 0) {
                router_addrs_release(&a);
                return r;
        }
        _cleanup_json_ cJSON *j = cJSON_CreateObject();
        ocx_json_set_str(j, "http", a.http);
        ocx_json_set_str(j, "https", a.https);
        ocx_json_set_str(j, "stats", a.stats);
        router_addrs_release(&a);
        _cleanup_free_ char *text = ocx_json_print(j);
        _cleanup_free_ char *path = router_state_path(o);
        r = ocx_write_file_atomic(path, text, strlen(text), 0644);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot write '%s': %s", path, strerror(-r));
        return 0;
}

static char **router_argv(const cli_cluster_opts *o, const char *exe) {
        router_addrs a = {NULL, NULL, NULL};
        router_addrs_load(o, &a);
        argv_builder b = {NULL, 0};
        argv_add(&b, exe);
        argv_add(&b, "--base-dir");
        argv_add(&b, o->base_dir);
        argv_add_path(&b, "--kubeconfig", o, "router.kubeconfig");
        argv_add(&b, "--listen-http");
        argv_add(&b, a.http);
        argv_add(&b, "--listen-https");
        argv_add(&b, a.https);
        argv_add(&b, "--stats");
        argv_add(&b, a.stats);
        argv_add_path(&b, "--default-cert", o, "pki/router-default.crt");
        argv_add_path(&b, "--default-key", o, "pki/router-default.key");
        argv_add(&b, "--router-domain");
        argv_add(&b, o->routing_suffix);
        argv_add(&b, "--allow-wildcard-routes");
        router_addrs_release(&a);
        return b.v;
}

/* Ready once its stats listener answers and it has built a route table from
 * the API (ocx_router_table_builds_total >= 1). */
static int router_ready(const cli_cluster_opts *o, ocx_error **reterr) {
        router_addrs a = {NULL, NULL, NULL};
        router_addrs_load(o, &a);
        int ready = 0;
        if (!*a.stats) {
                ready = 1; /* nothing to ask */
        } else {
                _cleanup_free_ char *url = ocx_xasprintf("http://%s", a.stats);
                ocx_http_config cfg = {.server = url, .timeout_ms = 2000};
                ocx_http *h = NULL;
                if (ocx_http_new(&cfg, &h, reterr) == 0) {
                        ocx_http_response resp = {0};
                        if (ocx_http_request(h, "GET", "/metrics", NULL, NULL, 0, NULL, &resp, reterr) == 0) {
                                const char *m = resp.status == 200 && resp.body ? strstr(resp.body, "\nocx_router_table_builds_total ") : NULL;
                                if (m && strtol(m + strlen("\nocx_router_table_builds_total "), NULL, 10) > 0) ready = 1;
                                else ocx_error_set(reterr, EAGAIN, NULL, "the router has not loaded the routes yet");
                        }
                        ocx_http_response_release(&resp);
                        ocx_http_free(h);
                }
        }
        router_addrs_release(&a);
        return ready;
}

/* ---- docker-registry (integrated image registry) -------------------------------- */

/* Debian's Docker Distribution: `docker-registry serve BASE/registry.yml`,
 * storage under BASE/registry. The address is $OCX_REGISTRY_LISTEN when set
 * (the `cluster up --registry-listen` value once cluster.c passes it on),
 * else 127.0.0.1:5000, else (that port taken) a free loopback port with a
 * warning. What was chosen is kept in run/docker-registry.json. The trailing
 * "-- --base-dir=BASE" is an ignored positional argument that lets `down`
 * recognise the process as this cluster's. */
#define REGISTRY_DEFAULT_LISTEN "127.0.0.1:5000"

static char *registry_state_path(const cli_cluster_opts *o) {
        return ocx_xasprintf("%s/run/docker-registry.json", o->base_dir);
}

static char *registry_addr_load(const cli_cluster_opts *o) {
        _cleanup_free_ char *path = registry_state_path(o);
        _cleanup_free_ char *text = NULL;
        _cleanup_json_ cJSON *j = NULL;
        size_t len;
        if (ocx_read_file(path, 64 * 1024, &text, &len) == 0) (void)ocx_json_parse(text, len, &j, NULL);
        const char *l = ocx_json_get_str(j, "listen");
        const char *env = getenv("OCX_REGISTRY_LISTEN");
        return ocx_xstrdup(l ? l : env && *env ? env : REGISTRY_DEFAULT_LISTEN);
}

static int registry_preflight(const cli_cluster_opts *o, ocx_error **reterr) {
        const char *given = getenv("OCX_REGISTRY_LISTEN");
        _cleanup_free_ char *addr = NULL, *host = NULL;
        int port, r;
        if (given && *given) {
                if (split_hostport(given, &host, &port) < 0)
                        return ocx_error_set(reterr, EINVAL, NULL, "invalid --registry-listen '%s': want HOST:PORT", given);
                if ((r = cli_cluster_check_port_free(host, port, reterr)) < 0) return r;
                addr = ocx_xstrdup(given);
        } else {
                (void)split_hostport(REGISTRY_DEFAULT_LISTEN, &host, &port);
                _cleanup_error_ ocx_error *busy = NULL;
                if (cli_cluster_check_port_free(host, port, &busy) == 0) {
                        addr = ocx_xstrdup(REGISTRY_DEFAULT_LISTEN);
                } else {
                        int p = free_loopback_port();
                        if (p < 0) return ocx_error_set(reterr, -p, NULL, "no free port for the registry");
                        addr = ocx_xasprintf("127.0.0.1:%d", p);
                        fprintf(stderr, "Warning: %s is in use; the registry listens on %s instead (see --registry-listen)\n",
                                REGISTRY_DEFAULT_LISTEN, addr);
                }
        }
        _cleanup_free_ char *storage = ocx_xasprintf("%s/registry", o->base_dir);
        if (mkdir(storage, 0700) < 0 && errno != EEXIST)
                return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", storage, strerror(errno));
        unsigned char rnd[16];
        char secret[33];
        if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
                return ocx_error_set(reterr, EIO, NULL, "cannot read random bytes");
        for (size_t i = 0; i < sizeof(rnd); i++) snprintf(secret + 2 * i, 3, "%02x", rnd[i]);
        _cleanup_free_ char *cfg = ocx_xasprintf(
                "# written by ocx cluster up\nversion: 0.1\nlog:\n  level: warn\n"
                "storage:\n  filesystem:\n    rootdirectory: %s\n  delete:\n    enabled: true\n"
                "  maintenance:\n    uploadpurging:\n      enabled: false\n"
                "http:\n  addr: %s\n  secret: %s\n  headers:\n    X-Content-Type-Options: [nosniff]\n",
                storage, addr, secret);
        _cleanup_free_ char *cfg_path = ocx_xasprintf("%s/registry.yml", o->base_dir);
        if ((r = ocx_write_file_atomic(cfg_path, cfg, strlen(cfg), 0600)) < 0)
                return ocx_error_set(reterr, -r, NULL, "cannot write '%s': %s", cfg_path, strerror(-r));
        _cleanup_json_ cJSON *j = cJSON_CreateObject();
        ocx_json_set_str(j, "listen", addr);
        _cleanup_free_ char *text = ocx_json_print(j);
        _cleanup_free_ char *path = registry_state_path(o);
        if ((r = ocx_write_file_atomic(path, text, strlen(text), 0644)) < 0)
                return ocx_error_set(reterr, -r, NULL, "cannot write '%s': %s", path, strerror(-r));
        return 0;
}

static char **registry_argv(const cli_cluster_opts *o, const char *exe) {
        _cleanup_free_ char *cfg = ocx_xasprintf("%s/registry.yml", o->base_dir);
        _cleanup_free_ char *mark = ocx_xasprintf("--base-dir=%s", o->base_dir);
        argv_builder b = {NULL, 0};
        argv_add(&b, exe);
        argv_add(&b, "serve");
        argv_add(&b, cfg);
        argv_add(&b, "--");
        argv_add(&b, mark);
        return b.v;
}

/* Ready once GET http://ADDR/v2/ answers 200. */
static int registry_ready(const cli_cluster_opts *o, ocx_error **reterr) {
        _cleanup_free_ char *addr = registry_addr_load(o);
        _cleanup_free_ char *url = ocx_xasprintf("http://%s", addr);
        ocx_http_config cfg = {.server = url, .timeout_ms = 2000};
        ocx_http *h = NULL;
        int ready = 0;
        if (ocx_http_new(&cfg, &h, reterr) < 0) return 0;
        ocx_http_response resp = {0};
        if (ocx_http_request(h, "GET", "/v2/", NULL, NULL, 0, NULL, &resp, reterr) == 0) {
                if (resp.status == 200) ready = 1;
                else ocx_error_set(reterr, EAGAIN, NULL, "GET %s/v2/ answered %ld", url, resp.status);
        }
        ocx_http_response_release(&resp);
        ocx_http_free(h);
        return ready;
}

const cli_cluster_daemon cli_cluster_daemons[] = {
        {"ocxd", ocxd_argv, ocxd_ready, ocxd_preflight},
        {"ocx-router", router_argv, router_ready, router_preflight},
        {"docker-registry", registry_argv, registry_ready, registry_preflight},
};
const size_t cli_cluster_n_daemons = OCX_ARRAY_SIZE(cli_cluster_daemons);

/* ---- starting and stopping ---------------------------------------------------- */

static long now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* Appends the log tail to the error message. */
static int fail_with_log(ocx_error **reterr, const char *log) {
        if (!reterr || !*reterr) return -EIO;
        _cleanup_free_ char *tail = cli_cluster_log_tail(log, LOG_TAIL_LINES);
        ocx_error *e = *reterr;
        char *m = *tail ? ocx_xasprintf("%s\n--- last lines of %s ---\n%s", e->message, log, tail)
                        : ocx_xasprintf("%s (%s is empty)", e->message, log);
        free(e->message);
        e->message = m;
        return -e->code;
}

/* Polls d->ready until it answers 1, the process dies or the deadline passes. */
static int wait_ready(const cli_cluster_opts *o, const cli_cluster_daemon *d, pid_t pid,
                      ocx_error **reterr) {
        long start = now_ms(), deadline = start + o->ready_timeout_ms;
        long delay_ms = 5;
        for (;;) {
                _cleanup_error_ ocx_error *why = NULL;
                int r = d->ready(o, &why);
                if (r == 1) return 0;
                if (r < 0) {
                        if (reterr && !*reterr && why) *reterr = TAKE_PTR(why);
                        return ocx_error_wrap(reterr, "%s", d->name);
                }
                if (pid > 0 && !cli_cluster_pid_alive(pid))
                        return ocx_error_set(reterr, ECHILD, NULL, "%s (pid %d) exited before it was ready",
                                             d->name, (int)pid);
                if (now_ms() >= deadline)
                        return ocx_error_set(reterr, ETIMEDOUT, NULL, "%s did not become ready within %.1fs%s%s",
                                             d->name, o->ready_timeout_ms / 1000.0, why ? ": " : "",
                                             why ? why->message : "");
                struct timespec ts = {0, delay_ms * 1000 * 1000};
                nanosleep(&ts, NULL);
                if (delay_ms < 50) delay_ms += 5;
        }
}

/* The previous run's log is kept as <log>.1. */
static void rotate_log(const char *log) {
        _cleanup_free_ char *old = ocx_xasprintf("%s.1", log);
        (void)rename(log, old);
}

int cli_cluster_start(const cli_cluster_opts *o, const cli_cluster_daemon *table, size_t n,
                      bool *ret_already, ocx_error **reterr) {
        _cleanup_free_ pid_t *started = ocx_xcalloc(n ? n : 1, sizeof(pid_t));
        bool all_already = true;
        int r = 0;
        size_t i;
        for (i = 0; i < n; i++) {
                const cli_cluster_daemon *d = &table[i];
                _cleanup_free_ char *pidf = cli_cluster_pid_path(o, d->name);
                _cleanup_free_ char *log = cli_cluster_log_path(o, d->name);
                pid_t pid = 0;
                if (cli_cluster_read_pid(pidf, &pid) == 0 && cli_cluster_pid_is(pid, d->name, o->base_dir)) {
                        if ((r = wait_ready(o, d, pid, reterr)) < 0) {
                                r = fail_with_log(reterr, log);
                                break;
                        }
                        continue;
                }
                all_already = false;
                (void)unlink(pidf); /* stale */
                if (d->preflight && (r = d->preflight(o, reterr)) < 0) break;
                _cleanup_free_ char *exe = NULL;
                if ((r = cli_cluster_find_binary(d->name, o->bin_dir, &exe, reterr)) < 0) break;
                char **argv = d->build_argv(o, exe);
                rotate_log(log);
                r = cli_cluster_spawn(argv, log, &pid, reterr);
                cli_cluster_argv_free(argv);
                if (r < 0) break;
                started[i] = pid;
                if ((r = cli_cluster_write_pid(pidf, pid, reterr)) < 0) {
                        i++;
                        break;
                }
                if ((r = wait_ready(o, d, pid, reterr)) < 0) {
                        r = fail_with_log(reterr, log);
                        i++;
                        break;
                }
        }
        if (r < 0) {
                /* undo what this call started, newest first */
                while (i-- > 0) {
                        if (started[i] <= 0) continue;
                        _cleanup_free_ char *pidf = cli_cluster_pid_path(o, table[i].name);
                        if (cli_cluster_pid_is(started[i], table[i].name, o->base_dir))
                                (void)cli_cluster_stop_pid(started[i], 5000, NULL);
                        (void)unlink(pidf);
                }
                return r;
        }
        if (ret_already) *ret_already = all_already && n > 0;
        return 0;
}

int cli_cluster_stop(const cli_cluster_opts *o, const cli_cluster_daemon *table, size_t n,
                     int grace_ms, FILE *out, ocx_error **reterr) {
        int running = 0, r = 0;
        for (size_t i = n; i-- > 0;) {
                const cli_cluster_daemon *d = &table[i];
                _cleanup_free_ char *pidf = cli_cluster_pid_path(o, d->name);
                pid_t pid = 0;
                if (cli_cluster_read_pid(pidf, &pid) < 0) {
                        (void)unlink(pidf);
                        continue;
                }
                if (cli_cluster_pid_is(pid, d->name, o->base_dir)) {
                        running++;
                        int k = cli_cluster_stop_pid(pid, grace_ms, reterr);
                        if (k < 0) {
                                r = k;
                                continue; /* keep the pid file: it is still running */
                        }
                        if (out)
                                fprintf(out, "Stopped %s (pid %d)%s\n", d->name, (int)pid,
                                        k == 1 ? " after SIGKILL" : "");
                }
                (void)unlink(pidf);
        }
        return r < 0 ? r : running;
}
