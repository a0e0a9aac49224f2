/* ocx — `ocx cluster up|down|status`: a one-machine cluster under a base
 * directory (default /var/lib/ocx). `up` writes the PKI, starts the daemons
 * of the daemon table (cluster.c) detached from the terminal, waits for each
 * to be ready, writes DIR/admin.kubeconfig and merges the system:admin
 * context into the user's kubeconfig. `down` stops them by pid (never by
 * name); `status` reports them.
 *
 * Files under the base directory:
 *   cluster.json               server URL and the flags `up` was given
 *   pki/ca.{crt,key}           cluster CA (ECDSA P-256)
 *   pki/apiserver.{crt,key}    serving certificate (127.0.0.1, ::1, localhost, ...)
 *   pki/admin.{crt,key}        client certificate CN=system:admin O=system:masters
 *   admin.kubeconfig           kubeconfig with the system:admin context
 *   run/<daemon>.pid           pid of each running daemon
 *   logs/<daemon>.log          its stdout+stderr (the previous run's in .log.1)
 *
 * The functions below the command entry point are the building blocks,
 * exposed for tests and for daemons added later. */
#pragma once
#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>
#include "ocx/error.h"

/* argv[0] = "cluster", argv[1] = up|down|status, then flags. Returns the
 * process exit code (0 ok, 1 error, printed as "error: ..."). */
int cli_cmd_cluster(int argc, char **argv);

#define CLI_CLUSTER_DEFAULT_BASE_DIR "/var/lib/ocx"
#define CLI_CLUSTER_DEFAULT_LISTEN "127.0.0.1:8443"
#define CLI_CLUSTER_DEFAULT_ROUTING_SUFFIX "127.0.0.1.nip.io"

typedef struct cli_cluster_opts {
        char *base_dir;        /* absolute once resolved */
        char *listen;          /* "HOST:PORT" as given to ocxd */
        char *listen_host;     /* parsed host, brackets removed ("::1") */
        int listen_port;
        char *connect_host;    /* listen_host, with 0.0.0.0/:: replaced by loopback */
        char *routing_suffix;
        char *public_hostname; /* NULL when not given */
        char *server;          /* URL written to kubeconfig: https://<public or connect host>:PORT */
        char *kubeconfig;      /* --kubeconfig or NULL ($KUBECONFIG, ~/.kube/config) */
        char *bin_dir;         /* looked in first for daemons; NULL = directory of this executable */
        bool listen_given;     /* --listen or --public-hostname was on the command line */
        bool clean;            /* down --clean */
        int ready_timeout_ms;  /* bounded wait per daemon (20000) */
        /* ocx-router listeners (NULL = defaults 127.0.0.1:80, :443, :1936; "" disables) */
        char *router_http, *router_https, *router_stats;
        char *dns_listen;      /* ocxd --dns-listen (NULL = its default 127.0.0.1:5353) */
} cli_cluster_opts;

void cli_cluster_opts_release(cli_cluster_opts *o);

/* One daemon `up` starts. Later issues add router, registry ... to the table
 * in cluster.c; they are started in table order and stopped in reverse. */
typedef struct cli_cluster_daemon {
        const char *name; /* binary name; run/<name>.pid, logs/<name>.log */
        /* NULL-terminated argv (argv[0] = exe), heap owned (cli_cluster_argv_free) */
        char **(*build_argv)(const cli_cluster_opts *o, const char *exe);
        /* 1 ready, 0 not yet (a reason may be set in *reterr), < 0 fatal */
        int (*ready)(const cli_cluster_opts *o, ocx_error **reterr);
        /* before starting it (may be NULL): e.g. its ports are free, so a
         * readiness check cannot be answered by some other process */
        int (*preflight)(const cli_cluster_opts *o, ocx_error **reterr);
} cli_cluster_daemon;

/* -EADDRINUSE "HOST:PORT is already in use ..." when something accepts TCP
 * connections on host:port. */
