/* ocx — `ocx cluster up|down|status` (see cli/cluster.h). */
#include "cli/cluster.h"
#include <arpa/inet.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include "cli/cmds.h"
#include "cli/kubeconfig.h"
#include "ocx/encoding.h"
#include "ocx/buf.h"
#include "ocx/json.h"
#include "ocx/macro.h"
#include "ocx/banned.h"

#define STOP_GRACE_MS 10000
#define READY_TIMEOUT_MS 20000

void cli_cluster_opts_release(cli_cluster_opts *o) {
        if (!o) return;
        free(o->base_dir);
        free(o->listen);
        free(o->listen_host);
        free(o->connect_host);
        free(o->routing_suffix);
        free(o->public_hostname);
        free(o->server);
        free(o->kubeconfig);
        free(o->bin_dir);
        free(o->router_http);
        free(o->router_https);
        free(o->router_stats);
        free(o->dns_listen);
        memset(o, 0, sizeof(*o));
}

static bool is_ipv6(const char *h) {
        unsigned char raw[16];
        return inet_pton(AF_INET6, h, raw) == 1;
}

char *cli_cluster_url(const char *host, int port) {
        return is_ipv6(host) ? ocx_xasprintf("https://[%s]:%d", host, port)
                             : ocx_xasprintf("https://%s:%d", host, port);
}

static bool valid_hostname(const char *h) {
        size_t n = strlen(h);
        if (n == 0 || n > 253) return false;
        for (const char *p = h; *p; p++)
                if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                      *p == '-' || *p == '.'))
                        return false;
        return true;
}

int cli_cluster_resolve_listen(cli_cluster_opts *o, ocx_error **reterr) {
        const char *s = o->listen;
        _cleanup_free_ char *host = NULL;
        const char *port_s;
        if (!s || !*s) return ocx_error_set(reterr, EINVAL, NULL, "invalid listen address ''");
        if (s[0] == '[') {
                const char *end = strstr(s, "]:");
                if (!end) goto bad;
                host = ocx_xstrndup(s + 1, (size_t)(end - s - 1));
                if (!is_ipv6(host)) goto bad;
                port_s = end + 2;
        } else {
                const char *colon = strrchr(s, ':');
                if (!colon || strchr(s, ':') != colon) goto bad;
                host = ocx_xstrndup(s, (size_t)(colon - s));
                if (!valid_hostname(host)) goto bad;
                port_s = colon + 1;
        }
        char *end = NULL;
        errno = 0;
        long port = strtol(port_s, &end, 10);
        if (!*port_s || *end || errno || port < 1 || port > 65535) goto bad;
        if (o->public_hostname && !valid_hostname(o->public_hostname) && !is_ipv6(o->public_hostname))
                return ocx_error_set(reterr, EINVAL, NULL, "invalid public hostname '%s'", o->public_hostname);

        free(o->listen_host);
        free(o->connect_host);
        free(o->server);
        o->listen_port = (int)port;
        if (strcmp(host, "0.0.0.0") == 0)
                o->connect_host = ocx_xstrdup("127.0.0.1");
        else if (strcmp(host, "::") == 0)
                o->connect_host = ocx_xstrdup("::1");
        else
                o->connect_host = ocx_xstrdup(host);
        o->server = cli_cluster_url(o->public_hostname ? o->public_hostname : o->connect_host, o->listen_port);
        /* normalized form handed to ocxd */
        char *norm = is_ipv6(host) ? ocx_xasprintf("[%s]:%d", host, o->listen_port)
                                   : ocx_xasprintf("%s:%d", host, o->listen_port);
        free(o->listen);
        o->listen = norm;
        o->listen_host = TAKE_PTR(host);
        return 0;
bad:
        return ocx_error_set(reterr, EINVAL, NULL,
                             "invalid listen address '%s': want HOST:PORT or [IPV6]:PORT", s);
}

/* ---- command line ------------------------------------------------------------- */

typedef struct flag {
        const char *name;
        char **str;  /* string flag */
        bool *boolean;
} flag;

static int usage_error(const char *sub, const char *what, const char *arg) {
        fprintf(stderr, "error: %s%s\nSee 'ocx cluster %s --help' for usage.\n", what, arg, sub);
        return 1;
}

