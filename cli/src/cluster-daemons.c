/* ocx — the daemons `ocx cluster up` runs: one table of {name, argv
 * builder, readiness check}, and starting/stopping them in order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "cli/cluster.h"
#include "ocx/buf.h"
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

const cli_cluster_daemon cli_cluster_daemons[] = {
        {"ocxd", ocxd_argv, ocxd_ready, ocxd_preflight},
        /* router, registry: later issues */
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