int cli_cluster_check_port_free(const char *host, int port, ocx_error **reterr);

extern const cli_cluster_daemon cli_cluster_daemons[];
extern const size_t cli_cluster_n_daemons;

/* Starts every daemon of table in order (adopting one whose pid file names a
 * live process of it for this base dir), waiting for each to be ready within
 * o->ready_timeout_ms and failing fast when it exits. On failure, stops the
 * daemons this call started and returns an error whose message ends with the
 * tail of the failed daemon's log. *ret_already: every daemon was already
 * running and is ready. */
int cli_cluster_start(const cli_cluster_opts *o, const cli_cluster_daemon *table, size_t n,
                      bool *ret_already, ocx_error **reterr);
/* Stops the daemons of table in reverse order (SIGTERM, grace_ms, SIGKILL),
 * only when their pid file names a live process of theirs; removes the pid
 * files. Reports each stop on out (may be NULL). Returns how many were
 * running. */
int cli_cluster_stop(const cli_cluster_opts *o, const cli_cluster_daemon *table, size_t n,
                     int grace_ms, FILE *out, ocx_error **reterr);
/* run/<name>.pid and logs/<name>.log under the base dir. Caller frees. */
char *cli_cluster_pid_path(const cli_cluster_opts *o, const char *name);
char *cli_cluster_log_path(const cli_cluster_opts *o, const char *name);

void cli_cluster_argv_free(char **argv);

/* Fills listen/connect/server fields from listen and public_hostname.
 * "HOST:PORT", "[V6]:PORT"; -EINVAL "invalid listen address '...'" otherwise. */
int cli_cluster_resolve_listen(cli_cluster_opts *o, ocx_error **reterr);

/* The server URL for host and port, bracketing IPv6 literals. Caller frees. */
char *cli_cluster_url(const char *host, int port);

/* The daemon executable: bin_dir/name (or the directory of /proc/self/exe
 * when bin_dir is NULL) if executable, else the first match on $PATH.
 * -ENOENT "cannot find 'ocxd' next to ... or on PATH". */
int cli_cluster_find_binary(const char *name, const char *bin_dir, char **ret, ocx_error **reterr);

/* Starts argv[0] detached (double fork, setsid, cwd /, stdin /dev/null,
 * stdout+stderr appended to log_path) and returns its pid. Reports exec
 * failures (-errno "cannot execute '...'"). */
int cli_cluster_spawn(char *const *argv, const char *log_path, pid_t *ret_pid, ocx_error **reterr);

/* pid file helpers: -ENOENT when absent, -EINVAL when malformed. */
int cli_cluster_read_pid(const char *path, pid_t *ret);
int cli_cluster_write_pid(const char *path, pid_t pid, ocx_error **reterr);

/* Alive and not a zombie. */
bool cli_cluster_pid_alive(pid_t pid);
/* True when pid is a live process running `name` (its exe or argv[0]
 * basename) for this base directory (`--base-dir DIR` in its arguments).
 * Guards against a recycled pid before any signal is sent. */
bool cli_cluster_pid_is(pid_t pid, const char *name, const char *base_dir);
/* SIGTERM, wait up to grace_ms, then SIGKILL and wait up to 2 s more. */
int cli_cluster_stop_pid(pid_t pid, int grace_ms, ocx_error **reterr);

/* The last `lines` lines of a file (at most 64 KiB read), "" when missing.
 * Caller frees. */
char *cli_cluster_log_tail(const char *path, int lines);

/* Removes a directory tree without following symlinks or crossing mounts. */
int cli_cluster_rmtree(const char *path, ocx_error **reterr);

/* Creates what is missing or stale under DIR/pki (a new CA reissues every
 * leaf; the serving certificate is reissued when it does not cover a host
 * `up` needs or expires within 30 days). */
int cli_cluster_pki_ensure(const cli_cluster_opts *o, ocx_error **reterr);