/* --name VALUE, --name=VALUE, boolean --name[=true|false]. Returns 0, or 1
 * after printing a usage error, or 2 for --help. */
static int parse_flags(const char *sub, int argc, char **argv, const flag *flags) {
        for (int i = 0; i < argc; i++) {
                const char *a = argv[i];
                if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) return 2;
                if (!ocx_startswith(a, "--")) return usage_error(sub, "unexpected argument: ", a);
                const char *name = a + 2, *eq = strchr(name, '=');
                size_t nlen = eq ? (size_t)(eq - name) : strlen(name);
                const flag *f = NULL;
                for (const flag *p = flags; p->name; p++)
                        if (strlen(p->name) == nlen && strncmp(p->name, name, nlen) == 0) f = p;
                if (!f) return usage_error(sub, "unknown flag: ", a);
                if (f->boolean) {
                        if (!eq || strcmp(eq + 1, "true") == 0)
                                *f->boolean = true;
                        else if (strcmp(eq + 1, "false") == 0)
                                *f->boolean = false;
                        else
                                return usage_error(sub, "invalid boolean value: ", a);
                        continue;
                }
                const char *val;
                if (eq) {
                        val = eq + 1;
                } else {
                        if (i + 1 >= argc) return usage_error(sub, "flag needs an argument: ", a);
                        val = argv[++i];
                }
                free(*f->str);
                *f->str = ocx_xstrdup(val);
        }
        return 0;
}

static int report(ocx_error *e) {
        const char *m = e && e->message ? e->message : "unknown error";
        fprintf(stderr, "%s%s\n", ocx_startswith(m, "error: ") ? "" : "error: ", m);
        return 1;
}

static int mkdir_p(const char *path, mode_t mode, ocx_error **reterr) {
        _cleanup_free_ char *p = ocx_xstrdup(path);
        for (char *s = p + 1;; s++) {
                if (*s == '/' || *s == '\0') {
                        char c = *s;
                        *s = '\0';
                        if (mkdir(p, mode) < 0 && errno != EEXIST)
                                return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", p,
                                                     strerror(errno));
                        *s = c;
                        if (!c) break;
                }
        }
        return 0;
}

/* Makes o->base_dir absolute; create: make it and its run/ and logs/. */
static int resolve_base_dir(cli_cluster_opts *o, bool create, ocx_error **reterr) {
        int r;
        if (create) {
                if ((r = mkdir_p(o->base_dir, 0755, reterr)) < 0) return r;
        }
        char abs[PATH_MAX];
        if (!realpath(o->base_dir, abs)) {
                if (errno == ENOENT && !create) return -ENOENT;
                return ocx_error_set(reterr, errno, NULL, "cannot resolve '%s': %s", o->base_dir,
                                     strerror(errno));
        }
        free(o->base_dir);
        o->base_dir = ocx_xstrdup(abs);
        if (create) {
                const char *subs[] = {"run", "logs"};
                for (size_t i = 0; i < OCX_ARRAY_SIZE(subs); i++) {
                        _cleanup_free_ char *d = ocx_xasprintf("%s/%s", o->base_dir, subs[i]);
                        if (mkdir(d, 0755) < 0 && errno != EEXIST)
                                return ocx_error_set(reterr, errno, NULL, "cannot create '%s': %s", d,
                                                     strerror(errno));
                }
        }
        return 0;
}

/* Serializes up/down on one base directory (two `up`s racing would both
 * start a daemon). Released when the process exits. */
static int lock_base_dir(const cli_cluster_opts *o, ocx_error **reterr) {
        _cleanup_free_ char *path = ocx_xasprintf("%s/run/lock", o->base_dir);
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0) {
                if (errno == ENOENT) return 0; /* no run/ yet: nothing to protect */
                return ocx_error_set(reterr, errno, NULL, "cannot open '%s': %s", path, strerror(errno));
        }
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                fprintf(stderr, "Waiting for another 'ocx cluster' command on %s ...\n", o->base_dir);
                if (flock(fd, LOCK_EX) < 0) {
                        int e = errno;
                        close(fd);
                        return ocx_error_set(reterr, e, NULL, "cannot lock '%s': %s", path, strerror(e));
                }
        }
        return 0; /* fd stays open (and locked) until exit */
}

/* ---- cluster.json ------------------------------------------------------------------ */

static char *state_path(const cli_cluster_opts *o) { return ocx_xasprintf("%s/cluster.json", o->base_dir); }

static int save_state(const cli_cluster_opts *o, ocx_error **reterr) {
        _cleanup_json_ cJSON *j = cJSON_CreateObject();
        ocx_json_set_str(j, "server", o->server);
        ocx_json_set_str(j, "listen", o->listen);
        ocx_json_set_str(j, "routingSuffix", o->routing_suffix);
        if (o->public_hostname) ocx_json_set_str(j, "publicHostname", o->public_hostname);
        ocx_buf b = OCX_BUF_INIT;
        ocx_json_write(&b, j, 2);
        ocx_buf_puts(&b, "\n");
        _cleanup_free_ char *path = state_path(o);
        int r = ocx_write_file_atomic(path, b.data, b.len, 0644);
        ocx_buf_release(&b);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot write '%s': %s", path, strerror(-r));
        return 0;
}

/* Takes listen/server/... from what `up` saved; -ENOENT when there is none. */
static int load_state(cli_cluster_opts *o) {
        _cleanup_free_ char *path = state_path(o);
        _cleanup_free_ char *text = NULL;
        size_t len = 0;
        int r = ocx_read_file(path, 64 * 1024, &text, &len);
        if (r < 0) return r;
        _cleanup_json_ cJSON *j = NULL;
        if ((r = ocx_json_parse(text, len, &j, NULL)) < 0) return r;
        const char *listen = ocx_json_get_str(j, "listen");
        if (!listen) return -EINVAL;
        free(o->listen);
        o->listen = ocx_xstrdup(listen);
        const char *rs = ocx_json_get_str(j, "routingSuffix"), *ph = ocx_json_get_str(j, "publicHostname");
        if (rs) {
                free(o->routing_suffix);
                o->routing_suffix = ocx_xstrdup(rs);
        }
        free(o->public_hostname);
        o->public_hostname = ph ? ocx_xstrdup(ph) : NULL;
        return cli_cluster_resolve_listen(o, NULL);
}

/* ---- kubeconfig ------------------------------------------------------------------ */

static int read_b64(const char *path, char **ret, ocx_error **reterr) {
        _cleanup_free_ char *s = NULL;
        size_t len = 0;
        int r = ocx_read_file(path, 64 * 1024, &s, &len);
        if (r < 0) return ocx_error_set(reterr, -r, NULL, "cannot read '%s': %s", path, strerror(-r));
        *ret = ocx_base64_encode(s, len, 0);
        return 0;
}

static int write_kubeconfig(const cli_cluster_opts *o, const char *explicit_path, char **ret_path,
                            char **ret_context, ocx_error **reterr) {
        _cleanup_free_ char *ca_path = ocx_xasprintf("%s/pki/ca.crt", o->base_dir);
        _cleanup_free_ char *crt_path = ocx_xasprintf("%s/pki/admin.crt", o->base_dir);
        _cleanup_free_ char *key_path = ocx_xasprintf("%s/pki/admin.key", o->base_dir);
        _cleanup_free_ char *ca = NULL, *crt = NULL, *key = NULL;
        int r;
        if ((r = read_b64(ca_path, &ca, reterr)) < 0 || (r = read_b64(crt_path, &crt, reterr)) < 0 ||
            (r = read_b64(key_path, &key, reterr)) < 0)
                return r;
        _cleanup_json_ cJSON *cluster = cJSON_CreateObject();
        ocx_json_set_str(cluster, "certificate-authority-data", ca);
        ocx_json_set_str(cluster, "server", o->server);
        _cleanup_json_ cJSON *user = cJSON_CreateObject();
        ocx_json_set_str(user, "client-certificate-data", crt);
        ocx_json_set_str(user, "client-key-data", key);
        explicit_bzero(key, strlen(key));

        cli_kubeconfig kc = {NULL, NULL};
        if ((r = cli_kubeconfig_load(explicit_path, &kc, reterr)) < 0) return r;
        r = cli_kubeconfig_set_login(&kc, o->server, cluster, "system:admin", user, "default",
                                     ret_context, reterr);
        if (r >= 0) r = cli_kubeconfig_save(&kc, reterr);
        if (r >= 0 && ret_path) *ret_path = ocx_xstrdup(kc.path);
        cli_kubeconfig_release(&kc);
        if (r < 0 && ret_context) {
                free(*ret_context);
                *ret_context = NULL;
        }
        return r;
}

/* ---- subcommands ------------------------------------------------------------------ */

static const char up_help[] =
        "Start a cluster on this machine\n"
        "\n"
        "Creates a CA and certificates under the base directory when missing, starts ocxd\n"
        "as a daemon, waits until it is ready, writes BASE/admin.kubeconfig and adds the\n"
        "system:admin context to your kubeconfig. Running it again while the cluster runs\n"
        "is harmless.\n"
        "\n"
        "Usage:\n"
        "  ocx cluster up [flags]\n"
        "\n"
        "Flags:\n"
        "      --base-dir='/var/lib/ocx': directory for certificates, logs, pid files and data\n"
        "      --listen='127.0.0.1:8443': address of the API server (HOST:PORT, [IPV6]:PORT)\n"
        "      --public-hostname='': hostname clients use to reach the API server\n"
        "      --routing-suffix='127.0.0.1.nip.io': default subdomain for routes\n"
        "      --kubeconfig='': kubeconfig to add the system:admin context to\n"
        "      --router-http='127.0.0.1:80': HTTP listener of the router (\"\" disables)\n"
        "      --router-https='127.0.0.1:443': HTTPS listener of the router (\"\" disables)\n"
        "      --router-stats='127.0.0.1:1936': /healthz and /metrics of the router\n"
        "      --dns-listen='127.0.0.1:5353': cluster DNS (UDP and TCP) served by ocxd\n";

static const char down_help[] =
        "Stop the cluster\n"
        "\n"
        "Stops the daemons `ocx cluster up` started (by pid: SIGTERM, then SIGKILL after 10s).\n"
        "\n"
        "Usage:\n"
        "  ocx cluster down [flags]\n"
        "\n"
        "Flags:\n"
        "      --base-dir='/var/lib/ocx': the cluster's base directory\n"
        "      --clean=false: also remove the base directory (certificates, data, logs)\n";

static const char status_help[] =
        "Show whether the cluster is running\n"
        "\n"
        "Usage:\n"
        "  ocx cluster status [flags]\n"
        "\n"
        "Flags:\n"
        "      --base-dir='/var/lib/ocx': the cluster's base directory\n";

static const char cluster_help[] =
        "Start and stop a cluster on this machine\n"
        "\n"
        "Usage:\n"
        "  ocx cluster [command]\n"
        "\n"
        "Available Commands:\n"
        "  down        Stop the cluster\n"
        "  status      Show whether the cluster is running\n"
        "  up          Start a cluster on this machine\n"
        "\n"
        "Use \"ocx cluster <command> --help\" for more information about a given command.\n";

static void opts_defaults(cli_cluster_opts *o) {
        memset(o, 0, sizeof(*o));
        o->base_dir = ocx_xstrdup(CLI_CLUSTER_DEFAULT_BASE_DIR);
        o->listen = ocx_xstrdup(CLI_CLUSTER_DEFAULT_LISTEN);
        o->routing_suffix = ocx_xstrdup(CLI_CLUSTER_DEFAULT_ROUTING_SUFFIX);
        o->ready_timeout_ms = READY_TIMEOUT_MS;
}

static void print_banner(const cli_cluster_opts *o, bool already, const char *kubeconfig,
                         const char *context) {
        printf("%s\n\n", already ? "The cluster is already running." : "Cluster started.");
        printf("The server is accessible at:\n    %s\n\n", o->server);
        printf("You are logged in as:\n    User:     system:admin\n    Context:  %s\n\n",
               context ? context : "");
        _cleanup_free_ char *htpasswd = ocx_xasprintf("%s/htpasswd", o->base_dir);
        _cleanup_free_ char *users = NULL;
        size_t ulen = 0;
        if (ocx_read_file(htpasswd, 4 << 20, &users, &ulen) == 0 &&
            (ocx_startswith(users, "developer:") || strstr(users, "\ndeveloper:")))
                printf("To login as a developer:\n    User:     developer\n    Password: developer\n"
                       "    ocx login -u developer -p developer\n\n");
        printf("To login as administrator:\n    ocx login -u system:admin\n\n");
        printf("Kubeconfig:      %s (and %s/admin.kubeconfig)\n", kubeconfig ? kubeconfig : "",
               o->base_dir);
        printf("Base directory:  %s (logs in %s/logs)\n", o->base_dir, o->base_dir);
}

static int cmd_up(cli_cluster_opts *o) {
        _cleanup_error_ ocx_error *e = NULL;
        int r;
        if ((r = cli_cluster_resolve_listen(o, &e)) < 0) return report(e);
        if ((r = resolve_base_dir(o, true, &e)) < 0 || (r = lock_base_dir(o, &e)) < 0) return report(e);

        /* a cluster already running here keeps the address it was started with */
        bool any_running = false;
        for (size_t i = 0; i < cli_cluster_n_daemons; i++) {
                _cleanup_free_ char *pidf = cli_cluster_pid_path(o, cli_cluster_daemons[i].name);
                pid_t pid = 0;
                if (cli_cluster_read_pid(pidf, &pid) == 0 &&
                    cli_cluster_pid_is(pid, cli_cluster_daemons[i].name, o->base_dir))
                        any_running = true;
        }
        if (any_running) {
                _cleanup_free_ char *given = ocx_xstrdup(o->server);
                if (load_state(o) == 0 && o->listen_given && strcmp(given, o->server) != 0)
                        fprintf(stderr, "Warning: the cluster in %s runs at %s, not %s\n", o->base_dir,
                                o->server, given);
        } else {
                if ((r = cli_cluster_pki_ensure(o, &e)) < 0) return report(e);
                if ((r = save_state(o, &e)) < 0) return report(e);
        }

        /* the htpasswd identity provider's file, with the developer user */
        _cleanup_free_ char *htpasswd = ocx_xasprintf("%s/htpasswd", o->base_dir);
        if (access(htpasswd, F_OK) < 0 && (r = cli_htpasswd_set(htpasswd, "developer", "developer", &e)) < 0)
                return report(e);

        bool already = false;
        if ((r = cli_cluster_start(o, cli_cluster_daemons, cli_cluster_n_daemons, &already, &e)) < 0)
                return report(e);

        _cleanup_free_ char *admin_kc = ocx_xasprintf("%s/admin.kubeconfig", o->base_dir);
        _cleanup_free_ char *ctx = NULL, *user_kc = NULL;
        (void)unlink(admin_kc); /* written afresh: only this cluster's context */
        if ((r = write_kubeconfig(o, admin_kc, NULL, NULL, &e)) < 0 ||
            (r = write_kubeconfig(o, o->kubeconfig, &user_kc, &ctx, &e)) < 0)
                return report(e);
        print_banner(o, already, user_kc, ctx);
        return 0;
}

static int cmd_down(cli_cluster_opts *o) {
        _cleanup_error_ ocx_error *e = NULL;
        int r = resolve_base_dir(o, false, &e);
        if (r == -ENOENT) {
                printf("The cluster is not running (no %s).\n", o->base_dir);
                return 0;
        }
        if (r < 0 || (r = lock_base_dir(o, &e)) < 0) return report(e);
        int running = cli_cluster_stop(o, cli_cluster_daemons, cli_cluster_n_daemons, STOP_GRACE_MS,
                                       stdout, &e);
        if (running < 0) return report(e);
        if (running == 0) printf("The cluster was not running.\n");
        if (o->clean) {
                _cleanup_free_ char *ca = ocx_xasprintf("%s/pki/ca.crt", o->base_dir);
                _cleanup_free_ char *st = state_path(o);
                if (strcmp(o->base_dir, "/") == 0 || (access(ca, F_OK) < 0 && access(st, F_OK) < 0)) {
                        ocx_error_set(&e, EPERM, NULL,
                                      "refusing to remove '%s': it does not look like a cluster base directory",
                                      o->base_dir);
                        return report(e);
                }
                if ((r = cli_cluster_rmtree(o->base_dir, &e)) < 0) return report(e);
                printf("Removed %s\n", o->base_dir);
        }
        return 0;
}

static int cmd_status(cli_cluster_opts *o) {
        _cleanup_error_ ocx_error *e = NULL;
        int r = resolve_base_dir(o, false, &e);
        if (r == -ENOENT) {
                fprintf(stderr, "error: the cluster is not running (no %s)\n", o->base_dir);
                return 1;
        }
        if (r < 0) return report(e);
        bool have_state = load_state(o) == 0;
        size_t up = 0;
        printf("Base directory:  %s\n", o->base_dir);
        printf("Server:          %s\n", have_state ? o->server : "unknown (no cluster.json)");
        for (size_t i = 0; i < cli_cluster_n_daemons; i++) {
                const cli_cluster_daemon *d = &cli_cluster_daemons[i];
                _cleanup_free_ char *pidf = cli_cluster_pid_path(o, d->name);
                pid_t pid = 0;
                if (cli_cluster_read_pid(pidf, &pid) == 0 && cli_cluster_pid_is(pid, d->name, o->base_dir)) {
                        _cleanup_error_ ocx_error *why = NULL;
                        bool ready = have_state && d->ready(o, &why) == 1;
                        printf("%-16s running (pid %d)%s\n", d->name, (int)pid, ready ? ", ready" : ", not ready");
                        if (ready) up++;
                } else {
                        printf("%-16s not running\n", d->name);
                }
        }
        if (up == cli_cluster_n_daemons) {
                printf("The cluster is running.\n");
                return 0;
        }
        fprintf(stderr, "error: the cluster is not running\n");
        return 1;
}

int cli_cmd_cluster(int argc, char **argv) {
        if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
                fputs(cluster_help, argc < 2 ? stderr : stdout);
                return argc < 2 ? 1 : 0;
        }
        const char *sub = argv[1];
        cli_cluster_opts o;
        opts_defaults(&o);
        flag up_flags[] = {{"base-dir", &o.base_dir, NULL},
                           {"listen", &o.listen, NULL},
                           {"public-hostname", &o.public_hostname, NULL},
                           {"routing-suffix", &o.routing_suffix, NULL},
                           {"kubeconfig", &o.kubeconfig, NULL},
                           {"router-http", &o.router_http, NULL},
                           {"router-https", &o.router_https, NULL},
                           {"router-stats", &o.router_stats, NULL},
                           {"dns-listen", &o.dns_listen, NULL},
                           {NULL, NULL, NULL}};
        flag down_flags[] = {{"base-dir", &o.base_dir, NULL},
                             {"clean", NULL, &o.clean},
                             {"kubeconfig", &o.kubeconfig, NULL},
                             {NULL, NULL, NULL}};
        flag status_flags[] = {{"base-dir", &o.base_dir, NULL},
                               {"kubeconfig", &o.kubeconfig, NULL},
                               {NULL, NULL, NULL}};
        const struct {
                const char *name;
                const flag *flags;
                const char *help;
                int (*run)(cli_cluster_opts *o);
        } subs[] = {{"up", up_flags, up_help, cmd_up},
                    {"down", down_flags, down_help, cmd_down},
                    {"status", status_flags, status_help, cmd_status}};
        int rc = -1;
        for (size_t i = 0; i < OCX_ARRAY_SIZE(subs); i++) {
                if (strcmp(sub, subs[i].name) != 0) continue;
                int p = parse_flags(sub, argc - 2, argv + 2, subs[i].flags);
                if (p == 2) {
                        fputs(subs[i].help, stdout);
                        rc = 0;
                } else if (p != 0) {
                        rc = p;
                } else {
                        o.listen_given = o.public_hostname ||
                                         strcmp(o.listen, CLI_CLUSTER_DEFAULT_LISTEN) != 0;
                        if (o.public_hostname && !*o.public_hostname) {
                                free(o.public_hostname);
                                o.public_hostname = NULL;
                        }
                        rc = subs[i].run(&o);
                }
                break;
        }
        if (rc < 0) {
                fprintf(stderr, "error: unknown command \"%s\" for \"ocx cluster\"\n", sub);
                rc = 1;
        }
        cli_cluster_opts_release(&o);
        fflush(stdout);
        return rc;
}
